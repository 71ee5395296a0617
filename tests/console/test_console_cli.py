"""``vpnform console`` end to end (in-process): piped stdin, state values, errors."""

from __future__ import annotations

import io
import os
import shutil
import sys

from engine.cli.main import main

HERE = os.path.dirname(os.path.abspath(__file__))


def run(tmp_path, monkeypatch, capsys, text: str) -> tuple[int, str, str]:
    shutil.copy(os.path.join(HERE, "fixture", "main.tf"), tmp_path / "main.tf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    rc = main(["console"])
    out, err = capsys.readouterr()
    return rc, out, err


def test_piped_expressions_print_like_terraform(tmp_path, monkeypatch, capsys):
    rc, out, _ = run(tmp_path, monkeypatch, capsys,
                     'cidrsubnet("10.0.0.0/16", 8, 2)\n\nvar.tags\n0.1 + 0.2\nvar.secret\n')
    assert rc == 0
    assert out == ('"10.0.2.0/24"\ntomap({\n  "env" = "prod"\n  "team" = "net"\n})\n0.3\n'
                   "(sensitive value)\n")


def test_first_error_stops_a_piped_session(tmp_path, monkeypatch, capsys):
    rc, out, err = run(tmp_path, monkeypatch, capsys, "1 + 1\nnope(1)\n2 + 2\n")
    assert rc == 1
    assert out == "2\n"
    assert "Call to unknown function" in err


def test_resources_come_from_state(tmp_path, monkeypatch, capsys):
    from engine.addrs import MANAGED, InstanceAddr, ProviderConfigAddr, ResourceAddr
    from engine.operations import backend_for
    from engine.state.model import InstanceObject, State

    with open(tmp_path / "vpc.tf", "w") as f:
        f.write('resource "tencentcloud_vpc" "main" {\n  name = "x"\n  cidr_block = "10.0.0.0/16"\n}\n')
    state = State(lineage="l", serial=1)
    addr = InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpc", "main"), None)
    state.set_instance(addr, ProviderConfigAddr("tencentcloud"),
                       InstanceObject(attributes={"id": "vpc-123", "cidr_block": "10.0.0.0/16"}))
    backend_for(str(tmp_path)).write(state)
    rc, out, err = run(tmp_path, monkeypatch, capsys, "tencentcloud_vpc.main.id\n")
    assert (rc, out) == (0, '"vpc-123"\n'), err


def test_console_works_in_a_directory_without_configuration(tmp_path, monkeypatch, capsys):
    """As Terraform's: literals and functions work with no *.tf file; var.x is Terraform's
    undeclared-variable error; nothing is written to the directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO('upper("tom")\ncidrhost("10.0.1.0/24", 5)\n'
                                                  "1 + 1\n"))
    assert main(["console"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ('"TOM"\n"10.0.1.5"\n2\n', "")
    monkeypatch.setattr(sys, "stdin", io.StringIO("var.x\n"))
    assert main(["console"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Error: Reference to undeclared input variable" in err
    assert 'An input variable with the name "x" has not been declared.' in err
    assert os.listdir(tmp_path) == []


def test_other_verbs_still_need_configuration(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    assert "No configuration files" in capsys.readouterr().err
