"""The tencentcloud resource types, one module each; ``RESOURCES`` maps type name → type."""

from __future__ import annotations

from . import (
               monitor_alarm_notice,
               monitor_alarm_policy,
               monitor_policy_binding_object,
               route_table,
               route_table_entry,
               subnet,
               vpc,
               vpn_connection,
               vpn_connection_reset,
               vpn_customer_gateway,
               vpn_customer_gateway_configuration_download,
               vpn_gateway,
               vpn_gateway_route,
)
from .base import ResourceType

RESOURCES: dict[str, ResourceType] = {
    m.RESOURCE.type_name: m.RESOURCE
    for m in (vpc, subnet, route_table, route_table_entry, vpn_gateway, vpn_customer_gateway,
              vpn_connection, vpn_gateway_route, vpn_customer_gateway_configuration_download,
              vpn_connection_reset, monitor_alarm_notice, monitor_alarm_policy,
              monitor_policy_binding_object)
}

__all__ = ["RESOURCES", "ResourceType"]
