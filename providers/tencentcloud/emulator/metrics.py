"""The Cloud Monitor metrics the emulated cloud serves: two namespaces, their metrics,
units, periods and dimensions (reference tencent-vpc-api.md §3 and
monitoring-alarms-cost.md §1.2–1.3), and the period buckets samples are kept in.

Metric names match case-insensitively, as the intl docs spell them differently
(``Outbandwidth``); answers use the names below. A metric is either a *rate* (derived
from a tunnel's cumulative byte/packet counters over the time between two readings) or a
*gauge* (observed at a reading: connectivity, probe loss, probe latency).
"""

from __future__ import annotations

from dataclasses import dataclass

TUNNEL_NS = "QCE/VPNX"
GATEWAY_NS = "QCE/VPNGW"

# The periods every metric here is kept at (seconds) and how long each is kept
# (reference §1.2 "Retention": 1 min / 5 min 31 days, 1 h 93 days, 1 day 186 days).
PERIODS = (60, 300, 3600, 86400)
RETENTION = {60: 31 * 86400, 300: 31 * 86400, 3600: 93 * 86400, 86400: 186 * 86400}
DEFAULT_PERIOD = 300
MAX_INSTANCES = 50  # per GetMonitorData request (reference §1.2 "Limits")
MAX_POINTS = 7200


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    unit: str
    kind: str  # "rate" | "gauge"
    en: str
    zh: str
    stat: str = "avg"


TUNNEL_DIMENSION = "vpnConnId"
GATEWAY_DIMENSION = "vpnGwId"
DIMENSION = {TUNNEL_NS: TUNNEL_DIMENSION, GATEWAY_NS: GATEWAY_DIMENSION}

METRICS: tuple[Metric, ...] = (
    Metric(TUNNEL_NS, "InBandwidth", "Mbps", "rate", "Inbound bandwidth of the tunnel",
           "通道入带宽"),
    Metric(TUNNEL_NS, "OutBandwidth", "Mbps", "rate", "Outbound bandwidth of the tunnel",
           "通道出带宽"),
    Metric(TUNNEL_NS, "InPkg", "Count/s", "rate", "Inbound packets of the tunnel",
           "通道入包量"),
    Metric(TUNNEL_NS, "OutPkg", "Count/s", "rate", "Outbound packets of the tunnel",
           "通道出包量"),
    Metric(TUNNEL_NS, "PkgDrop", "%", "gauge", "Packet loss of the tunnel's probes",
           "通道丢包率"),
    Metric(TUNNEL_NS, "Delay", "ms", "gauge", "Latency of the tunnel's probes", "通道时延"),
    Metric(TUNNEL_NS, "Disconnected", "0/1", "gauge",
           "Tunnel connectivity: 1 when the tunnel is down, 0 when it is up",
           "通道连通性", "max"),
    Metric(GATEWAY_NS, "InBandwidth", "Mbps", "rate", "Inbound bandwidth of the gateway",
           "网关入带宽"),
    Metric(GATEWAY_NS, "OutBandwidth", "Mbps", "rate", "Outbound bandwidth of the gateway",
           "网关出带宽"),
    Metric(GATEWAY_NS, "Inpkg", "Count/s", "rate", "Inbound packets of the gateway",
           "网关入包量"),
    Metric(GATEWAY_NS, "Outpkg", "Count/s", "rate", "Outbound packets of the gateway",
           "网关出包量"),
    Metric(GATEWAY_NS, "VpnBandwidthUsageRate", "%", "rate",
           "Bandwidth usage of the gateway: the larger direction over its bandwidth cap",
           "网关带宽利用率"),
)


def namespaces() -> list[str]:
    return sorted({m.namespace for m in METRICS})


def metrics_of(namespace: str) -> list[Metric]:
    return [m for m in METRICS if m.namespace == namespace]


def find(namespace: str, name: str) -> Metric | None:
    """The metric ``name`` (any letter case) of ``namespace``."""
    for m in metrics_of(namespace):
        if m.name.lower() == name.lower():
            return m
    return None


def bucket(ts: float, period: int) -> int:
    """The start of the period bucket holding ``ts`` (Unix seconds, aligned to the epoch)."""
    return int(ts // period) * period
