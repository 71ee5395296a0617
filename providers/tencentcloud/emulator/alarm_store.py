"""The alarm objects of one emulated cloud: notice templates, alarm policies, the objects
bound to them, and the alarms raised (the history). Kept in ``monitor.db`` beside the
samples (mode 0600), each object as its API JSON.

A write runs in one ``writing()`` transaction, so an alarm raised by two evaluators at
once is recorded (and notified) once.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from .monitor_file import MonitorFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS alarm_notices (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarm_policies (
  id TEXT PRIMARY KEY, origin_id INTEGER NOT NULL UNIQUE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarm_bindings (
  unique_id TEXT PRIMARY KEY, policy_id TEXT NOT NULL, region TEXT NOT NULL,
  dimensions TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarm_histories (
  alarm_id TEXT PRIMARY KEY, policy_id TEXT NOT NULL, object TEXT NOT NULL,
  rule TEXT NOT NULL, status TEXT NOT NULL, first_occur INTEGER NOT NULL,
  body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alarm_open ON alarm_histories (policy_id, object, rule, status);
"""


class AlarmStore(MonitorFile):
    """Thread-safe; other processes using the same file see the same objects."""

    SCHEMA = SCHEMA

    @contextmanager
    def writing(self) -> Iterator["AlarmTx"]:
        """One write transaction (also the way to read consistently)."""
        with self.transaction() as conn:
            yield AlarmTx(conn)


class AlarmTx:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # notices -------------------------------------------------------------------------------
    def notices(self) -> list[dict]:
        return [json.loads(b) for (b,) in
                self.conn.execute("SELECT body FROM alarm_notices ORDER BY rowid")]

    def notice(self, id: str) -> dict | None:
        row = self.conn.execute("SELECT body FROM alarm_notices WHERE id = ?", (id,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_notice(self, notice: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO alarm_notices (id, body) VALUES (?, ?)",
                          (notice["Id"], json.dumps(notice)))

    def delete_notice(self, id: str) -> None:
        self.conn.execute("DELETE FROM alarm_notices WHERE id = ?", (id,))

    # policies ------------------------------------------------------------------------------
    def policies(self) -> list[dict]:
        return [json.loads(b) for (b,) in
                self.conn.execute("SELECT body FROM alarm_policies ORDER BY origin_id")]

    def policy(self, id: str) -> dict | None:
        row = self.conn.execute("SELECT body FROM alarm_policies WHERE id = ?",
                                (id,)).fetchone()
        return json.loads(row[0]) if row else None

    def next_origin_id(self) -> int:
        (n,) = self.conn.execute("SELECT COALESCE(MAX(origin_id), 100000) + 1 "
                                 "FROM alarm_policies").fetchone()
        return int(n)

    def put_policy(self, policy: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO alarm_policies (id, origin_id, body) "
                          "VALUES (?, ?, ?)",
                          (policy["PolicyId"], int(policy["OriginId"]), json.dumps(policy)))

    def delete_policy(self, id: str) -> None:
        self.conn.execute("DELETE FROM alarm_policies WHERE id = ?", (id,))
        self.conn.execute("DELETE FROM alarm_bindings WHERE policy_id = ?", (id,))

    # bindings ------------------------------------------------------------------------------
    def bindings(self, policy_id: str) -> list[dict]:
        rows = self.conn.execute("SELECT unique_id, region, dimensions FROM alarm_bindings "
                                 "WHERE policy_id = ? ORDER BY rowid", (policy_id,))
        return [{"UniqueId": u, "Region": r, "Dimensions": d} for u, r, d in rows]

    def bind(self, unique_id: str, policy_id: str, region: str, dimensions: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO alarm_bindings (unique_id, policy_id, region, "
                          "dimensions) VALUES (?, ?, ?, ?)",
                          (unique_id, policy_id, region, dimensions))

    def unbind(self, policy_id: str, unique_ids: list[str] | None = None) -> None:
        if unique_ids is None:
            self.conn.execute("DELETE FROM alarm_bindings WHERE policy_id = ?", (policy_id,))
            return
        self.conn.executemany("DELETE FROM alarm_bindings WHERE policy_id = ? AND "
                              "unique_id = ?", [(policy_id, u) for u in unique_ids])

    # the alarms raised ---------------------------------------------------------------------
    def open_alarm(self, policy_id: str, object: str, rule: str) -> dict | None:
        """The alarm of (policy, object, rule) that has not recovered, if any."""
        row = self.conn.execute(
            "SELECT body FROM alarm_histories WHERE policy_id = ? AND object = ? AND rule = ? "
            "AND status = 'ALARM'", (policy_id, object, rule)).fetchone()
        return json.loads(row[0]) if row else None

    def put_alarm(self, policy_id: str, object: str, rule: str, history: dict) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO alarm_histories (alarm_id, policy_id, object, rule, status, "
            "first_occur, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (history["AlarmId"], policy_id, object, rule, history["AlarmStatus"],
             history["FirstOccurTime"], json.dumps(history)))

    def histories(self) -> list[dict]:
        """Every alarm raised, newest first."""
        return [json.loads(b) for (b,) in self.conn.execute(
            "SELECT body FROM alarm_histories ORDER BY first_occur DESC, rowid DESC")]
