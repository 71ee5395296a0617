"""``vpnform fmt``: rewrite configuration files in canonical style, like ``terraform fmt``.

``vpnform fmt [-list=false] [-write=false] [-diff] [-check] [-recursive] [DIR|FILE|-]...``

Formats *.tf, *.tfvars and *.tftest.hcl files (of the current directory when no path is
given; ``-`` reads standard input and prints the result). Names of changed files are
listed; ``-diff`` prints a unified diff (``--- old/PATH`` / ``+++ new/PATH``); ``-check``
writes nothing and exits 3 if any file is not formatted. A file that does not parse is
reported as a diagnostic and makes the exit code 2 (the other files are still processed).
Hidden files and directories are skipped, as Terraform does.
"""

from __future__ import annotations

import os
import sys

from ..config.fmt import check_syntax, format_source
from ..diagnostics import Diagnostics
from .args import BOOL, NO_COLOR, Flag, Verb, command, parse
from .views import Console, print_diagnostics

EXTENSIONS = (".tf", ".tfvars", ".tftest.hcl")

FMT = Verb(
    "fmt", "Reformat your configuration in the standard style", usage="[options] [target...]",
    description="""
        Rewrites all vpnform configuration files to a canonical format. All configuration
        files (.tf), variables files (.tfvars), and testing files (.tftest.hcl) are
        updated. JSON files (.tf.json, .tfvars.json, or .tftest.json) are not modified.

        By default, fmt scans the current directory for configuration files. If you
        provide a directory for the target argument, then fmt will scan that directory
        instead. If you provide a file, then fmt will process just that file. If you
        provide a single dash ("-"), then fmt will read from standard input (STDIN).

        The content must be in the vpnform language native syntax; JSON is not
        supported.""",
    flags={"list": Flag(BOOL, "Don't list files whose formatting differs (always disabled "
                        "if using STDIN).", "=false"),
           "write": Flag(BOOL, "Don't write to source files (always disabled if using STDIN "
                         "or -check).", "=false"),
           "diff": Flag(BOOL, "Display diffs of formatting changes."),
           "check": Flag(BOOL, "Check if the input is formatted. Exit status will be 0 if all "
                         "input is properly formatted and non-zero otherwise."),
           "no-color": NO_COLOR,
           "recursive": Flag(BOOL, "Also process files in subdirectories. By default, only "
                             "the given directory (or current directory) is processed.")})


def unified_diff(old: str, new: str, path: str) -> str:
    """``diff -u --label=old/PATH --label=new/PATH`` output, as terraform fmt -diff prints."""
    import difflib

    def lines(text: str) -> list[str]:
        parts = text.split("\n")
        out = [p + "\n" for p in parts[:-1]]
        if parts[-1]:
            out.append(parts[-1])
        return out

    chunks = []
    for line in difflib.unified_diff(lines(old), lines(new), f"old/{path}", f"new/{path}"):
        if line.startswith(("---", "+++")) and line.endswith("\n"):
            chunks.append(line)
            continue
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        chunks.append(line)
    return "".join(chunks)


class _Run:
    def __init__(self, args, console: Console):
        self.console = console
        self.list = args.get("list", True)
        self.write = args.get("write", True) and not args.get("check")
        self.diff = args.get("diff", False)
        self.check = args.get("check", False)
        self.recursive = args.get("recursive", False)
        self.changed = False
        self.diags = Diagnostics()
        self.files: dict[str, str] = {}

    def source(self, data: bytes, path: str) -> str | None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            self.diags.error("Invalid character encoding",
                             f"{path} is not valid UTF-8 (byte {err.start}). Save the file "
                             "as UTF-8 and run fmt again.")
            return None

    def formatted(self, src: str, path: str) -> str | None:
        diags = check_syntax(src, path)
        if diags.has_errors:
            self.files[path] = src
            self.diags.extend(diags)
            return None
        return format_source(src)

    def file(self, path: str) -> None:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as err:
            self.diags.error("Failed to read file", f"{path}: {err.strerror}.")
            return
        src = self.source(data, path)
        if src is None:
            return
        result = self.formatted(src, path)
        if result is None or result == src:
            return
        self.changed = True
        if self.list:
            self.console.print(path)
        if self.write:
            try:
                with open(path, "wb") as f:
                    f.write(result.encode("utf-8"))
            except OSError as err:
                self.diags.error("Failed to write file", f"{path}: {err.strerror}.")
                return
        if self.diff:
            self.console.print(unified_diff(src, result, path).rstrip("\n"))

    def directory(self, path: str) -> None:
        try:
            names = sorted(os.listdir(path))
        except OSError as err:
            self.diags.error("Failed to read directory", f"{path}: {err.strerror}.")
            return
        for name in names:
            if name.startswith("."):
                continue
            sub = name if path == "." else os.path.join(path, name)
            if os.path.isdir(sub):
                if self.recursive:
                    self.directory(sub)
            elif name.endswith(EXTENSIONS):
                self.file(sub)

    def stdin(self) -> None:
        src = self.source(sys.stdin.buffer.read(), "<stdin>")
        if src is None:
            return
        result = self.formatted(src, "<stdin>")
        if result is None:
            return
        self.changed = self.changed or result != src
        if self.check:
            return
        if self.diff:
            if result != src:
                self.console.print(unified_diff(src, result, "<stdin>").rstrip("\n"))
            return
        # like terraform: the result, with a newline added if it lacks one
        self.console.print(result[:-1] if result.endswith("\n") else result)


@command(FMT)
def cmd_fmt(argv: list[str], console: Console) -> int:
    args = parse(argv, FMT)
    if args.get("no-color"):
        console.color = False
    run = _Run(args, console)
    paths = args.positional or ["."]
    for path in paths:
        if path == "-":
            run.stdin()
        elif os.path.isdir(path):
            run.directory(path)
        elif not os.path.exists(path):
            run.diags.error(f"No file or directory at {path}")
        elif not path.endswith(EXTENSIONS):
            run.diags.error("Only .tf, .tfvars, and .tftest.hcl files can be processed with "
                            "vpnform fmt")
        else:
            run.file(path)
    if run.diags:
        print_diagnostics(console, run.diags, run.files)
    if run.diags.has_errors:
        return 2
    if run.check and run.changed:
        return 3
    return 0
