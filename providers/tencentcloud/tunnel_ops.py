"""Live operations on VPN connections (engine.providers.TunnelProvider): ping through a
tunnel from the VPC subnet's host, render the IDC device's configuration, and report the
tunnel's live state from the real dataplane."""

from __future__ import annotations

from typing import Any

from engine.diagnostics import Diagnostics
from engine.values import unmark

from .client import CloudError
from .resources.base import cloud_error_detail

CONNECTION = "tencentcloud_vpn_connection"


def tunnel_ping(workdir: str, value: dict, target: str | None,
                count: int) -> tuple[dict | None, Diagnostics]:
    d = Diagnostics()
    plain = unmark(value)[0]
    spd = plain.get("security_group_policy") or []
    locals_ = [p["local_cidr_block"] for p in spd if p.get("local_cidr_block")]
    remotes = [r for p in spd for r in (p.get("remote_cidr_block") or [])]
    if not locals_ or not remotes:
        d.error("Nothing to ping", "The tunnel has no SPD policy, so there is no peer range "
                "to ping. Add a security_group_policy block to the tunnel.")
        return None, d
    from .dataplane.measure import subnet_host
    host = subnet_host(workdir, locals_)
    if host is None:
        d.error("No VPC host to ping from",
                "No lab host sits in the tunnel's local range "
                f"({', '.join(locals_)}). Hosts exist only when the provider's dataplane is "
                '"strongswan" and a subnet inside that range exists. Set dataplane = '
                '"strongswan" in the provider block and create a subnet inside the range.')
        return None, d
    from providers.netlab.ns import Namespace, first_host
    result = Namespace(host["namespace"]).ping(target or first_host(remotes[0]), count)
    return {**result, "source": host.get("address")}, d


def tunnel_config(client, value: dict, vendor: str) -> tuple[str | None, Diagnostics]:
    from . import device_config  # the vendors' renderers: only for this verb (startup time)
    d = Diagnostics()
    found = device_config.by_name(vendor)
    if found is None:
        d.error("Unsupported vendor", f'There is no configuration template for vendor '
                f'"{vendor}". Use one of: {", ".join(v.key for v in device_config.VENDORS)}.')
        return None, d
    plain = unmark(value)[0]
    try:
        resp = client.call("DownloadCustomerGatewayConfiguration",
                           VpnGatewayId=plain["vpn_gateway_id"],
                           VpnConnectionId=plain["id"], CustomerGatewayVendor=found.api,
                           InterfaceName=found.interface)
    except CloudError as err:
        d.error("Cannot download the configuration", cloud_error_detail(err, []))
        return None, d
    return resp.get("CustomerGatewayConfiguration"), d


def describe(client, value: dict) -> dict | None:
    plain = unmark(value)[0]
    try:
        resp = client.call("DescribeVpnConnections", VpnConnectionIds=[plain["id"]])
    except CloudError:
        return None
    items: list[Any] = resp.get("VpnConnectionSet") or []
    return items[0] if items else None


def tunnel_status(workdir: str, client, value: dict) -> tuple[dict | None, Diagnostics]:
    """The tunnel's live state: from the active charon of its gateway when the dataplane
    is real, else what the cloud API reports."""
    d = Diagnostics()
    plain = unmark(value)[0]
    conn = describe(client, value)
    if conn is None:
        d.error("Tunnel not found", f"The cloud has no VPN connection {plain.get('id')}. Run "
                "vpnform plan to see the drift.")
        return None, d
    base = {"name": plain.get("name"), "id": plain.get("id"),
            "state": "ESTABLISHED" if conn.get("NetStatus") == "AVAILABLE" else "DOWN",
            "ike_version": ((conn.get("IKEOptionsSpecification") or {}).get("IKEVersion")
                            or "").replace("IKEV", "IKEv") or None,
            "local": None, "remote": None, "established_seconds": None,
            "algorithms": {}, "error": None, "children": []}
    try:
        from .dataplane import live_status
    except ImportError:
        base["error"] = ("no real dataplane: the emulated cloud reports only the API state "
                         "(set dataplane = \"strongswan\" in the provider block)")
        return base, d
    live = live_status(workdir, plain["vpn_gateway_id"], plain["id"])
    if live is None:
        base["error"] = ("no real dataplane for this gateway (dataplane = \"strongswan\" "
                         "in the provider block creates one)")
        return base, d
    return {**base, **live}, d


