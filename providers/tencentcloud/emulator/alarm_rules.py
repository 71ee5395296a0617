"""What an alarm policy watches and how one of its rules is judged against samples
(pure: no store, no clock).

A rule ``{MetricName, Period, Operator, Value, ContinuePeriod}`` is *breached* when the
newest ``ContinuePeriod`` period buckets of the metric are consecutive, end in the present
period or the one before it, and every one meets ``value OPERATOR threshold``. Each
bucket's value is the metric's statistic, as GetMonitorData answers it (the maximum of
``Disconnected``, the average of the others). An alarm that is raised *recovers* when the
newest bucket no longer meets the condition; with no fresh bucket, nothing changes.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from typing import Callable

from . import metrics

# alarm policy type -> (QCE namespace, the binding's dimension key, display name)
POLICY_TYPES = {"vpn_tunnel": (metrics.TUNNEL_NS, "vpnconnid", "VPN - tunnel")}
# Operator -> (the callback's calcType, the comparison)
OPERATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "gt": (">", operator.gt), "ge": (">=", operator.ge), "lt": ("<", operator.lt),
    "le": ("<=", operator.le), "eq": ("=", operator.eq), "ne": ("!=", operator.ne)}
CONTINUE_PERIODS = range(1, 31)
# Seconds between repeated notices the API accepts (0: never repeat); the emulated
# cloud keeps the setting but sends no repeat (one callback when raised, one on recovery).
NOTICE_FREQUENCIES = (0, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


@dataclass(frozen=True)
class Judgement:
    breached: bool  # the condition held for ContinuePeriod consecutive periods
    holds_now: bool | None  # the newest bucket meets the condition (None: no fresh data)
    value: float | None  # the newest bucket's value


def rule_problem(namespace: str, rule: dict) -> str | None:
    """Why ``rule`` of a policy of type ``namespace`` cannot be evaluated, or None."""
    qce = POLICY_TYPES[namespace][0]
    name = rule.get("MetricName")
    if not name or metrics.find(qce, name) is None:
        return (f"`MetricName` {name!r} is not a metric of {namespace}; its metrics: "
                f"{', '.join(m.name for m in metrics.metrics_of(qce))}.")
    if rule.get("Period") not in metrics.PERIODS:
        return (f"`Period` {rule.get('Period')!r} of {name} is not supported; use one of "
                f"{', '.join(str(p) for p in metrics.PERIODS)} (seconds).")
    if rule.get("Operator") not in OPERATORS:
        return (f"`Operator` {rule.get('Operator')!r} of {name} is not supported here; use "
                f"one of {', '.join(OPERATORS)}.")
    try:
        float(rule.get("Value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"`Value` {rule.get('Value')!r} of {name} is not a number."
    if rule.get("ContinuePeriod", 1) not in CONTINUE_PERIODS:
        return (f"`ContinuePeriod` of {name} must be from {CONTINUE_PERIODS.start} to "
                f"{CONTINUE_PERIODS.stop - 1}.")
    if rule.get("NoticeFrequency", 0) not in NOTICE_FREQUENCIES:
        return (f"`NoticeFrequency` of {name} must be one of "
                f"{', '.join(str(f) for f in NOTICE_FREQUENCIES)} (seconds).")
    return None


def judge(rule: dict, series: list[tuple[int, float]], now: float) -> Judgement:
    """``rule`` against ``series``: (bucket start, value) at the rule's period, oldest
    first."""
    period = int(rule["Period"])
    need = int(rule.get("ContinuePeriod") or 1)
    meets = OPERATORS[rule["Operator"]][1]
    threshold = float(rule["Value"])
    fresh = [(t, v) for t, v in series if t >= metrics.bucket(now, period) - period]
    if not fresh:
        return Judgement(False, None, None)
    newest_t, newest_v = series[-1]
    holds_now = meets(newest_v, threshold)
    window = series[-need:]
    consecutive = len(window) == need and all(
        b[0] - a[0] == period for a, b in zip(window, window[1:]))
    breached = consecutive and all(meets(v, threshold) for _, v in window)
    return Judgement(breached, holds_now, newest_v)


def bound_instance(dimensions: str, key: str) -> str | None:
    """The instance ID a binding's ``Dimensions`` JSON names under ``key`` (any case)."""
    try:
        dims = json.loads(dimensions)
    except ValueError:
        return None
    if not isinstance(dims, dict):
        return None
    return next((str(v) for k, v in dims.items() if k.lower() == key.lower()), None)
