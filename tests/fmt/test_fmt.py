"""vpnform fmt: byte-identical to ``terraform fmt`` on the fixture corpus, idempotent, and the
command's flags (-check, -diff, -recursive, -list, -write, stdin) and exit codes.

The goldens were recorded with Terraform 1.11 by tests/fmt/record_golden.py; Terraform is not
needed to run these tests.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.commands_fmt import cmd_fmt
from engine.cli.views import Console
from engine.config.fmt import format_source

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[1]
VPNFORM = str(REPO / ".venv" / "bin" / "vpnform") if (REPO / ".venv" / "bin" / "vpnform").exists() \
    else (shutil.which("vpnform") or "vpnform")

INPUTS = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".tf", ".tfvars"))
DIFF_INPUTS = ["align_mixed.tf", "comments_hash.tf", "crlf.tf", "no_trailing_newline.tf"]


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_corpus_is_large_enough():
    assert len(INPUTS) >= 25
    for name in INPUTS:
        assert (FIXTURES / (name + ".golden")).exists(), f"{name} has no golden"


@pytest.mark.parametrize("name", INPUTS)
def test_formats_like_terraform(name):
    assert format_source(read(FIXTURES / name)) == read(FIXTURES / (name + ".golden"))


@pytest.mark.parametrize("name", INPUTS)
def test_idempotent(name):
    golden = read(FIXTURES / (name + ".golden"))
    assert format_source(golden) == golden


EXAMPLES = sorted(p for p in (HERE.parents[1] / "examples").rglob("*")
                  if p.suffix in (".tf", ".tfvars"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_examples_are_canonical(path):
    """The repository's examples are already in `terraform fmt` style (checked with
    terraform when they were written): formatting them changes nothing."""
    text = read(path)
    assert format_source(text) == text


def test_crlf_kept():
    out = format_source("a = 1\r\nbb = 2\r\n")
    assert out == "a  = 1\r\nbb = 2\r\n"


def test_no_newline_added_to_file_output():
    # terraform fmt FILE does not add a final newline (only `fmt -` does)
    assert format_source("a=1") == "a = 1"


# ---------------------------------------------------------------------------------------
# the command, in process


def run(argv, cwd, stdin: bytes | None = None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, color=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        rc = cmd_fmt(argv, console)
    finally:
        os.chdir(old)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "main.tf").write_text("a=1\n")
    (tmp_path / "ok.tf").write_text("a = 1\n")
    (tmp_path / "vals.tfvars").write_text("x=2\n")
    (tmp_path / "notes.txt").write_text("a=1\n")
    (tmp_path / "sub" / "s.tf").write_text("b=2\n")
    (tmp_path / "sub" / "deeper" / "d.tf").write_text("c=3\n")
    (tmp_path / ".hidden" / "h.tf").write_text("d=4\n")
    return tmp_path


def test_check_lists_and_exits_3_without_writing(tree):
    rc, out, err = run(["-check"], tree)
    assert rc == 3
    assert out.splitlines() == ["main.tf", "vals.tfvars"]
    assert (tree / "main.tf").read_text() == "a=1\n"


def test_check_clean_exits_0(tree):
    rc, out, _ = run(["-check", "ok.tf"], tree)
    assert (rc, out) == (0, "")


def test_check_list_false(tree):
    rc, out, _ = run(["-check", "-list=false"], tree)
    assert (rc, out) == (3, "")


def test_writes_and_lists(tree):
    rc, out, _ = run([], tree)
    assert rc == 0 and out.splitlines() == ["main.tf", "vals.tfvars"]
    assert (tree / "main.tf").read_text() == "a = 1\n"
    assert (tree / "sub" / "s.tf").read_text() == "b=2\n"  # not recursive
    assert (tree / "notes.txt").read_text() == "a=1\n"
    rc, out, _ = run(["-check"], tree)
    assert (rc, out) == (0, "")


def test_write_false(tree):
    rc, out, _ = run(["-write=false"], tree)
    assert rc == 0 and out.splitlines() == ["main.tf", "vals.tfvars"]
    assert (tree / "main.tf").read_text() == "a=1\n"


def test_recursive_skips_hidden(tree):
    rc, out, _ = run(["-recursive"], tree)
    assert rc == 0
    assert out.splitlines() == ["main.tf", "sub/deeper/d.tf", "sub/s.tf", "vals.tfvars"]
    assert (tree / "sub" / "deeper" / "d.tf").read_text() == "c = 3\n"
    assert (tree / ".hidden" / "h.tf").read_text() == "d=4\n"


def test_directory_argument_prefixes_names(tree):
    rc, out, _ = run(["-check", "-recursive", "sub"], tree)
    assert rc == 3 and out.splitlines() == ["sub/deeper/d.tf", "sub/s.tf"]


def test_diff(tree):
    rc, out, _ = run(["-diff", "-list=false", "-write=false", "main.tf"], tree)
    assert rc == 0
    assert out == "--- old/main.tf\n+++ new/main.tf\n@@ -1 +1 @@\n-a=1\n+a = 1\n"


def test_check_diff_matches_terraform(tmp_path):
    for name in DIFF_INPUTS:
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    proc = subprocess.run([VPNFORM, "fmt", "-no-color", "-check", "-diff", "."],
                          cwd=tmp_path, capture_output=True)
    assert proc.returncode == 3, proc.stderr.decode()
    assert proc.stdout == (HERE / "cli" / "check_diff.out").read_bytes()


def test_syntax_error_exit_2_others_still_formatted(tree):
    (tree / "bad.tf").write_text('resource "a" "b" {\n  x = \n}\n')
    rc, out, err = run([], tree)
    assert rc == 2
    assert "Error: " in err and "bad.tf:2," in err and "  2:   x = " in err
    assert (tree / "main.tf").read_text() == "a = 1\n"
    assert (tree / "bad.tf").read_text() == 'resource "a" "b" {\n  x = \n}\n'


def test_missing_path_and_wrong_extension(tree):
    rc, _, err = run(["nope.tf"], tree)
    assert rc == 2 and "No file or directory at nope.tf" in err
    rc, _, err = run(["notes.txt"], tree)
    assert rc == 2 and "Only .tf, .tfvars, and .tftest.hcl files" in err


def test_bad_flag_is_usage_error(tree):
    from engine.cli.args import UsageError
    with pytest.raises(UsageError):
        run(["-bogus"], tree)


def test_stdin(tree, monkeypatch):
    rc, out, _ = run(["-"], tree, stdin=b"a=1", monkeypatch=monkeypatch)
    assert (rc, out) == (0, "a = 1\n")
    rc, out, _ = run(["-check", "-"], tree, stdin=b"a=1\n", monkeypatch=monkeypatch)
    assert (rc, out) == (3, "")
    rc, out, _ = run(["-check", "-"], tree, stdin=b"a = 1\n", monkeypatch=monkeypatch)
    assert (rc, out) == (0, "")


# ---------------------------------------------------------------------------------------
# the real executable


def vf(*args, cwd, stdin=None):
    return subprocess.run([VPNFORM, *args], cwd=cwd, capture_output=True, input=stdin)


def test_cli_formats_examples_copy(tmp_path):
    for name in DIFF_INPUTS:
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    p = vf("fmt", cwd=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode().splitlines() == DIFF_INPUTS
    for name in DIFF_INPUTS:
        assert (tmp_path / name).read_bytes() == (FIXTURES / (name + ".golden")).read_bytes()
    p = vf("fmt", "-check", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, b"")


def test_cli_chdir_and_check(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "main.tf").write_text("x   =   1\n")
    p = vf("-chdir=cfg", "fmt", "-check", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (3, b"main.tf\n")


def test_cli_syntax_error(tmp_path):
    (tmp_path / "main.tf").write_text("a = \n")
    p = vf("fmt", "-no-color", cwd=tmp_path)
    assert p.returncode == 2
    assert b"Error: " in p.stderr and b"main.tf:1," in p.stderr


def test_cli_stdin(tmp_path):
    p = vf("fmt", "-", cwd=tmp_path, stdin=b'resource aws_instance x {\nami="a"\n}')
    assert p.returncode == 0
    assert p.stdout == b'resource "aws_instance" "x" {\n  ami = "a"\n}\n'


def test_repository_examples_are_formatted():
    for example in sorted(p for p in (REPO / "examples").iterdir() if p.is_dir()):
        p = vf("fmt", "-check", "-no-color", cwd=example)
        assert p.returncode in (0, 3), p.stderr.decode()
