"""``vpnform cloud serve`` as a process: accounts and their isolation, throttling, the
proxy form behind HTTP_PROXY, TLS, lost answers, graceful shutdown and file modes."""

import http.client
import json
import os
import signal
import stat
import subprocess
import threading
import time

import pytest
from serve_support import VPNFORM, Served, call, raw_post, request, tc3_headers
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def sdk_error(fn, *args) -> str:
    with pytest.raises(TencentCloudSDKException) as err:
        fn(*args)
    return err.value.get_code()


@pytest.fixture
def clean_proxy_env(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy",
                "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_first_start_makes_an_account_and_prints_its_keys_once(tmp_path):
    first = Served(tmp_path / "data")
    try:
        secret_id, secret_key = first.keys()
        assert secret_id.startswith("AKID") and secret_key in first.stdout()
        assert "TotalCount" in call(first.client(), "DescribeVpcs")
    finally:
        assert first.stop() == 0
    assert mode(tmp_path / "data" / "credentials.json") == 0o600
    assert mode(tmp_path / "data" / "accounts" / "default") == 0o700
    assert mode(tmp_path / "data" / "accounts" / "default" / "cloud.db") == 0o600
    again = Served(tmp_path / "data")
    try:
        assert again.keys() == (secret_id, secret_key)
        assert secret_key not in again.stdout()
        assert "credentials.json" in again.stdout()
    finally:
        again.stop()


def test_accounts_never_see_each_others_objects(tmp_path):
    creds = tmp_path / "accounts.json"
    creds.write_text(json.dumps({"accounts": [
        {"name": "alice", "secret_id": "AKIDalice0000000000000000000000000000",
         "secret_key": "alice-key"},
        {"name": "bob", "secret_id": "AKIDbob000000000000000000000000000000",
         "secret_key": "bob-key"}]}))
    creds.chmod(0o644)
    s = Served(tmp_path / "data", f"-credentials={creds}")
    try:
        alice = s.client("AKIDalice0000000000000000000000000000", "alice-key")
        bob = s.client("AKIDbob000000000000000000000000000000", "bob-key")
        vpc = call(alice, "CreateVpc", VpcName="alice-vpc", CidrBlock="10.1.0.0/16")["Vpc"]
        cgw = call(alice, "CreateCustomerGateway", CustomerGatewayName="alice-idc",
                   IpAddress="198.51.100.1")["CustomerGateway"]
        names = [v["VpcName"] for v in call(bob, "DescribeVpcs")["VpcSet"]]
        assert "alice-vpc" not in names
        assert call(bob, "DescribeCustomerGateways")["TotalCount"] == 0
        assert sdk_error(bob.DeleteCustomerGateway, request(
            "DeleteCustomerGatewayRequest", CustomerGatewayId=cgw["CustomerGatewayId"])) \
            == "ResourceNotFound"
        assert sdk_error(bob.DeleteVpc, request("DeleteVpcRequest", VpcId=vpc["VpcId"])) \
            in ("ResourceNotFound", "InvalidVpcId.NotFound")
        assert call(alice, "DescribeCustomerGateways")["TotalCount"] == 1
        assert "account=alice" in s.stderr() and "account=bob" in s.stderr()
        assert not (tmp_path / "data" / "credentials.json").exists()
        assert (tmp_path / "data" / "accounts" / "bob" / "cloud.db").exists()
        assert "others may read it" in s.stderr()  # accounts.json was written 0644
    finally:
        s.stop()


def test_a_bad_credentials_file_is_refused_without_quoting_keys(tmp_path):
    creds = tmp_path / "accounts.json"
    creds.write_text(json.dumps({"accounts": [
        {"name": "a", "secret_id": "AKIDsame", "secret_key": "first-secret"},
        {"name": "b", "secret_id": "AKIDsame", "secret_key": "second-secret"}]}))
    proc = subprocess.run([*VPNFORM, "cloud", "serve", "-listen=127.0.0.1:0",
                           f"-data={tmp_path / 'data'}", f"-credentials={creds}"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "share a secret_id" in proc.stderr
    assert "secret" not in proc.stderr.replace("secret_id", "").replace("secret_key", "")


def test_throttling_per_account_and_action(tmp_path):
    s = Served(tmp_path / "data", "-rate-limit=1")
    try:
        c = s.client()
        codes = []
        for _ in range(10):
            try:
                call(c, "DescribeVpcs")
                codes.append("OK")
            except TencentCloudSDKException as err:
                codes.append(err.get_code())
        assert "RequestLimitExceeded" in codes and codes[0] == "OK"
        assert set(codes) == {"OK", "RequestLimitExceeded"}
        # another action has its own bucket; the bucket refills with time
        assert "TotalCount" in call(c, "DescribeCustomerGateways")
        time.sleep(1.1)
        assert "TotalCount" in call(c, "DescribeVpcs")
        assert "RequestLimitExceeded" in s.stderr()
    finally:
        s.stop()


def test_proxy_form_behind_http_proxy(tmp_path, clean_proxy_env):
    s = Served(tmp_path / "data", "-rate-limit=0")
    try:
        clean_proxy_env.setenv("HTTP_PROXY", s.url)
        for host in ("vpc.tencentcloudapi.com", "vpc.ap-guangzhou.tencentcloudapi.com"):
            c = s.client(endpoint=host, protocol="http")
            vpc = call(c, "CreateVpc", VpcName=f"proxied-{host[:6]}", CidrBlock="10.2.0.0/16")
            found = call(c, "DescribeVpcs", VpcIds=[vpc["Vpc"]["VpcId"]])
            assert found["TotalCount"] == 1
        # the client signed for cvm's host while naming vpc in its credential scope
        body = b"{}"
        headers = tc3_headers(*s.keys(), "cvm.tencentcloudapi.com", body, action="DescribeVpcs")
        _, _, doc = raw_post(s.port, headers, body, target="http://cvm.tencentcloudapi.com/")
        assert doc["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    finally:
        s.stop()


def test_connect_is_refused_with_a_reason(tmp_path):
    s = Served(tmp_path / "data")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.request("CONNECT", "vpc.tencentcloudapi.com:443")
        resp = conn.getresponse()
        assert resp.status == 405
        assert "does not tunnel HTTPS" in resp.read().decode()
        conn.close()
    finally:
        s.stop()


def test_tls_with_the_printed_certificate(tmp_path, clean_proxy_env):
    import requests
    s = Served(tmp_path / "data", "-tls")
    try:
        assert s.url.startswith("https://")
        cert = tmp_path / "data" / "tls" / "server.crt"
        assert f"REQUESTS_CA_BUNDLE={cert}" in s.stdout()
        assert mode(cert) == 0o600 and mode(tmp_path / "data" / "tls" / "server.key") == 0o600
        assert sdk_error(s.client().DescribeVpcs, request("DescribeVpcsRequest")) \
            == "ClientNetworkError"  # not trusted without it
        # the SDK passes certifi's bundle to requests itself: it takes the certificate as
        # HttpProfile(certification=...)
        c = s.client(certification=str(cert))
        made = call(c, "CreateCustomerGateway", CustomerGatewayName="over-tls",
                    IpAddress="198.51.100.3")
        assert made["CustomerGateway"]["CustomerGatewayName"] == "over-tls"
        c = s.client(endpoint=f"localhost:{s.port}", certification=str(cert))
        assert call(c, "DescribeCustomerGateways")["TotalCount"] == 1
        # a script on requests trusts it through REQUESTS_CA_BUNDLE
        clean_proxy_env.setenv("REQUESTS_CA_BUNDLE", str(cert))
        body = b"{}"
        resp = requests.post(s.url + "/", data=body, timeout=30, headers=tc3_headers(
            *s.keys(), s.endpoint, body, action="DescribeCustomerGateways"))
        assert resp.headers["Content-Type"] == "application/json"
        assert resp.json()["Response"]["TotalCount"] == 1
    finally:
        s.stop()


def test_a_lost_answer_drops_the_connection_after_the_call(tmp_path):
    from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
    s = Served(tmp_path / "data")
    try:
        c = s.client()
        call(c, "DescribeVpcs")  # the account's store exists from here
        store = SqliteStore(tmp_path / "data" / "accounts" / "default" / "cloud.db")
        try:
            EmulatedVpcService(store).inject_fault("CreateCustomerGateway", "ResponseLost")
        finally:
            store.close()
        assert sdk_error(c.CreateCustomerGateway, request(
            "CreateCustomerGatewayRequest", CustomerGatewayName="lost-answer",
            IpAddress="198.51.100.4")) == "ClientNetworkError"
        found = call(c, "DescribeCustomerGateways",
                     Filters=[{"Name": "customer-gateway-name", "Values": ["lost-answer"]}])
        assert found["TotalCount"] == 1  # carried out all the same
        assert "action=CreateCustomerGateway" in s.stderr() and "ResponseLost" in s.stderr()
    finally:
        s.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_lets_the_call_in_flight_finish(tmp_path, sig):
    s = Served(tmp_path / "data", env={"VPNFORM_EMULATOR_READ_LATENCY": "3.0"})
    got: dict = {}

    def slow_call():
        try:
            got["body"] = call(s.client(), "DescribeVpcs")
        except Exception as err:  # reported by the assertion below
            got["error"] = err

    try:
        worker = threading.Thread(target=slow_call)
        worker.start()
        time.sleep(1.5)  # the call is now sleeping inside the service (3 s)
        signalled = time.monotonic()
        assert s.stop(sig) == 0
        assert time.monotonic() - signalled > 0.5  # it waited for the call
        worker.join(10)
    finally:
        s.stop()
    assert "error" not in got, got.get("error")
    assert "TotalCount" in got["body"]
    assert "Stopped." in s.stderr()
    assert "action=DescribeVpcs" in s.stderr()


def test_help_and_a_bad_listen_address(tmp_path):
    helped = subprocess.run([*VPNFORM, "cloud", "serve", "-help"], capture_output=True,
                            text=True, timeout=30)
    assert helped.returncode == 0
    for flag in ("-listen=HOST:PORT", "-data=DIR", "-tls", "-credentials=FILE",
                 "-rate-limit=N"):
        assert flag in helped.stdout
    bad = subprocess.run([*VPNFORM, "cloud", "serve", "-listen=127.0.0.1",
                          f"-data={tmp_path / 'data'}"], capture_output=True, text=True,
                         timeout=30)
    assert bad.returncode == 1 and "HOST:PORT" in bad.stderr
