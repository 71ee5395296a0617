"""Cisco ASA: crypto map + ACL with netmasks, a tunnel-group per peer, IKEv1 or IKEv2."""

from __future__ import annotations

from .model import Tunnel
from .vendor import Vendor, check_range, cli_psk, header, pick, refuse

TITLE = "Cisco ASA"
IKE_ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes",
                  "AES-CBC-192": "aes-192", "AES-CBC-256": "aes-256"}
IKEV1_HASH = {"MD5": "md5", "SHA1": "sha"}
IKEV2_INTEGRITY = {"MD5": "md5", "SHA1": "sha", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}
IKEV1_GROUPS = {f"GROUP{n}": str(n) for n in (1, 2, 5, 14)}
IKEV2_GROUPS = {f"GROUP{n}": str(n) for n in (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)}
PFS_GROUPS = {f"GROUP{n}": f"group{n}" for n in (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)}
IKEV1_ESP_ENCRYPTION = {"DES-CBC": "esp-des", "3DES-CBC": "esp-3des", "AES-CBC-128": "esp-aes",
                        "AES-CBC-192": "esp-aes-192", "AES-CBC-256": "esp-aes-256",
                        "NULL": "esp-null"}
IKEV1_ESP_INTEGRITY = {"MD5": "esp-md5-hmac", "SHA1": "esp-sha-hmac"}
IKEV2_ESP_ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes",
                        "AES-CBC-192": "aes-192", "AES-CBC-256": "aes-256", "NULL": "null"}
IKEV2_ESP_INTEGRITY = {"MD5": "md5", "SHA1": "sha-1", "SHA-256": "sha-256", "SHA-384": "sha-384",
                       "SHA-512": "sha-512"}


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    if t.local_id.is_fqdn or t.peer_id.is_fqdn:
        raise refuse(TITLE, "use an FQDN identity per tunnel (its IKE identity is global)",
                     "choose ADDRESS identities")
    cid, nameif, cmap = t.short_id, t.interface or "outside", "TC-MAP"
    acl, ts = f"TC-SPD-{cid}", f"TC-TS-{cid}"
    out = header(t, TITLE, "!", (f"The interface's nameif is taken to be {nameif}; if it "
                                 "already has a crypto map, use its name.",))
    for p in t.pairs:
        out.append(f"access-list {acl} extended permit ip {p.local.network_address} "
                   f"{p.local.netmask} {p.remote.network_address} {p.remote.netmask}")
    v = t.ike_version
    ike_life = check_range(t.ike.lifetime_seconds, 120, 2147483647, "IKE SA lifetime", TITLE)
    if v == 1:
        out += ["crypto ikev1 policy 10", " authentication pre-share",
                f" encryption {pick(IKE_ENCRYPTION, t.ike.encryption, 'IKEv1 encryption algorithm', TITLE)}",
                f" hash {pick(IKEV1_HASH, t.ike.integrity, 'IKEv1 hash algorithm', TITLE)}",
                f" group {pick(IKEV1_GROUPS, t.ike.dh_group, 'IKEv1 DH group', TITLE)}",
                f" lifetime {ike_life}",
                f"crypto ikev1 enable {nameif}"]
        enc = pick(IKEV1_ESP_ENCRYPTION, t.ipsec.encryption, "IKEv1 IPsec encryption algorithm",
                   TITLE)
        integ = pick(IKEV1_ESP_INTEGRITY, t.ipsec.integrity, "IKEv1 IPsec integrity algorithm",
                     TITLE)
        out.append(f"crypto ipsec ikev1 transform-set {ts} {enc} {integ}")
    else:
        integ = pick(IKEV2_INTEGRITY, t.ike.integrity, "IKEv2 integrity algorithm", TITLE)
        out += ["crypto ikev2 policy 10",
                f" encryption {pick(IKE_ENCRYPTION, t.ike.encryption, 'IKEv2 encryption algorithm', TITLE)}",
                f" integrity {integ}",
                f" group {pick(IKEV2_GROUPS, t.ike.dh_group, 'IKEv2 DH group', TITLE)}",
                f" prf {integ}",
                f" lifetime seconds {ike_life}",
                f"crypto ikev2 enable {nameif}",
                f"crypto ipsec ikev2 ipsec-proposal {ts}",
                " protocol esp encryption "
                + pick(IKEV2_ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm",
                       TITLE),
                " protocol esp integrity "
                + pick(IKEV2_ESP_INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm",
                       TITLE)]
    out += [f"tunnel-group {t.peer_ip} type ipsec-l2l", f"tunnel-group {t.peer_ip} ipsec-attributes"]
    if v == 1:
        out.append(f" ikev1 pre-shared-key {psk}")
    else:
        out += [f" ikev2 remote-authentication pre-shared-key {psk}",
                f" ikev2 local-authentication pre-shared-key {psk}"]
    out.append(f" isakmp keepalive threshold {t.dpd.interval} retry {t.dpd.retries}"
               if t.dpd.enabled else " isakmp keepalive disable")
    entry = f"crypto map {cmap} 10"
    out += [f"{entry} match address {acl}", f"{entry} set peer {t.peer_ip}",
            f"{entry} set ikev{v} {'transform-set' if v == 1 else 'ipsec-proposal'} {ts}"]
    if v == 1 and t.aggressive:
        out.append(f"{entry} set ikev1 phase1-mode aggressive")
    if t.ipsec.pfs_group:
        pfs = pick(PFS_GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
        out.append(f"{entry} set pfs {pfs}")
    secs = check_range(t.ipsec.lifetime_seconds, 120, 2147483647, "IPsec SA lifetime", TITLE)
    out.append(f"{entry} set security-association lifetime seconds {secs}")
    if t.ipsec.lifetime_kilobytes:
        kb = check_range(t.ipsec.lifetime_kilobytes, 10, 2147483647,
                         "IPsec SA traffic lifetime", TITLE, "KB")
        out.append(f"{entry} set security-association lifetime kilobytes {kb}")
    out += [f"crypto map {cmap} interface {nameif}", ""]
    return "\n".join(out)


VENDOR = Vendor("cisco-asa", TITLE, "cisco", "asa", "V9.8", "outside", render)
