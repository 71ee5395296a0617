"""Juniper SRX (Junos, `set` form): a route-based VPN on st0 with one traffic selector per
SPD pair, the form Junos supports for both IKE versions."""

from __future__ import annotations

from .model import Tunnel
from .vendor import (Vendor, check_range, cli_psk, is_aead, pick, require_ikev2_for_aead)

TITLE = "Juniper SRX (Junos)"
ENCRYPTION = {"DES-CBC": "des-cbc", "3DES-CBC": "3des-cbc", "AES-CBC-128": "aes-128-cbc",
              "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
              "AES128GCM128": "aes-128-gcm", "AES256GCM128": "aes-256-gcm"}
IKE_INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha-256", "SHA-384": "sha-384",
                 "SHA-512": "sha-512"}
ESP_INTEGRITY = {"MD5": "hmac-md5-96", "SHA1": "hmac-sha1-96", "SHA-256": "hmac-sha-256-128",
                 "SHA-384": "hmac-sha-384-192", "SHA-512": "hmac-sha-512-256"}
GROUPS = {f"GROUP{n}": f"group{n}" for n in (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)}


def _identity(kind: str, value: str) -> str:
    return f"hostname {value}" if kind == "FQDN" else f"inet {value}"


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    require_ikev2_for_aead(t, TITLE)
    cid = t.short_id
    prop, pol, gw = f"TC-IKE-PROP-{cid}", f"TC-IKE-POL-{cid}", f"TC-GW-{cid}"
    iprop, ipol, vpn = f"TC-IPSEC-PROP-{cid}", f"TC-IPSEC-POL-{cid}", f"TC-VPN-{cid}"
    ike = f"set security ike proposal {prop}"
    out = [f"{ike} description {t.connection_id}",
           f"{ike} authentication-method pre-shared-keys",
           f"{ike} dh-group {pick(GROUPS, t.ike.dh_group, 'DH group', TITLE)}",
           f"{ike} encryption-algorithm "
           + pick(ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE)]
    if not is_aead(t.ike.encryption):
        out.append(f"{ike} authentication-algorithm "
                   + pick(IKE_INTEGRITY, t.ike.integrity, "IKE authentication algorithm", TITLE))
    out.append(f"{ike} lifetime-seconds "
               f"{check_range(t.ike.lifetime_seconds, 180, 86400, 'IKE SA lifetime', TITLE)}")
    if t.ike_version == 1:
        out.append(f"set security ike policy {pol} mode {'aggressive' if t.aggressive else 'main'}")
    out += [f"set security ike policy {pol} proposals {prop}",
            f'set security ike policy {pol} pre-shared-key ascii-text "{psk}"',
            f"set security ike gateway {gw} ike-policy {pol}",
            f"set security ike gateway {gw} address {t.peer_ip}",
            f"set security ike gateway {gw} external-interface {t.interface or 'ge-0/0/0.0'}",
            f"set security ike gateway {gw} local-identity "
            + _identity(t.local_id.kind, t.local_id.value),
            f"set security ike gateway {gw} remote-identity "
            + _identity(t.peer_id.kind, t.peer_id.value),
            f"set security ike gateway {gw} version v{t.ike_version}-only"]
    if t.dpd.enabled:
        out.append(f"set security ike gateway {gw} dead-peer-detection interval "
                   f"{t.dpd.interval} threshold {t.dpd.retries}")
    ips = f"set security ipsec proposal {iprop}"
    out += [f"{ips} description {t.connection_id}", f"{ips} protocol esp",
            f"{ips} encryption-algorithm "
            + pick(ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE)]
    if not is_aead(t.ipsec.encryption):
        out.append(f"{ips} authentication-algorithm "
                   + pick(ESP_INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE))
    out.append(f"{ips} lifetime-seconds "
               f"{check_range(t.ipsec.lifetime_seconds, 180, 86400, 'IPsec SA lifetime', TITLE)}")
    if t.ipsec.lifetime_kilobytes:
        kb = check_range(t.ipsec.lifetime_kilobytes, 64, 4294967294,
                         "IPsec SA traffic lifetime", TITLE, "KB")
        out.append(f"{ips} lifetime-kilobytes {kb}")
    if t.ipsec.pfs_group:
        pfs = pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
        out.append(f"set security ipsec policy {ipol} perfect-forward-secrecy keys {pfs}")
    out += [f"set security ipsec policy {ipol} proposals {iprop}",
            "set interfaces st0 unit 0 family inet",
            "set security zones security-zone vpn interfaces st0.0",
            f"set security ipsec vpn {vpn} bind-interface st0.0",
            f"set security ipsec vpn {vpn} ike gateway {gw}",
            f"set security ipsec vpn {vpn} ike ipsec-policy {ipol}",
            f"set security ipsec vpn {vpn} establish-tunnels "
            + ("immediately" if t.device_initiates else "on-traffic")]
    for n, p in enumerate(t.pairs, 1):
        sel = f"set security ipsec vpn {vpn} traffic-selector TS-{n}"
        out += [f"{sel} local-ip {p.local}", f"{sel} remote-ip {p.remote}"]
    for remote in dict.fromkeys(p.remote for p in t.pairs):
        out.append(f"set routing-options static route {remote} next-hop st0.0")
    for name, src, dst in ((f"TC-OUT-{cid}", "trust", "vpn"), (f"TC-IN-{cid}", "vpn", "trust")):
        pol_ = f"set security policies from-zone {src} to-zone {dst} policy {name}"
        out += [f"{pol_} match source-address any destination-address any application any",
                f"{pol_} then permit"]
    return "\n".join(out) + "\n"


VENDOR = Vendor("juniper-srx", TITLE, "juniper", "junos", "V12.1", "ge-0/0/0.0", render)
