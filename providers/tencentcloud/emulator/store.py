"""The emulated cloud's SQLite store: objects per region, counters, armed faults, call log.

One file (``<workdir>/.vpnform/cloud.db``) shared by every process working in that
directory: WAL mode and a busy timeout. Writes run in ``BEGIN IMMEDIATE`` transactions
(``transaction()``), one at a time per process, so concurrent processes see whole actions
only; reads run in deferred read-only transactions (``snapshot()``), which never wait for
a writer and run side by side. Each concurrent user borrows its own connection from a
small pool. Reads are logged through a buffer (``log_later``) that the next write
transaction, ``calls()`` or ``close()`` writes out, in order.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import weakref
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
CREATE INDEX IF NOT EXISTS objects_by_id ON objects (id);
CREATE INDEX IF NOT EXISTS objects_by_region ON objects (kind, region, seq);
CREATE INDEX IF NOT EXISTS objects_by_vpc ON objects (kind, vpc_id);
-- A JSON field's index holds only the objects that have the field (partial), so an insert
-- writes to the indexes of its own fields (`field = ?` and `field IN (...)` imply IS NOT NULL).
CREATE INDEX IF NOT EXISTS objects_by_vpngw_set ON objects (kind, json_extract(data, '$.VpnGatewayId'))
    WHERE json_extract(data, '$.VpnGatewayId') IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_by_cgw_set ON objects (kind, json_extract(data, '$.CustomerGatewayId'))
    WHERE json_extract(data, '$.CustomerGatewayId') IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_by_gateway_set ON objects (kind, json_extract(data, '$._gateway'))
    WHERE json_extract(data, '$._gateway') IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_by_instance_set ON objects (kind, json_extract(data, '$.InstanceId'))
    WHERE json_extract(data, '$.InstanceId') IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_by_rtb_set ON objects (kind, json_extract(data, '$.RouteTableId'))
    WHERE json_extract(data, '$.RouteTableId') IS NOT NULL;
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
-- No AUTOINCREMENT: only the oldest calls are ever deleted, so ids are not reused anyway,
-- and sqlite_sequence would be one more page written by every call's commit.
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    region TEXT NOT NULL,
    params TEXT NOT NULL,
    error_code TEXT
);
"""

CALL_LOG_KEEP = 20000
SCHEMA_OBJECTS = tuple(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", SCHEMA))
# Indexes an earlier vpnform made (each field's index over every object), replaced above.
FORMER_INDEXES = ("objects_by_vpngw", "objects_by_cgw", "objects_by_gateway",
                  "objects_by_instance", "objects_by_rtb")
# Pages the write-ahead log may hold before a commit copies them into the database (with
# an fsync): SQLite's default of 1,000 made every 70th create of a large apply pay for one.
WAL_AUTOCHECKPOINT = 8192
# The page size of a new store. A create's commit writes about ten pages to the log (the
# object's row and index entries, a counter, the call); at 1 KiB instead of SQLite's 4 KiB
# a commit takes about half the time, and reads measured no slower. A store made earlier
# keeps its own page size.
PAGE_SIZE = 1024


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
        return self._decoded_rows(sql + " ORDER BY seq", args)

    def _decoded_rows(self, sql: str, args: list) -> list[dict]:
        """The ``data`` (JSON objects) of the rows ``sql`` selects, in its order, decoded
        in one parse of their array rather than one per row."""
        rows = self._c.execute(sql, args).fetchall()
        return json.loads("[" + ",".join(r[0] for r in rows) + "]") if rows else []

    # Fields with an expression index: lookups by them are O(log N), not a scan.
    INDEXED_FIELDS = ("VpnGatewayId", "CustomerGatewayId", "_gateway", "InstanceId",
                      "RouteTableId")

    def list_by(self, kind: str, field: str, values: list[str] | str,
                region: str | None = None, *,
                narrow: tuple[str, list[str]] | None = None) -> list[dict]:
        """Objects of ``kind`` whose JSON ``field`` equals one of ``values`` (indexed);
        ``narrow`` = (another top-level field, its values): only those whose field equals
        one of them, compared in SQLite, so the others are never decoded."""
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
            # ``+region``: not by objects_by_region (which SQLite prefers for the ORDER BY,
            # then scanning the region's objects); the field's index finds fewer rows
            sql += " AND +region=?"
            args.append(region)
        if narrow is not None:
            name, wanted = narrow
            if not re.fullmatch(r"\w+", name):
                raise ValueError(f"{name!r} is not a field name")
            sql += (f" AND json_extract(data, '$.{name}') IN "
                    f"({', '.join('?' * len(wanted))})")
            args.extend(wanted)
        return self._decoded_rows(sql + " ORDER BY seq", args)

    def count_by(self, kind: str, field: str, value: str, region: str | None = None) -> int:
        if field not in self.INDEXED_FIELDS:
            raise ValueError(f"{field} is not an indexed field")
        sql = f"SELECT COUNT(*) FROM objects WHERE kind=? AND json_extract(data, '$.{field}')=?"
        args: list = [kind, value]
        if region is not None:
            sql += " AND +region=?"  # by the field's index, as in list_by
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
        """Whether an object of any kind has ``id`` (indexed: objects_by_id)."""
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
        return self._c.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
                               "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                               "RETURNING value", (name, start)).fetchone()[0]

    def counter(self, name: str) -> int | None:
        """The counter's value, or None if it was never taken (a read)."""
        row = self._c.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return None if row is None else row[0]

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

    def faults_armed(self, action: str) -> bool:
        """Whether a one-at-a-time fault is armed for ``action`` (a read)."""
        return self._c.execute("SELECT 1 FROM faults WHERE action=? AND remaining > 0 LIMIT 1",
                               (action,)).fetchone() is not None

    def take_fault(self, action: str, region: str, params: dict) -> tuple[str, str] | None:
        """The first fault armed for this call of ``action`` (its ``match``: a substring of
        ``json.dumps(params, sort_keys=True)``), taken once more; None when none is."""
        rows = self._c.execute("SELECT id, code, message, match, region FROM faults "
                               "WHERE action=? AND remaining > 0 ORDER BY id", (action,))
        params_json = None
        for fid, code, message, match, fregion in rows.fetchall():
            if fregion is not None and fregion != region:
                continue
            if match is not None:
                if params_json is None:
                    params_json = json.dumps(params, sort_keys=True)
                if match not in params_json:
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
        self.log_calls([(action, region, params_json, error_code)])

    def log_calls(self, entries: list[tuple[str, str, str, str | None]]) -> None:
        """Append (action, region, params_json, error_code) entries, in order; the log keeps
        the last CALL_LOG_KEEP or so."""
        if not entries:
            return
        insert = "INSERT INTO calls (action, region, params, error_code) VALUES (?, ?, ?, ?)"
        for entry in entries:  # (consecutive ids: one writer at a time)
            after = self._c.execute(insert, entry).lastrowid
        before = after - len(entries)
        if after // 1000 != before // 1000:
            self._c.execute("DELETE FROM calls WHERE id <= ?", (after - CALL_LOG_KEEP,))

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


_OPEN_STORES: "weakref.WeakSet[SqliteStore]" = weakref.WeakSet()


def _open_stores(path: Path) -> list["SqliteStore"]:
    return [s for s in list(_OPEN_STORES) if s.path == path and not s._closed]


class SqliteStore:
    """The emulated cloud's database. Thread-safe: readers run side by side, writers one at a
    time; several processes may share the file."""

    # Idle connections kept for reuse; more may be open while that many users are busy.
    POOL_KEEP = 16
    # The read-call buffer is written out once it holds this many entries or is this old.
    LOG_BATCH = 256
    LOG_MAX_AGE = 1.0

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 30.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        # every tunnel's pre-shared key is in here: owner-only, and so are SQLite's side
        # files (SQLite gives the -wal/-shm/-journal files the database file's mode)
        private_dirs(self.path.parent)
        private_file(self.path)
        for side in ("-wal", "-shm", "-journal"):
            private_file(f"{self.path}{side}", create=False)
        self._pool_lock = threading.Lock()
        # idle connections by use: readers are query-only
        self._idle: dict[bool, list[sqlite3.Connection]] = {False: [], True: []}
        self._open: set[sqlite3.Connection] = set()
        self._closed = False
        # This process's writers queue here rather than in SQLite's busy handler (which
        # sleeps); the busy timeout then only waits for other processes.
        self._write_lock = threading.Lock()
        self._log_lock = threading.Lock()
        self._log_buffer: list[tuple[str, str, str, str | None]] = []
        self._log_since = 0.0
        self._log_retry_at = 0.0  # after a flush found the write lock taken
        _OPEN_STORES.add(self)
        # Only take the write lock when something is missing: a process opening the store
        # while another holds a long transaction (e.g. building a dataplane) must not wait.
        with self._connection(readonly=True) as conn:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if not set(SCHEMA_OBJECTS) <= have:
            with self.transaction() as tx:
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        tx._c.execute(stmt)
                for name in FORMER_INDEXES:
                    tx._c.execute(f"DROP INDEX IF EXISTS {name}")

    @classmethod
    def for_workdir(cls, workdir: str | os.PathLike, **kw: float) -> "SqliteStore":
        return cls(store_path(workdir), **kw)

    # connections -----------------------------------------------------------------------------
    def _connect(self, readonly: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout,
                               isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            # only a new (empty) file takes it: before WAL mode writes the header
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
            if readonly:
                conn.execute("PRAGMA query_only=ON")
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _connection(self, *, readonly: bool) -> Iterator[sqlite3.Connection]:
        """Borrow a connection (a query-only one if ``readonly``) for one transaction."""
        idle = self._idle[readonly]
        with self._pool_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            conn = idle.pop() if idle else None
        if conn is None:
            conn = self._connect(readonly)
            with self._pool_lock:
                self._open.add(conn)
        try:
            yield conn
        finally:
            healthy = not conn.in_transaction
            with self._pool_lock:
                keep = healthy and not self._closed and len(idle) < self.POOL_KEEP
                if keep:
                    idle.append(conn)
                else:
                    self._open.discard(conn)
            if not keep:
                conn.close()

    # transactions ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (``BEGIN IMMEDIATE``); it first writes out the buffered read
        calls, so the log stays in order."""
        with self._connection(readonly=False) as conn, self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            with self._committing(conn) as tx:
                yield tx

    @contextmanager
    def _committing(self, conn: sqlite3.Connection) -> Iterator[Tx]:
        """The body of a write transaction begun on ``conn``: the buffered read calls are
        written first; COMMIT at the end, ROLLBACK (the buffer kept) on an exception."""
        tx = Tx(conn)
        with self._log_lock:
            pending, self._log_buffer = self._log_buffer, []
        try:
            if pending:
                tx.log_calls(pending)
            yield tx
        except BaseException:
            conn.execute("ROLLBACK")
            if pending:
                with self._log_lock:
                    self._log_buffer[:0] = pending
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A read-only view: a deferred transaction, which never waits for writers (WAL).
        Only reads may be made through it (a write raises sqlite3.OperationalError)."""
        with self._connection(readonly=True) as conn:
            conn.execute("BEGIN")
            try:
                yield Tx(conn)
            finally:
                conn.execute("ROLLBACK")

    # the call log ----------------------------------------------------------------------------
    def log_later(self, action: str, region: str, params_json: str,
                  error_code: str | None) -> None:
        """Log a read call through the buffer (written out by the next write transaction,
        or here once the buffer is full or old)."""
        now = time.monotonic()
        with self._log_lock:
            if not self._log_buffer:
                self._log_since = now
            self._log_buffer.append((action, region, params_json, error_code))
            if len(self._log_buffer) > CALL_LOG_KEEP:  # the log keeps no more anyway
                del self._log_buffer[:-CALL_LOG_KEEP]
            due = now >= self._log_retry_at and (len(self._log_buffer) >= self.LOG_BATCH
                                                 or now - self._log_since >= self.LOG_MAX_AGE)
        if due and not self._flush_unless_busy():
            self._log_retry_at = now + 0.1

    def _flush_unless_busy(self) -> bool:
        """Write the buffer out unless a writer, of this process or another, holds the
        write lock (then a later call will): a read never waits for a writer. Whether
        the buffer was written (or taken by this process's writer)."""
        if not self._write_lock.acquire(blocking=False):
            return True  # this process's writer writes the buffer out
        try:
            with self._connection(readonly=False) as conn:
                conn.execute("PRAGMA busy_timeout=0")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    return False  # another process is writing
                finally:
                    conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
                with self._committing(conn):
                    pass
                return True
        finally:
            self._write_lock.release()

    def flush_log(self, *, peers: bool = False) -> None:
        """Write the buffered read calls out now (``peers``: those of every open store of
        this process on the same file too, before reading the log)."""
        for store in (_open_stores(self.path) if peers else [self]):
            with store._log_lock:
                if not store._log_buffer:
                    continue
            with store.transaction():
                pass

    def close(self) -> None:
        """Write the buffered calls out and close every connection (those in use close
        when they are given back)."""
        with self._pool_lock:
            if self._closed:
                return
        try:
            self.flush_log()
        except sqlite3.Error:
            pass  # closing must not fail; the log is a diagnostic
        with self._pool_lock:
            self._closed = True
            idle = self._idle[False] + self._idle[True]
            self._idle = {False: [], True: []}
            for conn in idle:
                self._open.discard(conn)
        for conn in idle:
            conn.close()
