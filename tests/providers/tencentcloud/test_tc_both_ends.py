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
