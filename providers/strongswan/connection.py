"""The ``strongswan_connection`` resource type: its schema, its plan-time checks and its plan
(a pure diff). Loading it into charon is the provider's job (provider.py), through model.py.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.providers import PlanResult
from engine.schema import Attribute, Block, NestedBlock, ResourceSchema

from providers.swankit.proposals import ESP, IKE, AlgorithmSupport, did_you_mean, parse_proposal

from . import model

TYPE_NAME = "strongswan_connection"

START_ACTIONS = ("none", "trap", "start")
DPD_ACTIONS = ("clear", "trap", "restart")
CLOSE_ACTIONS = ("none", "clear", "trap", "start")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _opt(t: V.Type, description: str, default: Any = None, computed: bool = False) -> Attribute:
    return Attribute(t, optional=True, default=default, computed=computed,
                     description=description)


STRINGS = V.ListType(V.STRING)

CHILD_BLOCK = Block(attributes={
    "name": Attribute(V.STRING, required=True, description="The CHILD_SA's name in charon."),
    "local_ts": _opt(STRINGS, "Local traffic selectors (CIDRs); default: this gateway's "
                     "own address."),
    "remote_ts": _opt(STRINGS, "Remote traffic selectors (CIDRs); default: the peer's address."),
    "esp_proposals": _opt(STRINGS, "ESP proposals, such as aes128-sha256 (add a DH group for "
                          "PFS: aes128-sha256-modp2048).", default=["default"]),
    "start_action": _opt(V.STRING, "What charon does once the connection is loaded: none, "
                         "trap or start.", default="none"),
    "dpd_action": _opt(V.STRING, "On a dead peer: clear, trap or restart."),
    "close_action": _opt(V.STRING, "When the peer closes the CHILD_SA: none, clear, trap or "
                         "start."),
    "life_time": _opt(V.NUMBER, "Hard lifetime in seconds (above rekey_time)."),
    "rekey_time": _opt(V.NUMBER, "Seconds before the CHILD_SA is rekeyed (charon: 3600; 0: "
                       "never)."),
    "rekey_bytes": _opt(V.NUMBER, "Bytes before the CHILD_SA is rekeyed (0: no limit)."),
    "reqid": _opt(V.NUMBER, "The reqid of the CHILD_SA's policies. Unset: charon allocates "
                  "one when the SA is installed, and it is read back.", computed=True),
})

BLOCK = Block(attributes={
    "id": Attribute(V.STRING, computed=True, description="The connection's name."),
    "name": Attribute(V.STRING, required=True, force_new=True,
                      description="The connection's name in charon."),
    "ike_version": _opt(V.NUMBER, "IKE version: 1 or 2.", default=2),
    "aggressive": _opt(V.BOOL, "IKEv1 Aggressive Mode instead of Main Mode.", default=False),
    "local_addrs": _opt(STRINGS, "This gateway's addresses (default: any)."),
    "remote_addrs": _opt(STRINGS, "The peer's addresses (default: any; a responder only)."),
    "local_id": _opt(V.STRING, "This gateway's IKE identity; default: the first of "
                     "local_addrs.", computed=True),
    "remote_id": _opt(V.STRING, "The peer's IKE identity; default: the first of remote_addrs.",
                      computed=True),
    "proposals": _opt(STRINGS, "IKE proposals, such as aes128-sha256-modp2048.",
                      default=["default"]),
    "psk": Attribute(V.STRING, required=True, sensitive=True,
                     description="The pre-shared key. Loaded into charon with load-shared; "
                     "charon never gives it back, so state keeps the configured value and "
                     "only the key's presence is checked on refresh."),
    "encap": _opt(V.BOOL, "Force UDP encapsulation of ESP (needed by userspace IPsec).",
                  default=True),
    "rekey_time": _opt(V.NUMBER, "Seconds before the IKE SA is rekeyed (charon: 14400)."),
    "reauth_time": _opt(V.NUMBER, "Seconds before the IKE SA is reauthenticated (0: never)."),
    "over_time": _opt(V.NUMBER, "Hard IKE SA lifetime beyond rekey/reauth_time, in seconds."),
    "dpd_delay": _opt(V.NUMBER, "Seconds between dead peer detection checks (0: off)."),
    "dpd_timeout": _opt(V.NUMBER, "Seconds until a silent peer is declared dead (IKEv1)."),
    "mobike": _opt(V.BOOL, "Enable MOBIKE (IKEv2).", default=False),
}, block_types={
    "child": NestedBlock(CHILD_BLOCK, nesting="list", min_items=1),
})

SCHEMA = ResourceSchema(BLOCK)

NUMERIC = {  # attribute -> smallest allowed value (0: "disabled" is meaningful)
    "rekey_time": 0, "reauth_time": 0, "over_time": 1, "dpd_delay": 0, "dpd_timeout": 0,
}
CHILD_NUMERIC = {"life_time": 1, "rekey_time": 0, "rekey_bytes": 0, "reqid": 1}


def known(v: Any) -> Any:
    v = V.strip_sensitive(v)
    return None if isinstance(v, V.Unknown) else v


# ---------------------------------------------------------------------------------------
# validate


def validate(config: dict, support: AlgorithmSupport | None = None) -> Diagnostics:
    """Checks of one connection's (unmarked) configuration; unknown values are skipped."""
    d = Diagnostics()
    cfg = V.unmark(config or {})[0]
    name = known(cfg.get("name"))
    if isinstance(name, str) and not NAME_RE.match(name):
        d.error("Invalid connection name",
                f'"{name}" cannot be a connection name. Use 1 to 64 letters, digits, ".", "_" '
                'or "-", starting with a letter or digit.', path=("name",))
    version = known(cfg.get("ike_version"))
    if version is not None and version not in (1, 2):
        d.error("Invalid IKE version",
                f"The IKE version must be 1 or 2, not {V.format_number(version)}. Set "
                "ike_version = 1 or ike_version = 2.",
                path=("ike_version",))
        version = None
    eff_version = version if version is not None else (
        2 if cfg.get("ike_version") is None else None)
    if known(cfg.get("aggressive")) and eff_version == 2:
        d.error("Aggressive Mode needs IKEv1",
                "Aggressive Mode (aggressive = true) exists only in IKEv1. Set ike_version = 1 "
                "or remove aggressive.", path=("aggressive",))
    elif known(cfg.get("aggressive")) and eff_version == 1:
        d.warning("Aggressive Mode with a pre-shared key",
                  "Aggressive Mode sends a hash of the pre-shared key unprotected, so an "
                  "eavesdropper can attack the key offline. A strongSwan responder accepts it "
                  "only with charon.i_dont_care_about_security_and_use_aggressive_mode_psk = "
                  "yes in its strongswan.conf. Prefer Main Mode (aggressive = false) or IKEv2.",
                  path=("aggressive",))
    if known(cfg.get("mobike")) and eff_version == 1:
        d.error("MOBIKE needs IKEv2", "MOBIKE (mobike = true) exists only in IKEv2. Set "
                "ike_version = 2 or remove mobike.", path=("mobike",))
    for attr in ("local_addrs", "remote_addrs"):
        for i, a in enumerate(known(cfg.get(attr)) or []):
            a = known(a)
            if isinstance(a, str) and (not a.strip() or "," in a or " " in a):
                d.error("Invalid address",
                        f'The element {attr}[{i}] "{a}" is not one address. Give one IP address, CIDR, '
                        "range or host name per element.", path=(attr, i))
    for attr in ("local_id", "remote_id"):
        v = known(cfg.get(attr))
        if isinstance(v, str) and not v.strip():
            d.error("Invalid identity", f'The identity "{attr}" is empty. Remove it to use '
                    "the first address, or set the identity.", path=(attr,))
    psk = known(cfg.get("psk"))
    if isinstance(psk, str) and not psk:
        d.error("Invalid pre-shared key", "The pre-shared key is empty. Set psk to the key "
                "both ends of the tunnel share.", path=("psk",))
    for attr, low in NUMERIC.items():
        _check_number(d, cfg.get(attr), low, (attr,), attr)
    _check_proposals(d, cfg.get("proposals"), IKE, ("proposals",), "proposals", support,
                     eff_version)

    children = known(cfg.get("child")) or []
    seen_names: dict[str, int] = {}
    seen_reqids: dict[int, str] = {}
    for i, child in enumerate(children):
        child = known(child)
        if not isinstance(child, dict):
            continue
        cname = known(child.get("name"))
        where = f'child "{cname}"' if isinstance(cname, str) else f"child block {i + 1}"
        base = ("child", i)
        if isinstance(cname, str):
            if not NAME_RE.match(cname):
                d.error("Invalid child name",
                        f'"{cname}" cannot be a CHILD_SA name. Use 1 to 64 letters, digits, '
                        '".", "_" or "-", starting with a letter or digit.',
                        path=base + ("name",))
            elif cname in seen_names:
                d.error("Duplicate child name",
                        f'Two child blocks are named "{cname}" (blocks {seen_names[cname] + 1} '
                        f"and {i + 1}). Give each CHILD_SA its own name.",
                        path=base + ("name",))
            else:
                seen_names[cname] = i
        for attr in ("local_ts", "remote_ts"):
            for j, ts in enumerate(known(child.get(attr)) or []):
                msg = cidr_problem(known(ts))
                if msg:
                    d.error("Invalid traffic selector", f"In {where}, {attr}[{j}]: {msg}",
                            path=base + (attr, j))
        _check_proposals(d, child.get("esp_proposals"), ESP, base + ("esp_proposals",),
                         f"{where}, esp_proposals", support, eff_version)
        for attr, allowed in (("start_action", START_ACTIONS), ("dpd_action", DPD_ACTIONS),
                              ("close_action", CLOSE_ACTIONS)):
            v = known(child.get(attr))
            if v is not None and v not in allowed:
                d.error(f"Invalid {attr}",
                        f'In {where}, {attr} "{v}" is not supported.' + did_you_mean(str(v), allowed)
                        + f' Use one of: {", ".join(allowed)}.', path=base + (attr,))
        for attr, low in CHILD_NUMERIC.items():
            _check_number(d, child.get(attr), low, base + (attr,), f"{where}, {attr}")
        life, raw_rekey = _int(child.get("life_time")), child.get("rekey_time")
        rekey = model.CHILD_REKEY_DEFAULT if raw_rekey is None else _int(raw_rekey)
        if life is not None and life >= 1 and rekey is not None and 0 < rekey and life <= rekey:
            note = ", charon's default" if raw_rekey is None else ""
            d.error("Lifetime not above rekey time",
                    f"In {where}, life_time ({life} s) must be longer than rekey_time ({rekey} s"
                    f"{note}): the "
                    "CHILD_SA would expire before it is rekeyed. Raise life_time or set a lower "
                    "rekey_time.", path=base + ("life_time",))
        reqid = _int(child.get("reqid"))
        if reqid is not None and reqid >= 1:
            if reqid in seen_reqids:
                d.error("Duplicate reqid",
                        f"In {where}, reqid {reqid} is already used by {seen_reqids[reqid]}. "
                        "Give each CHILD_SA its own reqid, or remove reqid to let charon "
                        "choose.", path=base + ("reqid",))
            else:
                seen_reqids[reqid] = where
    return d


def _int(v: Any) -> int | None:
    v = known(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return int(v) if float(v).is_integer() else None


def _check_number(d: Diagnostics, raw: Any, low: int, path: tuple, what: str) -> None:
    v = known(raw)
    if v is None or isinstance(v, bool):
        return
    if not isinstance(v, (int, float)) or not float(v).is_integer():
        d.error("Invalid number", f'"{what}" must be a whole number, not '
                f"{V.format_number(v) if isinstance(v, (int, float)) else v!r}. Set a whole "
                "number.", path=path)
        return
    if v < low:
        bound = "positive" if low >= 1 else "zero or more"
        d.error("Invalid number", f'"{what}" must be {bound}, not {V.format_number(v)}. '
                f"Set a number that is {bound}.", path=path)


def _check_proposals(d: Diagnostics, raw: Any, protocol: str, path: tuple, where: str,
                     support: AlgorithmSupport | None, version: int | None) -> None:
    items = known(raw)
    if items is None:
        return
    if items == []:
        d.error("No proposals", f'"{where}" is empty. Give at least one proposal, or '
                '"default".', path=path)
        return
    for i, p in enumerate(items):
        p = known(p)
        if not isinstance(p, str):
            continue
        parsed = parse_proposal(p, protocol, support, version)
        for problem in parsed.problems:
            summary = ("Unsupported algorithm" if problem.kind == "unavailable"
                       else "Invalid proposal")
            d.error(summary, f'In {where}[{i}] "{p}": {problem.message}', path=path + (i,))


def cidr_problem(ts: Any) -> str | None:
    """Why ``ts`` is not a CIDR traffic selector, or None."""
    if not isinstance(ts, str):
        return None
    if "/" not in ts:
        try:
            addr = ipaddress.ip_address(ts)
        except ValueError:
            return f'"{ts}" is not a CIDR block. Write one such as 10.0.0.0/24.'
        return f'"{ts}" is an address, not a CIDR block. Write "{addr}/{addr.max_prefixlen}".'
    try:
        ipaddress.ip_network(ts, strict=True)
    except ValueError:
        try:
            net = ipaddress.ip_network(ts, strict=False)
        except ValueError:
            return f'"{ts}" is not a CIDR block. Write one such as 10.0.0.0/24.'
        return f'"{ts}" has host bits set. Write the network, "{net}".'
    return None


# ---------------------------------------------------------------------------------------
# plan


def plan(prior: dict | None, config: dict | None) -> PlanResult:
    """The planned value: configuration with defaults filled in, identities defaulted to the
    first address, ``id`` = name, and unset reqids kept from the prior child of that name
    (unknown for a new child). Changing the name replaces the connection."""
    if config is None:
        return PlanResult(planned=None)
    cfg, marks = V.unmark(config)
    old = V.unmark(prior)[0] if prior is not None else None
    planned: dict[str, Any] = {}
    for name, a in BLOCK.attributes.items():
        if a.is_computed_only:
            continue
        v = cfg.get(name)
        if v is None and a.default is not None:
            v = list(a.default) if isinstance(a.default, list) else a.default
        planned[name] = v
    planned["id"] = cfg.get("name")
    for side in ("local", "remote"):
        if planned.get(f"{side}_id") is None:
            addrs = cfg.get(f"{side}_addrs")
            if V.is_unknown(addrs) or (isinstance(addrs, list) and addrs
                                       and V.is_unknown(addrs[0])):
                planned[f"{side}_id"] = V.UNKNOWN
            else:
                planned[f"{side}_id"] = model.default_identity(addrs)
    replace = []
    if old is not None and not V.is_unknown(planned["name"]) and planned["name"] != old.get(
            "name"):
        replace.append(("name",))
    prior_children = {} if old is None or replace else {
        c.get("name"): c for c in old.get("child") or [] if isinstance(c, dict)}
    children = []
    for item in cfg.get("child") or []:
        if not isinstance(item, dict):
            children.append(item)
            continue
        c = {}
        for name, a in CHILD_BLOCK.attributes.items():
            v = item.get(name)
            if v is None and a.default is not None:
                v = list(a.default) if isinstance(a.default, list) else a.default
            c[name] = v
        if c.get("reqid") is None:
            was = prior_children.get(c.get("name")) if not V.is_unknown(c.get("name")) else None
            c["reqid"] = was.get("reqid") if was is not None else V.UNKNOWN
        children.append(c)
    planned["child"] = children
    sensitive = [p for p in marks if V.has_path(planned, p)]
    sensitive += list(BLOCK.sensitive_paths(planned))
    return PlanResult(planned=V.mark_paths(planned, sensitive), requires_replace=replace)


