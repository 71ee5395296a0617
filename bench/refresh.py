#!/usr/bin/env python3
"""Refresh of N managed instances against an emulated cloud with a per-read latency.

Issue #5's acceptance: with the emulated cloud answering every read after 50 ms
(``VPNFORM_EMULATOR_READ_LATENCY=0.05``) and ``-parallelism=10``, refreshing 1,000
instances takes within 15% of 1000 x 50 ms / 10 = 5.0 s.

Builds, in a fresh directory, state of N instances (N/50 VPCs, each with 10 route tables,
20 subnets associated with them and 19 route table entries) by applying a generated
configuration with no simulated delay and no read latency, then measures with the latency:

- ``refresh_state`` in-process: ``engine.plan.planner.refresh_state`` with the providers
  the CLI configures (``engine.operations.setup_providers``) on the state the CLI reads,
  at each ``--parallelism`` (default 10 and 20; add 1 for the serial contrast);
- ``vpnform plan -parallelism=P`` (the CLI's refresh + plan, a fresh process), and the same
  plan with ``-refresh=false``: the difference is the refresh inside the CLI.

Every API call the refresh makes is counted from the emulated cloud's call log.

    .venv/bin/python bench/refresh.py                      # N=1000, latency 0.05 s
    .venv/bin/python bench/refresh.py --parallelism 1,10,20 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plan_apply import run  # noqa: E402

LATENCY_ENV = "VPNFORM_EMULATOR_READ_LATENCY"
PER_VPC = 50  # 1 VPC + 10 route tables + 20 subnets + 19 route table entries
TOLERANCE = 0.15


def generate(vpcs: int) -> str:
    """A configuration of ``vpcs * 50`` instances, within the product's quotas (10 route
    tables and 100 subnets per VPC, 200 routes per route table)."""
    rtbs, subnets, entries = vpcs * 10, vpcs * 20, vpcs * 19
    return f'''provider "tencentcloud" {{
  region = "ap-guangzhou"
}}

resource "tencentcloud_vpc" "v" {{
  count      = {vpcs}
  name       = "bench-${{count.index}}"
  cidr_block = "10.${{count.index}}.0.0/16"
}}

resource "tencentcloud_route_table" "t" {{
  count  = {rtbs}
  vpc_id = tencentcloud_vpc.v[floor(count.index / 10)].id
  name   = "rt-${{count.index}}"
}}

resource "tencentcloud_subnet" "s" {{
  count             = {subnets}
  vpc_id            = tencentcloud_vpc.v[floor(count.index / 20)].id
  name              = "sn-${{count.index}}"
  cidr_block        = "10.${{floor(count.index / 20)}}.${{count.index % 20}}.0/24"
  availability_zone = "ap-guangzhou-3"
  route_table_id    = tencentcloud_route_table.t[floor(count.index / 2)].id
}}

locals {{
  # entry i: VPC floor(i / 19), the VPC's route table floor((i % 19) / 2)
  entry_table = [for i in range({entries}) : floor(i / 19) * 10 + floor((i % 19) / 2)]
}}

resource "tencentcloud_route_table_entry" "e" {{
  count                  = {entries}
  route_table_id         = tencentcloud_route_table.t[local.entry_table[count.index]].id
  destination_cidr_block = "172.${{16 + floor(count.index / 250)}}.${{count.index % 250}}.0/24"
  next_type              = "CVM"
  next_hub               = "10.${{floor(count.index / 19)}}.0.10"
}}
'''


def last_call_id(workdir: str) -> int:
    with sqlite3.connect(os.path.join(workdir, ".vpnform", "cloud.db")) as db:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM calls").fetchone()[0]


def calls_since(workdir: str, since: int) -> dict[str, int]:
    with sqlite3.connect(os.path.join(workdir, ".vpnform", "cloud.db")) as db:
        rows = db.execute("SELECT action, COUNT(*) FROM calls WHERE id > ? GROUP BY action "
                          "ORDER BY action", (since,)).fetchall()
    return dict(rows)


def refresh_in_process(workdir: str, parallelism: int) -> tuple[float, int, int, dict]:
    """Wall seconds of refresh_state, reads made, instances in state, API calls by action."""
    from engine.hooks import Hooks
    from engine.operations import RunOptions, backend_for, load_configuration, setup_providers
    from engine.plan.planner import refresh_state

    class Counting(Hooks):
        def __init__(self) -> None:
            self.reads = 0
            self._lock = threading.Lock()

        def post_refresh(self, address, id, gone):  # noqa: A002 - the hook's signature
            with self._lock:
                self.reads += 1

    config, variables, diags = load_configuration(RunOptions(workdir=workdir,
                                                             input_enabled=False))
    assert config is not None and not diags.has_errors, list(diags)
    state = backend_for(workdir).read()
    providers, diags = setup_providers(config, variables, workdir, state)
    assert not diags.has_errors, list(diags)
    hooks = Counting()
    try:
        before = last_call_id(workdir)
        start = time.monotonic()
        refreshed, diags = refresh_state(state, providers, parallelism, hooks)
        wall = time.monotonic() - start
    finally:
        providers.close()
    assert not diags.has_errors, list(diags)
    instances = sum(1 for _ in state.instances())
    assert sum(1 for _ in refreshed.instances()) == instances, "objects went missing"
    return wall, hooks.reads, instances, calls_since(workdir, before)


def verdict(wall: float, ideal: float) -> str:
    if ideal <= 0:
        return "    -  (no latency: no ideal)"
    ratio = wall / ideal
    return f"{ratio:5.3f}  {'PASS' if ratio <= 1 + TOLERANCE else 'FAIL'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="instances (a multiple of 50)")
    ap.add_argument("--latency", type=float, default=0.05, help="seconds per read")
    ap.add_argument("--parallelism", default="10,20",
                    help="comma-separated values for the in-process refresh")
    ap.add_argument("--cli-parallelism", default="10",
                    help="comma-separated values for `vpnform plan` (empty: skip the CLI)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    args = ap.parse_args()
    if args.n % PER_VPC:
        ap.error(f"-n must be a multiple of {PER_VPC}")
    pars = [int(p) for p in args.parallelism.split(",") if p]
    cli_pars = [int(p) for p in args.cli_parallelism.split(",") if p]

    d = tempfile.mkdtemp(prefix=f"vpnform-refresh-{args.n}-")
    os.environ.pop(LATENCY_ENV, None)
    os.environ["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    try:
        with open(os.path.join(d, "main.tf"), "w") as fh:
            fh.write(generate(args.n // PER_VPC))
        wall, _, rc, out = run(["apply", "-auto-approve", "-input=false"], d)
        if rc != 0:
            print(out[-3000:])
            return 1
        print(f"state built: {args.n} instances applied in {wall:.1f} s (no latency) in {d}")

        os.environ[LATENCY_ENV] = str(args.latency)
        print(f"{LATENCY_ENV}={args.latency}")
        print(f"{'step':<34} {'P':>3} {'inst':>5} {'reads':>5} {'calls':>5} "
              f"{'ideal s':>7} {'wall s':>7} {'ratio':>5}  verdict")
        for p in pars:
            for _ in range(args.repeat):
                wall, reads, instances, calls = refresh_in_process(d, p)
                total = sum(calls.values())
                ideal = instances * args.latency / p
                print(f"{'refresh_state (in-process)':<34} {p:>3} {instances:>5} {reads:>5} "
                      f"{total:>5} {ideal:>7.2f} {wall:>7.2f} {verdict(wall, ideal)}")
        print("API calls of the last refresh: " + ", ".join(f"{a} {c}" for a, c in calls.items())
              + f" ({total / reads:.3f} per read)")

        for p in cli_pars:
            ideal = args.n * args.latency / p
            walls, norefresh = [], []
            for _ in range(args.repeat):
                before = last_call_id(d)
                wall, rss, rc, out = run(["plan", f"-parallelism={p}", "-input=false",
                                          "-detailed-exitcode"], d)
                if rc != 0:  # exit code 2 would mean the refresh found drift
                    print(out[-3000:])
                    return 1
                total = sum(calls_since(d, before).values())
                walls.append(wall)
                print(f"{'vpnform plan':<34} {p:>3} {args.n:>5} {'':>5} {total:>5} "
                      f"{'':>7} {wall:>7.2f}   (peak {rss:.0f} MiB)")
                wall, _, rc, out = run(["plan", f"-parallelism={p}", "-input=false",
                                        "-refresh=false", "-detailed-exitcode"], d)
                if rc != 0:
                    print(out[-3000:])
                    return 1
                norefresh.append(wall)
                print(f"{'vpnform plan -refresh=false':<34} {p:>3} {args.n:>5} {'':>5} "
                      f"{'':>5} {'':>7} {wall:>7.2f}")
            diff = statistics.median(walls) - statistics.median(norefresh)
            print(f"{'refresh inside the CLI (difference)':<34} {p:>3} {args.n:>5} {'':>5} "
                  f"{'':>5} {ideal:>7.2f} {diff:>7.2f} {verdict(diff, ideal)}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
