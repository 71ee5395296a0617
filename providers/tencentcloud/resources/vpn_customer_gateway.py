"""``tencentcloud_vpn_customer_gateway``: the record of the IDC's IPsec device."""

from __future__ import annotations

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


def describe_customer_gateway(ctx: Context, id: str) -> dict | None:
    return describe_one(ctx, "DescribeCustomerGateways", "CustomerGatewayIds",
                        "CustomerGatewaySet", id)


def lasting_customer_gateway(ctx: Context, id: str) -> dict | None:
    """The customer gateway, for its address only (which it keeps for its life)."""
    return describe_lasting(ctx, "DescribeCustomerGateways", "CustomerGatewayIds",
                            "CustomerGatewaySet", id, lambda g: True)


class VpnCustomerGateway(ResourceType):
    type_name = "tencentcloud_vpn_customer_gateway"
    noun = "customer gateway"
    describe_by_id = ("DescribeCustomerGateways", "CustomerGatewayIds",
                      "CustomerGatewaySet", "CustomerGatewayId")
    block = Block(attributes={
        "id": ID,
        "name": required(V.STRING),
        "public_ip_address": required(V.STRING, force_new=True),
        "bgp_asn": optional(V.NUMBER),
        "tags": TAGS,
        "create_time": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "customer gateway name")
        check(d, rules.check_customer_gateway_ip(known(config.get("public_ip_address"))),
              "Invalid customer gateway address", ("public_ip_address",))
        check(d, rules.check_bgp_asn(num(config.get("bgp_asn")), customer=True),
              "Invalid BGP ASN", ("bgp_asn",))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        body = ctx.client.call("CreateCustomerGateway", CustomerGatewayName=planned["name"],
                               IpAddress=planned["public_ip_address"],
                               BgpAsn=num(planned.get("bgp_asn")),
                               Tags=tags_to_api(known(planned.get("tags")), token))
        g = body["CustomerGateway"]
        ctx.keep_fresh("DescribeCustomerGateways", g["CustomerGatewayId"], g)  # the read-back
        ctx.keep_lasting("DescribeCustomerGateways", g["CustomerGatewayId"], g)  # its tunnels'
        return g["CustomerGatewayId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        # DescribeCustomerGateways has no tag filter: narrow by name, match the TagSet.
        return find_by_token(ctx, "DescribeCustomerGateways", "CustomerGatewaySet",
                             "CustomerGatewayId", token, [
                                 {"Name": "customer-gateway-name", "Values": [planned["name"]]}])

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        g = describe_customer_gateway(ctx, prior["id"])
        if g is None:
            return None
        return {
            "id": g["CustomerGatewayId"], "name": g["CustomerGatewayName"],
            "public_ip_address": g["IpAddress"],
            "bgp_asn": keep_null(prior.get("bgp_asn"), g.get("BgpAsn")),
            "tags": tags_from_api(g.get("TagSet"), prior.get("tags")),
            "create_time": g.get("CreatedTime", ""),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "name", "bgp_asn"):
            ctx.client.call("ModifyCustomerGatewayAttribute", CustomerGatewayId=prior["id"],
                            CustomerGatewayName=planned["name"], BgpAsn=num(planned.get("bgp_asn")))
        update_tags(ctx, "cgw", prior["id"], prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        cid = prior["id"]
        conns = ctx.client.call("DescribeVpnConnections", Filters=[
            {"Name": "customer-gateway-id", "Values": [cid]}]).get("VpnConnectionSet") or []
        refuse_on(rules.check_no_tunnels("customer gateway", cid,
                                         [c["VpnConnectionId"] for c in conns]))
        ctx.client.call("DeleteCustomerGateway", CustomerGatewayId=cid)
        self.wait_gone(ctx, f"customer gateway {cid}", lambda: describe_customer_gateway(ctx, cid))


RESOURCE = VpnCustomerGateway()
