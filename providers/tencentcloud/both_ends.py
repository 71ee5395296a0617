"""Both ends of a tunnel must agree: when a planned ``tencentcloud_vpn_connection`` has its IDC
end declared too (a ``strongswan_connection``, see tunnel_ends), compare IKE version and
exchange mode, the IKE and ESP proposals (one of the IDC's must hold the cloud's
algorithms), the pre-shared key (by digest, never printed), the identities and the SPD
(mirrored). Each mismatch is an error on the cloud block naming both blocks. Values not
known yet are not compared; a "default" strongSwan proposal is not compared either.

Lifetimes are not negotiated (each end renews an SA on its own timer, the earlier wins), so
a difference never stops a tunnel; it is a warning (lint rule "lifetimes-differ") when
 - an IDC child never rekeys (rekey_time = 0) yet has a life_time shorter than the cloud's
   IPsec SA lifetime: charon deletes the SA before the cloud renews it and negotiates a new
   one (break before make, where a rekey builds the new SA first), every life_time; or
 - one end renews an SA (IKE or IPsec) more than LIFETIME_FACTOR times as often as the
   other's lifetime: the longer lifetime, set on purpose or not, is never reached.
The cloud renews at its lifetime (ike_sa_lifetime_seconds, ipsec_sa_lifetime_seconds, their
defaults when unset); charon at its IKE rekey_time or reauth_time, whichever is first
(14400 s when neither is set; 0 = never), and at each child's rekey_time (3600 s unset).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from engine.diagnostics import Diagnostics, error, warning
from engine.providers import PlannedObject

from providers.swankit.proposals import DH, ESP, IKE, KEYWORDS, parse_proposal

from . import strongswan_tunnel
from .cross_checks import CUSTOMER_GATEWAY, GATEWAY, _Index
from .lint_rules import RULES
from .resources.base import known
from .security_lint import _with_defaults
from .tunnel_ends import TunnelEnds, _strings, tunnel_ends

SUMMARY = "Tunnel ends disagree"
LIFETIMES = "lifetimes-differ"
# Renewing 8 times per lifetime of the other end still passes: charon's default IKE rekey
# (4 h) against the cloud's default IKE SA lifetime (24 h) is 6 times, and a cloud IPsec SA
# lifetime of 8 h (NIST's ceiling, security_lint) against charon's default hour is 8.
LIFETIME_FACTOR = 8
CHARON_IKE_REKEY = 14400
CHARON_CHILD_REKEY = 3600


def _transforms(keywords: list[str]) -> set:
    return {KEYWORDS[k] for k in keywords if k in KEYWORDS}


def _cloud_keywords(kind: str, value: Any) -> str | None:
    v = known(value)
    if not isinstance(v, str):
        return None
    return {k.upper(): w for k, w in strongswan_tunnel.KINDS[kind].items()}.get(v.upper())


def _idc_proposals(raw: Any, protocol: str, version: int | None) -> list[set] | None:
    """Each IDC proposal as its set of transforms; None when any is unknown or "default"."""
    items = known(raw)
    if not isinstance(items, list) or not items:
        return None
    out = []
    for p in items:
        p = known(p)
        if not isinstance(p, str) or p == "default":
            return None
        parsed = parse_proposal(p, protocol, None, version)
        if parsed.problems:
            return None  # the strongswan provider reports it
        out.append({t for _, t in parsed.transforms})
    return out


def _identity(value: Any) -> str | None:
    v = known(value)
    if not isinstance(v, str) or not v:
        return None
    for prefix in ("fqdn:", "@", "ipv4:"):
        if v.startswith(prefix):
            return v[len(prefix):]
    return v


def _cloud_identity(conn: dict, side: str, end: PlannedObject | None) -> str | None:
    kind = known(conn.get(f"ike_{side}_identity"))
    if kind == "FQDN":
        return _identity(conn.get(f"ike_{side}_fqdn_name"))
    if kind != "ADDRESS":
        return None
    explicit = known(conn.get(f"ike_{side}_address"))
    if isinstance(explicit, str) and explicit:
        return explicit
    return _identity(end.value.get("public_ip_address")) if end is not None else None


def _nets(raw: Any) -> list | None:
    items = _strings(raw)
    if known(raw) is None or len(items) != len(known(raw) or []):
        return None
    try:
        return [ipaddress.ip_network(i, strict=False) for i in items]
    except ValueError:
        return None


def check_both_ends(objects: list[PlannedObject]) -> Diagnostics:
    d = Diagnostics()
    index = _Index(objects)
    for ends in tunnel_ends(objects):
        _check(d, index, ends)
    return d


def _check(d: Diagnostics, index: _Index, ends: TunnelEnds) -> None:
    cloud, idc = _with_defaults(ends.cloud.value), ends.idc.value
    a, b = ends.cloud.address, ends.idc.address

    def mismatch(attr: str, what: str, fix: str) -> None:
        d.append(error(SUMMARY, f"{what} {a} and {b}, its IDC end, cannot negotiate the "
                       f"tunnel. {fix}", address=a, path=(attr,)))

    version = known(cloud.get("ike_version"))
    cloud_v = {"IKEV1": 1, "IKEV2": 2}.get(version.upper()) if isinstance(version, str) else None
    idc_v = known(idc.get("ike_version"))
    if cloud_v is not None and isinstance(idc_v, (int, float)) and int(idc_v) != cloud_v:
        mismatch("ike_version", f"The IKE versions differ: IKEv{cloud_v} on {a}, IKEv{int(idc_v)} "
                 f"on {b}, so", 'Use the same version on both, preferably ike_version = "IKEV2" '
                 "and ike_version = 2.")
    mode = known(cloud.get("ike_exchange_mode"))
    aggressive = known(idc.get("aggressive"))
    if cloud_v == 1 and isinstance(mode, str) and isinstance(aggressive, bool) and (
            (mode.upper() == "AGGRESSIVE") != aggressive):
        mismatch("ike_exchange_mode", f"The IKEv1 exchange modes differ: {mode.lower()} mode "
                 f"on {a}, {'aggressive' if aggressive else 'main'} mode on {b}, so",
                 'Use main mode on both: ike_exchange_mode = "MAIN" and aggressive = false.')

    version_for_parse = cloud_v or (int(idc_v) if isinstance(idc_v, (int, float)) else None)
    ike_words = [_cloud_keywords(k, cloud.get(attr)) for k, attr in (
        ("ike_encryption", "ike_proto_encry_algorithm"),
        ("ike_integrity", "ike_proto_authen_algorithm"), ("dh_group", "ike_dh_group_name"))]
    proposals = _idc_proposals(idc.get("proposals"), IKE, version_for_parse)
    if None not in ike_words and proposals is not None:
        want = _transforms(ike_words)  # type: ignore[arg-type]
        if not any(want <= p for p in proposals):
            proposal = "-".join(ike_words)  # type: ignore[arg-type]
            mismatch("ike_proto_encry_algorithm", "No IKE proposal of the two ends is common: "
                     f"{a} offers only {proposal}, which none of the proposals of {b} holds, "
                     "so", f'Add "{proposal}" to the proposals of {b}, or change the IKE '
                     f"options of {a} to match one of them.")
    esp_words = [_cloud_keywords(k, cloud.get(attr)) for k, attr in (
        ("esp_encryption", "ipsec_encrypt_algorithm"),
        ("esp_integrity", "ipsec_integrity_algorithm"), ("pfs_group", "ipsec_pfs_dh_group"))]
    if None not in esp_words:
        want = _transforms([w for w in esp_words if w])  # type: ignore[misc]
        proposal = "-".join(w for w in esp_words if w)  # type: ignore[misc]
        pfs = f"PFS with {esp_words[2]}" if esp_words[2] else "no PFS"
        for i, child in enumerate(known(idc.get("child")) or []):
            child = known(child) or {}
            esp = _idc_proposals(child.get("esp_proposals"), ESP, version_for_parse)
            # PFS must agree both ways: a DH group on one end only fails at the first rekey
            if esp is not None and not any(
                    want <= p and {t for t in p if t.kind == DH} == {t for t in want
                                                                     if t.kind == DH}
                    for p in esp):
                name = known(child.get("name")) or i
                mismatch("ipsec_encrypt_algorithm", "No ESP proposal of the two ends is "
                         f"common: {a} offers only {proposal} ({pfs}), which no "
                         f'esp_proposals of child "{name}" of {b} holds, so',
                         f'Add "{proposal}" to that child\'s esp_proposals, or change the '
                         f"IPsec options of {a} to match.")

    psk_a, psk_b = known(cloud.get("pre_share_key")), known(idc.get("psk"))
    if isinstance(psk_a, str) and isinstance(psk_b, str) and (
            hashlib.sha256(psk_a.encode()).digest() != hashlib.sha256(psk_b.encode()).digest()):
        mismatch("pre_share_key", "The pre-shared keys differ (compared without showing "
                 "them), so", f"Give pre_share_key of {a} and psk of {b} the same value, "
                 "for example one sensitive variable.")

    _, gw = index.target(ends.cloud, "vpn_gateway_id")
    _, cgw = index.target(ends.cloud, "customer_gateway_id")
    gw = gw if gw is not None and gw.type_name == GATEWAY else None
    cgw = cgw if cgw is not None and cgw.type_name == CUSTOMER_GATEWAY else None
    for side, idc_attr, end in (("local", "remote_id", gw), ("remote", "local_id", cgw)):
        mine = _cloud_identity(cloud, side, end)
        theirs = _identity(idc.get(idc_attr))
        if mine and theirs and mine != theirs:
            who = "the cloud gateway" if side == "local" else "the IDC device"
            mismatch(f"ike_{side}_identity", f"The identity of {who} differs: {mine} on {a}, "
                     f"{theirs} as {idc_attr} on {b}, so", f"Make {idc_attr} of {b} "
                     f"{mine}, or change the IKE {side} identity of {a}.")
    _check_spd(d, cloud, idc, a, b, cloud_v)
    _check_lifetimes(d, cloud, idc, a, b)


def _check_spd(d: Diagnostics, cloud: dict, idc: dict, a: str, b: str,
               version: int | None) -> None:
    pairs = []  # (VPC range, IDC range) the cloud declares
    for pol in known(cloud.get("security_group_policy")) or []:
        pol = known(pol) or {}
        local = _nets([pol.get("local_cidr_block")])
        remotes = _nets(pol.get("remote_cidr_block"))
        if local is None or remotes is None:
            return
        pairs += [(local[0], r) for r in remotes]
    children = []  # (IDC ranges, VPC ranges) per IDC child
    for child in known(idc.get("child")) or []:
        child = known(child) or {}
        locals_, remotes_ = _nets(child.get("local_ts")), _nets(child.get("remote_ts"))
        if locals_ is None or remotes_ is None:
            return
        children.append((locals_, remotes_))
    if not pairs or not children:
        return

    def covers(big, small) -> bool:  # IKEv2 narrows to the common part; IKEv1 needs equality
        return big == small if version == 1 else small.subnet_of(big)

    missing = [(v, i) for v, i in pairs
               if not any(any(covers(loc, i) for loc in ls) and any(covers(r, v) for r in rs)
                          for ls, rs in children)]
    if missing:
        v, i = missing[0]
        d.append(error(SUMMARY, f"The SPD is not mirrored: {a} pairs {v} with {i}, but no "
                       f"child of {b}, its IDC end, has {i} in local_ts and {v} in remote_ts, "
                       "so that traffic cannot negotiate. Add a child with local_ts = "
                       f'["{i}"] and remote_ts = ["{v}"] to {b}.',
                       address=a, path=("security_group_policy",)))


def _seconds(value: Any) -> int | None:
    v = known(value)
    return None if isinstance(v, bool) or not isinstance(v, (int, float)) else int(v)


def _idc_renewal(rekey: int | None, reauth: int | None) -> int | None:
    """How often charon renews its IKE SA (None: never, or not known yet)."""
    if rekey is None and reauth is None:
        return CHARON_IKE_REKEY
    times = [t for t in (rekey, reauth) if t]
    return min(times) if times else None


def _check_lifetimes(d: Diagnostics, cloud: dict, idc: dict, a: str, b: str) -> None:
    def differ(attr: str, detail: str) -> None:
        d.append(warning(RULES[LIFETIMES], detail, address=a, path=(attr,), rule=LIFETIMES))

    def far_apart(what: str, attr: str, cloud_s: int, idc_s: int, idc_end: str) -> None:
        short_s, long_s = min(cloud_s, idc_s), max(cloud_s, idc_s)
        if long_s <= LIFETIME_FACTOR * short_s:
            return
        short, long_ = (idc_end, a) if idc_s < cloud_s else (a, idc_end)
        differ(attr, f"The {what} lifetimes of the two ends differ: {short} renews the SA "
               f"every {short_s} s, {long_s // short_s} times within the {long_s} s of "
               f"{long_}, which is never reached (the earlier end renews; lifetimes are not "
               "negotiated, so the tunnel works). Give "
               f"{attr} of {a} and the rekey time of {idc_end} the same value, so both ends "
               "mean one lifetime.")

    cloud_ike = _seconds(cloud.get("ike_sa_lifetime_seconds"))
    rekey, reauth = _seconds(idc.get("rekey_time")), _seconds(idc.get("reauth_time"))
    unknown = any(known(idc.get(k)) is None and idc.get(k) is not None
                  for k in ("rekey_time", "reauth_time"))
    idc_ike = None if unknown else _idc_renewal(rekey, reauth)
    if cloud_ike and idc_ike:
        far_apart("IKE SA", "ike_sa_lifetime_seconds", cloud_ike, idc_ike, b)
    cloud_ipsec = _seconds(cloud.get("ipsec_sa_lifetime_seconds"))
    if not cloud_ipsec:
        return
    for i, child in enumerate(known(idc.get("child")) or []):
        child = known(child) or {}
        name = known(child.get("name")) or i
        raw_rekey, life = child.get("rekey_time"), _seconds(child.get("life_time"))
        child_rekey = CHARON_CHILD_REKEY if raw_rekey is None else _seconds(raw_rekey)
        where = f'child "{name}" of {b}'
        if child_rekey == 0:
            if life is not None and life < cloud_ipsec:
                differ("ipsec_sa_lifetime_seconds", f"The {where} never rekeys "
                       f"(rekey_time = 0) and its IPsec SA ends after life_time = {life} s, "
                       f"before {a} renews it (ipsec_sa_lifetime_seconds = {cloud_ipsec}): "
                       "charon then deletes the SA and negotiates a new one (break before "
                       f"make, where a rekey builds the new SA first), every {life} s. Set a "
                       f"rekey_time below life_time on {b}, or life_time above "
                       f"{cloud_ipsec}.")
        elif child_rekey is not None:
            far_apart("IPsec SA", "ipsec_sa_lifetime_seconds", cloud_ipsec, child_rekey, where)
