"""Fortinet FortiGate (FortiOS CLI): an interface-mode phase 1, one phase 2 per SPD pair,
routes and the two firewall policies."""

from __future__ import annotations

from .model import Tunnel
from .vendor import Vendor, check_range, cli_psk, is_aead, pick, require_ikev2_for_aead

TITLE = "Fortinet FortiGate (FortiOS)"
ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes128",
              "AES-CBC-192": "aes192", "AES-CBC-256": "aes256",
              "AES128GCM128": "aes128gcm", "AES256GCM128": "aes256gcm"}
ESP_ENCRYPTION = {**ENCRYPTION, "NULL": "null"}
INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
             "SHA-512": "sha512"}
GROUPS = {f"GROUP{n}": str(n) for n in (1, 2, 5, 14, 15, 16, 19, 20, 21)}


def _phase1_proposal(t: Tunnel) -> str:
    enc = pick(ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE)
    integ = pick(INTEGRITY, t.ike.integrity, "IKE authentication algorithm", TITLE)
    # An AEAD phase 1 names its PRF instead of an integrity algorithm.
    return f"{enc}-prf{integ}" if is_aead(t.ike.encryption) else f"{enc}-{integ}"


def _phase2_proposal(t: Tunnel) -> str:
    enc = pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE)
    if is_aead(t.ipsec.encryption):
        return enc
    return f"{enc}-{pick(INTEGRITY, t.ipsec.integrity, 'IPsec integrity algorithm', TITLE)}"


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    require_ikev2_for_aead(t, TITLE)
    name = f"tc-{t.short_id}"[:15]
    p1 = ["config vpn ipsec phase1-interface", f'    edit "{name}"',
          f'        set interface "{t.interface or "wan1"}"',
          f"        set ike-version {t.ike_version}"]
    if t.ike_version == 1:
        p1.append(f"        set mode {'aggressive' if t.aggressive else 'main'}")
    if t.peer_id.is_fqdn:
        p1 += ["        set peertype one", f'        set peerid "{t.peer_id.value}"']
    else:
        p1.append("        set peertype any")
    if t.local_id.is_fqdn:
        p1 += ["        set localid-type fqdn", f'        set localid "{t.local_id.value}"']
    p1 += ["        set net-device disable",
           f"        set proposal {_phase1_proposal(t)}",
           f"        set dhgrp {pick(GROUPS, t.ike.dh_group, 'DH group', TITLE)}",
           f"        set remote-gw {t.peer_ip}",
           f"        set psksecret {psk}",
           "        set keylife "
           f"{check_range(t.ike.lifetime_seconds, 120, 172800, 'IKE SA lifetime', TITLE)}"]
    if t.dpd.enabled:
        p1 += ["        set dpd on-idle", f"        set dpd-retryinterval {t.dpd.interval}",
               f"        set dpd-retrycount {t.dpd.retries}"]
    else:
        p1.append("        set dpd disable")
    p1 += [f'        set comments "Tencent Cloud {t.connection_id}"', "    next", "end"]
    p2 = ["config vpn ipsec phase2-interface"]
    proposal = _phase2_proposal(t)
    secs = check_range(t.ipsec.lifetime_seconds, 120, 172800, "IPsec SA lifetime", TITLE)
    kbs = t.ipsec.lifetime_kilobytes and check_range(
        t.ipsec.lifetime_kilobytes, 5120, 4294967295, "IPsec SA traffic lifetime", TITLE, "KB")
    pfs = t.ipsec.pfs_group and pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE,
                                     f"DH-{t.ipsec.pfs_group}")
    for n, p in enumerate(t.pairs, 1):
        p2 += [f'    edit "{name}-{n}"', f'        set phase1name "{name}"',
               f"        set proposal {proposal}"]
        p2 += ["        set pfs enable", f"        set dhgrp {pfs}"] if pfs else \
            ["        set pfs disable"]
        p2 += [f"        set keylife-type {'both' if kbs else 'seconds'}",
               f"        set keylifeseconds {secs}"]
        if kbs:
            p2.append(f"        set keylifekbs {kbs}")
        p2 += [f"        set auto-negotiate {'enable' if t.device_initiates else 'disable'}",
               f"        set src-subnet {p.local.network_address} {p.local.netmask}",
               f"        set dst-subnet {p.remote.network_address} {p.remote.netmask}",
               f'        set comments "Tencent Cloud {t.connection_id} SPD pair {n}"',
               "    next"]
    p2.append("end")
    routes = ["config router static"]
    for remote in dict.fromkeys(p.remote for p in t.pairs):
        routes += ["    edit 0", f"        set dst {remote.network_address} {remote.netmask}",
                   f'        set device "{name}"', "    next"]
    routes.append("end")
    policies = ["config firewall policy"]
    for suffix, src, dst in (("out", "internal", name), ("in", name, "internal")):
        policies += ["    edit 0", f'        set name "{name}-{suffix}"',
                     f'        set srcintf "{src}"', f'        set dstintf "{dst}"',
                     '        set srcaddr "all"', '        set dstaddr "all"',
                     "        set action accept", '        set schedule "always"',
                     '        set service "ALL"', "    next"]
    policies.append("end")
    return "\n".join(p1 + p2 + routes + policies) + "\n"


VENDOR = Vendor("fortigate", TITLE, "fortinet", "fortios", "V5.6", "wan1", render)
