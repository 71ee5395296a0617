"""The IDC device's configuration for a VPN connection, per vendor: one vendor-neutral
model of the tunnel (model.py) and one renderer module per vendor, listed here in the order
DescribeCustomerGatewayVendors lists them."""

from __future__ import annotations

from . import (cisco_asa, cisco_ios, fortigate, h3c, huawei, juniper_srx, libreswan, paloalto,
               strongswan)
from .model import Tunnel, UnsupportedChoice, tunnel
from .vendor import Vendor

VENDORS: tuple[Vendor, ...] = (
    h3c.VENDOR, cisco_ios.VENDOR, huawei.VENDOR, fortigate.VENDOR, juniper_srx.VENDOR,
    strongswan.VENDOR, cisco_asa.VENDOR, paloalto.VENDOR, libreswan.VENDOR)

__all__ = ["VENDORS", "Tunnel", "UnsupportedChoice", "Vendor", "by_api", "by_name", "render",
           "tunnel"]


def by_api(spec: dict) -> Vendor | None:
    """The vendor DescribeCustomerGatewayVendors lists as ``spec`` (exact match)."""
    return next((v for v in VENDORS if v.api == spec), None)


def by_name(name: str) -> Vendor | None:
    """The vendor a user names: its key (``cisco-asa``), or a VendorName that only one
    vendor has (``juniper``)."""
    name = name.lower()
    for v in VENDORS:
        if v.key == name:
            return v
    named = [v for v in VENDORS if v.vendor_name == name]
    return named[0] if len(named) == 1 else None


def render(vendor: Vendor, gateway: dict, customer_gateway: dict, conn: dict,
           interface: str = "") -> str:
    """The device configuration of ``conn`` (stored API objects) for ``vendor``. Raises
    UnsupportedChoice naming what the vendor cannot express."""
    return vendor.render(tunnel(gateway, customer_gateway, conn, interface))
