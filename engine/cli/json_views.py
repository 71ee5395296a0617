"""Machine-readable views in Terraform's JSON shapes (diagnostics, validate -json,
show -json)."""

from __future__ import annotations

import json
import os
import re

from ..diagnostics import Diagnostic, Diagnostics
from ..version import VERSION
from .views import Console, print_diagnostics, source_lines

_HEADER = re.compile(r'^([A-Za-z_][\w-]*)((?:\s+(?:"[^"]*"|[A-Za-z_][\w-]*))*)\s*\{\s*$')


def _context(lines: tuple[str, ...], line_no: int) -> str | None:
    """The header of the top-level block enclosing ``line_no`` (as Terraform's snippet
    context shows it), or None at top level / on the header itself."""
    for i in range(line_no - 2, -1, -1):
        text = lines[i]
        if text and not text[0].isspace():
            m = _HEADER.match(text)
            if m:
                return (m.group(1) + m.group(2)).strip()
            return None
    return None


def diagnostic_json(d: Diagnostic, files: dict[str, str]) -> dict:
    out: dict = {"severity": d.severity.value, "summary": d.summary, "detail": d.detail}
    if d.address:
        out["address"] = d.address
    if d.subject is not None:
        r = d.subject
        out["range"] = r.to_json()
        lines = source_lines(r.filename, files)
        if lines is not None and 1 <= r.start.line <= len(lines):
            code = lines[r.start.line - 1]
            start = max(0, r.start.column - 1)
            end = (r.end.column - 1) if r.end.line == r.start.line else len(code)
            out["snippet"] = {
                "context": _context(lines, r.start.line),
                "code": code,
                "start_line": r.start.line,
                "highlight_start_offset": start,
                "highlight_end_offset": max(start, min(end, len(code))),
                "values": [],
            }
    return out


def validate_json(diags: Diagnostics, files: dict[str, str]) -> dict:
    errors = sum(1 for d in diags if d.is_error)
    return {
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": len(diags) - errors,
        "diagnostics": [diagnostic_json(d, files) for d in diags],
    }


# --- show -json -----------------------------------------------------------------------

def _emit_document(console: Console, doc: dict, show_sensitive: bool) -> None:
    if show_sensitive:  # asked for: bypass the Console's redaction of known secrets
        console.print_unredacted(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                                 + "\n")
    else:
        console.print_json(doc, separators=(",", ":"))


def show_json(console: Console, path: str | None, show_sensitive: bool) -> int:
    """``vpnform show -json [PLANFILE]``."""
    from ..operations import OperationFailed, read_state
    from ..state.json_state import state_json
    workdir = os.getcwd()
    try:
        state = read_state(workdir)
    except OperationFailed:
        if path is None:
            raise
        state = None
    console.add_state_secrets(state)
    if path is None:
        _emit_document(console, state_json(state, VERSION, show_sensitive), show_sensitive)
        return 0
    doc = load_plan_document(console, path, workdir, show_sensitive,
                             ", or no argument to show the state")
    if doc is None:
        return 1
    _emit_document(console, doc, show_sensitive)
    return 0


def load_plan_document(console: Console, path: str, workdir: str, show_sensitive: bool,
                       usage_hint: str = "") -> dict | None:
    """The saved plan's JSON document (decrypted with the working directory's plan
    encryption), its variables' secrets registered with ``console``; None after printing
    the diagnostic when ``path`` is no plan file or cannot be read."""
    from ..operations import plan_encryption_for
    from ..plan import planfile
    d = Diagnostics()
    if not planfile.is_plan_file(path):
        d.error("Failed to read the given file as a plan",
                f"{path} is not a vpnform plan file. Pass a file written by "
                f"vpnform plan -out=FILE{usage_hint}.")
        print_diagnostics(console, d, {})
        return None
    try:
        encryption = plan_encryption_for(workdir)
        doc = planfile.read_plan_json(path, workdir, show_sensitive, encryption)
        console.add_secrets_from(planfile.read_plan_file(path, workdir, encryption).variables)
    except planfile.PlanFileError as err:
        d.error("Failed to load the saved plan", str(err))
        print_diagnostics(console, d, {})
        return None
    return doc
