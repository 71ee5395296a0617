"""`vpnform validate -json`: Terraform's validate JSON shape, for editors and pipelines."""

from __future__ import annotations

import json

from cli import QUICKSTART, copy_config, run, write_config


def test_valid_configuration(tmp_path):
    workdir = copy_config(QUICKSTART, tmp_path / "q")
    res = run(workdir, "validate", "-json", "-lint=off")  # findings: test_e2e_security_lint
    assert res.code == 0, res
    assert json.loads(res.stdout) == {"format_version": "1.0", "valid": True,
                                      "error_count": 0, "warning_count": 0,
                                      "diagnostics": []}


def test_errors_carry_range_and_snippet(tmp_path):
    write_config(tmp_path, 'resource "tencentcloud_vpn_gateway" "gw" {\n'
                           '  name     = "gw"\n'
                           '  vpc_id   = "vpc-12345678"\n'
                           '  bandwith = 5\n'
                           '}\n')
    res = run(tmp_path, "validate", "-json")
    assert res.code == 1, res
    doc = json.loads(res.stdout)
    assert doc["valid"] is False and doc["error_count"] == 1 and doc["warning_count"] == 0
    [d] = doc["diagnostics"]
    assert d["severity"] == "error" and d["summary"] == "Unsupported argument"
    assert 'Did you mean "bandwidth"?' in d["detail"]
    assert d["range"]["filename"] == "main.tf"
    assert d["range"]["start"]["line"] == 4 and d["range"]["start"]["column"] == 3
    snip = d["snippet"]
    assert snip["context"] == 'resource "tencentcloud_vpn_gateway" "gw"'
    assert snip["code"] == "  bandwith = 5" and snip["start_line"] == 4
    assert snip["code"][snip["highlight_start_offset"]:snip["highlight_end_offset"]].startswith(
        "bandwith")
    assert snip["values"] == []


def test_syntax_error_is_json_too(tmp_path):
    write_config(tmp_path, 'resource "tencentcloud_vpc" "v" {\n  name = \n}\n')
    res = run(tmp_path, "validate", "-json")
    assert res.code == 1, res
    doc = json.loads(res.stdout)
    assert doc["valid"] is False and doc["diagnostics"][0]["range"]["start"]["line"] == 2
