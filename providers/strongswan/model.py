"""The ``strongswan_connection`` value <-> charon's VICI model, as pure functions.

``to_vici(value)`` is the load-conn message; ``from_vici(name, conn, prior)`` reads a
list-conns entry back into a resource value. charon 5.9's list-conns reports only part of a
connection (addresses, identities, IKE version and lifetimes, DPD, and per child the traffic
selectors, rekey settings and DPD/close actions). What it does not report — proposals,
aggressive, encap, mobike, over_time, and per child esp_proposals, start_action, life_time —
is taken from ``prior`` (the recorded state): a change made to those behind vpnform's back
is not seen. The PSK is never readable: its value always comes from ``prior``; only its
presence (the shared key id being loaded) is observed.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from engine.values import Unknown
from providers.swankit.vici import decode

# charon's defaults, as list-conns reports them when nothing was configured.
IKE_REKEY_DEFAULT = 14400
IKE_REAUTH_DEFAULT = 0
CHILD_REKEY_DEFAULT = 3600
CHILD_REKEY_BYTES_DEFAULT = 0

VERSIONS = {"IKEv1": 1, "IKEv2": 2}
# list-conns names actions by charon's enum: none / trap / start.
DPD_ACTION_NAMES = {"none": "clear", "clear": "clear", "trap": "trap", "start": "restart",
                    "restart": "restart", "route": "trap"}
CLOSE_ACTION_NAMES = {"none": "none", "clear": "none", "trap": "trap", "start": "start",
                      "restart": "start", "route": "trap"}

CONNECTION_ATTRIBUTES = (
    "id", "name", "ike_version", "aggressive", "local_addrs", "remote_addrs", "local_id",
    "remote_id", "proposals", "psk", "encap", "rekey_time", "reauth_time", "over_time",
    "dpd_delay", "dpd_timeout", "mobike")
CHILD_ATTRIBUTES = (
    "name", "local_ts", "remote_ts", "esp_proposals", "start_action", "dpd_action",
    "close_action", "life_time", "rekey_time", "rekey_bytes", "reqid")


def shared_key_id(name: str) -> str:
    """The id the connection's PSK is loaded under: stable, derived from its name."""
    return f"vpnform-psk-{name}"


def default_identity(addrs: Any) -> str | None:
    """A connection's default IKE identity: its first address."""
    if isinstance(addrs, list) and addrs and isinstance(addrs[0], str):
        return addrs[0]
    return None


def psk_owners(value: dict) -> list[str]:
    """The identities the PSK belongs to (none: it would match any peer)."""
    return [i for i in (value.get("local_id"), value.get("remote_id"))
            if isinstance(i, str) and i and i != "%any"]


def _given(v: Any) -> bool:
    return v is not None and not isinstance(v, Unknown)


def _yes(v: Any) -> str:
    return "yes" if v else "no"


def _num(v: Any) -> str:
    return str(int(v))


def to_vici(value: dict) -> dict:
    """The load-conn message ``{name: {...}}`` for a wholly known connection value.

    Everything configured is sent; lifetimes left null are left to charon's defaults. A
    child's ``reqid`` is sent when the value holds one (the caller passes null for a reqid
    that charon allocated, so it stays dynamic)."""
    conn: dict[str, Any] = {
        "version": _num(value.get("ike_version") or 2),
        "aggressive": _yes(value.get("aggressive")),
        "encap": _yes(True if value.get("encap") is None else value.get("encap")),
        "mobike": _yes(value.get("mobike")),
        "proposals": list(value.get("proposals") or ["default"]),
    }
    for attr in ("local_addrs", "remote_addrs"):
        if value.get(attr):
            conn[attr] = list(value[attr])
    for attr in ("rekey_time", "reauth_time", "over_time", "dpd_delay", "dpd_timeout"):
        if _given(value.get(attr)):
            conn[attr] = _num(value[attr])
    local = {"auth": "psk"}
    remote = {"auth": "psk"}
    if _given(value.get("local_id")) and value["local_id"]:
        local["id"] = value["local_id"]
    if _given(value.get("remote_id")) and value["remote_id"]:
        remote["id"] = value["remote_id"]
    conn["local-1"] = local
    conn["remote-1"] = remote
    children: dict[str, Any] = {}
    for child in value.get("child") or []:
        c: dict[str, Any] = {
            "mode": "tunnel",
            "esp_proposals": list(child.get("esp_proposals") or ["default"]),
            "start_action": child.get("start_action") or "none",
        }
        for attr in ("local_ts", "remote_ts"):
            if child.get(attr):
                c[attr] = list(child[attr])
        for attr in ("dpd_action", "close_action"):
            if child.get(attr):
                c[attr] = child[attr]
        for attr in ("life_time", "rekey_time", "rekey_bytes", "reqid"):
            if _given(child.get(attr)):
                c[attr] = _num(child[attr])
        children[child["name"]] = c
    conn["children"] = children
    return {value["name"]: conn}


# ---------------------------------------------------------------------------------------
# reading back


def _observed_int(raw: Any, prior: Any, default: int) -> int | None:
    """An observed number; charon's default reads as null when the prior value was null."""
    try:
        n = int(raw) if raw is not None else default
    except (TypeError, ValueError):
        return prior
    if prior is None and n == default:
        return None
    return n


def _same_networks(a: list, b: list) -> bool:
    try:
        return sorted(ipaddress.ip_network(x, strict=False) for x in a) == sorted(
            ipaddress.ip_network(x, strict=False) for x in b)
    except (ValueError, TypeError):
        return a == b


def _observed_ts(raw: Any, prior: Any) -> list | None:
    seen = [x for x in (raw or []) if isinstance(x, str)]
    if not seen or seen == ["dynamic"]:
        return prior if not prior else []
    if isinstance(prior, list) and _same_networks(prior, seen):
        return prior  # keep the user's spelling and order
    return seen


def _observed_addrs(raw: Any, prior: Any) -> list | None:
    seen = [x for x in (raw or []) if isinstance(x, str)]
    if not seen or seen == ["%any"]:
        return prior if not prior or prior == ["%any"] else ["%any"]
    if isinstance(prior, list) and sorted(prior) == sorted(seen):
        return prior
    return seen


def _observed_id(auth: Any, prior: Any) -> str | None:
    seen = auth.get("id") if isinstance(auth, dict) else None
    if seen is None:
        return None
    if isinstance(prior, str) and (prior == seen or prior.lstrip("@") == seen):
        return prior
    return seen


def _observed_action(raw: Any, prior: Any, names: dict, unset: str) -> str | None:
    seen = names.get(raw) if isinstance(raw, str) else None
    if seen is None:
        return prior
    if prior is None and seen == unset:
        return None
    if isinstance(prior, str) and names.get(prior) == seen:
        return prior
    return seen


def from_vici(name: str, conn: dict, prior: dict | None, *, psk_loaded: bool | None = None,
              child_sas: list | None = None) -> dict:
    """The resource value of connection ``name`` from its list-conns entry ``conn``.

    ``prior`` (the recorded value, or None on import) supplies what charon does not report.
    ``psk_loaded`` False (the shared key id is not loaded) reads the PSK as null so the next
    plan loads it again. ``child_sas`` (list-sas child entries of this connection) supplies
    the reqid charon uses for each child."""
    conn = decode(conn or {})
    old = dict(prior or {})
    value: dict[str, Any] = {a: old.get(a) for a in CONNECTION_ATTRIBUTES}
    value["id"] = name
    value["name"] = name
    value["ike_version"] = VERSIONS.get(conn.get("version"), 0)
    value["local_addrs"] = _observed_addrs(conn.get("local_addrs"), old.get("local_addrs"))
    value["remote_addrs"] = _observed_addrs(conn.get("remote_addrs"), old.get("remote_addrs"))
    value["local_id"] = _observed_id(_auth_round(conn, "local"), old.get("local_id"))
    value["remote_id"] = _observed_id(_auth_round(conn, "remote"), old.get("remote_id"))
    value["rekey_time"] = _observed_int(conn.get("rekey_time"), old.get("rekey_time"),
                                        IKE_REKEY_DEFAULT)
    value["reauth_time"] = _observed_int(conn.get("reauth_time"), old.get("reauth_time"),
                                         IKE_REAUTH_DEFAULT)
    value["dpd_delay"] = _observed_int(conn.get("dpd_delay"), old.get("dpd_delay"), 0)
    value["dpd_timeout"] = _observed_int(conn.get("dpd_timeout"), old.get("dpd_timeout"), 0)
    if psk_loaded is False:
        value["psk"] = None

    reqids: dict[str, int] = {}
    for sa in child_sas or []:
        if sa.get("state") in ("INSTALLED", "REKEYING", "REKEYED") and sa.get("reqid"):
            reqids.setdefault(sa.get("name"), int(sa["reqid"]))

    seen_children = conn.get("children") or {}
    prior_children = {c.get("name"): c for c in old.get("child") or [] if isinstance(c, dict)}
    order = [n for n in prior_children if n in seen_children]
    order += [n for n in seen_children if n not in prior_children]
    children = []
    for cname in order:
        seen = seen_children[cname] or {}
        was = prior_children.get(cname, {})
        child = {a: was.get(a) for a in CHILD_ATTRIBUTES}
        child["name"] = cname
        child["local_ts"] = _observed_ts(seen.get("local-ts"), was.get("local_ts"))
        child["remote_ts"] = _observed_ts(seen.get("remote-ts"), was.get("remote_ts"))
        child["rekey_time"] = _observed_int(seen.get("rekey_time"), was.get("rekey_time"),
                                            CHILD_REKEY_DEFAULT)
        child["rekey_bytes"] = _observed_int(seen.get("rekey_bytes"), was.get("rekey_bytes"),
                                             CHILD_REKEY_BYTES_DEFAULT)
        child["dpd_action"] = _observed_action(seen.get("dpd_action"), was.get("dpd_action"),
                                               DPD_ACTION_NAMES, "clear")
        child["close_action"] = _observed_action(seen.get("close_action"),
                                                 was.get("close_action"), CLOSE_ACTION_NAMES,
                                                 "none")
        if cname in reqids:
            child["reqid"] = reqids[cname]
        children.append(child)
    value["child"] = children
    return value


def _auth_round(conn: dict, side: str) -> dict | None:
    """The first authentication round of ``side`` ("local-1", or older "local")."""
    for key in (f"{side}-1", side):
        if isinstance(conn.get(key), dict):
            return conn[key]
    return None


def child_sas_of(sas: list, name: str) -> list[dict]:
    """The child SA entries of IKE SAs named ``name`` in a list-sas answer."""
    out = []
    for item in sas or []:
        sa = decode(item).get(name)
        if isinstance(sa, dict):
            out.extend(c for c in (sa.get("child-sas") or {}).values() if isinstance(c, dict))
    return out


def loadable(planned: dict, config: dict | None) -> dict:
    """The value to load: ``planned``, except that a child's reqid is sent only when the
    configuration sets it (a reqid recorded from charon's allocation stays dynamic)."""
    out = dict(planned)
    configured = {c.get("name"): c.get("reqid") for c in (config or {}).get("child") or []
                  if isinstance(c, dict)} if config is not None else None
    children = []
    for child in planned.get("child") or []:
        c = dict(child)
        if configured is not None:
            c["reqid"] = configured.get(c.get("name"))
        children.append(c)
    out["child"] = children
    return out
