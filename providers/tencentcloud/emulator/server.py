"""The served cloud over HTTP(S): a threading HTTP/1.1 server in front of a CloudGateway.

Every answer is HTTP 200 with ``Content-Type: application/json`` exactly (the SDK reads an
error envelope only then). Requests in proxy form (``POST http://vpc.tencentcloudapi.com/``,
as a client behind ``HTTP_PROXY`` sends them) are answered like direct ones; ``CONNECT`` is
refused, since HTTPS cannot be tunnelled to a cloud that is served right here. One log line
per call goes to the log stream; it never holds a secret or a parameter.

``/console/`` on the same listener is the read-only web console (console/), for browsers.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO

from .console import MAX_FORM, ConsoleApp, Reply, is_console
from .gateway import MAX_BODY, CloudGateway, Outcome

IDLE_TIMEOUT = 120.0  # seconds a kept-alive connection may wait for its next request
DRAIN_TIMEOUT = 30.0  # seconds shutdown waits for the calls in flight


def _field(text: str) -> str:
    """A client-supplied header as one short log token: no spaces or control characters."""
    cleaned = "".join(c if c.isprintable() and not c.isspace() else "?" for c in text[:64])
    return cleaned or "-"


class RequestLog:
    """``<time> account=<name> region=<r> action=<A> <ms>ms <code|OK>``, one line per call."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._lock = threading.Lock()

    def record(self, outcome: Outcome, seconds: float) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = (f"{stamp} account={outcome.account} region={_field(outcome.region)} "
                f"action={_field(outcome.action)} {seconds * 1000:.1f}ms "
                f"{_field(outcome.code or 'OK')}\n")
        self._write(line)

    def record_page(self, account: str, method: str, path: str, status: int,
                    seconds: float) -> None:
        """``<time> account=<name> console <METHOD> <path> <ms>ms <status>``: the path
        without its query, so no form or parameter reaches the log."""
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self._write(f"{stamp} account={account} console {_field(method)} {_field(path)} "
                    f"{seconds * 1000:.1f}ms {status}\n")

    def _write(self, line: str) -> None:
        with self._lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (OSError, ValueError):
                pass  # a closed log must not fail a call


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vpnform-cloud"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: "CloudServer"

    def do_POST(self) -> None:
        self._console_page() if is_console(self.path) else self._api_call()

    def do_GET(self) -> None:
        self._console_page() if is_console(self.path) else self._api_call()

    def do_CONNECT(self) -> None:
        self._plain(405, "vpnform cloud serve does not tunnel HTTPS (CONNECT). Point the "
                         "client's HTTP_PROXY at it with protocol HTTP, or call it directly "
                         "(-tls serves HTTPS).\n")

    def _plain(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _api_call(self) -> None:
        started = time.perf_counter()
        if not self.server.begin_call():
            self._plain(503, "vpnform cloud serve is shutting down.\n")
            return
        try:
            outcome = self._outcome()
            if outcome.lost:
                self.close_connection = True  # answered by a dropped connection
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            else:
                self._send_json(outcome.body or {})
            self.server.log.record(outcome, time.perf_counter() - started)
        finally:
            self.server.end_call()
            if self.server.stopping:
                self.close_connection = True

    def _console_page(self) -> None:
        started = time.perf_counter()
        if not self.server.begin_call():
            self._plain(503, "vpnform cloud serve is shutting down.\n")
            return
        try:
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_FORM:
                self._plain(413, f"A console form is at most {MAX_FORM} bytes.\n")
                return
            body = self.rfile.read(length) if length else b""
            reply = self.server.console.answer(self.command, self.path, headers, body,
                                               client=str(self.client_address[0]))
            self._send_reply(reply)
            self.server.log.record_page(reply.account, self.command,
                                        self.path.split("?", 1)[0], reply.status,
                                        time.perf_counter() - started)
        finally:
            self.server.end_call()
            if self.server.stopping:
                self.close_connection = True

    def _send_reply(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection or self.server.stopping:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)

    def _outcome(self) -> Outcome:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self.server.gateway.refusal(
                headers, "RequestSizeLimitExceeded" if length > 0 else "InvalidRequest",
                f"The request body must be at most {MAX_BODY} bytes, with a valid "
                "Content-Length.")
        body = self.rfile.read(length) if length else b""
        return self.server.gateway.answer(self.command, self.path, headers, body)

    def _send_json(self, document: dict) -> None:
        data = json.dumps(document).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection or self.server.stopping:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass  # the request log (RequestLog) records calls; no access log with paths


class CloudServer(ThreadingHTTPServer):
    """The HTTP(S) server of one CloudGateway. ``stop()`` (from any thread but the one in
    ``serve_forever``) stops taking requests, lets the calls in flight finish, and closes
    the gateway's stores."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], gateway: CloudGateway, *,
                 tls: ssl.SSLContext | None = None, log: TextIO = sys.stderr,
                 console: ConsoleApp | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        if tls is not None:
            # the handshake happens in the connection's thread, on its first read
            self.socket = tls.wrap_socket(self.socket, server_side=True,
                                          do_handshake_on_connect=False)
        self.tls = tls is not None
        self.gateway = gateway
        self.console = console or ConsoleApp(gateway, gateway.accounts(), secure=self.tls)
        self.log = RequestLog(log)
        self.stopping = False
        self._in_flight = 0
        self._idle = threading.Condition()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def begin_call(self) -> bool:
        with self._idle:
            if self.stopping:
                return False
            self._in_flight += 1
            return True

    def end_call(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, socket.timeout)):
            return  # a client that went away or failed its handshake
        super().handle_error(request, client_address)

    def stop(self, drain_timeout: float = DRAIN_TIMEOUT) -> bool:
        """Stop; whether every call in flight finished within ``drain_timeout``."""
        with self._idle:
            self.stopping = True
        self.shutdown()
        deadline = time.monotonic() + drain_timeout
        with self._idle:
            while self._in_flight and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            drained = self._in_flight == 0
        self.server_close()
        self.gateway.close()
        return drained
