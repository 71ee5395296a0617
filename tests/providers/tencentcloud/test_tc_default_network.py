"""A fresh account's default network: each known region has Default-VPC with a default
subnet per zone and its route table, made once per store, deletable for good."""

from __future__ import annotations

import threading

from tc_support import REGION, Api

from providers.tencentcloud import rules
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore

IS_DEFAULT = [{"Name": "is-default", "Values": ["true"]}]


def test_a_fresh_region_has_the_default_vpc_subnets_and_route_table(api):
    [vpc] = api.ok("DescribeVpcs", Filters=IS_DEFAULT)["VpcSet"]
    assert (vpc["VpcName"], vpc["CidrBlock"], vpc["IsDefault"]) == (
        "Default-VPC", "172.16.0.0/16", True)
    subnets = api.ok("DescribeSubnets", Filters=IS_DEFAULT)["SubnetSet"]
    zones = rules.zones(REGION)
    assert [s["Zone"] for s in subnets] == zones
    assert [s["CidrBlock"] for s in subnets] == [f"172.16.{16 * i}.0/20"
                                                for i in range(len(zones))]
    assert {s["VpcId"] for s in subnets} == {vpc["VpcId"]}
    assert all(s["IsDefault"] for s in subnets)
    [rtb] = api.ok("DescribeRouteTables", Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTableSet"]
    assert rtb["Main"] and {s["RouteTableId"] for s in subnets} == {rtb["RouteTableId"]}
    # the name finds it too, as configurations look it up
    found = api.ok("DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["Default-VPC"]}])
    assert [v["VpcId"] for v in found["VpcSet"]] == [vpc["VpcId"]]


def test_each_region_has_its_own_and_a_first_write_comes_after_it(svc):
    made = Api(svc, "ap-beijing").ok("CreateVpc", VpcName="mine", CidrBlock="10.0.0.0/16")["Vpc"]
    vpcs = Api(svc, "ap-beijing").ok("DescribeVpcs")["VpcSet"]
    assert [(v["VpcName"], v["IsDefault"]) for v in vpcs] == [("Default-VPC", True),
                                                             ("mine", False)]
    assert vpcs[1]["VpcId"] == made["VpcId"]
    subnets = Api(svc, "ap-beijing").ok("DescribeSubnets", Limit=100)
    assert subnets["TotalCount"] == len(rules.zones("ap-beijing")) == 7
    [other] = Api(svc, "ap-shanghai").ok("DescribeVpcs")["VpcSet"]
    assert other["IsDefault"] and other["VpcId"] != vpcs[0]["VpcId"]


def test_the_default_vpc_can_be_deleted_and_stays_deleted(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    api = Api(EmulatedVpcService(store))
    try:
        [vpc] = api.ok("DescribeVpcs")["VpcSet"]
        assert api.err("DeleteVpc", VpcId=vpc["VpcId"]) == "ResourceInUse"  # its subnets
        for s in api.ok("DescribeSubnets", Limit=100)["SubnetSet"]:
            api.ok("DeleteSubnet", SubnetId=s["SubnetId"])
        api.ok("DeleteVpc", VpcId=vpc["VpcId"])
        assert api.ok("DescribeVpcs")["TotalCount"] == 0
    finally:
        store.close()
    # another process opening the same cloud later does not make it again
    store = SqliteStore.for_workdir(tmp_path)
    try:
        again = Api(EmulatedVpcService(store))
        assert again.ok("DescribeVpcs")["TotalCount"] == 0
        assert again.ok("DescribeRouteTables")["TotalCount"] == 0
        again.ok("CreateVpc", VpcName="after", CidrBlock="10.0.0.0/16")
        assert [v["VpcName"] for v in again.ok("DescribeVpcs")["VpcSet"]] == ["after"]
    finally:
        store.close()


def test_an_unknown_region_has_no_default_vpc_and_still_works(api):
    odd = Api(api.service, "xx-nowhere")
    assert odd.ok("DescribeVpcs")["TotalCount"] == 0
    odd.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")
    assert [v["VpcName"] for v in odd.ok("DescribeVpcs")["VpcSet"]] == ["v"]


def test_concurrent_first_calls_make_one_default_vpc(tmp_path):
    """Threads and separate stores (as separate processes) racing on a fresh region."""
    stores = [SqliteStore.for_workdir(tmp_path) for _ in range(3)]
    services = [EmulatedVpcService(s) for s in stores]
    errors: list = []

    def first_calls(svc: EmulatedVpcService) -> None:
        for action in ("DescribeVpcs", "DescribeSubnets", "DescribeRouteTables"):
            body = svc.call(action, {}, "ap-tokyo")
            if "Error" in body:
                errors.append(body)

    try:
        threads = [threading.Thread(target=first_calls, args=(svc,))
                   for svc in services for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        tokyo = Api(services[0], "ap-tokyo")
        assert tokyo.ok("DescribeVpcs")["TotalCount"] == 1
        assert tokyo.ok("DescribeSubnets")["TotalCount"] == len(rules.zones("ap-tokyo"))
        assert tokyo.ok("DescribeRouteTables")["TotalCount"] == 1
    finally:
        for s in stores:
            s.close()
