"""The security lint of planned tunnels: each finding tripped and passed, fix hints that both
ends support, keys compared without ever being quoted, unknown values left alone."""

import types

import pytest

from engine import values as V
from engine.diagnostics import Severity
from engine.providers import PlannedObject
from providers.swankit.proposals import AlgorithmSupport
from providers.tencentcloud.security_lint import lint_connections

STRONG_PSK = "Zx81-pQ2m-77aa-L0p9-Kc4e"
STRONG = {
    "ike_proto_encry_algorithm": "AES-CBC-256", "ike_proto_authen_algorithm": "SHA-256",
    "ike_exchange_mode": "MAIN", "ike_dh_group_name": "GROUP14",
    "ike_sa_lifetime_seconds": 86400, "ike_version": "IKEV2",
    "ipsec_encrypt_algorithm": "AES-CBC-256", "ipsec_integrity_algorithm": "SHA-256",
    "ipsec_sa_lifetime_seconds": 3600, "ipsec_pfs_dh_group": "DH-GROUP14",
}
GW = "tencentcloud_vpn_gateway.gw"
CGW = "tencentcloud_vpn_customer_gateway.idc"


def planned(address, type_name, value, references=None, action="create", provider=None):
    return PlannedObject(address=address, type_name=type_name, value=value,
                         provider=provider, action=action, references=references or {})


def tunnel(name="c", psk=STRONG_PSK, action="create", **options):
    value = {"id": V.UNKNOWN, "name": name, "vpn_gateway_id": V.UNKNOWN,
             "customer_gateway_id": V.UNKNOWN, "pre_share_key": V.Sensitive(psk),
             **STRONG, **options}
    return planned(f"tencentcloud_vpn_connection.{name}", "tencentcloud_vpn_connection",
                   value, {"vpn_gateway_id": [(GW, "id")], "customer_gateway_id": [(CGW, "id")]},
                   action=action)


def found(objects):
    return [(d.summary, d.address, d.attribute_path) for d in lint_connections(objects)]


def text_of(diags) -> str:
    return " ".join(f"{d.summary} {d.detail}" for d in diags)


def test_a_strong_tunnel_has_no_finding():
    assert found([tunnel()]) == []


@pytest.mark.parametrize("attr,value,summary", [
    ("ike_proto_encry_algorithm", "DES-CBC", "Weak encryption algorithm"),
    ("ike_proto_encry_algorithm", "3DES-CBC", "Weak encryption algorithm"),
    ("ipsec_encrypt_algorithm", "3DES-CBC", "Weak encryption algorithm"),
    ("ipsec_encrypt_algorithm", "NULL", "No encryption"),
    ("ike_proto_authen_algorithm", "MD5", "Weak integrity algorithm"),
    ("ike_proto_authen_algorithm", "SHA", "Weak integrity algorithm"),
    ("ike_proto_authen_algorithm", "SHA1", "Weak integrity algorithm"),
    ("ipsec_integrity_algorithm", "MD5", "Weak integrity algorithm"),
    ("ipsec_integrity_algorithm", "SHA1", "Weak integrity algorithm"),
    ("ike_dh_group_name", "GROUP1", "Weak DH group"),
    ("ike_dh_group_name", "GROUP2", "Weak DH group"),
    ("ike_dh_group_name", "GROUP5", "Weak DH group"),
    ("ipsec_pfs_dh_group", "DH-GROUP2", "Weak DH group"),
    ("ipsec_pfs_dh_group", "NULL", "PFS disabled"),
    ("ike_version", "IKEV1", "IKEv1 in use"),
    ("ike_sa_lifetime_seconds", 86401, "Long SA lifetime"),
    ("ipsec_sa_lifetime_seconds", 28801, "Long SA lifetime"),
])
def test_each_weakness_is_one_warning_at_its_attribute(attr, value, summary):
    [d] = lint_connections([tunnel(**{attr: value})])
    assert (d.severity, d.summary, d.address, d.attribute_path) == (
        Severity.WARNING, summary, "tencentcloud_vpn_connection.c", (attr,))
    assert "Set " in d.detail  # a fix hint


@pytest.mark.parametrize("attr,value", [
    ("ike_proto_encry_algorithm", "AES-CBC-128"), ("ike_proto_encry_algorithm", "AES256GCM128"),
    ("ike_proto_authen_algorithm", "SHA-512"), ("ipsec_integrity_algorithm", "SHA-384"),
    ("ike_dh_group_name", "GROUP19"), ("ipsec_pfs_dh_group", "DH-GROUP16"),
    ("ike_sa_lifetime_seconds", 86400), ("ipsec_sa_lifetime_seconds", 28800),
])
def test_strong_choices_and_lifetimes_at_the_threshold_pass(attr, value):
    assert found([tunnel(**{attr: value})]) == []


def test_aggressive_mode_with_a_psk_is_reported_and_the_fix_is_main_mode():
    diags = lint_connections([tunnel(ike_version="IKEV1", ike_exchange_mode="AGGRESSIVE")])
    [d] = [d for d in diags if d.attribute_path == ("ike_exchange_mode",)]
    assert d.summary == "Aggressive mode with a pre-shared key"
    assert 'ike_exchange_mode = "MAIN"' in d.detail


def test_the_cloud_defaults_are_linted_when_options_are_unset():
    # validate sees configuration without plan's defaults: unset means the cloud's default
    conn = tunnel()
    for attr in STRONG:
        conn.value[attr] = None
    assert sorted(s for s, _, _ in found([conn])) == sorted([
        "Weak encryption algorithm", "Weak encryption algorithm", "Weak integrity algorithm",
        "Weak integrity algorithm", "Weak DH group", "PFS disabled", "IKEv1 in use"])


def test_unknown_values_give_no_finding():
    conn = tunnel(psk="x")
    for attr in list(STRONG) + ["pre_share_key"]:
        conn.value[attr] = V.UNKNOWN
    assert found([conn]) == []


def test_a_deleted_tunnel_is_not_linted():
    assert found([tunnel(action="delete", ike_version="IKEV1", psk="123456")]) == []


@pytest.mark.parametrize("psk,reason", [
    ("123456", "shorter than 16"),  # the guide's example key
    ("password", "most used keys"),
    ("Password2024", "most used keys"),
    ("aaaaaaaaaaaaaaaaaaaa", "too few distinct characters"),
    ("1234567812345678", "too few distinct characters"),
])
def test_weak_keys_are_reported_without_quoting_them(psk, reason):
    diags = lint_connections([tunnel(psk=psk)])
    [d] = diags
    assert (d.summary, d.attribute_path) == ("Weak pre-shared key", ("pre_share_key",))
    assert reason in d.detail
    assert psk not in text_of(diags) and psk[:5] not in text_of(diags)


@pytest.mark.parametrize("psk", [STRONG_PSK, "correcthorsebattery", "TomVPN-demo-key-2019"])
def test_long_varied_keys_pass(psk):
    assert found([tunnel(psk=psk)]) == []


def test_a_key_shared_by_two_tunnels_is_reported_once_naming_both():
    diags = lint_connections([tunnel("a"), tunnel("b"), tunnel("c", psk=STRONG_PSK + "x")])
    [d] = diags
    assert (d.summary, d.address) == ("Pre-shared key reused", "tencentcloud_vpn_connection.b")
    assert "tencentcloud_vpn_connection.a" in d.detail
    assert STRONG_PSK[:5] not in text_of(diags)


def _idc(provider=None, **value):
    value = {"name": "to-cloud", "ike_version": 2, "local_addrs": ["202.108.22.5"],
             "remote_addrs": [V.UNKNOWN], "proposals": ["aes256-sha256-modp2048"],
             "psk": V.Sensitive(STRONG_PSK), **value}
    return planned("strongswan_connection.to_cloud", "strongswan_connection", value,
                   {"remote_addrs": [(GW, "public_ip_address")]}, provider=provider)


def _ends(idc):
    gw = planned(GW, "tencentcloud_vpn_gateway", {"id": V.UNKNOWN,
                                                  "public_ip_address": V.UNKNOWN})
    cgw = planned(CGW, "tencentcloud_vpn_customer_gateway",
                  {"id": V.UNKNOWN, "public_ip_address": "202.108.22.5"})
    return [gw, cgw, idc]


def test_with_the_idc_end_declared_the_fix_names_its_keyword_too():
    diags = lint_connections([tunnel(ike_dh_group_name="GROUP2")] + _ends(_idc()))
    [d] = diags
    assert 'ike_dh_group_name = "GROUP14"' in d.detail
    assert "modp2048" in d.detail and "strongswan_connection.to_cloud" in d.detail


def test_the_fix_is_one_the_idc_strongswan_can_run():
    # this charon has no SHA-256 HMAC: the hint moves on to SHA-512, which both ends run
    support = AlgorithmSupport(frozenset({"AES_CBC", "HMAC_SHA2_512_256", "MODP_2048"}), "test")
    idc = _idc(provider=types.SimpleNamespace(algorithm_support=support))
    [d] = lint_connections([tunnel(ike_proto_authen_algorithm="MD5")] + _ends(idc))
    assert 'ike_proto_authen_algorithm = "SHA-512"' in d.detail and "sha512" in d.detail


def test_an_idc_connection_to_another_customer_gateway_is_not_this_tunnels_end():
    diags = lint_connections([tunnel(ike_dh_group_name="GROUP2")]
                             + _ends(_idc(local_addrs=["198.51.100.7"])))
    [d] = diags
    assert "strongswan_connection" not in d.detail


def test_a_key_shared_by_many_tunnels_names_a_few_others_and_counts_the_rest():
    diags = list(lint_connections([tunnel(f"t{i:02}") for i in range(40)]))
    assert len(diags) == 39
    last = diags[-1]
    assert last.address == "tencentcloud_vpn_connection.t39"
    assert last.detail.startswith(
        "tencentcloud_vpn_connection.t39 uses the same pre-shared key as "
        "tencentcloud_vpn_connection.t00, tencentcloud_vpn_connection.t01, "
        "tencentcloud_vpn_connection.t02, tencentcloud_vpn_connection.t03 and 35 other "
        "tunnels.")
