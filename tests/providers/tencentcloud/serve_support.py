"""A served emulated cloud for the tests: ``vpnform cloud serve`` started as a subprocess
(port 0), and official SDK clients pointed at it (a unique module name, imported by path)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vpc.v20170312 import models, vpc_client

REPO = Path(__file__).resolve().parents[3]
_BIN = REPO / ".venv" / "bin" / "vpnform"
VPNFORM = [str(_BIN)] if _BIN.exists() else [sys.executable, "-m", "engine.cli.main"]
REGION = "ap-guangzhou"
START_TIMEOUT = 20.0


class Served:
    """One ``vpnform cloud serve`` process; ``url``, ``endpoint`` (host:port) and the
    default account's keys once started."""

    def __init__(self, data: Path, *args: str, env: dict | None = None):
        self.data = Path(data)
        self.data.mkdir(parents=True, exist_ok=True)
        self.out_path = self.data.parent / f"{self.data.name}.stdout"
        self.err_path = self.data.parent / f"{self.data.name}.stderr"
        full_env = {**os.environ, "VPNFORM_EMULATOR_DELAY_SCALE": "0", **(env or {})}
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            full_env.pop(var, None)
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [*VPNFORM, "cloud", "serve", "-listen=127.0.0.1:0", f"-data={self.data}", *args],
                stdout=out, stderr=err, env=full_env, cwd=str(self.data.parent))
        self.url = self._wait_for_url()
        self.endpoint = self.url.split("://", 1)[1]
        self.port = int(self.endpoint.rsplit(":", 1)[1])

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            first = self.stdout().split("\n", 1)
            if len(first) == 2:
                match = re.search(r"(https?://\S+)", first[0])
                assert match, f"first line names no URL: {first[0]!r}"
                return match.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"cloud serve exited {self.proc.returncode}: "
                                     f"{self.stderr()}")
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"cloud serve printed no URL in {START_TIMEOUT}s")

    def stdout(self) -> str:
        return self.out_path.read_text()

    def stderr(self) -> str:
        return self.err_path.read_text()

    def keys(self, name: str = "default") -> tuple[str, str]:
        doc = json.loads((self.data / "credentials.json").read_text())
        account = next(a for a in doc["accounts"] if a["name"] == name)
        return account["secret_id"], account["secret_key"]

    def client(self, secret_id: str | None = None, secret_key: str | None = None, *,
               region: str = REGION, method: str = "POST", token: str | None = None,
               endpoint: str | None = None, protocol: str | None = None,
               certification: str | None = None, sign_method: str | None = None,
               unsigned_payload: bool = False) -> vpc_client.VpcClient:
        if secret_id is None:
            secret_id, secret_key = self.keys()
        hp = HttpProfile(endpoint=endpoint or self.endpoint, reqMethod=method,
                         protocol=protocol or self.url.split("://")[0], reqTimeout=30,
                         certification=certification)
        profile = ClientProfile(httpProfile=hp, signMethod=sign_method)
        profile.unsignedPayload = unsigned_payload
        return vpc_client.VpcClient(credential.Credential(secret_id, secret_key, token), region,
                                    profile)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def request(name: str, **params) -> object:
    """An SDK request model ``name`` (e.g. ``CreateVpcRequest``) holding ``params``."""
    req = getattr(models, name)()
    req.from_json_string(json.dumps(params))
    return req


def call(client: vpc_client.VpcClient, action: str, **params) -> dict:
    """``client.<action>(params)`` through the SDK, as the response's JSON document."""
    resp = getattr(client, action)(request(f"{action}Request", **params))
    return json.loads(resp.to_json_string())


# --- raw requests, signed here independently of the server's code -------------------------------

def tc3_headers(secret_id: str, secret_key: str, host: str, body: bytes, *, action: str,
                timestamp: int | None = None, service: str = "vpc",
                version: str = "2017-03-12", region: str = REGION) -> dict:
    """The headers the SDK sends for a POST JSON ``body``, signed with TC3-HMAC-SHA256."""
    import hashlib
    import hmac
    from datetime import datetime, timezone
    ts = int(time.time()) if timestamp is None else timestamp
    date = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:application/json\nhost:{host}\n",
                           "content-type;host", hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), f"{date}/{service}/tc3_request",
                         hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()
    k = mac(mac(mac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Host": host, "X-TC-Action": action,
            "X-TC-Timestamp": str(ts), "X-TC-Version": version, "X-TC-Region": region,
            "Authorization": f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/{service}/"
                             f"tc3_request, SignedHeaders=content-type;host, Signature={sig}"}


def raw_post(port: int, headers: dict, body: bytes, target: str = "/") -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of one POST to 127.0.0.1:``port``."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", target, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), json.loads(data)
    finally:
        conn.close()
