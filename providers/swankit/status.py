"""Live IPsec SA facts of one connection, from a charon's list-sas, and initiating it.

For ``vpnform tunnel status`` (both the strongswan provider's and the tencentcloud
dataplane's tunnels), the dataplane's NetStatus and supervisor, and the tests. Each
function takes an open ``vici.Session`` (the caller owns it) or list-sas entries; what
comes back is plain data with underscore keys and numbers as int.

``sa_status(session, name)`` ->
    {"connection": name, "state": "ESTABLISHED" | "CONNECTING" | … | "DOWN",
     "established": bool, "ike_sas": [IKE SA, …]}
  IKE SA: uniqueid, version, state, initiator, local_host, local_port, local_id, remote_host,
    remote_port, remote_id, nat, encr_alg, encr_keysize, integ_alg, prf_alg, dh_group,
    established (seconds), rekey_time, reauth_time, children: [CHILD SA, …]
  CHILD SA: name, uniqueid, reqid, state, mode, protocol, encap, spi_in, spi_out, encr_alg,
    encr_keysize, integ_alg, dh_group, bytes_in, bytes_out, packets_in, packets_out,
    use_in, use_out, install_time, rekey_time, life_time, local_ts, remote_ts
  Absent facts (a CHILD_SA not yet installed has no algorithms) are None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .vici import decode

_IKE_TEXT = ("uniqueid", "version", "state", "local-host", "local-port", "local-id",
             "remote-host", "remote-port", "remote-id", "encr-alg", "integ-alg", "prf-alg",
             "dh-group")
_IKE_INT = ("encr-keysize", "established", "rekey-time", "reauth-time")
_CHILD_TEXT = ("name", "uniqueid", "state", "mode", "protocol", "spi-in", "spi-out",
               "encr-alg", "integ-alg", "dh-group")
_CHILD_INT = ("reqid", "encr-keysize", "bytes-in", "bytes-out", "packets-in", "packets-out",
              "use-in", "use-out", "install-time", "rekey-time", "life-time")
_STATE_RANK = {"ESTABLISHED": 0, "REKEYING": 1, "REKEYED": 2, "CONNECTING": 3,
               "PASSIVE": 4, "DELETING": 5, "DESTROYING": 6, "CREATED": 7}


def _key(k: str) -> str:
    return k.replace("-", "_")


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def parse_child_sa(raw: dict) -> dict:
    c = decode(raw)
    out: dict[str, Any] = {_key(k): c.get(k) for k in _CHILD_TEXT}
    out.update({_key(k): _int(c.get(k)) for k in _CHILD_INT})
    out["encap"] = c.get("encap") == "yes"
    out["local_ts"] = list(c.get("local-ts") or [])
    out["remote_ts"] = list(c.get("remote-ts") or [])
    return out


def parse_ike_sa(raw: dict) -> dict:
    sa = decode(raw)
    out: dict[str, Any] = {_key(k): sa.get(k) for k in _IKE_TEXT}
    out.update({_key(k): _int(sa.get(k)) for k in _IKE_INT})
    out["version"] = _int(sa.get("version"))
    out["local_port"] = _int(sa.get("local-port"))
    out["remote_port"] = _int(sa.get("remote-port"))
    out["initiator"] = sa.get("initiator") == "yes"
    out["nat"] = any(sa.get(k) == "yes" for k in ("nat-local", "nat-remote", "nat-fake",
                                                  "nat-any"))
    out["children"] = [parse_child_sa(c) for c in (sa.get("child-sas") or {}).values()
                       if isinstance(c, dict)]
    return out


def status_from_list_sas(conn_name: str, entries: list) -> dict:
    """``sa_status`` from list-sas entries already fetched (pure)."""
    sas = []
    for item in entries:
        item = decode(item)
        if isinstance(item.get(conn_name), dict):
            sas.append(parse_ike_sa(item[conn_name]))
    sas.sort(key=lambda s: (_STATE_RANK.get(s.get("state") or "", 99), -(s.get("established")
                                                                         or 0)))
    state = sas[0]["state"] if sas else "DOWN"
    return {"connection": conn_name, "state": state, "established": state == "ESTABLISHED",
            "ike_sas": sas}


def sa_status(session: Any, conn_name: str) -> dict:
    """The IKE and CHILD SAs of connection ``conn_name`` now (see the module docstring)."""
    return status_from_list_sas(conn_name, list(session.list_sas({"ike": conn_name})))


def all_sa_status(session: Any) -> list[dict]:
    """``sa_status`` of every connection that has SAs, by connection name."""
    names: list[str] = []
    entries = [decode(x) for x in session.list_sas()]
    for item in entries:
        for name in item:
            if name not in names:
                names.append(name)
    return [status_from_list_sas(n, entries) for n in sorted(names)]


def installed_children(entries: list) -> dict[str, dict]:
    """IKE SA name → {child name: counters} of the CHILD_SAs INSTALLED now, from list-sas
    entries (pure)."""
    out: dict[str, dict] = {}
    for item in entries:
        for ike_name, ike in decode(item).items():
            for child in (ike.get("child-sas") or {}).values():
                if child.get("state") != "INSTALLED":
                    continue
                out.setdefault(ike_name, {})[child.get("name", "")] = {
                    "bytes_in": _int(child.get("bytes-in")) or 0,
                    "bytes_out": _int(child.get("bytes-out")) or 0,
                    "reqid": _int(child.get("reqid")) or 0,
                }
    return out


# ---------------------------------------------------------------------------------------
# initiating


@dataclass
class InitiateOutcome:
    ok: bool
    log: list = field(default_factory=list)  # charon's log lines for this initiation
    error: str | None = None  # charon's error message when not ok
    failure: str | None = None  # a short cause: see classify_failure

    def __str__(self) -> str:
        if self.ok:
            return "established"
        return f"{self.failure or 'failed'}: {self.error}"


# (phrase in charon's log, cause), most specific first.
_FAILURES = (
    ("AUTHENTICATION_FAILED", "authentication failed"),
    ("tried ", "authentication failed"),  # responder: "tried 1 shared key for … but MAC mismatched"
    ("MAC mismatch", "authentication failed"),
    ("verification of AUTH payload", "authentication failed"),
    ("could not decrypt payloads", "authentication failed (pre-shared key mismatch?)"),
    ("NO_PROPOSAL_CHOSEN", "no proposal chosen"),
    ("no acceptable proposal", "no proposal chosen"),
    ("TS_UNACCEPTABLE", "traffic selectors unacceptable"),
    ("INVALID_ID_INFORMATION", "identity rejected"),
    ("peer not responding", "peer not responding"),
    ("no IKE config found", "no matching configuration"),
)


def classify_failure(lines: list[str]) -> str | None:
    for phrase, cause in _FAILURES:
        if any(phrase in line for line in lines):
            return cause
    return None


def initiate(session: Any, conn_name: str, child: str, timeout: float = 15.0, *,
             init_limits: bool = True) -> InitiateOutcome:
    """Initiate ``child`` of ``conn_name`` and wait (up to ``timeout`` s) for the outcome.
    ``init_limits=False`` lets charon initiate even past its half-open SA limits (a
    supervisor retrying many children at once)."""
    from vici.exception import CommandException
    lines: list[str] = []
    request = {"ike": conn_name, "child": child, "timeout": str(int(timeout * 1000))}
    if not init_limits:
        request["init-limits"] = "no"
    try:
        for event in session.initiate(request):
            msg = decode(event).get("msg")
            if msg:
                lines.append(msg)
    except CommandException as err:
        text = str(err)
        text = text[len("Command failed: "):] if text.startswith("Command failed: ") else text
        return InitiateOutcome(False, lines, text, classify_failure(lines) or "failed")
    return InitiateOutcome(True, lines)


def tunnel_view(status: dict, name: str | None = None, id: str | None = None,
                child_names: list[str] | None = None) -> dict:
    """``sa_status`` output in the shape ``vpnform tunnel status`` shows (see
    engine/cli/commands_tunnel.py): the best IKE SA, its algorithms and its children."""
    ike_sas = status.get("ike_sas") or []
    best = ike_sas[0] if ike_sas else None
    view: dict[str, Any] = {"name": name or status.get("connection"), "id": id,
                            "state": status.get("state") or "DOWN", "ike_version": None,
                            "local": None, "remote": None, "established_seconds": None,
                            "algorithms": {}, "error": None, "children": []}
    if best is None:
        return view
    enc = best.get("encr_alg")
    if enc and best.get("encr_keysize"):
        enc = f"{enc}-{best['encr_keysize']}"
    view.update({
        "ike_version": f"IKEv{best.get('version')}" if best.get("version") else None,
        "local": best.get("local_host"), "remote": best.get("remote_host"),
        "established_seconds": best.get("established"),
        "algorithms": {"encryption": enc, "integrity": best.get("integ_alg"),
                       "prf": best.get("prf_alg"), "dh_group": best.get("dh_group")},
    })
    for ch in best.get("children") or []:
        if child_names and ch.get("name") not in child_names:
            continue
        cenc = ch.get("encr_alg")
        if cenc and ch.get("encr_keysize"):
            cenc = f"{cenc}-{ch['encr_keysize']}"
        view["children"].append({
            "name": ch.get("name"), "state": ch.get("state"), "protocol": ch.get("protocol"),
            "encryption": cenc, "integrity": ch.get("integ_alg"),
            "local_ts": ch.get("local_ts"), "remote_ts": ch.get("remote_ts"),
            "installed_seconds": ch.get("install_time"),
            "bytes_in": ch.get("bytes_in") or 0, "bytes_out": ch.get("bytes_out") or 0,
            "packets_in": ch.get("packets_in") or 0, "packets_out": ch.get("packets_out") or 0})
    return view
