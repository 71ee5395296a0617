"""Request rate limits of the served cloud: a token bucket per (account, action), as the
real cloud throttles each account's calls to each action (20 per second by default)."""

from __future__ import annotations

import threading
import time
from typing import Callable

DEFAULT_RATE = 20  # calls per second per action, the cloud's usual limit
MAX_BUCKETS = 10_000


class RateLimiter:
    """``allow(key)`` is False once ``key`` has used up its calls: ``rate`` per second, in
    bursts of at most ``rate``. A rate of 0 allows everything."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self._clock = clock
        self._buckets: dict[tuple, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def allow(self, key: tuple) -> bool:
        if self.rate <= 0:
            return True
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled (a full bucket is the same as none), so that
        made-up action names cannot grow the table without end."""
        self._buckets = {k: (t, last) for k, (t, last) in self._buckets.items()
                         if t + (now - last) * self.rate < self.rate}
