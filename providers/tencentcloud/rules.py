"""The VPN product's rules as pure functions, shared by plan-time checks and the emulator.

Every check takes plain values and returns a list of ``Violation`` (empty when fine). A
value of ``None`` stands for "not known yet": checks that need it are skipped. Messages are
full sentences naming the rule and suggesting a fix; the emulator returns them as the
cloud's error message and the provider as a diagnostic's detail.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Iterable, Sequence

# --- error codes (the cloud's) --------------------------------------------------------
INVALID_VALUE = "InvalidParameterValue"
MALFORMED = "InvalidParameterValue.Malformed"
OUT_OF_RANGE = "InvalidParameterValue.Range"
TOO_LONG = "InvalidParameterValue.TooLong"
EMPTY = "InvalidParameterValue.Empty"
SPD_LOCAL_PEER_CONFLICT = "InvalidParameterValue.VpnConnSpdCidrConflict"
SPD_OVERLAP = "UnsupportedOperation.VpnConnSPDOverlap"
SPD_VPC_CONFLICT = "InvalidParameterValue.VpnConnCidrConflict"
LIMIT_EXCEEDED = "LimitExceeded"
BANDWIDTH_MODIFY = "UnsupportedOperation.VpnUnsupportedModifyBandwidth"
SUBNET_RANGE = "InvalidParameterValue.SubnetRange"
SUBNET_OVERLAP = "InvalidParameterValue.SubnetOverlap"
VPC_CIDR_CONFLICT = "InvalidParameterValue.VpcCidrConflict"


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``locator`` points into the checked input, e.g. (policy index,
    "remote", peer index) for an SPD; the caller turns it into an attribute path."""

    code: str
    message: str
    rule: str
    locator: tuple = ()


@dataclass(frozen=True)
class SpdPolicy:
    """One SPD policy: a local range and its peer ranges (None = not known yet)."""

    local: str | None
    remotes: tuple = ()


# --- CIDR helpers -------------------------------------------------------------------------

def parse_cidr(text: object) -> ipaddress.IPv4Network | None:
    """The IPv4 network ``text`` names (canonical form required), or None."""
    if not isinstance(text, str) or "/" not in text:
        return None
    return _parse_cidr(text)


# Networks are immutable: a tunnel's create checks its SPD against every tunnel of its
# gateway, so the same few blocks are parsed again and again.
@functools.lru_cache(maxsize=16384)
def _parse_cidr(text: str) -> ipaddress.IPv4Network | None:
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None
    return net if isinstance(net, ipaddress.IPv4Network) else None


def overlaps(a: str, b: str) -> bool:
    """Whether two CIDR blocks share any address (False if either does not parse)."""
    na, nb = parse_cidr(a), parse_cidr(b)
    return bool(na and nb and na.overlaps(nb))


def check_cidr(text: str | None, what: str = "CIDR block", locator: tuple = ()) -> list[Violation]:
    """A CIDR block must be an IPv4 network in canonical form (no host bits set)."""
    if text is None:
        return []
    if parse_cidr(text) is not None:
        return []
    fix = "Write an IPv4 network such as 10.0.1.0/24."
    if isinstance(text, str) and "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
            if isinstance(net, ipaddress.IPv4Network):
                fix = f"Write the network, {net}."
        except ValueError:
            pass
    return [Violation(MALFORMED,
                      f"{what} {text!r} is not a valid IPv4 network in CIDR notation: the "
                      f"address must be the network's first address, like 10.0.1.0/24. {fix}",
                      "cidr-syntax", locator)]


# --- SPD rules ------------------------------------------------------------------------------

def _as_policies(policies: Iterable) -> list[SpdPolicy]:
    out = []
    for p in policies:
        if isinstance(p, SpdPolicy):
            out.append(p)
        else:
            local, remotes = p
            out.append(SpdPolicy(local, tuple(remotes or ())))
    return out


def check_spd_syntax(policies: Iterable) -> list[Violation]:
    """Every local and peer range must be a canonical CIDR block."""
    out: list[Violation] = []
    for i, p in enumerate(_as_policies(policies)):
        out += check_cidr(p.local, "Local range", (i, "local"))
        for j, r in enumerate(p.remotes):
            out += check_cidr(r, "Peer range", (i, "remote", j))
    return out


def check_spd_rules(policies: Iterable) -> list[Violation]:
    """SPD rules 1–3 (within one tunnel); ranges that are unknown or malformed are skipped."""
    pols = _as_policies(policies)
    out: list[Violation] = []
    for i, p in enumerate(pols):
        local = parse_cidr(p.local)
        remotes = [parse_cidr(r) for r in p.remotes]
        if local is not None:
            for j, r in enumerate(remotes):
                if r is not None and r.overlaps(local):
                    out.append(Violation(
                        SPD_LOCAL_PEER_CONFLICT,
                        f"Peer range {r} overlaps local range {local} in the same SPD policy "
                        "(SPD rule 1: within a policy, the local range and the peer ranges "
                        f"must not overlap). Choose a peer range outside {local}.",
                        "spd-1", (i, "remote", j)))
        for j, r in enumerate(remotes):
            if r is None:
                continue
            for k in range(j):
                other = remotes[k]
                if other is not None and other.overlaps(r):
                    out.append(Violation(
                        SPD_OVERLAP,
                        f"Peer ranges {other} and {r} under local range {p.local} overlap "
                        "(SPD rule 3: the peer ranges listed for one local range must not "
                        "overlap each other). Remove one of them or merge them into one range.",
                        "spd-3", (i, "remote", j)))
                    break
    for i, p in enumerate(pols):
        local = parse_cidr(p.local)
        if local is None:
            continue
        for k in range(i):
            other = parse_cidr(pols[k].local)
            if other is not None and other.overlaps(local):
                out.append(Violation(
                    SPD_OVERLAP,
                    f"Local range {local} overlaps local range {other} of another SPD policy "
                    "(SPD rule 2: across the policies of one tunnel, local ranges must not "
                    "overlap). Merge the two policies or choose local ranges that do not "
                    "overlap.",
                    "spd-2", (i, "local")))
                break
    return out


def check_spd_vpc(policies: Iterable, vpc_cidr: str | None) -> list[Violation]:
    """SPD rule 4: no peer range may overlap the VPC's own CIDR."""
    vpc = parse_cidr(vpc_cidr)
    if vpc is None:
        return []
    out = []
    for i, p in enumerate(_as_policies(policies)):
        for j, r in enumerate(p.remotes):
            net = parse_cidr(r)
            if net is not None and net.overlaps(vpc):
                out.append(Violation(
                    SPD_VPC_CONFLICT,
                    f"Peer range {net} overlaps the VPC's CIDR {vpc} (SPD rule 4: no peer "
                    f"range may overlap the VPC's own CIDR). Choose a peer range outside {vpc}.",
                    "spd-4", (i, "remote", j)))
    return out


def check_spd_limits(policies: Iterable) -> list[Violation]:
    """The per-tunnel limits: SPD policies per tunnel, peer ranges per policy."""
    pols = _as_policies(policies)
    # Located at the first policy past the limit, and at a policy's peer ranges as a whole:
    # they are a set, whose order is not the order written, so "the 51st" would be any.
    cap = LIMITS["spd_policies_per_tunnel"].maximum
    out = [Violation(v.code, v.message, v.rule, (cap,))
           for v in check_spd_policies_per_tunnel(len(pols))]
    for i, p in enumerate(pols):
        out += [Violation(v.code, v.message, v.rule, (i, "remote"))
                for v in check_peers_per_spd_policy(len(p.remotes))]
    return out


def check_spd(policies: Iterable, vpc_cidr: str | None = None) -> list[Violation]:
    """Everything about one tunnel's SPD: syntax, rules 1–4 and the per-tunnel limits."""
    pols = _as_policies(policies)
    return (check_spd_syntax(pols) + check_spd_rules(pols) + check_spd_vpc(pols, vpc_cidr)
            + check_spd_limits(pols))


# --- customer gateway address ---------------------------------------------------------------

def check_customer_gateway_ip(address: str | None) -> list[Violation]:
    """The IDC's public IP must be a unicast IPv4 address a tunnel can reach."""
    if address is None:
        return []
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return [Violation(MALFORMED,
                          f"{address!r} is not an IPv4 address. Give the public IPv4 address "
                          "of the IDC's IPsec device, like 203.0.113.10.",
                          "cgw-ip-format")]
    o = ip.packed
    reason = None
    if o[0] == 0:
        reason = "addresses starting with 0 are reserved"
    elif ip in ipaddress.IPv4Network("224.0.0.0/4"):
        reason = "it is a multicast address (224.0.0.0/4)"
    elif ip in ipaddress.IPv4Network("127.0.0.0/8"):
        reason = "it is a loopback address (127.0.0.0/8)"
    elif ip in ipaddress.IPv4Network("169.254.0.0/16"):
        reason = "it is a link-local address (169.254.0.0/16)"
    elif 1 <= o[0] <= 126 and (o[1:] == b"\x00\x00\x00" or o[1:] == b"\xff\xff\xff"):
        reason = "it is the network or broadcast address of a class A network"
    elif 128 <= o[0] <= 191 and (o[2:] == b"\x00\x00" or o[2:] == b"\xff\xff"):
        reason = "it is the network or broadcast address of a class B network"
    elif 192 <= o[0] <= 223 and o[3] in (0, 255):
        reason = "it is the network or broadcast address of a class C network"
    if reason is None:
        return []
    return [Violation(INVALID_VALUE,
                      f"{address} cannot be a customer gateway address: {reason}. Give the "
                      "public unicast IPv4 address of the IDC's IPsec device.",
                      "cgw-ip-category")]


# --- limits ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    name: str
    maximum: int
    container: str  # "a VPC", "a region", ...
    item: str  # plural noun
    fix: str


LIMITS = {
    "gateways_per_vpc": Limit("VPN gateways per VPC", 10, "a VPC", "VPN gateways",
                              "Delete an unused VPN gateway or place this one in another VPC."),
    "customer_gateways_per_region": Limit(
        "customer gateways per region", 20, "a region", "customer gateways",
        "Reuse an existing customer gateway (one can serve many tunnels) or delete an unused one."),
    "tunnels_per_customer_gateway": Limit(
        "tunnels per customer gateway", 10, "a customer gateway", "tunnels",
        "Delete an unused tunnel or use another customer gateway."),
    "tunnels_per_vpn_gateway": Limit(
        "tunnels per VPN gateway", 20, "a VPN gateway", "tunnels",
        "Delete an unused tunnel or add another VPN gateway."),
    "spd_policies_per_tunnel": Limit(
        "SPD policies per tunnel", 10, "a tunnel", "SPD policies",
        "Merge policies with adjacent local ranges or split the traffic over two tunnels."),
    "peers_per_spd_policy": Limit(
        "peer ranges per SPD policy", 50, "an SPD policy", "peer ranges",
        "Summarise adjacent peer ranges into larger blocks."),
}


def check_limit(kind: str, count: int | None) -> list[Violation]:
    """``count`` is how many there would be after the operation."""
    lim = LIMITS[kind]
    if count is None or count <= lim.maximum:
        return []
    return [Violation(LIMIT_EXCEEDED,
                      f"This would make {count} {lim.item} in {lim.container}, but {lim.container} "
                      f"can hold at most {lim.maximum} (limit: {lim.name}). {lim.fix}",
                      f"limit-{kind}")]


def check_gateways_per_vpc(count: int | None) -> list[Violation]:
    return check_limit("gateways_per_vpc", count)


def check_customer_gateways_per_region(count: int | None) -> list[Violation]:
    return check_limit("customer_gateways_per_region", count)


def check_tunnels_per_customer_gateway(count: int | None) -> list[Violation]:
    return check_limit("tunnels_per_customer_gateway", count)


def check_tunnels_per_vpn_gateway(count: int | None) -> list[Violation]:
    return check_limit("tunnels_per_vpn_gateway", count)


def check_spd_policies_per_tunnel(count: int | None) -> list[Violation]:
    return check_limit("spd_policies_per_tunnel", count)


def check_peers_per_spd_policy(count: int | None) -> list[Violation]:
    return check_limit("peers_per_spd_policy", count)


# --- bandwidth ------------------------------------------------------------------------------

BANDWIDTH_TIERS = (5, 10, 20, 50, 100, 200, 500, 1000)
BANDWIDTH_GROUPS = ((5, 100), (200, 1000))


def check_bandwidth(mbps: int | None) -> list[Violation]:
    if mbps is None or mbps in BANDWIDTH_TIERS:
        return []
    tiers = ", ".join(str(t) for t in BANDWIDTH_TIERS)
    return [Violation(OUT_OF_RANGE,
                      f"A VPN gateway's bandwidth must be one of {tiers} Mbps, not {mbps}. "
                      "Choose the nearest tier.", "bandwidth-tier")]


def check_bandwidth_reset(current: int | None, new: int | None) -> list[Violation]:
    """Bandwidth "can be changed at any time and takes effect immediately" (product rules),
    up or down, to any tier within the same range: 5–100 Mbps or 200–1000 Mbps (the newer
    API's tiers)."""
    if current is None or new is None:
        return []
    bad = check_bandwidth(new)
    if bad or new == current:
        return bad
    for lo, hi in BANDWIDTH_GROUPS:
        if lo <= current <= hi and not lo <= new <= hi:
            return [Violation(BANDWIDTH_MODIFY,
                              f"A VPN gateway's bandwidth can be changed within 5–100 Mbps or "
                              f"within 200–1000 Mbps; {current} to {new} Mbps crosses the two "
                              "ranges. Replace the gateway to get that bandwidth.",
                              "bandwidth-reset")]
    return []


# The tiers of the 5–100 Mbps range have names; the gateway reports them as its quota set.
BANDWIDTH_QUOTA_NAMES = ((5, "mini"), (10, "small"), (20, "middle"), (50, "large"),
                         (100, "superLarge"))
DEFAULT_BANDWIDTH = BANDWIDTH_TIERS[0]


# --- VPN gateway lifecycle --------------------------------------------------------------------

CCN_GATEWAY_TYPES = ("CCN", "SSL_CCN")
# SetVpnGatewaysRenewFlag's AutoRenewFlag -> the gateway's RenewFlag
AUTO_RENEW_FLAGS = {0: "NOTIFY_AND_MANUAL_RENEW", 1: "NOTIFY_AND_AUTO_RENEW",
                    2: "NOT_NOTIFY_AND_NOT_RENEW"}
GATEWAY_VPC_MISSING = "UnsupportedOperation.VpnGwVpcIdMustHave"


def check_gateway_vpc(gateway_type: str | None, in_vpc: bool) -> list[Violation]:
    """A CCN gateway is attached to a CCN and has no VPC; every other type lives in one."""
    gtype = gateway_type or "IPSEC"
    if gtype in CCN_GATEWAY_TYPES and in_vpc:
        return [Violation(INVALID_VALUE, f"A VPN gateway of type {gtype} is attached to a CCN, "
                          "not to a VPC. Give it no VPC.", "gateway-vpc-ccn")]
    if gtype not in CCN_GATEWAY_TYPES and not in_vpc:
        return [Violation(GATEWAY_VPC_MISSING, f"A VPN gateway of type {gtype} lives inside a "
                          "VPC, so it needs one. Give the ID of the gateway's VPC.",
                          "gateway-vpc-missing")]
    return []


def check_charge_type_change(old: str | None, new: str | None) -> list[Violation]:
    """A gateway's charge type can only change from PREPAID to POSTPAID_BY_HOUR."""
    if old is None or new is None or old == new or (old, new) == ("PREPAID", "POSTPAID_BY_HOUR"):
        return []
    return [Violation("UnsupportedOperation",
                      f"The charge type can only change from PREPAID to POSTPAID_BY_HOUR, not "
                      f"from {old} to {new}. Keep the charge type {old}, or create a new "
                      "gateway.", "charge-type-change")]


def check_gateway_deletable(gateway_id: str, charge_type: str | None, expired_time: str | None,
                            now: str) -> list[Violation]:
    """A PREPAID gateway cannot be deleted before it expires (times as "YYYY-MM-DD HH:MM:SS")."""
    if charge_type != "PREPAID" or not expired_time or expired_time <= now:
        return []
    return [Violation("UnsupportedOperation.InvalidState",
                      f"VPN gateway {gateway_id} is PREPAID and expires at {expired_time}; it "
                      "cannot be deleted before then. Change its charge type to "
                      "POSTPAID_BY_HOUR first.", "prepaid-delete")]


def check_no_tunnels(noun: str, id: str, tunnel_ids: Sequence[str]) -> list[Violation]:
    """A VPN gateway or customer gateway that tunnels still use cannot be deleted."""
    if not tunnel_ids:
        return []
    return [Violation("ResourceInUse", f"The {noun} {id} is still used by the tunnel(s) "
                      f"{', '.join(tunnel_ids)}. Delete those tunnels first.", "tunnels-in-use")]


# --- enumerations and ranges ----------------------------------------------------------------

IKE_ENCRYPTION_ALGORITHMS = ("3DES-CBC", "AES-CBC-128", "AES-CBC-192", "AES-CBC-256", "DES-CBC",
                             "SM4", "AES128GCM128", "AES192GCM128", "AES256GCM128")
IKE_AUTHENTICATION_ALGORITHMS = ("MD5", "SHA", "SHA1", "SHA-256", "SHA-512")
IKE_EXCHANGE_MODES = ("MAIN", "AGGRESSIVE")
IKE_IDENTITIES = ("ADDRESS", "FQDN")
# GROUP1/2/5/14/24 are the product's; the newer API adds 15, 16, 19, 20, 21.
DH_GROUPS = ("GROUP1", "GROUP2", "GROUP5", "GROUP14", "GROUP15", "GROUP16", "GROUP19",
             "GROUP20", "GROUP21", "GROUP24")
IKE_VERSIONS = ("IKEV1", "IKEV2")
IPSEC_ENCRYPTION_ALGORITHMS = IKE_ENCRYPTION_ALGORITHMS + ("NULL",)
IPSEC_INTEGRITY_ALGORITHMS = ("MD5", "SHA1", "SHA-256", "SHA-384", "SHA-512", "SM3")
PFS_DH_GROUPS = ("NULL",) + tuple("DH-" + g for g in DH_GROUPS)
ROUTE_TYPES = ("STATIC", "StaticRoute", "Policy", "Bgp")
NEGOTIATION_TYPES = ("active", "passive", "flowTrigger")
DPD_ACTIONS = ("clear", "restart")
GATEWAY_TYPES = ("IPSEC", "SSL", "CCN", "SSL_CCN")
CHARGE_TYPES = ("POSTPAID_BY_HOUR", "PREPAID")
RENEW_FLAGS = ("NOTIFY_AND_AUTO_RENEW", "NOTIFY_AND_MANUAL_RENEW", "NOT_NOTIFY_AND_NOT_RENEW")
PREPAID_PERIODS = (1, 2, 3, 4, 6, 7, 8, 9, 12, 24, 36)
MAX_CONNECTIONS = (5, 10, 20, 50, 100)
ROUTE_NEXT_TYPES = ("CVM", "VPN", "DIRECTCONNECT", "PEERCONNECTION", "SSLVPN", "HAVIP", "NAT",
                    "NORMAL_CVM", "EIP", "CCN", "LOCAL_GATEWAY", "INTRANAT", "USER_CCN",
                    "GWLB_ENDPOINT")
GATEWAY_ROUTE_INSTANCE_TYPES = ("VPNCONN", "CCN")
GATEWAY_ROUTE_PRIORITIES = (0, 100)
GATEWAY_ROUTE_STATUSES = ("ENABLE", "DISABLE")
HEALTH_CHECK_PROBE_TYPES = ("NQA",)
RESERVED_CUSTOMER_ASNS = (139341, 45090, 58835)

IKE_SA_LIFETIME = (60, 604800)
IPSEC_SA_LIFETIME = (180, 604800)
IPSEC_SA_LIFETIME_TRAFFIC_MIN = 2560
DPD_TIMEOUT = (30, 60)
PROBE_INTERVAL = (1000, 5000)
PROBE_THRESHOLD = (3, 8)
PROBE_TIMEOUT = (10, 5000)
BGP_ASN = (1, 4294967295)
NAME_MAX = 60


# What a tunnel negotiates when its IKE or IPsec options are not given (the API's names).
IKE_DEFAULTS = {"PropoEncryAlgorithm": "3DES-CBC", "PropoAuthenAlgorithm": "MD5",
                "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
                "LocalAddress": "", "RemoteAddress": "", "LocalFqdnName": "",
                "RemoteFqdnName": "", "DhGroupName": "GROUP1", "IKESaLifetimeSeconds": 86400,
                "IKEVersion": "IKEV1"}
IPSEC_DEFAULTS = {"EncryptAlgorithm": "3DES-CBC", "IntegrityAlgorith": "MD5",
                  "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "NULL",
                  "IPSECSaLifetimeTraffic": 1843200}


def check_enum(value: object, allowed: Sequence, label: str) -> list[Violation]:
    """``value`` must be one of ``allowed``; ``label`` names the field in the message."""
    if value is None or value in allowed:
        return []
    choices = ", ".join(str(a) for a in allowed)
    return [Violation(INVALID_VALUE,
                      f"{label} {value!r} is not supported. Use one of: {choices}.",
                      "enum")]


def check_range(value: int | None, lo: int | None, hi: int | None, label: str,
                unit: str = "") -> list[Violation]:
    if value is None:
        return []
    u = f" {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, int):
        return [Violation(INVALID_VALUE, f"{label} must be a whole number, not {value!r}. "
                          "Set a whole number.", "range")]
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            want = f"at least {lo}{u}"
        elif lo is None:
            want = f"at most {hi}{u}"
        else:
            want = f"between {lo} and {hi}{u}"
        return [Violation(OUT_OF_RANGE, f"{label} must be {want}, not {value}{u}. Set a "
                          f"value {want}.", "range")]
    return []


def check_ike_encryption(v: str | None) -> list[Violation]:
    return check_enum(v, IKE_ENCRYPTION_ALGORITHMS, "IKE encryption algorithm")


def check_ike_authentication(v: str | None) -> list[Violation]:
    return check_enum(v, IKE_AUTHENTICATION_ALGORITHMS, "IKE authentication algorithm")


def check_exchange_mode(v: str | None) -> list[Violation]:
    return check_enum(v, IKE_EXCHANGE_MODES, "IKE exchange mode")


def check_identity(v: str | None, side: str = "local") -> list[Violation]:
    return check_enum(v, IKE_IDENTITIES, f"IKE {side} identity type")


def check_dh_group(v: str | None) -> list[Violation]:
    return check_enum(v, DH_GROUPS, "DH group")


def check_ike_version(v: str | None) -> list[Violation]:
    return check_enum(v, IKE_VERSIONS, "IKE version")


def check_ipsec_encryption(v: str | None) -> list[Violation]:
    return check_enum(v, IPSEC_ENCRYPTION_ALGORITHMS, "IPsec encryption algorithm")


def check_ipsec_integrity(v: str | None) -> list[Violation]:
    return check_enum(v, IPSEC_INTEGRITY_ALGORITHMS, "IPsec integrity algorithm")


def check_pfs_group(v: str | None) -> list[Violation]:
    return check_enum(v, PFS_DH_GROUPS, "PFS DH group")


def check_route_type(v: str | None) -> list[Violation]:
    return check_enum(v, ROUTE_TYPES, "Route type")


def check_negotiation_type(v: str | None) -> list[Violation]:
    return check_enum(v, NEGOTIATION_TYPES, "Negotiation type")


def check_ike_sa_lifetime(seconds: int | None) -> list[Violation]:
    return check_range(seconds, *IKE_SA_LIFETIME, "The IKE SA lifetime", "seconds")


def check_ipsec_sa_lifetime(seconds: int | None) -> list[Violation]:
    return check_range(seconds, *IPSEC_SA_LIFETIME, "The IPsec SA lifetime", "seconds")


def check_ipsec_sa_lifetime_traffic(kilobytes: int | None) -> list[Violation]:
    return check_range(kilobytes, IPSEC_SA_LIFETIME_TRAFFIC_MIN, None,
                       "The IPsec SA traffic lifetime", "KB")


def check_dpd_enable(v: int | None) -> list[Violation]:
    return check_range(v, 0, 1, "DPD enable")


def check_dpd_timeout(seconds: int | None) -> list[Violation]:
    return check_range(seconds, *DPD_TIMEOUT, "The DPD timeout", "seconds")


def check_dpd_action(v: str | None) -> list[Violation]:
    return check_enum(v, DPD_ACTIONS, "DPD action")


def check_ike_identity(side: str, identity: str | None, address: str | None,
                       fqdn: str | None) -> list[Violation]:
    """ADDRESS identities carry an IPv4 address, FQDN identities a name."""
    if identity == "FQDN" and fqdn == "":
        return [Violation(EMPTY, f"The IKE {side} identity is FQDN but no {side} FQDN name is "
                          "given. Set the FQDN name or use the ADDRESS identity.",
                          "ike-identity")]
    if identity == "ADDRESS" and address:
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            return [Violation(MALFORMED, f"The IKE {side} address {address!r} is not an IPv4 "
                              "address. Set an IPv4 address, or use the FQDN identity.",
                              "ike-identity")]
    return []


def check_name(name: str | None, what: str = "name") -> list[Violation]:
    """Names are 1–60 characters."""
    if name is None:
        return []
    if name == "":
        return [Violation(EMPTY, f"The {what} is empty. Set a name of 1 to {NAME_MAX} "
                          "characters.", "name-length")]
    if len(name) > NAME_MAX:
        return [Violation(TOO_LONG, f"The {what} is {len(name)} characters long; at most "
                          f"{NAME_MAX} are allowed. Shorten it.", "name-length")]
    return []


def check_bgp_asn(asn: int | None, customer: bool = False) -> list[Violation]:
    out = check_range(asn, *BGP_ASN, "The BGP ASN")
    if not out and customer and asn in RESERVED_CUSTOMER_ASNS:
        out = [Violation(INVALID_VALUE, f"BGP ASN {asn} is reserved by the cloud. Use another "
                         "ASN for the customer gateway.", "bgp-asn")]
    return out


def check_bgp_config(route_type: str | None, has_bgp_config: bool | None) -> list[Violation]:
    """A tunnel routed by BGP needs its BGP configuration (None: not known yet)."""
    if route_type != "Bgp" or has_bgp_config is not False:
        return []
    return [Violation("MissingParameter", "A tunnel whose route type is Bgp needs a BGP "
                      "configuration: its tunnel CIDR and the local and remote BGP IPs. Add it, "
                      "or choose another route type.", "bgp-config")]


def check_health_check(probe_type: str | None, interval: int | None, threshold: int | None,
                       timeout: int | None) -> list[Violation]:
    return (check_enum(probe_type, HEALTH_CHECK_PROBE_TYPES, "Health check probe type")
            + check_range(interval, *PROBE_INTERVAL, "The probe interval", "ms")
            + check_range(threshold, *PROBE_THRESHOLD, "The probe threshold")
            + check_range(timeout, *PROBE_TIMEOUT, "The probe timeout", "ms"))


# --- VPC, subnet and route CIDRs --------------------------------------------------------------

PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n)
                       for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
VPC_MAX_PREFIX = 28


def check_vpc_cidr(cidr: str | None) -> list[Violation]:
    if cidr is None:
        return []
    bad = check_cidr(cidr, "The VPC CIDR block")
    if bad:
        return bad
    net = parse_cidr(cidr)
    assert net is not None
    if not any(net.subnet_of(r) for r in PRIVATE_RANGES) or net.prefixlen > VPC_MAX_PREFIX:
        return [Violation(OUT_OF_RANGE,
                          f"A VPC's CIDR block must lie inside 10.0.0.0/8, 172.16.0.0/12 or "
                          f"192.168.0.0/16 with a prefix of at most /{VPC_MAX_PREFIX}; "
                          f"{cidr} does not. Choose a private range such as 10.0.0.0/16.",
                          "vpc-cidr")]
    return []


def check_subnet_cidr(cidr: str | None, vpc_cidr: str | None,
                      siblings: Sequence[str] = ()) -> list[Violation]:
    """A subnet lies inside its VPC's CIDR and overlaps none of the VPC's other subnets."""
    if cidr is None:
        return []
    bad = check_cidr(cidr, "The subnet CIDR block")
    if bad:
        return bad
    net = parse_cidr(cidr)
    vpc = parse_cidr(vpc_cidr)
    assert net is not None
    if vpc is not None and (not net.subnet_of(vpc) or net.prefixlen > VPC_MAX_PREFIX):
        return [Violation(SUBNET_RANGE,
                          f"Subnet {net} must lie inside its VPC's CIDR {vpc} with a prefix of "
                          f"at most /{VPC_MAX_PREFIX}. Choose a range inside {vpc}.",
                          "subnet-range")]
    for other in siblings:
        o = parse_cidr(other)
        if o is not None and o.overlaps(net):
            return [Violation(SUBNET_OVERLAP,
                              f"Subnet {net} overlaps the VPC's existing subnet {o}. Choose a "
                              "range that no other subnet of the VPC uses.", "subnet-overlap")]
    return []


def check_route_destination(cidr: str | None, vpc_cidr: str | None) -> list[Violation]:
    """A route's destination is a canonical CIDR outside the VPC's own range."""
    if cidr is None:
        return []
    bad = check_cidr(cidr, "The route destination")
    if bad:
        return bad
    net, vpc = parse_cidr(cidr), parse_cidr(vpc_cidr)
    if net is not None and vpc is not None and net.subnet_of(vpc):
        return [Violation(VPC_CIDR_CONFLICT,
                          f"Route destination {net} lies inside the VPC's own CIDR {vpc}; "
                          "traffic inside the VPC is routed locally. Route a range outside "
                          f"{vpc}.", "route-destination")]
    return []


# --- regions and zones ---------------------------------------------------------------------

# The public cloud's regions and their availability zones (numbered as the cloud numbers
# them; gaps are zones the cloud has retired). The emulator answers only these regions
# (``UnsupportedRegion`` otherwise) and gives each one a default VPC with a default subnet
# per zone, as a fresh account has.
ZONES: dict[str, tuple[int, ...]] = {
    "ap-guangzhou": (3, 4, 6, 7), "ap-shanghai": (2, 3, 4, 5, 8),
    "ap-beijing": (1, 2, 3, 4, 5, 6, 7), "ap-chengdu": (1, 2), "ap-nanjing": (1, 2, 3),
    "ap-chongqing": (1,), "ap-shenzhen-fsi": (1, 2, 3), "ap-shanghai-fsi": (1, 2, 3),
    "ap-beijing-fsi": (1,), "ap-hongkong": (1, 2, 3), "ap-singapore": (1, 2, 3, 4),
    "ap-seoul": (1, 2), "ap-tokyo": (1, 2), "ap-mumbai": (1, 2), "ap-bangkok": (1, 2),
    "ap-jakarta": (1, 2), "na-siliconvalley": (1, 2), "na-ashburn": (1, 2),
    "na-toronto": (1,), "eu-frankfurt": (1, 2), "eu-moscow": (1,), "sa-saopaulo": (1,),
}
REGIONS = tuple(ZONES)


def zones(region: str) -> list[str]:
    """The zone names of ``region`` (``ap-guangzhou-3``, ...); empty for an unknown region."""
    return [f"{region}-{n}" for n in ZONES.get(region, ())]


# --- billing ----------------------------------------------------------------------------------

MAINLAND_REGIONS = ("ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing",
                    "ap-chongqing", "ap-shenzhen-fsi", "ap-shanghai-fsi", "ap-beijing-fsi")
HOURLY_PRICE_USD = {
    **{r: 0.078 for r in MAINLAND_REGIONS},
    **{r: 0.088 for r in ("ap-hongkong", "ap-seoul", "eu-frankfurt", "na-siliconvalley",
                          "na-ashburn", "ap-mumbai", "ap-tokyo", "eu-moscow")},
    **{r: 0.12 for r in ("ap-singapore", "na-toronto", "ap-bangkok")},
}


DAYS_PER_MONTH = 30  # a prepaid month, for its price and its expiry


def hourly_price(region: str) -> float | None:
    """A VPN gateway's price in USD per hour in ``region`` (bandwidth included), or None for a
    region the price list does not cover. Tunnels and customer gateways are free."""
    return HOURLY_PRICE_USD.get(region)


def prepaid_price(region: str, months: int) -> float | None:
    """What ``months`` of a prepaid VPN gateway cost in ``region``, or None (see hourly_price)."""
    hourly = hourly_price(region)
    return None if hourly is None else round(hourly * 24 * DAYS_PER_MONTH * months, 2)
