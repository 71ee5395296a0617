"""Huawei USG firewalls (VRP): ACL, IKE proposal and peer, IPsec proposal and policy,
applied on the outside interface."""

from __future__ import annotations

from .model import Tunnel
from .vendor import Vendor, cli_psk, header, pick, saved_config

TITLE = "Huawei USG (VRP)"
IKE_ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes-128",
                  "AES-CBC-192": "aes-192", "AES-CBC-256": "aes-256"}
IKEV1_INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha2-256", "SHA-384": "sha2-384",
                   "SHA-512": "sha2-512"}
IKEV2_INTEGRITY = {"MD5": "hmac-md5-96", "SHA1": "hmac-sha1-96", "SHA-256": "hmac-sha2-256",
                   "SHA-384": "hmac-sha2-384", "SHA-512": "hmac-sha2-512"}
IKEV2_PRF = {"MD5": "hmac-md5", "SHA1": "hmac-sha1", "SHA-256": "hmac-sha2-256",
             "SHA-384": "hmac-sha2-384", "SHA-512": "hmac-sha2-512"}
GROUPS = {f"GROUP{n}": f"group{n}" for n in (1, 2, 5, 14)}
ESP_ENCRYPTION = {**IKE_ENCRYPTION, "SM4": "sm4"}
ESP_INTEGRITY = {**IKEV1_INTEGRITY, "SM3": "sm3"}


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    name = f"tc-{t.short_id}"
    out = header(t, TITLE, "#", ("Also allow the subnets between trust and untrust, UDP "
                                 "500/4500 and ESP from local to untrust, and exempt them "
                                 "from NAT.",))
    out.append("acl number 3000")
    out += [f" rule {5 * n} permit ip source {p.local.network_address} {p.local.hostmask} "
            f"destination {p.remote.network_address} {p.remote.hostmask}"
            for n, p in enumerate(t.pairs, 1)]
    out += [" quit", "ike proposal 10",
            " encryption-algorithm "
            + pick(IKE_ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE)]
    if t.ike_version == 1:
        out.append(" authentication-algorithm "
                   + pick(IKEV1_INTEGRITY, t.ike.integrity, "IKE authentication algorithm",
                          TITLE))
    else:
        out += [" integrity-algorithm "
                + pick(IKEV2_INTEGRITY, t.ike.integrity, "IKEv2 integrity algorithm", TITLE),
                " prf " + pick(IKEV2_PRF, t.ike.integrity, "IKEv2 PRF", TITLE)]
    out += [f" dh {pick(GROUPS, t.ike.dh_group, 'DH group', TITLE)}",
            " authentication-method pre-share",
            f" sa duration {t.ike.lifetime_seconds}", " quit",
            f"ike peer {name}",
            " undo version 2" if t.ike_version == 1 else " undo version 1"]
    if t.ike_version == 1:
        out.append(f" exchange-mode {'aggressive' if t.aggressive else 'main'}")
    out += [f" pre-shared-key {psk}", " ike-proposal 10", f" remote-address {t.peer_ip}"]
    if t.local_id.is_fqdn:
        out += [" local-id-type fqdn", f" local-id {t.local_id.value}"]
    else:
        out.append(" local-id-type ip")
    if t.peer_id.is_fqdn:
        out += [" remote-id-type fqdn", f" remote-id {t.peer_id.value}"]
    if t.dpd.enabled:
        out += [" dpd type periodic", f" dpd idle-time {t.dpd.interval}"]
    out += [" quit", f"ipsec proposal {name}", " transform esp", " encapsulation-mode tunnel",
            " esp authentication-algorithm "
            + pick(ESP_INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE),
            " esp encryption-algorithm "
            + pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE),
            " quit", "ipsec policy tc-map 10 isakmp", " security acl 3000",
            f" ike-peer {name}", f" proposal {name}"]
    if t.ipsec.pfs_group:
        pfs = pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
        out.append(f" pfs dh-{pfs}")
    out.append(f" sa duration time-based {t.ipsec.lifetime_seconds}")
    if t.ipsec.lifetime_kilobytes:
        out.append(f" sa duration traffic-based {t.ipsec.lifetime_kilobytes}")
    out += [" quit", f"interface {t.interface or 'GigabitEthernet1/0/1'}",
            " ipsec policy tc-map", " quit"]
    return saved_config(out)


VENDOR = Vendor("huawei", TITLE, "huawei", "vrp", "V5.1", "GigabitEthernet1/0/1", render)
