"""How the dataplane plugs into the provider (setting, plan-time checks) and the emulator
(hooks after the rules, rollback on failure) — with a fake dataplane, no root needed."""

import pytest
from dp_support import stored_connection

from engine.diagnostics import Diagnostics
from providers.tencentcloud.client import InProcessTransport
from providers.tencentcloud.emulator import (EmulatedVpcService, RealiseError, SqliteStore,
                                             UnrealisableOption)
from providers.tencentcloud.strongswan_tunnel import problems_of
from providers.tencentcloud.provider import TencentCloudProvider

REGION = "ap-guangzhou"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    monkeypatch.delenv("VPNFORM_DATAPLANE", raising=False)
    s = SqliteStore.for_workdir(tmp_path)
    yield s
    s.close()


def provider_on(store, tmp_path, **config) -> tuple[TencentCloudProvider, Diagnostics]:
    p = TencentCloudProvider(str(tmp_path),
                             transport=InProcessTransport(EmulatedVpcService(store)))
    return p, p.configure({"region": REGION, **config})


def conn_config(p, **values):
    block = p.schema().resources["tencentcloud_vpn_connection"].block
    cfg = {n: None for n in block.attributes}
    cfg.update({n: [] for n in block.block_types})
    cfg.update(name="c", vpn_gateway_id="vpngw-aaaaaaaa", customer_gateway_id="cgw-aaaaaaaa",
               pre_share_key="k", **values)
    return cfg


# -- the setting ----------------------------------------------------------------------------------

def test_dataplane_setting(store, tmp_path, monkeypatch):
    p, d = provider_on(store, tmp_path)
    assert not d.has_errors and p.dataplane_mode == "none"
    _, d = provider_on(store, tmp_path, dataplane="bogus")
    assert d.has_errors
    assert [x.attribute_path for x in d] == [("dataplane",)]
    assert "'none', 'strongswan'" in d.errors[0].detail
    monkeypatch.setenv("VPNFORM_DATAPLANE", "strongswan")
    p, d = provider_on(store, tmp_path)
    assert not d.has_errors and p.dataplane_mode == "strongswan"
    p, d = provider_on(store, tmp_path, dataplane="none")  # the block wins over the env
    assert p.dataplane_mode == "none"


@pytest.mark.parametrize("attr, value", [
    ("ike_proto_encry_algorithm", "SM4"), ("ike_proto_encry_algorithm", "AES128GCM128"),
    ("ike_dh_group_name", "GROUP19"), ("ipsec_encrypt_algorithm", "AES256GCM128"),
    ("ipsec_integrity_algorithm", "SM3"), ("ipsec_pfs_dh_group", "DH-GROUP20")])
def test_unsupported_algorithm_is_a_plan_time_diagnostic(store, tmp_path, attr, value):
    p, _ = provider_on(store, tmp_path, dataplane="strongswan")
    d = p.validate("tencentcloud_vpn_connection", conn_config(p, **{attr: value}))
    assert [x.summary for x in d.errors] == ["Algorithm not supported by the dataplane"]
    assert d.errors[0].attribute_path == (attr,)
    assert value in d.errors[0].detail
    plain, _ = provider_on(store, tmp_path)  # the emulated cloud alone accepts it
    assert not plain.validate("tencentcloud_vpn_connection",
                              conn_config(plain, **{attr: value})).has_errors


def test_supported_and_invalid_values_add_no_dataplane_diagnostic(store, tmp_path):
    p, _ = provider_on(store, tmp_path, dataplane="strongswan")
    ok = conn_config(p, ike_proto_encry_algorithm="AES-CBC-128", ike_dh_group_name="GROUP24",
                     ipsec_pfs_dh_group="DH-GROUP14", ipsec_integrity_algorithm="SHA-256")
    assert not p.validate("tencentcloud_vpn_connection", ok).has_errors
    bad = p.validate("tencentcloud_vpn_connection",
                     conn_config(p, ike_proto_encry_algorithm="ROT13"))
    assert [x.summary for x in bad.errors] == ["Unsupported IKE encryption algorithm"]


# -- the emulator's hooks ---------------------------------------------------------------------------

class FakeDataplane:
    def __init__(self, fail_on=()):
        self.calls = []
        self.fail_on = fail_on

    def apply_action(self, records, action, params, result, region):
        self.calls.append(action)
        if action in self.fail_on:
            raise RealiseError("charon would not start")
        if action == "CreateVpnConnection":
            conn = records.object("vpnx", result["VpnConnection"]["VpnConnectionId"])
            if problems_of(conn):
                raise UnrealisableOption("; ".join(p.message for p in problems_of(conn)))

    def describe_result(self, store, action, result):
        if action == "DescribeVpnConnections":
            for c in result["VpnConnectionSet"]:
                c["NetStatus"] = "AVAILABLE"
        return result


def test_hooks_run_only_after_the_rules_passed(store):
    dp = FakeDataplane()
    svc = EmulatedVpcService(store, dataplane=dp)
    bad = svc.call("CreateVpc", {"VpcName": "v", "CidrBlock": "8.8.8.0/24"}, REGION)
    assert "Error" in bad and dp.calls == []
    good = svc.call("CreateVpc", {"VpcName": "v", "CidrBlock": "192.168.0.0/16"}, REGION)
    assert "Error" not in good and dp.calls == ["CreateVpc"]


def test_dataplane_failure_rolls_the_action_back(store):
    svc = EmulatedVpcService(store, dataplane=FakeDataplane(fail_on=("CreateVpc",)))
    body = svc.call("CreateVpc", {"VpcName": "v", "CidrBlock": "192.168.0.0/16"}, REGION)
    assert body["Error"]["Code"] == "FailedOperation"
    assert "charon would not start" in body["Error"]["Message"]
    assert svc.call("DescribeVpcs", {}, REGION)["TotalCount"] == 0


def test_unsupported_algorithm_at_apply_time_and_live_net_status(store):
    svc = EmulatedVpcService(store, dataplane=FakeDataplane())
    vpc = svc.call("CreateVpc", {"VpcName": "v", "CidrBlock": "192.168.0.0/16"},
                   REGION)["Vpc"]["VpcId"]
    gw = svc.call("CreateVpnGateway", {"VpcId": vpc, "VpnGatewayName": "g",
                                       "InternetMaxBandwidthOut": 5}, REGION)["VpnGateway"]
    cgw = svc.call("CreateCustomerGateway", {"CustomerGatewayName": "c",
                                             "IpAddress": "202.108.22.5"},
                   REGION)["CustomerGateway"]["CustomerGatewayId"]
    params = {"VpnGatewayId": gw["VpnGatewayId"], "CustomerGatewayId": cgw,
              "VpnConnectionName": "t", "PreShareKey": "k", "VpcId": vpc,
              "SecurityPolicyDatabases": [{"LocalCidrBlock": "192.168.1.0/24",
                                           "RemoteCidrBlock": ["10.0.1.0/24"]}]}
    bad = svc.call("CreateVpnConnection", {**params, "IKEOptionsSpecification": {
        "PropoEncryAlgorithm": "AES256GCM128"}}, REGION)
    assert bad["Error"]["Code"] == "InvalidParameterValue"
    assert "AES256GCM128" in bad["Error"]["Message"]
    assert svc.call("DescribeVpnConnections", {}, REGION)["TotalCount"] == 0
    assert "Error" not in svc.call("CreateVpnConnection", params, REGION)
    conns = svc.call("DescribeVpnConnections", {}, REGION)["VpnConnectionSet"]
    assert [c["NetStatus"] for c in conns] == ["AVAILABLE"]


def test_stored_connection_helper_matches_the_emulator_defaults():
    assert problems_of(stored_connection()) == []
