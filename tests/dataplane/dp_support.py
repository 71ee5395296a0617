"""Helpers for the dataplane tests: stored API objects to map, running ``vpnform``, pinging
with timestamps, and finding processes a lab left behind."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
VPNFORM = str(REPO / ".venv" / "bin" / "vpnform") if (REPO / ".venv" / "bin" / "vpnform").exists() \
    else (shutil.which("vpnform") or "vpnform")
SUPERVISOR = "providers.tencentcloud.dataplane.supervisor"


def lab_support_problem() -> str | None:
    """Why the live tests cannot run here, or None."""
    from providers.netlab import NetlabError, require_lab_support
    try:
        require_lab_support()
    except NetlabError as err:
        return f"dataplane tests need the lab: {err}"
    if shutil.which("swanctl") is None:
        return "dataplane tests need swanctl (apt-get install strongswan-swanctl)"
    return None


# -- stored objects, as the emulator keeps them ---------------------------------------------

def stored_connection(**over) -> dict:
    conn = {
        "VpnConnectionId": "vpnx-tom00001", "VpnConnectionName": "TomVPNConn",
        "VpcId": "vpc-tom00001", "VpnGatewayId": "vpngw-tom00001",
        "CustomerGatewayId": "cgw-tom00001", "PreShareKey": "TomVPN-demo-key-2019",
        "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "192.168.1.0/24",
                                       "RemoteCidrBlock": ["10.0.1.0/24"]}],
        "IKEOptionsSpecification": {
            "PropoEncryAlgorithm": "3DES-CBC", "PropoAuthenAlgorithm": "MD5",
            "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
            "LocalAddress": "203.195.147.82", "RemoteAddress": "202.108.22.5",
            "LocalFqdnName": "", "RemoteFqdnName": "", "DhGroupName": "GROUP1",
            "IKESaLifetimeSeconds": 86400, "IKEVersion": "IKEV1"},
        "IPSECOptionsSpecification": {
            "EncryptAlgorithm": "3DES-CBC", "IntegrityAlgorith": "MD5",
            "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "NULL",
            "IPSECSaLifetimeTraffic": 1843200},
        "DpdEnable": 0, "DpdTimeout": "30", "DpdAction": "clear",
    }
    for key, value in over.items():
        if key in ("IKEOptionsSpecification", "IPSECOptionsSpecification"):
            conn[key] = {**conn[key], **value}
        else:
            conn[key] = value
    return conn


GATEWAY = {"VpnGatewayId": "vpngw-tom00001", "PublicIpAddress": "203.195.147.82",
           "VpcId": "vpc-tom00001"}
CUSTOMER_GATEWAY = {"CustomerGatewayId": "cgw-tom00001", "IpAddress": "202.108.22.5"}


# -- the CLI ----------------------------------------------------------------------------------

def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TF_VAR_", "TENCENTCLOUD_", "VPNFORM_", "TF_"))}
    env["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    return env


def vpnform(workdir, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    res = subprocess.run([VPNFORM, *args], cwd=str(workdir), env=clean_env(), text=True,
                         capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                         check=False)
    assert "Traceback" not in res.stdout + res.stderr, res
    return res


def quickstart_with_dataplane(dst: Path) -> Path:
    """examples/quickstart copied, its provider block extended with dataplane = "strongswan"."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in QUICKSTART.iterdir():
        if f.is_file() and f.suffix in (".tf", ".tfvars"):
            shutil.copy2(f, dst / f.name)
    main = dst / "main.tf"
    text, n = re.subn(r'(provider "tencentcloud" \{\n)', r'\1  dataplane = "strongswan"\n',
                      main.read_text())
    assert n == 1, "the quick start's provider block moved"
    main.write_text(text)
    return dst


# -- pinging ------------------------------------------------------------------------------------

def first_reply(ns_name: str, target: str, *, timeout: float = 20.0,
                interval: float = 0.05) -> float | None:
    """Ping ``target`` from namespace ``ns_name`` every ``interval`` s until the first echo
    reply; its wall-clock time (ping -D), or None after ``timeout`` s. ICMP errors (a
    gateway answering "unreachable" while a failover is under way) do not end the wait:
    ping is run without -w, which would make it quit on the first error."""
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns_name, "ping", "-n", "-D", "-i", str(interval), "-W", "1",
         "-c", str(int(timeout / interval) + 1), target],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    timer = threading.Timer(timeout, proc.terminate)
    timer.start()
    found = None
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from", line)
            if m:
                found = float(m.group(1))
                break
    finally:
        timer.cancel()
        proc.terminate()
        proc.communicate(timeout=10)
    if found is None:
        print("no echo reply; ping said:", "".join(seen[-10:]))
    return found


def ping_ok(ns_name: str, target: str, count: int = 3) -> tuple[int, str]:
    res = subprocess.run(["ip", "netns", "exec", ns_name, "ping", "-n", "-c", str(count), "-i",
                          "0.2", "-W", "1", target], capture_output=True, text=True, timeout=30,
                         check=False)
    m = re.search(r"(\d+) received", res.stdout)
    return (int(m.group(1)) if m else 0), res.stdout


# -- processes --------------------------------------------------------------------------------

def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def lab_processes(workdir: str) -> list[tuple[int, str]]:
    """Live (not zombie) charons and supervisors that belong to ``workdir``'s lab."""
    workdir = os.path.realpath(workdir)
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        stat = _read(f"/proc/{pid}/stat").decode(errors="replace")
        if not stat or stat.rsplit(")", 1)[-1].split()[0] == "Z":
            continue
        cmd = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
        if SUPERVISOR in cmd and workdir in cmd:
            out.append((pid, cmd))
        elif "charon" in cmd and workdir.encode() in _read(f"/proc/{pid}/environ"):
            out.append((pid, cmd))
    return out


def namespaces_with_prefix(prefix: str) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                         check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]
