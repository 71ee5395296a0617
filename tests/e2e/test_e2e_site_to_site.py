"""examples/site-to-site end to end, as its README runs it: real charons on both ends.

lab up → apply → the first ping from the VPC subnet's host brings the tunnel up and
passes; ESP counters grow on both charons with the pings; with the IDC side's connection
unloaded the ping fails; a mismatched PSK applies but `tunnel status` says why the tunnel
does not come up; destroy and lab down leave no namespace and no process behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from cli import REPO, copy_config, run

needs_lab = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/lib/ipsec/charon"),
    reason="real tunnels need root and strongSwan's charon (scripts/system-deps.sh)")

EXAMPLE = REPO / "examples" / "site-to-site"
CONN = "tencentcloud_vpn_connection.main"
IDC = "strongswan_connection.to_cloud"


def _namespaces(prefix: str) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]


def _processes_of(workdir) -> list[str]:
    """Live (not zombie) processes whose command line or environment names ``workdir``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] == "Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read()
        except OSError:
            continue
        if "pytest" in cmd:
            continue
        if str(workdir) in cmd or str(workdir).encode() in env:
            found.append(f"{pid} {cmd}")
    return found


def _unload_conn(sock, name: str) -> None:
    """What `swanctl --load-conns` with the connection removed from its file does."""
    import socket

    import vici
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.realpath(sock))
    try:
        vici.Session(s).unload_conn({"name": name})
    finally:
        s.close()


def _status(workdir) -> dict:
    res = run(workdir, "tunnel", "status", "-json")
    assert res.code == 0, res
    return {s["address"]: s for s in json.loads(res.stdout)}


def _bytes(status: dict) -> tuple[int, int]:
    child = status["children"][0]
    return child["bytes_in"], child["bytes_out"]


@pytest.fixture
def site(tmp_path):
    workdir = copy_config(EXAMPLE, tmp_path / "site-to-site")
    up = run(workdir, "lab", "up")
    assert up.code == 0, up
    lab_id = re.search(r"^Lab (\w+) is up", up.stdout, re.M).group(1)
    yield workdir, f"vf{lab_id}-"
    run(workdir, "destroy", "-auto-approve")
    run(workdir, "lab", "down")


@needs_lab
def test_first_ping_activates_and_esp_counters_grow_on_both_ends(site):
    workdir, prefix = site
    assert run(workdir, "init").code == 0
    apply = run(workdir, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in apply.stdout
    # each provider says first what it changes: the cloud, and the IDC's charon
    assert re.search(r"^Provider strongswan: charon \S+ at unix://\S+$", apply.stdout,
                     re.MULTILINE), apply.stdout

    before = _status(workdir)
    assert before[CONN]["state"] != "ESTABLISHED"  # nothing has been sent yet

    ping = run(workdir, "tunnel", "ping", CONN, "-count=5")
    assert ping.code == 0, ping
    assert re.search(r"PING 10\.0\.1\.1 from 192\.168\.1\.10 through .*: [1-5]/5 replies",
                     ping.stdout), ping
    assert "round-trip min/avg/max" in ping.stdout

    first = _status(workdir)
    for addr in (CONN, IDC):
        assert first[addr]["state"] == "ESTABLISHED", first[addr]
        assert first[addr]["children"][0]["state"] == "INSTALLED"
        assert first[addr]["algorithms"]["encryption"].startswith("AES_CBC")
    assert run(workdir, "tunnel", "ping", CONN, "-count=5").code == 0
    second = _status(workdir)
    for addr in (CONN, IDC):
        b_in, b_out = _bytes(first[addr])
        a_in, a_out = _bytes(second[addr])
        assert a_in > b_in and a_out > b_out, (addr, first[addr], second[addr])

    # the human view says the same
    text = run(workdir, "tunnel", "status", CONN)
    assert "IKE SA:      ESTABLISHED, IKEv1" in text.stdout, text
    assert "child" in text.stdout and "INSTALLED" in text.stdout

    # take the IDC side's connection away: the tunnel can no longer carry traffic
    uri = "unix://.vpnform/lab/idc-gw/charon.vici"  # as a user types it in the directory
    res = subprocess.run(["swanctl", "--terminate", "--ike", "to-cloud", "--force", "--uri",
                          uri], cwd=workdir, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    _unload_conn(workdir / ".vpnform" / "lab" / "idc-gw" / "charon.vici", "to-cloud")
    dead = run(workdir, "tunnel", "ping", CONN, "-count=3")
    assert dead.code == 1, dead
    assert "0/3 replies" in dead.stdout

    # vpnform notices the connection is gone and puts it back
    plan = run(workdir, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert f"# {IDC} will be created" in plan.stdout

    from providers.netlab.lab import Lab
    lab = Lab(str(workdir))
    sockets = [lab.charon(n[len(prefix):]).vici_path for n in _namespaces(prefix)]
    assert any(os.path.exists(p) for p in sockets)
    destroy = run(workdir, "destroy", "-auto-approve")
    assert destroy.code == 0, destroy
    assert run(workdir, "lab", "down").code == 0
    assert _namespaces(prefix) == []
    assert _processes_of(workdir) == []
    assert [p for p in sockets if os.path.lexists(p)] == []  # no VICI socket left behind
    assert not (workdir / ".vpnform" / "lab").exists()


@needs_lab
def test_mismatched_psk_applies_and_status_says_authentication_failed(site):
    workdir, _ = site
    assert run(workdir, "apply", "-auto-approve").code == 0  # both ends agree
    main = workdir / "main.tf"
    main.write_text(main.read_text().replace(
        "  psk          = var.psk", '  psk          = "${var.psk}-not-the-same"'))
    # plan sees both ends and refuses the mismatch, without showing either key
    refused = run(workdir, "plan")
    assert refused.code == 1 and "Tunnel ends disagree" in refused.output, refused
    assert "site-to-site-demo-key" not in refused.output
    # changed on one end only (as by hand on the device): the check cannot see the cloud end
    apply = run(workdir, "apply", "-auto-approve", "-target=strongswan_connection.to_cloud")
    assert apply.code == 0, apply
    ping = run(workdir, "tunnel", "ping", CONN, "-count=2")
    assert ping.code == 1, ping
    # IKEv1 main mode with a wrong PSK fails after the initiator's retransmissions
    import time
    deadline = time.monotonic() + 30
    problem = None
    while time.monotonic() < deadline:
        problem = _status(workdir)[CONN].get("error") or ""
        if "authentication failed" in problem:
            break
        time.sleep(1)
    assert "authentication failed" in problem, problem
    assert "pre-shared key" in problem
    out = run(workdir, "tunnel", "status", CONN)
    assert "problem:     authentication failed" in out.stdout, out
    assert "site-to-site-demo-key" not in out.output


def _readme_commands() -> list[str]:
    text = (EXAMPLE / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


@needs_lab
def test_example_readme_commands_run_as_written(tmp_path):
    """The example's README, command by command, in a copy of the example."""
    import shlex

    from cli import VPNFORM, make_env
    commands = _readme_commands()
    assert commands[0] == "cd examples/site-to-site"
    workdir = copy_config(EXAMPLE, tmp_path / "examples" / "site-to-site")
    env = make_env()
    try:
        outputs = {}
        for command in commands[1:]:
            assert command.startswith("../../.venv/bin/vpnform "), command
            argv = [VPNFORM, *shlex.split(command)[1:]]
            res = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True,
                                 timeout=120)
            assert res.returncode == 0, (command, res.stdout, res.stderr)
            assert "Traceback" not in res.stdout + res.stderr
            outputs.setdefault(argv[1] + " " + (argv[2] if len(argv) > 2 else ""), []).append(
                res.stdout)
        pings = outputs["tunnel ping"]
        assert len(pings) == 2 and all("tunnel is passing traffic" in p for p in pings)
        conf = workdir / "idc-swanctl.conf"
        assert conf.exists() and (conf.stat().st_mode & 0o077) == 0
        assert "connections {" in conf.read_text()
    finally:
        subprocess.run([VPNFORM, "destroy", "-auto-approve"], cwd=workdir, env=env,
                       capture_output=True, timeout=120)
        subprocess.run([VPNFORM, "lab", "down"], cwd=workdir, env=env, capture_output=True,
                       timeout=120)
    assert _processes_of(workdir) == []
