"""`vpnform lab`: builds a simulated IDC site of real namespaces and a real charon, and
removes every namespace and process it made."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VPNFORM = str(REPO / ".venv" / "bin" / "vpnform")

needs_lab = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/lib/ipsec/charon"),
    reason="the lab needs root and strongSwan's charon (scripts/system-deps.sh installs it)")


def vpnform(cwd, *args, user=None):
    cmd = [VPNFORM, *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)


def namespaces() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def charon_pids(under: Path) -> list[int]:
    """Live charons whose configuration lives under ``under`` (other tests' labs may run
    charons at the same time)."""
    out = subprocess.run(["pgrep", "-x", "charon"], capture_output=True, text=True).stdout
    pids = []
    for p in out.split():
        try:
            with open(f"/proc/{p}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] == "Z":
                    continue
            with open(f"/proc/{p}/environ", "rb") as fh:
                if f"STRONGSWAN_CONF={under}".encode() in fh.read():
                    pids.append(int(p))
        except OSError:
            pass
    return pids


def private_modes_under(root: Path) -> dict[str, str]:
    """Files not 0600 and directories not 0700 under ``root`` (sockets and symlinks are
    charon's own)."""
    bad = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISSOCK(st.st_mode) or stat.S_ISLNK(st.st_mode):
                continue
            want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
            if stat.S_IMODE(st.st_mode) != want:
                bad[os.path.relpath(os.path.join(dirpath, name), root)] = oct(st.st_mode)
    return bad


@pytest.fixture
def labdir(tmp_path):
    yield tmp_path
    vpnform(tmp_path, "lab", "down")


@needs_lab
def test_lab_up_status_down_leaves_nothing_behind(labdir):
    umask = os.umask(0)  # what the lab writes is private whatever the umask (issue #9)
    try:
        up = vpnform(labdir, "lab", "up", "-public-ip=203.0.113.10", "-lan=10.20.0.0/24")
    finally:
        os.umask(umask)
    assert up.returncode == 0, up.stderr
    assert private_modes_under(labdir / ".vpnform") == {}
    assert "public IP 203.0.113.10" in up.stdout
    lab_prefix = next(line.split()[1] for line in up.stdout.splitlines()
                      if line.startswith("Lab "))
    new_ns = {n for n in namespaces() if n.startswith(f"vf{lab_prefix}-")}
    assert sorted(n.split("-", 1)[1] for n in new_ns) == ["idc-gw", "idc-lan", "inet"]
    assert len(charon_pids(labdir)) == 1

    gw = next(n for n in new_ns if n.endswith("-idc-gw"))
    host = next(n for n in new_ns if n.endswith("-idc-lan"))
    # the IDC host reaches its gateway; the gateway holds the public IP
    ping = subprocess.run(["ip", "netns", "exec", host, "ping", "-c", "1", "-W", "2",
                           "10.20.0.254"], capture_output=True, text=True)
    assert ping.returncode == 0, ping.stdout
    addrs = subprocess.run(["ip", "-n", gw, "-o", "-4", "addr"], capture_output=True,
                           text=True).stdout
    assert "203.0.113.10/32" in addrs
    # nothing is linked to the machine's own namespace: no new interface appeared here
    status = vpnform(labdir, "lab", "status")
    assert status.returncode == 0 and "charon pid" in status.stdout
    vici = labdir / ".vpnform" / "lab" / "idc-gw" / "charon.vici"
    assert vici.is_socket()

    down = vpnform(labdir, "lab", "down")
    assert down.returncode == 0, down.stderr
    assert not {n for n in namespaces() if n.startswith(f"vf{lab_prefix}-")}
    assert charon_pids(labdir) == []
    assert not (labdir / ".vpnform" / "lab").exists()


@needs_lab
def test_lab_up_does_not_touch_the_machines_own_interfaces(labdir):
    before = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert vpnform(labdir, "lab", "up").returncode == 0
    after = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    names = lambda text: sorted(line.split(":")[1].strip() for line in text.splitlines())  # noqa: E731
    assert names(after) == names(before)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to run the command as an unprivileged user")
def test_lab_up_without_root_explains(tmp_path):
    os.chmod(tmp_path, 0o777)
    res = vpnform(tmp_path, "lab", "up", user=65534)
    assert res.returncode == 1
    assert "Error: Lab not available" in res.stderr
    assert "needs root" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@needs_lab
def test_fail_gateway_asks_the_provider_that_manages_the_gateway(tmp_path):
    """The lab knows namespaces and charons, not whose gateways they make: `fail-gateway`
    reaches the gateway's provider through its GatewayFailover protocol."""
    work = tmp_path / "quickstart"
    shutil.copytree(REPO / "examples" / "quickstart", work)
    env = {k: v for k, v in os.environ.items() if k != "VPNFORM_DATAPLANE"}
    env["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    res = subprocess.run([VPNFORM, "apply", "-auto-approve", "-no-color"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr

    missing = vpnform(work, "lab", "fail-gateway", "tencentcloud_vpn_gateway.nobody")
    assert missing.returncode == 1
    assert "tencentcloud_vpn_gateway.nobody is not a tencentcloud_vpn_gateway in the state" \
        in missing.stderr
    # A gateway of the emulated cloud without the strongSwan dataplane has no standby.
    res = vpnform(work, "lab", "fail-gateway", "tencentcloud_vpn_gateway.tom")
    assert res.returncode == 1
    assert "No gateway to fail" in res.stderr
    assert 'dataplane = "strongswan"' in res.stderr
    assert "Traceback" not in res.stderr
