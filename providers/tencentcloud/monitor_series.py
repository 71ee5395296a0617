"""The tunnel's Cloud Monitor series, read through the monitor API (DescribeBaseMetrics,
GetMonitorData) on any client: the CLI's ``tunnel monitor`` and the served emulator's web
console both draw from here. Imports no dataplane and no emulator, so both may use it."""

from __future__ import annotations

from engine.diagnostics import Diagnostics
from engine.values import unmark

from .client import CloudError
from .resources.base import cloud_error_detail

TUNNEL_NAMESPACE = "QCE/VPNX"


def tunnel_metrics(client, value: dict, metrics: list[str] | None, period: int, start: float,
                   end: float) -> tuple[list[dict] | None, Diagnostics]:
    """The tunnel's Cloud Monitor series (QCE/VPNX) over [start, end], one GetMonitorData
    call per metric: [{"metric", "unit", "period", "timestamps", "values"}]. ``metrics``
    None: every metric DescribeBaseMetrics lists for tunnels."""
    from datetime import datetime
    d = Diagnostics()
    plain = unmark(value)[0]
    try:
        known = client.call("DescribeBaseMetrics", Namespace=TUNNEL_NAMESPACE)["MetricSet"]
        units = {m["MetricName"].lower(): (m["MetricName"], m.get("Unit") or "")
                 for m in known}
        wanted = metrics or [m["MetricName"] for m in known]
        unknown = [m for m in wanted if m.lower() not in units]
        if unknown:
            d.error("Unknown metric", f"{', '.join(unknown)} is not a tunnel metric. Use one "
                    f"of: {', '.join(n for n, _ in units.values())}.")
            return None, d
        out = []
        for name in wanted:
            canonical, unit = units[name.lower()]
            resp = client.call(
                "GetMonitorData", Namespace=TUNNEL_NAMESPACE, MetricName=canonical,
                Period=period,
                StartTime=datetime.fromtimestamp(start).astimezone().isoformat(timespec="seconds"),
                EndTime=datetime.fromtimestamp(end).astimezone().isoformat(timespec="seconds"),
                Instances=[{"Dimensions": [{"Name": "vpnConnId", "Value": plain["id"]}]}])
            point = (resp.get("DataPoints") or [{}])[0]
            out.append({"metric": canonical, "unit": unit, "period": period,
                        "timestamps": point.get("Timestamps") or [],
                        "values": point.get("Values") or []})
    except CloudError as err:
        d.error("Cannot read the tunnel's monitoring data", cloud_error_detail(err, []))
        return None, d
    return out, d
