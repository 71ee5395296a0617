"""A plan as a pull-request comment (GitHub / GitLab flavoured markdown).

The diffs are the human plan's own lines (render.render_change), with each change symbol
moved to the first column so a ``diff`` code block colours them. Secrets are redacted as
in the human plan (``(sensitive value)``). Text from the plan (addresses, values, messages)
is escaped: it cannot close a code block, open HTML or break the layout. A comment longer
than GitHub's limit is cut at a resource boundary, with a note saying so.
"""

from __future__ import annotations

import html
import re

from ..providers import HOURS_PER_MONTH
from .cost import CostReport, signed
from .model import Action, Plan, ResourceInstanceChange
from .render import Styler, plan_counts_text, render_change, render_output_changes

COMMENT_LIMIT = 65536  # GitHub's limit on a comment, in characters
MAX_LISTED = 100  # destroys and replacements named in the list at the top

_PLAIN = Styler(False)
_SYMBOL_LEAD = re.compile(r"^( *)(-/\+|\+/-|<=|[-+~.])( .*)$")
_PUNCT = re.compile(r"([\\`*_{}\[\]<>#!|~&])")
_ICON = {Action.CREATE: "➕", Action.DELETE: "🗑️", Action.UPDATE: "✏️",
         Action.DELETE_THEN_CREATE: "♻️", Action.CREATE_THEN_DELETE: "♻️",
         Action.READ: "📖", Action.FORGET: "👋", Action.NOOP: "📥"}


def md_text(s: str) -> str:
    """``s`` as literal markdown text: every markdown/HTML character backslash-escaped,
    line breaks as spaces."""
    return _PUNCT.sub(r"\\\1", " ".join(s.splitlines()))


def md_code(s: str) -> str:
    """``s`` as an inline code span, whatever backticks it holds."""
    s = " ".join(s.splitlines())
    run = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def code_block(lines: list[str], lang: str = "diff") -> str:
    """A fenced block longer than any backtick run inside it, so nothing closes it early."""
    body = "\n".join(lines)
    run = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, run + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def diff_lines(lines: list[str]) -> list[str]:
    """Plan lines with each change symbol moved to column 0 (alignment kept)."""
    out = []
    for line in lines:
        m = _SYMBOL_LEAD.match(line)
        if m and len(m.group(1)) >= len(m.group(2)):
            indent, sym, rest = m.groups()
            line = sym + indent[len(sym):] + " " * len(sym) + rest
        out.append(line)
    return out


def _headline(ch: ResourceInstanceChange, drift: bool = False) -> str:
    """The change's title as the human plan words it ("X will be created")."""
    first = render_change(ch, _PLAIN, drift=drift)[0].strip()
    return first[2:] if first.startswith("# ") else first


def _details(ch: ResourceInstanceChange, drift: bool = False) -> str:
    lines = render_change(ch, _PLAIN, drift=drift)
    icon = _ICON.get(ch.action, "")
    return (f"<details><summary>{icon} {html.escape(_headline(ch, drift))}</summary>\n\n"
            f"{code_block(diff_lines(lines))}\n\n</details>")


def _highlight(ch: ResourceInstanceChange) -> str:
    head = _headline(ch)
    addr = f"{ch.addr} (deposed object {ch.deposed})" if ch.deposed else str(ch.addr)
    rest = head[len(addr):] if head.startswith(addr) else " " + head
    return f"- {_ICON.get(ch.action, '')} {md_code(addr)}{md_text(rest)}"


def _diagnostics_section(diagnostics, errored: bool) -> list[str]:
    out = ["#### Warnings and errors", ""]
    if errored:
        out += ["❌ **The plan errored**: it is not complete and cannot be applied.", ""]
    if diagnostics is None:
        out.append("_The saved plan file does not keep the plan's warnings and errors; see "
                   "the log of the job that ran `vpnform plan`._")
        return out
    if not list(diagnostics):
        out.append("None.")
        return out
    for d in diagnostics:
        icon = "❌ **Error**" if d.is_error else "⚠️ **Warning**"
        where = f" ({md_code(d.address)})" if d.address else ""
        out.append(f"- {icon}: {md_text(d.summary)}{where}")
        if d.detail:
            out.append("")
            out.append("  " + code_block([f"{line}" for line in d.detail.splitlines()],
                                          "text").replace("\n", "\n  "))
    return out


def _close_fence(text: str) -> str:
    """The line that closes a code block ``text`` leaves open ("" when none is)."""
    fence = None
    for line in text.splitlines():
        m = re.match(r" *(`{3,})", line)
        if m and fence is None:
            fence = m.group(1)
        elif m and fence is not None and line.strip() == fence:
            fence = None
    return "" if fence is None else "\n" + fence


def _truncation_note(shown: int, total: int, limit: int) -> str:
    return (f"> ✂️ **Truncated**: {total - shown} of {total} resource changes are not shown "
            f"here: a comment is limited to {limit:,} characters. Run `vpnform show "
            "PLANFILE` for the whole plan.")


def _cost_section(report: CostReport) -> list[str]:
    """Infracost's PR-comment headline and table: the monthly cost before → after."""
    cur, delta = report.currency, report.delta_monthly
    trend = ("will not change" if delta == 0 else
             f"will {'increase' if delta > 0 else 'decrease'} by {abs(delta):.2f} {cur} "
             f"{'📈' if delta > 0 else '📉'}")
    lines = ["", f"💰 **Monthly cost {trend}** ({report.past_monthly:.2f} {cur} → "
             f"{report.monthly:.2f} {cur}, {HOURS_PER_MONTH} hours a month)", ""]
    rows = report.changed[:MAX_LISTED]
    if rows:
        lines += ["| Resource | Change | Before | After | Monthly change |",
                  "|---|---|---|---|---|"]
        for r in rows:
            if r.known:
                money = (f"{r.past_monthly:.2f} | {r.monthly:.2f} | "
                         f"{signed(r.delta_monthly)}")
            else:
                why = next(e.unknown for e in (r.after, r.before) if e and e.unknown)
                money = f"? | ? | {md_text(why or '')}"
            lines.append(f"| {md_code(r.address)} | {r.change} | {money} |")
        if len(report.changed) > MAX_LISTED:
            lines.append(f"\n- … and {len(report.changed) - MAX_LISTED} more")
    return lines


def render_markdown(plan: Plan, targets: list[str] | None = None, diagnostics=None,
                    limit: int = COMMENT_LIMIT, cost: CostReport | None = None) -> str:
    """The plan as one comment of at most ``limit`` characters. ``targets``: the
    "Provider X: what it talks to" lines; ``diagnostics``: the plan's warnings and
    errors, None when they were not kept; ``cost``: its cost estimate (default: the
    plan's own)."""
    cost = cost if cost is not None else plan.cost
    changes = [c for c in plan.resource_changes if c.is_change]
    outputs = [o for o in plan.output_changes.values() if o.action is not Action.NOOP]
    head: list[str] = []
    if not changes and not outputs and not plan.drift:
        head += ["### vpnform plan: no changes", "",
                 "Your infrastructure matches the configuration."]
    elif not changes and not outputs:
        head += ["### vpnform plan: no changes to make", "",
                 "Objects have changed outside of vpnform (below); applying the plan only "
                 "records them."]
    else:
        head.append(f"### vpnform plan: {plan_counts_text(plan).rstrip('.')}")
    if plan.targets:
        head += ["", "⚠️ _This plan was made with `-target`: it may be incomplete._"]
    if targets:
        head.append("")
        head += [md_text(t) + "  " for t in targets]
        head[-1] = head[-1].rstrip()
    risky = [c for c in changes if c.action is Action.DELETE or c.action.is_replace]
    if risky:
        head += ["", f"**⚠️ Destroys / replaces ({len(risky)}):**", ""]
        head += [_highlight(c) for c in risky[:MAX_LISTED]]
        if len(risky) > MAX_LISTED:
            head.append(f"- … and {len(risky) - MAX_LISTED} more")
    if cost is not None and (changes or outputs):
        head += _cost_section(cost)
    diag = _diagnostics_section(diagnostics, plan.errored)
    tail: list[str] = []
    if outputs:
        tail += ["#### Changes to outputs", "",
                 code_block(diff_lines(render_output_changes(outputs, _PLAIN))), ""]
        if len("\n".join(head + tail + diag)) > limit // 2:  # the resources come first
            tail = ["#### Changes to outputs", "",
                    "_The output changes are too long for this comment: `vpnform show "
                    "PLANFILE` shows them._", ""]
    tail += diag
    blocks = []
    if plan.drift:
        inner = "\n\n".join(_details(plan.drift[a], drift=True) for a in sorted(plan.drift))
        blocks.append(f"<details><summary>🔀 Objects changed outside of vpnform "
                      f"({len(plan.drift)})</summary>\n\n{inner}\n\n</details>")
    if changes:
        blocks.append("#### Resource changes")
    details = [_details(c) for c in changes]
    blocks += details
    head_text, tail_text = "\n".join(head), "\n".join(tail)
    reserve = len(_truncation_note(len(changes), len(changes) + 1, limit)) + 8
    room = limit - len(head_text) - len(tail_text) - reserve
    kept: list[str] = []
    for b in blocks:
        if len(b) + 2 > room:
            break
        kept.append(b)
        room -= len(b) + 2
    parts = [head_text] + kept
    omitted = len(blocks) - len(kept)
    if omitted:
        shown = max(0, len(kept) - (len(blocks) - len(details)))
        parts.append(_truncation_note(shown, len(changes), limit))
    parts.append(tail_text)
    text = "\n\n".join(p for p in parts if p) + "\n"
    if len(text) > limit:  # the head or the tail alone is too long: cut at a line
        cut = text[:limit - reserve - 8]
        cut = cut[:cut.rfind("\n")] if "\n" in cut else cut
        shown = sum(1 for b in details if b in cut)
        text = (cut + _close_fence(cut) + "\n\n" + _truncation_note(shown, len(changes), limit)
                + "\n")
    return text
