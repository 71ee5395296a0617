"""A large file that can be cached is parsed in a forked child that writes the parse cache,
and the command loads the tree from there (issue #14: the parser's working memory never
joins the command's peak). What the user gets is the same tree and the same diagnostics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import hcl
from engine.config.hcl_treesitter import dump

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")

SOURCE = "".join(f'''
resource "tencentcloud_vpc" "v{i}" {{
  name       = "vpc-{i}"
  cidr_block = "10.{i % 250}.0.0/16"
  tags       = {{ n = "${{var.prefix}}-{i}", list = [1, 2, {i}] }}
}}
''' for i in range(40))


def test_a_large_file_parsed_in_a_child_is_the_tree_parsed_in_process(tmp_path, monkeypatch):
    cache = tmp_path / "ast-cache"
    monkeypatch.setattr(hcl, "FORK_MIN_CHARS", 1)
    body, diags = hcl.parse(SOURCE, "main.tf", str(cache))
    assert body is not None and not diags.has_errors
    entries = list(cache.rglob("*.ast"))
    assert len(entries) == 1 and entries[0].stat().st_mode & 0o777 == 0o600
    alone, _ = hcl._parse_uncached(SOURCE, "main.tf")
    assert dump(body) == dump(alone)


def test_a_syntax_error_in_a_large_file_is_reported_as_in_process(tmp_path, monkeypatch):
    broken = SOURCE + '\nresource "tencentcloud_vpc" "bad" {\n  name = \n}\n'
    expected_body, expected = hcl._parse_uncached(broken, "main.tf")
    assert expected_body is None and expected.has_errors
    monkeypatch.setattr(hcl, "FORK_MIN_CHARS", 1)
    body, diags = hcl.parse(broken, "main.tf", str(tmp_path / "ast-cache"))
    assert body is None
    assert [(d.summary, str(d.subject)) for d in diags] == \
        [(d.summary, str(d.subject)) for d in expected]
    assert not list((tmp_path / "ast-cache").rglob("*.ast"))


def test_the_command_never_loads_the_parser_for_a_large_file(tmp_path: Path):
    """The parent only loads the cache entry: the parser's modules (and their memory) stay
    in the child."""
    src = tmp_path / "main.tf"
    src.write_text(SOURCE * 1)
    code = (
        "import sys\n"
        "from engine.config import hcl\n"
        "hcl.FORK_MIN_CHARS = 1\n"
        f"body, diags = hcl.parse(open({str(src)!r}).read(), 'main.tf', {str(tmp_path / 'c')!r})\n"
        "assert body is not None and len(body.blocks) == 40\n"
        "print(sorted(m for m in ('engine.config.hcl_treesitter', 'engine.config.hcl_parser',"
        " 'tree_sitter', 'lark') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
