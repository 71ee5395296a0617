"""The emulated cloud's SQLite store: objects per region, counters, armed faults, call log.

One file (``<workdir>/.vpnform/cloud.db``) shared by every process working in that
directory: WAL mode, a busy timeout, and each API action in one ``BEGIN IMMEDIATE``
transaction so concurrent processes see whole actions only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from engine.private_files import private_dirs, private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    region TEXT NOT NULL,
    vpc_id TEXT,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_by_region ON objects (kind, region, seq);
CREATE INDEX IF NOT EXISTS objects_by_vpc ON objects (kind, vpc_id);
CREATE INDEX IF NOT EXISTS objects_by_vpngw ON objects (kind, json_extract(data, '$.VpnGatewayId'));
CREATE INDEX IF NOT EXISTS objects_by_cgw ON objects (kind, json_extract(data, '$.CustomerGatewayId'));
CREATE INDEX IF NOT EXISTS objects_by_gateway ON objects (kind, json_extract(data, '$._gateway'));
CREATE INDEX IF NOT EXISTS objects_by_instance ON objects (kind, json_extract(data, '$.InstanceId'));
CREATE INDEX IF NOT EXISTS objects_by_rtb ON objects (kind, json_extract(data, '$.RouteTableId'));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    match TEXT,
    region TEXT,
    remaining INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dataplane (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    region TEXT NOT NULL,
    params TEXT NOT NULL,
    error_code TEXT
);
"""

CALL_LOG_KEEP = 20000
SCHEMA_OBJECTS = tuple(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", SCHEMA))


def store_path(workdir: str | os.PathLike) -> Path:
    return Path(workdir) / ".vpnform" / "cloud.db"


class Tx:
    """The operations available inside one transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self._c = conn

    # objects -------------------------------------------------------------------------------
    def get(self, kind: str, id: str, region: str | None = None) -> dict | None:
        row = self._c.execute("SELECT region, data FROM objects WHERE kind=? AND id=?",
                              (kind, id)).fetchone()
        if row is None or (region is not None and row[0] != region):
            return None
        return json.loads(row[1])

    def list(self, kind: str, region: str | None = None,
             vpc_id: str | list[str] | None = None) -> list[dict]:
        """Objects of ``kind`` (in ``region``; in the VPC ``vpc_id`` or one of a list of
        them: indexed), in creation order."""
        sql, args = "SELECT data FROM objects WHERE kind=?", [kind]
        if region is not None:
            sql += " AND region=?"
            args.append(region)
        if isinstance(vpc_id, list):
            if not vpc_id:
                return []
            sql += f" AND vpc_id IN ({', '.join('?' * len(vpc_id))})"
            args.extend(vpc_id)
        elif vpc_id is not None:
            sql += " AND vpc_id=?"
            args.append(vpc_id)
        return [json.loads(r[0]) for r in self._c.execute(sql + " ORDER BY seq", args)]

    # Fields with an expression index: lookups by them are O(log N), not a scan.
    INDEXED_FIELDS = ("VpnGatewayId", "CustomerGatewayId", "_gateway", "InstanceId",
                      "RouteTableId")

    def list_by(self, kind: str, field: str, values: list[str] | str,
                region: str | None = None) -> list[dict]:
        """Objects of ``kind`` whose JSON ``field`` equals one of ``values`` (indexed)."""
        if field not in self.INDEXED_FIELDS:
            raise ValueError(f"{field} is not an indexed field")
        vals = [values] if isinstance(values, str) else list(values)
        if not vals:
            return []
        expr = f"json_extract(data, '$.{field}')"
        sql = (f"SELECT data FROM objects WHERE kind=? AND {expr} IN "
               f"({', '.join('?' * len(vals))})")
        args: list = [kind, *vals]
        if region is not None:
            sql += " AND region=?"
            args.append(region)
        return [json.loads(r[0]) for r in self._c.execute(sql + " ORDER BY seq", args)]

    def count_by(self, kind: str, field: str, value: str, region: str | None = None) -> int:
        if field not in self.INDEXED_FIELDS:
            raise ValueError(f"{field} is not an indexed field")
        sql = f"SELECT COUNT(*) FROM objects WHERE kind=? AND json_extract(data, '$.{field}')=?"
        args: list = [kind, value]
        if region is not None:
            sql += " AND region=?"
            args.append(region)
        return self._c.execute(sql, args).fetchone()[0]

    def count(self, kind: str, region: str | None = None, vpc_id: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM objects WHERE kind=?", [kind]
        if region is not None:
            sql += " AND region=?"
            args.append(region)
        if vpc_id is not None:
            sql += " AND vpc_id=?"
            args.append(vpc_id)
        return self._c.execute(sql, args).fetchone()[0]

    def id_exists(self, id: str) -> bool:
        return self._c.execute("SELECT 1 FROM objects WHERE id=?", (id,)).fetchone() is not None

    def insert(self, kind: str, id: str, region: str, data: dict,
               vpc_id: str | None = None) -> None:
        self._c.execute("INSERT INTO objects (kind, id, region, vpc_id, seq, data) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (kind, id, region, vpc_id, self.next_counter("seq"), json.dumps(data)))

    def put(self, kind: str, id: str, data: dict) -> None:
        self._c.execute("UPDATE objects SET data=? WHERE kind=? AND id=?",
                        (json.dumps(data), kind, id))

    def delete(self, kind: str, id: str) -> None:
        self._c.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, id))

    def next_counter(self, name: str, start: int = 1) -> int:
        self._c.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name, start))
        return self._c.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()[0]

    # dataplane records (the real network behind the objects; see tencentcloud.dataplane)
    def dp_get(self, kind: str, id: str) -> dict | None:
        row = self._c.execute("SELECT data FROM dataplane WHERE kind=? AND id=?",
                              (kind, id)).fetchone()
        return None if row is None else json.loads(row[0])

    def dp_put(self, kind: str, id: str, data: dict) -> None:
        self._c.execute("INSERT INTO dataplane (kind, id, data) VALUES (?, ?, ?) "
                        "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data",
                        (kind, id, json.dumps(data)))

    def dp_delete(self, kind: str, id: str) -> None:
        self._c.execute("DELETE FROM dataplane WHERE kind=? AND id=?", (kind, id))

    def dp_list(self, kind: str) -> dict[str, dict]:
        rows = self._c.execute("SELECT id, data FROM dataplane WHERE kind=? ORDER BY id",
                               (kind,)).fetchall()
        return {i: json.loads(d) for i, d in rows}

    # faults --------------------------------------------------------------------------------
    def add_fault(self, action: str, code: str, message: str, count: int,
                  match: str | None, region: str | None) -> int:
        cur = self._c.execute("INSERT INTO faults (action, code, message, match, region, "
                              "remaining) VALUES (?, ?, ?, ?, ?, ?)",
                              (action, code, message, match, region, count))
        return int(cur.lastrowid or 0)

    def take_fault(self, action: str, region: str, params_json: str) -> tuple[str, str] | None:
        rows = self._c.execute("SELECT id, code, message, match, region FROM faults "
                               "WHERE action=? AND remaining > 0 ORDER BY id", (action,))
        for fid, code, message, match, fregion in rows.fetchall():
            if fregion is not None and fregion != region:
                continue
            if match is not None and match not in params_json:
                continue
            self._c.execute("UPDATE faults SET remaining = remaining - 1 WHERE id=?", (fid,))
            return code, message
        return None

    def clear_faults(self) -> None:
        self._c.execute("DELETE FROM faults")

    def pending_faults(self) -> list[dict]:
        rows = self._c.execute("SELECT action, code, message, match, region, remaining "
                               "FROM faults WHERE remaining > 0 ORDER BY id").fetchall()
        keys = ("action", "code", "message", "match", "region", "remaining")
        return [dict(zip(keys, r, strict=False)) for r in rows]

    # call log ------------------------------------------------------------------------------
    def log_call(self, action: str, region: str, params_json: str, error_code: str | None) -> None:
        cur = self._c.execute("INSERT INTO calls (action, region, params, error_code) "
                              "VALUES (?, ?, ?, ?)", (action, region, params_json, error_code))
        rowid = int(cur.lastrowid or 0)
        if rowid % 1000 == 0:
            self._c.execute("DELETE FROM calls WHERE id <= ?", (rowid - CALL_LOG_KEEP,))

    def calls(self, action: str | None = None) -> list[dict]:
        sql, args = "SELECT action, region, params, error_code FROM calls", []
        if action is not None:
            sql += " WHERE action=?"
            args.append(action)
        rows = self._c.execute(sql + " ORDER BY id", args).fetchall()
        return [{"action": a, "region": r, "params": json.loads(p), "error_code": e}
                for a, r, p, e in rows]

    def savepoint(self) -> "_Savepoint":
        return _Savepoint(self._c)


class _Savepoint:
    def __init__(self, conn: sqlite3.Connection):
        self._c = conn

    def __enter__(self) -> "_Savepoint":
        self._c.execute("SAVEPOINT action")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._c.execute("ROLLBACK TO action")
        self._c.execute("RELEASE action")


class SqliteStore:
    """The emulated cloud's database. Thread-safe; several processes may share the file."""

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 30.0):
        self.path = Path(path)
        # every tunnel's pre-shared key is in here: owner-only, and so are SQLite's side
        # files (SQLite gives the -wal/-shm/-journal files the database file's mode)
        private_dirs(self.path.parent)
        private_file(self.path)
        for side in ("-wal", "-shm", "-journal"):
            private_file(f"{self.path}{side}", create=False)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.path), timeout=busy_timeout,
                                     isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # Only take the write lock when something is missing: a process opening the store
        # while another holds a long transaction (e.g. building a dataplane) must not wait.
        have = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
        if not set(SCHEMA_OBJECTS) <= have:
            with self.transaction():
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        self._conn.execute(stmt)

    @classmethod
    def for_workdir(cls, workdir: str | os.PathLike) -> "SqliteStore":
        return cls(store_path(workdir))

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A read-only view: a deferred transaction, which never waits for writers (WAL).
        Only reads may be made through it."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield Tx(self._conn)
            finally:
                self._conn.execute("ROLLBACK")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
