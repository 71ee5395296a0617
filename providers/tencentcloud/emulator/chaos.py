"""Faults at a rate, for rehearsing how vpnform copes with a flaky cloud.

``VPNFORM_EMULATOR_FAULTS`` holds comma-separated ``KIND=RATE`` items, each RATE a
probability per call between 0 and 1:

    internal=R        the call fails with InternalError; nothing was done
    throttle=R        the call fails with RequestLimitExceeded; nothing was done
    lost=R            the call is carried out, but its answer is lost (no response)
    latency=R[:S]     the call waits S seconds first (default 0.2), outside any lock
    seed=N            make the sequence of faults repeatable

For example ``VPNFORM_EMULATOR_FAULTS="internal=0.05,lost=0.05,latency=0.2:0.1"``. Every
process that opens the emulated cloud (each ``vpnform`` command) reads it. Faults armed
one at a time (``faults.py``, ``EmulatedVpcService.inject_fault``) come on top; the code
``ResponseLost`` there arms one lost answer.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

FAULTS_ENV = "VPNFORM_EMULATOR_FAULTS"
LOST = "ResponseLost"  # the code that arms a lost answer in the one-at-a-time faults
ERROR_KINDS = {"internal": ("InternalError", "An internal error occurred. Try again later."),
               "throttle": ("RequestLimitExceeded",
                            "Your request rate exceeds the limit. Try again later.")}
KINDS = ("internal", "throttle", "lost", "latency", "seed")


class ResponseLost(Exception):
    """The call was carried out, but its answer never reached the caller."""


@dataclass(frozen=True)
class Roll:
    """What happens to one call."""

    error: tuple[str, str] | None = None  # (code, message) instead of the call
    lost: bool = False  # the answer of a call carried out is lost
    delay: float = 0.0  # seconds to wait first


class FaultRates:
    """A parsed ``VPNFORM_EMULATOR_FAULTS``; ``roll()`` decides one call's fate."""

    def __init__(self, rates: dict[str, float], latency: float = 0.2, seed: int | None = None):
        self.rates = rates
        self.latency = latency
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return any(r > 0 for r in self.rates.values())

    @classmethod
    def parse(cls, text: str | None) -> "FaultRates":
        """Raises ValueError with a message naming the bad item and the expected form."""
        rates: dict[str, float] = {}
        latency, seed = 0.2, None
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            kind, sep, value = item.partition("=")
            kind = kind.strip()
            if not sep or kind not in KINDS:
                raise ValueError(
                    f"{FAULTS_ENV}: {item!r} is not KIND=RATE with KIND one of "
                    f"{', '.join(KINDS)}. Example: internal=0.05,lost=0.05,latency=0.2:0.1.")
            if kind == "seed":
                try:
                    seed = int(value)
                except ValueError:
                    raise ValueError(f"{FAULTS_ENV}: seed must be a whole number, not "
                                     f"{value!r}.") from None
                continue
            rate_text, _, seconds = value.partition(":") if kind == "latency" else (value, "", "")
            try:
                rate = float(rate_text)
                if seconds:
                    latency = float(seconds)
            except ValueError:
                raise ValueError(f"{FAULTS_ENV}: {item!r} needs a number for its rate"
                                 + (" and seconds" if kind == "latency" else "") + ".") from None
            if not 0.0 <= rate <= 1.0 or not 0.0 <= latency <= 60.0:
                raise ValueError(f"{FAULTS_ENV}: in {item!r} the rate must be between 0 and 1 "
                                 "(and a latency between 0 and 60 seconds).")
            rates[kind] = rate
        return cls(rates, latency, seed)

    def roll(self) -> Roll:
        if not self.active:
            return Roll()
        with self._lock:
            draws = {k: self._random.random() for k in ("latency", "internal", "throttle", "lost")}
        delay = self.latency if draws["latency"] < self.rates.get("latency", 0.0) else 0.0
        for kind in ("internal", "throttle"):
            if draws[kind] < self.rates.get(kind, 0.0):
                return Roll(error=ERROR_KINDS[kind], delay=delay)
        return Roll(lost=draws["lost"] < self.rates.get("lost", 0.0), delay=delay)
