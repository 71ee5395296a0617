"""Readings of the tunnels and gateways, turned into monitoring samples (samples.py).

Sampling happens on demand: GetMonitorData reads each instance it is asked about (at most
once per ``min_interval`` seconds), and the reading fills the period buckets since the
previous one. Where the attached realiser runs the tunnel for real
(``Realiser.measure_tunnel``), the values are the real dataplane's: ESP byte and packet
counters of the tunnel's child SAs on the active charon, and loss and latency of a ping
through the tunnel (sent only while the tunnel is up, so monitoring never activates a
tunnel). Otherwise the emulator's own state is the truth: no traffic passes (zero rates,
from the object's creation on) and the tunnel is disconnected, as its NetStatus says.
Nothing is ever made up.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .metrics import GATEWAY_NS, TUNNEL_NS
from .samples import SampleStore

COUNTERS = ("bytes_in", "bytes_out", "packets_in", "packets_out")
ZERO = {k: 0 for k in COUNTERS}
PROBE_COUNT = 3  # echo requests per tunnel probe (ping -i 0.2 -W 2: at most ~3 s)


def created_at(obj: dict) -> float | None:
    """The object's CreatedTime (the emulator's local time) as Unix seconds."""
    try:
        return time.mktime(time.strptime(obj.get("CreatedTime") or "", "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return None


def _delta(now: dict, before: dict) -> dict:
    """Counter growth; a counter that went down was reset (a rekey, a failover), so all
    of its present value is new."""
    return {k: (now.get(k, 0) - before.get(k, 0)) if now.get(k, 0) >= before.get(k, 0)
            else now.get(k, 0) for k in COUNTERS}


def _rates(delta: dict, seconds: float) -> dict[str, float]:
    return {"in_mbps": delta["bytes_in"] * 8 / seconds / 1e6,
            "out_mbps": delta["bytes_out"] * 8 / seconds / 1e6,
            "in_pps": delta["packets_in"] / seconds,
            "out_pps": delta["packets_out"] / seconds}


def _spd(conn: dict) -> tuple[list[str], list[str]]:
    spd = conn.get("SecurityPolicyDatabaseSet") or []
    local = [p["LocalCidrBlock"] for p in spd if p.get("LocalCidrBlock")]
    remote = [r for p in spd for r in (p.get("RemoteCidrBlock") or [])]
    return local, remote


class Sampler:
    """Takes readings through ``realiser()`` (the service's attached realiser, or None)."""

    def __init__(self, samples: SampleStore, realiser: Callable[[], Any],
                 clock: Callable[[], float] = time.time, min_interval: float = 5.0):
        self.samples = samples
        self.realiser = realiser
        self.clock = clock
        self.min_interval = min_interval

    def _measure(self, conn: dict, probe: bool) -> dict | None:
        """The real dataplane's view of the tunnel, or None when it has none."""
        measure = getattr(self.realiser(), "measure_tunnel", None)
        if measure is None:
            return None
        local, remote = _spd(conn)
        return measure(conn["VpnGatewayId"], conn["VpnConnectionId"], local, remote,
                       PROBE_COUNT if probe else 0)

    def _due(self, instance: str) -> bool:
        last = self.samples.reading_time(instance)
        return last is None or self.clock() - last >= self.min_interval

    def tunnel(self, conn: dict) -> None:
        """Read the tunnel ``conn`` (a stored VPN connection) and record its samples."""
        cid = conn["VpnConnectionId"]
        if not self._due(cid):
            return
        live = self._measure(conn, probe=True)
        now = self.clock()
        gauges: dict[str, float] = {}
        if live is None:
            counters, since = dict(ZERO), created_at(conn)
            gauges.update(Disconnected=1.0, PkgDrop=100.0)
        else:
            counters, since = live["counters"], None
            gauges["Disconnected"] = 0.0 if live["connected"] else 1.0
            probe = live.get("probe")
            if probe and probe.get("sent"):
                gauges["PkgDrop"] = 100.0 * (probe["sent"] - probe["received"]) / probe["sent"]
                if probe.get("rtts_ms"):
                    gauges["Delay"] = sum(probe["rtts_ms"]) / len(probe["rtts_ms"])
            elif not live["connected"]:
                gauges["PkgDrop"] = 100.0  # nothing passes a tunnel that is down
        with self.samples.writing() as w:
            last = w.reading(cid)
            if last is not None and last[0] >= now:
                return  # another sampler got there first
            before = (last[0], last[1]) if last else ((since, ZERO) if since else None)
            if before is not None and now > before[0]:
                r = _rates(_delta(counters, before[1]), now - before[0])
                w.add_interval(TUNNEL_NS, cid, {"InBandwidth": r["in_mbps"],
                                                "OutBandwidth": r["out_mbps"],
                                                "InPkg": r["in_pps"], "OutPkg": r["out_pps"]},
                               before[0], now)
            w.add_point(TUNNEL_NS, cid, gauges, now)
            w.set_reading(cid, now, counters)
            w.prune(now)

    def gateway(self, gw: dict, conns: list[dict]) -> None:
        """Read the gateway ``gw`` (its tunnels ``conns``, stored objects) and record its
        samples: the sum of its tunnels' traffic, and its bandwidth usage."""
        gid = gw["VpnGatewayId"]
        if not self._due(gid):
            return
        per_tunnel: dict[str, dict] = {}
        real = False
        for conn in conns:
            live = self._measure(conn, probe=False)
            real = real or live is not None
            per_tunnel[conn["VpnConnectionId"]] = live["counters"] if live else dict(ZERO)
        now = self.clock()
        with self.samples.writing() as w:
            last = w.reading(gid)
            if last is not None and last[0] >= now:
                return
            since = None if real else created_at(gw)
            before = last if last else ((since, {}) if since else None)
            if before is not None and now > before[0]:
                total = dict(ZERO)
                for cid, counters in per_tunnel.items():
                    d = _delta(counters, before[1].get(cid, ZERO))
                    total = {k: total[k] + d[k] for k in COUNTERS}
                r = _rates(total, now - before[0])
                cap = float(gw.get("InternetMaxBandwidthOut") or 0)
                usage = 100.0 * max(r["in_mbps"], r["out_mbps"]) / cap if cap else 0.0
                w.add_interval(GATEWAY_NS, gid, {"InBandwidth": r["in_mbps"],
                                                 "OutBandwidth": r["out_mbps"],
                                                 "Inpkg": r["in_pps"], "Outpkg": r["out_pps"],
                                                 "VpnBandwidthUsageRate": usage},
                               before[0], now)
            w.set_reading(gid, now, per_tunnel)
            w.prune(now)
