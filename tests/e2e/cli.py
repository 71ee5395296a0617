"""Helpers for the end-to-end tests: run the real ``vpnform`` executable, read what it printed,
and look into the embedded emulated cloud of a working directory.

Every run is a subprocess of the installed console script, in a clean environment (no
``TF_VAR_*``, no ``TENCENTCLOUD_*``, no ``VPNFORM_*`` leaking in from the developer's shell),
with ``VPNFORM_EMULATOR_DELAY_SCALE=0`` unless the caller says otherwise, and with
``-no-color`` added after the verb.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"
_VENV_BIN = REPO / ".venv" / "bin"
VPNFORM = str(_VENV_BIN / "vpnform") if (_VENV_BIN / "vpnform").exists() else (
    shutil.which("vpnform") or "vpnform")
PYTHON = str(_VENV_BIN / "python") if (_VENV_BIN / "python").exists() else sys.executable

DELAY_ENV = "VPNFORM_EMULATOR_DELAY_SCALE"
REGION = "ap-guangzhou"

# The seven resources of examples/quickstart.
QUICKSTART_ADDRESSES = sorted([
    "tencentcloud_route_table.tom",
    "tencentcloud_route_table_entry.to_idc",
    "tencentcloud_subnet.a",
    "tencentcloud_vpc.tom",
    "tencentcloud_vpn_connection.tom",
    "tencentcloud_vpn_customer_gateway.idc",
    "tencentcloud_vpn_gateway.tom",
])

# Verbs whose flag tables accept -no-color (``version`` takes no flags).
_NO_COLOR_VERBS = {"init", "validate", "plan", "apply", "destroy", "show", "output", "graph",
                   "import",
                   "force-unlock"}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    args: list = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:  # shown by pytest when an assertion on a Result fails
        return (f"$ vpnform {' '.join(self.args)}\n[exit {self.code}]\n--- stdout ---\n"
                f"{self.stdout}\n--- stderr ---\n{self.stderr}")

    __repr__ = __str__


def _with_no_color(args: tuple) -> list[str]:
    argv = list(args)
    if not argv:
        return argv
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # global options
        i += 1
    if i >= len(argv):
        return argv
    verb = argv[i]
    if verb == "state" and i + 1 < len(argv) and argv[i + 1] in ("list", "show", "mv", "rm", "push"):
        return argv[:i + 2] + ["-no-color"] + argv[i + 2:]
    if verb in _NO_COLOR_VERBS:
        return argv[:i + 1] + ["-no-color"] + argv[i + 1:]
    return argv


def make_env(env: dict | None = None, *, fast: bool = True) -> dict:
    """A clean environment for vpnform. ``env`` values of None remove a variable."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TF_VAR_", "TENCENTCLOUD_", "VPNFORM_", "TF_"))
            and k not in ("NO_COLOR", "PYTHONWARNINGS")}
    if fast:
        base[DELAY_ENV] = "0"
    for k, v in (env or {}).items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    return base


def run(workdir, *args: str, input: str | None = None, env: dict | None = None,
        timeout: float = 60, fast: bool = True, no_color: bool = True) -> Result:
    """Run ``vpnform ARGS`` in ``workdir``; stdin is a pipe (never a terminal)."""
    argv = _with_no_color(args) if no_color else list(args)
    proc = subprocess.run([VPNFORM, *argv], check=False, cwd=str(workdir),
                          env=make_env(env, fast=fast),
                          input=input if input is not None else "", capture_output=True,
                          text=True, timeout=timeout)
    res = Result(proc.returncode, proc.stdout, proc.stderr, argv)
    # Whatever happens, a user never sees a Python traceback.
    assert "Traceback" not in res.output, res
    return res


def start(workdir, *args: str, env: dict | None = None, fast: bool = True) -> subprocess.Popen:
    """Start ``vpnform ARGS`` without waiting (for concurrency tests)."""
    argv = _with_no_color(args)
    return subprocess.Popen([VPNFORM, *argv], cwd=str(workdir), env=make_env(env, fast=fast),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 90) -> Result:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"vpnform {proc.args} did not finish in {timeout}s:\n{out}\n{err}")
    res = Result(proc.returncode, out, err, list(proc.args[1:]))
    assert "Traceback" not in res.output, res
    return res


def copy_config(src: Path, dst: Path) -> Path:
    """Copy only the configuration files (*.tf, *.tfvars) of ``src`` into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        if f.is_file() and (f.suffix in (".tf", ".tfvars")):
            shutil.copy2(f, dst / f.name)
    return dst


def write_config(workdir: Path, text: str, name: str = "main.tf") -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / name).write_text(text, encoding="utf-8")
    return workdir


def readme_script(heading: str) -> str:
    """The first ```sh block after ``heading`` in README.md as one bash script: each line
    must exit with the code its ``# … exit code N`` comment names (0 otherwise); shell
    variables carry over from line to line."""
    text = (REPO / "README.md").read_text()
    block = text.split(heading, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    script = ["set -u"]
    for n, line in enumerate(block.splitlines()):
        command, _, comment = line.partition("  #")
        command = command.strip()
        if not command:
            continue
        m = re.search(r"exit code (\d+)", comment)
        want = int(m.group(1)) if m else 0
        script.append(f"{command}\nrc=$?; if [ $rc -ne {want} ]; then "
                      f"echo 'line {n + 1} exited '$rc', not {want}: '{shlex.quote(command)} >&2; "
                      "exit 99; fi")
    return "\n".join(script)


def run_script(script: str, cwd, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a bash script as a user would, with the venv's vpnform first on PATH."""
    env = make_env()
    env["PATH"] = os.path.dirname(VPNFORM) + os.pathsep + env.get("PATH", "")
    res = subprocess.run(["bash", "-c", script], cwd=str(cwd), env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert "Traceback" not in res.stdout + res.stderr
    return res


# --- diagnostics -----------------------------------------------------------------------------

@dataclass
class Diag:
    severity: str
    summary: str
    filename: str | None = None
    line: int | None = None
    col: int | None = None
    address: str | None = None
    source: str | None = None  # the source line as shown
    caret_col: int | None = None  # 1-based column of the first ^ under the source line
    caret_width: int = 0
    detail: str = ""
    raw: str = ""


_WHERE = re.compile(r"^  on (?P<file>[^:]+):(?P<line>\d+),(?P<col>\d+)(?:, in (?P<addr>.+))?:$")


def diagnostics(text: str) -> list[Diag]:
    """Parse the boxed diagnostics (╷ … ╵) printed by vpnform."""
    out = []
    for block in re.findall(r"╷\n(.*?)\n╵", text, flags=re.DOTALL):
        lines = [ln[2:] if ln.startswith("│ ") else ln[1:] for ln in block.split("\n")]
        head = lines[0]
        m = re.match(r"(Error|Warning): (.*)$", head)
        if not m:
            continue
        d = Diag(severity=m.group(1), summary=m.group(2), raw=block)
        rest = lines[1:]
        detail_start = 1
        if len(rest) > 1:
            w = _WHERE.match(rest[1])
            if w:
                d.filename, d.line, d.col = w.group("file"), int(w.group("line")), int(
                    w.group("col"))
                d.address = w.group("addr")
                detail_start = 2
                if len(rest) > 3 and rest[2].startswith(f"  {d.line}: "):
                    prefix = f"  {d.line}: "
                    d.source = rest[2][len(prefix):]
                    caret = rest[3]
                    if "^" in caret:
                        d.caret_col = caret.index("^") - len(prefix) + 1
                        d.caret_width = len(caret.strip())
                    detail_start = 4
        d.detail = "\n".join(ln for ln in rest[detail_start:]).strip()
        out.append(d)
    return out


def errors(text: str) -> list[Diag]:
    return [d for d in diagnostics(text) if d.severity == "Error"]


def position(text: str, line_contains: str, token: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), 1-based, of ``token`` on the ``nth`` line of ``text`` containing
    ``line_contains``."""
    hits = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1) if line_contains in ln]
    assert len(hits) > nth, f"{line_contains!r} not found (nth={nth}) in:\n{text}"
    i, ln = hits[nth]
    assert token in ln, f"{token!r} not on line {i}: {ln!r}"
    return i, ln.index(token) + 1


def source_line(text: str, line: int) -> str:
    return text.splitlines()[line - 1]


def plan_summary(text: str) -> str | None:
    m = re.search(r"^Plan: .*$", text, flags=re.MULTILINE)
    return m.group(0) if m else None


def resource_headers(text: str) -> list[str]:
    """The ``# ADDR will be created`` / ``must be replaced`` / ``is tainted, so must be
    replaced`` / ``has moved to …`` / ``will no longer be managed …`` lines of a rendered
    plan (not the drift notes' "has changed" / "has been deleted")."""
    return re.findall(r"^ {1,2}# (\S+ (?:will|must be|is tainted|has moved)\b.+)$", text,
                      flags=re.MULTILINE)


# --- the emulated cloud ----------------------------------------------------------------------

DESCRIBE = {
    "vpcs": ("DescribeVpcs", "VpcSet"),
    "subnets": ("DescribeSubnets", "SubnetSet"),
    "route_tables": ("DescribeRouteTables", "RouteTableSet"),
    "vpn_gateways": ("DescribeVpnGateways", "VpnGatewaySet"),
    "customer_gateways": ("DescribeCustomerGateways", "CustomerGatewaySet"),
    "vpn_connections": ("DescribeVpnConnections", "VpnConnectionSet"),
}


def cloud_call(workdir, action: str, params: dict | None = None, region: str = REGION) -> dict:
    """One API call against the working directory's emulated cloud (read-only use)."""
    from providers.tencentcloud.emulator.service import EmulatedVpcService
    svc = EmulatedVpcService.for_workdir(workdir, delay_scale=0)
    try:
        return svc.call(action, params or {}, region)
    finally:
        svc.store.close()


def cloud(workdir, region: str = REGION, kinds: Iterable[str] = DESCRIBE, *,
          defaults: bool = False) -> dict[str, list]:
    """Everything the emulated cloud holds in ``region``: {"vpcs": [...], ...}; without the
    account's default network (the default VPC, its subnets and route table) unless
    ``defaults``."""
    def describe(kind: str) -> list[dict]:
        action, key = DESCRIBE[kind]
        resp = cloud_call(workdir, action, {"Limit": 100}, region)
        assert "Error" not in resp, resp
        assert resp["TotalCount"] == len(resp[key]), resp  # fits in one page
        return resp[key]

    if defaults:
        return {kind: describe(kind) for kind in kinds}
    default_vpcs = {v["VpcId"] for v in describe("vpcs") if v["IsDefault"]}

    def made(kind: str, o: dict) -> bool:
        if kind == "route_tables":
            return not (o["Main"] and o["VpcId"] in default_vpcs)
        return not o.get("IsDefault")

    return {kind: [o for o in describe(kind) if made(kind, o)] for kind in kinds}


def cloud_is_empty(workdir, regions: Iterable[str] = (REGION,)) -> dict:
    """The non-empty collections in the given regions (empty dict: nothing there)."""
    left = {}
    for region in regions:
        for kind, objs in cloud(workdir, region).items():
            if objs:
                left[f"{region}/{kind}"] = objs
    return left


def arm_fault(workdir, action: str, code: str, message: str | None = None, count: int = 1,
              match: str | None = None) -> None:
    """Arm a fault through the module's command-line form (another process, as a user would)."""
    argv = [PYTHON, "-m", "providers.tencentcloud.emulator.faults", str(workdir), action, code,
            "--count", str(count)]
    if message is not None:
        argv += ["--message", message]
    if match is not None:
        argv += ["--match", match]
    subprocess.run(argv, cwd=str(REPO), env=make_env(), check=True, capture_output=True,
                   timeout=60)


def clear_faults(workdir) -> None:
    subprocess.run([PYTHON, "-m", "providers.tencentcloud.emulator.faults", str(workdir),
                    "--clear"], cwd=str(REPO), env=make_env(), check=True, capture_output=True,
                   timeout=60)
