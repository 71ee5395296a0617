"""A served cloud with two accounts for the web console tests, one VPN of the guide's shape
made through the official SDK in the first (a tunnel named like a script, with a known
pre-shared key), and a urllib browser that keeps the session cookie."""

from __future__ import annotations

import http.cookiejar
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from serve_support import Served, call

TUNNEL_NAME = "<script>alert(1)</script>"
GATEWAY_NAME = "gw-<b>bold</b>"
PSK = "Console-PSK-7f3e9a"
ACCOUNTS = {"ops": ("AKIDconsoleOps0000000000000000000001", "ops-secret-key-0123456789abcdef"),
            "other": ("AKIDconsoleOther00000000000000000002", "other-secret-key-abcdef012345")}


@dataclass
class ConsoleCloud:
    served: Served
    tunnel_id: str
    gateway_id: str
    customer_gateway_id: str

    @property
    def url(self) -> str:
        return self.served.url + "/console/"


def start(tmp: Path) -> ConsoleCloud:
    creds = tmp / "accounts.json"
    creds.write_text(json.dumps({"accounts": [
        {"name": n, "secret_id": i, "secret_key": k} for n, (i, k) in ACCOUNTS.items()]}))
    os.chmod(creds, 0o600)
    served = Served(tmp / "data", "-rate-limit=0", f"-credentials={creds}")
    try:
        c = served.client(*ACCOUNTS["ops"])
        vpc = call(c, "CreateVpc", VpcName="console", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        gw = call(c, "CreateVpnGateway", VpcId=vpc, VpnGatewayName=GATEWAY_NAME,
                  InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
        cgw = call(c, "CreateCustomerGateway", CustomerGatewayName="idc-beijing",
                   IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
        conn = call(c, "CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw,
                    VpcId=vpc, VpnConnectionName=TUNNEL_NAME, PreShareKey=PSK,
                    SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                              "RemoteCidrBlock": ["192.168.0.0/24"]}]
                    )["VpnConnection"]["VpnConnectionId"]
    except BaseException:
        served.stop()
        raise
    return ConsoleCloud(served, conn, gw, cgw)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Page:
    status: int
    url: str
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Browser:
    """urllib with a cookie jar; ``follow=False`` shows redirects instead of taking them."""

    def __init__(self, base: str, *, follow: bool = True):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow:
            handlers.append(_NoRedirect())
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)

    def open(self, path: str, data: dict | None = None, method: str | None = None) -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        try:
            with self.opener.open(req, timeout=30) as resp:
                return Page(resp.status, resp.url, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return Page(err.code, err.url, dict(err.headers), err.read())

    def sign_in(self, account: str = "ops", secret_key: str | None = None) -> Page:
        secret_id, key = ACCOUNTS[account]
        return self.open("signin", {"secret_id": secret_id,
                                    "secret_key": key if secret_key is None else secret_key})
