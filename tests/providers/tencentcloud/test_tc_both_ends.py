"""Both ends of a tunnel at plan time: a cloud tunnel and its declared strongSwan IDC end that
agree pass; each class of disagreement is one error naming both blocks; keys never shown."""

import pytest

from engine import values as V
from engine.diagnostics import Severity
from engine.providers import PlannedObject
from providers.tencentcloud.both_ends import check_both_ends

PSK = "Zx81-pQ2m-77aa-L0p9-Kc4e"
GW, CGW = "tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_customer_gateway.idc"
CONN, IDC = "tencentcloud_vpn_connection.main", "strongswan_connection.to_cloud"
IDC_IP = "202.108.22.5"


def planned(address, type_name, value, references=None):
    return PlannedObject(address=address, type_name=type_name, value=value, provider=None,
                         action="create", references=references or {})


def objects(cloud=None, idc=None, child=None):
    conn = {"id": V.UNKNOWN, "pre_share_key": V.Sensitive(PSK), "ike_version": "IKEV2",
            "ike_exchange_mode": "MAIN", "ike_proto_encry_algorithm": "AES-CBC-128",
            "ike_proto_authen_algorithm": "SHA-256", "ike_dh_group_name": "GROUP14",
            "ipsec_encrypt_algorithm": "AES-CBC-128", "ipsec_integrity_algorithm": "SHA-256",
            "ipsec_pfs_dh_group": "DH-GROUP14", "ike_local_identity": "ADDRESS",
            "ike_remote_identity": "ADDRESS",
            "security_group_policy": [{"local_cidr_block": "192.168.1.0/24",
                                       "remote_cidr_block": ["10.0.1.0/24"]}], **(cloud or {})}
    kid = {"name": "to-cloud", "local_ts": ["10.0.1.0/24"], "remote_ts": ["192.168.1.0/24"],
           "esp_proposals": ["aes128-sha256-modp2048"], **(child or {})}
    end = {"name": "to-cloud", "ike_version": 2, "aggressive": False, "local_addrs": [IDC_IP],
           "remote_addrs": [V.UNKNOWN], "local_id": IDC_IP, "remote_id": V.UNKNOWN,
           "proposals": ["aes256-sha512-modp4096", "aes128-sha256-modp2048"],
           "psk": V.Sensitive(PSK), "child": [kid], **(idc or {})}
    return [
        planned(GW, "tencentcloud_vpn_gateway", {"id": V.UNKNOWN,
                                                 "public_ip_address": V.UNKNOWN}),
        planned(CGW, "tencentcloud_vpn_customer_gateway",
                {"id": V.UNKNOWN, "public_ip_address": IDC_IP}),
        planned(CONN, "tencentcloud_vpn_connection", conn,
                {"vpn_gateway_id": [(GW, "id")], "customer_gateway_id": [(CGW, "id")]}),
        planned(IDC, "strongswan_connection", end,
                {"remote_addrs": [(GW, "public_ip_address")],
                 "remote_id": [(GW, "public_ip_address")]}),
    ]


def test_ends_that_agree_pass():
    assert list(check_both_ends(objects())) == []


def test_ikev2_narrowing_lets_the_idc_declare_wider_selectors():
    assert list(check_both_ends(objects(child={"local_ts": ["10.0.0.0/16"]}))) == []


@pytest.mark.parametrize("cloud,idc,child,path,phrase", [
    ({"ike_version": "IKEV1"}, {}, {}, "ike_version", "IKE versions differ"),
    ({"ike_version": "IKEV1", "ike_exchange_mode": "AGGRESSIVE"}, {"ike_version": 1}, {},
     "ike_exchange_mode", "exchange modes differ"),
    ({"ike_dh_group_name": "GROUP16"}, {}, {}, "ike_proto_encry_algorithm",
     "No IKE proposal"),
    ({"ipsec_pfs_dh_group": "NULL"}, {}, {}, "ipsec_encrypt_algorithm", "No ESP proposal"),
    ({"ipsec_integrity_algorithm": "SHA-512"}, {}, {}, "ipsec_encrypt_algorithm",
     "No ESP proposal"),
    ({}, {"psk": V.Sensitive(PSK + "-other")}, {}, "pre_share_key", "pre-shared keys differ"),
    ({}, {"local_id": "idc.example.com"}, {}, "ike_remote_identity", "identity of the IDC"),
    ({"ike_local_identity": "FQDN", "ike_local_fqdn_name": "cloud.example.com"},
     {"remote_id": "fqdn:other.example.com"}, {}, "ike_local_identity",
     "identity of the cloud gateway"),
    ({}, {}, {"remote_ts": ["192.168.2.0/24"]}, "security_group_policy", "not mirrored"),
    ({"ike_version": "IKEV1"}, {"ike_version": 1}, {"local_ts": ["10.0.0.0/16"]},
     "security_group_policy", "not mirrored"),  # IKEv1 does not narrow
])
def test_each_disagreement_is_one_error_naming_both_blocks(cloud, idc, child, path, phrase):
    [d] = check_both_ends(objects(cloud, idc, child))
    assert (d.severity, d.summary, d.address, d.attribute_path) == (
        Severity.ERROR, "Tunnel ends disagree", CONN, (path,))
    assert phrase in d.detail and CONN in d.detail and IDC in d.detail
    assert PSK[:5] not in d.detail


def test_unknown_values_and_default_proposals_are_not_compared():
    diags = check_both_ends(objects(
        {"pre_share_key": V.UNKNOWN, "ike_dh_group_name": V.UNKNOWN},
        {"psk": V.Sensitive("whatever-else"), "proposals": ["default"]},
        {"remote_ts": [V.UNKNOWN]}))
    assert list(diags) == []


def test_an_idc_connection_to_another_device_is_not_compared():
    assert list(check_both_ends(objects(idc={"local_addrs": ["198.51.100.7"],
                                             "local_id": "198.51.100.7",
                                             "ike_version": 1}))) == []


# Lifetimes: never a negotiation failure, a warning when they do not mean the same thing.
@pytest.mark.parametrize("cloud,idc,child", [
    ({}, {}, {}),  # the cloud's defaults (24 h, 1 h) against charon's (4 h, 1 h)
    ({"ipsec_sa_lifetime_seconds": 28800}, {}, {}),  # 8 times charon's hour: the limit
    ({"ike_sa_lifetime_seconds": 3600}, {"rekey_time": 0, "reauth_time": 7200}, {}),
    ({}, {"rekey_time": 0, "reauth_time": 0}, {}),  # charon never renews: the cloud does
    ({}, {}, {"rekey_time": 0}),  # nor the child, which has no life_time then
    ({}, {}, {"rekey_time": 0, "life_time": 7200}),  # outlives the cloud's renewal
    ({"ipsec_sa_lifetime_seconds": 180}, {}, {"rekey_time": V.UNKNOWN}),
    ({"ike_sa_lifetime_seconds": V.UNKNOWN}, {"rekey_time": 60}, {}),
])
def test_compatible_lifetimes_pass(cloud, idc, child):
    assert list(check_both_ends(objects(cloud, idc, child))) == []


@pytest.mark.parametrize("cloud,idc,child,path,phrases", [
    ({"ipsec_sa_lifetime_seconds": 180}, {}, {"rekey_time": 10}, "ipsec_sa_lifetime_seconds",
     [f'child "to-cloud" of {IDC} renews the SA every 10 s, 18 times within the 180 s of '
      f"{CONN}"]),
    ({"ipsec_sa_lifetime_seconds": 86400}, {}, {}, "ipsec_sa_lifetime_seconds",
     [f'child "to-cloud" of {IDC} renews the SA every 3600 s, 24 times']),
    ({"ipsec_sa_lifetime_seconds": 180}, {}, {"rekey_time": 7200},
     "ipsec_sa_lifetime_seconds", [f"{CONN} renews the SA every 180 s, 40 times within the "
                                   f'7200 s of child "to-cloud" of {IDC}']),
    ({}, {"rekey_time": 600}, {}, "ike_sa_lifetime_seconds",
     ["The IKE SA lifetimes", f"{IDC} renews the SA every 600 s, 144 times"]),
    ({"ike_sa_lifetime_seconds": 604800}, {}, {}, "ike_sa_lifetime_seconds",
     [f"{IDC} renews the SA every 14400 s, 42 times"]),  # charon's default rekey
    ({}, {"rekey_time": 0, "reauth_time": 900}, {}, "ike_sa_lifetime_seconds",
     [f"{IDC} renews the SA every 900 s"]),
    ({}, {}, {"rekey_time": 0, "life_time": 1800}, "ipsec_sa_lifetime_seconds",
     ['never rekeys (rekey_time = 0)', "life_time = 1800 s", "deletes the SA"]),
])
def test_lifetimes_that_differ_warn(cloud, idc, child, path, phrases):
    [d] = check_both_ends(objects(cloud, idc, child))
    assert (d.severity, d.summary, d.rule, d.address, d.attribute_path) == (
        Severity.WARNING, "Tunnel ends' lifetimes differ", "lifetimes-differ", CONN, (path,))
    for phrase in phrases:
        assert phrase in d.detail, d.detail
