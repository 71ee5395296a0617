"""The views of a reachability matrix (``graph -type=reachability``): DOT, a text table, JSON.

The matrix itself comes from the providers (``Provider.reachability``); this module only
draws it.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from ..providers import ReachabilityCell, ReachabilityMatrix

FORMATS = ("dot", "table", "json")
_EDGE_STYLE = {"reachable": 'color = "darkgreen"',
               "unreachable": 'color = "red", style = "dashed"',
               "unknown": 'color = "gray", style = "dotted"',
               "no-subnet": 'color = "gray", style = "dashed"'}


def _local(cell: ReachabilityCell) -> str:
    return f"{cell.subnet} ({cell.local_cidr})" if cell.subnet else cell.local_cidr


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(m: ReachabilityMatrix) -> str:
    """Subnets on the left, remote ranges on the right; one edge per declared pair, labelled
    with its tunnel (reachable) or the reason there is none. Undeclared pairs are left out."""
    lines = ["digraph reachability {", '  rankdir = "LR";',
             '  node [shape = rect, fontname = "sans-serif"];']
    locals_ = sorted({_local(c) for c in m.cells})
    remotes = sorted({c.remote_cidr for c in m.cells})
    for name in locals_:
        lines.append(f"  {_quote(name)};")
    for name in remotes:
        lines.append(f"  {_quote(name)} [shape = ellipse];")
    for c in m.cells:
        if c.status == "undeclared":
            continue
        label = c.tunnel if c.status == "reachable" else f"{c.status}: {c.reason}"
        lines.append(f"  {_quote(_local(c))} -> {_quote(c.remote_cidr)} "
                     f"[label = {_quote(label or '')}, {_EDGE_STYLE[c.status]}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _path(c: ReachabilityCell) -> str:
    if c.status == "reachable":
        return str(c.tunnel)
    if c.status == "undeclared":
        return "- (no SPD declares this pair)"
    return f"{c.status.upper()}: {c.reason}"


def to_table(m: ReachabilityMatrix) -> str:
    """One line per pair: subnet, its range, the remote range, and the tunnel or reason."""
    head = ["SUBNET", "LOCAL RANGE", "REMOTE RANGE", "TUNNEL, OR WHY NOT"]
    rows = [[c.subnet or "(no subnet)", c.local_cidr, c.remote_cidr, _path(c)] for c in m.cells]
    if not rows:
        return "No SPD in this configuration declares a pair of ranges.\n"
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(3)]
    out = []
    for r in [head] + rows:
        out.append("  ".join(x.ljust(w) for x, w in zip(r, widths)) + "  " + r[3])
    counts = {s: sum(1 for c in m.cells if c.status == s)
              for s in ("reachable", "unreachable", "unknown", "no-subnet")}
    out.append("")
    out.append(f"{counts['reachable']} reachable, {counts['unreachable']} unreachable, "
               f"{counts['unknown']} unknown until apply, {counts['no-subnet']} with no subnet.")
    return "\n".join(out) + "\n"


def to_json(m: ReachabilityMatrix) -> str:
    doc = {"format_version": "1.0", "pairs": [asdict(c) for c in m.cells]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(m: ReachabilityMatrix, fmt: str) -> str:
    return {"dot": to_dot, "table": to_table, "json": to_json}[fmt](m)
