"""Files at rest (issue #9): every file vpnform writes is 0600 and every directory it
creates 0700, whatever the umask; what older versions left looser is tightened; a file of
the user's that ``fmt`` rewrites keeps its own mode, as with ``terraform fmt``."""

from __future__ import annotations

import json
import os
import shlex
import stat

import pytest
from cli import QUICKSTART, VPNFORM, copy_config, run_script

PSK = "Zk7-modes-PSK-4q9W"


def _vpnform(*args: str, code: int = 0) -> str:
    """One line of a run_script script: the command, then a check of its exit code."""
    line = " ".join(shlex.quote(a) for a in (VPNFORM, *args))
    return (f"{line} >>run.log 2>&1; rc=$?; if [ $rc -ne {code} ]; then "
            f"echo '{' '.join(args)} exited '$rc >&2; cat run.log >&2; exit 99; fi")


def _modes(root) -> dict[str, int]:
    """Mode of everything under ``root`` (not root itself), by relative path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return out


def _too_open(modes: dict[str, int], mine: set[str]) -> dict[str, str]:
    """What vpnform made that others could read: files not 0600, directories not 0700."""
    bad = {}
    for rel, mode in modes.items():
        if rel in mine:
            continue
        want = 0o700 if rel.endswith("/") else 0o600
        if mode != want:
            bad[rel] = oct(mode)
    return bad


def _walk(root) -> dict[str, int]:
    return {(rel + "/" if os.path.isdir(os.path.join(root, rel)) else rel): mode
            for rel, mode in _modes(root).items()}


@pytest.mark.parametrize("umask", ["000", "022"])
def test_everything_vpnform_writes_is_private(tmp_path, umask):
    """init, plan -out, apply, a saved plan's apply, import with -generate-config-out, a
    data source's result_output_file, destroy: then walk the directory."""
    wd = copy_config(QUICKSTART, tmp_path / "wd")
    (wd / "data.tf").write_text(
        'data "tencentcloud_vpn_connections" "all" {\n'
        '  result_output_file = "connections.json"\n'
        "  depends_on         = [tencentcloud_vpn_connection.tom]\n}\n")
    mine = {os.path.relpath(p, wd) for p in map(str, wd.iterdir())} | {"run.log"}
    script = "\n".join([
        f"umask {umask}",
        f"export TF_VAR_psk={PSK}",
        _vpnform("init"),
        _vpnform("plan", "-out=first.tfplan"),
        _vpnform("apply", "first.tfplan"),
        _vpnform("plan", "-out=again.tfplan"),
        # a VPC made outside vpnform, adopted with generated configuration
        f"vpc=$({shlex.quote(VPNFORM)} cloud CreateVpc VpcName=legacy CidrBlock=10.8.0.0/16 "
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"Vpc\"][\"VpcId\"])')",
        "printf 'import {\\n  to = tencentcloud_vpc.legacy\\n  id = \"%s\"\\n}\\n' \"$vpc\""
        " > import.tf",
        _vpnform("plan", "-generate-config-out=generated.tf", "-out=import.tfplan"),
        _vpnform("apply", "import.tfplan"),
        _vpnform("destroy", "-auto-approve"),
    ])
    res = run_script(script, wd)
    assert res.returncode == 0, res.stdout + res.stderr
    mine |= {"import.tf"}  # written by the test's shell, under its umask
    modes = _walk(wd)
    for made in (".vpnform/", ".vpnform/cloud.db", ".vpnform/planfile.key",
                 "terraform.tfstate", "terraform.tfstate.backup", "first.tfplan",
                 "again.tfplan", "generated.tf", "connections.json", ".terraform.tfstate.lock"):
        assert made in modes, (made, sorted(modes))
    assert _too_open(modes, mine) == {}, sorted(modes.items())
    # the user's own files are left as they were
    assert modes["main.tf"] == stat.S_IMODE((QUICKSTART / "main.tf").stat().st_mode)


def test_what_an_older_vpnform_left_open_is_tightened(applied):
    """A .vpnform/ made 0755 and a cloud database made 0644 (as versions before this one
    did) are tightened the next time vpnform opens them."""
    wd = applied
    os.chmod(wd / ".vpnform", 0o755)
    for name in os.listdir(wd / ".vpnform"):
        path = wd / ".vpnform" / name
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    res = run_script(f"umask 022\n{_vpnform('plan')}", wd)
    assert res.returncode == 0, res.stdout + res.stderr
    modes = _walk(wd / ".vpnform")
    assert stat.S_IMODE((wd / ".vpnform").stat().st_mode) == 0o700
    for name in ("cloud.db", "cloud.db-wal", "cloud.db-shm"):
        if name in modes:
            assert modes[name] == 0o600, (name, oct(modes[name]))
    assert "cloud.db" in modes


def test_fmt_keeps_the_mode_of_the_file_it_rewrites(tmp_path):
    """terraform fmt rewrites a file in place: a 0644 (or 0640) file stays so."""
    for name, mode in (("a.tf", 0o644), ("b.tf", 0o640)):
        path = tmp_path / name
        path.write_text('variable "x" {\ndefault=1\n}\n')
        os.chmod(path, mode)
    res = run_script(f"umask 077\n{_vpnform('fmt')}", tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "a.tf").read_text() == 'variable "x" {\n  default = 1\n}\n'
    assert stat.S_IMODE((tmp_path / "a.tf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.tf").stat().st_mode) == 0o640
    assert json.dumps(sorted(os.listdir(tmp_path))) == json.dumps(["a.tf", "b.tf", "run.log"])
