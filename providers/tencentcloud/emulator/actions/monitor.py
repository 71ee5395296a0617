"""GetMonitorData and DescribeBaseMetrics: the Cloud Monitor product's (2018-07-24)
metric actions for the VPN namespaces (reference monitoring-alarms-cost.md §1.2–1.3).
Served by monitor_service.EmulatedMonitorService, not by the VPC service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import metrics
from ..store import Tx
from .common import ApiError
from .request import Int, Part, Request, Str, actions


class Dimension(Part):
    Name: Str
    Value: Str


class Instance(Part):
    Dimensions: list[Dimension]


class GetMonitorDataRequest(Request):
    Namespace: Str
    MetricName: Str
    Instances: list[Instance]
    Period: Int = metrics.DEFAULT_PERIOD
    StartTime: Str | None = None
    EndTime: Str | None = None
    SpecifyStatistics: Int | None = None


class DescribeBaseMetricsRequest(Request):
    Namespace: Str
    MetricName: Str | None = None
    Dimensions: list[Str] = []


def _bad(message: str) -> ApiError:
    return ApiError("InvalidParameterValue", message)


def _time(text: str | None, name: str, default: float) -> float:
    if text is None:
        return default
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"`{name}` {text!r} is not an ISO 8601 time such as "
                   "2018-09-22T19:51:23+08:00.") from None
    if t.tzinfo is None:
        t = t.astimezone()
    return t.timestamp()


def iso(ts: float) -> str:
    """Unix seconds as the API writes times: ISO 8601 with the local offset."""
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _instance_id(inst: Instance, namespace: str) -> str:
    want = metrics.DIMENSION[namespace]
    names = [d.Name for d in inst.Dimensions]
    if [n.lower() for n in names] != [want.lower()]:
        raise _bad(f"The instances of {namespace} have exactly one dimension, `{want}`; "
                   f"got {names or 'none'}.")
    return inst.Dimensions[0].Value


def get_monitor_data(ctx: Any, tx: Tx, req: GetMonitorDataRequest, region: str) -> dict:
    if req.Namespace not in metrics.namespaces():
        raise _bad(f"The namespace `{req.Namespace}` is not served here (served: "
                   f"{', '.join(metrics.namespaces())}).")
    metric = metrics.find(req.Namespace, req.MetricName)
    if metric is None:
        raise _bad(f"`{req.MetricName}` is not a metric of {req.Namespace}; its metrics: "
                   f"{', '.join(m.name for m in metrics.metrics_of(req.Namespace))}.")
    if req.Period not in metrics.PERIODS:
        raise _bad(f"The period {req.Period} is not supported by {metric.name}; use one of "
                   f"{', '.join(str(p) for p in metrics.PERIODS)} (seconds).")
    if not req.Instances:
        raise _bad("`Instances` must name at least one instance.")
    if len(req.Instances) > metrics.MAX_INSTANCES:
        raise _bad(f"At most {metrics.MAX_INSTANCES} instances per request; got "
                   f"{len(req.Instances)}.")
    ids = [_instance_id(i, req.Namespace) for i in req.Instances]
    now = ctx.clock()
    end = _time(req.EndTime, "EndTime", now)
    start = _time(req.StartTime, "StartTime", end - 3600)
    if end < start:
        raise _bad("`EndTime` may not be earlier than `StartTime`.")
    start_b, end_b = metrics.bucket(start, req.Period), metrics.bucket(end, req.Period)
    if (end_b - start_b) // req.Period + 1 > metrics.MAX_POINTS:
        raise _bad(f"The time range holds more than {metrics.MAX_POINTS} points of "
                   f"{req.Period} s; shorten it or use a longer period.")
    if end >= now - req.Period:  # the range reaches the present: read the instances now
        ctx.sample(tx, req.Namespace, ids, region)
    points = []
    for inst, id_ in zip(req.Instances, ids):
        series = ctx.samples.series(req.Namespace, id_, metric.name, req.Period, start_b, end_b)
        point: dict[str, Any] = {
            "Dimensions": [{"Name": d.Name, "Value": d.Value} for d in inst.Dimensions],
            "Timestamps": [float(t) for t, *_ in series],
            # the metric's statistic (DescribeBaseMetrics' StatType)
            "Values": [round(mx if metric.stat == "max" else a, 6) for _, a, mx, _ in series]}
        stats = req.SpecifyStatistics or 0
        if stats & 1:
            point["AvgValues"] = [round(a, 6) for _, a, _, _ in series]
        if stats & 2:
            point["MaxValues"] = [round(mx, 6) for _, _, mx, _ in series]
        if stats & 4:
            point["MinValues"] = [round(mn, 6) for _, _, _, mn in series]
        points.append(point)
    return {"Period": req.Period, "MetricName": metric.name, "StartTime": iso(start_b),
            "EndTime": iso(end_b), "Msg": "", "DataPoints": points}


def describe_base_metrics(ctx: Any, tx: Tx, req: DescribeBaseMetricsRequest,
                          region: str) -> dict:
    if req.Namespace not in metrics.namespaces():
        raise ApiError("UnsupportedOperation",
                       f"The namespace `{req.Namespace}` is not served here (served: "
                       f"{', '.join(metrics.namespaces())}).")
    dimension = metrics.DIMENSION[req.Namespace]
    if req.Dimensions and dimension.lower() not in {d.lower() for d in req.Dimensions}:
        return {"MetricSet": []}
    found = [m for m in metrics.metrics_of(req.Namespace)
             if req.MetricName is None or m.name.lower() == req.MetricName.lower()]
    return {"MetricSet": [{
        "Namespace": m.namespace, "MetricName": m.name, "Unit": m.unit, "UnitCname": m.unit,
        "Period": list(metrics.PERIODS),
        "Periods": [{"Period": str(p), "StatType": [m.stat]} for p in metrics.PERIODS],
        "Meaning": {"En": m.en, "Zh": m.zh}, "Dimensions": [{"Dimensions": [dimension]}],
        "MetricCName": m.zh, "MetricEName": m.en} for m in found]}


ACTIONS = actions({GetMonitorDataRequest: get_monitor_data,
                   DescribeBaseMetricsRequest: describe_base_metrics})
