"""Creates that lose their answer: every resource type hands its creation token to the cloud,
is found again by it, and is never made twice (issue #9, crash consistency)."""

import pytest
from tc_support import REGION

from engine import values as V
from engine.providers import ApplyRequest, PlanRequest
from providers.tencentcloud.client import CloudTransportError
from providers.tencentcloud.emulator.chaos import FAULTS_ENV, FaultRates
from providers.tencentcloud.provider import TencentCloudProvider
from providers.tencentcloud.resources.base import TOKEN_TAG

PSK = "recovery-test-psk-9f3k"


def _cgw2(tc, b):
    return tc.create("tencentcloud_vpn_customer_gateway", name="cgw2",
                     public_ip_address="202.108.22.9")["id"]


# type -> (create action, the lookup's Describe action, config of a new object, counter)
def _count(svc, action, set_key, **params):
    return len(svc.call(action, params, REGION)[set_key])


CASES = {
    "tencentcloud_vpc": (
        "CreateVpc", "DescribeVpcs",
        lambda tc, b: {"name": "v2", "cidr_block": "10.8.0.0/16"},
        lambda svc, b: _count(svc, "DescribeVpcs", "VpcSet", Limit=100)),
    "tencentcloud_subnet": (
        "CreateSubnet", "DescribeSubnets",
        lambda tc, b: {"vpc_id": b["vpc"]["id"], "name": "s2", "cidr_block": "192.168.2.0/24",
                       "availability_zone": "ap-guangzhou-3"},
        lambda svc, b: _count(svc, "DescribeSubnets", "SubnetSet", Limit=100)),
    "tencentcloud_route_table": (
        "CreateRouteTable", "DescribeRouteTables",
        lambda tc, b: {"vpc_id": b["vpc"]["id"], "name": "rt2"},
        lambda svc, b: _count(svc, "DescribeRouteTables", "RouteTableSet", Limit=100)),
    "tencentcloud_vpn_gateway": (
        "CreateVpnGateway", "DescribeVpnGateways",
        lambda tc, b: {"name": "gw2", "vpc_id": b["vpc"]["id"], "bandwidth": 5},
        lambda svc, b: _count(svc, "DescribeVpnGateways", "VpnGatewaySet", Limit=100)),
    "tencentcloud_vpn_customer_gateway": (
        "CreateCustomerGateway", "DescribeCustomerGateways",
        lambda tc, b: {"name": "cgw3", "public_ip_address": "202.108.22.7"},
        lambda svc, b: _count(svc, "DescribeCustomerGateways", "CustomerGatewaySet",
                              Limit=100)),
    "tencentcloud_vpn_connection": (
        "CreateVpnConnection", "DescribeVpnConnections",
        lambda tc, b: {"name": "conn2", "vpc_id": b["vpc"]["id"],
                       "vpn_gateway_id": b["gw"]["id"], "customer_gateway_id": _cgw2(tc, b),
                       "pre_share_key": V.Sensitive(PSK), "security_group_policy": [
                           {"local_cidr_block": "192.168.1.0/24",
                            "remote_cidr_block": ["10.0.2.0/24"]}]},
        lambda svc, b: _count(svc, "DescribeVpnConnections", "VpnConnectionSet", Limit=100)),
    "tencentcloud_route_table_entry": (
        "CreateRoutes", "DescribeRouteTables",
        lambda tc, b: {"route_table_id": b["rt"]["id"], "destination_cidr_block": "10.0.2.0/24",
                       "next_type": "VPN", "next_hub": b["gw"]["id"]},
        lambda svc, b: len(svc.call("DescribeRouteTables", {"RouteTableIds": [b["rt"]["id"]]},
                                    REGION)["RouteTableSet"][0]["RouteSet"])),
    "tencentcloud_vpn_gateway_route": (
        "CreateVpnGatewayRoutes", "DescribeVpnGatewayRoutes",
        lambda tc, b: {"vpn_gateway_id": b["gw"]["id"], "destination_cidr_block": "10.0.3.0/24",
                       "instance_type": "VPNCONN", "instance_id": b["conn"]["id"],
                       "priority": 100, "status": "ENABLE"},
        lambda svc, b: _count(svc, "DescribeVpnGatewayRoutes", "Routes",
                              VpnGatewayId=b["gw"]["id"])),
}


def _planned(tc, provider, type_name, values):
    cfg = tc.config(type_name, **values)
    res = provider.plan(PlanRequest(type_name, "x.y", None, cfg))
    assert not res.diagnostics.has_errors, list(res.diagnostics)
    return cfg, res.planned


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_a_create_whose_answer_is_lost_is_found_by_its_token(tc, provider, base, type_name):
    action, _, values, count = CASES[type_name]
    cfg, planned = _planned(tc, provider, type_name, values(tc, base))
    svc = provider.service
    before, sent = count(svc, base), len(svc.calls(action))
    svc.inject_fault(action, "ResponseLost")
    reported = []
    res = provider.apply(ApplyRequest(type_name, "x.y", None, planned, cfg,
                                      create_token="tok-lost-1", on_created=reported.append))
    assert not res.diagnostics.has_errors, list(res.diagnostics)
    assert count(svc, base) == before + 1  # made once, though its answer never came
    assert [v["id"] for v in reported] == [res.new["id"]]  # reported as soon as found
    assert len(svc.calls(action)) == sent + 1  # never sent twice
    if "tags" in provider.schema().resources[type_name].block.attributes:
        assert TOKEN_TAG not in (V.unmark(res.new)[0].get("tags") or {})


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_a_create_in_doubt_is_recovered_by_the_next_plan(tc, provider, base, type_name):
    action, lookup, values, count = CASES[type_name]
    cfg, planned = _planned(tc, provider, type_name, values(tc, base))
    svc = provider.service
    before = count(svc, base)
    svc.inject_fault(action, "ResponseLost")
    svc.inject_fault(lookup, "InternalError", count=50)  # and the lookup fails as well
    res = provider.apply(ApplyRequest(type_name, "x.y", None, planned, cfg,
                                      create_token="tok-doubt-1"))
    assert res.new is None and res.in_doubt
    [d] = res.diagnostics
    assert d.summary.startswith("Error creating") and "may exist" in d.detail
    assert PSK not in d.detail
    svc.clear_faults()
    assert count(svc, base) == before + 1
    found = provider.recover_create(type_name, "tok-doubt-1", V.unmark(planned)[0])
    assert not found.diagnostics, list(found.diagnostics)
    assert found.value is not None
    assert provider.read(type_name, found.value).value == found.value
    assert count(svc, base) == before + 1  # looking made nothing


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_a_create_that_made_nothing_is_not_found(tc, provider, base, type_name):
    action, _, values, _ = CASES[type_name]
    cfg, planned = _planned(tc, provider, type_name, values(tc, base))
    svc = provider.service
    svc.inject_fault(action, "InternalError", count=50)  # never carried out
    res = provider.apply(ApplyRequest(type_name, "x.y", None, planned, cfg,
                                      create_token="tok-none-1"))
    assert res.new is None and res.in_doubt  # a create that errs like this may have worked
    svc.clear_faults()
    found = provider.recover_create(type_name, "tok-none-1", V.unmark(planned)[0])
    assert found.value is None and not found.diagnostics


def test_a_transient_internal_error_on_a_read_is_retried(tc, provider, base):
    provider.service.inject_fault("DescribeVpnGateways", "InternalError", count=2)
    got = provider.read("tencentcloud_vpn_gateway", base["gw"])
    assert not got.diagnostics and got.value["id"] == base["gw"]["id"]


def test_a_lost_answer_to_a_delete_counts_as_done(tc, provider, base):
    provider.service.inject_fault("DeleteCustomerGateway", "ResponseLost")
    cgw = tc.create("tencentcloud_vpn_customer_gateway", name="gone",
                    public_ip_address="202.108.22.99")
    res = tc.delete("tencentcloud_vpn_customer_gateway", cgw)
    assert res.new is None and not res.diagnostics, list(res.diagnostics)
    assert provider.read("tencentcloud_vpn_customer_gateway", cgw).value is None


def test_faults_at_a_rate(tmp_path):
    assert not FaultRates.parse("").active
    rates = FaultRates.parse("internal=0.5, lost=0.25,latency=0.1:0.05,seed=7")
    assert rates.rates == {"internal": 0.5, "lost": 0.25, "latency": 0.1}
    assert rates.latency == 0.05
    rolls = [rates.roll() for _ in range(400)]
    errors = sum(r.error is not None for r in rolls)
    assert 150 < errors < 250  # about half
    assert all(r.error == ("InternalError", r.error[1]) for r in rolls if r.error)
    assert any(r.lost for r in rolls) and not any(r.lost and r.error for r in rolls)
    # The same seed, the same faults.
    again = FaultRates.parse("internal=0.5, lost=0.25,latency=0.1:0.05,seed=7")
    assert [again.roll() for _ in range(400)] == rolls
    for bad in ("internal", "boom=0.1", "lost=2", "latency=0.1:x", "seed=x"):
        with pytest.raises(ValueError, match=FAULTS_ENV):
            FaultRates.parse(bad)


def test_every_lost_answer_still_converges(tmp_path, monkeypatch):
    """With every other answer lost (and internal errors besides), creates still make
    exactly one object each."""
    monkeypatch.setenv(FAULTS_ENV, "lost=0.5,internal=0.2,seed=3")
    p = TencentCloudProvider(str(tmp_path))
    from providers.tencentcloud.client import RetryPolicy
    p.retry = RetryPolicy(attempts=8, base_delay=0.001, max_delay=0.002)
    assert not p.configure({"region": REGION})
    try:
        made = []
        for i in range(12):
            cfg = {n: None for n in p.schema().resources["tencentcloud_vpn_customer_gateway"]
                   .block.attributes}
            cfg.update(name=f"c{i}", public_ip_address=f"202.108.23.{i + 1}")
            planned = p.plan(PlanRequest("tencentcloud_vpn_customer_gateway", "c", None,
                                         cfg)).planned
            res = p.apply(ApplyRequest("tencentcloud_vpn_customer_gateway", "c", None,
                                       planned, cfg, create_token=f"tok-{i}"))
            if res.in_doubt:  # what the next plan does
                res.new = p.recover_create("tencentcloud_vpn_customer_gateway", f"tok-{i}",
                                           V.unmark(planned)[0]).value
            if res.new is not None:
                made.append(V.unmark(res.new)[0]["id"])
        monkeypatch.delenv(FAULTS_ENV)
        p.service.faults = FaultRates.parse("")
        listed = p.service.call("DescribeCustomerGateways", {"Limit": 100}, REGION)
        ids = sorted(g["CustomerGatewayId"] for g in listed["CustomerGatewaySet"])
        assert sorted(made) == ids  # nothing untracked, nothing twice
        assert len(ids) >= 10
    finally:
        p.close()


def test_a_bad_fault_setting_is_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.setenv(FAULTS_ENV, "lost=lots")
    p = TencentCloudProvider(str(tmp_path))
    [d] = p.configure({"region": REGION})
    assert d.summary == "Invalid fault injection setting" and "lost=lots" in d.detail
    assert f"Correct {FAULTS_ENV}" in d.detail


def test_the_transport_reports_a_lost_answer_as_no_answer(tmp_path, monkeypatch):
    monkeypatch.setenv(FAULTS_ENV, "lost=1")
    p = TencentCloudProvider(str(tmp_path))
    assert not p.configure({"region": REGION})
    try:
        with pytest.raises(CloudTransportError, match="lost"):
            p.cloud_context().client.call("CreateCustomerGateway", CustomerGatewayName="x",
                                          IpAddress="202.108.22.50")
        p.service.faults = FaultRates.parse("")
        listed = p.cloud_context().client.call("DescribeCustomerGateways")
        assert [g["CustomerGatewayName"] for g in listed["CustomerGatewaySet"]] == ["x"]
    finally:
        p.close()
