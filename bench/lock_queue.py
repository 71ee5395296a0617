"""Pipelines queued on one pg state lock: how long N waiters take to pass through, under
Terraform's lock-wait backoff (1 s doubling to 16 s) and vpnform's (0.5 s doubling to 2 s,
jittered), side by side in one run on a throwaway local PostgreSQL (tests/state/pg_server.py).

    .venv/bin/python bench/lock_queue.py [N] [HOLD_SECONDS]

Each of N processes starts at once, waits for the lock with -lock-timeout semantics
(engine.state.backends.base.lock_with_timeout), holds it HOLD_SECONDS (an apply's work)
and releases it. The floor is N x HOLD: any time above it is the lock lying idle while a
waiter sleeps. Prints figures; not a test.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "state"))

from pg_server import start_server  # noqa: E402

from engine.state.backends.base import LockInfo, lock_with_timeout  # noqa: E402
from engine.state.backends.pg import PgBackend, PgSettings  # noqa: E402

POLICIES = {"terraform (1-16 s)": (1.0, 16.0, lambda: 1.0),
            "vpnform (0.5-2 s, jitter)": (0.5, 2.0, None)}


def _pipeline(conn_str: str, policy: str, hold: float, start_at: float, out) -> None:
    low, high, jitter = POLICIES[policy]
    backend = PgBackend(PgSettings(conn_str))
    time.sleep(max(0.0, start_at - time.time()))
    extra = {"jitter": jitter} if jitter is not None else {}
    lock_id = lock_with_timeout(backend, LockInfo(operation="OperationTypeApply"), 600,
                                min_backoff=low, max_backoff=high, **extra)
    time.sleep(hold)
    backend.unlock(lock_id)
    out.put(time.time())
    backend.close()


def run(conn_str: str, policy: str, n: int, hold: float) -> float:
    out: multiprocessing.Queue = multiprocessing.Queue()
    start_at = time.time() + 1.0
    procs = [multiprocessing.Process(target=_pipeline, args=(conn_str, policy, hold,
                                                              start_at, out))
             for _ in range(n)]
    for p in procs:
        p.start()
    ends = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return max(ends) - start_at


def main(n: int, hold: float) -> None:
    servers = start_server()
    server = next(servers)
    try:
        conn_str = server.new_database()
        PgBackend(PgSettings(conn_str)).workspaces()  # create the schema once
        floor = n * hold
        print(f"{n} pipelines, each holding the lock {hold:g} s: floor {floor:.1f} s")
        results = {}
        for policy in POLICIES:
            took = run(conn_str, policy, n, hold)
            results[policy] = took
            print(f"  {policy:<26} {took:6.1f} s   lock busy {floor / took:4.0%} of the time")
        tf, vf = results.values()
        print(f"  vpnform / terraform: {vf / tf:.2f}")
    finally:
        for _ in servers:
            pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8,
         float(sys.argv[2]) if len(sys.argv) > 2 else 3.0)
