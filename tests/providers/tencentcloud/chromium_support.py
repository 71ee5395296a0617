"""Debian's chromium, headless, driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages, NUL-terminated, on file descriptors 3 and 4),
so no debugging port is opened and no client library is needed."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

WIDTH, HEIGHT = 1280, 900
STEP_TIMEOUT = 30.0  # seconds any one protocol call or wait may take


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class ProtocolError(Exception):
    pass


class HeadlessChromium:
    """One headless browser with one page (``page_session``)."""

    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="vpnform-chromium-")
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()

        def pipes_as_3_and_4() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--no-proxy-server",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=pipes_as_3_and_4, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next_id = 0
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.page_session = self.send("Target.attachToTarget",
                                          {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page.enable", "Network.enable"):
                self.page(domain)
            self.page("Emulation.setDeviceMetricsOverride",
                      {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                       "mobile": False})
        except BaseException:
            self.close()
            raise

    def send(self, method: str, params: dict | None = None,
             session: str | None = None) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        raise ProtocolError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise ProtocolError(f"{method}: no answer in {STEP_TIMEOUT} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise ProtocolError(f"{method}: chromium exited")
            self._buffer += chunk

    def page(self, method: str, params: dict | None = None) -> dict:
        return self.send(method, params, self.page_session)

    def evaluate(self, expression: str):
        result = self.page("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise ProtocolError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str) -> None:
        """Until ``expression`` is true in a fully loaded page (bounded)."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if self.evaluate(f"document.readyState === 'complete' && ({expression})"):
                    return
            except ProtocolError:
                pass  # the page is being replaced
            time.sleep(0.1)
        raise ProtocolError(f"still not true after {STEP_TIMEOUT} s: {expression}")

    def navigate(self, url: str) -> None:
        self.page("Page.navigate", {"url": url})
        self.wait_for(f"location.href === {json.dumps(url)}")

    def dom(self) -> str:
        """The page's DOM as HTML (what ``chromium --dump-dom`` prints)."""
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.page("Page.captureScreenshot", {"format": "png"})["data"])

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except (ProtocolError, OSError):
                    pass
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)
