"""The web console's requests: sign-in and sign-out, and the read-only pages, each answered
from the account's own cloud through the API's actions, called in-process on the same
services a signed request reaches (``CloudGateway.call_as``), never from the store itself.

``ConsoleApp.answer(method, target, headers, body)`` returns a ``Reply``; the HTTP server
writes it. Every reply carries a Content-Security-Policy that allows nothing but the
console's own stylesheet, images and forms; no page needs JavaScript.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from engine.values import loads_json

from ... import device_config, rules
from ...client import NO_RETRY, VpcClient
from ..accounts import Account
from ..gateway import CloudGateway, RequestRefused
from ..products import UnknownProduct
from . import pages
from .sessions import COOKIE, Sessions

DEFAULT_REGION = "ap-guangzhou"
MONITOR = ("monitor", "2018-07-24")
CHART_PERIODS = (60, 300)  # the periods a one-hour chart is drawn at
CHART_WINDOW = 3600.0  # seconds of history the charts show
CHART_REFRESH = 15.0  # seconds a drawn chart is served again before it is redrawn
CHART_CACHE = 64  # drawn charts kept (each ~120 KB)
ALARM_WINDOW = 86400  # seconds of alarm history shown (the API's own default: a day)
# The answers of a cloud that serves no alarm history at all.
NOT_SERVED = frozenset({"InvalidAction", "NoSuchProduct", "NoSuchVersion"})
FAILED_SIGN_INS = 10  # failed sign-ins an address may make per window, then it waits
FAILED_WINDOW = 60.0  # seconds
MAX_FORM = 4096  # bytes of a console request's body (a sign-in form)
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    account: str = "-"  # for the request log


class AccountTransport:
    """The client seam's transport for one signed-in account: each action goes to the
    product that answers it (as the SDK would send it), in-process, through JSON."""

    def __init__(self, gateway: CloudGateway, account: Account):
        self.gateway = gateway
        self.account = account

    def send(self, action: str, params: dict, region: str) -> dict:
        from ...sdk_transport import service_of
        service, version = service_of(action)
        return self.call(service, version, action, params, region)

    def call(self, service: str, version: str, action: str, params: dict, region: str) -> dict:
        wire = loads_json(json.dumps(params))
        try:
            answer = self.gateway.call_as(self.account, service, version, action, wire, region)
        except (RequestRefused, UnknownProduct) as err:
            answer = {"Error": {"Code": err.code, "Message": err.message}}
        return loads_json(json.dumps(answer))


class ConsoleApp:
    """The console of a CloudGateway's accounts."""

    def __init__(self, gateway: CloudGateway, accounts: list[Account], *, secure: bool,
                 sessions: Sessions | None = None, clock: Callable[[], float] = time.time):
        self.gateway = gateway
        self.accounts = {a.name: a for a in accounts}
        self.secure = secure  # served over TLS: the cookie is marked Secure
        self.sessions = sessions or Sessions()
        self.clock = clock
        self._failures: dict[str, list[float]] = {}  # address -> times of failed sign-ins
        self._failures_lock = threading.Lock()
        # (account, region, tunnel, period, refresh slot) -> SVG: drawing one takes ~1 s
        self._charts: OrderedDict[tuple, bytes] = OrderedDict()
        self._drawing = threading.Lock()  # one chart drawn at a time (matplotlib, CPU)

    # --- the entry ------------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes, *,
               client: str = "-") -> Reply:
        """``client``: the caller's address, which failed sign-ins are counted by."""
        split = urlsplit(target)
        path = split.path
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        try:
            reply = self._route(method, path, query, headers, body, client)
        except Exception as err:  # a fault of the console itself: a page, not a dropped line
            reply = Reply(500, pages.problem("Internal error", f"The console failed: "
                                                               f"{type(err).__name__}."))
        reply.headers = SECURITY_HEADERS + reply.headers
        return reply

    def _route(self, method: str, path: str, query: dict, headers: dict[str, str],
               body: bytes, client: str) -> Reply:
        if path == "/console":
            return _redirect(pages.ROOT)
        page = path[len(pages.ROOT):]
        if page == "style.css" and method == "GET":
            return Reply(200, pages.CSS.encode(), "text/css; charset=utf-8")
        if page == "signin":
            if method == "POST":
                return self._sign_in(body, client)
            return Reply(200, pages.signin())
        token = _cookie(headers)
        if page == "signout" and method == "POST":
            self.sessions.end(token)
            return _redirect(pages.ROOT + "signin", [("Set-Cookie", self._cookie("", 0))])
        name = self.sessions.account(token)
        account = self.accounts.get(name) if name else None
        if account is None:
            return _redirect(pages.ROOT + "signin")
        if method != "GET":
            return Reply(405, pages.problem("Not allowed", "The console only reads."),
                         account=account.name)
        if page == "":
            return _redirect(pages.link("tunnels"))
        handler = self._pages.get(page)
        if handler is None:
            return Reply(404, pages.problem("Not found", "There is no such console page."),
                         account=account.name)
        region = query.get("region") or DEFAULT_REGION
        if region not in rules.REGIONS:
            return Reply(400, pages.problem("Unknown region",
                                            f"There is no region {region}."),
                         account=account.name)
        reply = handler(self, AccountTransport(self.gateway, account), account, region, query)
        reply.account = account.name
        return reply

    # --- signing in -----------------------------------------------------------------------
    def _sign_in(self, body: bytes, client: str) -> Reply:
        if len(body) > MAX_FORM:
            return Reply(413, pages.signin("The sign-in form is too large."))
        now = self.clock()
        with self._failures_lock:
            recent = [t for t in self._failures.get(client, []) if now - t < FAILED_WINDOW]
            self._failures[client] = recent
            if not recent:
                del self._failures[client]
        if len(recent) >= FAILED_SIGN_INS:
            wait = int(FAILED_WINDOW - (now - recent[0])) + 1
            return Reply(429, pages.signin(f"Too many failed sign-ins from this address; try "
                                           f"again in {wait} s."),
                         headers=[("Retry-After", str(wait))])
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        account = self.gateway.signed_in(form.get("secret_id", "").strip(),
                                         form.get("secret_key", ""))
        if account is None or account.name not in self.accounts:
            with self._failures_lock:
                if len(self._failures) >= 1000:  # forget the addresses that stopped
                    self._failures = {a: ts for a, ts in self._failures.items()
                                      if now - ts[-1] < FAILED_WINDOW}
                self._failures.setdefault(client, []).append(now)
            return Reply(401, pages.signin("The SecretId or the SecretKey is wrong."))
        token = self.sessions.start(account.name)
        return _redirect(pages.link("tunnels"),
                         [("Set-Cookie", self._cookie(token, int(self.sessions.lifetime)))],
                         account=account.name)

    def _cookie(self, token: str, max_age: int) -> str:
        secure = "; Secure" if self.secure else ""
        return (f"{COOKIE}={token}; Path={pages.ROOT}; Max-Age={max_age}; HttpOnly; "
                f"SameSite=Strict{secure}")

    # --- pages ----------------------------------------------------------------------------
    def _list(self, transport: AccountTransport, account: Account, region: str, page: str,
              title: str, action: str, key: str, render: Callable[[list[dict]], Any]) -> Reply:
        answer = transport.send(action, {"Limit": 100}, region)
        body = (pages.cloud_error(answer["Error"]) if "Error" in answer
                else render(answer.get(key) or []))
        return Reply(200, pages.layout(title, account.name, region, page, body))

    def gateways(self, transport, account, region, query) -> Reply:
        return self._list(transport, account, region, "gateways", "VPN gateways",
                          "DescribeVpnGateways", "VpnGatewaySet", pages.gateways)

    def customer_gateways(self, transport, account, region, query) -> Reply:
        return self._list(transport, account, region, "customer-gateways", "Customer gateways",
                          "DescribeCustomerGateways", "CustomerGatewaySet",
                          pages.customer_gateways)

    def tunnels(self, transport, account, region, query) -> Reply:
        return self._list(transport, account, region, "tunnels", "Tunnels",
                          "DescribeVpnConnections", "VpnConnectionSet",
                          lambda conns: pages.tunnels(conns, region))

    def alarms(self, transport, account, region, query) -> Reply:
        histories = self._histories(transport, region)
        body = (pages.cloud_error(histories) if isinstance(histories, dict)
                else pages.alarm_history(histories))
        return Reply(200, pages.layout("Alarm history", account.name, region, "alarms", body))

    def tunnel(self, transport, account, region, query) -> Reply:
        conn = self._connection(transport, region, query.get("id", ""))
        if isinstance(conn, Reply):
            return conn
        period = _period(query)
        vendors = transport.send("DescribeCustomerGatewayVendors", {}, region)
        histories = self._histories(transport, region)
        if isinstance(histories, list):
            histories = [h for h in histories if conn["VpnConnectionId"] in json.dumps(h)]
        body = pages.tunnel(conn, region, vendors.get("CustomerGatewayVendorSet") or [],
                            None if isinstance(histories, dict) else histories, period,
                            CHART_PERIODS)
        if isinstance(histories, dict):
            body = pages.join([body, pages.cloud_error(histories)])
        return Reply(200, pages.layout(f"Tunnel {conn.get('VpnConnectionName')}", account.name,
                                       region, "tunnel", body,
                                       {"id": conn["VpnConnectionId"]}))

    def chart(self, transport, account, region, query) -> Reply:
        conn = self._connection(transport, region, query.get("id", ""))
        if isinstance(conn, Reply):
            return conn
        period = _period(query)
        key = (account.name, region, conn["VpnConnectionId"], period,
               int(self.clock() // CHART_REFRESH))
        with self._drawing:
            svg = self._charts.get(key)
            if svg is None:
                drawn = self._draw_chart(transport, region, conn["VpnConnectionId"], period)
                if isinstance(drawn, Reply):
                    return drawn
                svg = self._charts[key] = drawn
                while len(self._charts) > CHART_CACHE:
                    self._charts.popitem(last=False)
        return Reply(200, svg, "image/svg+xml")

    def _draw_chart(self, transport: AccountTransport, region: str, cid: str,
                    period: int) -> bytes | Reply:
        from engine import charts

        from ...monitor_series import tunnel_metrics
        end = self.clock()
        client = VpcClient(transport, region, retry=NO_RETRY)
        series, diags = tunnel_metrics(client, {"id": cid}, None, period,
                                       end - CHART_WINDOW, end)
        if series is None:
            detail = "; ".join(f"{d.summary}: {d.detail}" for d in diags)
            return Reply(502, pages.problem("No monitoring data", detail))
        return charts.picture(series, (end - CHART_WINDOW, end), "svg",
                              f"{cid}, {period} s points")

    def config(self, transport, account, region, query) -> Reply:
        conn = self._connection(transport, region, query.get("id", ""))
        if isinstance(conn, Reply):
            return conn
        vendors = transport.send("DescribeCustomerGatewayVendors", {},
                                 region).get("CustomerGatewayVendorSet") or []
        index = query.get("vendor", "")
        if not index.isdigit() or int(index) >= len(vendors):
            return Reply(400, pages.problem("Unknown vendor",
                                            "Choose a vendor from the tunnel's page."))
        vendor = vendors[int(index)]
        known = device_config.by_api(vendor)
        interface = query.get("interface", "").strip() or (known.interface if known else "")
        answer = transport.send("DownloadCustomerGatewayConfiguration", {
            "VpnGatewayId": conn["VpnGatewayId"], "VpnConnectionId": conn["VpnConnectionId"],
            "CustomerGatewayVendor": vendor, "InterfaceName": interface}, region)
        if "Error" in answer:
            return Reply(400, pages.problem("No configuration",
                                            f"The cloud answered {answer['Error']['Code']}: "
                                            f"{answer['Error']['Message']}"))
        name = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", part) for part in
                        (conn["VpnConnectionId"], vendor.get("VendorName", ""),
                         vendor.get("Platform", "")))
        return Reply(200, answer.get("CustomerGatewayConfiguration", "").encode(),
                     "text/plain; charset=utf-8",
                     [("Content-Disposition", f'attachment; filename="{name}.conf"')])

    _pages = {"gateways": gateways, "customer-gateways": customer_gateways, "tunnels": tunnels,
              "alarms": alarms, "tunnel": tunnel, "chart.svg": chart, "config": config}

    # --- reads shared by pages ------------------------------------------------------------
    def _connection(self, transport: AccountTransport, region: str, cid: str) -> dict | Reply:
        answer = transport.send("DescribeVpnConnections", {"VpnConnectionIds": [cid]}, region)
        found = answer.get("VpnConnectionSet") or []
        if "Error" in answer or not found:
            return Reply(404, pages.problem("No such tunnel",
                                            f"There is no tunnel {cid} in {region}."))
        return found[0]

    def _histories(self, transport: AccountTransport, region: str) -> list[dict] | dict | None:
        """The last day's alarm history (newest first); None when the cloud serves none;
        the cloud's error otherwise."""
        now = int(self.clock())
        answer = transport.call(*MONITOR, "DescribeAlarmHistories",
                                {"Module": "monitor", "StartTime": now - ALARM_WINDOW,
                                 "EndTime": now, "PageSize": 100}, region)
        error = answer.get("Error")
        if error is not None:
            return None if error.get("Code") in NOT_SERVED else error
        return answer.get("Histories") or []


def _period(query: dict) -> int:
    text = query.get("period", "")
    return int(text) if text.isdigit() and int(text) in CHART_PERIODS else CHART_PERIODS[0]


def _cookie(headers: dict[str, str]) -> str | None:
    try:
        jar = SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        return None
    found = jar.get(COOKIE)
    return found.value if found is not None else None


def _redirect(location: str, headers: list[tuple[str, str]] | None = None, *,
              account: str = "-") -> Reply:
    return Reply(303, b"", "text/plain", [("Location", location), *(headers or [])],
                 account=account)


def is_console(target: str) -> bool:
    """Whether a request target is the console's (``/console`` or under ``/console/``)."""
    path = urlsplit(target).path
    return path == "/console" or path.startswith(pages.ROOT)
