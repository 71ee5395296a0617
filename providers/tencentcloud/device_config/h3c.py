"""H3C Comware V7: ACL, IKE proposal/keychain/profile (IKEv1) or ikev2 objects, a
transform-set and an IPsec policy applied on the outside interface. The cloud's option
names are nearly Comware's own keywords."""

from __future__ import annotations

from .model import Tunnel
from .vendor import Vendor, cli_psk, header, pick, refuse, saved_config

TITLE = "H3C Comware"
ENCRYPTION = {"DES-CBC": "des-cbc", "3DES-CBC": "3des-cbc", "AES-CBC-128": "aes-cbc-128",
              "AES-CBC-192": "aes-cbc-192", "AES-CBC-256": "aes-cbc-256"}
IKEV1_INTEGRITY = {"MD5": "md5", "SHA1": "sha", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}
IKEV2_INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}
GROUPS = {f"GROUP{n}": f"group{n}" for n in (1, 2, 5, 14, 24)}
ESP_ENCRYPTION = {**ENCRYPTION, "NULL": "null"}
ESP_INTEGRITY = {**IKEV2_INTEGRITY, "SM3": "sm3"}


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    name = f"tc-{t.short_id}"
    if t.ike_version == 2 and t.ipsec.integrity == "SM3":
        raise refuse(TITLE, "use IPsec integrity algorithm SM3 with IKEv2 (SM3 is IKEv1-only)",
                     "choose IKEv1 or a SHA algorithm")
    out = header(t, TITLE, "#")
    out.append("acl advanced 3000")
    out += [f" rule {5 * n} permit ip source {p.local.network_address} {p.local.hostmask} "
            f"destination {p.remote.network_address} {p.remote.hostmask}"
            for n, p in enumerate(t.pairs)]
    out.append(" quit")
    enc = pick(ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE)
    group = pick(GROUPS, t.ike.dh_group, "DH group", TITLE)
    dpd = ([f" dpd interval {t.dpd.interval} retry {t.dpd.retries} periodic"]
           if t.dpd.enabled else [])
    if t.ike_version == 1:
        local = (f"fqdn {t.local_id.value}" if t.local_id.is_fqdn
                 else f"address {t.local_id.value}")
        remote = (f"fqdn {t.peer_id.value}" if t.peer_id.is_fqdn
                  else f"address {t.peer_id.value} 255.255.255.255")
        out += ["ike proposal 10", f" encryption-algorithm {enc}",
                " authentication-algorithm "
                + pick(IKEV1_INTEGRITY, t.ike.integrity, "IKE authentication algorithm", TITLE),
                f" dh {group}", " authentication-method pre-share",
                f" sa duration {t.ike.lifetime_seconds}", " quit",
                f"ike keychain {name}",
                f" pre-shared-key address {t.peer_ip} 255.255.255.255 key simple {psk}",
                " quit", f"ike profile {name}", f" keychain {name}",
                f" exchange-mode {'aggressive' if t.aggressive else 'main'}",
                f" local-identity {local}", f" match remote identity {remote}",
                " proposal 10", *dpd, " quit"]
    else:
        integ = pick(IKEV2_INTEGRITY, t.ike.integrity, "IKEv2 integrity algorithm", TITLE)
        local = (f"fqdn {t.local_id.value}" if t.local_id.is_fqdn
                 else f"address {t.local_id.value}")
        remote = (f"fqdn {t.peer_id.value}" if t.peer_id.is_fqdn
                  else f"address {t.peer_id.value} 32")
        out += [f"ikev2 proposal {name}", f" encryption {enc}", f" integrity {integ}",
                f" prf {integ}", f" dh {group}", " quit",
                f"ikev2 policy {name}", f" proposal {name}", " quit",
                f"ikev2 keyring {name}", " peer tc-cloud", f"  address {t.peer_ip} 32",
                f"  identity {remote}", f"  pre-shared-key plaintext {psk}", "  quit", " quit",
                f"ikev2 profile {name}", " authentication-method local pre-share",
                " authentication-method remote pre-share", f" keyring {name}",
                f" identity local {local}", f" match remote identity {remote}",
                f" sa duration {t.ike.lifetime_seconds}", *dpd, " quit"]
    out += [f"ipsec transform-set {name}", " protocol esp", " encapsulation-mode tunnel",
            " esp encryption-algorithm "
            + pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE),
            " esp authentication-algorithm "
            + pick(ESP_INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE)]
    if t.ipsec.pfs_group:
        pfs = pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
        out.append(f" pfs dh-{pfs}")
    out += [" quit", "ipsec policy tc-map 10 isakmp", f" transform-set {name}",
            " security acl 3000", f" local-address {t.local_ip}",
            f" remote-address {t.peer_ip}",
            f" {'ike-profile' if t.ike_version == 1 else 'ikev2-profile'} {name}",
            f" sa duration time-based {t.ipsec.lifetime_seconds}"]
    if t.ipsec.lifetime_kilobytes:
        out.append(f" sa duration traffic-based {t.ipsec.lifetime_kilobytes}")
    out += [" quit", f"interface {t.interface or 'GigabitEthernet1/0/1'}",
            " ipsec apply policy tc-map", " quit"]
    return saved_config(out)


VENDOR = Vendor("h3c", TITLE, "h3c", "comware", "V1.0", "GigabitEthernet1/0/1", render)
