"""One VPN connection as the IDC device sees it: the vendor-neutral model every vendor's
configuration is rendered from (pure: no I/O).

Built once from the cloud's stored objects (gateway, customer gateway, connection) and
already mirrored: "local" is the device, "peer" is the cloud VPN gateway. Algorithm values
keep the cloud API's names (``AES-CBC-128``, ``SHA1``, ``GROUP14``); each vendor's module
maps them to its own keywords.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


class UnsupportedChoice(ValueError):
    """A tunnel option a vendor cannot express; the message names the option, the value
    and the vendor, and never holds the pre-shared key."""


@dataclass(frozen=True)
class Identity:
    kind: str  # "ADDRESS" or "FQDN"
    value: str  # an IPv4 address, or a domain name

    @property
    def is_fqdn(self) -> bool:
        return self.kind == "FQDN"


@dataclass(frozen=True)
class IkeProposal:
    encryption: str  # e.g. "AES-CBC-128"
    integrity: str  # "MD5", "SHA1", "SHA-256", … ("SHA" is read as "SHA1")
    dh_group: str  # e.g. "GROUP14"
    lifetime_seconds: int


@dataclass(frozen=True)
class IpsecProposal:
    encryption: str  # e.g. "AES-CBC-128", "NULL"
    integrity: str
    pfs_group: str | None  # e.g. "GROUP14"; None when PFS is off
    lifetime_seconds: int
    lifetime_kilobytes: int  # 0 when the cloud sets no traffic lifetime


@dataclass(frozen=True)
class Dpd:
    enabled: bool
    timeout: int  # seconds without an answer before the peer is declared dead
    action: str  # "clear" or "restart"

    @property
    def interval(self) -> int:
        """Seconds between probes: the timeout spread over ``retries`` probes."""
        return max(1, self.timeout // self.retries)

    @property
    def retries(self) -> int:
        return 3


@dataclass(frozen=True)
class SelectorPair:
    """One IPsec SA's traffic selectors, from the device's side."""

    local: ipaddress.IPv4Network  # an IDC range (the cloud's RemoteCidrBlock)
    remote: ipaddress.IPv4Network  # a VPC range (the cloud's LocalCidrBlock)
    policy: int  # 1-based index of the SPD policy it comes from
    index: int  # 1-based index of the pair inside that policy


@dataclass(frozen=True)
class SpdPolicy:
    remote: ipaddress.IPv4Network  # the VPC range
    locals: tuple[ipaddress.IPv4Network, ...]  # the IDC ranges paired with it


@dataclass(frozen=True)
class Tunnel:
    connection_id: str
    connection_name: str
    gateway_id: str
    customer_gateway_id: str
    interface: str  # the device's outside interface (the request's InterfaceName)
    local_ip: str  # the device's public IP (the customer gateway's)
    peer_ip: str  # the cloud VPN gateway's public IP
    psk: str
    local_id: Identity  # the device's own identity (the cloud's RemoteIdentity)
    peer_id: Identity  # the cloud's identity (the cloud's LocalIdentity)
    ike_version: int  # 1 or 2
    aggressive: bool  # IKEv1 exchange mode
    ike: IkeProposal
    ipsec: IpsecProposal
    dpd: Dpd
    device_initiates: bool  # the cloud side waits (NegotiationType passive)
    spd: tuple[SpdPolicy, ...]

    @property
    def pairs(self) -> list[SelectorPair]:
        """Every SPD pair, one per IDC range of each policy, never merged."""
        return [SelectorPair(local, p.remote, i, j)
                for i, p in enumerate(self.spd, 1) for j, local in enumerate(p.locals, 1)]

    @property
    def short_id(self) -> str:
        """The connection ID without its ``vpnx-`` prefix, for length-limited names."""
        return self.connection_id.removeprefix("vpnx-")


def _net(text: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(str(text), strict=False)


def _identity(kind: str, address: str, fqdn: str) -> Identity:
    kind = (kind or "ADDRESS").upper()
    return Identity(kind, fqdn if kind == "FQDN" else address)


def _integrity(value: str) -> str:
    value = str(value or "").upper()
    return "SHA1" if value == "SHA" else value


def tunnel(gateway: dict, customer_gateway: dict, conn: dict, interface: str = "") -> Tunnel:
    """The device's view of ``conn`` (stored API objects: VpnGateway, CustomerGateway,
    VpnConnection)."""
    ike, ipsec = conn["IKEOptionsSpecification"], conn["IPSECOptionsSpecification"]
    peer_ip = gateway["PublicIpAddress"]
    local_ip = customer_gateway.get("IpAddress") or ike.get("RemoteAddress") or ""
    pfs = str(ipsec.get("PfsDhGroup") or "NULL").upper().removeprefix("DH-")
    dpd_timeout = str(conn.get("DpdTimeout") or "30")
    return Tunnel(
        connection_id=conn["VpnConnectionId"],
        connection_name=conn.get("VpnConnectionName") or "",
        gateway_id=gateway.get("VpnGatewayId") or "",
        customer_gateway_id=customer_gateway.get("CustomerGatewayId") or "",
        interface=interface,
        local_ip=local_ip,
        peer_ip=peer_ip,
        psk=conn["PreShareKey"],
        local_id=_identity(ike["RemoteIdentity"], ike.get("RemoteAddress") or local_ip,
                           ike.get("RemoteFqdnName") or ""),
        peer_id=_identity(ike["LocalIdentity"], ike.get("LocalAddress") or peer_ip,
                          ike.get("LocalFqdnName") or ""),
        ike_version=2 if str(ike["IKEVersion"]).upper() == "IKEV2" else 1,
        aggressive=str(ike.get("ExchangeMode") or "MAIN").upper() == "AGGRESSIVE",
        ike=IkeProposal(str(ike["PropoEncryAlgorithm"]).upper(),
                        _integrity(ike["PropoAuthenAlgorithm"]),
                        str(ike["DhGroupName"]).upper(), int(ike["IKESaLifetimeSeconds"])),
        ipsec=IpsecProposal(str(ipsec["EncryptAlgorithm"]).upper(),
                            _integrity(ipsec.get("IntegrityAlgorith")
                                       or ipsec.get("IntegrityAlgorithm")),
                            None if pfs == "NULL" else pfs,
                            int(ipsec["IPSECSaLifetimeSeconds"]),
                            int(ipsec.get("IPSECSaLifetimeTraffic") or 0)),
        dpd=Dpd(int(conn.get("DpdEnable") or 0) == 1,
                int(dpd_timeout) if dpd_timeout.isdigit() else 30,
                str(conn.get("DpdAction") or "clear")),
        device_initiates=conn.get("NegotiationType") == "passive",
        spd=tuple(SpdPolicy(_net(s["LocalCidrBlock"]),
                            tuple(_net(r) for r in s["RemoteCidrBlock"]))
                  for s in conn.get("SecurityPolicyDatabaseSet") or []),
    )
