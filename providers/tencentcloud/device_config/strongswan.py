"""strongSwan (swanctl.conf): the cloud gateway's own strongSwan connection mirrored, so
the IDC side and the dataplane agree by construction (providers.tencentcloud
.strongswan_tunnel and providers.swankit own the keywords and the file syntax)."""

from __future__ import annotations

from ..strongswan_tunnel import ProposalError, idc_swanctl
from .model import Tunnel, UnsupportedChoice
from .vendor import Vendor

TITLE = "strongSwan"


def _identity_fields(side: str, kind: str, value: str) -> dict:
    return {f"{side}Identity": kind, f"{side}Address": "" if kind == "FQDN" else value,
            f"{side}FqdnName": value if kind == "FQDN" else ""}


def as_api(t: Tunnel) -> tuple[dict, dict, dict]:
    """The (connection, gateway, customer gateway) the model was read from, in the API's
    cloud-side shape that strongswan_tunnel takes."""
    conn = {
        "VpnConnectionId": t.connection_id, "VpnConnectionName": t.connection_name,
        "PreShareKey": t.psk,
        "IKEOptionsSpecification": {
            "PropoEncryAlgorithm": t.ike.encryption, "PropoAuthenAlgorithm": t.ike.integrity,
            "DhGroupName": t.ike.dh_group, "IKESaLifetimeSeconds": t.ike.lifetime_seconds,
            "IKEVersion": f"IKEV{t.ike_version}",
            "ExchangeMode": "AGGRESSIVE" if t.aggressive else "MAIN",
            **_identity_fields("Local", t.peer_id.kind, t.peer_id.value),
            **_identity_fields("Remote", t.local_id.kind, t.local_id.value)},
        "IPSECOptionsSpecification": {
            "EncryptAlgorithm": t.ipsec.encryption, "IntegrityAlgorith": t.ipsec.integrity,
            "PfsDhGroup": f"DH-{t.ipsec.pfs_group}" if t.ipsec.pfs_group else "NULL",
            "IPSECSaLifetimeSeconds": t.ipsec.lifetime_seconds,
            "IPSECSaLifetimeTraffic": t.ipsec.lifetime_kilobytes},
        "SecurityPolicyDatabaseSet": [
            {"LocalCidrBlock": str(p.remote), "RemoteCidrBlock": [str(n) for n in p.locals]}
            for p in t.spd],
        "DpdEnable": int(t.dpd.enabled), "DpdTimeout": str(t.dpd.timeout),
        "DpdAction": t.dpd.action,
        "NegotiationType": "passive" if t.device_initiates else "active",
    }
    return (conn, {"VpnGatewayId": t.gateway_id, "PublicIpAddress": t.peer_ip},
            {"CustomerGatewayId": t.customer_gateway_id, "IpAddress": t.local_ip})


def render(t: Tunnel) -> str:
    try:
        return idc_swanctl(*as_api(t))
    except ProposalError as err:
        raise UnsupportedChoice(f"{str(err).rstrip('.')}.") from None


VENDOR = Vendor("strongswan", TITLE, "strongswan", "strongswan", "5.9", "eth0", render)
