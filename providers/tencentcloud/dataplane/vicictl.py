"""Talking to one charon over its VICI socket: load/unload, SA listing, initiation.

Every call opens its own short session (a VICI session that listens for events cannot
carry commands), with a socket timeout so a hung charon never hangs the caller.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager
from typing import Iterator


class ViciError(Exception):
    """The charon could not be reached, or refused a command."""


@contextmanager
def session(vici_path: str, timeout: float = 10.0) -> Iterator["object"]:
    import vici
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(vici_path)
    except OSError as err:
        sock.close()
        raise ViciError(f"cannot reach charon at {vici_path}: {err}") from None
    try:
        yield vici.Session(sock)
    except (OSError, vici.exception.SessionException) as err:
        raise ViciError(f"charon at {vici_path}: {err}") from None
    except vici.exception.CommandException as err:
        raise ViciError(f"charon at {vici_path} refused: {err}") from None
    finally:
        sock.close()


def load(vici_path: str, conn: dict, secret: dict) -> None:
    """Load (or replace) one connection and its PSK."""
    with session(vici_path) as s:
        s.load_shared(secret)
        s.load_conn(conn)


def unload(vici_path: str, conn_name: str, secret_id: str) -> None:
    with session(vici_path) as s:
        try:
            s.unload_conn({"name": conn_name})
        except Exception:  # noqa: BLE001 - not loaded: nothing to unload
            pass
        try:
            s.unload_shared({"id": secret_id})
        except Exception:  # noqa: BLE001
            pass


def terminate(vici_path: str, conn_name: str) -> None:
    """Close the connection's IKE SAs (and their children) without waiting; its trap
    policies stay, so the next packet activates it again under the current config."""
    with session(vici_path) as s:
        try:
            for _ in s.terminate({"ike": conn_name, "force": "yes", "timeout": "-1"}):
                pass
        except Exception:  # noqa: BLE001 - nothing established: nothing to close
            pass


def close_if_childless(vici_path: str, conn_name: str) -> bool:
    """Close the connection's IKE SAs when none carries an installed child: a failed child
    negotiation inside a live IKE SA (e.g. TS_UNACCEPTABLE after the peer changed its
    config) is otherwise retried forever against the peer's stale view of the tunnel."""
    try:
        if installed_children(vici_path).get(conn_name):
            return False
        terminate(vici_path, conn_name)
        return True
    except ViciError:
        return False


def _text(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def installed_children(vici_path: str, timeout: float = 3.0) -> dict[str, dict]:
    """IKE SA name → {child config name: counters} of the children INSTALLED now."""
    out: dict[str, dict] = {}
    with session(vici_path, timeout) as s:
        for item in s.list_sas():
            for ike_name, ike in item.items():
                for child in (ike.get("child-sas") or {}).values():
                    if _text(child.get("state", "")) != "INSTALLED":
                        continue
                    out.setdefault(ike_name, {})[_text(child.get("name", ""))] = {
                        "bytes_in": int(_text(child.get("bytes-in", "0"))),
                        "bytes_out": int(_text(child.get("bytes-out", "0"))),
                        "reqid": int(_text(child.get("reqid", "0"))),
                    }
    return out


def initiate(vici_path: str, conn_name: str, child_name: str,
             timeout_ms: int = 10000) -> tuple[str, str | None]:
    """Initiate one child and wait for the outcome (bounded). Returns ('', None) on
    success, else (charon's error, the cause in plain words when charon's log tells it,
    e.g. "authentication failed")."""
    from providers.strongswan.status import classify_failure
    lines: list[str] = []
    try:
        with session(vici_path, timeout_ms / 1000 + 5) as s:
            for event in s.initiate({"child": child_name, "ike": conn_name,
                                     "timeout": str(timeout_ms), "init-limits": "no"}):
                msg = event.get("msg") if isinstance(event, dict) else None
                if msg:
                    lines.append(msg.decode(errors="replace") if isinstance(msg, bytes)
                                 else str(msg))
    except ViciError as err:
        return str(err), classify_failure(lines) or "negotiation failed"
    return "", None
