"""VPN data sources: ``tencentcloud_vpn_gateways``, ``tencentcloud_vpn_customer_gateways``,
``tencentcloud_vpn_connections``, ``tencentcloud_vpn_gateway_routes`` and
``tencentcloud_vpn_customer_gateway_vendors`` and ``tencentcloud_vpn_default_health_check_ip``."""

from __future__ import annotations

from engine import values as V
from engine.schema import Block

from ..resources.base import Context, computed, optional, required
from .base import DataSource, ValuesDataSource, filters, id_from, sensitive, tag_map

S, N, B = V.STRING, V.NUMBER, V.BOOL
TAGS = V.MapType(V.STRING)


def _tags_argument(what: str):
    return optional(TAGS, description=f"Only {what} with all these tags.")


# --- tencentcloud_vpn_customer_gateway_vendors -----------------------------------------------

def _vendors(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.call("DescribeCustomerGatewayVendors").get("CustomerGatewayVendorSet")
    return [{"platform": v["Platform"], "software_version": v["SoftwareVersion"],
             "vendor_name": v["VendorName"]} for v in items or []]


VENDORS = DataSource(
    "tencentcloud_vpn_customer_gateway_vendors", {}, "customer_gateway_vendor_set",
    Block(attributes={"platform": computed(S), "software_version": computed(S),
                      "vendor_name": computed(S)}),
    _vendors, id_of=lambda ctx, items: "vendors-" + ctx.region,
    description="The IPsec device vendors whose configuration the cloud can render.")


# --- tencentcloud_vpn_gateways ---------------------------------------------------------------

def _gateways(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeVpnGateways", "VpnGatewaySet", Filters=filters(
        config, {"id": "vpn-gateway-id", "name": "vpn-gateway-name",
                 "public_ip_address": "public-ip-address", "zone": "zone", "vpc_id": "vpc-id"}))
    return [{"id": g["VpnGatewayId"], "name": g["VpnGatewayName"],
             "public_ip_address": g.get("PublicIpAddress", ""), "vpc_id": g.get("VpcId", ""),
             "bandwidth": g.get("InternetMaxBandwidthOut"), "type": g.get("Type", ""),
             "charge_type": g.get("InstanceChargeType", ""),
             "prepaid_renew_flag": g.get("RenewFlag", ""), "zone": g.get("Zone", ""),
             "state": g.get("State", ""), "expired_time": g.get("ExpiredTime", ""),
             "is_address_blocked": bool(g.get("IsAddressBlocked")),
             "new_purchase_plan": g.get("NewPurchasePlan", ""),
             "restrict_state": g.get("RestrictState", ""),
             "create_time": g.get("CreatedTime", ""), "tags": tag_map(g.get("TagSet"))}
            for g in items]


GATEWAYS = DataSource(
    "tencentcloud_vpn_gateways",
    {"id": optional(S, description="ID of the VPN gateway."),
     "name": optional(S, description="Name of the VPN gateway."),
     "public_ip_address": optional(S, description="Public IP address of the VPN gateway."),
     "zone": optional(S, description="Zone of the VPN gateway."),
     "vpc_id": optional(S, description="ID of the VPC."),
     "tags": _tags_argument("VPN gateways")},
    "gateway_list",
    Block(attributes={n: computed(t) for n, t in {
        "id": S, "name": S, "public_ip_address": S, "vpc_id": S, "bandwidth": N, "type": S,
        "charge_type": S, "prepaid_renew_flag": S, "zone": S, "state": S, "expired_time": S,
        "is_address_blocked": B, "new_purchase_plan": S, "restrict_state": S,
        "create_time": S, "tags": TAGS}.items()}),
    _gateways, description="The VPN gateways found.")


# --- tencentcloud_vpn_customer_gateways ------------------------------------------------------

def _customer_gateways(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeCustomerGateways", "CustomerGatewaySet",
                                    Filters=filters(config, {
                                        "id": "customer-gateway-id",
                                        "name": "customer-gateway-name",
                                        "public_ip_address": "ip-address"}))
    return [{"id": g["CustomerGatewayId"], "name": g["CustomerGatewayName"],
             "public_ip_address": g.get("IpAddress", ""), "tags": tag_map(g.get("TagSet")),
             "create_time": g.get("CreatedTime", "")} for g in items]


CUSTOMER_GATEWAYS = DataSource(
    "tencentcloud_vpn_customer_gateways",
    {"id": optional(S, description="ID of the customer gateway."),
     "name": optional(S, description="Name of the customer gateway."),
     "public_ip_address": optional(S, description="Public IP address of the customer gateway."),
     "tags": _tags_argument("customer gateways")},
    "gateway_list",
    Block(attributes={"id": computed(S), "name": computed(S), "public_ip_address": computed(S),
                      "tags": computed(TAGS), "create_time": computed(S)}),
    _customer_gateways, description="The customer gateways found.")


# --- tencentcloud_vpn_connections ------------------------------------------------------------

SPD = V.ObjectType({"local_cidr_block": S, "remote_cidr_block": V.ListType(S)})


def _connections(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeVpnConnections", "VpnConnectionSet",
                                    Filters=filters(config, {
                                        "id": "vpn-connection-id",
                                        "name": "vpn-connection-name",
                                        "vpn_gateway_id": "vpn-gateway-id",
                                        "customer_gateway_id": "customer-gateway-id",
                                        "vpc_id": "vpc-id"}))
    out = []
    for c in items:
        ike = c.get("IKEOptionsSpecification") or {}
        ipsec = c.get("IPSECOptionsSpecification") or {}
        out.append({
            "id": c["VpnConnectionId"], "name": c["VpnConnectionName"],
            "vpc_id": c.get("VpcId", ""), "vpn_gateway_id": c["VpnGatewayId"],
            "customer_gateway_id": c["CustomerGatewayId"],
            "pre_share_key": c.get("PreShareKey", ""),
            "route_type": c.get("RouteType", ""), "state": c.get("State", ""),
            "net_status": c.get("NetStatus", ""), "vpn_proto": c.get("VpnProto", ""),
            "encrypt_proto": c.get("EncryptProto", ""), "create_time": c.get("CreatedTime", ""),
            "tags": tag_map(c.get("TagSet")),
            "security_group_policy": [
                {"local_cidr_block": s["LocalCidrBlock"],
                 "remote_cidr_block": list(s.get("RemoteCidrBlock") or [])}
                for s in c.get("SecurityPolicyDatabaseSet") or []],
            "ike_proto_encry_algorithm": ike.get("PropoEncryAlgorithm", ""),
            "ike_proto_authen_algorithm": ike.get("PropoAuthenAlgorithm", ""),
            "ike_exchange_mode": ike.get("ExchangeMode", ""),
            "ike_local_identity": ike.get("LocalIdentity", ""),
            "ike_remote_identity": ike.get("RemoteIdentity", ""),
            "ike_local_address": ike.get("LocalAddress", ""),
            "ike_remote_address": ike.get("RemoteAddress", ""),
            "ike_local_fqdn_name": ike.get("LocalFqdnName", ""),
            "ike_remote_fqdn_name": ike.get("RemoteFqdnName", ""),
            "ike_dh_group_name": ike.get("DhGroupName", ""),
            "ike_sa_lifetime_seconds": ike.get("IKESaLifetimeSeconds"),
            "ike_version": ike.get("IKEVersion", ""),
            "ipsec_encrypt_algorithm": ipsec.get("EncryptAlgorithm", ""),
            "ipsec_integrity_algorithm": ipsec.get("IntegrityAlgorith")
            or ipsec.get("IntegrityAlgorithm", ""),
            "ipsec_sa_lifetime_seconds": ipsec.get("IPSECSaLifetimeSeconds"),
            "ipsec_pfs_dh_group": ipsec.get("PfsDhGroup", ""),
            "ipsec_sa_lifetime_traffic": ipsec.get("IPSECSaLifetimeTraffic"),
        })
    return out


CONNECTION = Block(attributes={
    **{n: computed(t) for n, t in {
        "id": S, "name": S, "vpc_id": S, "vpn_gateway_id": S, "customer_gateway_id": S,
        "route_type": S, "state": S, "net_status": S, "vpn_proto": S, "encrypt_proto": S,
        "create_time": S, "tags": TAGS, "security_group_policy": V.ListType(SPD),
        "ike_proto_encry_algorithm": S, "ike_proto_authen_algorithm": S,
        "ike_exchange_mode": S, "ike_local_identity": S, "ike_remote_identity": S,
        "ike_local_address": S, "ike_remote_address": S, "ike_local_fqdn_name": S,
        "ike_remote_fqdn_name": S, "ike_dh_group_name": S, "ike_sa_lifetime_seconds": N,
        "ike_version": S, "ipsec_encrypt_algorithm": S, "ipsec_integrity_algorithm": S,
        "ipsec_sa_lifetime_seconds": N, "ipsec_pfs_dh_group": S,
        "ipsec_sa_lifetime_traffic": N}.items()},
    # The API returns the key, as for the resource; it is marked, never shown.
    "pre_share_key": sensitive(S, "Pre-shared key of the tunnel."),
})

CONNECTIONS = DataSource(
    "tencentcloud_vpn_connections",
    {"id": optional(S, description="ID of the VPN connection."),
     "name": optional(S, description="Name of the VPN connection."),
     "vpn_gateway_id": optional(S, description="ID of the VPN gateway."),
     "customer_gateway_id": optional(S, description="ID of the customer gateway."),
     "vpc_id": optional(S, description="ID of the VPC."),
     "tags": _tags_argument("VPN connections")},
    "connection_list", CONNECTION, _connections, description="The VPN connections found.")


# --- tencentcloud_vpn_gateway_routes ---------------------------------------------------------

def _gateway_routes(ctx: Context, config: dict) -> list[dict]:
    gateway = config["vpn_gateway_id"]
    items = ctx.client.describe_all("DescribeVpnGatewayRoutes", "Routes", VpnGatewayId=gateway,
                                    Filters=filters(config, {
                                        "destination_cidr": "DestinationCidr",
                                        "instance_type": "InstanceType",
                                        "instance_id": "InstanceId"}, tags=False))
    return [{"destination_cidr_block": r["DestinationCidrBlock"],
             "instance_type": r["InstanceType"], "instance_id": r["InstanceId"],
             "priority": r["Priority"], "status": r["Status"], "route_id": r.get("RouteId", ""),
             "type": r.get("Type", ""), "create_time": r.get("CreateTime", ""),
             "update_time": r.get("UpdateTime", "")} for r in items]


GATEWAY_ROUTES = DataSource(
    "tencentcloud_vpn_gateway_routes",
    {"vpn_gateway_id": required(S, description="ID of the VPN gateway."),
     "destination_cidr": optional(S, description="Destination IDC range."),
     "instance_type": optional(S, description="Next hop type: VPNCONN or CCN."),
     "instance_id": optional(S, description="ID of the next hop.")},
    "vpn_gateway_route_list",
    Block(attributes={n: computed(t) for n, t in {
        "destination_cidr_block": S, "instance_type": S, "instance_id": S, "priority": N,
        "status": S, "route_id": S, "type": S, "create_time": S, "update_time": S}.items()}),
    _gateway_routes, id_of=id_from("route_id"),
    description="The routes of the VPN gateway found.")



# --- tencentcloud_vpn_default_health_check_ip ------------------------------------------------

def _health_check_ips(ctx: Context, config: dict) -> dict:
    got = ctx.client.call("GenerateVpnConnectionDefaultHealthCheckIp",
                          VpnGatewayId=config["vpn_gateway_id"])
    return {"health_check_local_ip": got["HealthCheckLocalIp"],
            "health_check_remote_ip": got["HealthCheckRemoteIp"]}


DEFAULT_HEALTH_CHECK_IP = ValuesDataSource(
    "tencentcloud_vpn_default_health_check_ip",
    {"vpn_gateway_id": required(S, description="The VPN gateway the tunnel will use.")},
    {"health_check_local_ip": computed(S, "A free local health check address (cloud side)."),
     "health_check_remote_ip": computed(S, "A free remote health check address (IDC side).")},
    _health_check_ips, id_of=lambda ctx, config: str(config["vpn_gateway_id"]))

ALL = [VENDORS, GATEWAYS, CUSTOMER_GATEWAYS, CONNECTIONS, GATEWAY_ROUTES, DEFAULT_HEALTH_CHECK_IP]
