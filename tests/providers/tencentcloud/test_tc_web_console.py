"""The web console of `vpnform cloud serve` over HTTP (urllib): sign-in with an account's
keys, pages only with a session, escaping, the pre-shared key only in the downloaded
configuration, one account's console never showing another's objects."""

import re
import uuid

import pytest
from console_support import ACCOUNTS, GATEWAY_NAME, PSK, TUNNEL_NAME, Browser, start

from providers.tencentcloud.emulator.accounts import Account, Accounts
from providers.tencentcloud.emulator.console import ConsoleApp
from providers.tencentcloud.emulator.console.sessions import Sessions
from providers.tencentcloud.emulator.gateway import CloudGateway
from providers.tencentcloud.emulator.products import PRODUCTS, ProductRegistry


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    c = start(tmp_path_factory.mktemp("console"))
    yield c
    c.served.stop()


@pytest.fixture
def signed_in(cloud):
    b = Browser(cloud.url)
    page = b.sign_in()
    assert page.status == 200 and page.url.endswith("/console/tunnels")
    return b


def test_sign_in_with_a_wrong_key_or_an_unknown_id_is_refused(cloud):
    b = Browser(cloud.url)
    wrong = b.sign_in(secret_key="not-the-key")
    assert wrong.status == 401
    assert "The SecretId or the SecretKey is wrong." in wrong.text
    assert "Set-Cookie" not in wrong.headers and not list(b.jar)
    other_key = b.sign_in(secret_key=ACCOUNTS["other"][1])  # another account's key
    assert other_key.status == 401
    unknown = b.open("signin", {"secret_id": "AKIDnobody", "secret_key": ACCOUNTS["ops"][1]})
    assert unknown.status == 401
    assert b.open("tunnels").url.endswith("/console/signin")


PAGES = ["", "tunnels", "gateways", "customer-gateways", "alarms", "tunnel?id={id}",
         "chart.svg?id={id}", "config?id={id}&vendor=5"]


@pytest.mark.parametrize("cookie", [None, "vpnform_console=forged-token"])
def test_every_page_needs_a_session(cloud, cookie):
    b = Browser(cloud.url, follow=False)
    for path in PAGES:
        req_path = path.format(id=cloud.tunnel_id)
        if cookie:
            b.opener.addheaders = [("Cookie", cookie)]
        page = b.open(req_path)
        assert page.status == 303, req_path
        assert page.headers["Location"] == "/console/signin", req_path
        assert cloud.tunnel_id not in page.text and PSK not in page.text


def test_the_session_cookie_is_http_only_strict_and_random(cloud):
    b = Browser(cloud.url, follow=False)
    first = b.sign_in().headers["Set-Cookie"]
    second = Browser(cloud.url, follow=False).sign_in().headers["Set-Cookie"]
    for cookie in (first, second):
        assert re.fullmatch(r"vpnform_console=[A-Za-z0-9_-]{43}; Path=/console/; "
                            r"Max-Age=\d+; HttpOnly; SameSite=Strict", cookie), cookie
    assert first.split(";")[0] != second.split(";")[0]


def test_pages_show_the_accounts_objects_with_names_escaped(cloud, signed_in):
    tunnels = signed_in.open("tunnels")
    assert tunnels.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in tunnels.text.lower() and TUNNEL_NAME not in tunnels.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tunnels.text
    assert cloud.tunnel_id in tunnels.text
    row = re.search(r"<tr><td><a [^>]*>&lt;script.*?</tr>", tunnels.text).group(0)
    assert "AVAILABLE" in row and "UNAVAILABLE" in row  # its state and network status
    gateways = signed_in.open("gateways")
    assert "gw-&lt;b&gt;bold&lt;/b&gt;" in gateways.text and GATEWAY_NAME not in gateways.text
    assert cloud.gateway_id in gateways.text
    cgws = signed_in.open("customer-gateways")
    assert cloud.customer_gateway_id in cgws.text and "202.108.22.5" in cgws.text
    tunnel = signed_in.open(f"tunnel?id={cloud.tunnel_id}")
    assert "<script" not in tunnel.text.lower() and "10.0.1.0/24" in tunnel.text
    assert "No alarms" in tunnel.text  # no alarm policy yet


def test_the_pre_shared_key_is_in_the_download_only(cloud, signed_in):
    seen, todo = set(), ["tunnels"]
    while todo and len(seen) < 60:  # every console page reachable from the tunnels page
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        page = signed_in.open(path)
        assert page.status == 200, path
        assert PSK not in page.text, path
        for href in re.findall(r'(?:href|src)="/console/([^"]*)"', page.text):
            href = href.replace("&amp;", "&")
            if not href.startswith(("signout", "config")):
                todo.append(href)
    assert any(p.startswith("chart.svg") for p in seen) and any(
        p.startswith("tunnel?") for p in seen)
    download = signed_in.open(f"config?id={cloud.tunnel_id}&vendor=5")  # strongSwan
    assert download.status == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Type"].startswith("text/plain")
    assert PSK in download.text and "connections {" in download.text
    cisco = signed_in.open(f"config?id={cloud.tunnel_id}&vendor=1&interface=Gi0/1")
    assert cisco.status == 200 and PSK in cisco.text and "Gi0/1" in cisco.text


def test_the_monitoring_chart_is_an_svg_of_the_tunnels_metrics(cloud, signed_in):
    chart = signed_in.open(f"chart.svg?id={cloud.tunnel_id}&period=300")
    assert chart.status == 200 and chart.headers["Content-Type"] == "image/svg+xml"
    assert chart.text.lstrip().startswith("<?xml") and "<svg" in chart.text
    for metric in ("InBandwidth", "PkgDrop", "Disconnected"):
        assert metric in chart.text
    assert cloud.tunnel_id in chart.text


def test_one_account_never_sees_anothers_objects(cloud):
    b = Browser(cloud.url)
    assert b.sign_in("other").status == 200
    assert "No tunnel in this region." in b.open("tunnels").text
    assert cloud.tunnel_id not in b.open("gateways").text
    page = b.open(f"tunnel?id={cloud.tunnel_id}")
    assert page.status == 404 and PSK not in page.text
    assert b.open(f"config?id={cloud.tunnel_id}&vendor=5").status == 404


def test_sign_out_ends_the_session(cloud, signed_in):
    token = next(c.value for c in signed_in.jar if c.name == "vpnform_console")
    replay = Browser(cloud.url, follow=False)
    replay.opener.addheaders = [("Cookie", f"vpnform_console={token}")]
    assert replay.open("tunnels").status == 200
    assert signed_in.open("signout", {}).url.endswith("/console/signin")
    assert not [c for c in signed_in.jar if c.value]  # the browser's cookie is cleared
    assert replay.open("tunnels").status == 303  # and the token is dead on the server


def test_regions_and_unknown_pages(cloud, signed_in):
    assert "No tunnel in this region." in signed_in.open("tunnels?region=ap-shanghai").text
    assert signed_in.open("tunnels?region=mars-1").status == 400
    assert signed_in.open("nothing-here").status == 404
    assert signed_in.open("tunnel?id=vpnx-00000000").status == 404


def test_keys_and_the_key_never_reach_the_log(cloud, signed_in):
    signed_in.open(f"config?id={cloud.tunnel_id}&vendor=5")
    Browser(cloud.url).sign_in(secret_key="a-wrong-key-typed-by-someone")
    log = cloud.served.stderr() + cloud.served.stdout()
    for secret in (PSK, ACCOUNTS["ops"][1], ACCOUNTS["other"][1], "a-wrong-key-typed-by-someone"):
        assert secret not in log
    assert "account=ops console GET /console/config" in log


def test_sessions_expire_when_idle_and_at_their_lifetime():
    now = [0.0]
    sessions = Sessions(lambda: now[0], idle=60, lifetime=300)
    token = sessions.start("ops")
    for _ in range(4):
        now[0] += 50  # used within its idle time: kept
        assert sessions.account(token) == "ops"
    now[0] += 61
    assert sessions.account(token) is None
    token = sessions.start("ops")
    for _ in range(6):
        now[0] += 50
    assert sessions.account(token) is None  # 300 s after sign-in, however busy
    assert sessions.account("") is None and sessions.account("nope") is None


class _AlarmMonitor:
    """A monitor product that serves alarm history only (the console's view of it)."""

    def __init__(self, store):
        pass

    def call(self, action, params, region):
        if action != "DescribeAlarmHistories":
            return {"Error": {"Code": "InvalidAction", "Message": "no"}, "RequestId": "r"}
        return {"TotalCount": 1, "RequestId": "r", "Histories": [{
            "AlarmId": str(uuid.uuid4()), "PolicyName": "<i>tunnel down</i>",
            "AlarmObject": "vpnx-00000001", "Content": "Disconnected >= 1", "AlarmStatus": "ALARM",
            "FirstOccurTime": 1764000000, "LastOccurTime": 1764000300}]}


def test_alarm_history_shows_when_the_cloud_serves_it(tmp_path):
    registry = ProductRegistry()
    registry.register("vpc", "2017-03-12", PRODUCTS.factory("vpc", "2017-03-12"))
    registry.register("monitor", "2018-07-24", _AlarmMonitor)
    account = Account(name="ops", secret_id="AKIDx", secret_key="k")
    gateway = CloudGateway(Accounts(accounts=[account]), tmp_path, rate_limit=0,
                           registry=registry)
    app = ConsoleApp(gateway, [account], secure=True)
    try:
        signed = app.answer("POST", "/console/signin", {},
                            b"secret_id=AKIDx&secret_key=k")
        cookie = dict(signed.headers)["Set-Cookie"]
        assert cookie.endswith("; Secure")
        page = app.answer("GET", "/console/alarms", {"cookie": cookie.split(";")[0]}, b"")
        text = page.body.decode()
        assert page.status == 200 and "&lt;i&gt;tunnel down&lt;/i&gt;" in text
        assert "vpnx-00000001" in text and "ALARM" in text and "No alarms" not in text
    finally:
        gateway.close()


def test_a_cloud_without_cloud_monitor_shows_no_alarms(tmp_path):
    registry = ProductRegistry()
    registry.register("vpc", "2017-03-12", PRODUCTS.factory("vpc", "2017-03-12"))
    account = Account(name="ops", secret_id="AKIDx", secret_key="k")
    gateway = CloudGateway(Accounts(accounts=[account]), tmp_path, rate_limit=0,
                           registry=registry)
    app = ConsoleApp(gateway, [account], secure=False)
    try:
        cookie = dict(app.answer("POST", "/console/signin", {},
                                 b"secret_id=AKIDx&secret_key=k").headers)["Set-Cookie"]
        page = app.answer("GET", "/console/alarms", {"cookie": cookie.split(";")[0]}, b"")
        assert page.status == 200
        assert "No alarms: this cloud serves no alarm history." in page.body.decode()
    finally:
        gateway.close()


def test_the_readme_console_commands_run_as_shown(cloud, tmp_path):
    """README's "Web console" shell block, against this served cloud instead of port 8443:
    what its comments say each command prints is printed."""
    import os
    import subprocess
    from pathlib import Path
    text = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    block = text.split("#### Web console", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    block = block.replace("127.0.0.1:8443", cloud.served.endpoint)
    expected = [c.strip() for c in re.findall(r"  # (.*)", block)]
    env = {**os.environ, "TENCENTCLOUD_SECRET_ID": ACCOUNTS["ops"][0],
           "TENCENTCLOUD_SECRET_KEY": ACCOUNTS["ops"][1]}
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(var, None)
    res = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert len(expected) == 2
    assert res.stdout.splitlines() == expected
    assert not (tmp_path / "console.jar").exists()


def _serves_alarm_history() -> bool:
    from providers.tencentcloud.emulator.monitor_service import EmulatedMonitorService
    return "DescribeAlarmHistories" in EmulatedMonitorService.action_names()


@pytest.mark.skipif(not _serves_alarm_history(),
                    reason="the emulated Cloud Monitor serves no DescribeAlarmHistories yet")
def test_a_raised_alarm_shows_in_the_console(tmp_path):
    """A policy on the tunnel's Disconnected metric, made with the official MonitorClient:
    the tunnel is down, so the alarm is raised and both console pages list it."""
    import json

    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.monitor.v20180724 import models, monitor_client

    own = start(tmp_path)
    try:
        hp = HttpProfile(endpoint=own.served.endpoint, protocol="http", reqTimeout=30)
        m = monitor_client.MonitorClient(credential.Credential(*ACCOUNTS["ops"]),
                                         "ap-guangzhou", ClientProfile(httpProfile=hp))

        def sdk(action, **params):
            req = getattr(models, f"{action}Request")()
            req.from_json_string(json.dumps(params))
            return json.loads(getattr(m, action)(req).to_json_string())
        rule = {"MetricName": "Disconnected", "Period": 60, "Operator": "gt", "Value": "0",
                "ContinuePeriod": 1, "NoticeFrequency": 0, "IsPowerNotice": 0}
        pid = sdk("CreateAlarmPolicy", Module="monitor", PolicyName="<b>tunnel down</b>",
                  MonitorType="MT_QCE", Namespace="vpn_tunnel",
                  Condition={"IsUnionRule": 0, "Rules": [rule]})["PolicyId"]
        sdk("BindingPolicyObject", Module="monitor", GroupId=0, PolicyId=pid,
            Dimensions=[{"Region": "gz",
                         "Dimensions": json.dumps({"vpnconnid": own.tunnel_id})}])
        b = Browser(own.url)
        assert b.sign_in().status == 200
        for path in ("alarms", f"tunnel?id={own.tunnel_id}"):
            text = b.open(path).text
            assert "&lt;b&gt;tunnel down&lt;/b&gt;" in text, path
            assert "ALARM" in text and "No alarms" not in text, path
    finally:
        own.served.stop()


def test_a_huge_sign_in_form_is_refused_unread(cloud):
    b = Browser(cloud.url)
    page = b.open("signin", {"secret_id": ACCOUNTS["ops"][0], "secret_key": "k" * 10000})
    assert page.status == 413 and not list(b.jar)


def test_guessing_keys_is_slowed_down(tmp_path):
    """After 10 failed sign-ins in a minute, an address must wait, even with the right
    key; another address is not held up."""
    now = [1000.0]
    account = Account(name="ops", secret_id="AKIDx", secret_key="right")
    gateway = CloudGateway(Accounts(accounts=[account]), tmp_path, rate_limit=0)
    app = ConsoleApp(gateway, [account], secure=False, clock=lambda: now[0])

    def sign_in(key: str, client: str = "192.0.2.7"):
        return app.answer("POST", "/console/signin", {},
                          f"secret_id=AKIDx&secret_key={key}".encode(), client=client)
    try:
        for guess in range(10):
            now[0] += 1
            assert sign_in(f"guess{guess}").status == 401
        held = sign_in("right")
        assert held.status == 429 and "Too many failed sign-ins" in held.body.decode()
        assert 0 < int(dict(held.headers)["Retry-After"]) <= 60
        assert sign_in("right", client="192.0.2.8").status == 303
        now[0] += 52  # the first failure is a minute old
        assert sign_in("right").status == 303
    finally:
        gateway.close()
