"""The lab proves the plan-time both-ends check (providers/tencentcloud/both_ends.py): ends
it passes bring a tunnel up between two real charons; for each class of disagreement it
reports, the same two ends really fail to negotiate.

The cloud end runs as the strongSwan dataplane runs a cloud tunnel: its proposals are
strongswan_tunnel's translation of the tunnel's options (what the dataplane loads); it
initiates, as the dataplane's trap does on the first packet.

Lifetimes are not negotiated: ends whose lifetimes the check only warns about still bring
the tunnel up, and the end with the shorter lifetime really rekeys.
"""

import contextlib
import time

import pytest
from ss_lab import CHARON_POPEN_WARNING, SITE_A, SITE_B, Driver, site_config

from engine.diagnostics import Severity
from engine.providers import PlannedObject
from providers.swankit import status
from providers.tencentcloud import strongswan_tunnel
from providers.tencentcloud.both_ends import check_both_ends

pytestmark = CHARON_POPEN_WARNING

PSK = "both-ends-lab-key-7Qe2x"
GW, CGW = "tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_customer_gateway.idc"
CONN, IDC = "tencentcloud_vpn_connection.main", "strongswan_connection.to_cloud"
CLOUD_IP, IDC_IP = SITE_A.public_ip, SITE_B.public_ip
VPC_NET, IDC_NET = SITE_A.lan_net, SITE_B.lan_net

BASE_CLOUD = {
    "pre_share_key": PSK, "ike_version": "IKEV2", "ike_exchange_mode": "MAIN",
    "ike_proto_encry_algorithm": "AES-CBC-128", "ike_proto_authen_algorithm": "SHA-256",
    "ike_dh_group_name": "GROUP14", "ipsec_encrypt_algorithm": "AES-CBC-128",
    "ipsec_integrity_algorithm": "SHA-256", "ipsec_pfs_dh_group": "NULL",
    "ike_local_identity": "ADDRESS", "ike_remote_identity": "ADDRESS",
    "security_group_policy": [{"local_cidr_block": VPC_NET, "remote_cidr_block": [IDC_NET]}],
}
BASE_IDC = {"ike_version": 2, "aggressive": False, "local_id": IDC_IP, "remote_id": CLOUD_IP,
            "proposals": ["aes128-sha256-modp2048"], "psk": PSK}
BASE_CHILD = {"name": "net", "local_ts": [IDC_NET], "remote_ts": [VPC_NET],
              "esp_proposals": ["aes128-sha256"]}

NO_PROPOSAL, AUTH, TS = ("no proposal chosen", "authentication failed",
                         "traffic selectors unacceptable")
CASES = {  # class: (cloud overrides, IDC overrides, IDC child overrides, phrase reported,
    #                 why charon fails, as status.classify_failure names it)
    "ike-version": ({}, {"ike_version": 1}, {}, "IKE versions differ", NO_PROPOSAL),
    "exchange-mode": ({"ike_version": "IKEV1"}, {"ike_version": 1, "aggressive": True}, {},
                      "exchange modes differ", AUTH),
    "ike-proposal": ({}, {"proposals": ["aes256-sha256-modp2048"]}, {}, "No IKE proposal",
                     NO_PROPOSAL),
    "esp-proposal": ({}, {}, {"esp_proposals": ["aes128-sha512"]}, "No ESP proposal",
                     NO_PROPOSAL),
    # PFS on one end only: IKEv1's Quick Mode fails at once (IKEv2 at the first rekey)
    "pfs": ({"ike_version": "IKEV1", "ipsec_pfs_dh_group": "DH-GROUP14"}, {"ike_version": 1},
            {}, "No ESP proposal", NO_PROPOSAL),
    "psk": ({}, {"psk": PSK + "-other"}, {}, "pre-shared keys differ", AUTH),
    "identity": ({}, {"local_id": "idc.example.com"}, {}, "identity of the IDC", AUTH),
    "spd": ({}, {}, {"remote_ts": ["10.10.9.0/24"]}, "not mirrored", TS),
}


def _planned(address, type_name, value, references=None):
    return PlannedObject(address=address, type_name=type_name, value=value, provider=None,
                         action="create", references=references or {})


def _ends(cloud_over, idc_over, child_over):
    cloud = {**BASE_CLOUD, **cloud_over}
    idc = {**BASE_IDC, "local_addrs": [IDC_IP], "remote_addrs": [CLOUD_IP], **idc_over,
           "child": [{**BASE_CHILD, **child_over}]}
    return cloud, idc


def _check(cloud, idc):
    return list(check_both_ends([
        _planned(GW, "tencentcloud_vpn_gateway", {"id": "vpngw-1",
                                                  "public_ip_address": CLOUD_IP}),
        _planned(CGW, "tencentcloud_vpn_customer_gateway", {"id": "cgw-1",
                                                            "public_ip_address": IDC_IP}),
        _planned(CONN, "tencentcloud_vpn_connection",
                 {**cloud, "vpn_gateway_id": "vpngw-1", "customer_gateway_id": "cgw-1"}),
        _planned(IDC, "strongswan_connection", idc)]))


def _cloud_side(name, cloud):
    """The cloud tunnel as the strongSwan dataplane runs it."""
    ike = strongswan_tunnel.ike_proposal({
        "PropoEncryAlgorithm": cloud["ike_proto_encry_algorithm"],
        "PropoAuthenAlgorithm": cloud["ike_proto_authen_algorithm"],
        "DhGroupName": cloud["ike_dh_group_name"]})
    esp = strongswan_tunnel.esp_proposal({
        "EncryptAlgorithm": cloud["ipsec_encrypt_algorithm"],
        "IntegrityAlgorith": cloud["ipsec_integrity_algorithm"],
        "PfsDhGroup": cloud["ipsec_pfs_dh_group"]})
    [spd] = cloud["security_group_policy"]
    lifetimes = {}
    if "ipsec_sa_lifetime_seconds" in cloud:  # renewed at 90 %, as the dataplane does
        life = cloud["ipsec_sa_lifetime_seconds"]
        lifetimes = {"rekey_time": int(life * 0.9), "life_time": life}
    return site_config(
        name, SITE_A, SITE_B, psk=cloud["pre_share_key"],
        ike_version=2 if cloud["ike_version"] == "IKEV2" else 1,
        aggressive=cloud["ike_exchange_mode"] == "AGGRESSIVE", proposals=[ike],
        local_id=CLOUD_IP, remote_id=IDC_IP,
        child_values={"esp_proposals": [esp], "local_ts": [spd["local_cidr_block"]],
                      "remote_ts": list(spd["remote_cidr_block"]), **lifetimes})


def _idc_side(name, idc):
    [kid] = idc["child"]
    values = {k: v for k, v in idc.items() if k not in ("child", "psk")}
    return site_config(name, SITE_B, SITE_A, psk=idc["psk"],
                       child_values={k: v for k, v in kid.items() if k != "name"}, **values)


@pytest.fixture(scope="module")
def gw(sites):
    return Driver(sites.provider("gwa")), Driver(sites.provider("gwb"))


@contextlib.contextmanager
def _tunnel(sites, gw, name, cloud, idc):
    """Both ends loaded and the cloud end initiating: yields None when the tunnel comes up
    and carries a ping, else why it did not; both ends are removed after."""
    a, b = gw
    state_a = a.create(_cloud_side(name, cloud))
    state_b = b.create(_idc_side(name, idc))
    try:
        with sites.charon("gwa").session() as s:
            out = status.initiate(s, name, "net", timeout=8)
        if not out.ok:
            yield out.failure
        elif not (sites.wait_installed(name, timeout=3) and sites.ping(SITE_A, SITE_B)):
            yield "no traffic"
        else:
            yield None
    finally:
        a.delete(state_a)
        b.delete(state_b)


def _negotiate(sites, gw, name, cloud, idc) -> str | None:
    """None when the tunnel comes up and carries a ping; else why it did not."""
    with _tunnel(sites, gw, name, cloud, idc) as failure:
        return failure


def _installed_spis(sites, role, name) -> set:
    with sites.charon(role).session() as s:
        st = status.sa_status(s, name)
    return {c["spi_in"] for sa in st["ike_sas"] for c in sa["children"]
            if c["state"] == "INSTALLED"}


def test_ends_the_check_passes_bring_the_tunnel_up(sites, gw):
    cloud, idc = _ends({}, {}, {})
    assert _check(cloud, idc) == []
    assert _negotiate(sites, gw, "be-agree", cloud, idc) is None


@pytest.mark.parametrize("case", list(CASES))
def test_each_reported_disagreement_really_fails_to_negotiate(sites, gw, case):
    cloud_over, idc_over, child_over, phrase, failure = CASES[case]
    cloud, idc = _ends(cloud_over, idc_over, child_over)
    [d] = _check(cloud, idc)
    assert phrase in d.detail
    assert _negotiate(sites, gw, f"be-{case}", cloud, idc) == failure


def test_lifetimes_the_check_only_warns_about_bring_the_tunnel_up_and_the_shorter_rekeys(
        sites, gw):
    # the cloud's shortest IPsec SA lifetime (180 s) against an IDC child rekeying every 5 s
    rekey = 5
    cloud, idc = _ends({"ipsec_sa_lifetime_seconds": 180}, {}, {"rekey_time": rekey})
    [d] = _check(cloud, idc)
    assert (d.severity, d.rule) == (Severity.WARNING, "lifetimes-differ")
    assert f'child "net" of {IDC} renews the SA every {rekey} s' in d.detail
    with _tunnel(sites, gw, "be-lifetimes", cloud, idc) as failure:
        assert failure is None
        start = time.monotonic()
        first = _installed_spis(sites, "gwb", "be-lifetimes")
        assert first
        new: set = set()
        while not new and time.monotonic() - start < rekey + 5:
            time.sleep(0.25)
            new = _installed_spis(sites, "gwb", "be-lifetimes") - first
        # the IDC end rekeyed on its own timer (within rekey_time; charon subtracts up to
        # 10 % at random), long before the cloud's 162 s, and traffic still flows
        assert new, f"no new CHILD_SA within {rekey + 5} s"
        assert time.monotonic() - start < rekey + 2
        assert _installed_spis(sites, "gwa", "be-lifetimes")
        assert sites.ping(SITE_A, SITE_B)


def test_an_idc_child_that_never_rekeys_ends_its_sa_before_the_cloud_renews_it(sites, gw):
    # the warning's other case: the IDC child's SA ends (life_time) before the cloud renews
    # it (at 162 s); charon deletes it and negotiates a new one, which carries traffic
    life = 4
    cloud, idc = _ends({"ipsec_sa_lifetime_seconds": 180}, {},
                       {"rekey_time": 0, "life_time": life})
    [d] = _check(cloud, idc)
    assert (d.severity, d.rule) == (Severity.WARNING, "lifetimes-differ")
    assert "never rekeys" in d.detail and "deletes the SA" in d.detail
    with _tunnel(sites, gw, "be-expiry", cloud, idc) as failure:
        assert failure is None
        start = time.monotonic()
        first = _installed_spis(sites, "gwb", "be-expiry")
        while first & _installed_spis(sites, "gwb", "be-expiry") and (
                time.monotonic() - start < life + 4):
            time.sleep(0.25)
        assert not first & _installed_spis(sites, "gwb", "be-expiry"), "the SA did not end"
        assert sites.wait_installed("be-expiry", timeout=3)
        assert sites.ping(SITE_A, SITE_B)
