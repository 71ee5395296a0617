"""The emulated services' actions, one module per kind of object (as ``resources/`` is).

``ACTIONS`` (the VPC service's) and ``MONITOR_ACTIONS`` (Cloud Monitor's) map an action name
to its ``request.Action``. A module is imported when one of its actions is first looked up,
so a process loads the kinds it calls and no others (a plan calls two or three of the
hundred: startup time, issue #14). ``MODULE_ACTIONS`` is the one list of which module
answers which action; a test checks it against each module's own ``ACTIONS`` table.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

# module -> the actions it answers (the VPC service's modules)
MODULE_ACTIONS: dict[str, tuple[str, ...]] = {
    "vpc": ("CreateVpc", "DescribeVpcs", "ModifyVpcAttribute", "DeleteVpc"),
    "subnet": ("CreateSubnet", "DescribeSubnets", "ModifySubnetAttribute", "DeleteSubnet",
               "ReplaceRouteTableAssociation"),
    "route_table": ("CreateRouteTable", "DescribeRouteTables", "ModifyRouteTableAttribute",
                    "DeleteRouteTable", "CreateRoutes", "DeleteRoutes", "EnableRoutes",
                    "DisableRoutes"),
    "vpn_gateway": ("CreateVpnGateway", "DescribeVpnGateways", "ModifyVpnGatewayAttribute",
                    "ResetVpnGatewayInternetMaxBandwidth", "RenewVpnGateway",
                    "SetVpnGatewaysRenewFlag", "DeleteVpnGateway",
                    "InquiryPriceCreateVpnGateway", "InquiryPriceRenewVpnGateway",
                    "InquiryPriceResetVpnGatewayInternetMaxBandwidth"),
    "customer_gateway": ("CreateCustomerGateway", "DescribeCustomerGateways",
                         "ModifyCustomerGatewayAttribute", "DeleteCustomerGateway",
                         "DescribeCustomerGatewayVendors"),
    "vpn_connection": ("CreateVpnConnection", "DescribeVpnConnections",
                       "ModifyVpnConnectionAttribute", "DeleteVpnConnection",
                       "DownloadCustomerGatewayConfiguration",
                       "GenerateVpnConnectionDefaultHealthCheckIp", "ResetVpnConnection"),
    "vpn_gateway_route": ("CreateVpnGatewayRoutes", "DescribeVpnGatewayRoutes",
                          "ModifyVpnGatewayRoutes", "DeleteVpnGatewayRoutes"),
    "tags": ("ModifyResourceTags",),
}
# module -> the actions it answers (Cloud Monitor's modules)
MONITOR_MODULE_ACTIONS: dict[str, tuple[str, ...]] = {
    "monitor": ("GetMonitorData", "DescribeBaseMetrics"),
    "alarms": ("CreateAlarmNotice", "ModifyAlarmNotice", "DescribeAlarmNotices",
               "DeleteAlarmNotices", "CreateAlarmPolicy", "DescribeAlarmPolicy",
               "DescribeAlarmPolicies", "ModifyAlarmPolicyCondition", "ModifyAlarmPolicyInfo",
               "ModifyAlarmPolicyStatus", "ModifyAlarmPolicyNotice", "DeleteAlarmPolicy",
               "BindingPolicyObject", "DescribeBindingPolicyObjectList",
               "UnBindingPolicyObject", "UnBindingAllPolicyObject", "DescribeAlarmHistories"),
}


class LazyActions(Mapping):
    """Action name -> Action, importing the action's module on its first lookup. Names,
    membership and length need no import."""

    def __init__(self, modules: dict[str, tuple[str, ...]]):
        self._module_of = {name: module for module, names in modules.items() for name in names}
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self._loaded.get(name)
        if found is None:
            module = importlib.import_module(f"{__name__}.{self._module_of[name]}")
            found = self._loaded[name] = module.ACTIONS[name]
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._module_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._module_of)

    def __len__(self) -> int:
        return len(self._module_of)


ACTIONS = LazyActions(MODULE_ACTIONS)
MONITOR_ACTIONS = LazyActions(MONITOR_MODULE_ACTIONS)
