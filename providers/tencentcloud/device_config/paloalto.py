"""Palo Alto Networks PAN-OS (`set` commands in configure mode): a route-based tunnel
with one proxy-ID per SPD pair, so a policy-based peer gets one SA per pair."""

from __future__ import annotations

from .model import Tunnel, UnsupportedChoice
from .vendor import Vendor, cli_psk, is_aead, pick, require_ikev2_for_aead

TITLE = "Palo Alto PAN-OS"
ENCRYPTION = {"DES-CBC": "des", "3DES-CBC": "3des", "AES-CBC-128": "aes-128-cbc",
              "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
              "AES128GCM128": "aes-128-gcm", "AES256GCM128": "aes-256-gcm"}
ESP_ENCRYPTION = {**ENCRYPTION, "NULL": "null"}
INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
             "SHA-512": "sha512"}
# 15, 16 and 21 need PAN-OS 10.2 or later.
GROUPS = {f"GROUP{n}": f"group{n}" for n in (1, 2, 5, 14, 15, 16, 19, 20, 21)}
# (unit, seconds per unit, least, most)
LIFETIME_UNITS = (("days", 86400, 1, 365), ("hours", 3600, 1, 65535),
                  ("minutes", 60, 3, 65535), ("seconds", 1, 180, 65535))
LIFESIZE_UNITS = (("tb", 1024 ** 3), ("gb", 1024 ** 2), ("mb", 1024), ("kb", 1))


def lifetime(seconds: int, option: str) -> str:
    """The largest PAN-OS unit that states ``seconds`` exactly, e.g. 86400 → ``days 1``."""
    for unit, size, lo, hi in LIFETIME_UNITS:
        if seconds % size == 0 and lo <= seconds // size <= hi:
            return f"{unit} {seconds // size}"
    raise UnsupportedChoice(f"{TITLE} cannot state an {option} of {seconds} s exactly "
                            "(it takes 180–65535 seconds, or whole minutes, hours or days); "
                            "choose such a value.")


def lifesize(kilobytes: int) -> str:
    for unit, size in LIFESIZE_UNITS:
        if kilobytes % size == 0 and 1 <= kilobytes // size <= 65535:
            return f"{unit} {kilobytes // size}"
    raise UnsupportedChoice(f"{TITLE} cannot state an IPsec SA traffic lifetime of {kilobytes} "
                            "KB exactly (it takes 1–65535 KB, MB, GB or TB); choose such a "
                            "value.")


def render(t: Tunnel) -> str:
    psk = cli_psk(t, TITLE)
    require_ikev2_for_aead(t, TITLE)
    cid = t.short_id
    ikep, ipsp, gw, tun = f"TC-IKE-{cid}", f"TC-IPSEC-{cid}", f"TC-GW-{cid}", f"TC-TUN-{cid}"
    tunnel_if = "tunnel.10"
    ike = f"set network ike crypto-profiles ike-crypto-profiles {ikep}"
    ips = f"set network ike crypto-profiles ipsec-crypto-profiles {ipsp}"
    out = [f"{ike} encryption "
           + pick(ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE),
           f"{ike} hash " + pick(INTEGRITY, t.ike.integrity, "IKE hash algorithm", TITLE),
           f"{ike} dh-group " + pick(GROUPS, t.ike.dh_group, "DH group", TITLE),
           f"{ike} lifetime {lifetime(t.ike.lifetime_seconds, 'IKE SA lifetime')}",
           f"{ips} esp encryption "
           + pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE),
           f"{ips} esp authentication "
           + ("none" if is_aead(t.ipsec.encryption)
              else pick(INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE)),
           f"{ips} dh-group "
           + (pick(GROUPS, t.ipsec.pfs_group, "PFS group", TITLE, f"DH-{t.ipsec.pfs_group}")
              if t.ipsec.pfs_group else "no-pfs"),
           f"{ips} lifetime {lifetime(t.ipsec.lifetime_seconds, 'IPsec SA lifetime')}"]
    if t.ipsec.lifetime_kilobytes:
        out.append(f"{ips} lifesize {lifesize(t.ipsec.lifetime_kilobytes)}")
    g = f"set network ike gateway {gw}"
    v = f"ikev{t.ike_version}"
    out += [f"{g} authentication pre-shared-key key {psk}",
            f"{g} protocol version {v}",
            f"{g} protocol {v} ike-crypto-profile {ikep}"]
    if t.ike_version == 1:
        out.append(f"{g} protocol ikev1 exchange-mode "
                   + ("aggressive" if t.aggressive else "main"))
    if t.dpd.enabled:
        retry = f" retry {t.dpd.retries}" if t.ike_version == 1 else ""
        out.append(f"{g} protocol {v} dpd enable yes interval {t.dpd.interval}{retry}")
    else:
        out.append(f"{g} protocol {v} dpd enable no")
    out += [f"{g} local-address interface {t.interface or 'ethernet1/1'}",
            f"{g} peer-address ip {t.peer_ip}",
            f"{g} local-id type {'fqdn' if t.local_id.is_fqdn else 'ipaddr'} id {t.local_id.value}",
            f"{g} peer-id type {'fqdn' if t.peer_id.is_fqdn else 'ipaddr'} id {t.peer_id.value}",
            f'set network interface tunnel units {tunnel_if} comment "Tencent Cloud '
            f'{t.connection_id}"',
            f"set zone vpn network layer3 {tunnel_if}",
            f"set network virtual-router default interface {tunnel_if}",
            f"set network tunnel ipsec {tun} tunnel-interface {tunnel_if}",
            f"set network tunnel ipsec {tun} auto-key ike-gateway {gw}",
            f"set network tunnel ipsec {tun} auto-key ipsec-crypto-profile {ipsp}"]
    for p in t.pairs:
        out.append(f"set network tunnel ipsec {tun} auto-key proxy-id SPD{p.policy}-{p.index} "
                   f"local {p.local} remote {p.remote} protocol any")
    remotes = list(dict.fromkeys(p.remote for p in t.pairs))
    locals_ = list(dict.fromkeys(p.local for p in t.pairs))
    for n, remote in enumerate(remotes, 1):
        out.append(f"set network virtual-router default routing-table ip static-route "
                   f"TC-VPC-{cid}-{n} interface {tunnel_if} destination {remote}")
    src, dst = " ".join(map(str, locals_)), " ".join(map(str, remotes))
    if remotes:
        out += [f"set rulebase security rules TC-OUT-{cid} from trust to vpn source [ {src} ] "
                f"destination [ {dst} ] application any service any action allow",
                f"set rulebase security rules TC-IN-{cid} from vpn to trust source [ {dst} ] "
                f"destination [ {src} ] application any service any action allow"]
    return "\n".join(out) + "\n"


VENDOR = Vendor("paloalto", TITLE, "paloalto", "panos", "V10.2", "ethernet1/1", render)
