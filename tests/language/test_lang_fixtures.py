"""One harness over tests/language/fixtures/invalid/*.tf, run through the real ``vpnform``
binary against the embedded emulated cloud: every line carrying ``# ERROR: <summary>`` or
``# WARNING: <summary>`` must produce exactly that diagnostic, at that line, and nothing
else may be reported. Each fixture becomes main.tf of a working directory whose
providers.tf configures the tencentcloud provider; a fixture whose first line is
``# MODE: apply`` is applied instead of planned."""

from __future__ import annotations

import glob
import os
import re

import pytest
from cli import diagnostics, run, write_config

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "fixtures", "invalid",
                                         "*.tf")))
_MARK = re.compile(r"#\s*(ERROR|WARNING):\s*(.+?)\s*$")

PROVIDERS_TF = """terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}
"""


def expected(text: str) -> set[tuple[str, int, str]]:
    out = set()
    for i, line in enumerate(text.splitlines(), 1):
        m = _MARK.search(line)
        if m:
            out.add(("Error" if m.group(1) == "ERROR" else "Warning", i, m.group(2)))
    return out


def test_fixtures_exist():
    assert len(FIXTURES) >= 10


@pytest.mark.parametrize("path", FIXTURES, ids=[os.path.basename(p) for p in FIXTURES])
def test_fixture(path, tmp_path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    want = expected(text)
    assert want, f"{path} carries no # ERROR: / # WARNING: marker"
    workdir = write_config(tmp_path / "w", text)
    (workdir / "providers.tf").write_text(PROVIDERS_TF, encoding="utf-8")
    verb = ["apply", "-auto-approve"] if text.startswith("# MODE: apply") else ["plan"]
    res = run(workdir, *verb)
    got = {(d.severity, d.line, d.summary) for d in diagnostics(res.output)
           if d.filename == "main.tf" or d.filename is None}
    # every diagnostic must point into main.tf at a marked line
    for d in diagnostics(res.output):
        assert d.filename == "main.tf", (d.raw, res)
    assert got == want, res
    has_errors = any(sev == "Error" for sev, _, _ in want)
    assert (res.code != 0) == has_errors, res
