"""``vpnform console`` never prints a secret in an error: not a sensitive variable, not
anything computed from one, not a sensitive attribute read from state (issue #9)."""

from __future__ import annotations

import io
import sys

import pytest

from engine.addrs import MANAGED, InstanceAddr, ProviderConfigAddr, ResourceAddr
from engine.cli import commands_console
from engine.cli.main import main
from engine.operations import backend_for
from engine.state.model import InstanceObject, State

PSK = "Zk7-console-PSK-4q9W"
STATE_PSK = "Rq2-state-only-PSK-8xT"
PIN = 918273

CONFIG = f'''
variable "psk" {{
  type      = string
  sensitive = true
  default   = "{PSK}"
}}

variable "pin" {{
  type      = number
  sensitive = true
  default   = {PIN}
}}

resource "tencentcloud_vpn_connection" "tom" {{
  name                = "TomVPNConn"
  vpc_id              = "vpc-1"
  vpn_gateway_id      = "vpngw-1"
  customer_gateway_id = "cgw-1"
  pre_share_key       = "unused"
  security_group_policy {{
    local_cidr_block  = "192.168.1.0/24"
    remote_cidr_block = ["10.0.1.0/24"]
  }}
}}
'''

STATE_KEY = "tencentcloud_vpn_connection.tom.pre_share_key"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(CONFIG)
    state = State(lineage="l", serial=1)
    addr = InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "tom"), None)
    state.set_instance(addr, ProviderConfigAddr("tencentcloud"), InstanceObject(
        attributes={"id": "vpnx-1", "name": "TomVPNConn", "pre_share_key": STATE_PSK},
        sensitive_paths=[["pre_share_key"]]))
    backend_for(str(tmp_path)).write(state)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def console(monkeypatch, capsys, text: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text + "\n"))
    rc = main(["console", "-no-color"])
    out, err = capsys.readouterr()
    return rc, out, err


# (expression, what the error says instead of the value)
CASES = [
    ("cidrsubnet(var.psk, 2, 1)", "invalid CIDR address: (sensitive value)."),
    ("cidrhost(var.psk, 1)", "invalid CIDR address: (sensitive value)."),
    ("tonumber(var.psk)", "cannot convert this sensitive string to number."),
    ('format("%d", var.psk)', 'unsupported value for "%d" at 1: a number is required.'),
    ("base64decode(var.psk)", "failed to decode base64 data (sensitive value)."),
    ("parseint(var.psk, 10)", "cannot parse (sensitive value) as a base 10 integer."),
    ("file(var.psk)", "no file exists at (sensitive value);"),
    ("var.psk + 1", "Unsuitable value for left operand: a number is required"),
    ("2 * var.psk", "Unsuitable value for right operand: a number is required"),
    ('lookup({}, var.psk)', "lookup failed to find key (sensitive value)."),
    # computed from a secret: its text is nowhere among the run's known secrets
    ("cidrsubnet(upper(var.psk), 2, 1)", "invalid CIDR address: (sensitive value)."),
    ('cidrhost("${var.psk}/8", 1)', "invalid CIDR address: (sensitive value)."),
    ('cidrsubnet("10.0.0.0/8", var.pin, 1)', "extend prefix of 8 by (sensitive value)."),
    # a sensitive attribute recorded in state
    (f"cidrsubnet({STATE_KEY}, 2, 1)", "invalid CIDR address: (sensitive value)."),
    (f"tonumber({STATE_KEY})", "cannot convert this sensitive string to number."),
    (f"{STATE_KEY} - 1", "Unsuitable value for left operand: a number is required"),
    (f"parseint(lower({STATE_KEY}), 16)", "cannot parse (sensitive value) as a base 16"),
]


@pytest.mark.parametrize(("expr", "said"), CASES, ids=[c[0] for c in CASES])
def test_errors_name_no_secret(workdir, monkeypatch, capsys, expr, said):
    rc, out, err = console(monkeypatch, capsys, expr)
    assert rc == 1, (out, err)
    text = out + err
    for secret in (PSK, PSK.upper(), PSK.lower(), STATE_PSK, STATE_PSK.lower(), str(PIN)):
        assert secret not in text, text
    assert said in " ".join(err.replace("│", " ").split()), err


def test_a_secret_made_plain_on_purpose_is_printed(workdir, monkeypatch, capsys):
    """nonsensitive() is the user's explicit choice; the console prints the result."""
    rc, out, _ = console(monkeypatch, capsys, "nonsensitive(var.psk)")
    assert (rc, out) == (0, f'"{PSK}"\n')


def test_an_unexpected_failure_names_no_secret(workdir, monkeypatch, capsys):
    """Even an internal error quoting a value goes through the same redaction."""
    def boom(text, ctx):
        raise ValueError(f"cannot handle {PSK} nor {STATE_PSK}")
    monkeypatch.setattr(commands_console, "evaluate_line", boom)
    rc, out, err = console(monkeypatch, capsys, "var.psk")
    assert rc == 1
    assert "Internal error" in err
    assert PSK not in out + err and STATE_PSK not in out + err, err
    assert "cannot handle (sensitive value) nor (sensitive value)" in err
