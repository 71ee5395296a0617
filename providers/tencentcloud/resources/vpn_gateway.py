"""``tencentcloud_vpn_gateway``: the cloud-side IPsec endpoint in a VPC."""

from __future__ import annotations

import time

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block

from .. import rules
from .base import (
    Context,
    ID,
    ResourceType,
    TAGS,
    changed,
    check,
    computed,
    describe_lasting,
    describe_one,
    differs,
    find_by_token,
    keep_null,
    known,
    name_check,
    num,
    optional,
    refuse_on,
    required,
    tags_from_api,
    tags_to_api,
    update_tags,
)

def describe_gateway(ctx: Context, id: str) -> dict | None:
    return describe_one(ctx, "DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet", id)


def lasting_gateway(ctx: Context, id: str) -> dict | None:
    """The gateway, for its type and public IP only (fixed once it is AVAILABLE)."""
    return describe_lasting(ctx, "DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet", id,
                            lambda g: g.get("State") == "AVAILABLE")


class VpnGateway(ResourceType):
    type_name = "tencentcloud_vpn_gateway"
    noun = "VPN gateway"
    describe_by_id = ("DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet",
                      "VpnGatewayId")
    block = Block(attributes={
        "id": ID,
        "name": required(V.STRING),
        "vpc_id": optional(V.STRING, force_new=True),
        "bandwidth": optional(V.NUMBER, default=rules.DEFAULT_BANDWIDTH),
        "type": optional(V.STRING, computed=True),
        "charge_type": optional(V.STRING, default="POSTPAID_BY_HOUR"),
        "prepaid_period": optional(V.NUMBER, default=1),
        "prepaid_renew_flag": optional(V.STRING, default="NOTIFY_AND_AUTO_RENEW"),
        "zone": optional(V.STRING, computed=True, force_new=True),
        "cdc_id": optional(V.STRING, computed=True),
        "max_connection": optional(V.NUMBER, computed=True),
        "bgp_asn": optional(V.NUMBER),
        "tags": TAGS,
        "public_ip_address": computed(V.STRING),
        "state": computed(V.STRING),
        "expired_time": computed(V.STRING),
        "is_address_blocked": computed(V.BOOL),
        "new_purchase_plan": computed(V.STRING),
        "restrict_state": computed(V.STRING),
        "create_time": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "VPN gateway name")
        check(d, rules.check_bandwidth(num(config.get("bandwidth"))), "Unsupported bandwidth",
              ("bandwidth",))
        gtype = known(config.get("type"))
        check(d, rules.check_enum(gtype, rules.GATEWAY_TYPES, "Gateway type"),
              "Unsupported gateway type", ("type",))
        check(d, rules.check_enum(known(config.get("charge_type")), rules.CHARGE_TYPES,
                                  "Charge type"), "Unsupported charge type", ("charge_type",))
        check(d, rules.check_enum(num(config.get("prepaid_period")), rules.PREPAID_PERIODS,
                                  "Prepaid period (months)"), "Unsupported prepaid period",
              ("prepaid_period",))
        check(d, rules.check_enum(known(config.get("prepaid_renew_flag")), rules.RENEW_FLAGS,
                                  "Renew flag"), "Unsupported renew flag", ("prepaid_renew_flag",))
        check(d, rules.check_enum(num(config.get("max_connection")), rules.MAX_CONNECTIONS,
                                  "Maximum connections"), "Unsupported maximum connections",
              ("max_connection",))
        check(d, rules.check_bgp_asn(num(config.get("bgp_asn"))), "Invalid BGP ASN", ("bgp_asn",))
        vpc = config.get("vpc_id")
        if not V.is_unknown(config.get("type")) and not V.is_unknown(vpc):
            for v in rules.check_gateway_vpc(gtype, vpc is not None):
                summary = ("Missing required argument" if v.code == rules.GATEWAY_VPC_MISSING
                           else "Conflicting configuration arguments")
                check(d, [v], summary, ("vpc_id",))
        return d

    def plan_checks(self, prior: dict, planned: dict) -> Diagnostics:
        d = Diagnostics()
        check(d, rules.check_bandwidth_reset(num(prior.get("bandwidth")),
                                             num(planned.get("bandwidth"))),
              "Unsupported bandwidth change", ("bandwidth",))
        for name in ("type", "cdc_id", "max_connection"):
            if prior.get(name) is not None and differs(planned.get(name), prior.get(name)):
                d.error("Unsupported change", f"The {name} argument of an existing VPN "
                        f"gateway cannot change (from {prior.get(name)!r} to "
                        f"{planned.get(name)!r}). Keep the old value or create a new gateway.",
                        path=(name,))
        check(d, rules.check_charge_type_change(prior.get("charge_type") or None,
                                                known(planned.get("charge_type")) or None),
              "Unsupported change", ("charge_type",))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        charge = known(planned.get("charge_type")) or "POSTPAID_BY_HOUR"
        prepaid = None
        if charge == "PREPAID":
            prepaid = {"Period": num(planned.get("prepaid_period")) or 1,
                       "RenewFlag": known(planned.get("prepaid_renew_flag"))
                       or "NOTIFY_AND_AUTO_RENEW"}
        body = ctx.client.call(
            "CreateVpnGateway", VpcId=known(planned.get("vpc_id")),
            VpnGatewayName=planned["name"],
            InternetMaxBandwidthOut=num(planned.get("bandwidth")) or rules.DEFAULT_BANDWIDTH,
            InstanceChargeType=charge, InstanceChargePrepaid=prepaid,
            Zone=known(planned.get("zone")), Type=known(planned.get("type")),
            CdcId=known(planned.get("cdc_id")) or None,
            MaxConnection=num(planned.get("max_connection")) or None,
            BgpAsn=num(planned.get("bgp_asn")), Tags=tags_to_api(known(planned.get("tags")), token))
        gw = body["VpnGateway"]
        # the wait for AVAILABLE starts from the answer (most often PENDING still)
        ctx.keep_fresh("DescribeVpnGateways", gw["VpnGatewayId"], gw)
        return gw["VpnGatewayId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        # DescribeVpnGateways has no tag filter: narrow by name, match the TagSet.
        return find_by_token(ctx, "DescribeVpnGateways", "VpnGatewaySet", "VpnGatewayId", token,
                             [{"Name": "vpn-gateway-name", "Values": [planned["name"]]}])

    def after_create(self, ctx: Context, id: str, planned: dict) -> None:
        g = ctx.wait_for(f"VPN gateway {id} to become AVAILABLE",
                         lambda: describe_gateway(ctx, id),
                         lambda g: g is not None and g.get("State") == "AVAILABLE")
        ctx.keep_fresh("DescribeVpnGateways", id, g)  # the read-back's answer
        ctx.keep_lasting("DescribeVpnGateways", id, g)  # its tunnels' (type, public IP)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        g = describe_gateway(ctx, prior["id"])
        if g is None:
            return None
        prepaid = g.get("InstanceChargeType") == "PREPAID"
        return {
            "id": g["VpnGatewayId"], "name": g["VpnGatewayName"],
            "vpc_id": keep_null(prior.get("vpc_id"), g.get("VpcId")),
            "bandwidth": g.get("InternetMaxBandwidthOut"), "type": g.get("Type"),
            "charge_type": g.get("InstanceChargeType"),
            "prepaid_period": prior.get("prepaid_period"),
            "prepaid_renew_flag": (g.get("RenewFlag") or prior.get("prepaid_renew_flag")) if prepaid
            else prior.get("prepaid_renew_flag"),
            "zone": g.get("Zone"), "cdc_id": g.get("CdcId", ""),
            "max_connection": g.get("MaxConnection", 0),
            "bgp_asn": keep_null(prior.get("bgp_asn"), g.get("BgpAsn")),
            "tags": tags_from_api(g.get("TagSet"), prior.get("tags")),
            "public_ip_address": g.get("PublicIpAddress", ""), "state": g.get("State", ""),
            "expired_time": g.get("ExpiredTime", ""),
            "is_address_blocked": bool(g.get("IsAddressBlocked")),
            "new_purchase_plan": g.get("NewPurchasePlan", ""),
            "restrict_state": g.get("RestrictState", ""),
            "create_time": g.get("CreatedTime", ""),
        }

    def import_prior(self, id: str) -> dict:
        return {**super().import_prior(id), "prepaid_period": 1}

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        gid = prior["id"]
        prepaid = prior.get("charge_type") == "PREPAID"
        if prepaid and changed(prior, planned, "prepaid_period"):
            ctx.client.call("RenewVpnGateway", VpnGatewayId=gid,
                            InstanceChargePrepaid={"Period": num(planned.get("prepaid_period"))})
        if prepaid and changed(prior, planned, "prepaid_renew_flag"):
            flag = {name: n for n, name in rules.AUTO_RENEW_FLAGS.items()}[
                planned["prepaid_renew_flag"]]
            ctx.client.call("SetVpnGatewaysRenewFlag", VpnGatewayIds=[gid], AutoRenewFlag=flag)
        if changed(prior, planned, "name", "charge_type", "bgp_asn"):
            charge = (known(planned.get("charge_type"))
                      if changed(prior, planned, "charge_type") else None)
            ctx.client.call("ModifyVpnGatewayAttribute", VpnGatewayId=gid,
                            VpnGatewayName=planned["name"], InstanceChargeType=charge,
                            BgpAsn=num(planned.get("bgp_asn")))
        if changed(prior, planned, "bandwidth"):
            ctx.client.call("ResetVpnGatewayInternetMaxBandwidth", VpnGatewayId=gid,
                            InternetMaxBandwidthOut=num(planned.get("bandwidth")))
        update_tags(ctx, "vpngw", gid, prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        gid = prior["id"]
        g = describe_gateway(ctx, gid)
        if g is None:
            return
        conns = ctx.client.call("DescribeVpnConnections", Filters=[
            {"Name": "vpn-gateway-id", "Values": [gid]}]).get("VpnConnectionSet") or []
        refuse_on(rules.check_gateway_deletable(gid, g.get("InstanceChargeType"),
                                                g.get("ExpiredTime"),
                                                time.strftime("%Y-%m-%d %H:%M:%S"))
                  + rules.check_no_tunnels("VPN gateway", gid,
                                           [c["VpnConnectionId"] for c in conns]))
        ctx.client.call("DeleteVpnGateway", VpnGatewayId=gid)
        self.wait_gone(ctx, f"VPN gateway {gid}", lambda: describe_gateway(ctx, gid))


RESOURCE = VpnGateway()
