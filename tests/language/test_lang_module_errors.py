"""One harness over tests/language/fixtures/invalid_modules/<case>/: invalid configurations
that need more than one directory (a root module and the modules it calls).

Each case directory is copied as a working directory (with the providers.tf of
test_lang_fixtures added when the case has none) and planned through the real ``vpnform``
binary. A line carrying ``# ERROR: <summary> @ <token>`` (or ``# WARNING: ...``), in any
.tf file of the case, must produce exactly that diagnostic, in that file (named relative to
the root module, as vpnform prints it: ``modules/site/main.tf``), at that line, starting at
the column where ``<token>`` first occurs on the line; nothing else may be reported."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from cli import diagnostics, run
from test_lang_fixtures import PROVIDERS_TF

ROOT = Path(__file__).parent / "fixtures" / "invalid_modules"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())
_MARK = re.compile(r"#\s*(ERROR|WARNING):\s*(.+?)\s+@\s+(.+?)\s*$")

# Besides the summary and position, what the detail must say.
DETAILS = {
    "unsupported_argument": ['Did you mean "name"?'],
    "missing_required_argument": ['"ip"'],
    "recursive_call": ["module.outer.module.again"],
    "duplicate_module_call": ["main.tf:1"],
    "for_each_list_of_numbers": ["set of strings"],
    "undeclared_output": ['"nope"'],
    "undeclared_module": ['"sight"'],
}

XFAIL: dict[str, str] = {}


def expected(case_dir: Path) -> set[tuple[str, str, int, int, str]]:
    """{(severity, filename, line, column, summary)} from the markers of every .tf file."""
    out = set()
    for f in sorted(case_dir.rglob("*.tf")):
        rel = f.relative_to(case_dir).as_posix()
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            m = _MARK.search(line)
            if m:
                code = line[:m.start()]
                token = m.group(3)
                assert token in code, f"{rel}:{i}: marker token {token!r} not on the line"
                sev = "Error" if m.group(1) == "ERROR" else "Warning"
                out.add((sev, rel, i, code.index(token) + 1, m.group(2)))
    return out


def test_cases_exist():
    assert len(CASES) >= 14
    for case in CASES:
        assert expected(ROOT / case), f"{case} carries no # ERROR: / # WARNING: marker"


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=XFAIL[c])) if c in XFAIL
    else c for c in CASES])
def test_module_error_case(case, tmp_path):
    src = ROOT / case
    want = expected(src)
    workdir = tmp_path / case
    shutil.copytree(src, workdir)
    if not (workdir / "providers.tf").exists():
        (workdir / "providers.tf").write_text(PROVIDERS_TF, encoding="utf-8")
    res = run(workdir, "plan")
    diags = diagnostics(res.output)
    got = {(d.severity, d.filename, d.line, d.col, d.summary) for d in diags}
    assert got == want, res
    has_errors = any(sev == "Error" for sev, *_ in want)
    assert (res.code != 0) == has_errors, res
    for needle in DETAILS.get(case, []):
        assert any(needle in d.detail for d in diags), (needle, res)
    # the files of the called modules are shown relative to the root module
    for d in diags:
        assert d.filename and not os.path.isabs(d.filename), d.raw
