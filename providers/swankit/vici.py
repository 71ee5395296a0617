"""VICI calls to one charon over its socket: the one seam every strongSwan user goes through
(the strongswan provider, the tencentcloud dataplane and its supervisors).

Errors (the small tree every caller catches):

    StrongSwanError
    ├── CharonUnreachable   the socket cannot be reached or the connection broke (transport)
    └── CharonCommandError  charon answered and refused the command (its errmsg, redacted)

Every call opens its own connection to the socket: sessions are cheap over a Unix socket,
and the engine applies several resources in parallel; a session that listens for events
cannot carry commands anyway. A socket timeout bounds every call, so a hung charon never
hangs the caller. Tests swap ``session_factory``.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from typing import Any, Callable, Iterator

DEFAULT_URI = "unix:///var/run/charon.vici"
SOCKET_TIMEOUT = 30.0


class StrongSwanError(Exception):
    """A VICI call failed; the message is safe to show (secrets already redacted)."""


class CharonUnreachable(StrongSwanError):
    """Nothing answers on the VICI socket, or the connection broke mid-call."""


class CharonCommandError(StrongSwanError):
    """charon refused a command (``success = no``)."""


def parse_socket_uri(uri: str, workdir: str) -> str:
    """``unix:///abs/path`` -> /abs/path; ``unix://rel/path`` -> <workdir>/rel/path.
    Raises ValueError with a message for anything else."""
    prefix = "unix://"
    if not isinstance(uri, str) or not uri.startswith(prefix) or len(uri) == len(prefix):
        raise ValueError(f'"{uri}" is not a VICI socket URI: write it as "unix:///path/to/'
                         'charon.vici" (an absolute path) or "unix://relative/path" (relative '
                         "to the working directory).")
    path = uri[len(prefix):]
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(workdir, path))


def decode(v: Any) -> Any:
    """VICI answers with bytes in ordered dicts: plain str / dict / list instead."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, dict):
        return {decode(k): decode(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [decode(x) for x in v]
    return v


def redact(text: str, secrets) -> str:
    for s in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(s, "(sensitive value)")
    return text


def _connect(path: str, timeout: float = SOCKET_TIMEOUT) -> Any:
    import vici
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    target = path
    if len(os.fsencode(path)) > 100:  # AF_UNIX paths are limited to 107 bytes
        target = os.path.realpath(path)  # e.g. a lab's symlink to its short socket path
    try:
        sock.connect(target)
    except OSError as err:
        sock.close()
        raise CharonUnreachable(f"Cannot connect to the VICI socket {path}: "
                                f"{err.strerror or err}.") from None
    session = vici.Session(sock)
    session._vpnform_socket = sock  # closed by ViciClient.session()
    return session


class ViciClient:
    """Calls to the charon behind one VICI socket. ``secrets`` are redacted from errors;
    ``timeout`` (seconds) bounds each socket read and write."""

    def __init__(self, path: str, *, timeout: float = SOCKET_TIMEOUT,
                 session_factory: Callable[[str], Any] | None = None):
        self.path = path
        self.timeout = timeout
        self._factory = session_factory or (lambda p: _connect(p, timeout))

    @contextmanager
    def session(self, secrets: tuple = ()) -> Iterator[Any]:
        """A raw ``vici.Session``; VICI and socket errors become StrongSwanError."""
        from vici.exception import CommandException, DeserializationException, SessionException
        s = self._factory(self.path)
        try:
            yield s
        except CommandException as err:
            raise CharonCommandError(redact(_errmsg(err), secrets)) from None
        except (SessionException, DeserializationException) as err:
            raise CharonUnreachable(redact(f"VICI protocol error on {self.path}: {err}",
                                           secrets)) from None
        except OSError as err:  # timeouts, a charon that died mid-call
            raise CharonUnreachable(f"The connection to {self.path} broke: "
                                    f"{err.strerror or err}.") from None
        finally:
            sock = getattr(s, "_vpnform_socket", None)
            if sock is not None:
                sock.close()

    # -- the calls the provider makes ---------------------------------------------------
    def version(self) -> dict:
        with self.session() as s:
            return decode(s.version())

    def get_algorithms(self) -> dict:
        with self.session() as s:
            return decode(s.get_algorithms())

    def list_conn(self, name: str) -> dict | None:
        """The list-conns entry of connection ``name`` (decoded), or None."""
        with self.session() as s:
            found = None
            for item in s.list_conns({"ike": name}):
                item = decode(item)
                if name in item:
                    found = item[name]
            return found

    def conn_names(self) -> list[str]:
        with self.session() as s:
            return decode(s.get_conns()).get("conns", [])

    def shared_key_ids(self) -> set[str]:
        with self.session() as s:
            return set(decode(s.get_shared()).get("keys", []))

    def list_sas(self, ike: str | None = None) -> list[dict]:
        """list-sas entries ({ike name: sa}) decoded; only of ``ike`` when given."""
        with self.session() as s:
            return [decode(x) for x in s.list_sas({"ike": ike} if ike else None)]

    def load_shared(self, key_id: str, psk: str, owners: list[str]) -> None:
        msg = {"id": key_id, "type": "IKE", "data": psk, "owners": owners}
        with self.session(secrets=(psk,)) as s:
            s.load_shared(msg)

    def unload_shared(self, key_id: str) -> None:
        with self.session() as s:
            s.unload_shared({"id": key_id})

    def load_conn(self, message: dict, secrets: tuple = ()) -> None:
        with self.session(secrets=secrets) as s:
            s.load_conn(message)

    def unload_conn(self, name: str) -> None:
        with self.session() as s:
            s.unload_conn({"name": name})

    def terminate_ike(self, unique_id: str) -> None:
        """Tear one IKE SA down now: the delete is sent, the answer not awaited."""
        with self.session() as s:
            for _ in s.terminate({"ike-id": unique_id, "force": "yes"}):
                pass

    def terminate_child(self, unique_id: str) -> None:
        """Start deleting one CHILD_SA (not awaited: the peer must answer)."""
        with self.session() as s:
            for _ in s.terminate({"child-id": unique_id, "timeout": "-1"}):
                pass

    def terminate_conn(self, name: str) -> None:
        """Close connection ``name``'s IKE SAs (and their children) without waiting; its
        trap policies stay, so the next packet activates it again. Nothing established:
        nothing to close."""
        try:
            with self.session() as s:
                for _ in s.terminate({"ike": name, "force": "yes", "timeout": "-1"}):
                    pass
        except CharonCommandError:
            pass

    def forget(self, conn_name: str, key_id: str) -> None:
        """Unload a connection and its shared key; either one not loaded is no error."""
        for unload in (lambda: self.unload_conn(conn_name), lambda: self.unload_shared(key_id)):
            try:
                unload()
            except CharonCommandError:
                pass


def _errmsg(err: Exception) -> str:
    text = str(err)
    return text[len("Command failed: "):] if text.startswith("Command failed: ") else text


def is_not_found(err: StrongSwanError) -> bool:
    text = str(err).lower()
    return "not found" in text or "no matching" in text
