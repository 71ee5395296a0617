"""The emulated VPC/VPN service: API 3.0 actions over the SQLite store.

``EmulatedVpcService(store).call(action, params, region)`` is the single entry and returns
exactly what the cloud puts inside ``Response``: the action's outputs plus ``RequestId``,
or ``{"Error": {"Code", "Message"}, "RequestId"}``. The product rules come from
``providers.tencentcloud.rules`` so plan-time checks and the service agree.

Environment (read at every call, so a test or benchmark may change it at any time):

- ``VPNFORM_EMULATOR_DELAY_SCALE`` (default 1): multiplies the simulated provisioning
  delays (a VPN gateway or connection is PENDING for ``gateway_delay`` /
  ``connection_delay`` seconds after its creation); 0 makes objects ready at once.
- ``VPNFORM_EMULATOR_READ_LATENCY`` (seconds, default 0): every ``Describe*`` action
  sleeps this long before it is carried out, as a round trip to a real API would take.
  The sleep holds no lock, so concurrent reads (the refresh's threads) overlap as they
  would against the real cloud; writes are not delayed by it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import re
import string
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from .. import rules
from . import defaults
from .chaos import FAULTS_ENV, LOST, FaultRates, ResponseLost
from .store import SqliteStore, Tx

DELAY_SCALE_ENV = "VPNFORM_EMULATOR_DELAY_SCALE"
READ_LATENCY_ENV = "VPNFORM_EMULATOR_READ_LATENCY"
# Actions that only read: carried out in a snapshot, beside other reads.
READ_ACTION_PREFIXES = ("Describe", "Inquiry", "Download")
PUBLIC_IP_POOL = ipaddress.IPv4Network("198.18.0.0/15")
NEVER = "0000-00-00 00:00:00"

# kind -> id prefix
PREFIX = {"vpc": "vpc", "subnet": "subnet", "rtb": "rtb", "vpngw": "vpngw", "cgw": "cgw",
          "vpnx": "vpnx", "vpnr": "vpnr"}
NOUN = {"vpc": "VPC", "subnet": "subnet", "rtb": "route table", "vpngw": "VPN gateway",
        "cgw": "customer gateway", "vpnx": "VPN connection", "vpnr": "VPN gateway route"}

VENDORS = [
    {"Platform": "comware", "SoftwareVersion": "V1.0", "VendorName": "h3c"},
    {"Platform": "ios", "SoftwareVersion": "V15.4", "VendorName": "cisco"},
    {"Platform": "vrp", "SoftwareVersion": "V5.1", "VendorName": "huawei"},
    {"Platform": "fortios", "SoftwareVersion": "V5.6", "VendorName": "fortinet"},
    {"Platform": "junos", "SoftwareVersion": "V12.1", "VendorName": "juniper"},
    {"Platform": "strongswan", "SoftwareVersion": "5.9", "VendorName": "strongswan"},
]

GATEWAY_QUOTAS = [
    {"Bandwidth": 5, "Cname": "mini", "Name": "mini"},
    {"Bandwidth": 10, "Cname": "small", "Name": "small"},
    {"Bandwidth": 20, "Cname": "middle", "Name": "middle"},
    {"Bandwidth": 50, "Cname": "large", "Name": "large"},
    {"Bandwidth": 100, "Cname": "superLarge", "Name": "superLarge"},
]

IKE_DEFAULTS = {"PropoEncryAlgorithm": "3DES-CBC", "PropoAuthenAlgorithm": "MD5",
                "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
                "LocalAddress": "", "RemoteAddress": "", "LocalFqdnName": "",
                "RemoteFqdnName": "", "DhGroupName": "GROUP1", "IKESaLifetimeSeconds": 86400,
                "IKEVersion": "IKEV1"}
IPSEC_DEFAULTS = {"EncryptAlgorithm": "3DES-CBC", "IntegrityAlgorith": "MD5",
                  "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "NULL",
                  "IPSECSaLifetimeTraffic": 1843200}
HEALTH_CHECK_DEFAULTS = {"ProbeType": "NQA", "ProbeInterval": 5000, "ProbeThreshold": 3,
                         "ProbeTimeout": 5000}


# Describe filters answered through an indexed lookup before the generic filtering.
INDEXED_FILTERS = {("vpnx", "vpn-gateway-id"): "VpnGatewayId",
                   ("vpnx", "customer-gateway-id"): "CustomerGatewayId"}


class ApiError(Exception):
    """An error the service answers with (code and message as the cloud sends them)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _violations(vs: list[rules.Violation]) -> None:
    if vs:
        raise ApiError(vs[0].code, vs[0].message)


# --- parameter decoding ---------------------------------------------------------------------

def _missing(name: str) -> ApiError:
    return ApiError("MissingParameter", f"The request is missing the required parameter `{name}`.")


def _str(p: dict, name: str, required: bool = False, default: str | None = None) -> Any:
    v = p.get(name)
    if v is None:
        if required:
            raise _missing(name)
        return default
    if not isinstance(v, str):
        raise ApiError("InvalidParameter", f"The parameter `{name}` must be a string.")
    return v


def _int(p: dict, name: str, required: bool = False, default: int | None = None) -> Any:
    v = p.get(name)
    if v is None:
        if required:
            raise _missing(name)
        return default
    if isinstance(v, bool):
        raise ApiError("InvalidParameter", f"The parameter `{name}` must be an integer.")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
        return int(v.strip())
    raise ApiError("InvalidParameter", f"The parameter `{name}` must be an integer, not {v!r}.")


def _bool(p: dict, name: str, default: bool | None = None) -> Any:
    v = p.get(name)
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    raise ApiError("InvalidParameter", f"The parameter `{name}` must be a boolean.")


def _str_list(p: dict, name: str, required: bool = False) -> list[str]:
    v = p.get(name)
    if v is None:
        if required:
            raise _missing(name)
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ApiError("InvalidParameter", f"The parameter `{name}` must be a list of strings.")
    return v


def _obj(p: dict, name: str, required: bool = False) -> dict | None:
    v = p.get(name)
    if v is None:
        if required:
            raise _missing(name)
        return None
    if not isinstance(v, dict):
        raise ApiError("InvalidParameter", f"The parameter `{name}` must be an object.")
    return v


def _obj_list(p: dict, name: str, required: bool = False) -> list[dict]:
    v = p.get(name)
    if v is None:
        if required:
            raise _missing(name)
        return []
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise ApiError("InvalidParameter", f"The parameter `{name}` must be a list of objects.")
    return v


def _tags(p: dict, name: str = "Tags") -> list[dict]:
    out = []
    for t in _obj_list(p, name):
        key = _str(t, "Key", required=True)
        out.append({"Key": key, "Value": _str(t, "Value", default="")})
    return out


@dataclass
class Filter:
    name: str
    values: list[str]


def _filters(p: dict) -> list[Filter]:
    raw = p.get("Filters")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError("InvalidParameter.FilterNotDict", "`Filters` must be a list of filters.")
    out = []
    for f in raw:
        if not isinstance(f, dict) or not isinstance(f.get("Name"), str):
            raise ApiError("InvalidParameter.FilterNotDict",
                           "Each filter must be an object with `Name` and `Values`.")
        values = f.get("Values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ApiError("InvalidParameter.FilterValuesNotList",
                           f"The `Values` of filter `{f['Name']}` must be a list of strings.")
        out.append(Filter(f["Name"], values))
    return out


def _tag_match(view: dict, f: Filter) -> bool | None:
    tags = {t["Key"]: t.get("Value", "") for t in view.get("TagSet") or []}
    if f.name == "tag-key":
        return any(v in tags for v in f.values)
    if f.name.startswith("tag:"):
        key = f.name[4:]
        return key in tags and tags[key] in f.values
    return None


def _bool_str(b: Any) -> str:
    return "TRUE" if b else "FALSE"


# filter name -> (view -> value(s)), optional fuzzy flag
FilterSpec = dict


# --- the service --------------------------------------------------------------------------------

@dataclass
class _Action:
    handler: Callable
    params: frozenset


class EmulatedVpcService:
    """The emulated VPC service of one store. Thread-safe; processes sharing the store file
    see each other's writes."""

    def __init__(self, store: SqliteStore, *, gateway_delay: float = 0.3,
                 connection_delay: float = 0.2, delay_scale: float | None = None,
                 clock: Callable[[], float] = time.time, dataplane: Any = None,
                 read_latency: float | None = None, faults: FaultRates | None = None):
        self.store = store
        # The real network behind the objects (tencentcloud.dataplane.Dataplane), or None.
        self.dataplane = dataplane
        self.gateway_delay = gateway_delay
        self.connection_delay = connection_delay
        self.delay_scale = delay_scale
        # Seconds every Describe* waits (None: $VPNFORM_EMULATOR_READ_LATENCY, else 0).
        self.read_latency = read_latency
        self.clock = clock
        # Faults at a rate (chaos.py): given, or from $VPNFORM_EMULATOR_FAULTS (a bad value
        # raises ValueError here, so the caller can report it before any call).
        self.faults = faults if faults is not None else FaultRates.parse(
            os.environ.get(FAULTS_ENV))
        self._actions: dict[str, _Action] = {}
        self._register()

    @classmethod
    def for_workdir(cls, workdir: str | os.PathLike, **kw: Any) -> "EmulatedVpcService":
        return cls(SqliteStore.for_workdir(workdir), **kw)

    # public API ------------------------------------------------------------------------------
    @property
    def actions(self) -> list[str]:
        return sorted(self._actions)

    @classmethod
    def action_names(cls) -> list[str]:
        """Every action the service answers, without opening a store."""
        probe = cls.__new__(cls)
        probe._register()
        return probe.actions

    def call(self, action: str, params: dict | None, region: str) -> dict:
        request_id = str(uuid.uuid4())
        params = dict(params or {})
        params_json = json.dumps(params, sort_keys=True)
        roll = self.faults.roll()
        latency = roll.delay + (self._read_latency() if action.startswith("Describe") else 0.0)
        if latency > 0:
            time.sleep(latency)  # before any transaction: concurrent calls overlap
        outcome = None
        if action.startswith(READ_ACTION_PREFIXES):
            # A read runs beside other reads, unless it must write: an armed fault to take,
            # or the region's default network still to create.
            with self.store.snapshot() as tx:
                if not tx.faults_armed(action) and defaults.is_ready(self.store, tx, region):
                    outcome = self._carry_out(tx, action, params, params_json, region, roll,
                                              write=False)
            if outcome is not None:
                self.store.log_later(action, region, _redacted(params), outcome[0])
        if outcome is None:
            with self.store.transaction() as tx:
                defaults.ensure(self.store, tx, region, self._handle)
                outcome = self._carry_out(tx, action, params, params_json, region, roll,
                                          write=True)
                tx.log_call(action, region, _redacted(params), outcome[0])
            defaults.remember(self.store, region)
        code, result, lost = outcome
        if lost and code is None:
            # Carried out and committed; the caller never hears of it.
            raise ResponseLost(f"The answer to {action} (RequestId {request_id}) was lost.")
        if self.dataplane is not None and code is None:
            result = self.dataplane.describe_result(self.store, action, result)
        return {**result, "RequestId": request_id}

    def _carry_out(self, tx: Tx, action: str, params: dict, params_json: str, region: str,
                   roll: Any, *, write: bool) -> tuple[str | None, dict, bool]:
        """One action in ``tx``: (error code or None, result, whether its answer is lost).
        ``write``: ``tx`` is a write transaction (armed faults are taken, the dataplane
        realises the action); otherwise a snapshot, with no fault armed for ``action``."""
        lost = roll.lost
        try:
            fault = tx.take_fault(action, region, params_json) if write else None
            if fault is not None and fault[0] == LOST:
                lost = True
            elif fault is not None:
                raise ApiError(*fault)
            if roll.error is not None:
                raise ApiError(*roll.error)
            spec = self._actions.get(action)
            if spec is None:
                raise ApiError("InvalidAction", f"The action `{action}` does not exist.")
            unknown = sorted(set(params) - spec.params)
            if unknown:
                raise ApiError("UnknownParameter",
                               f"The parameter `{unknown[0]}` is not defined for `{action}`.")
            if not write:
                return None, spec.handler(tx, params, region), lost
            with tx.savepoint():
                result = spec.handler(tx, params, region)
                if self.dataplane is not None:
                    # After the emulator's own rules passed; a failure rolls back.
                    self._realise(tx, action, params, result, region)
            return None, result, lost
        except ApiError as e:
            return e.code, {"Error": {"Code": e.code, "Message": e.message}}, lost
        except Exception as e:  # a bug in the emulator: report it as the cloud would
            message = f"Internal error: {type(e).__name__}: {e}"
            return "InternalError", {"Error": {"Code": "InternalError", "Message": message}}, lost

    def _handle(self, tx: Tx, action: str, params: dict, region: str) -> dict:
        """Run ``action``'s handler in ``tx`` (no faults, no log, no dataplane)."""
        return self._actions[action].handler(tx, params, region)

    def attach_dataplane(self, dataplane: Any) -> None:
        """Make the objects real from now on (see providers.tencentcloud.dataplane)."""
        self.dataplane = dataplane

    def _realise(self, tx: Tx, action: str, params: dict, result: dict, region: str) -> None:
        from ..dataplane import DataplaneError
        from ..dataplane.proposals import ProposalError
        try:
            self.dataplane.apply_action(tx, action, params, result, region)
        except ProposalError as e:
            raise ApiError("InvalidParameterValue", str(e)) from None
        except DataplaneError as e:
            raise ApiError("FailedOperation", f"The strongSwan dataplane could not carry out "
                           f"{action}: {str(e).rstrip('.')}.") from None

    def inject_fault(self, action: str, code: str, message: str | None = None, *,
                     count: int = 1, match: str | None = None, region: str | None = None) -> None:
        """Make the next ``count`` calls of ``action`` fail with ``code`` (``ResponseLost``: be
        carried out, but lose the answer). ``match``: only calls
        whose params, as ``json.dumps(params, sort_keys=True)``, contain this substring;
        ``region``: only calls in that region. Stored in the database, so any process using
        the same store sees it."""
        with self.store.transaction() as tx:
            tx.add_fault(action, code, message or f"Injected fault: {code}.", count, match, region)

    def clear_faults(self) -> None:
        with self.store.transaction() as tx:
            tx.clear_faults()

    def pending_faults(self) -> list[dict]:
        with self.store.transaction() as tx:
            return tx.pending_faults()

    def calls(self, action: str | None = None) -> list[dict]:
        """The recorded calls (action, region, params with PreShareKey redacted, error_code)."""
        self.store.flush_log(peers=True)
        with self.store.snapshot() as tx:
            return tx.calls(action)

    # helpers ---------------------------------------------------------------------------------
    def _scale(self) -> float:
        if self.delay_scale is not None:
            return self.delay_scale
        try:
            return float(os.environ.get(DELAY_SCALE_ENV, "1"))
        except ValueError:
            return 1.0

    def _read_latency(self) -> float:
        if self.read_latency is not None:
            return self.read_latency
        try:
            return max(0.0, float(os.environ.get(READ_LATENCY_ENV) or 0))
        except ValueError:
            return 0.0

    def _now(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock()))

    def _ready(self, obj: dict) -> bool:
        return self.clock() >= obj.get("_ready_at", 0)

    @staticmethod
    def _new_id(tx: Tx, kind: str) -> str:
        while True:
            candidate = PREFIX[kind] + "-" + _rand8()
            if not tx.id_exists(candidate):
                return candidate

    @staticmethod
    def _check_id(kind: str, value: str) -> None:
        if not re.fullmatch(PREFIX[kind] + r"-[a-z0-9]{8}", value):
            code = {"vpc": "InvalidVpcId.Malformed", "vpngw": "InvalidVpnGatewayId.Malformed"}.get(
                kind, "InvalidParameterValue.Malformed")
            raise ApiError(code, f"{value!r} is not a valid {NOUN[kind]} ID.")

    def _get(self, tx: Tx, kind: str, id: str, region: str) -> dict:
        self._check_id(kind, id)
        obj = tx.get(kind, id, region)
        if obj is None:
            raise ApiError("ResourceNotFound",
                           f"The {NOUN[kind]} {id} does not exist in region {region}.")
        return obj

    def _describe(self, tx: Tx, p: dict, region: str, kind: str, ids_param: str | None,
                  set_key: str, view: Callable[[dict], dict], spec: FilterSpec,
                  fuzzy: tuple = (), objects: list[dict] | None = None,
                  max_filters: int | None = None) -> dict:
        ids = _str_list(p, ids_param) if ids_param else []
        filters = _filters(p)
        if ids and filters:
            raise ApiError("InvalidParameter.Coexist",
                           f"`{ids_param}` and `Filters` cannot be given together.")
        if max_filters is not None and (len(filters) > max_filters
                                        or any(len(f.values) > 5 for f in filters)):
            raise ApiError("InvalidParameterValue.LimitExceeded",
                           f"At most {max_filters} filters with 5 values each are allowed.")
        if len(ids) > 100:
            raise ApiError("InvalidParameterValue.LimitExceeded",
                           f"At most 100 IDs may be given in `{ids_param}`.")
        offset = _int(p, "Offset", default=0)
        limit = _int(p, "Limit", default=20)
        if offset < 0 or limit < 0:
            raise ApiError("InvalidParameterValue.Range",
                           "`Offset` and `Limit` must not be negative.")
        if limit > 100:
            raise ApiError("InvalidParameterValue.LimitExceeded", "`Limit` must be at most 100.")
        for f in filters:
            if f.name not in spec and not f.name.startswith("tag:") and f.name != "tag-key":
                raise ApiError("InvalidParameter.FilterInvalidKey",
                               f"The filter name `{f.name}` is not supported.")
        if ids:
            objs = [self._get(tx, kind, i, region) for i in ids]
        elif objects is None:
            indexed = next(((INDEXED_FILTERS[(kind, f.name)], f.values) for f in filters
                            if (kind, f.name) in INDEXED_FILTERS), None)
            # The store's vpc_id column holds every object's non-empty VpcId: a vpc-id
            # filter narrows through its index (the filters below still apply).
            in_vpcs = next((f.values for f in filters
                            if f.name == "vpc-id" and all(f.values)), None)
            if indexed:
                objs = tx.list_by(kind, indexed[0], indexed[1], region)
            elif in_vpcs is not None:
                objs = tx.list(kind, region, vpc_id=list(in_vpcs))
            else:
                objs = tx.list(kind, region)
        else:
            objs = objects
        views = [view(o) for o in objs]
        for f in filters:
            views = [v for v in views if self._matches(v, f, spec, fuzzy)]
        return {"TotalCount": len(views), set_key: views[offset:offset + limit]}

    @staticmethod
    def _matches(view: dict, f: Filter, spec: FilterSpec, fuzzy: tuple) -> bool:
        tag = _tag_match(view, f)
        if tag is not None:
            return tag
        got = spec[f.name](view)
        got = [str(g) for g in (got if isinstance(got, list) else [got])]
        if got and set(got) <= {"TRUE", "FALSE"}:  # a boolean: the cloud takes true or TRUE
            return any(want.upper() in got for want in f.values)
        if f.name in fuzzy:
            return any(want in g for want in f.values for g in got)
        return any(want in got for want in f.values)

    # registration ----------------------------------------------------------------------------
    def _register(self) -> None:
        common = ("Tags",)
        desc = ("Filters", "Offset", "Limit")
        table = {
            "CreateVpc": (self._create_vpc, ("VpcName", "CidrBlock", "DnsServers", "DomainName",
                                             "EnableMulticast", "EnableRouteVpcPublish",
                                             "EnableRouteVpcPublishIpv6") + common),
            "DescribeVpcs": (self._describe_vpcs, ("VpcIds",) + desc),
            "ModifyVpcAttribute": (self._modify_vpc, ("VpcId", "VpcName", "EnableMulticast",
                                                      "DnsServers", "DomainName",
                                                      "EnableCdcPublish")),
            "DeleteVpc": (self._delete_vpc, ("VpcId",)),
            "CreateSubnet": (self._create_subnet, ("VpcId", "SubnetName", "CidrBlock", "Zone",
                                                   "CdcId") + common),
            "DescribeSubnets": (self._describe_subnets, ("SubnetIds",) + desc),
            "ModifySubnetAttribute": (self._modify_subnet, ("SubnetId", "SubnetName",
                                                            "EnableBroadcast")),
            "DeleteSubnet": (self._delete_subnet, ("SubnetId",)),
            "ReplaceRouteTableAssociation": (self._replace_association,
                                             ("SubnetId", "RouteTableId")),
            "CreateRouteTable": (self._create_route_table, ("VpcId", "RouteTableName") + common),
            "DescribeRouteTables": (self._describe_route_tables,
                                    ("RouteTableIds", "NeedRouterInfo") + desc),
            "ModifyRouteTableAttribute": (self._modify_route_table,
                                          ("RouteTableId", "RouteTableName")),
            "DeleteRouteTable": (self._delete_route_table, ("RouteTableId",)),
            "CreateRoutes": (self._create_routes, ("RouteTableId", "Routes")),
            "DeleteRoutes": (self._delete_routes, ("RouteTableId", "Routes")),
            "EnableRoutes": (self._enable_routes, ("RouteTableId", "RouteIds", "RouteItemIds")),
            "DisableRoutes": (self._disable_routes, ("RouteTableId", "RouteIds", "RouteItemIds")),
            "CreateVpnGateway": (self._create_vpn_gateway,
                                 ("VpcId", "VpnGatewayName", "InternetMaxBandwidthOut",
                                  "InstanceChargeType", "InstanceChargePrepaid", "Zone", "Type",
                                  "CdcId", "MaxConnection", "BgpAsn", "IsPrivate", "SubnetId",
                                  "BgpEnable", "IpStack", "AccessSubnet") + common),
            "DescribeVpnGateways": (self._describe_vpn_gateways, ("VpnGatewayIds",) + desc),
            "ModifyVpnGatewayAttribute": (self._modify_vpn_gateway,
                                          ("VpnGatewayId", "VpnGatewayName", "InstanceChargeType",
                                           "BgpAsn", "MaxConnection")),
            "ResetVpnGatewayInternetMaxBandwidth": (self._reset_bandwidth,
                                                    ("VpnGatewayId", "InternetMaxBandwidthOut")),
            "RenewVpnGateway": (self._renew_vpn_gateway,
                                ("VpnGatewayId", "InstanceChargePrepaid")),
            "SetVpnGatewaysRenewFlag": (self._set_renew_flag,
                                        ("VpnGatewayIds", "AutoRenewFlag", "Type")),
            "DeleteVpnGateway": (self._delete_vpn_gateway, ("VpnGatewayId",)),
            "InquiryPriceCreateVpnGateway": (self._inquiry_price,
                                             ("InternetMaxBandwidthOut", "InstanceChargeType",
                                              "InstanceChargePrepaid", "MaxConnection", "Type")),
            "CreateCustomerGateway": (self._create_cgw, ("CustomerGatewayName", "IpAddress",
                                                         "BgpAsn") + common),
            "DescribeCustomerGateways": (self._describe_cgws, ("CustomerGatewayIds",) + desc),
            "ModifyCustomerGatewayAttribute": (self._modify_cgw,
                                               ("CustomerGatewayId", "CustomerGatewayName",
                                                "BgpAsn")),
            "DeleteCustomerGateway": (self._delete_cgw, ("CustomerGatewayId",)),
            "DescribeCustomerGatewayVendors": (self._vendors, ()),
            "CreateVpnConnection": (self._create_conn, CONN_PARAMS + (
                "VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey", "VpcId",
                "RouteType", "Route") + common),
            "DescribeVpnConnections": (self._describe_conns, ("VpnConnectionIds",) + desc),
            "ModifyVpnConnectionAttribute": (self._modify_conn, CONN_PARAMS + (
                "VpnConnectionId", "VpnConnectionName", "PreShareKey", "CustomerGatewayId")),
            "DeleteVpnConnection": (self._delete_conn, ("VpnGatewayId", "VpnConnectionId")),
            "DownloadCustomerGatewayConfiguration": (self._download_config,
                                                     ("VpnGatewayId", "VpnConnectionId",
                                                      "CustomerGatewayVendor", "InterfaceName")),
            "CreateVpnGatewayRoutes": (self._create_gw_routes, ("VpnGatewayId", "Routes")),
            "DescribeVpnGatewayRoutes": (self._describe_gw_routes, ("VpnGatewayId",) + desc),
            "ModifyVpnGatewayRoutes": (self._modify_gw_routes, ("VpnGatewayId", "Routes")),
            "DeleteVpnGatewayRoutes": (self._delete_gw_routes, ("VpnGatewayId", "RouteIds")),
            # The tag service's action, served here so tags can change in place.
            "ModifyResourceTags": (self._modify_tags, ("Resource", "ReplaceTags", "DeleteTags")),
        }
        self._actions = {name: _Action(h, frozenset(ps)) for name, (h, ps) in table.items()}

    # --- VPC ----------------------------------------------------------------------------------
    def _vpc_view(self, vpc: dict) -> dict:
        return _public(vpc)

    def _create_vpc(self, tx: Tx, p: dict, region: str) -> dict:
        name = _str(p, "VpcName", required=True)
        cidr = _str(p, "CidrBlock", required=True)
        dns = _str_list(p, "DnsServers")
        _violations(rules.check_name(name, "VPC name") + rules.check_vpc_cidr(cidr))
        self._check_dns(dns)
        vpc_id = self._new_id(tx, "vpc")
        now = self._now()
        vpc = {"VpcId": vpc_id, "VpcName": name, "CidrBlock": cidr, "IsDefault": False,
               "EnableMulticast": _bool(p, "EnableMulticast", False),
               "DnsServerSet": dns or ["183.60.83.19", "183.60.82.98"],
               "DomainName": _str(p, "DomainName", default=""), "DhcpOptionsId": "",
               "EnableDhcp": True, "Ipv6CidrBlock": "", "CreatedTime": now,
               "TagSet": _tags(p), "AssistantCidrSet": [], "Ipv6CidrBlockSet": [],
               "EnableRouteVpcPublish": _bool(p, "EnableRouteVpcPublish", False),
               "EnableRouteVpcPublishIpv6": _bool(p, "EnableRouteVpcPublishIpv6", False)}
        tx.insert("vpc", vpc_id, region, vpc, vpc_id=vpc_id)
        rtb_id = self._new_id(tx, "rtb")
        tx.insert("rtb", rtb_id, region, {
            "VpcId": vpc_id, "RouteTableId": rtb_id, "RouteTableName": "default",
            "RouteSet": [], "Main": True, "CreatedTime": now, "TagSet": [],
            "LocalCidrForCcn": []}, vpc_id=vpc_id)
        return {"Vpc": self._vpc_view(vpc)}

    @staticmethod
    def _check_dns(dns: list[str]) -> None:
        if len(dns) > 4:
            raise ApiError("InvalidParameterValue.LimitExceeded",
                           "A VPC can have at most 4 DNS servers.")
        for d in dns:
            try:
                ipaddress.IPv4Address(d)
            except ValueError:
                raise ApiError("InvalidParameterValue.Malformed",
                               f"DNS server {d!r} is not an IPv4 address.") from None

    def _describe_vpcs(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"vpc-name": lambda v: v["VpcName"],
                "is-default": lambda v: _bool_str(v["IsDefault"]),
                "vpc-id": lambda v: v["VpcId"], "cidr-block": lambda v: v["CidrBlock"],
                "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
                "address-type": lambda v: []}
        return self._describe(tx, p, region, "vpc", "VpcIds", "VpcSet", self._vpc_view, spec,
                              fuzzy=("vpc-name",))

    def _modify_vpc(self, tx: Tx, p: dict, region: str) -> dict:
        vpc = self._get(tx, "vpc", _str(p, "VpcId", required=True), region)
        name = _str(p, "VpcName")
        _violations(rules.check_name(name, "VPC name"))
        if name is not None:
            vpc["VpcName"] = name
        if p.get("EnableMulticast") is not None:
            vpc["EnableMulticast"] = _bool(p, "EnableMulticast")
        if p.get("DnsServers") is not None:
            dns = _str_list(p, "DnsServers")
            self._check_dns(dns)
            vpc["DnsServerSet"] = dns
        if p.get("DomainName") is not None:
            vpc["DomainName"] = _str(p, "DomainName")
        tx.put("vpc", vpc["VpcId"], vpc)
        return {}

    def _delete_vpc(self, tx: Tx, p: dict, region: str) -> dict:
        vpc = self._get(tx, "vpc", _str(p, "VpcId", required=True), region)
        vid = vpc["VpcId"]
        deps = []
        for kind in ("subnet", "vpngw"):
            n = tx.count(kind, vpc_id=vid)
            if n:
                deps.append(f"{n} {NOUN[kind]}{'s' if n > 1 else ''}")
        rtbs = [r for r in tx.list("rtb", vpc_id=vid) if not r["Main"]]
        if rtbs:
            deps.append(f"{len(rtbs)} route table{'s' if len(rtbs) > 1 else ''}")
        if deps:
            raise ApiError("ResourceInUse", f"The VPC {vid} still holds {', '.join(deps)}. "
                           "Delete them before deleting the VPC.")
        for r in tx.list("rtb", vpc_id=vid):
            tx.delete("rtb", r["RouteTableId"])
        tx.delete("vpc", vid)
        return {}

    # --- subnets ------------------------------------------------------------------------------
    def _subnet_view(self, s: dict) -> dict:
        v = _public(s)
        net = ipaddress.IPv4Network(s["CidrBlock"])
        v["TotalIpAddressCount"] = net.num_addresses
        v["AvailableIpAddressCount"] = max(net.num_addresses - 3, 0)
        return v

    def _create_subnet(self, tx: Tx, p: dict, region: str) -> dict:
        vpc = self._get(tx, "vpc", _str(p, "VpcId", required=True), region)
        name = _str(p, "SubnetName", required=True)
        cidr = _str(p, "CidrBlock", required=True)
        zone = _str(p, "Zone", required=True)
        siblings = [s["CidrBlock"] for s in tx.list("subnet", vpc_id=vpc["VpcId"])]
        _violations(rules.check_name(name, "subnet name")
                    + rules.check_subnet_cidr(cidr, vpc["CidrBlock"], siblings))
        self._check_zone(zone, region)
        main = next(r for r in tx.list("rtb", vpc_id=vpc["VpcId"]) if r["Main"])
        sid = self._new_id(tx, "subnet")
        subnet = {"VpcId": vpc["VpcId"], "SubnetId": sid, "SubnetName": name, "CidrBlock": cidr,
                  "IsDefault": False, "EnableBroadcast": False, "Zone": zone,
                  "RouteTableId": main["RouteTableId"], "CreatedTime": self._now(),
                  "Ipv6CidrBlock": "", "NetworkAclId": "", "IsRemoteVpcSnat": False,
                  "TagSet": _tags(p), "CdcId": _str(p, "CdcId", default=""),
                  "IsCdcSubnet": 1 if p.get("CdcId") else 0}
        tx.insert("subnet", sid, region, subnet, vpc_id=vpc["VpcId"])
        return {"Subnet": self._subnet_view(subnet)}

    @staticmethod
    def _check_zone(zone: str, region: str) -> None:
        if not re.fullmatch(re.escape(region) + r"-\d+", zone):
            raise ApiError("InvalidZone.MismatchRegion",
                           f"Zone {zone!r} is not a zone of region {region}; zones are named "
                           f"like {region}-3.")

    def _describe_subnets(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"subnet-id": lambda v: v["SubnetId"], "vpc-id": lambda v: v["VpcId"],
                "cidr-block": lambda v: v["CidrBlock"],
                "is-default": lambda v: _bool_str(v["IsDefault"]),
                "is-remote-vpc-snat": lambda v: _bool_str(v["IsRemoteVpcSnat"]),
                "subnet-name": lambda v: v["SubnetName"], "zone": lambda v: v["Zone"],
                "cdc-id": lambda v: v["CdcId"], "is-cdc-subnet": lambda v: str(v["IsCdcSubnet"]),
                "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
                "address-type": lambda v: []}
        return self._describe(tx, p, region, "subnet", "SubnetIds", "SubnetSet",
                              self._subnet_view, spec)

    def _modify_subnet(self, tx: Tx, p: dict, region: str) -> dict:
        s = self._get(tx, "subnet", _str(p, "SubnetId", required=True), region)
        name = _str(p, "SubnetName")
        _violations(rules.check_name(name, "subnet name"))
        if name is not None:
            s["SubnetName"] = name
        if p.get("EnableBroadcast") is not None:
            s["EnableBroadcast"] = _bool(p, "EnableBroadcast")
        tx.put("subnet", s["SubnetId"], s)
        return {}

    def _delete_subnet(self, tx: Tx, p: dict, region: str) -> dict:
        s = self._get(tx, "subnet", _str(p, "SubnetId", required=True), region)
        tx.delete("subnet", s["SubnetId"])
        return {}

    def _replace_association(self, tx: Tx, p: dict, region: str) -> dict:
        s = self._get(tx, "subnet", _str(p, "SubnetId", required=True), region)
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        if rtb["VpcId"] != s["VpcId"]:
            raise ApiError("UnsupportedOperation.VpcMismatch",
                           f"Route table {rtb['RouteTableId']} belongs to VPC {rtb['VpcId']}, "
                           f"but subnet {s['SubnetId']} is in VPC {s['VpcId']}. Associate a "
                           "route table of the subnet's own VPC.")
        s["RouteTableId"] = rtb["RouteTableId"]
        tx.put("subnet", s["SubnetId"], s)
        return {}

    # --- route tables -------------------------------------------------------------------------
    def _rtb_view(self, tx: Tx) -> Callable[[dict], dict]:
        def view(r: dict) -> dict:
            v = _public(r)
            v["AssociationSet"] = [{"SubnetId": s["SubnetId"], "RouteTableId": r["RouteTableId"]}
                                   for s in tx.list_by("subnet", "RouteTableId",
                                                       r["RouteTableId"])]
            return v
        return view

    def _create_route_table(self, tx: Tx, p: dict, region: str) -> dict:
        vpc = self._get(tx, "vpc", _str(p, "VpcId", required=True), region)
        name = _str(p, "RouteTableName", required=True)
        _violations(rules.check_name(name, "route table name"))
        rid = self._new_id(tx, "rtb")
        rtb = {"VpcId": vpc["VpcId"], "RouteTableId": rid, "RouteTableName": name,
               "RouteSet": [], "Main": False, "CreatedTime": self._now(), "TagSet": _tags(p),
               "LocalCidrForCcn": []}
        tx.insert("rtb", rid, region, rtb, vpc_id=vpc["VpcId"])
        return {"RouteTable": self._rtb_view(tx)(rtb)}

    def _describe_route_tables(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"route-table-id": lambda v: v["RouteTableId"],
                "route-table-name": lambda v: v["RouteTableName"],
                "vpc-id": lambda v: v["VpcId"], "association.main": lambda v: _bool_str(v["Main"]),
                "visible": lambda v: "TRUE",
                "next-hop-type": lambda v: [r["GatewayType"] for r in v["RouteSet"]]}
        return self._describe(tx, p, region, "rtb", "RouteTableIds", "RouteTableSet",
                              self._rtb_view(tx), spec)

    def _modify_route_table(self, tx: Tx, p: dict, region: str) -> dict:
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        name = _str(p, "RouteTableName", required=True)
        _violations(rules.check_name(name, "route table name"))
        rtb["RouteTableName"] = name
        tx.put("rtb", rtb["RouteTableId"], rtb)
        return {}

    def _delete_route_table(self, tx: Tx, p: dict, region: str) -> dict:
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        if rtb["Main"]:
            raise ApiError("ResourceInUse", f"Route table {rtb['RouteTableId']} is the main "
                           "route table of its VPC; it is deleted together with the VPC.")
        assoc = self._rtb_view(tx)(rtb)["AssociationSet"]
        if assoc:
            ids = ", ".join(a["SubnetId"] for a in assoc)
            raise ApiError("ResourceInUse", f"Route table {rtb['RouteTableId']} is still "
                           f"associated with subnet(s) {ids}. Associate them with another "
                           "route table first.")
        tx.delete("rtb", rtb["RouteTableId"])
        return {}

    def _create_routes(self, tx: Tx, p: dict, region: str) -> dict:
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        routes = _obj_list(p, "Routes", required=True)
        if not routes:
            raise ApiError("InvalidParameterValue.Empty", "`Routes` must not be empty.")
        vpc = tx.get("vpc", rtb["VpcId"])
        taken = {r["DestinationCidrBlock"] for r in rtb["RouteSet"]}
        added = []
        for r in routes:
            dest = _str(r, "DestinationCidrBlock", required=True)
            gtype = _str(r, "GatewayType", required=True)
            gid = _str(r, "GatewayId", required=True)
            _violations(rules.check_route_destination(dest, vpc["CidrBlock"] if vpc else None)
                        + rules.check_enum(gtype, rules.ROUTE_NEXT_TYPES, "Next hop type"))
            if dest in taken:
                raise ApiError("InvalidParameterValue.Duplicate",
                               f"Route table {rtb['RouteTableId']} already has a route to {dest}. "
                               "Change or delete that route instead.")
            taken.add(dest)
            if gtype == "VPN":
                gw = tx.get("vpngw", gid, region)
                if gw is None or gw["VpcId"] != rtb["VpcId"]:
                    raise ApiError("InvalidParameterValue.RouteNextHopInvalid",
                                   f"Next hop {gid} is not a VPN gateway of VPC {rtb['VpcId']}. "
                                   "Route to a VPN gateway in the route table's own VPC.")
            added.append({"DestinationCidrBlock": dest, "GatewayType": gtype, "GatewayId": gid,
                          "RouteId": tx.next_counter("route_id", 100000),
                          "RouteDescription": _str(r, "RouteDescription", default=""),
                          "Enabled": True, "RouteType": "USER",
                          "RouteTableId": rtb["RouteTableId"], "DestinationIpv6CidrBlock": "",
                          "RouteItemId": "rti-" + _rand8(),
                          "PublishedToVbc": False, "CreatedTime": self._now(), "CdcId": ""})
        rtb["RouteSet"].extend(added)
        tx.put("rtb", rtb["RouteTableId"], rtb)
        return {"TotalCount": len(added), "RouteTableSet": [self._rtb_view(tx)(rtb)]}

    def _select_routes(self, rtb: dict, ids: list, item_ids: list) -> list[dict]:
        chosen = []
        for rid in ids:
            m = [r for r in rtb["RouteSet"] if r["RouteId"] == rid]
            if not m:
                raise ApiError("ResourceNotFound", f"Route {rid} does not exist in route table "
                               f"{rtb['RouteTableId']}.")
            chosen += m
        for iid in item_ids:
            m = [r for r in rtb["RouteSet"] if r["RouteItemId"] == iid]
            if not m:
                raise ApiError("ResourceNotFound", f"Route {iid} does not exist in route table "
                               f"{rtb['RouteTableId']}.")
            chosen += m
        for r in chosen:
            if r["RouteType"] != "USER":
                raise ApiError("UnsupportedOperation.SystemRoute",
                               f"Route {r['RouteId']} is a system route and cannot be changed.")
        return chosen

    def _delete_routes(self, tx: Tx, p: dict, region: str) -> dict:
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        ids, item_ids = [], []
        for r in _obj_list(p, "Routes", required=True):
            if r.get("RouteId") is not None:
                ids.append(_int(r, "RouteId"))
            elif r.get("RouteItemId") is not None:
                item_ids.append(_str(r, "RouteItemId"))
            else:
                raise _missing("Routes.RouteId")
        chosen = self._select_routes(rtb, ids, item_ids)
        gone = {r["RouteId"] for r in chosen}
        rtb["RouteSet"] = [r for r in rtb["RouteSet"] if r["RouteId"] not in gone]
        tx.put("rtb", rtb["RouteTableId"], rtb)
        return {"RouteSet": chosen}

    def _toggle_routes(self, tx: Tx, p: dict, region: str, enabled: bool) -> dict:
        rtb = self._get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
        raw_ids = p.get("RouteIds") or []
        if not isinstance(raw_ids, list):
            raise ApiError("InvalidParameter", "`RouteIds` must be a list of integers.")
        ids = [_int({"RouteIds": x}, "RouteIds") for x in raw_ids]
        item_ids = _str_list(p, "RouteItemIds")
        if not ids and not item_ids:
            raise _missing("RouteIds")
        for r in self._select_routes(rtb, ids, item_ids):
            r["Enabled"] = enabled
        tx.put("rtb", rtb["RouteTableId"], rtb)
        return {}

    def _enable_routes(self, tx: Tx, p: dict, region: str) -> dict:
        return self._toggle_routes(tx, p, region, True)

    def _disable_routes(self, tx: Tx, p: dict, region: str) -> dict:
        return self._toggle_routes(tx, p, region, False)

    # --- VPN gateways -------------------------------------------------------------------------
    def _gw_view(self, g: dict) -> dict:
        v = _public(g)
        v["State"] = "AVAILABLE" if self._ready(g) else "PENDING"
        return v

    def _pick_public_ip(self, tx: Tx) -> str:
        used = {g["PublicIpAddress"] for g in tx.list("vpngw")}
        first = int(PUBLIC_IP_POOL.network_address)
        for _ in range(10000):
            offset = random.randrange(1, PUBLIC_IP_POOL.num_addresses - 1)
            ip = ipaddress.IPv4Address(first + offset)
            if ip.packed[3] not in (0, 255) and str(ip) not in used:
                return str(ip)
        raise ApiError("ResourceInsufficient", "No public IP address is left in the pool.")

    def _prepaid(self, p: dict, required: bool) -> dict | None:
        icp = _obj(p, "InstanceChargePrepaid", required=required)
        if icp is None:
            return None
        period = _int(icp, "Period", required=True)
        flag = _str(icp, "RenewFlag", default="NOTIFY_AND_MANUAL_RENEW")
        _violations(rules.check_enum(period, rules.PREPAID_PERIODS, "Prepaid period (months)")
                    + rules.check_enum(flag, rules.RENEW_FLAGS, "Renew flag"))
        return {"Period": period, "RenewFlag": flag}

    def _create_vpn_gateway(self, tx: Tx, p: dict, region: str) -> dict:
        name = _str(p, "VpnGatewayName", required=True)
        bandwidth = _int(p, "InternetMaxBandwidthOut", required=True)
        gtype = _str(p, "Type", default="IPSEC")
        charge = _str(p, "InstanceChargeType", default="POSTPAID_BY_HOUR")
        vpc_id = _str(p, "VpcId")
        bgp_asn = _int(p, "BgpAsn")
        max_conn = _int(p, "MaxConnection")
        zone = _str(p, "Zone")
        _violations(rules.check_name(name, "VPN gateway name") + rules.check_bandwidth(bandwidth)
                    + rules.check_enum(gtype, rules.GATEWAY_TYPES, "Gateway type")
                    + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type")
                    + rules.check_bgp_asn(bgp_asn)
                    + (rules.check_enum(max_conn, rules.MAX_CONNECTIONS, "Maximum connections")
                       if max_conn is not None else []))
        prepaid = self._prepaid(p, required=charge == "PREPAID")
        if zone is not None:
            self._check_zone(zone, region)
        ccn = gtype in ("CCN", "SSL_CCN")
        if ccn and vpc_id:
            raise ApiError("InvalidParameterValue",
                           f"A {gtype} gateway is attached to a CCN, not a VPC; omit `VpcId`.")
        if not ccn and not vpc_id:
            raise ApiError("UnsupportedOperation.VpnGwVpcIdMustHave",
                           f"A {gtype} gateway must be created in a VPC; give `VpcId`.")
        if vpc_id:
            self._get(tx, "vpc", vpc_id, region)
            _violations(rules.check_gateways_per_vpc(tx.count("vpngw", vpc_id=vpc_id) + 1))
        gid = self._new_id(tx, "vpngw")
        now = self.clock()
        expired = NEVER
        if prepaid:
            expired = time.strftime("%Y-%m-%d %H:%M:%S",
                                    time.localtime(now + prepaid["Period"] * 30 * 86400))
        gw = {"VpnGatewayId": gid, "VpcId": vpc_id or "", "VpnGatewayName": name, "Type": gtype,
              "PublicIpAddress": self._pick_public_ip(tx),
              "RenewFlag": prepaid["RenewFlag"] if prepaid else "",
              "InstanceChargeType": charge, "InternetMaxBandwidthOut": bandwidth,
              "CreatedTime": self._now(), "ExpiredTime": expired, "IsAddressBlocked": False,
              "NewPurchasePlan": "", "RestrictState": "NORMAL",
              "Zone": zone or f"{region}-1", "VpnGatewayQuotaSet": GATEWAY_QUOTAS,
              "Version": "2.0", "NetworkInstanceId": "", "CdcId": _str(p, "CdcId", default=""),
              "MaxConnection": max_conn or (5 if gtype.startswith("SSL") else 0),
              "BgpAsn": bgp_asn or 0, "TagSet": _tags(p),
              "IsPrivate": _bool(p, "IsPrivate", False),
              "_ready_at": now + self.gateway_delay * self._scale()}
        tx.insert("vpngw", gid, region, gw, vpc_id=vpc_id or None)
        return {"VpnGateway": self._gw_view(gw)}

    def _describe_vpn_gateways(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
                "vpn-gateway-name": lambda v: v["VpnGatewayName"], "type": lambda v: v["Type"],
                "public-ip-address": lambda v: v["PublicIpAddress"],
                "renew-flag": lambda v: v["RenewFlag"], "zone": lambda v: v["Zone"]}
        return self._describe(tx, p, region, "vpngw", "VpnGatewayIds", "VpnGatewaySet",
                              self._gw_view, spec)

    def _modify_vpn_gateway(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        name = _str(p, "VpnGatewayName")
        charge = _str(p, "InstanceChargeType")
        bgp_asn = _int(p, "BgpAsn")
        max_conn = _int(p, "MaxConnection")
        _violations(rules.check_name(name, "VPN gateway name") + rules.check_bgp_asn(bgp_asn))
        if charge is not None and charge != gw["InstanceChargeType"]:
            if not (gw["InstanceChargeType"] == "PREPAID" and charge == "POSTPAID_BY_HOUR"):
                raise ApiError("UnsupportedOperation",
                               f"The charge type can only change from PREPAID to "
                               f"POSTPAID_BY_HOUR, not from {gw['InstanceChargeType']} to "
                               f"{charge}.")
            gw["InstanceChargeType"] = charge
            gw["NewPurchasePlan"] = "PREPAID_TO_POSTPAID"
            gw["ExpiredTime"] = NEVER
            gw["RenewFlag"] = ""
        if max_conn is not None and max_conn != gw["MaxConnection"]:
            if not gw["Type"].startswith("SSL"):
                raise ApiError("UnsupportedOperation",
                               "Only SSL gateways have a maximum number of connections.")
            _violations(rules.check_enum(max_conn, rules.MAX_CONNECTIONS, "Maximum connections"))
            gw["MaxConnection"] = max_conn
        if name is not None:
            gw["VpnGatewayName"] = name
        if bgp_asn is not None:
            gw["BgpAsn"] = bgp_asn
        tx.put("vpngw", gw["VpnGatewayId"], gw)
        return {}

    def _reset_bandwidth(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        new = _int(p, "InternetMaxBandwidthOut", required=True)
        if not self._ready(gw):
            raise ApiError("UnsupportedOperation.InvalidState",
                           f"VPN gateway {gw['VpnGatewayId']} is still PENDING; retry when it "
                           "is AVAILABLE.")
        _violations(rules.check_bandwidth_reset(gw["InternetMaxBandwidthOut"], new))
        gw["InternetMaxBandwidthOut"] = new
        tx.put("vpngw", gw["VpnGatewayId"], gw)
        return {}

    def _renew_vpn_gateway(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        prepaid = self._prepaid(p, required=True)
        assert prepaid is not None
        if gw["InstanceChargeType"] != "PREPAID":
            raise ApiError("UnsupportedOperation", "Only PREPAID gateways can be renewed.")
        base = time.mktime(time.strptime(gw["ExpiredTime"], "%Y-%m-%d %H:%M:%S"))
        gw["ExpiredTime"] = time.strftime("%Y-%m-%d %H:%M:%S",
                                          time.localtime(base + prepaid["Period"] * 30 * 86400))
        tx.put("vpngw", gw["VpnGatewayId"], gw)
        return {}

    def _set_renew_flag(self, tx: Tx, p: dict, region: str) -> dict:
        ids = _str_list(p, "VpnGatewayIds", required=True)
        flag = _int(p, "AutoRenewFlag", required=True)
        names = {0: "NOTIFY_AND_MANUAL_RENEW", 1: "NOTIFY_AND_AUTO_RENEW",
                 2: "NOT_NOTIFY_AND_NOT_RENEW"}
        if flag not in names:
            raise ApiError("InvalidParameterValue.Range", "`AutoRenewFlag` must be 0, 1 or 2.")
        for gid in ids:
            gw = self._get(tx, "vpngw", gid, region)
            if gw["InstanceChargeType"] != "PREPAID":
                raise ApiError("UnsupportedOperation",
                               f"VPN gateway {gid} is not PREPAID and has no renew flag.")
            gw["RenewFlag"] = names[flag]
            tx.put("vpngw", gid, gw)
        return {}

    def _delete_vpn_gateway(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        gid = gw["VpnGatewayId"]
        if gw["InstanceChargeType"] == "PREPAID" and gw["ExpiredTime"] > self._now():
            raise ApiError("UnsupportedOperation.InvalidState",
                           f"VPN gateway {gid} is PREPAID and not yet expired; only running "
                           "postpaid gateways can be deleted. Change it to POSTPAID_BY_HOUR first.")
        conns = [c["VpnConnectionId"] for c in tx.list_by("vpnx", "VpnGatewayId", gid, region)]
        if conns:
            raise ApiError("ResourceInUse", f"VPN gateway {gid} still has VPN connection(s) "
                           f"{', '.join(conns)}. Delete the tunnels first.")
        pointing = [f"{r['RouteTableId']}/{r['RouteId']}" for t in tx.list("rtb", region)
                    for r in t["RouteSet"] if r["GatewayType"] == "VPN" and r["GatewayId"] == gid]
        if pointing:
            raise ApiError("ResourceInUse", f"Route(s) {', '.join(pointing)} still point at VPN "
                           f"gateway {gid}. Delete those routes first.")
        gw_routes = [r["RouteId"] for r in tx.list("vpnr", region) if r["_gateway"] == gid]
        if gw_routes:
            raise ApiError("ResourceInUse", f"VPN gateway {gid} still has gateway route(s) "
                           f"{', '.join(gw_routes)}. Delete them first.")
        tx.delete("vpngw", gid)
        return {}

    def _inquiry_price(self, tx: Tx, p: dict, region: str) -> dict:
        bandwidth = _int(p, "InternetMaxBandwidthOut", required=True)
        charge = _str(p, "InstanceChargeType", default="POSTPAID_BY_HOUR")
        _violations(rules.check_bandwidth(bandwidth)
                    + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type"))
        prepaid = self._prepaid(p, required=charge == "PREPAID")
        hourly = rules.hourly_price(region)
        if hourly is None:
            raise ApiError("UnsupportedRegion", f"VPN gateways are not sold in region {region}.")
        if prepaid:
            total = round(hourly * 24 * 30 * prepaid["Period"], 2)
            inst = {"OriginalPrice": total, "DiscountPrice": total, "ChargeUnit": "MONTH",
                    "UnitPrice": None}
        else:
            inst = {"UnitPrice": hourly, "ChargeUnit": "HOUR", "OriginalPrice": None,
                    "DiscountPrice": None}
        return {"Price": {"InstancePrice": inst,
                          "BandwidthPrice": {"UnitPrice": 0.0, "ChargeUnit": "HOUR",
                                             "OriginalPrice": None, "DiscountPrice": None}}}

    # --- customer gateways --------------------------------------------------------------------
    def _cgw_view(self, tx: Tx) -> Callable[[dict], dict]:
        def view(g: dict) -> dict:
            v = _public(g)
            v["VpnConnNum"] = tx.count_by("vpnx", "CustomerGatewayId", g["CustomerGatewayId"])
            return v
        return view

    def _create_cgw(self, tx: Tx, p: dict, region: str) -> dict:
        name = _str(p, "CustomerGatewayName", required=True)
        ip = _str(p, "IpAddress", required=True)
        asn = _int(p, "BgpAsn")
        _violations(rules.check_name(name, "customer gateway name")
                    + rules.check_customer_gateway_ip(ip) + rules.check_bgp_asn(asn, customer=True)
                    + rules.check_customer_gateways_per_region(tx.count("cgw", region) + 1))
        cid = self._new_id(tx, "cgw")
        cgw = {"CustomerGatewayId": cid, "CustomerGatewayName": name, "IpAddress": ip,
               "CreatedTime": self._now(), "BgpAsn": asn or 0, "TagSet": _tags(p)}
        tx.insert("cgw", cid, region, cgw)
        return {"CustomerGateway": self._cgw_view(tx)(cgw)}

    def _describe_cgws(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"customer-gateway-id": lambda v: v["CustomerGatewayId"],
                "customer-gateway-name": lambda v: v["CustomerGatewayName"],
                "ip-address": lambda v: v["IpAddress"], "ip-version": lambda v: "IPv4"}
        return self._describe(tx, p, region, "cgw", "CustomerGatewayIds", "CustomerGatewaySet",
                              self._cgw_view(tx), spec, max_filters=10)

    def _modify_cgw(self, tx: Tx, p: dict, region: str) -> dict:
        cgw = self._get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
        name = _str(p, "CustomerGatewayName", required=True)
        asn = _int(p, "BgpAsn")
        _violations(rules.check_name(name, "customer gateway name")
                    + rules.check_bgp_asn(asn, customer=True))
        cgw["CustomerGatewayName"] = name
        if asn is not None:
            cgw["BgpAsn"] = asn
        tx.put("cgw", cgw["CustomerGatewayId"], cgw)
        return {}

    def _delete_cgw(self, tx: Tx, p: dict, region: str) -> dict:
        cgw = self._get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
        cid = cgw["CustomerGatewayId"]
        conns = [c["VpnConnectionId"]
                 for c in tx.list_by("vpnx", "CustomerGatewayId", cid, region)]
        if conns:
            raise ApiError("ResourceInUse", f"Customer gateway {cid} is still used by VPN "
                           f"connection(s) {', '.join(conns)}. Delete those tunnels first.")
        tx.delete("cgw", cid)
        return {}

    def _vendors(self, tx: Tx, p: dict, region: str) -> dict:
        return {"CustomerGatewayVendorSet": [dict(v) for v in VENDORS]}

    # --- VPN connections ----------------------------------------------------------------------
    def _conn_view(self, c: dict) -> dict:
        v = _public(c)
        v["State"] = "AVAILABLE" if self._ready(c) else "PENDING"
        v["NetStatus"] = "UNAVAILABLE"
        ipsec = dict(v["IPSECOptionsSpecification"])
        ipsec["IntegrityAlgorithm"] = ipsec["IntegrityAlgorith"]
        v["IPSECOptionsSpecification"] = ipsec
        return v

    def _conn_options(self, p: dict, base: dict) -> dict:
        """Decode and check the option groups of a create/modify over ``base`` (the stored
        connection, or defaults for a create)."""
        out = dict(base)
        if p.get("SecurityPolicyDatabases") is not None:
            spd = []
            for s in _obj_list(p, "SecurityPolicyDatabases"):
                spd.append({"LocalCidrBlock": _str(s, "LocalCidrBlock", required=True),
                            "RemoteCidrBlock": _str_list(s, "RemoteCidrBlock", required=True)})
            out["SecurityPolicyDatabaseSet"] = spd
        ike_in = _obj(p, "IKEOptionsSpecification")
        if ike_in is not None:
            ike = dict(out["IKEOptionsSpecification"])
            for k in IKE_DEFAULTS:
                if ike_in.get(k) is not None:
                    ike[k] = (_int(ike_in, k) if k == "IKESaLifetimeSeconds" else _str(ike_in, k))
            out["IKEOptionsSpecification"] = ike
        ipsec_in = _obj(p, "IPSECOptionsSpecification")
        if ipsec_in is not None:
            ipsec = dict(out["IPSECOptionsSpecification"])
            if ipsec_in.get("IntegrityAlgorithm") is not None:
                ipsec_in = {**ipsec_in, "IntegrityAlgorith": ipsec_in["IntegrityAlgorithm"]}
            for k in IPSEC_DEFAULTS:
                if ipsec_in.get(k) is not None:
                    ipsec[k] = (_int(ipsec_in, k) if k.startswith("IPSECSa") else _str(ipsec_in, k))
            out["IPSECOptionsSpecification"] = ipsec
        if p.get("DpdEnable") is not None:
            out["DpdEnable"] = _int(p, "DpdEnable")
        if p.get("DpdTimeout") is not None:
            out["DpdTimeout"] = str(_int(p, "DpdTimeout"))
        if p.get("DpdAction") is not None:
            out["DpdAction"] = _str(p, "DpdAction")
        if p.get("NegotiationType") is not None:
            out["NegotiationType"] = _str(p, "NegotiationType")
        if p.get("EnableHealthCheck") is not None:
            out["EnableHealthCheck"] = _bool(p, "EnableHealthCheck")
        for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp"):
            if p.get(k) is not None:
                out[k] = _str(p, k)
        hc_in = _obj(p, "HealthCheckConfig")
        if hc_in is not None:
            hc = dict(out.get("HealthCheckConfig") or HEALTH_CHECK_DEFAULTS)
            for k in HEALTH_CHECK_DEFAULTS:
                if hc_in.get(k) is not None:
                    hc[k] = _str(hc_in, k) if k == "ProbeType" else _int(hc_in, k)
            out["HealthCheckConfig"] = hc
        bgp_in = _obj(p, "BgpConfig")
        if bgp_in is not None:
            out["BgpConfig"] = {"TunnelCidr": _str(bgp_in, "TunnelCidr", required=True),
                                "LocalBgpIp": _str(bgp_in, "LocalBgpIp", required=True),
                                "RemoteBgpIp": _str(bgp_in, "RemoteBgpIp", required=True)}
        if out["EnableHealthCheck"]:
            if not out["HealthCheckLocalIp"]:
                out["HealthCheckLocalIp"] = _random_link_local()
            if not out["HealthCheckRemoteIp"]:
                out["HealthCheckRemoteIp"] = _random_link_local()
            out["HealthCheckStatus"] = "UNAVAILABLE"
        return out

    def _check_conn(self, tx: Tx, c: dict, region: str) -> None:
        ike, ipsec = c["IKEOptionsSpecification"], c["IPSECOptionsSpecification"]
        hc = c.get("HealthCheckConfig") or {}
        policies = [rules.SpdPolicy(s["LocalCidrBlock"], tuple(s["RemoteCidrBlock"]))
                    for s in c["SecurityPolicyDatabaseSet"]]
        vpc = tx.get("vpc", c["VpcId"]) if c["VpcId"] else None
        dpd_timeout = int(c["DpdTimeout"]) if str(c["DpdTimeout"]).lstrip("-").isdigit() else None
        _violations(
            rules.check_name(c["VpnConnectionName"], "VPN connection name")
            + (rules.check_name(c["PreShareKey"], "pre-shared key")
               if c["PreShareKey"] == "" else [])
            + rules.check_spd(policies, vpc["CidrBlock"] if vpc else None)
            + rules.check_ike_encryption(ike["PropoEncryAlgorithm"])
            + rules.check_ike_authentication(ike["PropoAuthenAlgorithm"])
            + rules.check_exchange_mode(ike["ExchangeMode"])
            + rules.check_identity(ike["LocalIdentity"], "local")
            + rules.check_identity(ike["RemoteIdentity"], "remote")
            + rules.check_ike_identity("local", ike["LocalIdentity"], ike["LocalAddress"],
                                       ike["LocalFqdnName"])
            + rules.check_ike_identity("remote", ike["RemoteIdentity"], ike["RemoteAddress"],
                                       ike["RemoteFqdnName"])
            + rules.check_dh_group(ike["DhGroupName"])
            + rules.check_ike_sa_lifetime(ike["IKESaLifetimeSeconds"])
            + rules.check_ike_version(ike["IKEVersion"])
            + rules.check_ipsec_encryption(ipsec["EncryptAlgorithm"])
            + rules.check_ipsec_integrity(ipsec["IntegrityAlgorith"])
            + rules.check_pfs_group(ipsec["PfsDhGroup"])
            + rules.check_ipsec_sa_lifetime(ipsec["IPSECSaLifetimeSeconds"])
            + rules.check_ipsec_sa_lifetime_traffic(ipsec["IPSECSaLifetimeTraffic"])
            + rules.check_dpd_enable(c["DpdEnable"])
            + rules.check_dpd_timeout(dpd_timeout)
            + rules.check_dpd_action(c["DpdAction"])
            + rules.check_route_type(c["RouteType"])
            + rules.check_negotiation_type(c["NegotiationType"])
            + (rules.check_health_check(hc.get("ProbeType"), hc.get("ProbeInterval"),
                                        hc.get("ProbeThreshold"), hc.get("ProbeTimeout"))
               if hc else []))
        if dpd_timeout is None:
            raise ApiError("InvalidParameterValue", "`DpdTimeout` must be a number of seconds.")
        if c["RouteType"] == "Bgp" and not c.get("BgpConfig"):
            raise ApiError("MissingParameter", "A BGP tunnel needs `BgpConfig`.")
        for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp"):
            if c[k]:
                try:
                    ipaddress.IPv4Address(c[k])
                except ValueError:
                    raise ApiError("InvalidParameterValue.Malformed",
                                   f"`{k}` {c[k]!r} is not an IPv4 address.") from None
        if c["HealthCheckLocalIp"] and c["HealthCheckLocalIp"] == c["HealthCheckRemoteIp"]:
            raise ApiError("InvalidParameterValue.VpnConnHealthCheckIpConflict",
                           "The health check's local and remote IPs must differ.")

    def _create_conn(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        cgw = self._get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
        name = _str(p, "VpnConnectionName", required=True)
        psk = _str(p, "PreShareKey", required=True)
        vpc_id = _str(p, "VpcId")
        ccn = gw["Type"] in ("CCN", "SSL_CCN")
        if not ccn:
            if not vpc_id:
                raise _missing("VpcId")
            self._get(tx, "vpc", vpc_id, region)
            if vpc_id != gw["VpcId"]:
                raise ApiError("InvalidParameterValue",
                               f"VPN gateway {gw['VpnGatewayId']} belongs to VPC {gw['VpcId']}, "
                               f"not {vpc_id}. Give the gateway's own VPC.")
        if not self._ready(gw):
            raise ApiError("UnsupportedOperation.InvalidState",
                           f"VPN gateway {gw['VpnGatewayId']} is still PENDING; retry when it "
                           "is AVAILABLE.")
        now = self.clock()
        base = {"VpnConnectionId": "", "VpnConnectionName": name, "VpcId": vpc_id or "",
                "VpnGatewayId": gw["VpnGatewayId"], "CustomerGatewayId": cgw["CustomerGatewayId"],
                "PreShareKey": psk, "VpnProto": "IPSEC", "EncryptProto": "IKE",
                "RouteType": _str(p, "RouteType", default="STATIC"), "CreatedTime": self._now(),
                "SecurityPolicyDatabaseSet": [],
                "IKEOptionsSpecification": dict(IKE_DEFAULTS),
                "IPSECOptionsSpecification": dict(IPSEC_DEFAULTS),
                "EnableHealthCheck": False, "HealthCheckLocalIp": "", "HealthCheckRemoteIp": "",
                "HealthCheckStatus": "", "DpdEnable": 0, "DpdTimeout": "30", "DpdAction": "clear",
                "TagSet": _tags(p), "NegotiationType": "active", "BgpConfig": None,
                "HealthCheckConfig": None}
        conn = self._conn_options(p, base)
        ike = conn["IKEOptionsSpecification"]
        if ike["LocalIdentity"] == "ADDRESS" and not ike["LocalAddress"]:
            ike["LocalAddress"] = gw["PublicIpAddress"]
        if ike["RemoteIdentity"] == "ADDRESS" and not ike["RemoteAddress"]:
            ike["RemoteAddress"] = cgw["IpAddress"]
        self._check_conn(tx, conn, region)
        _violations(rules.check_tunnels_per_vpn_gateway(
            1 + tx.count_by("vpnx", "VpnGatewayId", gw["VpnGatewayId"], region)))
        _violations(rules.check_tunnels_per_customer_gateway(
            1 + tx.count_by("vpnx", "CustomerGatewayId", cgw["CustomerGatewayId"], region)))
        if conn["BgpConfig"]:
            conn["BgpConfig"] = {**conn["BgpConfig"], "LocalBgpAsn": str(gw["BgpAsn"] or 64551),
                                 "RemoteBgpAsn": str(cgw["BgpAsn"] or 0)}
        conn["VpnConnectionId"] = self._new_id(tx, "vpnx")
        conn["_ready_at"] = now + self.connection_delay * self._scale()
        tx.insert("vpnx", conn["VpnConnectionId"], region, conn, vpc_id=vpc_id or None)
        return {"VpnConnection": self._conn_view(conn)}

    def _describe_conns(self, tx: Tx, p: dict, region: str) -> dict:
        spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
                "customer-gateway-id": lambda v: v["CustomerGatewayId"],
                "vpn-connection-name": lambda v: v["VpnConnectionName"],
                "vpn-connection-id": lambda v: v["VpnConnectionId"]}
        return self._describe(tx, p, region, "vpnx", "VpnConnectionIds", "VpnConnectionSet",
                              self._conn_view, spec)

    def _modify_conn(self, tx: Tx, p: dict, region: str) -> dict:
        conn = self._get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
        if not self._ready(conn):
            raise ApiError("UnsupportedOperation.VpnConnInvalidState",
                           f"VPN connection {conn['VpnConnectionId']} is still PENDING; retry "
                           "when it is AVAILABLE.")
        new = self._conn_options(p, conn)
        name = _str(p, "VpnConnectionName")
        if name is not None:
            new["VpnConnectionName"] = name
        psk = _str(p, "PreShareKey")
        if psk is not None:
            new["PreShareKey"] = psk
        cgw_id = _str(p, "CustomerGatewayId")
        if cgw_id is not None and cgw_id != conn["CustomerGatewayId"]:
            self._get(tx, "cgw", cgw_id, region)
            _violations(rules.check_tunnels_per_customer_gateway(
                1 + tx.count_by("vpnx", "CustomerGatewayId", cgw_id, region)))
            new["CustomerGatewayId"] = cgw_id
        self._check_conn(tx, new, region)
        tx.put("vpnx", conn["VpnConnectionId"], new)
        return {}

    def _delete_conn(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        conn = self._get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
        cid = conn["VpnConnectionId"]
        if conn["VpnGatewayId"] != gw["VpnGatewayId"]:
            raise ApiError("InvalidParameterValue", f"VPN connection {cid} does not belong to "
                           f"VPN gateway {gw['VpnGatewayId']}.")
        if not self._ready(conn):
            raise ApiError("UnsupportedOperation.InvalidState",
                           f"VPN connection {cid} is still PENDING; retry when it is AVAILABLE.")
        routes = [r["RouteId"] for r in tx.list_by("vpnr", "InstanceId", cid, region)]
        if routes:
            raise ApiError("ResourceInUse", f"VPN gateway route(s) {', '.join(routes)} still "
                           f"send traffic into VPN connection {cid}. Delete them first.")
        tx.delete("vpnx", cid)
        return {}

    def _download_config(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        conn = self._get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
        vendor = _obj(p, "CustomerGatewayVendor", required=True)
        assert vendor is not None
        iface = _str(p, "InterfaceName", required=True)
        want = {k: _str(vendor, k, required=True)
                for k in ("Platform", "SoftwareVersion", "VendorName")}
        if want not in VENDORS:
            raise ApiError("InvalidParameterValue",
                           f"Vendor {want['VendorName']} {want['Platform']} "
                           f"{want['SoftwareVersion']} is not supported; see "
                           "DescribeCustomerGatewayVendors.")
        cgw = tx.get("cgw", conn["CustomerGatewayId"]) or {}
        if want["Platform"] == "strongswan":
            from ..dataplane import swanctl_render
            from ..dataplane.proposals import ProposalError
            try:
                text = swanctl_render.render(conn, gw, cgw)
            except ProposalError as e:
                raise ApiError("UnsupportedOperation", f"No strongSwan configuration for "
                               f"{conn['VpnConnectionId']}: {str(e).rstrip('.')}.") from None
            return {"CustomerGatewayConfiguration": text}
        return {"CustomerGatewayConfiguration": _render_config(gw, cgw, conn, want, iface)}

    # --- VPN gateway routes -------------------------------------------------------------------
    def _create_gw_routes(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        gid = gw["VpnGatewayId"]
        routes = _obj_list(p, "Routes", required=True)
        if not routes:
            raise ApiError("InvalidParameterValue.Empty", "`Routes` must not be empty.")
        existing = tx.list_by("vpnr", "_gateway", gid, region)
        taken = {(r["DestinationCidrBlock"], r["InstanceId"]) for r in existing}
        created = []
        for r in routes:
            dest = _str(r, "DestinationCidrBlock", required=True)
            itype = _str(r, "InstanceType", required=True)
            iid = _str(r, "InstanceId", required=True)
            prio = _int(r, "Priority", required=True)
            status = _str(r, "Status", required=True)
            _violations(rules.check_cidr(dest, "The destination")
                        + rules.check_enum(itype, rules.GATEWAY_ROUTE_INSTANCE_TYPES,
                                           "Instance type")
                        + rules.check_enum(prio, rules.GATEWAY_ROUTE_PRIORITIES, "Priority")
                        + rules.check_enum(status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
            if itype == "VPNCONN":
                conn = tx.get("vpnx", iid, region)
                if conn is None or conn["VpnGatewayId"] != gid:
                    raise ApiError("InvalidParameterValue",
                                   f"{iid} is not a VPN connection of VPN gateway {gid}.")
            if (dest, iid) in taken:
                raise ApiError("InvalidParameterValue.VpnGatewayRouteDuplicate",
                               f"VPN gateway {gid} already routes {dest} to {iid}.")
            taken.add((dest, iid))
            now = self._now()
            route = {"DestinationCidrBlock": dest, "InstanceType": itype, "InstanceId": iid,
                     "Priority": prio, "Status": status, "RouteId": self._new_id(tx, "vpnr"),
                     "Type": "Static", "CreateTime": now, "UpdateTime": now,
                     "Description": _str(r, "Description", default=""), "_gateway": gid}
            tx.insert("vpnr", route["RouteId"], region, route)
            created.append(_public(route))
        return {"Routes": created}

    def _describe_gw_routes(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        objs = tx.list_by("vpnr", "_gateway", gw["VpnGatewayId"], region)
        spec = {"DestinationCidr": lambda v: v["DestinationCidrBlock"],
                "InstanceId": lambda v: v["InstanceId"],
                "InstanceType": lambda v: v["InstanceType"]}
        out = self._describe(tx, p, region, "vpnr", None, "Routes", _public, spec, objects=objs)
        return {"Routes": out["Routes"], "TotalCount": out["TotalCount"]}

    def _gw_route(self, tx: Tx, gid: str, rid: str, region: str) -> dict:
        r = tx.get("vpnr", rid, region)
        if r is None or r["_gateway"] != gid:
            raise ApiError("ResourceNotFound", f"VPN gateway {gid} has no route {rid}.")
        return r

    def _modify_gw_routes(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        out = []
        for m in _obj_list(p, "Routes", required=True):
            r = self._gw_route(tx, gw["VpnGatewayId"], _str(m, "RouteId", required=True), region)
            status = _str(m, "Status")
            _violations(rules.check_enum(status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
            if status is not None:
                r["Status"] = status
            if m.get("Description") is not None:
                r["Description"] = _str(m, "Description")
            r["UpdateTime"] = self._now()
            tx.put("vpnr", r["RouteId"], r)
            out.append(_public(r))
        return {"Routes": out}

    def _delete_gw_routes(self, tx: Tx, p: dict, region: str) -> dict:
        gw = self._get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
        for rid in _str_list(p, "RouteIds", required=True):
            self._gw_route(tx, gw["VpnGatewayId"], rid, region)
            tx.delete("vpnr", rid)
        return {}

    # --- tags ---------------------------------------------------------------------------------
    def _modify_tags(self, tx: Tx, p: dict, region: str) -> dict:
        resource = _str(p, "Resource", required=True)
        m = re.fullmatch(r"qcs::vpc:([a-z0-9-]+):uin/[0-9]*:([a-z]+)/([a-z0-9-]+)", resource)
        kind = m.group(2) if m else None
        if m is None or kind not in PREFIX or m.group(1) != region:
            raise ApiError("InvalidParameterValue.Malformed",
                           f"{resource!r} is not a resource name of this region.")
        obj = self._get(tx, kind, m.group(3), region)
        tags = {t["Key"]: t["Value"] for t in obj.get("TagSet") or []}
        for t in _obj_list(p, "ReplaceTags"):
            tags[_str(t, "TagKey", required=True)] = _str(t, "TagValue", default="")
        for t in _obj_list(p, "DeleteTags"):
            tags.pop(_str(t, "TagKey", required=True), None)
        obj["TagSet"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        tx.put(kind, m.group(3), obj)
        return {}


CONN_PARAMS = ("SecurityPolicyDatabases", "IKEOptionsSpecification", "IPSECOptionsSpecification",
               "EnableHealthCheck", "HealthCheckLocalIp", "HealthCheckRemoteIp",
               "NegotiationType", "DpdEnable", "DpdTimeout", "DpdAction", "BgpConfig",
               "HealthCheckConfig")


def _public(obj: dict) -> dict:
    """The API view of a stored object: private ``_`` keys removed, nested values copied."""
    return json.loads(json.dumps({k: v for k, v in obj.items() if not k.startswith("_")}))


def _redacted(params: dict) -> str:
    if "PreShareKey" in params:
        params = {**params, "PreShareKey": "(sensitive)"}
    return json.dumps(params, sort_keys=True)


def _rand8() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=8))


def _random_link_local() -> str:
    net = ipaddress.IPv4Network("169.254.128.0/17")
    return str(net.network_address + random.randrange(1, net.num_addresses - 1))


def _render_config(gw: dict, cgw: dict, conn: dict, vendor: dict, iface: str) -> str:
    ike, ipsec = conn["IKEOptionsSpecification"], conn["IPSECOptionsSpecification"]
    lines = [
        f"# IPsec configuration for {vendor['VendorName']} {vendor['Platform']} "
        f"{vendor['SoftwareVersion']}",
        f"# VPN connection {conn['VpnConnectionId']} ({conn['VpnConnectionName']})",
        f"# cloud gateway {gw['VpnGatewayId']} public IP {gw['PublicIpAddress']}",
        f"# customer gateway {cgw.get('CustomerGatewayId', '')} public IP "
        f"{cgw.get('IpAddress', '')}",
        f"interface {iface}",
        "ike proposal 1",
        f"  encryption {ike['PropoEncryAlgorithm']}",
        f"  authentication {ike['PropoAuthenAlgorithm']}",
        f"  dh {ike['DhGroupName']}",
        f"  lifetime {ike['IKESaLifetimeSeconds']}",
        f"  version {ike['IKEVersion']}",
        f"  exchange-mode {ike['ExchangeMode']}",
        f"ike peer {gw['PublicIpAddress']}",
        f"  pre-shared-key {conn['PreShareKey']}",
        "ipsec proposal 1",
        f"  esp encryption {ipsec['EncryptAlgorithm']}",
        f"  esp authentication {ipsec['IntegrityAlgorith']}",
        f"  pfs {ipsec['PfsDhGroup']}",
        f"  lifetime {ipsec['IPSECSaLifetimeSeconds']} seconds "
        f"{ipsec['IPSECSaLifetimeTraffic']} kilobytes",
    ]
    for i, s in enumerate(conn["SecurityPolicyDatabaseSet"]):
        for r in s["RemoteCidrBlock"]:
            # The IDC side's view: its own range is the peer range, the VPC's is local.
            lines.append(f"acl {i + 1} permit ip source {r} destination {s['LocalCidrBlock']}")
    return "\n".join(lines) + "\n"
