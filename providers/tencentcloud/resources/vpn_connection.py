"""``tencentcloud_vpn_connection``: an IPsec tunnel (PSK, SPD, IKE and IPsec options)."""

from __future__ import annotations

from typing import Any

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import SET, Block, NestedBlock

from .. import rules
from ..client import CloudApiError
from .base import (
    Context,
    ID,
    ResourceType,
    TAGS,
    changed,
    check,
    computed,
    describe_one,
    find_by_token,
    first,
    keep_null,
    known,
    name_check,
    num,
    optional,
    required,
    tags_from_api,
    tags_to_api,
    update_tags,
)
from .vpn_customer_gateway import lasting_customer_gateway
from .vpn_gateway import lasting_gateway

IKE_ATTRS = ("ike_proto_encry_algorithm", "ike_proto_authen_algorithm", "ike_exchange_mode",
             "ike_local_identity", "ike_remote_identity", "ike_local_address",
             "ike_remote_address", "ike_local_fqdn_name", "ike_remote_fqdn_name",
             "ike_dh_group_name", "ike_sa_lifetime_seconds", "ike_version")
IPSEC_ATTRS = ("ipsec_encrypt_algorithm", "ipsec_integrity_algorithm",
               "ipsec_sa_lifetime_seconds", "ipsec_pfs_dh_group", "ipsec_sa_lifetime_traffic")
DPD_ATTRS = ("dpd_enable", "dpd_timeout", "dpd_action")
HEALTH_ATTRS = ("enable_health_check", "health_check_local_ip", "health_check_remote_ip",
                "health_check_config")
SPD_UNREAD_ROUTE_TYPES = ("StaticRoute", "Bgp")
RETRY_INVALID_STATE = frozenset({"UnsupportedOperation.InvalidState"})

SPD_BLOCK = NestedBlock(Block(attributes={
    "local_cidr_block": required(V.STRING),
    "remote_cidr_block": required(V.SetType(V.STRING)),
}), nesting=SET)
BGP_BLOCK = NestedBlock(Block(attributes={
    "tunnel_cidr": required(V.STRING),
    "local_bgp_ip": required(V.STRING),
    "remote_bgp_ip": required(V.STRING),
}), max_items=1, force_new=True)
HEALTH_BLOCK = NestedBlock(Block(attributes={
    "probe_type": optional(V.STRING),
    "probe_interval": optional(V.NUMBER),
    "probe_threshold": optional(V.NUMBER),
    "probe_timeout": optional(V.NUMBER),
}), max_items=1)


def spd_path(locator: tuple) -> tuple:
    """An SPD violation's locator as an attribute path."""
    if not locator:
        return ("security_group_policy",)
    i, rest = locator[0], locator[1:]
    if not rest:
        return ("security_group_policy", i)
    if rest[:1] == ("local",):
        return ("security_group_policy", i, "local_cidr_block")
    return ("security_group_policy", i, "remote_cidr_block") + tuple(rest[1:])


def spd_policies(value: Any) -> list[rules.SpdPolicy] | None:
    """The SPD as rules' policies (unknown ranges as None), or None when not known at all."""
    items = known(value)
    if items is None:
        return None
    out = []
    for item in items:
        item = known(item) or {}
        remotes = known(item.get("remote_cidr_block"))
        out.append(rules.SpdPolicy(known(item.get("local_cidr_block")),
                                   tuple(known(r) for r in remotes) if remotes is not None else ()))
    return out


def spd_summary(v: rules.Violation) -> str:
    if v.code == rules.LIMIT_EXCEEDED:
        return "Limit exceeded"
    if v.rule == "cidr-syntax":
        return "Invalid CIDR block"
    return "Invalid SPD policy"


class VpnConnection(ResourceType):
    type_name = "tencentcloud_vpn_connection"
    noun = "VPN connection"
    describe_by_id = ("DescribeVpnConnections", "VpnConnectionIds", "VpnConnectionSet",
                      "VpnConnectionId")
    computed_blocks = frozenset({"bgp_config", "health_check_config"})
    block = Block(attributes={
        "id": ID,
        "name": required(V.STRING),
        "vpn_gateway_id": required(V.STRING, force_new=True),
        "customer_gateway_id": required(V.STRING, force_new=True),
        "vpc_id": optional(V.STRING, force_new=True),
        "pre_share_key": required(V.STRING, sensitive=True),
        "ike_proto_encry_algorithm": optional(V.STRING, default=rules.IKE_DEFAULTS["PropoEncryAlgorithm"]),
        "ike_proto_authen_algorithm": optional(V.STRING, default=rules.IKE_DEFAULTS["PropoAuthenAlgorithm"]),
        "ike_exchange_mode": optional(V.STRING, default=rules.IKE_DEFAULTS["ExchangeMode"]),
        "ike_local_identity": optional(V.STRING, default=rules.IKE_DEFAULTS["LocalIdentity"]),
        "ike_remote_identity": optional(V.STRING, default=rules.IKE_DEFAULTS["RemoteIdentity"]),
        "ike_local_address": optional(V.STRING),
        "ike_remote_address": optional(V.STRING),
        "ike_local_fqdn_name": optional(V.STRING, computed=True),
        "ike_remote_fqdn_name": optional(V.STRING, computed=True),
        "ike_dh_group_name": optional(V.STRING, default=rules.IKE_DEFAULTS["DhGroupName"]),
        "ike_sa_lifetime_seconds": optional(V.NUMBER, default=rules.IKE_DEFAULTS["IKESaLifetimeSeconds"]),
        "ike_version": optional(V.STRING, default=rules.IKE_DEFAULTS["IKEVersion"]),
        "ipsec_encrypt_algorithm": optional(V.STRING, default=rules.IPSEC_DEFAULTS["EncryptAlgorithm"]),
        "ipsec_integrity_algorithm": optional(V.STRING, default=rules.IPSEC_DEFAULTS["IntegrityAlgorith"]),
        "ipsec_sa_lifetime_seconds": optional(V.NUMBER,
                                              default=rules.IPSEC_DEFAULTS["IPSECSaLifetimeSeconds"]),
        "ipsec_pfs_dh_group": optional(V.STRING, default=rules.IPSEC_DEFAULTS["PfsDhGroup"]),
        "ipsec_sa_lifetime_traffic": optional(V.NUMBER,
                                              default=rules.IPSEC_DEFAULTS["IPSECSaLifetimeTraffic"]),
        "dpd_enable": optional(V.NUMBER, computed=True),
        "dpd_timeout": optional(V.NUMBER, computed=True),
        "dpd_action": optional(V.STRING, computed=True),
        "route_type": optional(V.STRING, computed=True, force_new=True),
        "negotiation_type": optional(V.STRING, computed=True),
        "enable_health_check": optional(V.BOOL, computed=True),
        "health_check_local_ip": optional(V.STRING, computed=True),
        "health_check_remote_ip": optional(V.STRING, computed=True),
        "tags": TAGS,
        "is_ccn_type": computed(V.BOOL),
        "state": computed(V.STRING),
        "net_status": computed(V.STRING),
        "vpn_proto": computed(V.STRING),
        "encrypt_proto": computed(V.STRING),
        "create_time": computed(V.STRING),
    }, block_types={
        "security_group_policy": SPD_BLOCK,
        "bgp_config": BGP_BLOCK,
        "health_check_config": HEALTH_BLOCK,
    })

    # -- checks ------------------------------------------------------------------------------
    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "VPN connection name")
        psk = known(config.get("pre_share_key"))
        if psk == "":
            d.error("Invalid pre-shared key", "The pre-shared key must not be empty. Set the "
                    "key both ends of the tunnel share.", path=("pre_share_key",))
        policies = spd_policies(config.get("security_group_policy"))
        if policies is not None:
            for v in (rules.check_spd_syntax(policies) + rules.check_spd_rules(policies)
                      + rules.check_spd_limits(policies)):
                d.error(spd_summary(v), v.message, path=spd_path(v.locator))
        enums = [
            ("ike_proto_encry_algorithm", rules.check_ike_encryption,
             "Unsupported IKE encryption algorithm"),
            ("ike_proto_authen_algorithm", rules.check_ike_authentication,
             "Unsupported IKE authentication algorithm"),
            ("ike_exchange_mode", rules.check_exchange_mode, "Unsupported IKE exchange mode"),
            ("ike_local_identity", lambda v: rules.check_identity(v, "local"),
             "Unsupported IKE identity"),
            ("ike_remote_identity", lambda v: rules.check_identity(v, "remote"),
             "Unsupported IKE identity"),
            ("ike_dh_group_name", rules.check_dh_group, "Unsupported DH group"),
            ("ike_version", rules.check_ike_version, "Unsupported IKE version"),
            ("ipsec_encrypt_algorithm", rules.check_ipsec_encryption,
             "Unsupported IPsec encryption algorithm"),
            ("ipsec_integrity_algorithm", rules.check_ipsec_integrity,
             "Unsupported IPsec integrity algorithm"),
            ("ipsec_pfs_dh_group", rules.check_pfs_group, "Unsupported PFS group"),
            ("dpd_action", rules.check_dpd_action, "Invalid DPD setting"),
            ("route_type", rules.check_route_type, "Unsupported route type"),
            ("negotiation_type", rules.check_negotiation_type, "Unsupported negotiation type"),
        ]
        for attr, fn, summary in enums:
            check(d, fn(known(config.get(attr))), summary, (attr,))
        numbers = [
            ("ike_sa_lifetime_seconds", rules.check_ike_sa_lifetime, "Invalid SA lifetime"),
            ("ipsec_sa_lifetime_seconds", rules.check_ipsec_sa_lifetime, "Invalid SA lifetime"),
            ("ipsec_sa_lifetime_traffic", rules.check_ipsec_sa_lifetime_traffic,
             "Invalid SA lifetime"),
            ("dpd_enable", rules.check_dpd_enable, "Invalid DPD setting"),
            ("dpd_timeout", rules.check_dpd_timeout, "Invalid DPD setting"),
        ]
        for attr, fn, summary in numbers:
            check(d, fn(num(config.get(attr))), summary, (attr,))
        for side in ("local", "remote"):
            addr = config.get(f"ike_{side}_address")
            fqdn = config.get(f"ike_{side}_fqdn_name")
            ident = config.get(f"ike_{side}_identity")
            if known(addr) is not None and known(fqdn) is not None:
                d.error("Conflicting configuration arguments",
                        f"The arguments ike_{side}_address and ike_{side}_fqdn_name cannot "
                        f"both be set. Keep the one that matches ike_{side}_identity.",
                        path=(f"ike_{side}_fqdn_name",))
            if known(ident) == "FQDN" and fqdn is None:
                d.error("Missing required argument",
                        f'With ike_{side}_identity = "FQDN", the argument ike_{side}_fqdn_name '
                        f'is required. Set it, or set ike_{side}_identity = "ADDRESS".',
                        path=(f"ike_{side}_fqdn_name",))
            check(d, rules.check_ike_identity(side, known(ident), known(addr), known(fqdn)),
                  "Invalid IKE identity", (f"ike_{side}_address",))
        hc = first(known(config.get("health_check_config")))
        if hc:
            ranges = (("probe_interval", rules.PROBE_INTERVAL, "The probe interval"),
                      ("probe_threshold", rules.PROBE_THRESHOLD, "The probe threshold"),
                      ("probe_timeout", rules.PROBE_TIMEOUT, "The probe timeout"))
            for attr, lo_hi, label in ranges:
                check(d, rules.check_range(num(hc.get(attr)), *lo_hi, label),
                      "Invalid health check setting", ("health_check_config", 0, attr))
            check(d, rules.check_enum(known(hc.get("probe_type")),
                                      rules.HEALTH_CHECK_PROBE_TYPES, "Health check probe type"),
                  "Invalid health check setting", ("health_check_config", 0, "probe_type"))
        bgp = config.get("bgp_config")
        check(d, rules.check_bgp_config(known(config.get("route_type")),
                                        None if V.is_unknown(bgp) else bool(known(bgp))),
              "Missing required argument", ("bgp_config",))
        return d

    # -- requests ----------------------------------------------------------------------------
    @staticmethod
    def _spd_request(planned: dict) -> list[dict]:
        return [{"LocalCidrBlock": p["local_cidr_block"],
                 "RemoteCidrBlock": list(p["remote_cidr_block"] or [])}
                for p in known(planned.get("security_group_policy")) or []]

    @staticmethod
    def _ike_request(planned: dict) -> dict:
        spec = {"PropoEncryAlgorithm": known(planned.get("ike_proto_encry_algorithm")),
                "PropoAuthenAlgorithm": known(planned.get("ike_proto_authen_algorithm")),
                "ExchangeMode": known(planned.get("ike_exchange_mode")),
                "LocalIdentity": known(planned.get("ike_local_identity")),
                "RemoteIdentity": known(planned.get("ike_remote_identity")),
                "DhGroupName": known(planned.get("ike_dh_group_name")),
                "IKESaLifetimeSeconds": num(planned.get("ike_sa_lifetime_seconds")),
                "IKEVersion": known(planned.get("ike_version"))}
        for side, key in (("local", "Local"), ("remote", "Remote")):
            if known(planned.get(f"ike_{side}_identity")) == "FQDN":
                spec[f"{key}FqdnName"] = known(planned.get(f"ike_{side}_fqdn_name"))
            else:
                spec[f"{key}Address"] = known(planned.get(f"ike_{side}_address"))
        return {k: v for k, v in spec.items() if v is not None}

    @staticmethod
    def _ipsec_request(planned: dict) -> dict:
        spec = {"EncryptAlgorithm": known(planned.get("ipsec_encrypt_algorithm")),
                "IntegrityAlgorith": known(planned.get("ipsec_integrity_algorithm")),
                "IPSECSaLifetimeSeconds": num(planned.get("ipsec_sa_lifetime_seconds")),
                "PfsDhGroup": known(planned.get("ipsec_pfs_dh_group")),
                "IPSECSaLifetimeTraffic": num(planned.get("ipsec_sa_lifetime_traffic"))}
        return {k: v for k, v in spec.items() if v is not None}

    @staticmethod
    def _dpd_request(planned: dict) -> dict:
        timeout = num(planned.get("dpd_timeout"))
        return {"DpdEnable": num(planned.get("dpd_enable")),
                "DpdTimeout": None if timeout is None else str(timeout),
                "DpdAction": known(planned.get("dpd_action"))}

    @staticmethod
    def _health_request(planned: dict) -> dict:
        hc = first(known(planned.get("health_check_config")))
        config = None
        if hc:
            config = {k: v for k, v in {
                "ProbeType": known(hc.get("probe_type")),
                "ProbeInterval": num(hc.get("probe_interval")),
                "ProbeThreshold": num(hc.get("probe_threshold")),
                "ProbeTimeout": num(hc.get("probe_timeout"))}.items() if v is not None} or None
        return {"EnableHealthCheck": known(planned.get("enable_health_check")),
                "HealthCheckLocalIp": known(planned.get("health_check_local_ip")) or None,
                "HealthCheckRemoteIp": known(planned.get("health_check_remote_ip")) or None,
                "HealthCheckConfig": config}

    # -- CRUD --------------------------------------------------------------------------------
    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        gw_id = planned["vpn_gateway_id"]
        gw = lasting_gateway(ctx, gw_id)  # its type; the read-back takes its public IP
        if gw is None:
            raise CloudApiError("ResourceNotFound", f"VPN gateway {gw_id} does not exist.")
        bgp = first(known(planned.get("bgp_config")))
        body = ctx.client.call(
            "CreateVpnConnection", VpnConnectionName=planned["name"],
            VpcId=None if gw.get("Type") in rules.CCN_GATEWAY_TYPES else known(planned.get("vpc_id")),
            VpnGatewayId=gw_id, CustomerGatewayId=planned["customer_gateway_id"],
            PreShareKey=planned["pre_share_key"],
            SecurityPolicyDatabases=self._spd_request(planned) or None,
            IKEOptionsSpecification=self._ike_request(planned),
            IPSECOptionsSpecification=self._ipsec_request(planned),
            RouteType=known(planned.get("route_type")),
            NegotiationType=known(planned.get("negotiation_type")),
            BgpConfig=None if not bgp else {"TunnelCidr": bgp["tunnel_cidr"],
                                            "LocalBgpIp": bgp["local_bgp_ip"],
                                            "RemoteBgpIp": bgp["remote_bgp_ip"]},
            Tags=tags_to_api(known(planned.get("tags")), token),
            **self._dpd_request(planned), **self._health_request(planned))
        conn_id = (body.get("VpnConnection") or {}).get("VpnConnectionId") or ""
        if conn_id:  # the wait for AVAILABLE starts from the answer
            ctx.keep_fresh("DescribeVpnConnections", conn_id, body["VpnConnection"])
        if not conn_id:
            # The cloud may answer before the ID exists: find the tunnel by its endpoints.
            filters = [{"Name": "vpn-gateway-id", "Values": [gw_id]},
                       {"Name": "customer-gateway-id", "Values": [planned["customer_gateway_id"]]}]
            if known(planned.get("vpc_id")):
                filters.append({"Name": "vpc-id", "Values": [planned["vpc_id"]]})
            found = ctx.wait_for(
                "the new VPN connection's ID",
                lambda: ctx.client.call("DescribeVpnConnections", Filters=filters)
                .get("VpnConnectionSet") or [],
                lambda items: any(c.get("VpnConnectionName") == planned["name"] for c in items))
            conn_id = next(c["VpnConnectionId"] for c in found
                           if c.get("VpnConnectionName") == planned["name"])
        return conn_id

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        # DescribeVpnConnections has no tag filter: narrow by gateway, match the TagSet.
        return find_by_token(ctx, "DescribeVpnConnections", "VpnConnectionSet",
                             "VpnConnectionId", token, [
                                 {"Name": "vpn-gateway-id", "Values": [planned["vpn_gateway_id"]]}])

    def after_create(self, ctx: Context, id: str, planned: dict) -> None:
        c = ctx.wait_for(f"VPN connection {id} to become AVAILABLE",
                         lambda: self._describe(ctx, id),
                         lambda c: c is not None and c.get("State") == "AVAILABLE")
        ctx.keep_fresh("DescribeVpnConnections", id, c)  # the read-back's answer

    @staticmethod
    def _describe(ctx: Context, id: str) -> dict | None:
        return describe_one(ctx, "DescribeVpnConnections", "VpnConnectionIds", "VpnConnectionSet",
                            id)

    def read_ahead(self, ctx: Context, priors: list[dict]) -> None:
        """The tunnels, then the gateways they name (and the customer gateways whose
        address a read takes as the remote address's default)."""
        super().read_ahead(ctx, priors)
        conns = [(p, ctx.known.get(("DescribeVpnConnections", p.get("id")))) for p in priors]
        conns = [(p, c) for p, c in conns if c is not None]
        ctx.describe_many("DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet",
                          "VpnGatewayId", (c.get("VpnGatewayId") for _, c in conns))
        ctx.describe_many("DescribeCustomerGateways", "CustomerGatewayIds",
                          "CustomerGatewaySet", "CustomerGatewayId",
                          (c.get("CustomerGatewayId") for p, c in conns
                           if p.get("ike_remote_address") is None
                           and (c.get("IKEOptionsSpecification") or {}).get("RemoteAddress")))

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        c = self._describe(ctx, prior["id"])
        if c is None:
            return None
        gw = lasting_gateway(ctx, c["VpnGatewayId"]) or {}
        ike = c.get("IKEOptionsSpecification") or {}
        ipsec = c.get("IPSECOptionsSpecification") or {}
        local_default = gw.get("PublicIpAddress")
        remote_default = None
        if prior.get("ike_remote_address") is None and ike.get("RemoteAddress"):
            cgw = lasting_customer_gateway(ctx, c["CustomerGatewayId"]) or {}
            remote_default = cgw.get("IpAddress")
        route_type = c.get("RouteType") or ""
        if route_type in SPD_UNREAD_ROUTE_TYPES:
            spd = prior.get("security_group_policy") or []
        else:
            spd = [{"local_cidr_block": s["LocalCidrBlock"],
                    "remote_cidr_block": list(s.get("RemoteCidrBlock") or [])}
                   for s in c.get("SecurityPolicyDatabaseSet") or []]
        bgp = c.get("BgpConfig") or None
        hc = c.get("HealthCheckConfig") or None
        timeout = str(c.get("DpdTimeout") or "")
        return {
            "id": c["VpnConnectionId"], "name": c["VpnConnectionName"],
            "vpn_gateway_id": c["VpnGatewayId"], "customer_gateway_id": c["CustomerGatewayId"],
            "vpc_id": keep_null(prior.get("vpc_id"), c.get("VpcId")),
            "pre_share_key": c.get("PreShareKey", ""),
            "security_group_policy": spd,
            "ike_proto_encry_algorithm": ike.get("PropoEncryAlgorithm"),
            "ike_proto_authen_algorithm": ike.get("PropoAuthenAlgorithm"),
            "ike_exchange_mode": ike.get("ExchangeMode"),
            "ike_local_identity": ike.get("LocalIdentity"),
            "ike_remote_identity": ike.get("RemoteIdentity"),
            "ike_local_address": keep_null(prior.get("ike_local_address"),
                                           ike.get("LocalAddress"), local_default),
            "ike_remote_address": keep_null(prior.get("ike_remote_address"),
                                            ike.get("RemoteAddress"), remote_default),
            "ike_local_fqdn_name": ike.get("LocalFqdnName", ""),
            "ike_remote_fqdn_name": ike.get("RemoteFqdnName", ""),
            "ike_dh_group_name": ike.get("DhGroupName"),
            "ike_sa_lifetime_seconds": ike.get("IKESaLifetimeSeconds"),
            "ike_version": ike.get("IKEVersion"),
            "ipsec_encrypt_algorithm": ipsec.get("EncryptAlgorithm"),
            "ipsec_integrity_algorithm": ipsec.get("IntegrityAlgorith")
            or ipsec.get("IntegrityAlgorithm"),
            "ipsec_sa_lifetime_seconds": ipsec.get("IPSECSaLifetimeSeconds"),
            "ipsec_pfs_dh_group": ipsec.get("PfsDhGroup"),
            "ipsec_sa_lifetime_traffic": ipsec.get("IPSECSaLifetimeTraffic"),
            "dpd_enable": c.get("DpdEnable"),
            "dpd_timeout": int(timeout) if timeout.lstrip("-").isdigit() else None,
            "dpd_action": c.get("DpdAction"),
            "route_type": route_type,
            "negotiation_type": c.get("NegotiationType", ""),
            "bgp_config": [{"tunnel_cidr": bgp.get("TunnelCidr"),
                            "local_bgp_ip": bgp.get("LocalBgpIp"),
                            "remote_bgp_ip": bgp.get("RemoteBgpIp")}] if bgp else [],
            "health_check_config": [{"probe_type": hc.get("ProbeType"),
                                     "probe_interval": hc.get("ProbeInterval"),
                                     "probe_threshold": hc.get("ProbeThreshold"),
                                     "probe_timeout": hc.get("ProbeTimeout")}] if hc else [],
            "enable_health_check": bool(c.get("EnableHealthCheck")),
            "health_check_local_ip": c.get("HealthCheckLocalIp", ""),
            "health_check_remote_ip": c.get("HealthCheckRemoteIp", ""),
            "tags": tags_from_api(c.get("TagSet"), prior.get("tags")),
            "is_ccn_type": gw.get("Type") in rules.CCN_GATEWAY_TYPES,
            "state": c.get("State", ""), "net_status": c.get("NetStatus", ""),
            "vpn_proto": c.get("VpnProto", ""), "encrypt_proto": c.get("EncryptProto", ""),
            "create_time": c.get("CreatedTime", ""),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        params: dict = {}
        if changed(prior, planned, "name"):
            params["VpnConnectionName"] = planned["name"]
        if changed(prior, planned, "pre_share_key"):
            params["PreShareKey"] = planned["pre_share_key"]
        if changed(prior, planned, *HEALTH_ATTRS):
            params.update(self._health_request(planned))
        if changed(prior, planned, "security_group_policy"):
            params["SecurityPolicyDatabases"] = self._spd_request(planned)
        if changed(prior, planned, *DPD_ATTRS):
            params.update(self._dpd_request(planned))
        if changed(prior, planned, *IKE_ATTRS):
            params["IKEOptionsSpecification"] = self._ike_request(planned)
        if changed(prior, planned, *IPSEC_ATTRS):
            params["IPSECOptionsSpecification"] = self._ipsec_request(planned)
        if changed(prior, planned, "negotiation_type") and known(planned.get("negotiation_type")):
            params["NegotiationType"] = planned["negotiation_type"]
        if any(v is not None for v in params.values()):
            ctx.client.call("ModifyVpnConnectionAttribute", VpnConnectionId=prior["id"], **params)
        update_tags(ctx, "vpnx", prior["id"], prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        cid = prior["id"]
        current = self._describe(ctx, cid)
        if current is None:
            return
        if current.get("State") == "PENDING":
            ctx.wait_for(f"VPN connection {cid} to leave PENDING", lambda: self._describe(ctx, cid),
                         lambda c: c is None or c.get("State") != "PENDING")
        ctx.client.call("DeleteVpnConnection", extra_retry_codes=RETRY_INVALID_STATE,
                        VpnConnectionId=cid, VpnGatewayId=current["VpnGatewayId"])
        self.wait_gone(ctx, f"VPN connection {cid}", lambda: self._describe(ctx, cid))


RESOURCE = VpnConnection()
