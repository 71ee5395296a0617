"""``tencentcloud_vpn_customer_gateway_configuration_download``: the IDC device's
configuration of a tunnel for one vendor, downloaded once at create (as the public provider
does) and kept in state as a sensitive value: it holds the pre-shared key."""

from __future__ import annotations

from engine import values as V
from engine.schema import Attribute, Block, NestedBlock

from .base import ID, Context, ResourceType, describe_one, first, known, required

VENDOR_BLOCK = NestedBlock(Block(attributes={
    "platform": required(V.STRING),
    "software_version": required(V.STRING),
    "vendor_name": required(V.STRING),
}), min_items=1, max_items=1, force_new=True)


class VpnCustomerGatewayConfigurationDownload(ResourceType):
    type_name = "tencentcloud_vpn_customer_gateway_configuration_download"
    noun = "customer gateway configuration"
    block = Block(attributes={
        "id": ID,
        "vpn_gateway_id": required(V.STRING, force_new=True),
        "vpn_connection_id": required(V.STRING, force_new=True),
        "interface_name": required(V.STRING, force_new=True),
        "customer_gateway_configuration": Attribute(
            V.STRING, computed=True, sensitive=True,
            description="The device configuration text; it holds the pre-shared key."),
    }, block_types={"customer_gateway_vendor": VENDOR_BLOCK})

    @staticmethod
    def _id(planned: dict) -> str:
        return f"{planned['vpn_gateway_id']}#{planned['vpn_connection_id']}"

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        return self._id(planned)  # the download happens in read_object: it has no side effect

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        return self._id(planned)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        conn_id = prior["vpn_connection_id"]
        if describe_one(ctx, "DescribeVpnConnections", "VpnConnectionIds", "VpnConnectionSet",
                        conn_id) is None:
            return None
        text = known(prior.get("customer_gateway_configuration"))
        if not text:
            vendor = first(prior.get("customer_gateway_vendor")) or {}
            text = ctx.client.call(
                "DownloadCustomerGatewayConfiguration", VpnGatewayId=prior["vpn_gateway_id"],
                VpnConnectionId=conn_id, InterfaceName=prior["interface_name"],
                CustomerGatewayVendor={"Platform": vendor.get("platform"),
                                       "SoftwareVersion": vendor.get("software_version"),
                                       "VendorName": vendor.get("vendor_name")},
            )["CustomerGatewayConfiguration"]
        return {**prior, "customer_gateway_configuration": text}

    def delete_object(self, ctx: Context, prior: dict) -> None:
        """Nothing in the cloud to delete: the download only leaves state."""


RESOURCE = VpnCustomerGatewayConfigurationDownload()
