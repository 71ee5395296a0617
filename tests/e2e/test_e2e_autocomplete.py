"""Shell completion as Terraform has it: ``-install-autocomplete`` / ``-uninstall-autocomplete``
write and remove ``complete -C`` in the rc files of a (temporary) HOME, and the real
executable answers bash's COMP_LINE/COMP_POINT requests."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

import pytest
from cli import VPNFORM, run

from engine.addrs import MANAGED, InstanceAddr, ProviderConfigAddr, ResourceAddr
from engine.operations import backend_for
from engine.state.model import InstanceObject, State

BASHRC = "# my bashrc\nexport EDITOR=vi\n"
ZSHRC = "# my zshrc\n"


def _home(tmp_path, bashrc: str | None = BASHRC, zshrc: str | None = ZSHRC):
    home = tmp_path / "home"
    home.mkdir()
    if bashrc is not None:
        (home / ".bashrc").write_text(bashrc)
    if zshrc is not None:
        (home / ".zshrc").write_text(zshrc)
    return home


def vf(home, *args: str):
    return run(home, *args, env={"HOME": str(home)}, no_color=False)


def test_install_then_uninstall_as_terraform_does(tmp_path):
    home = _home(tmp_path)
    (home / ".bashrc").chmod(0o644)
    res = vf(home, "-install-autocomplete")
    assert res.code == 0, res
    assert (home / ".bashrc").read_text() == BASHRC + f"\ncomplete -C {VPNFORM} vpnform\n"
    assert (home / ".zshrc").read_text() == (ZSHRC + "\nautoload -U +X bashcompinit && "
                                             f"bashcompinit\ncomplete -o nospace -C {VPNFORM} "
                                             "vpnform\n")
    assert oct((home / ".bashrc").stat().st_mode & 0o777) == oct(0o644)  # the user's file
    assert ".bashrc" in res.stdout and ".zshrc" in res.stdout

    again = vf(home, "-install-autocomplete")
    assert again.code == 1
    assert "Error: Autocomplete already installed" in again.stderr
    assert "vpnform -uninstall-autocomplete" in again.stderr
    assert (home / ".bashrc").read_text().count("complete -C") == 1

    res = vf(home, "-uninstall-autocomplete")
    assert res.code == 0, res
    assert (home / ".bashrc").read_text() == BASHRC
    # bashcompinit stays, as Terraform leaves it: other completions may use it
    assert (home / ".zshrc").read_text() == ZSHRC + "\nautoload -U +X bashcompinit && bashcompinit\n"

    res = vf(home, "-uninstall-autocomplete")
    assert res.code == 1 and "Error: Autocomplete not installed" in res.stderr


def test_install_writes_only_rc_files_that_exist(tmp_path):
    home = _home(tmp_path, bashrc=None)
    assert vf(home, "-install-autocomplete").code == 0
    assert not (home / ".bashrc").exists()
    assert "bashcompinit" in (home / ".zshrc").read_text()


def test_install_without_any_rc_file_is_an_error(tmp_path):
    home = _home(tmp_path, bashrc=None, zshrc=None)
    res = vf(home, "-install-autocomplete")
    assert res.code == 1 and "Error: No shell to install into" in res.stderr
    assert os.listdir(home) == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_reads_the_installed_line(tmp_path):
    home = _home(tmp_path)
    assert vf(home, "-install-autocomplete").code == 0
    out = subprocess.run(["bash", "-c", f"source {home}/.bashrc && complete -p vpnform"],
                         capture_output=True, text=True, env={"HOME": str(home)}, check=True)
    assert shlex.split(out.stdout) == ["complete", "-C", VPNFORM, "vpnform"]


# --- answering completion requests ---------------------------------------------------------

ADDRS = ["tencentcloud_vpc.tom", "tencentcloud_vpn_connection.tom",
         "tencentcloud_vpn_gateway.tom"]


@pytest.fixture
def workdir(tmp_path):
    wd = tmp_path / "wd"
    wd.mkdir()
    state = State(lineage="l", serial=1)
    for text in ADDRS:
        rtype, name = text.split(".")
        addr = InstanceAddr(ResourceAddr(MANAGED, rtype, name), None)
        state.set_instance(addr, ProviderConfigAddr("tencentcloud"),
                           InstanceObject(attributes={"id": f"x-{name}"}))
    backend_for(str(wd)).write(state)
    return wd


def complete(cwd, line: str, point: int | None = None) -> list[str]:
    """What bash's ``complete -C vpnform`` request gets: COMP_LINE and COMP_POINT set, the
    command name, current and previous word as arguments."""
    point = len(line) if point is None else point
    words = line[:point].split(" ")
    env = {"COMP_LINE": line, "COMP_POINT": str(point), "COMP_TYPE": "9", "COMP_KEY": "9"}
    res = run(cwd, "vpnform", words[-1], words[-2] if len(words) > 1 else "", env=env,
              no_color=False)
    assert res.code == 0 and res.stderr == "", res
    return res.stdout.splitlines()


def test_completes_verbs_and_global_options(workdir):
    assert complete(workdir, "vpnform pl") == ["plan"]
    assert complete(workdir, "vpnform ta") == ["taint"]
    verbs = complete(workdir, "vpnform ")
    assert {"init", "plan", "apply", "state", "lab", "cloud", "tunnel"} <= set(verbs)
    assert "-install-autocomplete" in complete(workdir, "vpnform -in")
    assert complete(workdir, "vpnform help ap") == ["apply"]
    assert complete(workdir, "vpnform help state ") == ["list", "mv", "pull", "push", "rm",
                                                         "show"]


def test_completes_subcommands_and_the_flags_of_the_verb_being_typed(workdir):
    assert complete(workdir, "vpnform state ") == ["list", "mv", "pull", "push", "rm", "show"]
    assert complete(workdir, "vpnform tunnel s") == ["status"]
    assert sorted(complete(workdir, "vpnform plan -re")) == ["-refresh", "-refresh-only", "-replace"]
    assert complete(workdir, "vpnform apply -auto") == ["-auto-approve"]
    assert complete(workdir, "vpnform state list -") == ["-state", "-no-color", "-id"]
    # the cursor in the middle of the line: only what comes before it counts
    assert complete(workdir, "vpnform plan -de -no-color", point=len("vpnform plan -de")) == [
        "-destroy", "-detailed-exitcode"]


def test_completes_resource_addresses_from_state(workdir, tmp_path):
    assert complete(workdir, "vpnform state show ") == ADDRS
    assert complete(workdir, "vpnform taint tencentcloud_vpn_") == ADDRS[1:]
    assert complete(workdir, "vpnform plan -target=tencentcloud_vpc") == ADDRS[:1]
    assert complete(workdir, "vpnform apply -replace tencentcloud_vpn_g") == ADDRS[2:]
    # -chdir points at another working directory
    assert complete(tmp_path, "vpnform -chdir=wd untaint tencentcloud_vpc") == ADDRS[:1]
    # a verb without address arguments, and a directory without state, offer none
    assert complete(workdir, "vpnform fmt ") == []
    assert complete(tmp_path, "vpnform state show ") == []
