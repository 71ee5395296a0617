"""Which cloud a provider configuration talks to: arguments, environment variables, the
endpoint URL, the refusals, and the target named at the top of plan and apply."""

from __future__ import annotations

import pytest

from engine import values as V
from providers.tencentcloud.client import CloudTransportError, InProcessTransport
from providers.tencentcloud.connection import Endpoint, parse_endpoint, resolve
from providers.tencentcloud.provider import TencentCloudProvider
from providers.tencentcloud.sdk_transport import SdkTransport

KEY_ID = "AKIDconnectiontest42"
KEY = "connection-test-secret-key"
CREDS = {"secret_id": KEY_ID, "secret_key": KEY}


def ok(config: dict, environ: dict | None = None):
    conn, d = resolve(config, environ or {})
    assert conn is not None and not d, list(d)
    return conn


def refused(config: dict, environ: dict | None = None):
    conn, d = resolve(config, environ or {})
    assert conn is None and d.has_errors
    [diag] = d.errors
    assert KEY not in diag.detail
    return diag


# --- which cloud --------------------------------------------------------------------------


def test_nothing_configured_is_the_embedded_emulator():
    conn = ok({})
    assert conn.embedded and conn.region == "ap-guangzhou"
    assert conn.describe(".vpnform/cloud.db") == "embedded emulator (.vpnform/cloud.db)"


def test_credentials_alone_reach_the_real_cloud():
    conn = ok({**CREDS, "region": "ap-hongkong"})
    assert not conn.embedded and conn.endpoint is None
    assert conn.url == "https://vpc.tencentcloudapi.com"
    assert conn.describe("x") == "the real cloud, region ap-hongkong, SecretId AKIDco…"


def test_credentials_and_region_from_the_environment():
    conn = ok({}, {"TENCENTCLOUD_SECRET_ID": KEY_ID, "TENCENTCLOUD_SECRET_KEY": KEY,
                   "TENCENTCLOUD_SECURITY_TOKEN": "tok", "TENCENTCLOUD_REGION": "ap-shanghai"})
    assert (conn.secret_id, conn.secret_key, conn.security_token, conn.region) == (
        KEY_ID, KEY, "tok", "ap-shanghai")


def test_arguments_win_over_the_environment():
    conn = ok({"secret_id": "AKIDfromconfig00", "secret_key": "k", "region": "ap-beijing"},
              {"TENCENTCLOUD_SECRET_ID": KEY_ID, "TENCENTCLOUD_SECRET_KEY": KEY,
               "TENCENTCLOUD_REGION": "ap-shanghai"})
    assert (conn.secret_id, conn.secret_key, conn.region) == ("AKIDfromconfig00", "k",
                                                              "ap-beijing")


def test_sensitive_marks_are_read_through():
    conn = ok({"secret_id": KEY_ID, "secret_key": V.Sensitive(KEY)})
    assert conn.secret_key == KEY


def test_endpoint_names_a_served_emulator():
    conn = ok({**CREDS, "endpoint": "http://127.0.0.1:8443"})
    assert conn.endpoint == Endpoint("http", "127.0.0.1:8443")
    assert conn.describe("x") == ("served emulator at http://127.0.0.1:8443, region "
                                  "ap-guangzhou, SecretId AKIDco…")
    conn = ok(CREDS, {"TENCENTCLOUD_ENDPOINT": "https://127.0.0.1:9443/"})
    assert conn.endpoint == Endpoint("https", "127.0.0.1:9443")


def test_endpoint_of_the_cloud_itself_is_named_the_real_cloud():
    conn = ok({**CREDS, "endpoint": "https://vpc.ap-guangzhou.tencentcloudapi.com"})
    assert conn.describe("x").startswith(
        "the real cloud at https://vpc.ap-guangzhou.tencentcloudapi.com, region")


def test_domain_and_protocol():
    conn = ok({**CREDS, "domain": "internal.example.com", "protocol": "HTTP"})
    assert conn.url == "http://vpc.internal.example.com"
    assert conn.describe("x").startswith("the real cloud at http://vpc.internal.example.com,")


def test_secret_id_prefix_is_short():
    conn = ok({"secret_id": "AKID1234567890abcdef", "secret_key": KEY})
    assert "AKID1234567890" not in conn.describe("x") and "AKID12…" in conn.describe("x")


# --- refusals -----------------------------------------------------------------------------


def test_endpoint_without_credentials_asks_for_them():
    d = refused({"endpoint": "http://127.0.0.1:8443"})
    assert d.summary == "Missing credentials" and d.attribute_path == ("endpoint",)
    assert "secret_id and secret_key" in d.detail and "remove the endpoint argument" in d.detail
    d = refused({}, {"TENCENTCLOUD_ENDPOINT": "http://127.0.0.1:8443"})
    assert d.attribute_path is None and "unset TENCENTCLOUD_ENDPOINT" in d.detail


def test_half_a_credential_pair_names_the_missing_half():
    d = refused({"secret_id": KEY_ID})
    assert d.summary == "Incomplete credentials" and d.attribute_path == ("secret_id",)
    assert "the secret_key is not" in d.detail
    d = refused({}, {"TENCENTCLOUD_SECRET_KEY": KEY})
    assert "the secret_id is not" in d.detail and "TENCENTCLOUD_SECRET_ID" in d.detail


def test_token_without_keys_is_refused():
    d = refused({"security_token": V.Sensitive("session-token-xyz")})
    assert d.attribute_path == ("security_token",) and "session-token-xyz" not in d.detail


@pytest.mark.parametrize("url, reason", [
    ("ftp://127.0.0.1:21", "neither http nor https"),
    ("http://127.0.0.1:8443/v2", "path"),
    ("http://127.0.0.1:99999", "port"),
    ("http://bad host:80", "not a host name"),
])
def test_bad_endpoint_says_why(url, reason):
    d = refused({**CREDS, "endpoint": url})
    assert d.attribute_path == ("endpoint",) and reason in d.detail


def test_endpoint_with_a_password_is_refused_without_echoing_it():
    d = refused({**CREDS, "endpoint": "http://user:hunter2@127.0.0.1:8443"})
    assert "hunter2" not in d.detail and "secret_id and secret_key" in d.detail


def test_endpoint_without_scheme_takes_the_protocol():
    assert parse_endpoint("127.0.0.1:8443", "http") == Endpoint("http", "127.0.0.1:8443")
    assert parse_endpoint("localhost", "https") == Endpoint("https", "localhost")


def test_protocol_and_endpoint_must_agree():
    d = refused({**CREDS, "endpoint": "https://127.0.0.1:8443", "protocol": "HTTP"})
    assert d.attribute_path == ("protocol",)
    assert refused({**CREDS, "protocol": "FTP"}).attribute_path == ("protocol",)


def test_unknown_argument_is_refused():
    d = refused({**CREDS, "endpoint": V.UNKNOWN})
    assert "known at plan time" in d.detail and d.attribute_path == ("endpoint",)


# --- the provider on top ------------------------------------------------------------------


def test_provider_without_credentials_uses_the_embedded_emulator(tmp_path):
    p = TencentCloudProvider(str(tmp_path))
    try:
        assert not p.configure({"region": "ap-shanghai"})
        assert isinstance(p.cloud_context().client.transport, InProcessTransport)
        assert p.target() == "embedded emulator (.vpnform/cloud.db)"
        assert (tmp_path / ".vpnform" / "cloud.db").exists()
    finally:
        p.close()


def test_provider_with_endpoint_talks_http_with_the_public_retry_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_READ_RETRY_TIMEOUT", "1")
    p = TencentCloudProvider(str(tmp_path))
    try:
        assert not p.configure({**CREDS, "endpoint": "http://127.0.0.1:8443"})
        client = p.cloud_context().client
        assert isinstance(client.transport, SdkTransport)
        assert client.retry.read_budget == 60 and client.retry.write_budget == 300
        assert p.target().startswith("served emulator at http://127.0.0.1:8443")
        assert p.service is None
        assert not (tmp_path / ".vpnform" / "cloud.db").exists()  # no emulator opened
    finally:
        p.close()


def test_provider_refuses_a_bad_retry_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_WRITE_RETRY_TIMEOUT", "soon")
    p = TencentCloudProvider(str(tmp_path))
    d = p.configure(CREDS)
    assert d.has_errors and "TENCENTCLOUD_WRITE_RETRY_TIMEOUT" in d.errors[0].detail


def test_strongswan_dataplane_only_with_the_embedded_emulator(tmp_path):
    p = TencentCloudProvider(str(tmp_path))
    d = p.configure({**CREDS, "dataplane": "strongswan"})
    assert d.has_errors and d.errors[0].attribute_path == ("dataplane",)
    assert "the real cloud, region ap-guangzhou" in d.errors[0].detail


def test_provider_over_http_reports_an_unreachable_cloud(tmp_path, monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_READ_RETRY_TIMEOUT", "0")
    p = TencentCloudProvider(str(tmp_path))
    assert not p.configure({**CREDS, "endpoint": "http://127.0.0.1:1"})
    with pytest.raises(CloudTransportError) as e:
        p.cloud_context().client.call("DescribeVpcs")
    assert "refused the connection" in str(e.value) and KEY not in str(e.value)


def test_target_names_the_proxy_the_calls_go_through(tmp_path, monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:8443")
    p = TencentCloudProvider(str(tmp_path))
    try:
        assert not p.configure({**CREDS, "protocol": "HTTP"})
        assert p.target() == ("the real cloud at http://vpc.tencentcloudapi.com, region "
                              "ap-guangzhou, SecretId AKIDco…, through the proxy "
                              "http://127.0.0.1:8443")
    finally:
        p.close()
