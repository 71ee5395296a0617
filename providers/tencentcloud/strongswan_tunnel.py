"""A VPN connection of the cloud's API as a strongSwan connection (pure: no I/O).

A VPN connection as the API stores it (``IKEOptionsSpecification``,
``IPSECOptionsSpecification``, SPD, DPD fields, PSK) becomes one swanctl/VICI connection
dict with one child per SPD policy. The same dict is loaded over VICI into the cloud
gateway's charons (the dataplane) and rendered as swanctl.conf for the IDC side
(``idc_swanctl``: the emulator's strongswan vendor configuration; ``mirror=True`` swaps
the two ends), so both ends agree by construction. Shared by the emulator, the dataplane
and the provider's plan-time checks; the strongSwan side of it (keywords, swanctl.conf)
is providers.swankit's.

Values are strings, lists and dicts only, as VICI and swanctl.conf take them.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass

from providers.swankit import swanctl

# API name -> strongSwan keyword. Only what this strongSwan build can do (plugins aes,
# gcrypt, hmac, md5, sha1, sha2: no gcm, no openssl, no ECP groups, no SM3/SM4).
ENCRYPTION = {"3DES-CBC": "3des", "DES-CBC": "des", "AES-CBC-128": "aes128",
              "AES-CBC-192": "aes192", "AES-CBC-256": "aes256"}
INTEGRITY = {"MD5": "md5", "SHA": "sha1", "SHA1": "sha1", "SHA-256": "sha256",
             "SHA-384": "sha384", "SHA-512": "sha512"}
DH_GROUPS = {"GROUP1": "modp768", "GROUP2": "modp1024", "GROUP5": "modp1536",
             "GROUP14": "modp2048", "GROUP15": "modp3072", "GROUP16": "modp4096",
             "GROUP24": "modp2048s256"}
PFS_GROUPS = {"DH-" + k: v for k, v in DH_GROUPS.items()}

# API values the cloud accepts that this strongSwan cannot negotiate, and why.
_NO_PLUGIN = "this strongSwan build has no {what} (no gcm/openssl plugin)"
NOT_SUPPORTED = {
    "SM4": "SM4 is not implemented by strongSwan",
    "SM3": "SM3 is not implemented by strongSwan",
    "AES128GCM128": _NO_PLUGIN.format(what="AES-GCM"),
    "AES192GCM128": _NO_PLUGIN.format(what="AES-GCM"),
    "AES256GCM128": _NO_PLUGIN.format(what="AES-GCM"),
    "GROUP19": _NO_PLUGIN.format(what="ECP groups (ecp256)"),
    "GROUP20": _NO_PLUGIN.format(what="ECP groups (ecp384)"),
    "GROUP21": _NO_PLUGIN.format(what="ECP groups (ecp521)"),
    "NULL": "the userspace IPsec stack here has no NULL encryption",
}

# Which table answers each option kind.
KINDS = {"ike_encryption": ENCRYPTION, "ike_integrity": INTEGRITY, "dh_group": DH_GROUPS,
         "esp_encryption": ENCRYPTION, "esp_integrity": INTEGRITY,
         "pfs_group": {**PFS_GROUPS, "NULL": ""}}
KIND_LABELS = {"ike_encryption": "IKE encryption algorithm",
               "ike_integrity": "IKE authentication algorithm", "dh_group": "DH group",
               "esp_encryption": "IPsec encryption algorithm",
               "esp_integrity": "IPsec integrity algorithm", "pfs_group": "PFS group"}


class ProposalError(ValueError):
    """An option this strongSwan cannot negotiate (``problems`` lists each one)."""

    def __init__(self, problems: list["Unsupported"]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Unsupported:
    kind: str  # a key of KINDS
    field: str  # the API field, e.g. "IKEOptionsSpecification.PropoEncryAlgorithm"
    value: str

    @property
    def message(self) -> str:
        reason = NOT_SUPPORTED.get(self.value.upper()) or NOT_SUPPORTED.get(
            self.value.upper().removeprefix("DH-")) or "strongSwan has no such algorithm"
        return (f"The {KIND_LABELS[self.kind]} {self.value} cannot run on the strongSwan "
                f"dataplane: {reason}.")


def support_problem(kind: str, value: str | None) -> Unsupported | None:
    """None when ``value`` (an API name of option ``kind``) maps to strongSwan, or is unset."""
    if value is None:
        return None
    table = KINDS[kind]
    if value.upper() in {k.upper() for k in table}:
        return None
    return Unsupported(kind, kind, value)


def _lookup(kind: str, field: str, value: str, problems: list[Unsupported]) -> str:
    table = {k.upper(): v for k, v in KINDS[kind].items()}
    found = table.get(str(value).upper())
    if found is None:
        problems.append(Unsupported(kind, field, str(value)))
        return ""
    return found


def ike_proposal(ike: dict) -> str:
    """``IKEOptionsSpecification`` → an IKE proposal such as ``aes128-sha1-modp1024``."""
    problems: list[Unsupported] = []
    parts = [_lookup("ike_encryption", "IKEOptionsSpecification.PropoEncryAlgorithm",
                     ike["PropoEncryAlgorithm"], problems),
             _lookup("ike_integrity", "IKEOptionsSpecification.PropoAuthenAlgorithm",
                     ike["PropoAuthenAlgorithm"], problems),
             _lookup("dh_group", "IKEOptionsSpecification.DhGroupName", ike["DhGroupName"],
                     problems)]
    if problems:
        raise ProposalError(problems)
    return "-".join(parts)


def esp_proposal(ipsec: dict) -> str:
    """``IPSECOptionsSpecification`` → an ESP proposal; PFS NULL means no DH group."""
    problems: list[Unsupported] = []
    integrity = ipsec.get("IntegrityAlgorith") or ipsec.get("IntegrityAlgorithm")
    parts = [_lookup("esp_encryption", "IPSECOptionsSpecification.EncryptAlgorithm",
                     ipsec["EncryptAlgorithm"], problems),
             _lookup("esp_integrity", "IPSECOptionsSpecification.IntegrityAlgorithm",
                     integrity, problems),
             _lookup("pfs_group", "IPSECOptionsSpecification.PfsDhGroup",
                     ipsec.get("PfsDhGroup") or "NULL", problems)]
    if problems:
        raise ProposalError(problems)
    return "-".join(p for p in parts if p)


def problems_of(conn: dict) -> list[Unsupported]:
    """Every option of a stored connection this strongSwan cannot negotiate."""
    out: list[Unsupported] = []
    for fn, spec in ((ike_proposal, conn["IKEOptionsSpecification"]),
                     (esp_proposal, conn["IPSECOptionsSpecification"])):
        try:
            fn(spec)
        except ProposalError as err:
            out.extend(err.problems)
    return out


# --- identities, children, the connection ------------------------------------------------

def identity(kind: str, address: str, fqdn: str) -> str:
    """An IKE identity as strongSwan spells it: the IP, or ``fqdn:<name>``."""
    if kind == "FQDN":
        return f"fqdn:{fqdn}"
    return address


def child_name(conn_id: str, local_cidr: str) -> str:
    """One child per SPD policy, named by its local range (unique within a tunnel)."""
    # Section names in swanctl.conf cannot hold "." or "/".
    return f"{conn_id}-" + re.sub(r"[^0-9A-Za-z]", "-", local_cidr)


def children_of(conn: dict) -> list[tuple[str, list[str], list[str]]]:
    """(child name, local TS, remote TS) per SPD policy, cloud side."""
    out = []
    for s in conn.get("SecurityPolicyDatabaseSet") or []:
        local = str(ipaddress.IPv4Network(s["LocalCidrBlock"], strict=False))
        remotes = [str(ipaddress.IPv4Network(r, strict=False)) for r in s["RemoteCidrBlock"]]
        out.append((child_name(conn["VpnConnectionId"], local), [local], remotes))
    return out


def _seconds(n: int) -> str:
    return f"{int(n)}s"


def _split_lifetime(total: int) -> tuple[int, int]:
    """(rekey, margin): rekey at 90 % of the lifetime so the SA is replaced before it ends."""
    total = max(int(total), 2)
    rekey = max(1, int(total * 0.9))
    return rekey, total - rekey


def connection(conn: dict, *, gateway_ip: str, customer_ip: str,
               reqids: dict[str, int] | None = None, mirror: bool = False,
               start_action: str = "trap") -> dict:
    """The swanctl/VICI connection ``{name: {...}}`` of one stored VPN connection.

    Cloud side (``mirror=False``): local = the VPN gateway's public IP, remote = the
    customer gateway, local TS = SPD local ranges, remote TS = peer ranges. IDC side
    (``mirror=True``): the two ends swapped. ``reqids`` (child name → reqid) makes each
    child's reqid explicit, so a libipsec "no outbound SA for reqid N" names the child.
    """
    ike, ipsec = conn["IKEOptionsSpecification"], conn["IPSECOptionsSpecification"]
    ike_prop, esp_prop = ike_proposal(ike), esp_proposal(ipsec)
    cloud_id = identity(ike["LocalIdentity"], ike.get("LocalAddress") or gateway_ip,
                        ike.get("LocalFqdnName") or "")
    idc_id = identity(ike["RemoteIdentity"], ike.get("RemoteAddress") or customer_ip,
                      ike.get("RemoteFqdnName") or "")
    local_addr, remote_addr, local_id, remote_id = gateway_ip, customer_ip, cloud_id, idc_id
    if mirror:
        local_addr, remote_addr, local_id, remote_id = customer_ip, gateway_ip, idc_id, cloud_id
    ike_rekey, ike_over = _split_lifetime(ike["IKESaLifetimeSeconds"])
    child_rekey, _ = _split_lifetime(ipsec["IPSECSaLifetimeSeconds"])
    life_bytes = int(ipsec.get("IPSECSaLifetimeTraffic") or 0) * 1024
    dpd_on = int(conn.get("DpdEnable") or 0) == 1
    dpd_timeout = int(str(conn.get("DpdTimeout") or "30")) if dpd_on else 0
    dpd_action = {"clear": "clear", "restart": "restart"}.get(
        str(conn.get("DpdAction") or "clear"), "clear") if dpd_on else "clear"
    version = "2" if ike["IKEVersion"] == "IKEV2" else "1"
    body: dict = {
        "version": version,
        **({"aggressive": "yes" if ike["ExchangeMode"] == "AGGRESSIVE" else "no"}
           if version == "1" else {}),
        "local_addrs": [local_addr],
        "remote_addrs": [remote_addr],
        "proposals": [ike_prop],
        "encap": "yes",
        "unique": "replace",
        "keyingtries": "1",
        "rekey_time": _seconds(ike_rekey),
        "over_time": _seconds(ike_over),
        "dpd_delay": _seconds(math.ceil(dpd_timeout / 3) if dpd_on else 0),
        "local-1": {"auth": "psk", "id": local_id},
        "remote-1": {"auth": "psk", "id": remote_id},
        "children": {},
    }
    if version == "1" and dpd_on:
        body["dpd_timeout"] = _seconds(dpd_timeout)
    for name, local_ts, remote_ts in children_of(conn):
        child: dict = {
            "mode": "tunnel",
            "local_ts": remote_ts if mirror else local_ts,
            "remote_ts": local_ts if mirror else remote_ts,
            "esp_proposals": [esp_prop],
            "rekey_time": _seconds(child_rekey),
            "life_time": _seconds(ipsec["IPSECSaLifetimeSeconds"]),
            "start_action": start_action,
            "dpd_action": dpd_action,
        }
        if life_bytes:
            child["rekey_bytes"] = str(int(life_bytes * 0.9))
            child["life_bytes"] = str(life_bytes)
        if reqids and name in reqids:
            child["reqid"] = str(reqids[name])
        body["children"][name] = child
    return {conn["VpnConnectionId"]: body}


def shared_secret(conn: dict, *, gateway_ip: str, customer_ip: str) -> dict:
    """The VICI ``load-shared`` message of a connection's PSK (owned by both identities
    and both addresses, so main mode finds it before identities are exchanged)."""
    ike = conn["IKEOptionsSpecification"]
    owners = [identity(ike["LocalIdentity"], ike.get("LocalAddress") or gateway_ip,
                       ike.get("LocalFqdnName") or ""),
              identity(ike["RemoteIdentity"], ike.get("RemoteAddress") or customer_ip,
                       ike.get("RemoteFqdnName") or ""),
              gateway_ip, customer_ip]
    return {"id": f"psk-{conn['VpnConnectionId']}", "type": "IKE",
            "data": conn["PreShareKey"], "owners": list(dict.fromkeys(owners))}


def idc_swanctl(conn: dict, gateway: dict, customer_gateway: dict, *,
                start_action: str = "trap") -> str:
    """The IDC device's swanctl.conf for ``conn`` (stored API objects): this module's
    connection mirrored, with its pre-shared key. Raises ProposalError."""
    gw_ip = gateway["PublicIpAddress"]
    cgw_ip = customer_gateway.get("IpAddress") or conn["IKEOptionsSpecification"].get(
        "RemoteAddress", "")
    model = connection(conn, gateway_ip=gw_ip, customer_ip=cgw_ip, mirror=True,
                       start_action=start_action)
    secret = shared_secret(conn, gateway_ip=gw_ip, customer_ip=cgw_ip)
    cid = conn["VpnConnectionId"]
    header = [
        f"swanctl.conf for the IDC side of VPN connection {cid} "
        f"({conn.get('VpnConnectionName', '')})",
        f"cloud VPN gateway {gateway['VpnGatewayId']} at {gw_ip}; this device "
        f"(customer gateway {customer_gateway.get('CustomerGatewayId', '')}) at {cgw_ip}.",
        "Load it with:  swanctl --load-all --file <this file>",
        "It holds the pre-shared key: keep it private. With strongSwan's userspace IPsec",
        "(kernel-libipsec) this host needs an address inside each local_ts range.",
    ]
    return swanctl.render(model, {f"ike-{cid}": secret}, header)
