"""File and path functions, against answers recorded from `terraform console` 1.11.4
(in a directory holding a.txt = "hello\\n")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

VPNFORM = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "vpnform")

RECORDED = [
    ('fileexists("a.txt")', "true"),
    ('fileexists("nope.txt")', "false"),
    ('filebase64("a.txt")', '"aGVsbG8K"'),
    ('filemd5("a.txt")', '"b1946ac92492d2347c6235b4d2611184"'),
    ('filesha256("a.txt")',
     '"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"'),
    ('basename("foo/bar/baz.txt")', '"baz.txt"'),
    ('dirname("foo/bar/baz.txt")', '"foo/bar"'),
    ('dirname("baz.txt")', '"."'),
    ('basename("foo/bar/")', '"bar"'),
    ('dirname("foo/bar/")', '"foo/bar"'),
    ('basename("")', '"."'),
    ('dirname("/")', '"/"'),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    d = tmp_path_factory.mktemp("files")
    (d / "a.txt").write_text("hello\n")
    (d / "main.tf").write_text("locals {\n  x = 1\n}\n")
    out = subprocess.run([VPNFORM, "console"], cwd=d, capture_output=True, text=True,
                         input="\n".join(e for e, _ in RECORDED) + "\n", timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.mark.parametrize("index", range(len(RECORDED)), ids=[e for e, _ in RECORDED])
def test_matches_terraform(answers, index):
    assert answers[index] == RECORDED[index][1]


def test_templatefile_matches_terraform(tmp_path):
    (tmp_path / "main.tf").write_text("locals {\n  x = 1\n}\n")
    (tmp_path / "t.tpl").write_text("Hello ${name}!\n%{ for p in peers ~}\n- ${p}\n%{ endfor ~}\n")
    (tmp_path / "n.tpl").write_text("x=${a}")
    exprs = ['templatefile("t.tpl", { name = "Tom", peers = ["10.0.1.0/24", "10.0.2.0/24"] })',
             'templatefile("n.tpl", {a = 1})']
    out = subprocess.run([VPNFORM, "console"], cwd=tmp_path, capture_output=True, text=True,
                         input="\n".join(exprs) + "\n", timeout=60)
    assert out.returncode == 0, out.stderr
    # as terraform console 1.11.4 printed them
    assert out.stdout == ("<<EOT\nHello Tom!\n- 10.0.1.0/24\n- 10.0.2.0/24\n\nEOT\n"
                          '"x=1"\n')
    bad = subprocess.run([VPNFORM, "console"], cwd=tmp_path, capture_output=True, text=True,
                         input='templatefile("n.tpl", {})\n', timeout=60)
    assert bad.returncode == 1
    assert ('Invalid value for "vars" parameter: vars map does not contain key "a", '
            "referenced at n.tpl:1,5-6") in bad.stderr
