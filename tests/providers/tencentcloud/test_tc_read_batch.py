"""``read_batch`` (issue #14): the objects of one type read together give what reading
each one gives, with one Describe call for the lot instead of one per object; an object
deleted behind vpnform's back reads as gone, as a single read says."""

from __future__ import annotations

from tc_support import BASE_PSK, REGION

from engine import values as V


def _describes(svc) -> dict:
    out: dict = {}
    for c in svc.calls():
        if c["action"].startswith("Describe"):
            out[c["action"]] = out.get(c["action"], 0) + 1
    return out


def _delta(before: dict, after: dict) -> dict:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _objects(tc, base, n=4):
    vpc, rt, gw = base["vpc"], base["rt"], base["gw"]
    cgws = [base["cgw"]] + [tc.create("tencentcloud_vpn_customer_gateway", name=f"c{i}",
                                      public_ip_address=f"202.108.23.{i + 1}")
                            for i in range(n - 1)]
    conns = [base["conn"]] + [
        tc.create("tencentcloud_vpn_connection", name=f"t{i}", vpc_id=vpc["id"],
                  vpn_gateway_id=gw["id"], customer_gateway_id=cgws[i]["id"],
                  pre_share_key=V.Sensitive(BASE_PSK), security_group_policy=[
                      {"local_cidr_block": "192.168.1.0/24",
                       "remote_cidr_block": [f"10.1.{i}.0/24"]}])
        for i in range(1, n)]
    subnets = [tc.create("tencentcloud_subnet", name=f"s{i}", vpc_id=vpc["id"],
                         cidr_block=f"192.168.{10 + i}.0/24", availability_zone=f"{REGION}-3")
               for i in range(n)]
    entries = [tc.create("tencentcloud_route_table_entry", route_table_id=rt["id"],
                         destination_cidr_block=f"10.2.{i}.0/24", next_type="VPN",
                         next_hub=gw["id"]) for i in range(n)]
    routes = [tc.create("tencentcloud_vpn_gateway_route", vpn_gateway_id=gw["id"],
                        destination_cidr_block=f"10.3.{i}.0/24", instance_type="VPNCONN",
                        instance_id=conns[i]["id"], priority=0, status="ENABLE")
              for i in range(n)]
    return {"tencentcloud_vpn_customer_gateway": cgws, "tencentcloud_vpn_connection": conns,
            "tencentcloud_subnet": subnets, "tencentcloud_route_table_entry": entries,
            "tencentcloud_vpn_gateway_route": routes}


def test_a_batch_reads_what_single_reads_read_in_fewer_calls(tc, provider, base):
    svc = provider.service
    for type_name, objs in _objects(tc, base).items():
        singles = [provider.read(type_name, o) for o in objs]
        assert all(not r.diagnostics and r.value is not None for r in singles), type_name
        before = _describes(svc)
        batch = provider.read_batch(type_name, objs)
        calls = _delta(before, _describes(svc))
        assert [r.value for r in batch] == [r.value for r in singles], type_name
        assert all(not r.diagnostics for r in batch)
        # one Describe per kind of object the reads need, not one per object
        assert all(n == 1 for n in calls.values()), (type_name, calls)
        assert sum(calls.values()) < len(objs), (type_name, calls)


def test_an_object_deleted_out_of_band_reads_as_gone_in_a_batch(tc, provider, base):
    svc = provider.service
    objs = _objects(tc, base)
    subnets = objs["tencentcloud_subnet"]
    svc.call("DeleteSubnet", {"SubnetId": subnets[1]["id"]}, REGION)
    got = provider.read_batch("tencentcloud_subnet", subnets)
    assert [r.value is None for r in got] == [False, True, False, False]
    assert not any(r.diagnostics for r in got)
    assert [r.value["id"] for r in got if r.value] == [s["id"] for i, s in enumerate(subnets)
                                                        if i != 1]

    routes = objs["tencentcloud_vpn_gateway_route"]
    rid = routes[2]["id"].split("#", 1)[1]
    svc.call("DeleteVpnGatewayRoutes", {"VpnGatewayId": base["gw"]["id"], "RouteIds": [rid]},
             REGION)
    got = provider.read_batch("tencentcloud_vpn_gateway_route", routes)
    assert [r.value is None for r in got] == [False, False, True, False]


def test_a_batch_sees_a_change_made_out_of_band(tc, provider, base):
    svc = provider.service
    cgws = _objects(tc, base)["tencentcloud_vpn_customer_gateway"]
    svc.call("ModifyCustomerGatewayAttribute", {"CustomerGatewayId": cgws[2]["id"],
                                                "CustomerGatewayName": "renamed"}, REGION)
    got = provider.read_batch("tencentcloud_vpn_customer_gateway", cgws)
    assert [r.value["name"] for r in got] == ["cgw", "c0", "renamed", "c2"]


def test_the_embedded_emulator_says_its_reads_wait_only_when_made_to(provider, monkeypatch):
    """reads_wait() (the refresh reads in parallel only when it is True): the embedded
    emulator answers in this process, unless a read latency or faults are injected."""
    assert provider.reads_wait() is False
    monkeypatch.setenv("VPNFORM_EMULATOR_READ_LATENCY", "0.05")
    assert provider.reads_wait() is True
    monkeypatch.delenv("VPNFORM_EMULATOR_READ_LATENCY")
    assert provider.reads_wait() is False
