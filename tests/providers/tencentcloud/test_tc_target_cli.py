"""``plan`` and ``apply`` name the cloud each provider configuration talks to in their first
lines (human and -json), and a connection error points at the provider block's line."""

from __future__ import annotations

import json

from engine.cli.main import main

VPC = 'resource "tencentcloud_vpc" "main" {\n  name       = "v"\n  cidr_block = "10.0.0.0/16"\n}\n'
EMBEDDED = "Provider tencentcloud: embedded emulator (.vpnform/cloud.db)"


def run(tmp_path, monkeypatch, capsys, tf: str, *args: str):
    (tmp_path / "main.tf").write_text(tf)
    monkeypatch.chdir(tmp_path)
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def test_plan_names_the_embedded_emulator_first(tmp_path, monkeypatch, capsys):
    rc, out, err = run(tmp_path, monkeypatch, capsys, VPC, "plan", "-no-color", "-input=false")
    assert rc == 0, err
    assert out.splitlines()[0] == EMBEDDED


def test_apply_names_the_target_first(tmp_path, monkeypatch, capsys):
    rc, out, err = run(tmp_path, monkeypatch, capsys, VPC, "apply", "-no-color",
                       "-auto-approve", "-input=false")
    assert rc == 0, err
    assert out.splitlines()[0] == EMBEDDED and "Apply complete!" in out


def test_one_line_per_configuration(tmp_path, monkeypatch, capsys):
    tf = VPC + ('provider "tencentcloud" {\n  region = "ap-guangzhou"\n}\n'
                'provider "tencentcloud" {\n  alias      = "lab"\n  region     = "ap-shanghai"\n'
                '  secret_id  = "AKIDtargettest9876"\n  secret_key = "target-test-key"\n'
                '  endpoint   = "http://127.0.0.1:8443"\n}\n')
    rc, out, err = run(tmp_path, monkeypatch, capsys, tf, "plan", "-no-color", "-input=false")
    assert rc == 0, err
    assert out.splitlines()[:2] == [
        EMBEDDED,
        "Provider tencentcloud.lab: served emulator at http://127.0.0.1:8443, region "
        "ap-shanghai, SecretId AKIDta…"]
    assert "target-test-key" not in out + err


def test_json_stream_carries_the_target_as_a_log_message(tmp_path, monkeypatch, capsys):
    rc, out, err = run(tmp_path, monkeypatch, capsys, VPC, "plan", "-json")
    assert rc == 0, err
    msgs = [json.loads(line) for line in out.splitlines()]
    assert msgs[0]["type"] == "version"
    assert (msgs[1]["type"], msgs[1]["@level"], msgs[1]["@message"]) == ("log", "info",
                                                                         EMBEDDED)


def test_endpoint_without_credentials_points_at_its_line(tmp_path, monkeypatch, capsys):
    tf = VPC + ('provider "tencentcloud" {\n  region   = "ap-guangzhou"\n'
                '  endpoint = "http://127.0.0.1:8443"\n}\n')
    rc, out, err = run(tmp_path, monkeypatch, capsys, tf, "plan", "-no-color", "-input=false")
    assert rc == 1
    assert "Error: Missing credentials" in err
    assert "on main.tf:7,14:" in err and 'endpoint = "http://127.0.0.1:8443"' in err
    assert "embedded emulator" not in out  # no target named for a run that cannot start
    assert not (tmp_path / ".vpnform" / "cloud.db").exists()


def test_half_credentials_from_the_environment_point_at_the_block(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDonlyhalf000")
    tf = VPC + 'provider "tencentcloud" {\n  region = "ap-guangzhou"\n}\n'
    rc, out, err = run(tmp_path, monkeypatch, capsys, tf, "plan", "-no-color", "-input=false")
    assert rc == 1 and "Error: Incomplete credentials" in err
    assert "on main.tf:5,1:" in err and "TENCENTCLOUD_SECRET_KEY" in err


def test_validate_accepts_credentials_from_variables_and_touches_no_cloud(tmp_path,
                                                                          monkeypatch, capsys):
    tf = VPC + ('variable "region" {\n  type = string\n}\n'
                'variable "key" {\n  type      = string\n  sensitive = true\n}\n'
                'provider "tencentcloud" {\n  region     = var.region\n'
                '  secret_id  = "AKIDvalidate0000"\n  secret_key = var.key\n'
                '  endpoint   = "http://127.0.0.1:8443"\n}\n')
    rc, out, err = run(tmp_path, monkeypatch, capsys, tf, "validate", "-no-color")
    assert rc == 0, err
    assert "Success! The configuration is valid." in out and "Provider " not in out
    assert not (tmp_path / ".vpnform" / "cloud.db").exists()
