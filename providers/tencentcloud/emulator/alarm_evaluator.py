"""One evaluation of a cloud's alarm policies: each enabled policy's bound tunnels are
read (sampler.py, so the samples are current), each rule is judged (alarm_rules.py),
an alarm is raised or recovered in the history (alarm_store.py), and the notice
templates' URLs are called back (alarm_callbacks.py), once when the alarm is raised and
once when it recovers; an alarm that goes on raises no further callback.

When it runs: ``vpnform cloud serve`` runs it in the background every
$VPNFORM_ALARM_INTERVAL seconds (default 60); every DescribeAlarmHistories call runs it
first, so the embedded cloud (``vpnform cloud DescribeAlarmHistories``) is evaluated when
its history is read.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from . import metrics
from .alarm_callbacks import deliver, payload
from ..monitor_regions import REGION_NAMES
from .alarm_rules import OPERATORS, POLICY_TYPES, Judgement, bound_instance, judge

INTERVAL_ENV = "VPNFORM_ALARM_INTERVAL"
DEFAULT_INTERVAL = 60.0
NOTICE_TYPES = {True: ("ALARM", "ALL"), False: ("OK", "ALL")}  # raised / recovered


@dataclass(frozen=True)
class Watch:
    """One (policy, object, rule) judged now."""

    policy: dict
    instance: str
    name: str
    region_code: str
    rule_key: str
    rule: dict
    judgement: Judgement


def _series(service: Any, qce: str, instance: str, rule: dict, now: float) -> list:
    metric = metrics.find(qce, rule["MetricName"])
    period = int(rule["Period"])
    need = int(rule.get("ContinuePeriod") or 1)
    start = metrics.bucket(now, period) - period * (need + 1)
    rows = service.samples.series(qce, instance, metric.name, period, start, now)
    return [(t, mx if metric.stat == "max" else avg) for t, avg, mx, _ in rows]


def _watches(service: Any, now: float) -> list[Watch]:
    with service.alarms.writing() as w:
        plans = [(p, w.bindings(p["PolicyId"])) for p in w.policies()
                 if p.get("Enable") == 1 and p["Namespace"] in POLICY_TYPES
                 and (p.get("Condition") or {}).get("Rules")]
    found = []
    for policy, bindings in plans:
        qce, key, _ = POLICY_TYPES[policy["Namespace"]]
        cond = policy["Condition"]
        for b in bindings:
            instance = bound_instance(b["Dimensions"], key)
            region = REGION_NAMES.get(b["Region"])
            if instance is None or region is None:
                continue
            with service.store.snapshot() as tx:
                conn = tx.get("vpnx", instance, region)
            if conn is None:
                continue
            service.sampler.tunnel(conn)
            name = conn.get("VpnConnectionName") or instance
            judged = [(str(i), r, judge(r, _series(service, qce, instance, r, now), now))
                      for i, r in enumerate(cond["Rules"])]
            if cond.get("IsUnionRule") == 1:  # all rules together: one alarm
                holds = [j.holds_now for _, _, j in judged]
                both = Judgement(all(j.breached for _, _, j in judged),
                                 None if None in holds else all(holds), judged[0][2].value)
                judged = [("all", judged[0][1], both)]
            found += [Watch(policy, instance, name, b["Region"], k, r, j) for k, r, j in judged]
    return found


def _history(watch: Watch, now: float) -> dict:
    qce, _, _ = POLICY_TYPES[watch.policy["Namespace"]]
    rule, policy = watch.rule, watch.policy
    metric = metrics.find(qce, rule["MetricName"])
    content = (f"{metric.name} {OPERATORS[rule['Operator']][0]} {rule['Value']} "
               f"({metric.unit}) for {rule.get('ContinuePeriod') or 1} period(s) of "
               f"{rule['Period']} s")
    return {
        "AlarmId": str(uuid.uuid4()), "MonitorType": policy["MonitorType"],
        "Namespace": policy["Namespace"], "AlarmObject": f"{watch.name}({watch.instance})",
        "Content": content, "FirstOccurTime": int(now), "LastOccurTime": int(now),
        "AlarmStatus": "ALARM", "PolicyId": policy["PolicyId"],
        "PolicyName": policy["PolicyName"], "VPC": "", "ProjectId": policy["ProjectId"],
        "ProjectName": "", "InstanceGroup": [], "ReceiverUids": [], "ReceiverGroups": [],
        "NoticeWays": ["URL"] if policy.get("NoticeIds") else [],
        "OriginId": policy["OriginId"], "AlarmType": "METRIC", "EventId": 0,
        "Region": watch.region_code, "PolicyExists": 1,
        "MetricsInfo": [{"QceNamespace": qce.lower(), "MetricName": metric.name,
                         "Period": int(rule["Period"]),
                         "Value": "" if watch.judgement.value is None
                         else f"{watch.judgement.value:g}",
                         "Description": metric.en}],
        "Dimensions": json.dumps({POLICY_TYPES[policy["Namespace"]][1]: watch.instance}),
        "AlarmLevel": ""}


def evaluate(service: Any) -> int:
    """Evaluate every enabled policy of ``service`` (an EmulatedMonitorService) now;
    the number of callbacks answered."""
    now = service.clock()
    watches = _watches(service, now)
    calls: list[tuple[str, dict]] = []
    with service.alarms.writing() as w:
        for watch in watches:
            policy = w.policy(watch.policy["PolicyId"])
            if policy is None or policy.get("Enable") != 1:
                continue
            j = watch.judgement
            open_ = w.open_alarm(policy["PolicyId"], watch.instance, watch.rule_key)
            if open_ is None and j.breached:
                record = _history(watch, now)
                raised, first = True, now
            elif open_ is not None and j.holds_now is False:
                record = {**open_, "AlarmStatus": "OK"}
                raised, first = False, float(open_["FirstOccurTime"])
            else:
                if open_ is not None and j.holds_now:
                    w.put_alarm(policy["PolicyId"], watch.instance, watch.rule_key,
                                {**open_, "LastOccurTime": int(now)})
                continue
            w.put_alarm(policy["PolicyId"], watch.instance, watch.rule_key, record)
            qce, key, cname = POLICY_TYPES[policy["Namespace"]]
            body = payload(raised=raised, policy=policy, rule=watch.rule,
                           metric=metrics.find(qce, watch.rule["MetricName"]),
                           qce_namespace=qce, region_code=watch.region_code,
                           dimension_key=key, instance=watch.instance,
                           instance_name=watch.name, type_name=cname, value=j.value,
                           first=first, now=now)
            for nid in policy.get("NoticeIds") or []:
                notice = w.notice(nid)
                if notice is None or notice["NoticeType"] not in NOTICE_TYPES[raised]:
                    continue
                calls += [(u["URL"], body) for u in notice.get("URLNotices") or []]
    return sum(deliver(url, body) for url, body in calls)


def interval_from_env() -> float:
    """$VPNFORM_ALARM_INTERVAL in seconds (1 to 3600; default 60)."""
    text = os.environ.get(INTERVAL_ENV)
    if not text:
        return DEFAULT_INTERVAL
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{INTERVAL_ENV}={text!r} is not a number of seconds.") from None
    if not 1 <= value <= 3600:
        raise ValueError(f"{INTERVAL_ENV}={text!r} must be from 1 to 3600 seconds.")
    return value


class BackgroundEvaluator:
    """Evaluates the alarm policies of ``services()`` every ``interval`` seconds in a
    thread, until ``stop()``."""

    def __init__(self, services: Callable[[], list], interval: float):
        self.services = services
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alarm-evaluator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                for service in self.services():
                    if self._stop.is_set():
                        return
                    service.evaluate_alarms()
            except Exception as e:  # noqa: BLE001 - one failed round must not end the thread
                print(f"alarm evaluation failed: {type(e).__name__}: {e}", file=sys.stderr)
