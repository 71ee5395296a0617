# ruff: noqa: E501  (the known-differences table quotes long expressions and reasons)
"""Differential suite: vpnform's console against recorded ``terraform console`` output.

terraform_console_cases.json was recorded once with the real Terraform by
record_cases.py (expressions in cases.txt, evaluated in fixture/). Each case is evaluated
in-process the way ``vpnform console`` does it and must print exactly the same text, or —
for an expression Terraform rejects — fail with the same diagnostic summary.
terraform_functions.json (``terraform metadata functions -json``, recorded by the same
script) lists every function Terraform has; each must be called by at least three cases.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from engine.cli.commands_console import console_context, evaluate_line
from engine.cli.views import Console

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "terraform_console_cases.json"), encoding="utf-8") as _f:
    RECORDING = json.load(_f)
CASES = RECORDING["cases"]
with open(os.path.join(HERE, "terraform_functions.json"), encoding="utf-8") as _f:
    FUNCTIONS = json.load(_f)

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
    "1 +":
        "parse errors: Terraform \"Missing expression\", vpnform \"Invalid expression\" (python-hcl2 messages)",
    "[1, 2":
        "parse errors: Terraform \"Unterminated tuple constructor expression\", vpnform \"Missing item separator\"",
    "\"${unclosed\"":
        "parse errors: Terraform \"Unclosed template interpolation sequence\", vpnform \"Unterminated template interpolation\"",
    "local":
        "Terraform: \"Reference to undeclared local value\"; vpnform: \"Invalid reference\"",
    "base64gzip(join(\",\", [for i in range(300) : \"tunnel-${i % 7}-${i}\"]))":
        "Go's deflate chooses other matches than zlib once the input has repeats: the gzip data differs, its content is the same",
}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    work = tmp_path_factory.mktemp("console") / "fixture"
    shutil.copytree(os.path.join(HERE, "fixture"), work)
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


def _calls(name: str, expr: str) -> bool:
    """Whether ``expr`` calls the function ``name`` (``abs`` is also called as ``core::abs``)."""
    prefix = "" if "::" in name else "(core::)?"
    return re.search(rf"(?<![\w.:]){prefix}{re.escape(name)}\s*\(", expr) is not None


def test_every_terraform_function_has_cases():
    """Three cases (normal use, an edge, an error) per function Terraform has, and one
    per namespaced spelling (core::abs), so coverage cannot silently shrink."""
    assert FUNCTIONS["terraform"] == RECORDING["terraform"]
    names = [n for n in FUNCTIONS["function_signatures"] if not n.startswith("provider::")]
    assert len(names) >= 200
    exprs = [c["expr"] for c in CASES]
    short = {}
    for name in names:
        need = 1 if "::" in name else 3
        found = sum(1 for e in exprs if _calls(name, e))
        if found < need:
            short[name] = found
    assert not short, f"functions with too few cases in cases.txt: {short}"


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
