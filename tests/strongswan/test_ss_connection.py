"""strongswan_connection: plan-time validation, the planned value, and cross-object checks
(pure: the provider is not configured, algorithm support comes from captured data)."""

import pytest
from ss_lab import SITE_A, SITE_B, TYPE, blank_config, child, site_config
from ss_samples import ALGS

from engine.providers import PlannedObject, PlanRequest
from engine.values import UNKNOWN, Sensitive, Unknown, unmark
from providers.strongswan import connection
from providers.swankit.proposals import AlgorithmSupport
from providers.strongswan.provider import StrongSwanProvider

HERE = AlgorithmSupport.from_get_algorithms(ALGS, source="charon 5.9.8 (captured)")


def cfg(**values):
    return site_config("s2s", SITE_A, SITE_B, **values)


def diags_of(config):
    return list(connection.validate(config, HERE))


def errors_of(config):
    return [d for d in diags_of(config) if d.is_error]


def test_a_plain_site_to_site_connection_is_valid():
    assert diags_of(cfg()) == []
    assert diags_of(cfg(ike_version=1, proposals=["aes128-sha1-modp1024"], rekey_time=3600,
                        dpd_delay=10, dpd_timeout=30,
                        child_values=dict(esp_proposals=["aes128-sha1-modp1024"],
                                          start_action="trap", dpd_action="restart",
                                          close_action="trap", life_time=4000,
                                          rekey_time=3600, rekey_bytes=0, reqid=7))) == []


def test_unavailable_esp_algorithm_is_named_with_child_and_attribute():
    [d] = errors_of(cfg(child_values=dict(esp_proposals=["aes128-sha256", "aes128gcm16"])))
    assert d.summary == "Unsupported algorithm"
    assert d.attribute_path == ("child", 0, "esp_proposals", 1)
    assert 'child "net", esp_proposals[1] "aes128gcm16"' in d.detail
    assert "the gcm plugin is not available here" in d.detail


def test_unknown_ike_keyword_with_suggestion():
    [d] = errors_of(cfg(proposals=["aes128-sha256-modp2048", "aes256-sha265-modp2048"]))
    assert d.summary == "Invalid proposal" and d.attribute_path == ("proposals", 1)
    assert '"sha265" is not an algorithm keyword' in d.detail
    assert 'Did you mean "sha256"?' in d.detail


def test_empty_proposal_lists_are_rejected():
    [d] = errors_of(cfg(proposals=[]))
    assert d.summary == "No proposals" and d.attribute_path == ("proposals",)


@pytest.mark.parametrize("version", [0, 3, 1.5])
def test_ike_version_must_be_1_or_2(version):
    [d] = errors_of(cfg(ike_version=version))
    assert d.summary == "Invalid IKE version" and d.attribute_path == ("ike_version",)


def test_aggressive_needs_ikev1_and_warns_about_psk_exposure():
    [d] = errors_of(cfg(aggressive=True))
    assert d.summary == "Aggressive Mode needs IKEv1"
    [w] = diags_of(cfg(aggressive=True, ike_version=1))
    assert not w.is_error and "i_dont_care_about_security" in w.detail


def test_mobike_needs_ikev2():
    [d] = errors_of(cfg(mobike=True, ike_version=1))
    assert d.summary == "MOBIKE needs IKEv2"


@pytest.mark.parametrize("ts,needle", [
    ("10.10.0.1/24", 'Write the network, "10.10.0.0/24".'),
    ("10.10.0.1", 'Write "10.10.0.1/32".'),
    ("lan", "is not a CIDR block"),
    ("10.10.0.0/33", "is not a CIDR block"),
    ("fd00::1/64", 'Write the network, "fd00::/64".'),
])
def test_traffic_selectors_must_be_cidr_blocks(ts, needle):
    [d] = errors_of(cfg(child_values=dict(remote_ts=["10.20.0.0/24", ts])))
    assert d.summary == "Invalid traffic selector"
    assert d.attribute_path == ("child", 0, "remote_ts", 1)
    assert needle in d.detail and 'child "net"' in d.detail


def test_ipv6_selectors_are_fine():
    assert errors_of(cfg(child_values=dict(local_ts=["fd00:10::/64"]))) == []


@pytest.mark.parametrize("attr,value,needle", [
    ("rekey_time", -1, "zero or more"),
    ("over_time", 0, "must be positive"),
    ("dpd_delay", 2.5, "whole number"),
])
def test_connection_lifetimes(attr, value, needle):
    [d] = errors_of(cfg(**{attr: value}))
    assert d.attribute_path == (attr,) and needle in d.detail


@pytest.mark.parametrize("values,path,needle", [
    (dict(life_time=0), ("child", 0, "life_time"), "must be positive"),
    (dict(rekey_bytes=-5), ("child", 0, "rekey_bytes"), "zero or more"),
    (dict(reqid=0), ("child", 0, "reqid"), "must be positive"),
    (dict(life_time=3000, rekey_time=3000), ("child", 0, "life_time"), "must be longer"),
    (dict(life_time=1000), ("child", 0, "life_time"), "charon's default"),
])
def test_child_lifetimes(values, path, needle):
    [d] = errors_of(cfg(child_values=values))
    assert d.attribute_path == path and needle in d.detail


def test_rekeying_off_allows_any_life_time():
    assert errors_of(cfg(child_values=dict(life_time=100, rekey_time=0))) == []


def test_actions_are_checked_with_suggestions():
    [d] = errors_of(cfg(child_values=dict(start_action="trapp")))
    assert d.summary == "Invalid start_action" and 'Did you mean "trap"?' in d.detail
    [d] = errors_of(cfg(child_values=dict(dpd_action="none")))
    assert d.attribute_path == ("child", 0, "dpd_action")


def test_children_need_distinct_names_and_reqids():
    c = cfg()
    c["child"] = [child("a", reqid=5), child("a"), child("b", reqid=5)]
    got = sorted((d.summary, d.attribute_path) for d in errors_of(c))
    assert got == [("Duplicate child name", ("child", 1, "name")),
                   ("Duplicate reqid", ("child", 2, "reqid"))]


def test_names_and_identities():
    assert errors_of(cfg(name="has space"))[0].summary == "Invalid connection name"
    assert errors_of(cfg(local_id=""))[0].summary == "Invalid identity"
    assert errors_of(cfg(psk=""))[0].summary == "Invalid pre-shared key"
    assert errors_of(cfg(remote_addrs=["1.2.3.4, 5.6.7.8"]))[0].summary == "Invalid address"


def test_unknown_values_are_not_checked_yet():
    c = cfg(ike_version=UNKNOWN, proposals=UNKNOWN, aggressive=UNKNOWN,
            child_values=dict(remote_ts=UNKNOWN, esp_proposals=[UNKNOWN], reqid=UNKNOWN))
    assert diags_of(c) == []


def test_the_psk_never_appears_in_a_diagnostic():
    secret = "aes128gcm16-secret"
    c = cfg(psk=Sensitive(secret), proposals=["aes128gcm16"])
    assert all(secret not in d.detail for d in diags_of(c))


# ---------------------------------------------------------------------------------------
# plan


def plan(prior, config):
    return connection.plan(prior, config)


def test_create_plan_fills_defaults_identities_and_unknown_reqid():
    c = cfg()
    c["child"].append(child("pinned", local_ts=["10.10.1.0/24"], reqid=9))
    res = plan(None, c)
    assert not res.diagnostics and not res.requires_replace
    p = res.planned
    assert isinstance(p["psk"], Sensitive)
    v = unmark(p)[0]
    assert (v["id"], v["ike_version"], v["aggressive"], v["encap"], v["mobike"]) == (
        "s2s", 2, False, True, False)
    assert v["proposals"] == ["default"]
    assert (v["local_id"], v["remote_id"]) == ("198.18.0.10", "202.108.22.5")
    net, pinned = v["child"]
    assert net["esp_proposals"] == ["default"] and net["start_action"] == "none"
    assert isinstance(net["reqid"], Unknown) and pinned["reqid"] == 9


def test_identities_default_only_when_unset_and_follow_unknown_addresses():
    v = unmark(plan(None, cfg(local_id="gw-a.example.com")).planned)[0]
    assert v["local_id"] == "gw-a.example.com"
    v = unmark(plan(None, cfg(local_addrs=UNKNOWN)).planned)[0]
    assert isinstance(v["local_id"], Unknown)
    v = unmark(plan(None, cfg(remote_addrs=None)).planned)[0]
    assert v["remote_id"] is None


def test_unchanged_config_plans_the_prior_value():
    prior = unmark(plan(None, cfg()).planned)[0]
    prior["child"][0]["reqid"] = 3  # what charon allocated, read back
    res = plan(prior, cfg())
    assert unmark(res.planned)[0] == prior and not res.requires_replace


def test_changes_are_in_place_except_the_name():
    prior = unmark(plan(None, cfg()).planned)[0]
    prior["child"][0]["reqid"] = 3
    res = plan(prior, cfg(proposals=["aes256-sha256-modp2048"]))
    assert not res.requires_replace
    assert unmark(res.planned)[0]["proposals"] == ["aes256-sha256-modp2048"]
    res = plan(prior, cfg(name="s2s-renamed"))
    assert res.requires_replace == [("name",)]
    assert isinstance(unmark(res.planned)[0]["child"][0]["reqid"], Unknown)


def test_new_child_on_update_has_an_unknown_reqid():
    prior = unmark(plan(None, cfg()).planned)[0]
    prior["child"][0]["reqid"] = 3
    c = cfg()
    c["child"].append(child("second", local_ts=["10.10.1.0/24"]))
    v = unmark(plan(prior, c).planned)[0]
    assert v["child"][0]["reqid"] == 3 and isinstance(v["child"][1]["reqid"], Unknown)


def test_provider_plan_has_no_side_effects_and_validates_through_the_protocol(tmp_path):
    p = StrongSwanProvider(workdir=str(tmp_path))  # never configured: nothing to reach
    p._support = HERE
    res = p.plan(PlanRequest(TYPE, f"{TYPE}.x", None, cfg()))
    assert not res.diagnostics
    d = p.validate(TYPE, cfg(child_values=dict(esp_proposals=["aes128gcm16"])))
    assert [x.summary for x in d] == ["Unsupported algorithm"]
    assert p.validate("strongswan_nope", {}).has_errors
    assert not p.validate("strongswan_sas", {"connection": None})


def test_check_plan_finds_duplicate_names_on_one_charon(tmp_path):
    a = StrongSwanProvider(workdir=str(tmp_path))
    b = StrongSwanProvider(workdir=str(tmp_path))
    b.socket_path = "/elsewhere/charon.vici"

    def obj(addr, provider, name, reqid, action="create"):
        value = unmark(plan(None, cfg(name=name, child_values=dict(reqid=reqid))).planned)[0]
        return PlannedObject(addr, TYPE, value, provider, action)

    objects = [obj("x.one", a, "same", 5), obj("x.two", a, "same", 5), obj("x.three", b, "same", 5),
               obj("x.gone", a, "same", 5, action="delete")]
    got = [(d.summary, d.address, d.attribute_path) for d in a.check_plan(objects)]
    assert got == [("Duplicate connection name", "x.two", ("name",))]


def test_blank_config_matches_the_schema():
    block = StrongSwanProvider().schema().resources[TYPE].block
    assert set(blank_config()) == set(block.attributes) | {"child"}
    assert set(child()) == set(block.block_types["child"].block.attributes)
    assert block.attributes["psk"].sensitive and block.attributes["name"].force_new
