"""Human views: diagnostics with source snippets, apply progress, outputs.

Everything the CLI prints for people goes through here. Secrets never do: values pass
through the same (sensitive value) rendering as the plan.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import textwrap
import threading
from typing import Any, TextIO

from ..diagnostics import Diagnostic, Severity
from ..hooks import Hooks
from ..plan.render import scalar_text
from ..state.json_state import scrub
from ..values import Sensitive, redact_text, sensitive_strings, value_at

RED, YELLOW, BOLD, RESET = "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"


class Console:
    """Where output goes, and whether it is coloured."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 color: bool = True):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.color = color
        self.lock = threading.Lock()
        # Text forms of every sensitive value this run knows (sensitive variables, state):
        # a last line of defence, so no message can print one.
        self.secrets: set[str] = set()
        # the -json message stream (json_ui.JsonUI) when one is on: diagnostics go there
        self.ui = None

    def add_secrets_from(self, value) -> None:
        self.secrets |= sensitive_strings(value)

    def add_state_secrets(self, state) -> None:
        """Every sensitive attribute and sensitive output recorded in ``state``. Every verb
        that reads a state calls this, so none of its messages can print one."""
        if state is None:
            return
        for _addr, _rs, obj in state.instances():
            # (recorded attributes are plain: what is secret is what the paths name)
            for path in obj.sensitive_paths:
                found = value_at(obj.attributes, path)
                if found is not None:
                    self.add_secrets_from(Sensitive(found))
        for ov in state.outputs.values():
            if ov.sensitive:
                self.add_secrets_from(Sensitive(ov.value))

    def print(self, text: str = "", err: bool = False) -> None:
        text = redact_text(text, self.secrets)
        self.print_unredacted(text + "\n", err)

    def print_json(self, doc: Any, **dumps: Any) -> None:
        """A JSON document with every known secret scrubbed from its strings first, so
        that what is printed stays valid JSON."""
        self.print(json.dumps(scrub(doc, self.secrets), ensure_ascii=False, **dumps))

    def print_unredacted(self, text: str, err: bool = False) -> None:
        """For a secret the user asked for by name (``output -raw NAME``, ``show -json
        -show-sensitive``): written as is."""
        with self.lock:
            stream = self.err if err else self.out
            stream.write(text)
            stream.flush()

    def bold(self, s: str) -> str:
        return f"{BOLD}{s}{RESET}" if self.color else s


def source_lines(filename: str, files: dict[str, str]) -> tuple[str, ...] | None:
    """The lines of a configuration file (from ``files``, else read from disk) as
    diagnostics number them: split at newlines only, without a trailing CR."""
    src = files.get(filename)
    if src is None:
        try:
            with open(filename, encoding="utf-8") as fh:
                src = fh.read()
        except OSError:
            return None
    return _split_lines(src)


@functools.lru_cache(maxsize=8)
def _split_lines(src: str) -> tuple[str, ...]:
    # cached: a plan of 10,000 resources may show a diagnostic for each, all in one file
    return tuple(line.rstrip("\r") for line in src.split("\n"))


def render_diagnostic(d: Diagnostic, files: dict[str, str], color: bool = False,
                      width: int = 0) -> str:
    """Terraform's boxed diagnostic, plus the ``file:line,col`` and a marked range."""
    is_err = d.severity is Severity.ERROR
    bar_color = (RED if is_err else YELLOW) if color else ""
    reset = RESET if color else ""
    bar = f"{bar_color}│{reset}"
    lines = [f"{bar_color}╷{reset}"]
    title = ("Error: " if is_err else "Warning: ") + d.summary
    lines.append(f"{bar} {BOLD + title + RESET if color else title}")
    lines.append(bar)
    if d.subject is not None:
        r = d.subject
        where = f"  on {r.filename}:{r.start.line},{r.start.column}"
        if d.address:
            where += f", in {d.address}"
        lines.append(f"{bar} {where}:")
        src_lines = source_lines(r.filename, files)
        if src_lines is not None:
            if 1 <= r.start.line <= len(src_lines):
                text = src_lines[r.start.line - 1]
                prefix = f"  {r.start.line}: "
                lines.append(f"{bar} {prefix}{text}")
                start_col = max(1, r.start.column)
                end_col = r.end.column if r.end.line == r.start.line else len(text) + 1
                end_col = max(end_col, start_col + 1)
                caret_len = min(end_col, len(text) + 1) - start_col
                lines.append(f"{bar} {' ' * (len(prefix) + start_col - 1)}"
                             f"{'^' * max(1, caret_len)}")
        lines.append(bar)
    elif d.address:
        lines.append(f"{bar}   with {d.address}")
        lines.append(bar)
    for para in (d.detail or "").split("\n"):
        if not para:
            lines.append(bar)
            continue
        # Like Terraform: wrap to the terminal's width; never wrap when not a terminal.
        for chunk in (textwrap.wrap(para, width - 2) if width > 20 else [para]):
            lines.append(f"{bar} {chunk}")
    lines.append(f"{bar_color}╵{reset}")
    return "\n".join(lines)


def print_diagnostics(console: Console, diags, files: dict[str, str]) -> None:
    if console.ui is not None:
        console.ui.diagnostics(diags, files)
        return
    for d in diags:
        stream = console.err if d.is_error else console.out
        width = shutil.get_terminal_size((0, 0)).columns if stream.isatty() else 0
        console.print(render_diagnostic(d, files, console.color, width), err=d.is_error)


def lock_wait_notice(console: Console):
    """What ``-lock-timeout`` says once, on stderr, when it starts waiting for a lock
    another run holds (a waiting pipeline's log shows whom it waits for)."""
    def notice(err) -> None:
        info = getattr(err, "info", None)
        holder = (f" held by {info.who} ({info.operation}, since {info.created}, lock ID "
                  f"{info.id})" if info is not None else "")
        console.print(f"Acquiring state lock: the state is locked{holder}. Waiting for it "
                      "to be released (-lock-timeout)...", err=True)
    return notice


def print_targets(console: Console, providers) -> None:
    """One line per configured provider that names what it talks to (``Provider.target``),
    at the top of plan and apply: where a run makes its changes is never a surprise."""
    for addr, target in providers.targets():
        text = f"Provider {addr}: {target}"
        if console.ui is not None:
            console.ui.log(text)
        else:
            console.print(text)


# ---------------------------------------------------------------------------------------
# apply progress


_VERB = {"create": ("Creating...", "Creation complete", "Still creating..."),
         "update": ("Modifying...", "Modifications complete", "Still modifying..."),
         "delete": ("Destroying...", "Destruction complete", "Still destroying..."),
         "read": ("Reading...", "Read complete", "Still reading..."),
         "import": ("Importing...", "Import complete", "Still importing...")}


def _elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"


class HumanHooks(Hooks):
    def __init__(self, console: Console):
        self.console = console

    def pre_apply(self, address: str, action: str, id: str | None) -> None:
        verb = _VERB[action][0]
        suffix = f" [id={id}]" if id and action != "create" else ""
        self.console.print(self.console.bold(f"{address}: {verb}{suffix}"))

    def progress_apply(self, address, action, id, elapsed) -> None:
        suffix = f"id={id}, " if id else ""
        self.console.print(self.console.bold(
            f"{address}: {_VERB[action][2]} [{suffix}{_elapsed(elapsed)} elapsed]"))

    def post_apply(self, address, action, id, elapsed, error) -> None:
        if error:
            return
        text = f"{address}: {_VERB[action][1]}"
        if action != "import":  # Terraform gives no duration for an import
            text += f" after {_elapsed(elapsed)}"
        if id and action != "delete":
            text += f" [id={id}]"
        self.console.print(self.console.bold(text))

    def pre_refresh(self, address: str, id: str | None) -> None:
        self.console.print(f"{address}: Refreshing state... [id={id}]")

    def interrupted(self) -> None:
        self.console.print("Interrupt received.\nPlease wait for vpnform to exit or data loss "
                           "may occur.\nGracefully shutting down...", err=True)


# ---------------------------------------------------------------------------------------
# values as the output command and apply summary show them


def hcl_value(v: Any, indent: int = 0) -> str:
    """A value in Terraform's output syntax (``terraform output``)."""
    pad = " " * indent
    if not isinstance(v, (list, dict)):
        return scalar_text(v)
    if isinstance(v, list):
        if not v:
            return "[]"
        inner = ",\n".join(f"{pad}  {hcl_value(x, indent + 2)}" for x in v)
        return f"[\n{inner},\n{pad}]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        width = max(len(json.dumps(k) if not k.isidentifier() else k) for k in v)
        rows = []
        for k in sorted(v):
            key = k if k.isidentifier() else json.dumps(k)
            rows.append(f"{pad}  {key.ljust(width)} = {hcl_value(v[k], indent + 2)}")
        return "{\n" + "\n".join(rows) + f"\n{pad}}}"
    return json.dumps(v)


def render_outputs(outputs: dict) -> list[str]:
    """``name = value`` lines; sensitive outputs show as <sensitive>."""
    lines = []
    for name in sorted(outputs):
        ov = outputs[name]
        lines.append(f"{name} = " + ("<sensitive>" if ov.sensitive else hcl_value(ov.value)))
    return lines
