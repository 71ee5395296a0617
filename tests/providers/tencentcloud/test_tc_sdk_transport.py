"""The HTTP transport through the official SDK, against a local HTTP server that answers
with canned responses: what the SDK sends, and how each outcome reaches the client seam
(an answer, a cloud error code, or no answer)."""

from __future__ import annotations

import json
import datetime
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tc_support import REGION

from providers.tencentcloud.client import (
    CloudApiError,
    CloudTransportError,
    CloudUnreachable,
    RetryPolicy,
    VpcClient,
)
from providers.tencentcloud.connection import Endpoint
from providers.tencentcloud.sdk_transport import SdkTransport, credential

SECRET_ID = "AKIDtransporttest0001"
SECRET_KEY = "transport-test-secret-key-9f3a"
TOKEN = "transport-test-session-token-77"


class Canned:
    """One answer: HTTP status, Content-Type, body, and a delay before answering."""

    def __init__(self, body, status=200, content_type="application/json", delay=0.0):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status, self.content_type, self.delay = status, content_type, delay


def ok(**fields):
    return Canned({"Response": {**fields, "RequestId": "req-ok"}})


def cloud_error(code, message="it failed"):
    return Canned({"Response": {"Error": {"Code": code, "Message": message},
                                "RequestId": "req-err"}})


class Server:
    def __init__(self, tls: ssl.SSLContext | None = None):
        self.scheme = "https" if tls else "http"
        self.answers: list[Canned] = []
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's spelling
                length = int(self.headers.get("Content-Length") or 0)
                server.requests.append({"headers": {k.lower(): v for k, v in
                                                    self.headers.items()},
                                        "path": self.path, "body": self.rfile.read(length)})
                answer = server.answers.pop(0) if server.answers else ok()
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.scheme, f"127.0.0.1:{self.httpd.server_address[1]}")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def transport(endpoint: Endpoint, timeout: float = 5) -> SdkTransport:
    return SdkTransport(credential(SECRET_ID, SECRET_KEY, TOKEN), endpoint=endpoint,
                        timeout=timeout)


def client(t: SdkTransport, attempts: int = 3) -> VpcClient:
    return VpcClient(t, REGION, retry=RetryPolicy(attempts=attempts, base_delay=0.001),
                     sleep=lambda s: None)


def no_secret(text: str) -> None:
    assert SECRET_KEY not in text and TOKEN not in text


def test_success_returns_the_response_body_and_sends_a_signed_request(server):
    server.answers.append(ok(TotalCount=1, VpcSet=[{"VpcId": "vpc-12345678"}]))
    body = client(transport(server.endpoint)).call("DescribeVpcs", Limit=5)
    assert body == {"TotalCount": 1, "VpcSet": [{"VpcId": "vpc-12345678"}],
                    "RequestId": "req-ok"}
    [req] = server.requests
    h = req["headers"]
    assert json.loads(req["body"]) == {"Limit": 5}
    assert (h["x-tc-action"], h["x-tc-version"], h["x-tc-region"]) == (
        "DescribeVpcs", "2017-03-12", REGION)
    assert h["host"] == server.endpoint.host  # with the port: the signed Host
    assert h["authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SECRET_ID}/")
    assert "/vpc/tc3_request" in h["authorization"]
    assert h["x-tc-token"] == TOKEN
    assert h["x-tc-language"] == "en-US"
    assert SECRET_KEY not in json.dumps(h)  # only its signature goes over the wire


def test_tag_action_goes_to_the_tag_service(server):
    client(transport(server.endpoint)).call("ModifyResourceTags", Resource="qcs::vpc:x")
    h = server.requests[0]["headers"]
    assert (h["x-tc-action"], h["x-tc-version"]) == ("ModifyResourceTags", "2018-08-13")
    assert "/tag/tc3_request" in h["authorization"]


def test_cloud_error_code_becomes_an_api_error(server):
    server.answers.append(cloud_error("InvalidParameterValue.Malformed", "bad CIDR"))
    with pytest.raises(CloudApiError) as e:
        client(transport(server.endpoint)).call("CreateVpc", VpcName="v")
    assert (e.value.code, e.value.message, e.value.request_id) == (
        "InvalidParameterValue.Malformed", "bad CIDR", "req-err")
    assert len(server.requests) == 1  # not a retryable code


def test_retryable_cloud_code_is_retried_by_the_client(server):
    server.answers += [cloud_error("RequestLimitExceeded"), ok(VpcId="vpc-1")]
    body = client(transport(server.endpoint)).call("CreateVpc", VpcName="v")
    assert body["VpcId"] == "vpc-1" and len(server.requests) == 2


def test_error_envelope_with_a_charset_is_still_an_error(server):
    # The SDK reads such an envelope as a success; the seam must not.
    server.answers.append(Canned(cloud_error("ResourceNotFound").body,
                                 content_type="application/json; charset=utf-8"))
    with pytest.raises(CloudApiError) as e:
        client(transport(server.endpoint)).call("DescribeVpcs")
    assert e.value.code == "ResourceNotFound" and e.value.is_not_found


def test_non_200_is_a_transport_error(server):
    server.answers.append(Canned(b"<html>502 Bad Gateway</html>", status=502,
                                 content_type="text/html"))
    with pytest.raises(CloudTransportError) as e:
        client(transport(server.endpoint), attempts=1).call("DescribeVpcs")
    assert "other than 200" in str(e.value) and "502 Bad Gateway" in str(e.value)
    no_secret(str(e.value))


def test_non_200_is_retried_for_reads(server):
    server.answers += [Canned(b"busy", status=503, content_type="text/plain"),
                       ok(TotalCount=0, VpcSet=[])]
    assert client(transport(server.endpoint)).call("DescribeVpcs")["TotalCount"] == 0


def test_an_answer_that_is_not_the_api_is_a_transport_error(server):
    server.answers.append(Canned(b"hello", content_type="text/plain"))
    with pytest.raises(CloudTransportError) as e:
        client(transport(server.endpoint), attempts=1).call("DescribeVpcs")
    assert "not a Tencent Cloud API response" in str(e.value)
    server.answers.append(Canned({"Something": 1}))
    with pytest.raises(CloudTransportError):
        client(transport(server.endpoint), attempts=1).call("DescribeVpcs")


def test_timeout_is_a_transport_error(server):
    server.answers.append(Canned(ok().body, delay=1.5))
    started = time.monotonic()
    with pytest.raises(CloudTransportError) as e:
        client(transport(server.endpoint, timeout=0.3), attempts=1).call("DescribeVpcs")
    assert time.monotonic() - started < 1.4
    assert "within 0.3 s" in str(e.value)


def test_connection_refused_is_a_transport_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = transport(Endpoint("http", f"127.0.0.1:{port}"))
    with pytest.raises(CloudTransportError) as e:
        client(t, attempts=1).call("CreateVpc", VpcName="v")
    assert "refused the connection" in str(e.value)
    assert f"http://127.0.0.1:{port}" in str(e.value)
    no_secret(str(e.value))


def test_a_create_is_not_sent_again_after_no_answer(server):
    server.answers.append(Canned(b"oops", status=500, content_type="text/plain"))
    with pytest.raises(CloudTransportError):
        client(transport(server.endpoint)).call("CreateVpc", VpcName="v")
    assert len(server.requests) == 1


def test_without_endpoint_calls_go_to_the_service_domain():
    t = SdkTransport(credential(SECRET_ID, SECRET_KEY, None), domain="example.internal",
                     scheme="http")
    assert t.url_for("DescribeVpcs") == "http://vpc.example.internal"
    assert t.url_for("ModifyResourceTags") == "http://tag.example.internal"
    assert SdkTransport(credential(SECRET_ID, SECRET_KEY, None)).url_for(
        "CreateVpc") == "https://vpc.tencentcloudapi.com"


def test_credential_refused_by_the_sdk_names_no_secret():
    with pytest.raises(ValueError) as e:
        credential(SECRET_ID, " " + SECRET_KEY, None)
    assert "spaces" in str(e.value)
    no_secret(str(e.value))


# --- the ways to a served emulator: TLS with its own certificate, and a proxy --------------


def self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as files: (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_server(tmp_path):
    cert, key = self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s = Server(tls=ctx)
    s.cert = cert
    yield s
    s.close()


def test_https_endpoint_is_trusted_through_requests_ca_bundle(tls_server, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_server.cert)
    tls_server.answers.append(ok(TotalCount=0, VpcSet=[]))
    assert client(transport(tls_server.endpoint)).call("DescribeVpcs")["TotalCount"] == 0


def test_https_endpoint_with_an_unknown_certificate_is_refused(tls_server, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(CloudTransportError) as e:
        client(transport(tls_server.endpoint), attempts=1).call("DescribeVpcs")
    assert "certificate" in str(e.value).lower()
    assert tls_server.requests == []


def test_http_protocol_goes_through_http_proxy_as_terraform_does(server, monkeypatch):
    # protocol = "HTTP" and no endpoint: http://vpc.tencentcloudapi.com/ through the proxy
    proxy = f"http://127.0.0.1:{server.httpd.server_address[1]}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    t = SdkTransport(credential(SECRET_ID, SECRET_KEY, None), scheme="http")
    server.answers.append(ok(TotalCount=0, VpcSet=[]))
    assert client(t).call("DescribeVpcs")["TotalCount"] == 0
    [req] = server.requests
    assert req["path"] == "http://vpc.tencentcloudapi.com/"  # proxy form: absolute URI
    assert req["headers"]["host"] == "vpc.tencentcloudapi.com"
    assert t.proxy_for("DescribeVpcs") == proxy
    monkeypatch.setenv("HTTP_PROXY", "http://user:pw@127.0.0.1:3128")
    assert t.proxy_for("DescribeVpcs") == "http://127.0.0.1:3128"
    monkeypatch.setenv("NO_PROXY", "vpc.tencentcloudapi.com")
    assert t.proxy_for("DescribeVpcs") is None


def test_an_endpoint_that_refuses_fails_within_seconds_not_the_retry_budget():
    """The public provider's budget (3 minutes for a read) is for a cloud that answers badly;
    an endpoint nobody listens on (a mistyped port, a stopped server) is reported after
    about ten seconds of tries, and since nothing was sent, even a create is tried again."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    for action in ("DescribeVpcs", "CreateVpc"):
        clock[0], slept[:] = 0.0, []
        c = VpcClient(transport(Endpoint("http", f"127.0.0.1:{port}")), REGION,
                      retry=RetryPolicy.public_provider({}), sleep=sleep,
                      clock=lambda: clock[0])
        with pytest.raises(CloudUnreachable) as e:
            c.call(action)
        assert "refused the connection" in str(e.value)
        assert len(slept) >= 3, action  # tried again: nothing had been sent
        assert sum(slept) <= 10.0, action
