"""The provider over a fake charon: the VICI calls each action makes, failure contracts, and
that no message ever shows the PSK."""

import pytest
from ss_fake import FakeCharon
from ss_lab import SITE_A, SITE_B, TYPE, Driver, site_config

from engine.providers import ApplyRequest, available_providers
from engine.values import Sensitive, unmark
from providers.swankit.vici import parse_socket_uri
from providers.strongswan.provider import StrongSwanProvider

PSK = "correct-horse-battery"


@pytest.fixture
def charon():
    return FakeCharon()


@pytest.fixture
def provider(charon, tmp_path):
    p = StrongSwanProvider(workdir=str(tmp_path), session_factory=charon.factory)
    assert not p.configure({"vici_socket": "unix://lab/charon.vici"})
    charon.calls.clear()
    return p


@pytest.fixture
def drive(provider):
    return Driver(provider)


def cfg(**values):
    return site_config("s2s", SITE_A, SITE_B, psk=Sensitive(PSK), **values)


def test_registered_as_an_entry_point():
    assert available_providers()["strongswan"].load() is StrongSwanProvider


def test_socket_uri_forms(tmp_path):
    assert parse_socket_uri("unix:///run/x.vici", "/w") == "/run/x.vici"
    assert parse_socket_uri("unix://lab/x.vici", "/w") == "/w/lab/x.vici"
    for bad in ("/run/x.vici", "tcp://127.0.0.1:4502", "unix://"):
        with pytest.raises(ValueError, match="not a VICI socket URI"):
            parse_socket_uri(bad, "/w")


def test_configure_resolves_a_relative_socket_and_learns_the_algorithms(provider, tmp_path):
    assert provider.socket_path == str(tmp_path / "lab" / "charon.vici")
    assert provider.daemon_version == "charon 5.9.8"
    assert provider.algorithm_support.provides("AES_GCM_16") is False
    assert "unix://lab/charon.vici" in provider.algorithm_support.source


def test_configure_names_the_socket_and_the_lab_when_nothing_answers(charon, tmp_path):
    charon.unreachable = True
    p = StrongSwanProvider(workdir=str(tmp_path), session_factory=charon.factory)
    [d] = p.configure({"vici_socket": "unix:///nowhere/charon.vici"})
    assert d.summary == "Cannot reach strongSwan" and d.attribute_path == ("vici_socket",)
    assert "/nowhere/charon.vici" in d.detail and "vpnform lab up" in d.detail


def test_configure_rejects_other_uris(tmp_path):
    [d] = StrongSwanProvider(workdir=str(tmp_path)).configure({"vici_socket": "/run/x"})
    assert d.summary == "Invalid provider configuration" and "unix:///" in d.detail


def test_create_calls(drive, charon):
    new = drive.create(cfg())
    assert charon.commands() == ["list_conns", "load_shared", "load_conn", "list_conns",
                                 "get_shared", "list_sas"]
    shared = charon.calls[1][1]
    assert shared == {"id": "vpnform-psk-s2s", "type": "IKE", "data": PSK,
                      "owners": ["198.18.0.10", "202.108.22.5"]}
    body = charon.calls[2][1]["s2s"]
    assert "reqid" not in body["children"]["net"]  # unset: charon allocates
    assert isinstance(new["psk"], Sensitive) and unmark(new)[0]["psk"] == PSK
    assert unmark(new)[0]["child"][0]["reqid"] is None
    assert drive.no_drift(new, cfg())


def test_update_reloads_key_and_connection(drive, charon):
    state = drive.create(cfg())
    charon.calls.clear()
    new = drive.update(state, cfg(proposals=["aes256-sha256-modp2048"]))
    assert charon.commands() == ["load_shared", "load_conn", "list_conns", "get_shared",
                                 "list_sas"]
    assert charon.calls[1][1]["s2s"]["proposals"] == ["aes256-sha256-modp2048"]
    assert unmark(new)[0]["proposals"] == ["aes256-sha256-modp2048"]


def test_removing_a_child_closes_its_sas(drive, charon):
    two = cfg()
    two["child"].append(dict(two["child"][0], name="extra", local_ts=["10.10.9.0/24"]))
    state = drive.create(two)
    charon.sas = [{"s2s": {"uniqueid": b"4", "state": b"ESTABLISHED", "child-sas": {
        "net-1": {"name": b"net", "uniqueid": b"7", "state": b"INSTALLED", "reqid": b"1"},
        "extra-2": {"name": b"extra", "uniqueid": b"8", "state": b"INSTALLED",
                    "reqid": b"2"}}}}]
    charon.calls.clear()
    new = drive.update(state, cfg())
    assert ("terminate", {"child-id": "8", "timeout": "-1"}) in charon.calls
    assert not any(a == {"child-id": "7", "timeout": "-1"} for _, a in charon.calls)
    assert [c["name"] for c in unmark(new)[0]["child"]] == ["net"]


def test_delete_unloads_and_takes_sas_down(drive, charon):
    state = drive.create(cfg())
    charon.sas = [{"s2s": {"uniqueid": b"4", "state": b"ESTABLISHED"}}]
    charon.calls.clear()
    drive.delete(state)
    assert charon.calls == [
        ("unload_conn", {"name": "s2s"}), ("unload_shared", {"id": "vpnform-psk-s2s"}),
        ("list_sas", {"ike": "s2s"}),
        ("terminate", {"ike-id": "4", "force": "yes"})]
    assert not charon.conns and not charon.shared and not charon.sas


def test_deleting_what_is_already_gone_succeeds(drive, charon):
    state = drive.create(cfg())
    charon.conns.clear()
    charon.shared.clear()
    drive.delete(state)


def test_failed_create_leaves_nothing_and_never_shows_the_psk(provider, drive, charon):
    charon.fail["load_conn"] = f"invalid value for: psk {PSK}, config discarded"
    _, res = drive.apply(None, cfg())
    assert res.new is None
    [d] = res.diagnostics
    assert d.summary == "Error creating strongSwan connection"
    assert PSK not in d.detail and "(sensitive value)" in d.detail
    assert d.address == f"{TYPE}.x"
    assert not charon.shared and not charon.conns


def test_create_refuses_to_take_over_an_unmanaged_connection(drive, charon):
    charon.conns["s2s"] = {"version": "2", "children": {}}
    _, res = drive.apply(None, cfg())
    assert res.new is None
    assert [d.summary for d in res.diagnostics] == ["Connection already exists"]
    assert "load_conn" not in charon.commands()


def test_failed_update_returns_the_object_as_it_is(drive, charon):
    state = drive.create(cfg())
    charon.fail["load_conn"] = "boom"
    _, res = drive.apply(state, cfg(rekey_time=3600))
    assert res.diagnostics.has_errors
    assert unmark(res.new)[0]["rekey_time"] is None  # still the old definition


def test_failed_delete_keeps_the_object(drive, charon):
    state = drive.create(cfg())
    charon.fail["unload_conn"] = "permission denied"
    res = drive.p.apply(ApplyRequest(TYPE, f"{TYPE}.x", state, None, None))
    assert res.new == state and res.diagnostics.has_errors


def test_read_of_a_gone_connection_is_none_and_of_an_unreachable_charon_an_error(
        drive, charon):
    state = drive.create(cfg())
    charon.conns.clear()
    assert drive.read(state) is None
    charon.unreachable = True
    res = drive.p.read(TYPE, state)
    assert res.value is state and res.diagnostics.has_errors
    assert "vpnform lab up" in res.diagnostics.items[0].detail


def test_psk_unloaded_behind_our_back_is_planned_back(drive, charon):
    state = drive.create(cfg())
    charon.shared.clear()
    refreshed = drive.read(state)
    assert unmark(refreshed)[0]["psk"] is None
    assert not drive.no_drift(state, cfg())
    drive.update(refreshed, cfg())
    assert "vpnform-psk-s2s" in charon.shared


def test_import(provider, charon):
    charon.conns["s2s"] = {"version": "1", "local_addrs": ["198.18.0.10"],
                           "local-1": {"auth": "psk", "id": "198.18.0.10"},
                           "remote-1": {"auth": "psk"},
                           "children": {"net": {"local_ts": ["10.10.0.0/24"]}}}
    res = provider.import_resource(TYPE, "s2s")
    v = unmark(res.value)[0]
    assert (v["id"], v["ike_version"], v["psk"]) == ("s2s", 1, None)
    assert v["child"][0]["local_ts"] == ["10.10.0.0/24"]
    [d] = provider.import_resource(TYPE, "nope").diagnostics
    assert d.summary == "Cannot import non-existent remote object"


def test_data_source(provider, charon):
    from ss_samples import SAS
    charon.sas = SAS
    res = provider.read_data_source("strongswan_sas", {"connection": "s2s"})
    assert res.value["sas"][0]["state"] == "ESTABLISHED"
    res = provider.read_data_source("strongswan_sas", {"connection": None})
    assert [s["connection"] for s in res.value["sas"]] == ["s2s"]
