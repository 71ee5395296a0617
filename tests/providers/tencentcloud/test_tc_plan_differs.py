"""What the provider's plan counts as a change of one attribute."""

from __future__ import annotations

import math

from engine import values as V
from providers.tencentcloud.resources.base import differs


def test_equal_values_do_not_differ_and_a_type_change_does():
    assert not differs("a", "a") and not differs(5, 5) and not differs(None, None)
    assert differs("a", "b") and differs(5, 6) and differs(None, "")
    assert differs(True, 1) and differs(1, 1.0)
    assert not differs(math.nan, math.nan)  # the same value written twice


def test_sets_unknowns_and_marks():
    assert not differs(["b", "a"], ["a", "b"])
    assert not differs(V.UNKNOWN, V.UNKNOWN) and differs(V.UNKNOWN, "x")
    assert not differs(V.Sensitive("k"), "k")
    assert differs(V.Sensitive(True), V.Sensitive(1))


def test_a_vpc_plan_keeps_what_did_not_change_and_replaces_on_a_new_cidr():
    from providers.tencentcloud.resources.vpc import RESOURCE as VPC

    prior = {"id": "vpc-12345678", "name": "a", "cidr_block": "10.0.0.0/16",
             "dns_servers": ["8.8.8.8", "1.1.1.1"], "is_multicast": False,
             "assistant_cidrs": [], "enable_route_vpc_publish": False,
             "enable_route_vpc_publish_ipv6": False, "tags": None,
             "docker_assistant_cidrs": [], "is_default": False, "create_time": "t",
             "default_route_table_id": "rtb-12345678"}
    config = {"name": "a", "cidr_block": "10.0.0.0/16", "dns_servers": ["1.1.1.1", "8.8.8.8"],
              "tags": None}
    same = VPC.plan(prior, config)
    assert same.planned == prior and not same.requires_replace
    computed_only = ["id", "docker_assistant_cidrs", "is_default", "create_time",
                     "default_route_table_id"]
    assert list(same.planned) == [n for n in VPC.block.attributes
                                  if n not in computed_only] + computed_only
    renamed = VPC.plan(prior, dict(config, name="b"))
    assert renamed.planned["name"] == "b" and renamed.planned["id"] == "vpc-12345678"
    assert renamed.planned["dns_servers"] == ["8.8.8.8", "1.1.1.1"]  # the cloud's order kept
    moved = VPC.plan(prior, dict(config, cidr_block="10.1.0.0/16"))
    assert moved.requires_replace == [("cidr_block",)]
    assert V.is_unknown(moved.planned["id"]) and V.is_unknown(moved.planned["is_multicast"])
    assert moved.planned["dns_servers"] == ["1.1.1.1", "8.8.8.8"]  # as configured
    new = VPC.plan(None, config)
    assert V.is_unknown(new.planned["create_time"]) and new.planned["name"] == "a"
