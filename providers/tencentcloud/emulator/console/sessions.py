"""The web console's sign-in sessions: a random token (``secrets``) per sign-in, kept only
as its SHA-256, which names the account and expires after ``IDLE`` seconds unused or
``LIFETIME`` seconds after sign-in, whichever comes first."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

COOKIE = "vpnform_console"
IDLE = 30 * 60.0  # seconds a session lives unused
LIFETIME = 8 * 3600.0  # seconds a session lives at most
MAX_SESSIONS = 1000  # beyond this, the session used longest ago is dropped


@dataclass
class Session:
    account: str
    started: float
    last_used: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Sessions:
    """Tokens -> sessions. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, idle: float = IDLE,
                 lifetime: float = LIFETIME, limit: int = MAX_SESSIONS):
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime
        self.limit = limit
        self._by_digest: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, account: str) -> str:
        """A new session for ``account``: its token, to be sent once as the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._drop_expired(now)
            if len(self._by_digest) >= self.limit:
                oldest = min(self._by_digest, key=lambda d: self._by_digest[d].last_used)
                del self._by_digest[oldest]
            self._by_digest[_digest(token)] = Session(account, now, now)
        return token

    def account(self, token: str | None) -> str | None:
        """The account of a live session (and the session is used now), or None."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            digest = _digest(token)
            found = self._by_digest.get(digest)
            if found is None:
                return None
            if self._expired(found, now):
                del self._by_digest[digest]
                return None
            found.last_used = now
            return found.account

    def end(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._by_digest.pop(_digest(token), None)

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.last_used > self.idle or now - s.started > self.lifetime

    def _drop_expired(self, now: float) -> None:
        for digest in [d for d, s in self._by_digest.items() if self._expired(s, now)]:
            del self._by_digest[digest]
