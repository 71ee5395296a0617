"""Every verb that reads a state hides its secrets from everything it prints, even from
an unexpected error's message (issue #9): in-process runs of the CLI."""

from __future__ import annotations

import pytest

from engine.addrs import MANAGED, InstanceAddr, ProviderConfigAddr, ResourceAddr
from engine.cli import commands_inspect, commands_state
from engine.cli.main import main
from engine.operations import backend_for
from engine.state.backends.local import LocalBackend
from engine.state.model import InstanceObject, OutputValue, State

PSK = "Rq2-state-only-PSK-8xT"
OUTPUT_SECRET = "Out-put-Secret-5512"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'resource "tencentcloud_vpn_customer_gateway" "idc" {\n  name = "idc"\n'
        '  public_ip_address = "202.108.22.5"\n}\n')
    state = State(lineage="l", serial=1)
    addr = InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "tom"), None)
    state.set_instance(addr, ProviderConfigAddr("tencentcloud"), InstanceObject(
        attributes={"id": "vpnx-1", "pre_share_key": PSK}, sensitive_paths=[["pre_share_key"]]))
    state.outputs["key"] = OutputValue(OUTPUT_SECRET, sensitive=True)
    backend_for(str(tmp_path)).write(state)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _boom(*_args, **_kw):
    raise ValueError(f"cannot handle {PSK} nor {OUTPUT_SECRET}")


@pytest.mark.parametrize(("argv", "target"), [
    (["show"], (commands_inspect, "render_instance")),
    (["state", "show", "tencentcloud_vpn_connection.tom"], (commands_state, "render_instance")),
    (["output"], (commands_inspect, "render_outputs")),
    (["graph"], (commands_inspect, "build_graph")),
    (["taint", "tencentcloud_vpn_connection.tom"], (LocalBackend, "write")),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_an_unexpected_error_names_no_secret_of_the_state(workdir, monkeypatch, capsys, argv,
                                                          target):
    monkeypatch.setattr(*target, _boom)
    assert main([*argv, "-no-color"] if argv[0] != "state" else argv) == 1
    out, err = capsys.readouterr()
    assert "Internal error" in err, (out, err)
    assert PSK not in out + err and OUTPUT_SECRET not in out + err, err
    assert "cannot handle (sensitive value) nor (sensitive value)" in err


def test_output_by_name_shows_the_secret_asked_for(workdir, capsys):
    """As Terraform: naming a sensitive output prints it."""
    assert main(["output", "-raw", "key"]) == 0
    assert capsys.readouterr().out == OUTPUT_SECRET
    assert main(["output", "key"]) == 0
    assert capsys.readouterr().out == f'"{OUTPUT_SECRET}"\n'


def test_a_json_document_with_a_secret_stays_valid_json():
    """validate -json, tunnel status -json and the -json stream scrub the document's
    strings, so a string that is exactly a secret becomes "(sensitive value)" instead of
    losing its quotes in the printed text."""
    import io
    import json

    from engine.cli.views import Console
    out = io.StringIO()
    console = Console(out=out, color=False)
    console.secrets = {PSK}
    console.print_json({"detail": PSK, "lines": [f"key {PSK} refused", '"quoted"']}, indent=2)
    assert json.loads(out.getvalue()) == {
        "detail": "(sensitive value)", "lines": ["key (sensitive value) refused", '"quoted"']}
