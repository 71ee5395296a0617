"""A fresh account's default VPC, as the real cloud gives one: configurations that look it
up by name or with ``is_default`` plan and apply unchanged, and ``vpnform cloud`` finds it
through the ``is-default`` filter."""

from __future__ import annotations

import json

from cli import cloud, plan_summary, run, write_config

CONFIG = """
provider "tencentcloud" {
  region = "ap-guangzhou"
}

data "tencentcloud_vpc_instances" "by_name" {
  name = "Default-VPC"
}

data "tencentcloud_vpc_instances" "default" {
  is_default = true
}

data "tencentcloud_vpc_subnets" "default" {
  vpc_id     = data.tencentcloud_vpc_instances.default.instance_list[0].vpc_id
  is_default = true
}

resource "tencentcloud_subnet" "app" {
  vpc_id            = data.tencentcloud_vpc_instances.by_name.instance_list[0].vpc_id
  name              = "app"
  cidr_block        = "172.16.200.0/24"
  availability_zone = "ap-guangzhou-3"
}

output "same_vpc" {
  value = (data.tencentcloud_vpc_instances.by_name.instance_list[0].vpc_id
           == data.tencentcloud_vpc_instances.default.instance_list[0].vpc_id)
}

output "default_cidr" {
  value = data.tencentcloud_vpc_instances.default.instance_list[0].cidr_block
}

output "default_subnet_zones" {
  value = data.tencentcloud_vpc_subnets.default.instance_list[*].availability_zone
}
"""


def test_a_configuration_builds_in_the_default_vpc(tmp_path):
    write_config(tmp_path, CONFIG)
    res = run(tmp_path, "plan")
    assert res.code == 0, res
    assert plan_summary(res.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy.", res
    res = run(tmp_path, "apply", "-auto-approve")
    assert res.code == 0, res
    outputs = {k: v["value"] for k, v in json.loads(run(tmp_path, "output", "-json").stdout)
               .items()}
    assert outputs == {"same_vpc": True, "default_cidr": "172.16.0.0/16",
                       "default_subnet_zones": ["ap-guangzhou-3", "ap-guangzhou-4",
                                                "ap-guangzhou-6", "ap-guangzhou-7"]}
    [subnet] = cloud(tmp_path, kinds=["subnets"])["subnets"]  # the one made, not the defaults
    assert subnet["SubnetName"] == "app"
    assert run(tmp_path, "plan", "-detailed-exitcode").code == 0

    # (a bare `true` would be the JSON boolean, which a list of strings does not take)
    for value in ('"true"', "TRUE"):
        res = run(tmp_path, "cloud", "DescribeVpcs", "Filters.0.Name=is-default",
                  f"Filters.0.Values.0={value}")
        assert res.code == 0, res
        [vpc] = json.loads(res.stdout)["VpcSet"]
        assert (vpc["VpcName"], vpc["IsDefault"], vpc["VpcId"]) == ("Default-VPC", True,
                                                                     subnet["VpcId"])

    # destroy leaves the account's own default network alone
    res = run(tmp_path, "destroy", "-auto-approve")
    assert res.code == 0, res
    assert cloud(tmp_path, kinds=["subnets"]) == {"subnets": []}
    left = cloud(tmp_path, kinds=["vpcs", "subnets"], defaults=True)
    assert [v["VpcName"] for v in left["vpcs"]] == ["Default-VPC"]
    assert len(left["subnets"]) == 4
