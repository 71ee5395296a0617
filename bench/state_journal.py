"""Persisting N instance changes during apply: journal (append + fsync per change, periodic
fold) versus rewriting the whole v4 state file after every change (Terraform's local backend).

    .venv/bin/python bench/state_journal.py [N ...] [--exact]

The full-rewrite approach is O(N^2); for N > 2,000 it is timed on 100 evenly spaced
state sizes and extrapolated (mean time per write x N) unless --exact is given.
Prints figures; not a test.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr  # noqa: E402
from engine.state.backends.local import LocalBackend  # noqa: E402
from engine.state.codec import journal_entry  # noqa: E402
from engine.state.model import InstanceObject, State  # noqa: E402

TC = ProviderConfigAddr("tencentcloud")
CONN = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "conn")
SAMPLES = 100


def attrs(i: int) -> dict:
    return {
        "id": f"vpnx-{i:08x}", "name": f"conn-{i}", "vpn_gateway_id": "vpngw-12345678",
        "customer_gateway_id": "cgw-12345678", "vpc_id": "vpc-12345678",
        "pre_share_key": f"secret-{i}", "ike_proto_encry_algorithm": "AES-CBC-128",
        "ike_proto_authen_algorithm": "MD5", "ike_exchange_mode": "MAIN",
        "ike_local_identity": "address", "ike_remote_identity": "address",
        "ike_dh_group_name": "GROUP2", "ike_sa_lifetime_seconds": 86400,
        "ipsec_encrypt_algorithm": "3DES-CBC", "ipsec_integrity_algorithm": "MD5",
        "ipsec_sa_lifetime_seconds": 3600, "ipsec_pfs_dh_group": "NULL",
        "ipsec_sa_lifetime_traffic": 2560, "dpd_enable": 0, "dpd_timeout": "30",
        "route_type": "StaticRoute", "state": "AVAILABLE", "net_status": "AVAILABLE",
        "create_time": "2024-01-01 00:00:00", "tags": {"env": "bench"},
        "security_group_policy": [{"local_cidr_block": f"10.{i % 256}.0.0/16",
                                   "remote_cidr_block": [f"192.168.{i % 256}.0/24"]}],
    }


def obj(i: int) -> InstanceObject:
    return InstanceObject(attrs(i), [("pre_share_key",)],
                          ["tencentcloud_vpn_customer_gateway.cgw", "tencentcloud_vpn_gateway.gw"])


def bench_journal(n: int, workdir: str) -> float:
    b = LocalBackend(workdir=workdir)
    state = State()
    start = time.perf_counter()
    b.begin_journal(state)
    for i in range(n):
        b.record(journal_entry(CONN.instance(i), TC, obj(i)))
    final = b.read()
    b.end_journal(final)
    elapsed = time.perf_counter() - start
    assert len(LocalBackend(workdir=workdir).read().resources[CONN].instances) == n
    return elapsed


def bench_rewrite(n: int, workdir: str, exact: bool) -> tuple[float, bool]:
    b = LocalBackend(workdir=workdir)
    state = State()
    sampled = not exact and n > 2000
    every = max(1, n // SAMPLES) if sampled else 1
    timed, count = 0.0, 0
    for i in range(n):
        state.set_instance(CONN.instance(i), TC, obj(i))
        if i % every == 0 or i == n - 1:
            start = time.perf_counter()
            b.write(state)
            timed += time.perf_counter() - start
            count += 1
    return (timed / count * n if sampled else timed), sampled


def main(argv: list[str]) -> None:
    exact = "--exact" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [1000, 10000]
    print(f"{'N':>7}  {'journal':>10}  {'per change':>11}  {'full rewrite':>13}  "
          f"{'per change':>11}  ratio")
    for n in sizes:
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            tj = bench_journal(n, d1)
            tr, sampled = bench_rewrite(n, d2, exact)
        mark = "~" if sampled else " "
        print(f"{n:>7}  {tj:>9.2f}s  {tj / n * 1e3:>9.3f}ms  {mark}{tr:>11.2f}s  "
              f"{tr / n * 1e3:>9.3f}ms  {tr / tj:>5.1f}x")
    if any(n > 2000 for n in sizes) and not exact:
        print(f"~ extrapolated from {SAMPLES} evenly spaced full writes; --exact to run all")


if __name__ == "__main__":
    main(sys.argv[1:])
