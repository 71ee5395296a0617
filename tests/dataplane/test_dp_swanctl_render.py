"""The IDC side's swanctl.conf (pure; golden file), and its download through the emulator."""

import os
import re
from pathlib import Path

import pytest
from dp_support import CUSTOMER_GATEWAY, GATEWAY, stored_connection

from providers.tencentcloud.strongswan_tunnel import idc_swanctl
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore

GOLDEN = Path(__file__).parent / "golden"
STRONGSWAN = {"Platform": "strongswan", "SoftwareVersion": "5.9", "VendorName": "strongswan"}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VPNFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"differs from {path} (VPNFORM_UPDATE_GOLDEN=1 rewrites)"


def test_quickstart_tunnel_golden():
    _golden("quickstart.swanctl.conf",
            idc_swanctl(stored_connection(), GATEWAY, CUSTOMER_GATEWAY))


def test_two_policies_pfs_dpd_golden():
    conn = stored_connection(
        SecurityPolicyDatabaseSet=[
            {"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["10.0.1.0/24", "10.0.2.0/24"]},
            {"LocalCidrBlock": "192.168.2.0/24", "RemoteCidrBlock": ["10.0.2.0/24"]}],
        IKEOptionsSpecification={"PropoEncryAlgorithm": "AES-CBC-256",
                                 "PropoAuthenAlgorithm": "SHA-256", "DhGroupName": "GROUP14",
                                 "IKEVersion": "IKEV2"},
        IPSECOptionsSpecification={"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
                                   "PfsDhGroup": "DH-GROUP2"},
        DpdEnable=1, DpdTimeout="30", DpdAction="restart", PreShareKey='we "quote" \\ this')
    _golden("two-policies.swanctl.conf",
            idc_swanctl(conn, GATEWAY, CUSTOMER_GATEWAY, start_action="none"))


def test_render_is_mirrored_and_loadable_shape():
    text = idc_swanctl(stored_connection(), GATEWAY, CUSTOMER_GATEWAY)
    assert "local_addrs = 202.108.22.5" in text and "remote_addrs = 203.195.147.82" in text
    assert "local_ts = 10.0.1.0/24" in text and "remote_ts = 192.168.1.0/24" in text
    assert "encap = yes" in text and "start_action = trap" in text
    assert "proposals = 3des-md5-modp768" in text and "esp_proposals = 3des-md5" in text
    # section names never hold "." or "/" (swanctl.conf would split them)
    for name in re.findall(r"^\s*(\S+) \{$", text, re.M):
        assert "." not in name and "/" not in name, name
    assert text.count("{") == text.count("}")


def test_psk_that_cannot_be_quoted_is_base64():
    text = idc_swanctl(stored_connection(PreShareKey='a"b\\c'), GATEWAY,
                                 CUSTOMER_GATEWAY)
    assert "secret = 0sYSJiXGM=" in text


# -- through the emulator (DownloadCustomerGatewayConfiguration) --------------------------------

@pytest.fixture
def api(tmp_path, monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    store = SqliteStore.for_workdir(tmp_path)
    svc = EmulatedVpcService(store)

    def call(action, **params):
        return svc.call(action, params, "ap-guangzhou")
    yield call
    store.close()


def _tunnel(api, **conn_params):
    vpc = api("CreateVpc", VpcName="TomVPC", CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    gw = api("CreateVpnGateway", VpcId=vpc, VpnGatewayName="TomVPNGw",
             InternetMaxBandwidthOut=5)["VpnGateway"]
    cgw = api("CreateCustomerGateway", CustomerGatewayName="TomVPNUserGw",
              IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    conn = api("CreateVpnConnection", VpnGatewayId=gw["VpnGatewayId"], CustomerGatewayId=cgw,
               VpnConnectionName="TomVPNConn", PreShareKey="k", VpcId=vpc,
               SecurityPolicyDatabases=[{"LocalCidrBlock": "192.168.1.0/24",
                                         "RemoteCidrBlock": ["10.0.1.0/24"]}], **conn_params)
    return gw, conn["VpnConnection"]["VpnConnectionId"]


def test_vendor_listed_and_download_renders_swanctl(api):
    vendors = api("DescribeCustomerGatewayVendors")["CustomerGatewayVendorSet"]
    assert STRONGSWAN in vendors
    gw, cid = _tunnel(api)
    body = api("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw["VpnGatewayId"],
               VpnConnectionId=cid, CustomerGatewayVendor=STRONGSWAN, InterfaceName="eth0")
    text = body["CustomerGatewayConfiguration"]
    assert f"remote_addrs = {gw['PublicIpAddress']}" in text
    assert "connections {" in text and "secrets {" in text


def test_download_refuses_what_strongswan_cannot_do(api):
    gw, cid = _tunnel(api, IKEOptionsSpecification={"PropoEncryAlgorithm": "SM4"})
    body = api("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw["VpnGatewayId"],
               VpnConnectionId=cid, CustomerGatewayVendor=STRONGSWAN, InterfaceName="eth0")
    assert body["Error"]["Code"] == "UnsupportedOperation"
    assert "SM4" in body["Error"]["Message"]
