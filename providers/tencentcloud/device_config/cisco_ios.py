"""Cisco IOS / IOS XE: crypto map + ACL (policy-based), IKEv1 isakmp or IKEv2 profile."""

from __future__ import annotations

from .model import Tunnel
from .vendor import Vendor, check_range, cli_psk, header, is_aead, pick, refuse

TITLE = "Cisco IOS"
IKEV1_ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes 128",
                    "AES-CBC-192": "aes 192", "AES-CBC-256": "aes 256"}
IKEV2_ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes-cbc-128",
                    "AES-CBC-192": "aes-cbc-192", "AES-CBC-256": "aes-cbc-256",
                    "AES128GCM128": "aes-gcm-128", "AES256GCM128": "aes-gcm-256"}
IKEV1_HASH = {"MD5": "md5", "SHA1": "sha", "SHA-256": "sha256", "SHA-384": "sha384",
              "SHA-512": "sha512"}
IKEV2_INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}
GROUPS = {f"GROUP{n}": str(n) for n in (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)}
ESP_ENCRYPTION = {"DES-CBC": "esp-des", "3DES-CBC": "esp-3des", "AES-CBC-128": "esp-aes 128",
                  "AES-CBC-192": "esp-aes 192", "AES-CBC-256": "esp-aes 256",
                  "NULL": "esp-null", "AES128GCM128": "esp-gcm 128",
                  "AES256GCM128": "esp-gcm 256"}
ESP_INTEGRITY = {"MD5": "esp-md5-hmac", "SHA1": "esp-sha-hmac", "SHA-256": "esp-sha256-hmac",
                 "SHA-384": "esp-sha384-hmac", "SHA-512": "esp-sha512-hmac"}


def _ike_identity(kind: str, value: str) -> str:
    return f"fqdn {value}" if kind == "FQDN" else f"address {value}"


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    cid = t.short_id
    ts, acl, cmap = f"TC-TS-{cid}", f"TC-SPD-{cid}", "TC-MAP"
    out = header(t, TITLE, "!", ("If the interface already has a crypto map, add this "
                                 "entry to it under a free sequence number.",))
    if t.ike_version == 1:
        if t.local_id.is_fqdn or t.peer_id.is_fqdn:
            raise refuse(TITLE, "send or match an arbitrary FQDN identity under IKEv1",
                         "choose IKEv2 or ADDRESS identities")
        enc = pick(IKEV1_ENCRYPTION, t.ike.encryption, "IKEv1 encryption algorithm", TITLE)
        out += ["crypto isakmp policy 10",
                f" encryption {enc}",
                f" hash {pick(IKEV1_HASH, t.ike.integrity, 'IKEv1 hash algorithm', TITLE)}",
                " authentication pre-share",
                f" group {pick(GROUPS, t.ike.dh_group, 'DH group', TITLE)}",
                f" lifetime {check_range(t.ike.lifetime_seconds, 60, 86400, 'IKE SA lifetime', TITLE)}"]
        if t.aggressive:
            out += [f"crypto isakmp peer address {t.peer_ip}",
                    f" set aggressive-mode password {psk}",
                    f" set aggressive-mode client-endpoint ipv4-address {t.local_id.value}"]
        else:
            out.append(f"crypto isakmp key {psk} address {t.peer_ip}")
        if t.dpd.enabled:
            out.append(f"crypto isakmp keepalive {t.dpd.interval} {t.dpd.retries} periodic")
    else:
        enc = pick(IKEV2_ENCRYPTION, t.ike.encryption, "IKEv2 encryption algorithm", TITLE)
        integ = pick(IKEV2_INTEGRITY, t.ike.integrity, "IKEv2 integrity algorithm", TITLE)
        group = pick(GROUPS, t.ike.dh_group, "DH group", TITLE)
        life = check_range(t.ike.lifetime_seconds, 120, 86400, "IKEv2 SA lifetime", TITLE)
        # An AEAD proposal has no integrity; the cloud's integrity choice becomes its PRF.
        out += [f"crypto ikev2 proposal TC-IKEV2-PROP-{cid}", f" encryption {enc}",
                f" {'prf' if is_aead(t.ike.encryption) else 'integrity'} {integ}",
                f" group {group}",
                f"crypto ikev2 policy TC-IKEV2-POL-{cid}",
                f" proposal TC-IKEV2-PROP-{cid}",
                f"crypto ikev2 keyring TC-KEYRING-{cid}",
                " peer TC-CLOUD",
                f"  address {t.peer_ip}",
                f"  pre-shared-key {psk}",
                f"crypto ikev2 profile TC-IKEV2-PROF-{cid}"]
        peer = (f"fqdn {t.peer_id.value}" if t.peer_id.is_fqdn
                else f"address {t.peer_id.value} 255.255.255.255")
        out += [f" match identity remote {peer}",
                f" identity local {_ike_identity(t.local_id.kind, t.local_id.value)}",
                " authentication remote pre-share",
                " authentication local pre-share",
                f" keyring local TC-KEYRING-{cid}",
                f" lifetime {life}"]
        if t.dpd.enabled:
            out.append(f" dpd {t.dpd.interval} {t.dpd.retries} periodic")
    esp = [pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE)]
    if not is_aead(t.ipsec.encryption):
        esp.append(pick(ESP_INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE))
    out += ["!", f"crypto ipsec transform-set {ts} {' '.join(esp)}", " mode tunnel", "!",
            f"ip access-list extended {acl}"]
    out += [f" permit ip {p.local.network_address} {p.local.hostmask} "
            f"{p.remote.network_address} {p.remote.hostmask}" for p in t.pairs]
    out += ["!", f"crypto map {cmap} 10 ipsec-isakmp", f" description {t.connection_id}",
            f" set peer {t.peer_ip}", f" set transform-set {ts}"]
    if t.ipsec.pfs_group:
        pfs = pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
        out.append(f" set pfs group{pfs}")
    if t.ike_version == 2:
        out.append(f" set ikev2-profile TC-IKEV2-PROF-{cid}")
    secs = check_range(t.ipsec.lifetime_seconds, 120, 2592000, "IPsec SA lifetime", TITLE)
    out.append(f" set security-association lifetime seconds {secs}")
    if t.ipsec.lifetime_kilobytes:
        kb = check_range(t.ipsec.lifetime_kilobytes, 2560, 4294967295,
                         "IPsec SA traffic lifetime", TITLE, "KB")
        out.append(f" set security-association lifetime kilobytes {kb}")
    out += [f" match address {acl}", "!", f"interface {t.interface or 'GigabitEthernet0/0'}",
            f" crypto map {cmap}", ""]
    return "\n".join(out)


VENDOR = Vendor("cisco-ios", TITLE, "cisco", "ios", "V15.4", "GigabitEthernet0/0", render)
