"""Alarm callbacks: the JSON body the cloud POSTs to a notice template's URL when an
alarm is raised (``alarmStatus`` "1") and when it recovers ("0") (reference
monitoring-alarms-cost.md §2), and its delivery.

The emulated cloud calls only this machine: a URL whose host is not ``localhost`` or a
loopback address is refused when the notice is saved (``loopback_problem``) and never
called. Delivery is one POST with a 5 s timeout, tried at most 3 times, as the cloud does.
"""

from __future__ import annotations

import ipaddress
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from .alarm_rules import OPERATORS

TIMEOUT = 5.0
ATTEMPTS = 3


def loopback_problem(url: str) -> str | None:
    """Why the emulated cloud will not call ``url``, or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        return f"The callback URL {url!r} is not a valid URL."
    if parts.scheme not in ("http", "https"):
        return f"The callback URL {url!r} must be http:// or https://."
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (f"The emulated cloud only calls back to this machine: the host of {url!r} must "
            "be localhost or a loopback address such as 127.0.0.1.")


def clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def payload(*, raised: bool, policy: dict, rule: dict, metric: object, qce_namespace: str,
            region_code: str, dimension_key: str, instance: str, instance_name: str,
            type_name: str, value: float | None, first: float, now: float) -> dict:
    """The callback body of an alarm raised (``raised``) or recovered at ``now``."""
    frequency = int(rule.get("NoticeFrequency") or 0)
    notify = ("singleAlarm" if frequency == 0 else
              "exponentialAlarm" if rule.get("IsPowerNotice") else "continuousAlarm")
    unit = getattr(metric, "unit", "")
    current = "" if value is None else f"{value:g}"
    return {
        "sessionId": uuid.uuid4().hex,
        "alarmStatus": "1" if raised else "0",
        "alarmType": "metric",
        "alarmObjInfo": {
            "region": region_code,
            "namespace": qce_namespace.lower(),
            "appId": "",
            "uin": "",
            "dimensions": {dimension_key: instance, "objId": instance,
                           "objName": f"{instance_name}({instance})"},
        },
        "alarmPolicyInfo": {
            "policyId": policy["PolicyId"],
            "policyType": policy["Namespace"],
            "policyName": policy["PolicyName"],
            "policyTypeCName": type_name,
            "conditions": {
                "metricName": getattr(metric, "name", rule["MetricName"]),
                "metricShowName": getattr(metric, "en", rule["MetricName"]),
                "calcType": OPERATORS[rule["Operator"]][0],
                "calcValue": str(rule["Value"]),
                "calcUnit": unit,
                "currentValue": current,
                "historyValue": current,
                "unit": unit,
                "period": str(rule["Period"]),
                "periodNum": str(rule.get("ContinuePeriod") or 1),
                "alarmNotifyType": notify,
                "alarmNotifyPeriod": frequency,
            },
        },
        "firstOccurTime": clock_text(first),
        "durationTime": int(now - first),
        "recoverTime": "0" if raised else clock_text(now),
    }


def deliver(url: str, body: dict, sleep=time.sleep) -> bool:
    """POST ``body`` to ``url`` (a loopback URL only); whether it was answered with 2xx."""
    if loopback_problem(url) is not None:
        return False
    data = json.dumps(body, ensure_ascii=False).encode()
    # never through a proxy: the URL is on this machine
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for attempt in range(ATTEMPTS):
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with opener.open(req, timeout=TIMEOUT) as resp:
                if 200 <= resp.status < 300:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if attempt + 1 < ATTEMPTS:
            sleep(0.5 * (attempt + 1))
    return False
