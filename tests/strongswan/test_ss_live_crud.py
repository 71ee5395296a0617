"""The provider against a real charon (in a lab namespace): create, read back, drift made
behind vpnform's back, update, replace, delete."""

import pytest
from ss_lab import CHARON_POPEN_WARNING, SITE_A, SITE_B, TYPE, Driver, site_config

from engine.values import unmark
from providers.swankit.vici import decode
from providers.strongswan.provider import StrongSwanProvider

pytestmark = CHARON_POPEN_WARNING


@pytest.fixture(scope="module")
def drive(sites):
    return Driver(sites.provider("gwa", relative=True))


@pytest.fixture
def vici(sites):
    """Raw VICI calls to gwa's charon, as swanctl would make them."""
    with sites.charon("gwa").session() as s:
        yield s


def listed(vici, name):
    for item in vici.list_conns({"ike": name}):
        item = decode(item)
        if name in item:
            return item[name]
    return None


def key_ids(vici):
    return decode(vici.get_shared()).get("keys", [])


def cfg(name, **values):
    return site_config(name, SITE_A, SITE_B, **values)


def test_configure_names_a_missing_socket(sites):
    p = StrongSwanProvider(workdir=str(sites.workdir))
    [d] = p.configure({"vici_socket": "unix://.vpnform/lab/nope/charon.vici"})
    assert d.summary == "Cannot reach strongSwan"
    assert str(sites.workdir / ".vpnform/lab/nope/charon.vici") in d.detail
    assert "vpnform lab up" in d.detail


def test_create_read_back_and_no_drift(drive, vici):
    config = cfg("crud-create", rekey_time=7200, dpd_delay=15,
                 child_values=dict(rekey_time=1200, life_time=1500, dpd_action="restart",
                                   reqid=31))
    state = drive.create(config)
    conn = listed(vici, "crud-create")
    assert conn is not None
    assert conn["version"] == "IKEv2" and conn["rekey_time"] == "7200"
    assert conn["local-1"]["id"] == "198.18.0.10" and conn["remote-1"]["id"] == "202.108.22.5"
    assert conn["children"]["net"]["remote-ts"] == ["10.20.0.0/24"]
    assert conn["children"]["net"]["dpd_action"] == "start"
    assert "vpnform-psk-crud-create" in key_ids(vici)
    assert drive.read(state) == state
    assert drive.no_drift(state, config)
    drive.delete(state)


def test_unloaded_behind_vpnforms_back_is_planned_for_recreation(drive, vici):
    config = cfg("crud-gone")
    state = drive.create(config)
    vici.unload_conn({"name": "crud-gone"})
    assert drive.read(state) is None
    # the engine drops the object on refresh, so the next plan creates it again
    again = drive.create(config)
    assert listed(vici, "crud-gone") is not None
    assert drive.no_drift(again, config)
    drive.delete(again)


def test_changed_proposals_update_in_place(drive, vici):
    config = cfg("crud-props", proposals=["aes128-sha1-modp1024"])
    state = drive.create(config)
    changed = cfg("crud-props", proposals=["aes256-sha256-modp2048", "aes128-sha1-modp1024"],
                  child_values=dict(esp_proposals=["aes256-sha256"]))
    assert not drive.plan(state, changed).requires_replace
    assert not drive.no_drift(state, changed)
    new = drive.update(state, changed)
    assert unmark(new)[0]["proposals"] == ["aes256-sha256-modp2048", "aes128-sha1-modp1024"]
    assert drive.no_drift(new, changed)
    drive.delete(new)


def test_drift_made_with_swanctl_is_seen_and_corrected(drive, vici):
    config = cfg("crud-drift")
    state = drive.create(config)
    # someone reloads the connection by hand, with other selectors and lifetimes
    vici.load_conn({"crud-drift": {
        "version": "2", "local_addrs": ["198.18.0.10"], "remote_addrs": ["202.108.22.5"],
        "rekey_time": "600", "local-1": {"auth": "psk"}, "remote-1": {"auth": "psk"},
        "children": {"net": {"local_ts": ["10.10.0.0/16"], "remote_ts": ["10.20.0.0/24"],
                             "dpd_action": "trap"}}}})
    seen = unmark(drive.read(state))[0]
    assert seen["rekey_time"] == 600 and seen["local_id"] is None
    assert seen["child"][0]["local_ts"] == ["10.10.0.0/16"]
    assert seen["child"][0]["dpd_action"] == "trap"
    planned = drive.plan(drive.read(state), config)
    assert not planned.requires_replace
    fixed = drive.update(drive.read(state), config)
    conn = listed(vici, "crud-drift")
    assert conn["rekey_time"] == "14400" and conn["children"]["net"]["local-ts"] == [
        "10.10.0.0/24"]
    assert drive.no_drift(fixed, config)
    drive.delete(fixed)


def test_psk_unloaded_by_hand_is_loaded_again(drive, vici):
    config = cfg("crud-psk")
    state = drive.create(config)
    vici.unload_shared({"id": "vpnform-psk-crud-psk"})
    refreshed = drive.read(state)
    assert unmark(refreshed)[0]["psk"] is None
    drive.update(refreshed, config)
    assert "vpnform-psk-crud-psk" in key_ids(vici)
    drive.delete(drive.read(state))


def test_renaming_replaces(drive, vici):
    state = drive.create(cfg("crud-old"))
    planned = drive.plan(state, cfg("crud-new"))
    assert planned.requires_replace == [("name",)]
    drive.delete(state)
    new = drive.create(cfg("crud-new"))
    assert listed(vici, "crud-old") is None and listed(vici, "crud-new") is not None
    drive.delete(new)


def test_delete_removes_connection_and_key(drive, vici):
    state = drive.create(cfg("crud-delete"))
    drive.delete(state)
    assert listed(vici, "crud-delete") is None
    assert "vpnform-psk-crud-delete" not in key_ids(vici)
    assert drive.read(state) is None


def test_unsupported_algorithm_is_a_plan_time_diagnostic(drive, vici):
    config = cfg("crud-gcm", child_values=dict(esp_proposals=["aes128gcm16"]))
    d = drive.p.validate(TYPE, config)
    [err] = d.errors
    assert err.summary == "Unsupported algorithm"
    assert err.attribute_path == ("child", 0, "esp_proposals", 0)
    assert "gcm plugin is not available here" in err.detail
    assert "charon 5.9.8" in err.detail  # judged from the live charon
    assert listed(vici, "crud-gcm") is None


def test_import_then_adopt(drive, vici):
    vici.load_conn({"crud-import": {
        "version": "1", "local_addrs": ["198.18.0.10"], "remote_addrs": ["202.108.22.5"],
        "local-1": {"auth": "psk", "id": "198.18.0.10"},
        "remote-1": {"auth": "psk", "id": "202.108.22.5"},
        "children": {"net": {"local_ts": ["10.10.0.0/24"], "remote_ts": ["10.20.0.0/24"]}}}})
    res = drive.p.import_resource(TYPE, "crud-import")
    v = unmark(res.value)[0]
    assert (v["name"], v["ike_version"], v["psk"]) == ("crud-import", 1, None)
    config = cfg("crud-import", ike_version=1)
    assert not drive.no_drift(res.value, config)  # psk and proposals must be loaded once
    adopted = drive.update(res.value, config)
    assert drive.no_drift(adopted, config)
    drive.delete(adopted)
