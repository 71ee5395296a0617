#!/usr/bin/env python3
"""Describe calls per second on one emulated VPC service, from 1 and from N threads.

Fills a fresh store with VPCS VPCs (each with a subnet and a route table entry), then has
each thread call, for SECONDS, ``DescribeVpcs`` / ``DescribeSubnets`` /
``DescribeRouteTables`` for one object by id (as a refresh does), in turn. Prints calls/s
per thread count and checks every call was logged. Then the same reads while another
connection (as another process would: a dataplane building a gateway, a second
``vpnform``) holds the write lock for HOLD seconds: how many got through meanwhile.
Last, PROCESSES processes reading the same file at once (each with its own service).

    .venv/bin/python bench/store_concurrency.py                    # 1 and 8 threads
    .venv/bin/python bench/store_concurrency.py --threads 1,2,8 --seconds 5 --hold 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from providers.tencentcloud.emulator.service import EmulatedVpcService  # noqa: E402
from providers.tencentcloud.emulator.store import SqliteStore  # noqa: E402

REGION = "ap-guangzhou"


def fill(svc: EmulatedVpcService, vpcs: int) -> list[tuple[str, dict]]:
    """The objects made, as the reads that find them: [(action, params)]."""
    reads = []
    for i in range(vpcs):
        vpc = svc.call("CreateVpc", {"VpcName": f"v{i}", "CidrBlock": f"10.{i % 250}.0.0/16"},
                       REGION)["Vpc"]
        sub = svc.call("CreateSubnet", {"VpcId": vpc["VpcId"], "SubnetName": f"s{i}",
                                        "CidrBlock": f"10.{i % 250}.1.0/24",
                                        "Zone": f"{REGION}-3"}, REGION)["Subnet"]
        reads += [("DescribeVpcs", {"VpcIds": [vpc["VpcId"]]}),
                  ("DescribeSubnets", {"SubnetIds": [sub["SubnetId"]]}),
                  ("DescribeRouteTables", {"RouteTableIds": [sub["RouteTableId"]]})]
    return reads


def run(svc: EmulatedVpcService, reads: list, threads: int, seconds: float) -> tuple[int, float]:
    counts = [0] * threads
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def work(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            action, params = reads[i % len(reads)]
            body = svc.call(action, params, REGION)
            if "Error" in body:
                errors.append(body["Error"]["Code"])
                return
            counts[k] += 1
            i += threads

    start = time.monotonic()
    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.monotonic() - start
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return sum(counts), wall


def during_write_lock(svc: EmulatedVpcService, reads: list, threads: int,
                      hold: float) -> tuple[int, float]:
    """Reads done (and seconds taken) while another connection holds the write lock."""
    other = sqlite3.connect(str(svc.store.path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(hold, other.execute, ("ROLLBACK",))
    release.start()
    try:
        calls, wall = run(svc, reads, threads, hold * 0.9)
    finally:
        release.join()
        other.close()
    return calls, wall


def _process_reads(path: str, reads: list, seconds: float, start_at: float) -> int:
    store = SqliteStore(path)
    try:
        time.sleep(max(0.0, start_at - time.time()))
        return run(EmulatedVpcService(store), reads, 1, seconds)[0]
    finally:
        store.close()


def in_processes(svc: EmulatedVpcService, reads: list, processes: int,
                 seconds: float) -> int:
    """Reads done by ``processes`` processes on the same file, one thread each."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        start_at = time.time() + 1.0 + 0.2 * processes  # all started before any reads
        return sum(pool.starmap(_process_reads, [(str(svc.store.path), reads, seconds,
                                                   start_at)] * processes))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vpcs", type=int, default=500)
    ap.add_argument("--threads", default="1,8")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--processes", default="1,4",
                    help="comma-separated process counts reading one file at once")
    ap.add_argument("--hold", type=float, default=2.0,
                    help="seconds another connection holds the write lock (0: skip)")
    args = ap.parse_args()
    os.environ["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    os.environ.pop("VPNFORM_EMULATOR_READ_LATENCY", None)
    os.environ.pop("VPNFORM_EMULATOR_FAULTS", None)
    with tempfile.TemporaryDirectory(prefix="vpnform-store-bench-") as d:
        store = SqliteStore.for_workdir(d)
        svc = EmulatedVpcService(store)
        try:
            reads = fill(svc, args.vpcs)
            print(f"{args.vpcs} VPCs, subnets and route tables; {args.seconds:g} s per run")
            print(f"{'threads':>7} {'calls':>7} {'calls/s':>8}")
            for n in [int(t) for t in args.threads.split(",") if t]:
                logged = len(svc.calls())
                calls, wall = run(svc, reads, n, args.seconds)
                print(f"{n:>7} {calls:>7} {calls / wall:>8.0f}")
                missing = logged + calls - len(svc.calls())
                if missing > 0 and logged + calls <= 20000:  # the log keeps the last 20,000
                    raise SystemExit(f"{missing} calls missing from the call log")
            if args.hold > 0:
                n = max(int(t) for t in args.threads.split(",") if t)
                calls, wall = during_write_lock(svc, reads, n, args.hold)
                print(f"while another connection held the write lock for {args.hold:g} s: "
                      f"{calls} reads by {n} threads, {wall:.2f} s")
            for n in [int(p) for p in args.processes.split(",") if p]:
                calls = in_processes(svc, reads, n, args.seconds)
                print(f"{n:>7} processes {calls:>7} reads {calls / args.seconds:>8.0f} reads/s")
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
