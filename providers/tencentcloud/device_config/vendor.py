"""What every vendor renderer shares: its descriptor, and the refusals (an algorithm, a
lifetime, a key the vendor cannot express) worded once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .model import Tunnel, UnsupportedChoice


@dataclass(frozen=True)
class Vendor:
    key: str  # the name `vpnform tunnel config -vendor=` takes, e.g. "cisco-ios"
    title: str  # how refusals name it, e.g. "Cisco IOS"
    vendor_name: str  # DescribeCustomerGatewayVendors' VendorName
    platform: str
    software_version: str
    interface: str  # its usual outside interface, the InterfaceName `tunnel config` sends
    render: Callable[[Tunnel], str]

    @property
    def api(self) -> dict:
        """The vendor as DescribeCustomerGatewayVendors lists it."""
        return {"Platform": self.platform, "SoftwareVersion": self.software_version,
                "VendorName": self.vendor_name}


def pick(table: dict[str, str], value: str, option: str, title: str,
         shown: str | None = None) -> str:
    """``table[value]``, or a refusal naming the option, the value and the vendor, with the
    values the vendor does take."""
    if value in table:
        return table[value]
    choices = ", ".join(table)
    raise UnsupportedChoice(f"{title} has no {option} {shown or value}; choose one of: "
                            f"{choices}.")


def check_range(value: int, lo: int, hi: int, option: str, title: str,
                unit: str = "s") -> int:
    if lo <= value <= hi:
        return value
    raise UnsupportedChoice(f"{title} takes an {option} of {lo}–{hi} {unit}, not {value} "
                            f"{unit}; choose a value in that range.")


def refuse(title: str, what: str, instead: str) -> UnsupportedChoice:
    return UnsupportedChoice(f"{title} cannot {what}; {instead}.")


_CLI_SAFE = re.compile(r"[!#-&(-~]+")  # printable ASCII without space, quotes


def cli_psk(t: Tunnel, title: str) -> str:
    """The pre-shared key, when it can stand as one word on the vendor's command line."""
    if _CLI_SAFE.fullmatch(t.psk) and "?" not in t.psk:
        return t.psk
    raise UnsupportedChoice(
        f"The pre-shared key of {t.connection_id} holds a space, a quote, a question mark "
        f"or a non-ASCII character, which {title} cannot take on its command line; choose "
        "a key of letters, digits and other printable characters.")


def header(t: Tunnel, title: str, comment: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Provenance lines, written as the vendor's comment lines."""
    lines = [f"Tencent Cloud VPN connection {t.connection_id} ({t.connection_name}) for "
             f"{title}",
             f"cloud VPN gateway {t.gateway_id} at {t.peer_ip}; this device (customer "
             f"gateway {t.customer_gateway_id}) at {t.local_ip}",
             f"IKEv{t.ike_version}, {len(t.pairs)} SPD pair(s). It holds the pre-shared key: "
             "keep it private.", *extra]
    return [f"{comment} {line}" for line in lines] + [comment]


def is_aead(encryption: str) -> bool:
    """AES-GCM: encryption and integrity in one, so no separate integrity transform."""
    return "GCM" in encryption


def require_ikev2_for_aead(t: Tunnel, title: str) -> None:
    if t.ike_version == 1 and is_aead(t.ike.encryption):
        raise refuse(title, f"use IKE encryption algorithm {t.ike.encryption} with IKEv1 "
                            "(AES-GCM exists there for ESP only)",
                     "choose IKEv2 or an AES-CBC algorithm")


def saved_config(lines: list[str]) -> str:
    """VRP/Comware text as the device saves it: each top-level view closed by ``quit`` and
    followed by a ``#`` separator line."""
    out = []
    for line in lines:
        out.append(line)
        if line == " quit":
            out.append("#")
    return "\n".join(out) + "\n"
