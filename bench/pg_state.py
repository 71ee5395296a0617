"""The pg state backend on a throwaway local PostgreSQL (tests/state/pg_server.py): lock +
unlock, one journal record, reading a state with N instances (from journal rows and from
the snapshot), and the final snapshot write.

    .venv/bin/python bench/pg_state.py [N]

The server runs with fsync=off (it is the test server), so record times are the round
trip, not a disk flush. Prints figures; not a test.
"""

from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "state"))

from pg_server import start_server  # noqa: E402

from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr  # noqa: E402
from engine.state.backends.base import LockInfo  # noqa: E402
from engine.state.backends.pg import PgBackend, PgSettings  # noqa: E402
from engine.state.codec import journal_entry  # noqa: E402
from engine.state.model import InstanceObject, State  # noqa: E402

TC = ProviderConfigAddr("tencentcloud")
CONN = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "conn")


def main(n: int) -> None:
    servers = start_server()
    server = next(servers)
    try:
        b = PgBackend(PgSettings(server.new_database()), journal_fold_min=n + 1)
        start = time.perf_counter()
        for _ in range(50):
            b.unlock(b.lock(LockInfo()))
        print(f"lock + unlock: {(time.perf_counter() - start) / 50 * 1000:.1f} ms")
        b.begin_journal(State())
        start = time.perf_counter()
        for i in range(n):
            b.record(journal_entry(CONN.instance(i), TC, InstanceObject(
                {"id": f"vpnx-{i:08x}", "name": f"conn-{i}", "pre_share_key": "x"},
                [("pre_share_key",)])))
        print(f"record: {(time.perf_counter() - start) / n * 1000:.2f} ms each ({n} records)")
        start = time.perf_counter()
        state = b.read()
        print(f"read, {n} journal rows replayed: {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        b.end_journal(state)
        print(f"end_journal ({n} instances): {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        b.read()
        print(f"read, {n}-instance snapshot: {(time.perf_counter() - start) * 1000:.0f} ms")
        b.close()
    finally:
        for _ in servers:
            pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
