# ruff: noqa: E501  (the known-differences table quotes long expressions and reasons)
"""Differential suite: vpnform's console against recorded ``terraform console`` output.

terraform_console_cases.json was recorded once with the real Terraform by
record_cases.py (expressions in cases.txt, evaluated in fixture/). Each case is evaluated
in-process the way ``vpnform console`` does it and must print exactly the same text, or —
for an expression Terraform rejects — fail with the same diagnostic summary.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from engine.cli.commands_console import console_context, evaluate_line
from engine.cli.views import Console

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "terraform_console_cases.json"), encoding="utf-8") as _f:
    RECORDING = json.load(_f)
CASES = RECORDING["cases"]

# Known differences from Terraform: expression -> how vpnform differs. Each is an
# xfail(strict=True), so fixing one makes its test fail until it is removed from here.
KNOWN_DIFFERENCES: dict[str, str] = {
    "-0":
        "Terraform keeps negative zero (\"-0\"); vpnform numbers are ints, so -0 is 0",
    "pow(2, 64)":
        "Terraform prints 18446744073709550000 for the float64 result; vpnform 18446744073709552000",
    "var.nothing":
        "typed nulls are not tracked: Terraform prints tostring(null), vpnform null",
    "tobool(null)":
        "typed nulls are not tracked: Terraform prints tobool(null), vpnform null",
    "tonumber(null)":
        "typed nulls are not tracked: Terraform prints tonumber(null), vpnform null",
    "tostring(null)":
        "typed nulls are not tracked: Terraform prints tostring(null), vpnform null",
    "tolist([null, \"a\"])":
        "typed nulls are not tracked: Terraform prints tostring(null) for the element",
    "tolist([[1], [\"a\"]])":
        "tolist does not unify nested element types (Terraform converts [1] to tolist([\"1\"]))",
    "tomap({a = [1], b = []})":
        "tomap does not unify nested element types (Terraform makes the tuples lists)",
    "tolist([{a = 1}, {a = \"x\"}])":
        "tolist does not unify object attribute types (Terraform converts a = 1 to \"1\")",
    "1 +":
        "parse errors: Terraform \"Missing expression\", vpnform \"Invalid expression\" (python-hcl2 messages)",
    "[1, 2":
        "parse errors: Terraform \"Unterminated tuple constructor expression\", vpnform \"Missing item separator\"",
    "\"${unclosed\"":
        "parse errors: Terraform \"Unclosed template interpolation sequence\", vpnform \"Unterminated template interpolation\"",
    "local":
        "Terraform: \"Reference to undeclared local value\"; vpnform: \"Invalid reference\"",
    "type(1)[0]":
        "vpnform refuses type() inside any expression (\"Invalid use of type function\"); Terraform lets the operation fail",
    "tostring(type(1))":
        "vpnform refuses type() inside any expression (\"Invalid use of type function\"); Terraform lets the conversion fail",
}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    work = tmp_path_factory.mktemp("console")
    shutil.copy(os.path.join(HERE, "fixture", "main.tf"), work / "main.tf")
    old = os.getcwd()
    os.chdir(work)
    try:
        context, diags = console_context(str(work), [], Console())
    finally:
        os.chdir(old)
    assert context is not None, [str(d) for d in diags]
    context.path_cwd = "."
    return context


def _params():
    out = []
    for i, case in enumerate(CASES):
        marks = []
        reason = KNOWN_DIFFERENCES.get(case["expr"])
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        out.append(pytest.param(case, id=f"{i:03d}:{case['expr'][:40]}", marks=marks))
    return out


def test_recording_is_large_enough():
    assert len(CASES) >= 300
    assert RECORDING["terraform"].startswith("Terraform v1.")


@pytest.mark.parametrize("case", _params())
def test_console_matches_terraform(ctx, case):
    out, diags = evaluate_line(case["expr"], ctx)
    if "error" in case:
        errors = [d.summary for d in diags if d.is_error]
        assert out is None, f"terraform failed with {case['error']!r}, vpnform printed {out!r}"
        assert case["error"] in errors, f"terraform: {case['error']!r}; vpnform: {errors}"
    else:
        errors = [f"{d.summary}: {d.detail}" for d in diags if d.is_error]
        assert out is not None, f"vpnform failed: {errors}"
        assert out + "\n" == case["stdout"]
