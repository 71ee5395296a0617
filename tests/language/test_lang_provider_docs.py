"""Configurations written the way the public tencentcloud provider's documentation writes
them (fixtures/provider_docs: unquoted block labels, legacy `.0` indexing, `resource.`
references, "${...}" around lone references) validate, plan and apply unchanged, through
the real ``vpnform`` binary, with LF and with CRLF line endings alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli import diagnostics, errors, plan_summary, run, write_config

DOCS = Path(__file__).parent / "fixtures" / "provider_docs" / "main.tf"


def _workdir(tmp_path: Path, name: str, crlf: bool) -> Path:
    text = DOCS.read_text(encoding="utf-8")
    if crlf:
        text = text.replace("\n", "\r\n")
    workdir = tmp_path / name
    workdir.mkdir()
    (workdir / "main.tf").write_bytes(text.encode("utf-8"))
    return workdir


def test_the_fixture_really_uses_the_documentation_style():
    text = DOCS.read_text(encoding="utf-8")
    assert "resource tencentcloud_vpc foo {" in text
    assert ".0.id" in text and ".customer_gateway_vendor_set.0." in text
    assert "resource.tencentcloud_vpc.foo.id" in text and "<<EOT" in text


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_documentation_style_configuration_validates_plans_and_applies(tmp_path, crlf):
    workdir = _workdir(tmp_path, "w", crlf)
    assert (workdir / "main.tf").read_bytes().count(b"\r\n") == (
        DOCS.read_text(encoding="utf-8").count("\n") if crlf else 0)
    res = run(workdir, "validate")
    assert res.code == 0 and "The configuration is valid" in res.stdout, res
    res = run(workdir, "plan")
    assert res.code == 0 and not errors(res.output), res
    assert plan_summary(res.stdout) == "Plan: 4 to add, 0 to change, 0 to destroy.", res
    assert '"vendor" = "h3c"' in res.stdout  # data.….customer_gateway_vendor_set.0.vendor_name
    assert '"managed" = "managed by vpnform"' in res.stdout  # trimspace of a CRLF heredoc
    assert 'ike_remote_address         = "1.3.3.3"' in res.stdout  # "${….foo.0.public_ip…}"
    res = run(workdir, "apply", "-auto-approve")
    assert res.code == 0, res
    res = run(workdir, "plan", "-detailed-exitcode")
    assert res.code == 0 and "No changes." in res.stdout, res


def test_crlf_and_lf_plans_are_identical(tmp_path):
    lf = run(_workdir(tmp_path, "lf", False), "plan")
    crlf = run(_workdir(tmp_path, "crlf", True), "plan")
    assert lf.code == crlf.code == 0
    assert lf.stdout == crlf.stdout


def test_crlf_file_errors_point_at_the_right_line_and_column(tmp_path):
    text = ('resource tencentcloud_vpc foo {\n'
            '  name       = "x"\n'
            '  cidr_block = var.nope\n'
            '}\n'
            '\n'
            'resource tencentcloud_subnet a {\n'
            '  vpc_id            = tencentcloud_vpc.fooo.0.id\n'
            '  name              = "a"\n'
            '  cidr_block        = "10.0.1.0/24"\n'
            '  availability_zone = "ap-guangzhou-3"\n'
            '}\n')
    found = {}
    for name, src in (("lf", text), ("crlf", text.replace("\n", "\r\n"))):
        workdir = write_config(tmp_path / name, "")
        (workdir / "main.tf").write_bytes(src.encode())
        res = run(workdir, "validate")
        assert res.code == 1, res
        found[name] = sorted((d.summary, d.line, d.col, d.source) for d in diagnostics(res.output))
    assert found["crlf"] == found["lf"]
    assert [(s, line, col) for s, line, col, _ in found["crlf"]] == [
        ("Reference to undeclared input variable", 3, 16),
        ("Reference to undeclared resource", 7, 23),
    ]
    assert all("\r" not in (src or "") for *_, src in found["crlf"])
