"""One harness over tests/config/fixtures/invalid/*.tf: every line carrying a trailing
``# ERROR: <summary>`` comment must produce exactly that error, at that line, and nothing
else may fail. Each fixture is loaded as a module, its variables collected, its locals and
outputs evaluated and its resources decoded against the fake schema in cfg_helpers."""

from __future__ import annotations

import glob
import os
import re

import pytest
from cfg_helpers import FAKE_SCHEMAS, module_context, write_module

from engine.config.decode import decode_body
from engine.config.evaluate import evaluate
from engine.config.loader import load_module
from engine.config.variables import collect_variable_values
from engine.diagnostics import Diagnostics

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "fixtures", "invalid",
                                         "*.tf")))
_MARK = re.compile(r"#\s*ERROR:\s*(.+?)\s*$")


def expected_errors(text: str) -> set[tuple[int, str]]:
    out = set()
    for i, line in enumerate(text.splitlines(), 1):
        m = _MARK.search(line)
        if m:
            out.add((i, m.group(1)))
    return out


def check_module(moddir: str) -> Diagnostics:
    diags = Diagnostics()
    module, d = load_module(moddir)
    diags.extend(d)
    if module is None or d.has_errors:
        return diags
    values, d = collect_variable_values(module, workdir=moddir, environ={})
    diags.extend(d)
    ctx = module_context(module, values)
    diags.extend(ctx.locals.evaluate_all())
    for addr, res in module.resources.items():
        schema = FAKE_SCHEMAS[addr.type]
        ctx_res = module_context(module, values)
        ctx_res.locals = ctx.locals  # one evaluation of each local
        if res.count is not None:
            ctx_res.count_index = 0
        if res.for_each is not None:
            ctx_res.each_key, ctx_res.each_value, ctx_res.has_each = "a", "a", True
        diags.extend(decode_body(res.body, schema, ctx_res, res.range).diagnostics)
    for out in module.outputs.values():
        diags.extend(evaluate(out.expr, ctx)[1])
    return diags


def test_fixtures_exist():
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_invalid_fixture(path, tmp_path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    expected = expected_errors(text)
    assert expected, f"{path} has no # ERROR: marks"
    moddir = write_module(tmp_path, {"main.tf": text})
    diags = check_module(moddir)
    got = set()
    for d in diags.errors:
        assert d.subject is not None, f"error without a source range: {d.summary}"
        assert d.subject.filename == "main.tf"
        assert d.detail.strip().endswith((".", "?")) or "\n" in d.detail, d.detail
        got.add((d.subject.start.line, d.summary))
    missing = expected - got
    unexpected = got - expected
    assert not missing and not unexpected, (
        f"\nmissing:    {sorted(missing)}\nunexpected: {sorted(unexpected)}\nall: "
        + "\n  ".join(f"{d.subject}: {d.summary}: {d.detail}" for d in diags))
