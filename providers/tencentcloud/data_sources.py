"""Data sources: ``tencentcloud_vpn_customer_gateway_vendors`` and ``tencentcloud_vpn_gateways``."""

from __future__ import annotations

import json
import os
from typing import Callable

from engine import values as V
from engine.schema import Block, ResourceSchema

from .resources.base import Context, computed, known, optional, tags_from_api

RESULT_OUTPUT_FILE = optional(V.STRING, description="Write the result as JSON to this file.")

VENDOR = V.ObjectType({"platform": V.STRING, "software_version": V.STRING,
                       "vendor_name": V.STRING})
GATEWAY = V.ObjectType({
    "id": V.STRING, "name": V.STRING, "public_ip_address": V.STRING, "vpc_id": V.STRING,
    "bandwidth": V.NUMBER, "type": V.STRING, "charge_type": V.STRING,
    "prepaid_renew_flag": V.STRING, "zone": V.STRING, "state": V.STRING,
    "expired_time": V.STRING, "is_address_blocked": V.BOOL, "new_purchase_plan": V.STRING,
    "restrict_state": V.STRING, "create_time": V.STRING, "tags": V.MapType(V.STRING)})

SCHEMAS = {
    "tencentcloud_vpn_customer_gateway_vendors": ResourceSchema(Block(attributes={
        "id": computed(V.STRING),
        "result_output_file": RESULT_OUTPUT_FILE,
        "customer_gateway_vendor_set": computed(V.ListType(VENDOR)),
    })),
    "tencentcloud_vpn_gateways": ResourceSchema(Block(attributes={
        "id": optional(V.STRING),
        "name": optional(V.STRING),
        "public_ip_address": optional(V.STRING),
        "zone": optional(V.STRING),
        "vpc_id": optional(V.STRING),
        "tags": optional(V.MapType(V.STRING)),
        "result_output_file": RESULT_OUTPUT_FILE,
        "gateway_list": computed(V.ListType(GATEWAY)),
    })),
}


def _vendors(ctx: Context, config: dict) -> dict:
    items = ctx.client.call("DescribeCustomerGatewayVendors").get("CustomerGatewayVendorSet") or []
    out = [{"platform": v["Platform"], "software_version": v["SoftwareVersion"],
            "vendor_name": v["VendorName"]} for v in items]
    return {**config, "id": "vendors-" + ctx.region, "customer_gateway_vendor_set": out}


def _gateways(ctx: Context, config: dict) -> dict:
    filters = []
    for attr, name in (("id", "vpn-gateway-id"), ("name", "vpn-gateway-name"),
                       ("public_ip_address", "public-ip-address"), ("zone", "zone"),
                       ("vpc_id", "vpc-id")):
        if known(config.get(attr)):
            filters.append({"Name": name, "Values": [config[attr]]})
    for k, v in (known(config.get("tags")) or {}).items():
        filters.append({"Name": f"tag:{k}", "Values": [str(v)]})
    items = ctx.client.describe_all("DescribeVpnGateways", "VpnGatewaySet",
                                    Filters=filters or None)
    out = [{"id": g["VpnGatewayId"], "name": g["VpnGatewayName"],
            "public_ip_address": g.get("PublicIpAddress", ""), "vpc_id": g.get("VpcId", ""),
            "bandwidth": g.get("InternetMaxBandwidthOut"), "type": g.get("Type", ""),
            "charge_type": g.get("InstanceChargeType", ""),
            "prepaid_renew_flag": g.get("RenewFlag", ""), "zone": g.get("Zone", ""),
            "state": g.get("State", ""), "expired_time": g.get("ExpiredTime", ""),
            "is_address_blocked": bool(g.get("IsAddressBlocked")),
            "new_purchase_plan": g.get("NewPurchasePlan", ""),
            "restrict_state": g.get("RestrictState", ""), "create_time": g.get("CreatedTime", ""),
            "tags": tags_from_api(g.get("TagSet"), {})} for g in items]
    return {**config, "gateway_list": out}


READERS: dict[str, Callable[[Context, dict], dict]] = {
    "tencentcloud_vpn_customer_gateway_vendors": _vendors,
    "tencentcloud_vpn_gateways": _gateways,
}


def read_data_source(ctx: Context, type_name: str, config: dict, workdir: str) -> dict:
    result = READERS[type_name](ctx, config)
    path = known(config.get("result_output_file"))
    if path:
        key = ("customer_gateway_vendor_set" if type_name.endswith("vendors") else "gateway_list")
        full = path if os.path.isabs(path) else os.path.join(workdir, path)
        with open(full, "w", encoding="utf-8") as f:
            json.dump(result[key], f, indent=2)
    return result
