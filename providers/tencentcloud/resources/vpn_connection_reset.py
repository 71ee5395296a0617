"""``tencentcloud_vpn_connection_reset``: an action as a resource, as the public provider
has it: creating it resets the tunnel once (ResetVpnConnection: its SAs are torn down and
renegotiated by the next traffic); deleting it does nothing in the cloud."""

from __future__ import annotations

from engine import values as V
from engine.schema import Block

from .base import ID, Context, ResourceType, describe_one, required


class VpnConnectionReset(ResourceType):
    type_name = "tencentcloud_vpn_connection_reset"
    noun = "VPN connection reset"
    block = Block(attributes={
        "id": ID,
        "vpn_gateway_id": required(V.STRING, force_new=True),
        "vpn_connection_id": required(V.STRING, force_new=True),
    })

    @staticmethod
    def _id(planned: dict) -> str:
        return f"{planned['vpn_gateway_id']}#{planned['vpn_connection_id']}"

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        ctx.client.call("ResetVpnConnection", VpnGatewayId=planned["vpn_gateway_id"],
                        VpnConnectionId=planned["vpn_connection_id"])
        return self._id(planned)

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        # A reset leaves nothing to find; one that may not have happened is not repeated.
        return self._id(planned)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        conn = describe_one(ctx, "DescribeVpnConnections", "VpnConnectionIds",
                            "VpnConnectionSet", prior["vpn_connection_id"])
        return None if conn is None else {**prior, "id": self._id(prior)}

    def delete_object(self, ctx: Context, prior: dict) -> None:
        """Nothing in the cloud to delete: a reset only leaves state."""


RESOURCE = VpnConnectionReset()
