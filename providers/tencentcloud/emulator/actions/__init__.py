"""The emulated service's actions, one module per kind of object (as ``resources/`` is)."""

from __future__ import annotations

from . import (
    customer_gateway,
    route_table,
    subnet,
    tags,
    vpc,
    vpn_connection,
    vpn_gateway,
    vpn_gateway_route,
)

MODULES = (vpc, subnet, route_table, vpn_gateway, customer_gateway, vpn_connection,
           vpn_gateway_route, tags)

# action name -> its request model and handler
ACTIONS = {name: spec for m in MODULES for name, spec in m.ACTIONS.items()}
