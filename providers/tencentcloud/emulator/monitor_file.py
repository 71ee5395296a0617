"""``monitor.db``: the SQLite file beside a cloud's store that holds Cloud Monitor's data
(samples.py: metric samples; alarm_store.py: alarm objects and history). This module
owns the file: mode 0600 (and its WAL side files), the schema created on open, and one
write transaction at a time per process (``transaction``)."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from engine.private_files import private_file


class MonitorFile:
    """Thread-safe; other processes using the same file see the same rows."""

    SCHEMA = ""  # the tables a subclass keeps, created when the file is opened
    SYNCHRONOUS = "FULL"  # NORMAL: a crash may lose the last commits (fine for samples)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        private_file(self.path)
        for side in ("-wal", "-shm", "-journal"):
            private_file(f"{self.path}{side}", create=False)
        self._lock = threading.Lock()
        with self.transaction() as conn:
            for statement in filter(str.strip, self.SCHEMA.split(";")):
                conn.execute(statement)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.SYNCHRONOUS}")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (also the way to read consistently); this process's
        writers queue on a lock, other processes on SQLite's."""
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()
