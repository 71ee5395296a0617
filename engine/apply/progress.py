"""The "still creating… [10s elapsed]" ticks of a walk's long operations: one thread for
the whole walk (not one per operation), so an operation that finishes at once costs no
thread start."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Callable, Iterator

# tick(address, action, id, elapsed seconds)
Tick = Callable[[str, str, object, float], None]


class ProgressTicker:
    """Calls ``tick`` for every operation still running, each ``interval`` seconds after
    that operation started; never after it has ended."""

    def __init__(self, tick: Tick, interval: float):
        self._tick = tick
        self.interval = interval
        self._cond = threading.Condition()
        self._running: dict[int, list] = {}  # key -> [address, action, id, start, next due]
        self._next_key = 0
        self._thread: threading.Thread | None = None
        self._stopped = False

    @contextlib.contextmanager
    def running(self, address: str, action: str, rid) -> Iterator[None]:
        """Ticks for ``address`` while the block runs."""
        start = time.monotonic()
        with self._cond:
            key = self._next_key
            self._next_key += 1
            self._running[key] = [address, action, rid, start, start + self.interval]
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._loop, name="apply-progress",
                                                daemon=True)
                self._thread.start()
            # No wake-up: the thread never sleeps longer than ``interval``, so it is up
            # again before this operation's first tick is due.
        try:
            yield
        finally:
            with self._cond:
                del self._running[key]

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                for entry in list(self._running.values()):
                    address, action, rid, start, due = entry
                    if due <= now:
                        # under the lock: an operation cannot end while its tick is out
                        self._tick(address, action, rid, now - start)
                        while entry[4] <= now:
                            entry[4] += self.interval
                due = min((e[4] for e in self._running.values()),
                          default=time.monotonic() + self.interval)
                self._cond.wait(max(0.0, due - time.monotonic()))
