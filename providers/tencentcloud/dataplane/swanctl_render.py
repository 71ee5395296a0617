"""The IDC side's swanctl.conf for one VPN connection (pure: no I/O).

What DownloadCustomerGatewayConfiguration returns for the ``strongswan`` vendor: a
complete file (``connections`` and ``secrets``) that a stock strongSwan loads with
``swanctl --load-all --file <file>``. It is the cloud side's connection mirrored (see
``proposals.connection``): local = the customer gateway's IP, remote = the VPN gateway's
public IP, local TS = the peer ranges, remote TS = the VPC ranges, same proposals.
"""

from __future__ import annotations

import base64
import re

from . import proposals

_PLAIN = re.compile(r"[A-Za-z0-9_.:/@%+*-]+")
_QUOTABLE = re.compile(r"[ !#$%&'()*+,\-./0-9:;<=>?@A-Z\[\]^_`a-z{|}~]*")


def _value(v: str) -> str:
    v = str(v)
    if _PLAIN.fullmatch(v):
        return v
    return '"' + v + '"'


def _secret(psk: str) -> str:
    # swanctl.conf strings cannot carry every character; 0s<base64> carries any PSK.
    if _QUOTABLE.fullmatch(psk) and psk and psk == psk.strip():
        return '"' + psk + '"'
    return "0s" + base64.b64encode(psk.encode()).decode()


def _section(name: str, body: dict, indent: int) -> list[str]:
    pad = "    " * indent
    lines = [f"{pad}{name} {{"]
    for key, val in body.items():
        if isinstance(val, dict):
            lines += _section(key, val, indent + 1)
        elif isinstance(val, list):
            lines.append(f"{pad}    {key} = {', '.join(_value(v) for v in val)}")
        else:
            lines.append(f"{pad}    {key} = {_value(val)}")
    lines.append(f"{pad}}}")
    return lines


def render(conn: dict, gateway: dict, customer_gateway: dict, *,
           start_action: str = "trap") -> str:
    """swanctl.conf text for the IDC device of ``conn`` (stored API objects)."""
    gw_ip = gateway["PublicIpAddress"]
    cgw_ip = customer_gateway.get("IpAddress") or conn["IKEOptionsSpecification"].get(
        "RemoteAddress", "")
    model = proposals.connection(conn, gateway_ip=gw_ip, customer_ip=cgw_ip, mirror=True,
                                 start_action=start_action)
    secret = proposals.shared_secret(conn, gateway_ip=gw_ip, customer_ip=cgw_ip)
    cid = conn["VpnConnectionId"]
    lines = [
        f"# swanctl.conf for the IDC side of VPN connection {cid} "
        f"({conn.get('VpnConnectionName', '')})",
        f"# cloud VPN gateway {gateway['VpnGatewayId']} at {gw_ip}; this device "
        f"(customer gateway {customer_gateway.get('CustomerGatewayId', '')}) at {cgw_ip}.",
        "# Load it with:  swanctl --load-all --file <this file>",
        "# It holds the pre-shared key: keep it private. With strongSwan's userspace IPsec",
        "# (kernel-libipsec) this host needs an address inside each local_ts range.",
        "",
        "connections {",
    ]
    for name, body in model.items():
        lines += _section(name, body, 1)
    lines += ["}", "", "secrets {", f"    ike-{cid} {{"]
    for i, owner in enumerate(secret["owners"], 1):
        lines.append(f"        id-{i} = {_value(owner)}")
    lines.append(f"        secret = {_secret(secret['data'])}")
    lines += ["    }", "}", ""]
    return "\n".join(lines)
