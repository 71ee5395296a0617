"""The monitoring samples of one emulated cloud: a SQLite file beside its store
(``monitor.db``, mode 0600), holding per (namespace, instance, metric, period) the
period buckets with the weighted sum, weight, max and min of what was observed in them,
and per instance its last counter reading. History is bounded: buckets older than their
period's retention (metrics.RETENTION) are deleted whenever samples are added.

A rate observed over an interval is spread over the buckets the interval covers, each
weighted by its overlap, so a bucket's average is the true average rate over the part of
it that was observed. A gauge is one observation in the bucket of its instant.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from .metrics import PERIODS, RETENTION, bucket
from .monitor_file import MonitorFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
  ns TEXT NOT NULL, instance TEXT NOT NULL, metric TEXT NOT NULL, period INTEGER NOT NULL,
  ts INTEGER NOT NULL, total REAL NOT NULL, weight REAL NOT NULL, max REAL NOT NULL,
  min REAL NOT NULL, PRIMARY KEY (ns, instance, metric, period, ts));
CREATE TABLE IF NOT EXISTS readings (
  instance TEXT PRIMARY KEY, ts REAL NOT NULL, counters TEXT NOT NULL);
"""

_UPSERT = """
INSERT INTO buckets (ns, instance, metric, period, ts, total, weight, max, min)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (ns, instance, metric, period, ts) DO UPDATE SET
  total = total + excluded.total, weight = weight + excluded.weight,
  max = MAX(max, excluded.max), min = MIN(min, excluded.min)
"""


class SampleStore(MonitorFile):
    """Thread-safe; other processes using the same file see each other's samples."""

    SCHEMA = SCHEMA
    SYNCHRONOUS = "NORMAL"  # a crash may lose the last samples, never corrupt the file

    @contextmanager
    def writing(self) -> Iterator["SampleWriter"]:
        """One write transaction (this process's writers queue on a lock)."""
        with self.transaction() as conn:
            yield SampleWriter(conn)

    def reading_time(self, instance: str) -> float | None:
        """When the instance's last counter reading was taken (None: never)."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT ts FROM readings WHERE instance = ?",
                               (instance,)).fetchone()
        finally:
            conn.close()
        return row[0] if row else None

    def series(self, ns: str, instance: str, metric: str, period: int, start: float,
               end: float) -> list[tuple[int, float, float, float]]:
        """(bucket start, average, max, min) of the buckets in [start, end], oldest first."""
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT ts, total / weight, max, min FROM buckets WHERE ns = ? AND instance = ?"
                " AND metric = ? AND period = ? AND ts >= ? AND ts <= ? AND weight > 0"
                " ORDER BY ts", (ns, instance, metric, period, int(start), int(end))).fetchall()
        finally:
            conn.close()
        return [(int(t), float(a), float(mx), float(mn)) for t, a, mx, mn in rows]


class SampleWriter:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def reading(self, instance: str) -> tuple[float, dict] | None:
        """The instance's last counter reading: (time, counters)."""
        row = self.conn.execute("SELECT ts, counters FROM readings WHERE instance = ?",
                                (instance,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def set_reading(self, instance: str, ts: float, counters: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO readings (instance, ts, counters) "
                          "VALUES (?, ?, ?)", (instance, ts, json.dumps(counters)))

    def add_interval(self, ns: str, instance: str, values: dict[str, float], start: float,
                     end: float) -> None:
        """Rates that held on average over (start, end], spread over every period's
        buckets by overlap (at most the period's retention back from ``end``)."""
        rows = []
        for period in PERIODS:
            lo = max(start, end - RETENTION[period])
            b = bucket(lo, period)
            while b < end:
                overlap = min(end, b + period) - max(lo, b)
                if overlap > 0:
                    rows += [(ns, instance, metric, period, b, v * overlap, overlap, v, v)
                             for metric, v in values.items()]
                b += period
        self.conn.executemany(_UPSERT, rows)

    def add_point(self, ns: str, instance: str, values: dict[str, float], ts: float) -> None:
        """Gauges observed at ``ts``: one observation in each period's bucket of ``ts``."""
        self.conn.executemany(_UPSERT, [
            (ns, instance, metric, period, bucket(ts, period), v, 1.0, v, v)
            for period in PERIODS for metric, v in values.items()])

    def prune(self, now: float) -> None:
        """Drop every bucket older than its period's retention."""
        for period in PERIODS:
            self.conn.execute("DELETE FROM buckets WHERE period = ? AND ts < ?",
                              (period, int(now - RETENTION[period])))
