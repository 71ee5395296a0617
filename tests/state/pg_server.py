"""A throwaway PostgreSQL server for tests: initdb + pg_ctl in a temp dir, loopback only.

Run as the ``postgres`` user when the tests run as root (initdb refuses root). Trust
authentication on 127.0.0.1 and a unix socket inside the temp dir; nothing else listens.
``PgServer.new_database()`` gives each test its own empty database.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _pg_bin() -> str | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's versioned dirs."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return os.path.dirname(found)
    for d in sorted(glob.glob(PG_BIN_GLOB), reverse=True):
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bindir: str):
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix="vpnform-pg-")
        self.data = os.path.join(self.root, "data")
        self.sockdir = os.path.join(self.root, "sock")
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chmod(self.root, 0o700)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.makedirs(self.sockdir, exist_ok=True)
        if self.user:
            os.chown(self.sockdir, pwd.getpwnam(self.user).pw_uid, -1)

    def _run(self, *args: str, timeout: float = 60) -> None:
        res = subprocess.run([os.path.join(self.bindir, args[0]), *args[1:]], user=self.user,
                             cwd=self.root, capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({res.returncode}): {res.stderr or res.stdout}")

    def start(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.sockdir} -c fsync=off "
                "-c max_connections=60 -c shared_buffers=16MB")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l",
                  os.path.join(self.root, "server.log"), "-w", "-t", "60", "start", timeout=90)

    def stop(self) -> None:
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def conn_str(self, dbname: str = "postgres") -> str:
        """A URL both psycopg and Terraform's lib/pq accept."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}?sslmode=disable"

    def new_database(self) -> str:
        """Create an empty database; return its conn_str."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.conn_str(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.conn_str(name)


def start_server():
    """Yield a running PgServer, stopping and removing it afterwards; skip without PG."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                    "run scripts/system-deps.sh")
    server = PgServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
