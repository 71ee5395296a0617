#!/usr/bin/env python3
"""How fast the web console of ``vpnform cloud serve`` answers: one signed-in browser
(urllib), the guide's VPN made with the official SDK, each page fetched N times.

Prints the median and slowest time of each page, and the first drawing of a tunnel's
monitoring chart (later fetches within 15 s are served the drawn chart).

    .venv/bin/python bench/console_pages.py          # 20 fetches of each page
    .venv/bin/python bench/console_pages.py 100
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_load import client, start_server  # noqa: E402


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    tmp = tempfile.mkdtemp(prefix="vpnform-console-bench-")
    proc, url, _ = start_server(os.path.join(tmp, "data"), 0)
    try:
        with open(os.path.join(tmp, "data", "credentials.json")) as f:
            account = json.load(f)["accounts"][0]
        keys = (account["secret_id"], account["secret_key"])
        c = client(url.split("://", 1)[1], keys)
        conn = make_vpn(c)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(jar))

        def fetch(path: str, data: dict | None = None) -> float:
            body = urllib.parse.urlencode(data).encode() if data else None
            started = time.perf_counter()
            with opener.open(url + "/console/" + path, data=body, timeout=60) as resp:
                resp.read()
            return (time.perf_counter() - started) * 1000

        fetch("signin", {"secret_id": keys[0], "secret_key": keys[1]})
        print(f"first chart drawing: {fetch(f'chart.svg?id={conn}'):.0f} ms")
        print(f"{'page':<18} {'median ms':>10} {'max ms':>8}   ({n} fetches each)")
        for path in ("tunnels", "gateways", "customer-gateways", f"tunnel?id={conn}",
                     "alarms", f"chart.svg?id={conn}", f"config?id={conn}&vendor=1"):
            times = [fetch(path) for _ in range(n)]
            print(f"{path.split('?')[0]:<18} {statistics.median(times):>10.1f} "
                  f"{max(times):>8.1f}")
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def make_vpn(c) -> str:
    from tencentcloud.vpc.v20170312 import models

    def call(action: str, **params) -> dict:
        req = getattr(models, f"{action}Request")()
        req.from_json_string(json.dumps(params))
        return json.loads(getattr(c, action)(req).to_json_string())
    vpc = call("CreateVpc", VpcName="bench", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = call("CreateVpnGateway", VpcId=vpc, VpnGatewayName="bench-gw",
              InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
    cgw = call("CreateCustomerGateway", CustomerGatewayName="bench-idc",
               IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    return call("CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw, VpcId=vpc,
                VpnConnectionName="bench-tunnel", PreShareKey="bench-psk-1234",
                SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                          "RemoteCidrBlock": ["192.168.0.0/24"]}]
                )["VpnConnection"]["VpnConnectionId"]


if __name__ == "__main__":
    sys.exit(main())
