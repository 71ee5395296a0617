"""Human-readable plan text in Terraform's symbols and layout.

Secrets never reach this text: sensitive values (marked, or schema-sensitive) print as
``(sensitive value)``; unknowns print as ``(known after apply)``.
"""

from __future__ import annotations

import dataclasses
import json
import itertools
import re
from typing import Any

from ..addrs import module_str
from ..values import Sensitive, Unknown, format_number, strip_sensitive
from .cost import diff_lines as cost_diff_lines
from .model import Action, Plan, ResourceInstanceChange

SYMBOL = {
    Action.CREATE: "+", Action.DELETE: "-", Action.UPDATE: "~", Action.READ: "<=",
    Action.DELETE_THEN_CREATE: "-/+", Action.CREATE_THEN_DELETE: "+/-", Action.NOOP: " ",
    Action.FORGET: ".",
}
LEGEND = {
    Action.CREATE: "create", Action.DELETE: "destroy", Action.UPDATE: "update in-place",
    Action.DELETE_THEN_CREATE: "destroy and then create replacement",
    Action.CREATE_THEN_DELETE: "create replacement and then destroy",
    Action.READ: "read (data resources)", Action.FORGET: "forget",
}
COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "~": "\x1b[33m", "<=": "\x1b[36m",
          "-/+": "\x1b[31m", "+/-": "\x1b[32m"}
BOLD, RESET = "\x1b[1m", "\x1b[0m"

# Attributes Terraform keeps visible in an update even when unchanged.
IDENTIFYING = ("id", "name", "tags")


class Styler:
    def __init__(self, color: bool):
        self.color = color

    def sym(self, s: str) -> str:
        if not self.color or not s.strip():
            return s
        return f"{COLORS.get(s.strip(), '')}{s}{RESET}"

    def bold(self, s: str) -> str:
        return f"{BOLD}{s}{RESET}" if self.color else s


def _is_sensitive(v: Any) -> bool:
    return isinstance(v, Sensitive)


# json.dumps(s, ensure_ascii=False) of a string is this (what JSONEncoder.encode calls)
_encode_str = json.encoder.encode_basestring


def scalar_text(v: Any) -> str:
    """One value in Terraform's literal syntax; marks and unknowns as Terraform shows them."""
    t = type(v)  # the common exact types first, each as the general chain below prints it
    if t is str:
        return _encode_str(v)
    if t is Unknown:
        return "(known after apply)"
    if t is int:
        return str(v)
    if t is bool:
        return "true" if v else "false"
    if isinstance(v, Sensitive):
        return "(sensitive value)"
    if isinstance(v, Unknown):
        return "(known after apply)"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return json.dumps(v)


def _plain_equal(a: Any, b: Any) -> bool:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if isinstance(a, Sensitive) or isinstance(b, Sensitive):
        return (isinstance(a, Sensitive) and isinstance(b, Sensitive)
                and _plain_equal(a.value, b.value))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_plain_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


class _Writer:
    def __init__(self, st: Styler):
        self.st = st
        self.lines: list[str] = []
        self._syms: dict[str, str] = {}  # symbol -> as styled

    def styled(self, symbol: str) -> str:
        sym = self._syms.get(symbol)
        if sym is None:
            sym = self._syms[symbol] = self.st.sym(symbol) if symbol.strip() else symbol
        return sym

    def line(self, indent: int, symbol: str, text: str) -> None:
        if symbol:
            self.lines.append(" " * indent + self.styled(symbol) + " " + text)
        else:
            self.lines.append(" " * indent + text)


_IDENT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _key_text(k: str, quote: bool) -> str:
    return k if not quote and _IDENT_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def _nested(w: _Writer, indent: int, sym: str, key: str, v: Any, tail: str = "",
            quote_keys: bool = False) -> None:
    """A whole value created (``+``) or destroyed (``-``), lists and objects expanded the
    way Terraform shows them; ``tail`` follows the value's last line (`` -> null``)."""
    if isinstance(v, list) and v:
        w.line(indent, sym, f"{key} = [")
        for item in v:
            _nested_item(w, indent + 4, sym, item)
        w.lines.append(" " * (indent + 2) + "]" + tail)
    elif isinstance(v, dict) and v:
        w.line(indent, sym, f"{key} = {{")
        _nested_members(w, indent + 4, sym, v, quote_keys)
        w.lines.append(" " * (indent + 2) + "}" + tail)
    elif isinstance(v, (list, dict)):
        w.line(indent, sym, f"{key} = {'[]' if isinstance(v, list) else '{}'}{tail}")
    else:
        w.line(indent, sym, f"{key} = {scalar_text(v)}{tail}")


def _nested_members(w: _Writer, indent: int, sym: str, v: dict, quote_keys: bool) -> None:
    shown = {k: _key_text(str(k), quote_keys) for k in v}
    width = max(len(t) for t in shown.values())
    for k in sorted(v):
        _nested(w, indent, sym, shown[k].ljust(width), v[k])


def _nested_item(w: _Writer, indent: int, sym: str, item: Any) -> None:
    if isinstance(item, list) and item:
        w.line(indent, sym, "[")
        for x in item:
            _nested_item(w, indent + 4, sym, x)
        w.lines.append(" " * (indent + 2) + "],")
    elif isinstance(item, dict) and item:
        w.line(indent, sym, "{")
        _nested_members(w, indent + 4, sym, item, False)
        w.lines.append(" " * (indent + 2) + "},")
    elif isinstance(item, (list, dict)):
        w.line(indent, sym, ("[]" if isinstance(item, list) else "{}") + ",")
    else:
        w.line(indent, sym, scalar_text(item) + ",")


def _changed(w: _Writer, indent: int, key: str, before: Any, after: Any) -> None:
    """An updated value: objects and lists compared member by member."""
    if _plain_equal(before, after):
        return
    if (isinstance(before, dict) and isinstance(after, dict) and before and after):
        w.line(indent, "~", f"{key} = {{")
        shown = {k: _key_text(str(k), False) for k in set(before) | set(after)}
        width = max(len(t) for t in shown.values())
        hidden = 0
        for k in sorted(shown):
            name = shown[k].ljust(width)
            if k not in before:
                _nested(w, indent + 4, "+", name, after[k])
            elif k not in after:
                _nested(w, indent + 4, "-", name, before[k])
            elif _plain_equal(before[k], after[k]):
                hidden += 1
            else:
                _changed(w, indent + 4, name, before[k], after[k])
        if hidden:
            w.lines.append(" " * (indent + 6) + f"# ({hidden} unchanged attribute"
                           f"{'s' if hidden != 1 else ''} hidden)")
        w.lines.append(" " * (indent + 2) + "}")
        return
    if isinstance(before, list) and isinstance(after, list):
        w.line(indent, "~", f"{key} = [")
        for item in before:
            if not any(_plain_equal(item, a) for a in after):
                _nested_item(w, indent + 4, "-", item)
        for item in after:
            _nested_item(w, indent + 4, " " if any(_plain_equal(item, b) for b in before)
                         else "+", item)
        w.lines.append(" " * (indent + 2) + "]")
        return
    if isinstance(before, (list, dict)) or isinstance(after, (list, dict)):
        _nested(w, indent, "-", key, before, " -> null") if before is not None else None
        _nested(w, indent, "+", key, after)
        return
    w.line(indent, "~", f"{key} = {scalar_text(before)} -> {scalar_text(after)}")


_FORCES = "  # forces replacement"
# Values of exactly these types _value_lines shows on one line (scalar_text) when created or
# destroyed
_ONE_LINE = frozenset((str, int, bool, float, type(None), Unknown, Sensitive))


def _value_lines(w: _Writer, indent: int, sym: str, key: str, before: Any, after: Any,
                 action: Action, force: set, path: tuple) -> None:
    """One attribute (possibly a list or map) at ``indent``."""
    mark = "  # forces replacement" if path in force else ""
    if action is Action.CREATE:
        if isinstance(after, list) and not _is_sensitive(after):
            if not after:
                w.line(indent, sym, f"{key} = []")
                return
            w.line(indent, sym, f"{key} = [")
            for item in after:
                w.line(indent + 4, sym, scalar_text(item) + ",")
            w.lines.append(" " * (indent + 2) + "]")
            return
        if isinstance(after, dict) and not _is_sensitive(after):
            if not after:
                w.line(indent, sym, f"{key} = {{}}")
                return
            w.line(indent, sym, f"{key} = {{")
            width = max(len(json.dumps(k)) for k in after)
            for k in sorted(after):
                w.line(indent + 4, sym, f"{json.dumps(k).ljust(width)} = {scalar_text(after[k])}")
            w.lines.append(" " * (indent + 2) + "}")
            return
        w.line(indent, sym, f"{key} = {scalar_text(after)}{mark}")
        return
    if action is Action.DELETE:
        if isinstance(before, list) and not _is_sensitive(before) and before:
            w.line(indent, sym, f"{key} = [")
            for item in before:
                w.line(indent + 4, sym, scalar_text(item) + ",")
            w.lines.append(" " * (indent + 2) + "] -> null")
            return
        if isinstance(before, dict) and not _is_sensitive(before) and before:
            w.line(indent, sym, f"{key} = {{")
            width = max(len(json.dumps(k)) for k in before)
            for k in sorted(before):
                w.line(indent + 4, sym, f"{json.dumps(k).ljust(width)} = {scalar_text(before[k])}")
            w.lines.append(" " * (indent + 2) + "} -> null")
            return
        w.line(indent, sym, f"{key} = {scalar_text(before)} -> null")
        return
    # update
    if _plain_equal(before, after):
        w.line(indent, " ", f"{key} = {scalar_text(after)}" if not isinstance(after, (list, dict))
               else f"{key} = {_compact(after)}")
        return
    if (isinstance(before, list) and isinstance(after, list)
            and not _is_sensitive(before) and not _is_sensitive(after)):
        w.line(indent, "~", f"{key} = [{mark}")
        for item in before:
            if not any(_plain_equal(item, a) for a in after):
                w.line(indent + 4, "-", scalar_text(item) + ",")
        for item in after:
            if any(_plain_equal(item, b) for b in before):
                w.line(indent + 4, " ", scalar_text(item) + ",")
            else:
                w.line(indent + 4, "+", scalar_text(item) + ",")
        w.lines.append(" " * (indent + 2) + "]")
        return
    if after is None:
        w.line(indent, "-", f"{key} = {scalar_text(before)} -> null{mark}")
        return
    if before is None:
        w.line(indent, "+", f"{key} = {scalar_text(after)}{mark}")
        return
    w.line(indent, "~", f"{key} = {scalar_text(before)} -> {scalar_text(after)}{mark}")


def _compact(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(scalar_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {scalar_text(x)}" for k, x in sorted(v.items())) + "}"
    return scalar_text(v)


def _block_names(ch: ResourceInstanceChange) -> set:
    """The attributes shown as nested blocks: the schema's block types (unless unknown) and
    any non-empty list of objects."""
    before, after = ch.before, ch.after
    values = {**before, **after} if before and after else (after or before or {})
    block_types = ch.block_types
    names = set()
    for k, v in values.items():
        if type(v) in _ONE_LINE and type(v) is not Sensitive:  # not a list: a block only by type
            if k in block_types and type(v) is not Unknown:
                names.add(k)
        elif _is_block_list(v) or (k in block_types and not isinstance(v, Unknown)):
            names.add(k)
    return names


def _is_block_list(v: Any) -> bool:
    v = strip_sensitive(v)
    return isinstance(v, list) and bool(v) and all(isinstance(strip_sensitive(x), dict)
                                                     for x in v)


def _body(w: _Writer, indent: int, action: Action, before: dict | None, after: dict | None,
          force: set, path: tuple, block_names: set) -> None:
    """Attributes then nested blocks of one object, Terraform-style."""
    if action is Action.CREATE or action is Action.DELETE:
        _whole_body(w, indent, action, before, after, force, path, block_names)
        return
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    attrs = [k for k in keys if k not in block_names]
    blocks = [k for k in keys if k in block_names]
    rows: list[tuple[str, Any, Any, Action, str]] = []
    hidden = 0
    if action is Action.NOOP:  # an import that changes nothing: the whole object
        _unchanged_body(w, indent, after, attrs, blocks)
        return
    for k in attrs:
        b, a = before.get(k), after.get(k)
        if action is Action.CREATE:
            if a is None or (isinstance(a, (list, dict)) and not a and not _is_sensitive(a)):
                if a is None:
                    continue
            rows.append((k, b, a, Action.CREATE, "+"))
        elif action is Action.DELETE:
            if b is None:
                continue
            rows.append((k, b, a, Action.DELETE, "-"))
        else:
            if _plain_equal(b, a):
                if k in IDENTIFYING and a is not None and not (isinstance(a, (list, dict))
                                                               and not a):
                    rows.append((k, b, a, Action.UPDATE, " "))
                elif a is not None or b is not None:
                    hidden += 1
                continue
            rows.append((k, b, a, Action.UPDATE, "~"))
    width = max((len(r[0]) for r in rows), default=0)
    for k, b, a, act, sym in rows:
        _value_lines(w, indent, sym, k.ljust(width), b, a, act, force, path + (k,))
    if hidden:
        w.lines.append(" " * (indent + 2) + f"# ({hidden} unchanged attribute"
                       f"{'s' if hidden != 1 else ''} hidden)")
    hidden_blocks = 0
    for k in blocks:
        bl = strip_sensitive(before.get(k)) or []
        al = strip_sensitive(after.get(k)) or []
        if isinstance(bl, dict):
            bl = [bl]
        if isinstance(al, dict):
            al = [al]
        if action is Action.UPDATE:
            for item in bl:
                if not any(_plain_equal(item, x) for x in al):
                    _block(w, indent, Action.DELETE, k, item, None, force, path + (k,))
            for item in al:
                if any(_plain_equal(item, x) for x in bl):
                    hidden_blocks += 1
                else:
                    _block(w, indent, Action.CREATE, k, None, item, force, path + (k,))
        elif action is Action.CREATE:
            for item in al:
                _block(w, indent, Action.CREATE, k, None, item, force, path + (k,))
        else:
            for item in bl:
                _block(w, indent, Action.DELETE, k, item, None, force, path + (k,))
    if hidden_blocks:
        w.lines.append(" " * (indent + 2) + f"# ({hidden_blocks} unchanged block"
                       f"{'s' if hidden_blocks != 1 else ''} hidden)")


def _whole_body(w: _Writer, indent: int, action: Action, before: dict | None,
                after: dict | None, force: set, path: tuple, block_names: set) -> None:
    """_body of an object created (only ``after`` shows) or destroyed (only ``before``):
    every attribute that is set, then every block. Most lines of most plans are one scalar
    each, written here as _value_lines writes them."""
    create = action is Action.CREATE
    obj = (after if create else before) or {}
    sym = SYMBOL[action]
    keys = sorted(obj)
    attrs = [k for k in keys if k not in block_names and obj[k] is not None]
    width = max(map(len, attrs), default=0)
    lines = w.lines
    pad = " " * indent + w.styled(sym) + " "
    for k in attrs:
        v = obj[k]
        if type(v) not in _ONE_LINE:
            _value_lines(w, indent, sym, k.ljust(width), (before or {}).get(k),
                         (after or {}).get(k), action, force, path + (k,))
        elif not create:
            lines.append(f"{pad}{k.ljust(width)} = {scalar_text(v)} -> null")
        elif force and path + (k,) in force:
            lines.append(f"{pad}{k.ljust(width)} = {scalar_text(v)}{_FORCES}")
        else:
            lines.append(f"{pad}{k.ljust(width)} = {scalar_text(v)}")
    for k in keys:
        if k in block_names:
            items = strip_sensitive(obj[k]) or []
            for item in [items] if isinstance(items, dict) else items:
                _block(w, indent, action, k, None if create else item,
                       item if create else None, force, path + (k,))


def _unchanged_body(w: _Writer, indent: int, value: dict, attrs: list, blocks: list) -> None:
    """Every attribute that is set, then every nested block, with no change symbol (how
    Terraform shows an object it will import as it is)."""
    rows = [k for k in attrs if value.get(k) is not None]
    width = max((len(k) for k in rows), default=0)
    for k in rows:
        v = value[k]
        _nested(w, indent, " ", k.ljust(width), v, quote_keys=isinstance(v, dict))
    for k in blocks:
        items = strip_sensitive(value.get(k)) or []
        for item in items if isinstance(items, list) else [items]:
            w.line(indent, " ", f"{k} {{")
            inner = item if isinstance(item, dict) else {}
            _unchanged_body(w, indent + 4, inner, sorted(inner), [])
            w.lines.append(" " * (indent + 2) + "}")


def _block(w: _Writer, indent: int, action: Action, name: str, before, after, force, path):
    sym = SYMBOL[action]
    mark = "  # forces replacement" if path in force or any(p[:1] == path[:1] for p in force
                                                              if len(p) == 1) else ""
    w.line(indent, sym, f"{name} {{{mark}")
    _body(w, indent + 4, action, before, after, set(), path, set())
    w.lines.append(" " * (indent + 2) + "}")


_HEADER = {
    Action.CREATE: "will be created",
    Action.DELETE: "will be destroyed",
    Action.UPDATE: "will be updated in-place",
    Action.READ: "will be read during apply",
    Action.DELETE_THEN_CREATE: "must be replaced",
    Action.CREATE_THEN_DELETE: "must be replaced",
    Action.FORGET: "will no longer be managed by vpnform, but will not be destroyed",
    Action.NOOP: "will be imported",
}


def render_change(ch: ResourceInstanceChange, st: Styler, drift: bool = False) -> list[str]:
    """One resource change; ``drift``: a change refresh found (has changed / deleted)."""
    w = _Writer(st)
    addr = ch.addr
    rtype, rname = addr.resource.type, addr.resource.name
    header = _HEADER[ch.action]
    if ch.reason == "replace_because_tainted":
        header = "is tainted, so must be replaced"
    elif ch.reason == "replace_by_triggers":
        header = "will be replaced due to changes in replace_triggered_by"
    elif ch.reason == "replace_by_request":
        header = "will be replaced, as requested"
    if drift:
        header = "has been deleted" if ch.action is Action.DELETE else "has changed"
    indent = " " if ch.action is Action.FORGET else "  "  # as Terraform indents them
    if ch.action is Action.NOOP and ch.previous_addr is not None:
        w.lines.append("  " + st.bold(f"# {ch.previous_addr}") + f" has moved to {addr}")
    elif ch.deposed:
        w.lines.append(indent + st.bold(f"# {addr} (deposed object {ch.deposed})")
                       + f" {header}")
    else:
        w.lines.append(indent + st.bold(f"# {addr}") + f" {header}")
    if ch.previous_addr is not None and ch.action is not Action.NOOP and not drift:
        w.lines.append(f"  # (moved from {ch.previous_addr})")
    reason = None if drift else ch.reason
    if ch.deposed:
        w.lines.append("  # (left over from a partially-failed replacement of this instance)")
    if reason == "forget":
        w.lines.append(" # (destroy = false is set in the configuration)")
    elif reason == "delete_because_no_resource_config":
        w.lines.append(f"  # (because {addr.resource} is not in configuration)")
    elif reason == "delete_because_no_module":
        w.lines.append(f"  # (because {module_str(addr.resource.module)} is not in "
                       "configuration)")
    elif reason == "delete_because_count_index":
        w.lines.append(f"  # (because index [{addr.key}] is out of range for count)")
    elif reason == "delete_because_each_key":
        w.lines.append(f'  # (because key ["{addr.key}"] is not in for_each map)')
    elif reason == "read_because_config_unknown":
        w.lines.append("  # (config refers to values not yet known)")
    if ch.importing_id is not None and ch.action is not Action.NOOP:
        w.lines.append("  # (will be imported first)" if ch.action.is_replace else
                       f'  # (imported from "{ch.importing_id}")')
    sym = SYMBOL[ch.action]
    lead = sym.rjust(3) if len(sym) < 3 else sym
    if ch.action is Action.FORGET:
        lead = " ."
    kind = "data" if addr.resource.mode == "data" else "resource"
    w.lines.append(f"{st.sym(lead)} {kind} \"{rtype}\" \"{rname}\" {{")
    force = {tuple(p) for p in ch.requires_replace}
    inner = Action.UPDATE if ch.action.is_replace else ch.action
    if ch.action is Action.READ:
        inner = Action.CREATE
    if ch.action is Action.FORGET or (ch.action is Action.NOOP and ch.importing_id is None):
        inner = Action.UPDATE  # shown as they stay (forget, move): identifiers, rest hidden
        ch = _unchanged_view(ch)
    block_names = _block_names(ch)
    _body(w, 6, inner, ch.before, ch.after, force, (), block_names)
    w.lines.append("    }")
    return w.lines


RULE = "─" * 77


def render_drift(plan: Plan, st: Styler) -> list[str]:
    """The "Objects have changed outside of vpnform" note, when refresh found any."""
    if not plan.drift:
        return []
    out = ["", st.bold("Note: Objects have changed outside of vpnform"), "",
           "vpnform detected the following changes made outside of vpnform since the",
           'last "vpnform apply"' + (":" if plan.refresh_only else
                                     " which may have affected this plan:")]
    for addr in sorted(plan.drift):
        out.append("")
        out.extend(render_change(plan.drift[addr], st, drift=True))
    out.append("")
    if plan.refresh_only:
        out += ["", "This is a refresh-only plan, so vpnform will not take any actions to undo",
                "these. If you were expecting these changes then you can apply this plan to",
                "record the updated values in the vpnform state without changing any remote",
                "objects."]
    else:
        out += ["", "Unless you have made equivalent changes to your configuration, or ignored the",
                "relevant attributes using ignore_changes, the following plan may include",
                "actions to undo or respond to these changes.", "", RULE]
    return out


def _unchanged_view(ch: ResourceInstanceChange) -> ResourceInstanceChange:
    return dataclasses.replace(ch, after=ch.before)


def render_plan(plan: Plan, color: bool = False) -> str:
    st = Styler(color)
    out: list[str] = render_drift(plan, st)
    changes = [c for c in plan.resource_changes if c.is_change]
    outputs = [o for o in plan.output_changes.values() if o.action is not Action.NOOP]
    if plan.refresh_only and not plan.drift and not outputs:
        out.append("")
        out.append(st.bold("No changes.") + " Your infrastructure still matches the configuration.")
        out.append("")
        out.append("vpnform has checked that the real remote objects still match the result of")
        out.append("your most recent changes, and found no differences.")
        return "\n".join(out) + "\n"
    if not changes and not outputs and not plan.refresh_only:
        out.append("")
        out.append(st.bold("No changes.") + " Your infrastructure matches the configuration.")
        out.append("")
        out.append("vpnform has compared your real infrastructure against your configuration")
        out.append("and found no differences, so no changes are needed.")
        return "\n".join(out) + "\n"
    if changes:
        used = [a for a in (Action.CREATE, Action.UPDATE, Action.DELETE,
                            Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE, Action.READ)
                if any(c.action is a for c in changes)]
        out.append("")
        out.append("vpnform used the selected providers to generate the following execution")
        out.append("plan. Resource actions are indicated with the following symbols:")
        for a in used:
            out.append(f"{st.sym(SYMBOL[a].rjust(3))} {LEGEND[a]}")
        out.append("")
        out.append("vpnform will perform the following actions:")
        for c in changes:
            out.append("")
            out.extend(render_change(c, st))
        out.append("")
        out.append(st.bold("Plan:") + " " + plan_counts_text(plan))
        forgotten = [c.addr for c in changes if c.action is Action.FORGET]
        if forgotten:
            out += ["", st.bold("Warning: Some objects will no longer be managed by vpnform"),
                    "", "If you apply this plan, vpnform will discard its tracking information "
                    "for", "the following objects, but it will not delete them:"]
            out += [f" - {a}" for a in sorted(forgotten)]
            out += ["", "After applying this plan, vpnform will no longer manage these objects. "
                    "You", "will need to import them into vpnform to manage them again."]
        if plan.cost is not None:
            out += [""] + cost_diff_lines(plan.cost)
    if outputs:
        out.append("")
        out.append("Changes to Outputs:")
        out.extend(render_output_changes(outputs, st))
    return "\n".join(out) + "\n"


def plan_counts_text(plan: Plan) -> str:
    """``3 to add, 1 to change, 2 to destroy.`` (imports first when there are any)."""
    add, change, destroy = plan.counts()
    imports = sum(1 for c in itertools.chain(plan.changes.values(), plan.deposed.values())
                  if c.is_change and c.importing_id is not None)  # no order needed: no sort
    return ((f"{imports} to import, " if imports else "")
            + f"{add} to add, {change} to change, {destroy} to destroy.")


def render_output_changes(outputs: list, st: Styler) -> list[str]:
    """The lines under "Changes to Outputs:" (sensitive outputs as (sensitive value))."""
    w = _Writer(st)
    width = max((len(o.name) for o in outputs), default=0)
    for o in sorted(outputs, key=lambda o: o.name):
        after = Sensitive(o.after) if o.sensitive and o.after is not None else o.after
        before = Sensitive(o.before) if o.sensitive and o.before is not None else o.before
        name = o.name.ljust(width)
        if o.action is Action.CREATE:
            _nested(w, 2, "+", name, after)
        elif o.action is Action.DELETE:
            _nested(w, 2, "-", name, before, " -> null")
        else:
            _changed(w, 2, name, before, after)
    return w.lines
