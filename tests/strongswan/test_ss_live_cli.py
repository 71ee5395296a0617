"""The strongSwan provider through the real ``vpnform`` executable: plan-time diagnostics at
file:line, apply, no drift, re-creation after an unload behind vpnform's back, destroy —
and the pre-shared key never printed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ss_lab import CHARON_POPEN_WARNING

from providers.swankit.vici import decode

pytestmark = CHARON_POPEN_WARNING

REPO = Path(__file__).resolve().parents[2]
_BIN = REPO / ".venv" / "bin" / "vpnform"
VPNFORM = [str(_BIN)] if _BIN.exists() else [sys.executable, "-m", "engine.cli.main"]
PSK = "cli-test-psk-5f2a9c"

CONFIG = """
variable "psk" {
  type      = string
  sensitive = true
}

provider "strongswan" {
  vici_socket = "SOCKET"
}

resource "strongswan_connection" "to_b" {
  name         = "cli-to-b"
  ike_version  = 1
  local_addrs  = ["198.18.0.10"]
  remote_addrs = ["202.108.22.5"]
  proposals    = ["aes128-sha1-modp1024"]
  psk          = var.psk

  child {
    name          = "net"
    local_ts      = ["10.10.0.0/24"]
    remote_ts     = ["10.20.0.0/24"]
    esp_proposals = [ESP]
  }
}

data "strongswan_sas" "to_b" {
  connection = strongswan_connection.to_b.name
}

output "tunnel_state" {
  value = data.strongswan_sas.to_b.sas[0].state
}
"""


def vpnform(workdir, *args):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TF_VAR_", "VPNFORM_", "TENCENTCLOUD_"))}
    env["TF_VAR_psk"] = PSK
    argv = [*VPNFORM, args[0], *(["-no-color"] if args[0] != "init" else []), *args[1:]]
    res = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True,
                         timeout=120)
    assert PSK not in res.stdout + res.stderr
    return res


def test_plan_apply_drift_destroy(sites):
    workdir = sites.workdir
    main = workdir / "main.tf"
    config = CONFIG.replace("SOCKET", sites.socket_uri("gwa", relative=True))
    assert "unix://.vpnform/" in config  # relative to the working directory
    main.write_text(config.replace("ESP", '"aes128gcm16"'))
    assert vpnform(workdir, "init").returncode == 0

    res = vpnform(workdir, "plan")
    assert res.returncode == 1
    assert "Error: Unsupported algorithm" in res.stdout + res.stderr
    assert "main.tf:" in res.stdout + res.stderr
    assert "gcm plugin is not available here" in res.stdout + res.stderr

    main.write_text(config.replace("ESP", '"aes128-sha1"'))
    res = vpnform(workdir, "apply", "-auto-approve")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "psk          = (sensitive value)" in res.stdout
    res = vpnform(workdir, "plan", "-detailed-exitcode")
    assert res.returncode == 0, res.stdout + res.stderr
    res = vpnform(workdir, "output", "-raw", "tunnel_state")
    assert res.stdout.strip() == "DOWN", res.stdout + res.stderr  # loaded, not initiated

    with sites.charon("gwa").session() as s:
        s.unload_conn({"name": "cli-to-b"})
    res = vpnform(workdir, "plan", "-detailed-exitcode")
    assert res.returncode == 2 and "will be created" in res.stdout, res.stdout + res.stderr
    assert vpnform(workdir, "apply", "-auto-approve").returncode == 0
    with sites.charon("gwa").session() as s:
        assert "cli-to-b" in decode(s.get_conns())["conns"]

    res = vpnform(workdir, "destroy", "-auto-approve")
    assert res.returncode == 0, res.stdout + res.stderr
    with sites.charon("gwa").session() as s:
        assert "cli-to-b" not in decode(s.get_conns()).get("conns", [])
        assert "vpnform-psk-cli-to-b" not in decode(s.get_shared()).get("keys", [])


@pytest.mark.parametrize("socket,needle", [
    ("unix://.vpnform/lab/nowhere/charon.vici", "vpnform lab up"),
    ("tcp://127.0.0.1:4502", "not a VICI socket URI"),
])
def test_provider_configuration_errors(tmp_path, socket, needle):
    (tmp_path / "main.tf").write_text(f'provider "strongswan" {{\n  vici_socket = "{socket}"\n}}\n'
                                      'data "strongswan_sas" "all" {}\n')
    assert vpnform(tmp_path, "init").returncode == 0
    res = vpnform(tmp_path, "plan")
    assert res.returncode == 1 and needle in res.stdout + res.stderr, res.stdout + res.stderr
