"""to_vici / from_vici: the connection value <-> charon's VICI model (pure, no charon)."""

import copy

from ss_samples import CONN, CONN_MINIMAL, SAS

from engine.values import UNKNOWN
from providers.strongswan import model


def s2s_value(**over):
    """The value that produced ss_samples.CONN (as state would hold it)."""
    v = {
        "id": "s2s", "name": "s2s", "ike_version": 1, "aggressive": False,
        "local_addrs": ["198.18.0.10"], "remote_addrs": ["202.108.22.5"],
        "local_id": "198.18.0.10", "remote_id": "202.108.22.5",
        "proposals": ["aes256-sha256-modp2048"], "psk": "vpnform-test-psk-1", "encap": True,
        "rekey_time": 7200, "reauth_time": None, "over_time": None, "dpd_delay": 10,
        "dpd_timeout": None, "mobike": False,
        "child": [{
            "name": "net", "local_ts": ["10.10.0.0/24"], "remote_ts": ["10.20.0.0/24"],
            "esp_proposals": ["default"], "start_action": "none", "dpd_action": "restart",
            "close_action": None, "life_time": 2000, "rekey_time": 1800, "rekey_bytes": None,
            "reqid": 77,
        }],
    }
    v.update(over)
    return v


def test_to_vici_is_the_load_conn_message():
    assert model.to_vici(s2s_value()) == {"s2s": {
        "version": "1", "aggressive": "no", "encap": "yes", "mobike": "no",
        "proposals": ["aes256-sha256-modp2048"],
        "local_addrs": ["198.18.0.10"], "remote_addrs": ["202.108.22.5"],
        "rekey_time": "7200", "dpd_delay": "10",
        "local-1": {"auth": "psk", "id": "198.18.0.10"},
        "remote-1": {"auth": "psk", "id": "202.108.22.5"},
        "children": {"net": {
            "mode": "tunnel", "esp_proposals": ["default"], "start_action": "none",
            "local_ts": ["10.10.0.0/24"], "remote_ts": ["10.20.0.0/24"],
            "dpd_action": "restart", "life_time": "2000", "rekey_time": "1800", "reqid": "77",
        }},
    }}


def test_to_vici_never_carries_the_psk_and_leaves_unset_things_to_charon():
    v = s2s_value(local_addrs=None, remote_addrs=[], local_id=None, remote_id=None,
                  rekey_time=None, dpd_delay=None, encap=None)
    v["child"][0].update(local_ts=None, remote_ts=None, dpd_action=None, life_time=None,
                         rekey_time=None, reqid=UNKNOWN)
    msg = model.to_vici(v)
    conn = msg["s2s"]
    assert "vpnform-test-psk-1" not in repr(msg)
    assert conn["local-1"] == {"auth": "psk"} and conn["remote-1"] == {"auth": "psk"}
    for absent in ("local_addrs", "remote_addrs", "rekey_time", "dpd_delay"):
        assert absent not in conn
    assert conn["encap"] == "yes"
    assert conn["children"]["net"] == {"mode": "tunnel", "esp_proposals": ["default"],
                                       "start_action": "none"}


def test_read_back_of_what_was_loaded_equals_the_value():
    prior = s2s_value()
    assert model.from_vici("s2s", CONN, prior) == prior


def test_reqid_comes_from_the_installed_child_sa():
    prior = s2s_value()
    prior["child"][0]["reqid"] = None
    sas = model.child_sas_of(SAS, "s2s")
    assert [c["reqid"] for c in sas] == ["77"]
    assert model.from_vici("s2s", CONN, prior, child_sas=sas)["child"][0]["reqid"] == 77
    assert model.from_vici("s2s", CONN, prior)["child"][0]["reqid"] is None


def test_psk_is_kept_from_prior_unless_its_key_is_gone():
    prior = s2s_value()
    assert model.from_vici("s2s", CONN, prior, psk_loaded=True)["psk"] == "vpnform-test-psk-1"
    assert model.from_vici("s2s", CONN, prior, psk_loaded=False)["psk"] is None


def test_changes_made_behind_vpnforms_back_show_as_drift():
    conn = copy.deepcopy(CONN)
    conn["rekey_time"] = b"3600"
    conn["dpd_delay"] = b"30"
    conn["version"] = b"IKEv2"
    conn["remote-1"]["id"] = b"peer.example.com"
    conn["children"]["net"]["remote-ts"] = [b"10.20.0.0/24", b"10.99.0.0/16"]
    conn["children"]["net"]["dpd_action"] = b"trap"
    got = model.from_vici("s2s", conn, s2s_value())
    assert (got["rekey_time"], got["dpd_delay"], got["ike_version"]) == (3600, 30, 2)
    assert got["remote_id"] == "peer.example.com"
    assert got["child"][0]["remote_ts"] == ["10.20.0.0/24", "10.99.0.0/16"]
    assert got["child"][0]["dpd_action"] == "trap"


def test_a_child_removed_or_added_behind_vpnforms_back():
    conn = copy.deepcopy(CONN)
    conn["children"] = {"other": conn["children"]["net"]}
    got = model.from_vici("s2s", conn, s2s_value())
    assert [c["name"] for c in got["child"]] == ["other"]
    assert got["child"][0]["esp_proposals"] is None  # never seen: not known


def test_charon_defaults_read_as_null_when_unset_and_as_numbers_when_set():
    conn = copy.deepcopy(CONN)
    conn["rekey_time"] = b"14400"
    conn.pop("dpd_delay")
    conn["children"]["net"]["rekey_time"] = b"3600"
    unset = s2s_value(rekey_time=None, dpd_delay=None)
    unset["child"][0]["rekey_time"] = None
    got = model.from_vici("s2s", conn, unset)
    assert (got["rekey_time"], got["dpd_delay"], got["child"][0]["rekey_time"]) == (
        None, None, None)
    explicit = s2s_value(rekey_time=14400, dpd_delay=0)
    explicit["child"][0]["rekey_time"] = 3600
    got = model.from_vici("s2s", conn, explicit)
    assert (got["rekey_time"], got["dpd_delay"], got["child"][0]["rekey_time"]) == (
        14400, 0, 3600)


def test_equivalent_spellings_keep_the_configured_form():
    prior = s2s_value()
    prior["child"][0]["remote_ts"] = ["10.20.0.0/24", "10.30.0.0/24"]
    prior["child"][0]["dpd_action"] = "restart"
    prior["remote_id"] = "@peer.example.com"
    conn = copy.deepcopy(CONN)
    conn["remote-1"]["id"] = b"peer.example.com"
    conn["children"]["net"]["remote-ts"] = [b"10.30.0.0/24", b"10.20.0.0/24"]
    got = model.from_vici("s2s", conn, prior)
    assert got["child"][0]["remote_ts"] == ["10.20.0.0/24", "10.30.0.0/24"]
    assert got["remote_id"] == "@peer.example.com"
    assert got["child"][0]["dpd_action"] == "restart"


def test_actions_map_from_charons_names():
    for raw, dpd, close in ((b"none", None, None), (b"trap", "trap", "trap"),
                            (b"start", "restart", "start")):
        conn = copy.deepcopy(CONN)
        conn["children"]["net"]["dpd_action"] = raw
        conn["children"]["net"]["close_action"] = raw
        prior = s2s_value()
        prior["child"][0].update(dpd_action=None, close_action=None)
        got = model.from_vici("s2s", conn, prior)["child"][0]
        assert (got["dpd_action"], got["close_action"]) == (dpd, close)


def test_import_reads_what_charon_shows_and_leaves_the_rest_unknown():
    got = model.from_vici("s2s", CONN, None)
    assert got["name"] == got["id"] == "s2s"
    assert got["ike_version"] == 1 and got["rekey_time"] == 7200 and got["dpd_delay"] == 10
    assert got["local_addrs"] == ["198.18.0.10"] and got["remote_id"] == "202.108.22.5"
    for unseen in ("psk", "proposals", "aggressive", "encap", "mobike", "over_time"):
        assert got[unseen] is None
    c = got["child"][0]
    assert (c["name"], c["local_ts"], c["rekey_time"], c["dpd_action"]) == (
        "net", ["10.10.0.0/24"], 1800, "restart")
    assert c["esp_proposals"] is None and c["start_action"] is None


def test_minimal_connection_reads_as_unset():
    got = model.from_vici("x", CONN_MINIMAL, None)
    assert got["ike_version"] == 0  # "IKEv1/2": not a version this resource configures
    assert got["local_addrs"] is None and got["remote_addrs"] is None
    assert got["local_id"] is None and got["rekey_time"] is None
    assert got["child"][0]["local_ts"] is None and got["child"][0]["rekey_time"] is None


def test_loadable_sends_only_configured_reqids():
    planned = s2s_value()
    planned["child"].append(dict(planned["child"][0], name="two", reqid=5))
    config = {"child": [{"name": "net", "reqid": 77}, {"name": "two", "reqid": None}]}
    out = model.loadable(planned, config)
    assert [c["reqid"] for c in out["child"]] == [77, None]
    assert [c["reqid"] for c in planned["child"]] == [77, 5]  # not modified


def test_shared_key_id_and_owners():
    assert model.shared_key_id("s2s") == "vpnform-psk-s2s"
    assert model.psk_owners(s2s_value()) == ["198.18.0.10", "202.108.22.5"]
    assert model.psk_owners(s2s_value(remote_id="%any", local_id=None)) == []
