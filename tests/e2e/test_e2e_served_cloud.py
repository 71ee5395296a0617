"""The same configuration plans and applies with the same result against the embedded
emulator and a served one (`vpnform cloud serve`, reached through the official SDK's HTTP
transport): the quickstart and examples/multi-site, both ways, states compared ids aside."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess

import pytest
from cli import QUICKSTART, REPO, VPNFORM, copy_config, make_env, run

MULTISITE = REPO / "examples" / "multi-site"
# Cloud-assigned values: ids, addresses, times. Compared by shape, not value.
_ASSIGNED = re.compile(r"^(vpc|subnet|rtb|rti|vpngw|cgw|vpnx|vpnr)-[a-z0-9]{8}$|^\d+\.rtb-[a-z0-9]{8}$"
                       r"|^vpngw-[a-z0-9]{8}#.+$|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture
def served(tmp_path):
    """A served emulator on a free loopback port: (endpoint URL, secret_id, secret_key)."""
    data = tmp_path / "served-data"
    proc = subprocess.Popen([VPNFORM, "cloud", "serve", "-listen=127.0.0.1:0", f"-data={data}"],
                            cwd=str(tmp_path), env=make_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)", first)
        assert m, first
        creds = json.loads((data / "credentials.json").read_text())["accounts"][0]
        yield m.group(1), creds["secret_id"], creds["secret_key"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _normalise(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _normalise(v, k) for k, v in value.items()}
    if key.endswith("_id") and isinstance(value, int):  # a number the cloud counts out
        return "<assigned>"
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and _ASSIGNED.search(value):
        return "<assigned>"
    return value


def _state(workdir) -> dict:
    res = run(workdir, "show", "-json")
    assert res.code == 0, res
    values = json.loads(res.stdout)["values"]
    out = {}

    def walk(module):
        for r in module.get("resources", []):
            vals = dict(r["values"])
            vals.pop("public_ip_address", None)  # drawn from a pool per store
            out[r["address"]] = _normalise(vals)
        for child in module.get("child_modules", []):
            walk(child)
    walk(values["root_module"])
    return out


@pytest.mark.parametrize("example", [QUICKSTART, MULTISITE], ids=["quickstart", "multi-site"])
def test_same_result_embedded_and_served(example, tmp_path, served):
    url, sid, skey = served
    embedded = copy_config(example, tmp_path / "embedded")
    remote = copy_config(example, tmp_path / "served")
    env = {"TENCENTCLOUD_ENDPOINT": url, "TENCENTCLOUD_SECRET_ID": sid,
           "TENCENTCLOUD_SECRET_KEY": skey}
    for wd, e in ((embedded, None), (remote, env)):
        if (example / "modules").is_dir():
            shutil.copytree(example / "modules", wd / "modules")
        assert run(wd, "init", env=e).code == 0
        res = run(wd, "apply", "-auto-approve", env=e, timeout=180)
        assert res.code == 0, res
        again = run(wd, "plan", "-detailed-exitcode", env=e, timeout=120)
        assert again.code == 0, again
    # the served run really went over HTTP, and said so
    assert f"served emulator at {url}" in res.stdout, res
    assert not (remote / ".vpnform" / "cloud.db").exists()
    embedded_state, served_state = _state(embedded), _state(remote)
    assert sorted(embedded_state) == sorted(served_state)
    for addr, values in embedded_state.items():
        assert values == served_state[addr], addr
