#!/usr/bin/env python3
"""Load on a served emulated cloud: N concurrent official-SDK clients for D seconds.

Starts ``vpnform cloud serve -listen=127.0.0.1:0`` on a fresh data directory (simulated
delays off), then runs ``--clients`` threads, each its own ``VpcClient``, in a loop of
three Describe calls (VPCs, customer gateways, VPN gateways) and one Create/Delete pair
(customer gateways, VPCs, alternating). Prints requests per second, p50/p99 latency and
the errors by code. Exit status 1 if any error other than ``RequestLimitExceeded`` (the
intended throttling) was seen, or if any Create left its object behind.

    .venv/bin/python bench/serve_load.py                          # 16 clients, 60 s, no limit
    .venv/bin/python bench/serve_load.py --duration 10 --rate-limit 20
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VPNFORM = os.path.join(ROOT, ".venv", "bin", "vpnform")
REGION = "ap-guangzhou"


def start_server(data: str, rate_limit: int) -> tuple[subprocess.Popen, str, str]:
    out_path, err_path = data + ".stdout", data + ".stderr"
    env = {**os.environ, "VPNFORM_EMULATOR_DELAY_SCALE": "0"}
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    argv = [VPNFORM if os.path.exists(VPNFORM) else sys.executable, "cloud", "serve",
            "-listen=127.0.0.1:0", f"-data={data}", f"-rate-limit={rate_limit}"]
    if not os.path.exists(VPNFORM):
        argv[1:1] = ["-m", "engine.cli.main"]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(out_path) as f:
            first = f.readline()
        if first.endswith("\n"):
            return proc, re.search(r"https?://\S+", first).group(0), err_path
        if proc.poll() is not None:
            sys.exit(f"cloud serve exited {proc.returncode}: {open(err_path).read()}")
        time.sleep(0.05)
    proc.kill()
    sys.exit("cloud serve printed no URL in 30 s")


def client(endpoint: str, keys: tuple[str, str]):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.vpc.v20170312 import vpc_client
    hp = HttpProfile(endpoint=endpoint, protocol="http", reqTimeout=60, keepAlive=True)
    return vpc_client.VpcClient(credential.Credential(*keys), REGION,
                                ClientProfile(httpProfile=hp))


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.leaked: list[str] = []
        self.lock = threading.Lock()

    def add(self, seconds: float, code: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if code:
                self.errors[code] += 1


def worker(n: int, endpoint: str, keys, stop_at: float, tally: Tally) -> None:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import \
        TencentCloudSDKException
    c = client(endpoint, keys)

    def do(action: str, params: dict) -> dict | None:
        started = time.perf_counter()
        try:
            body = json.loads(c.call(action, params))["Response"]
        except TencentCloudSDKException as err:
            tally.add(time.perf_counter() - started, err.get_code())
            return None
        tally.add(time.perf_counter() - started, None)
        return body

    i = 0
    while time.monotonic() < stop_at:
        do("DescribeVpcs", {"Limit": 20})
        do("DescribeCustomerGateways", {"Filters": [{"Name": "customer-gateway-name",
                                                     "Values": [f"load-{n}"]}]})
        do("DescribeVpnGateways", {"Limit": 20})
        if i % 2 == 0:
            made = do("CreateCustomerGateway", {"CustomerGatewayName": f"load-{n}",
                                                "IpAddress": f"198.18.{n}.{i % 250 + 1}"})
            if made:
                cgw_id = made["CustomerGateway"]["CustomerGatewayId"]
                while do("DeleteCustomerGateway", {"CustomerGatewayId": cgw_id}) is None:
                    if time.monotonic() > stop_at + 30:
                        tally.leaked.append(cgw_id)
                        break
                    time.sleep(0.05)  # throttled: the cleanup must still happen
        else:
            made = do("CreateVpc", {"VpcName": f"load-{n}", "CidrBlock": "10.0.0.0/16"})
            if made:
                vpc_id = made["Vpc"]["VpcId"]
                while do("DeleteVpc", {"VpcId": vpc_id}) is None:
                    if time.monotonic() > stop_at + 30:
                        tally.leaked.append(vpc_id)
                        break
                    time.sleep(0.05)
        i += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    ap.add_argument("--rate-limit", type=int, default=0,
                    help="the server's -rate-limit (default 0: off)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the data directory and the request log")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="vpnform-serve-load-")
    data = os.path.join(tmp, "data")
    proc, url, err_path = start_server(data, args.rate_limit)
    try:
        with open(os.path.join(data, "credentials.json")) as f:
            account = json.load(f)["accounts"][0]
        keys = (account["secret_id"], account["secret_key"])
        endpoint = url.split("://", 1)[1]
        tally = Tally()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=worker, args=(n, endpoint, keys, stop_at, tally))
                   for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = sorted(tally.latencies)
    total = len(lat)
    p = (lambda q: lat[min(total - 1, int(q * total))] * 1000) if total else (lambda q: 0.0)
    other = {c: n for c, n in tally.errors.items() if c != "RequestLimitExceeded"}
    print(f"serve_load: {args.clients} SDK clients, {elapsed:.1f} s, rate limit "
          f"{args.rate_limit or 'off'}")
    print(f"  requests: {total}  ({total / elapsed:.0f} req/s)")
    print(f"  latency:  p50 {p(0.50):.1f} ms  p99 {p(0.99):.1f} ms  "
          f"mean {statistics.fmean(lat) * 1000 if lat else 0:.1f} ms")
    print("  errors:   " + (", ".join(f"{c}={n}" for c, n in sorted(tally.errors.items()))
                            or "none"))
    if tally.leaked:
        print(f"  left behind: {len(tally.leaked)} objects")
    print(f"  server exit status {proc.returncode}"
          + (f"; request log: {err_path}" if args.keep else ""))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if other or tally.leaked or proc.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
