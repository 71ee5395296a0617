"""A tiny HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it: the
receiving end of alarm callbacks. Used as a context manager; ``wait(n)`` waits (bounded)
until ``n`` bodies have arrived."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HookReceiver:
    def __init__(self, path: str = "/hooks/tencent-monitor"):
        self.path = path
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with outer._cond:
                    outer.bodies.append(body)
                    outer.paths.append(self.path)
                    outer._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def wait(self, n: int, timeout: float = 30.0) -> list[dict]:
        """The bodies once ``n`` have arrived (or all there are after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.bodies) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.bodies)
