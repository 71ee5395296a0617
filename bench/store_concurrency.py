#!/usr/bin/env python3
"""Describe calls per second on one emulated VPC service, from 1 and from N threads.

Fills a fresh store with VPCS VPCs (each with a subnet and a route table entry), then has
each thread call, for SECONDS, ``DescribeVpcs`` / ``DescribeSubnets`` /
``DescribeRouteTables`` for one object by id (as a refresh does), in turn. Prints calls/s
per thread count and checks every call was logged.

    .venv/bin/python bench/store_concurrency.py                    # 1 and 8 threads
    .venv/bin/python bench/store_concurrency.py --threads 1,2,8 --seconds 5
"""

from __future__ import annotations

import argparse
import os
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vpcs", type=int, default=500)
    ap.add_argument("--threads", default="1,8")
    ap.add_argument("--seconds", type=float, default=5.0)
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
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
