"""Security lint of planned VPN tunnels: weak or broken crypto, aggressive mode with a
pre-shared key, IKEv1, weak or reused pre-shared keys, very long SA lifetimes.

Findings are warnings (the engine's ``-lint`` switch may raise them to errors or drop
them), each with a fix naming a stronger value the cloud accepts and, when the tunnel's IDC
end is declared (a ``strongswan_connection``), that strongSwan can run too. A value not
known yet gives no finding. No finding ever quotes a key, or any part of one: keys are
compared by digest.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass

from engine.diagnostics import Diagnostics, warning
from engine.providers import PlannedObject

from providers.swankit.proposals import KEYWORDS

from . import rules, strongswan_tunnel
from .cross_checks import CONNECTION
from .lint_rules import RULES
from .resources.base import known
from .resources.vpn_connection import VpnConnection
from .tunnel_ends import tunnel_ends

# Thresholds, and why.
# NIST SP 800-77 Rev. 1 (Guide to IPsec VPNs, 2020) recommends an IKE SA lifetime of
# 24 hours and an IPsec (child) SA lifetime of 8 hours; longer SAs leave more traffic
# under one key and keep a stolen key useful for longer. The cloud allows up to 7 days.
MAX_IKE_SA_LIFETIME = 86400
MAX_IPSEC_SA_LIFETIME = 28800
# A reused key's finding names this many of the other tunnels that share it (the rest are
# counted): a list of every other one would grow with the square of the tunnels.
NAMED_OTHERS = 3
# A PSK is open to offline guessing by anyone who records one handshake (RFC 7296
# §2.15: keys derived from passwords are weak). 16 random characters of a 64-symbol
# alphabet carry 96 bits; fewer characters cannot, whatever they are.
MIN_PSK_LENGTH = 16
# Below this many bits of estimated entropy (Shannon entropy of the key's own characters
# times its length) a key is repetitive: "1234567812345678" has about 48 bits.
MIN_PSK_ENTROPY_BITS = 56
# Keys from lists of the most common passwords, and the VPN guide's example "123456".
COMMON_PASSWORDS = frozenset({
    "123456", "1234567", "12345678", "123456789", "1234567890", "12345", "1234", "111111",
    "000000", "123123", "654321", "666666", "888888", "112233", "121212", "password",
    "passw0rd", "p@ssw0rd", "password1", "qwerty", "qwertyuiop", "qwe123", "abc123", "abcdef",
    "letmein", "welcome", "admin", "administrator", "root", "secret", "changeme", "default",
    "iloveyou", "monkey", "dragon", "football", "baseball", "master", "sunshine", "princess",
    "trustno1", "test", "testing", "guest", "vpn", "ipsec", "presharedkey", "psk",
    "sharedsecret", "tencent", "cisco", "huawei", "juniper", "fortinet",
})

WEAK_ENCRYPTION = {"DES-CBC": "DES has a 56-bit key, found by exhaustive search in hours",
                   "3DES-CBC": "3DES has a 64-bit block, open to the Sweet32 collision attack"
                               " on long-lived SAs, and is deprecated by NIST"}
WEAK_INTEGRITY = {"MD5": "MD5 is broken (practical collisions)",
                  "SHA": "SHA-1 has practical collisions and is deprecated by NIST",
                  "SHA1": "SHA-1 has practical collisions and is deprecated by NIST"}
WEAK_DH = {"GROUP1": "768-bit MODP", "GROUP2": "1024-bit MODP", "GROUP5": "1536-bit MODP"}


@dataclass(frozen=True)
class Option:
    """One tunnel option the lint reads: the attribute, the kind of the strongSwan table that
    maps it (strongswan_tunnel.KINDS) and the cloud's accepted values."""

    attr: str
    kind: str
    allowed: tuple
    stronger: tuple  # preferred replacements, best first


ENCRYPTION_STRONGER = ("AES-CBC-256", "AES256GCM128", "AES-CBC-128")
OPTIONS = {
    "ike_proto_encry_algorithm": Option("ike_proto_encry_algorithm", "ike_encryption",
                                        rules.IKE_ENCRYPTION_ALGORITHMS, ENCRYPTION_STRONGER),
    "ipsec_encrypt_algorithm": Option("ipsec_encrypt_algorithm", "esp_encryption",
                                      rules.IPSEC_ENCRYPTION_ALGORITHMS, ENCRYPTION_STRONGER),
    "ike_proto_authen_algorithm": Option("ike_proto_authen_algorithm", "ike_integrity",
                                         rules.IKE_AUTHENTICATION_ALGORITHMS,
                                         ("SHA-256", "SHA-512")),
    "ipsec_integrity_algorithm": Option("ipsec_integrity_algorithm", "esp_integrity",
                                        rules.IPSEC_INTEGRITY_ALGORITHMS,
                                        ("SHA-256", "SHA-384", "SHA-512")),
    "ike_dh_group_name": Option("ike_dh_group_name", "dh_group", rules.DH_GROUPS,
                                ("GROUP14", "GROUP19", "GROUP15", "GROUP16")),
    "ipsec_pfs_dh_group": Option("ipsec_pfs_dh_group", "pfs_group", rules.PFS_DH_GROUPS,
                                 ("DH-GROUP14", "DH-GROUP19", "DH-GROUP15", "DH-GROUP16")),
}


def _idc_runs(kind: str, value: str, idc: PlannedObject) -> bool:
    """Whether the declared IDC strongSwan can negotiate the cloud's ``value``: the cloud's
    name maps to a strongSwan keyword, and that charon (when it said) has the algorithm."""
    table = {k.upper(): v for k, v in strongswan_tunnel.KINDS[kind].items()}
    keyword = table.get(value.upper())
    if keyword is None:
        return False
    support = getattr(idc.provider, "algorithm_support", None)
    transform = KEYWORDS.get(keyword)
    if support is None or transform is None or not hasattr(support, "provides"):
        return True
    return support.provides(transform.alg) is not False


def _fix(option: Option, idcs: list[PlannedObject]) -> str:
    """A sentence naming a stronger value both ends support."""
    for value in option.stronger:
        if value not in option.allowed:
            continue
        if all(_idc_runs(option.kind, value, idc) for idc in idcs):
            break
    else:
        return "Choose a stronger value both ends support."
    text = f'Set {option.attr} = "{value}"'
    if idcs:
        keyword = {k.upper(): v for k, v in strongswan_tunnel.KINDS[option.kind].items()}
        names = ", ".join(i.address for i in idcs)
        where = "proposals" if option.kind.startswith(("ike", "dh")) else "esp_proposals"
        text += (f" and use {keyword[value.upper()]} in the {where} of {names}, the "
                 "tunnel's IDC end: both ends support it")
    return text + "."


def _text(value) -> str | None:
    v = known(value)
    return v.upper() if isinstance(v, str) else None


def _number(value) -> int | None:
    v = known(value)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return int(v)


def psk_weaknesses(psk: str) -> list[str]:
    """Why ``psk`` is weak, as phrases that never quote it (empty: not weak)."""
    out = []
    if len(psk) < MIN_PSK_LENGTH:
        out.append(f"it is shorter than {MIN_PSK_LENGTH} characters")
    lowered = psk.lower()
    if lowered in COMMON_PASSWORDS or lowered.rstrip("0123456789!@#$%.") in COMMON_PASSWORDS:
        out.append("it is on the built-in list of the most used keys")
    counts = Counter(psk)
    bits = -sum(n * math.log2(n / len(psk)) for n in counts.values()) if psk else 0.0
    if bits < MIN_PSK_ENTROPY_BITS and len(psk) >= MIN_PSK_LENGTH:
        out.append("it repeats too few distinct characters to be hard to guess")
    return out


def _digest(psk: str) -> str:
    return hashlib.sha256(psk.encode()).hexdigest()


def lint_connections(objects: list[PlannedObject]) -> Diagnostics:
    """Every finding about the planned tunnels among ``objects`` (any provider's objects:
    a declared IDC end informs the fix hints)."""
    d = Diagnostics()
    ends: dict[str, list[PlannedObject]] = {}
    for pair in tunnel_ends(objects):
        ends.setdefault(pair.cloud.address, []).append(pair.idc)
    conns = sorted((o for o in objects if o.type_name == CONNECTION and o.action != "delete"),
                   key=lambda o: o.address)
    keys: dict[str, list[str]] = {}
    for conn in conns:
        _lint_one(d, conn, ends.get(conn.address, []))
        psk = known(conn.value.get("pre_share_key"))
        if isinstance(psk, str) and psk:
            keys.setdefault(_digest(psk), []).append(conn.address)
    for addresses in keys.values():
        for address in addresses[1:]:
            others = [a for a in addresses if a != address]
            others = ", ".join(others[:NAMED_OTHERS]) + (
                f" and {len(others) - NAMED_OTHERS} more tunnels"
                if len(others) > NAMED_OTHERS else "")
            d.append(warning(
                RULES["psk-reused"],
                f"{address} uses the same pre-shared key as {others}. One leaked key then "
                "opens every tunnel that shares it, and a peer of one tunnel can pose as "
                "the peer of another. Give each tunnel its own random key.",
                address=address, path=("pre_share_key",), rule="psk-reused"))
    return d


# Each tunnel of a shared key names this many of the others: a key shared by thousands of


def _with_defaults(value: dict) -> dict:
    """An unset option is its default (validate sees configuration, before plan fills them)."""
    out = dict(value)
    for name, attr in VpnConnection.block.attributes.items():
        if out.get(name) is None and attr.default is not None:
            out[name] = attr.default
    return out


def _lint_one(d: Diagnostics, conn: PlannedObject, idcs: list[PlannedObject]) -> None:
    v = _with_defaults(conn.value)
    address = conn.address

    def finding(rule: str, attr: str, detail: str) -> None:
        d.append(warning(RULES[rule], detail, address=address, path=(attr,), rule=rule))

    for attr in ("ike_proto_encry_algorithm", "ipsec_encrypt_algorithm"):
        value = _text(v.get(attr))
        stage = "IKE" if attr.startswith("ike") else "IPsec"
        if value in WEAK_ENCRYPTION:
            finding("weak-encryption", attr, f"The {stage} encryption algorithm {value} is weak: "
                    f"{WEAK_ENCRYPTION[value]}. {_fix(OPTIONS[attr], idcs)}")
        elif value == "NULL":
            finding("no-encryption", attr, "IPsec encryption NULL sends the tunnel's traffic "
                    f"in clear text. {_fix(OPTIONS[attr], idcs)}")
    for attr in ("ike_proto_authen_algorithm", "ipsec_integrity_algorithm"):
        value = _text(v.get(attr))
        stage = "IKE" if attr.startswith("ike") else "IPsec"
        if value in WEAK_INTEGRITY:
            finding("weak-integrity", attr, f"The {stage} integrity algorithm {value} is weak: "
                    f"{WEAK_INTEGRITY[value]}. {_fix(OPTIONS[attr], idcs)}")
    dh = _text(v.get("ike_dh_group_name"))
    if dh in WEAK_DH:
        finding("weak-dh-group", "ike_dh_group_name", f"DH group {dh} ({WEAK_DH[dh]}) is too small: "
                "RFC 8247 says it must not or should not be used for IKE, and a state-level "
                f"attacker can break it. {_fix(OPTIONS['ike_dh_group_name'], idcs)}")
    pfs = _text(v.get("ipsec_pfs_dh_group"))
    if pfs == "NULL":
        finding("pfs-off", "ipsec_pfs_dh_group", "Perfect forward secrecy is off: whoever "
                "obtains the IKE SA's keys can decrypt every IPsec SA derived from it, "
                f"recorded traffic included. {_fix(OPTIONS['ipsec_pfs_dh_group'], idcs)}")
    elif pfs is not None and pfs.removeprefix("DH-") in WEAK_DH:
        group = pfs.removeprefix("DH-")
        finding("weak-dh-group", "ipsec_pfs_dh_group", f"The PFS group {pfs} ({WEAK_DH[group]}) is too "
                f"small to protect the IPsec keys. {_fix(OPTIONS['ipsec_pfs_dh_group'], idcs)}")
    if _text(v.get("ike_exchange_mode")) == "AGGRESSIVE":
        finding("aggressive-mode", "ike_exchange_mode", "IKEv1 aggressive mode with a pre-shared "
                "key sends a hash of the key in the clear: anyone who sees one handshake can "
                'guess the key offline. Set ike_exchange_mode = "MAIN"'
                + (" and aggressive = false on the IDC end" if idcs else "")
                + ', or better ike_version = "IKEV2".')
    if _text(v.get("ike_version")) == "IKEV1":
        finding("ikev1", "ike_version", "The tunnel uses IKEv1, which RFC 8247 deprecates; "
                + ("both ends support IKEv2" if idcs else "the cloud supports IKEv2")
                + ", which resists denial of service better and has no aggressive mode. "
                'Set ike_version = "IKEV2"'
                + (f" and ike_version = 2 on {', '.join(i.address for i in idcs)}"
                   if idcs else " and configure the IDC device for IKEv2") + ".")
    for attr, limit, what in (("ike_sa_lifetime_seconds", MAX_IKE_SA_LIFETIME, "IKE SA"),
                              ("ipsec_sa_lifetime_seconds", MAX_IPSEC_SA_LIFETIME,
                               "IPsec SA")):
        seconds = _number(v.get(attr))
        if seconds is not None and seconds > limit:
            finding("long-lifetime", attr, f"The {what} lifetime is {seconds} seconds, longer than "
                    f"the {limit} seconds ({limit // 3600} hours) NIST SP 800-77 Rev. 1 "
                    "recommends: more traffic is protected by one key, for longer. Set "
                    f"{attr} = {limit} or less.")
    psk = known(v.get("pre_share_key"))
    if isinstance(psk, str) and psk:
        reasons = psk_weaknesses(psk)
        if reasons:
            finding("weak-psk", "pre_share_key", "The pre-shared key is weak: "
                    + " and ".join(reasons) + ". Anyone who records one handshake can guess "
                    f"it offline. Use a random key of at least {MIN_PSK_LENGTH} characters "
                    "(for example the output of `openssl rand -base64 24`), kept in a "
                    "sensitive variable.")
