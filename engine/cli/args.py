"""Terraform-style flag parsing: ``-flag``, ``-flag=value``, ``-flag value``; ``--`` spelling too.

Each verb declares its flags in a small table; parsing returns a Namespace-like object and
positional arguments, or raises UsageError with a message naming the bad flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOOL = "bool"
VALUE = "value"
MULTI = "multi"  # repeatable; order kept


class UsageError(Exception):
    pass


@dataclass
class ParsedArgs:
    flags: dict = field(default_factory=dict)
    positional: list = field(default_factory=list)
    # -var and -var-file in command-line order: ("var", "NAME=VALUE") / ("var-file", path)
    var_sources: list = field(default_factory=list)

    def get(self, name: str, default=None):
        return self.flags.get(name, default)


def _parse_bool(text: str, flag: str) -> bool:
    if text.lower() in ("true", "1", "t"):
        return True
    if text.lower() in ("false", "0", "f"):
        return False
    raise UsageError(f'Invalid value for -{flag}: "{text}" is not a boolean (use true or false).')


def parse(argv: list[str], spec: dict[str, str], verb: str) -> ParsedArgs:
    out = ParsedArgs()
    i = 0
    only_positional = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_positional or not arg.startswith("-") or arg == "-":
            out.positional.append(arg)
            continue
        if arg == "--":
            only_positional = True
            continue
        body = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = body.partition("=")
        kind = spec.get(name)
        if kind is None:
            known = ", ".join(f"-{k}" for k in sorted(spec))
            raise UsageError(f'flag provided but not defined: -{name}\n\nThe "{verb}" command '
                             f"accepts: {known or '(no flags)'}.")
        if kind == BOOL:
            out.flags[name] = _parse_bool(value, name) if eq else True
            continue
        if not eq:
            if i >= len(argv):
                raise UsageError(f"flag needs an argument: -{name}")
            value = argv[i]
            i += 1
        if kind == MULTI:
            out.flags.setdefault(name, []).append(value)
            if name in ("var", "var-file"):
                out.var_sources.append((name, value))
        else:
            out.flags[name] = value
    return out


def parse_int(args: ParsedArgs, name: str, default: int, minimum: int = 0) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        n = int(raw)
    except ValueError:
        raise UsageError(f'Invalid value for -{name}: "{raw}" is not a whole number.') from None
    if n < minimum:
        raise UsageError(f"Invalid value for -{name}: must be at least {minimum}.")
    return n


def parse_duration(args: ParsedArgs, name: str, default: float = 0.0) -> float:
    """Terraform durations: ``30s``, ``5m``, ``1h``, ``1m30s``, or a bare number of seconds."""
    raw = args.get(name)
    if raw is None:
        return default
    import re
    text = raw.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total = 0.0
    pos = 0
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise UsageError(f'Invalid value for -{name}: "{raw}" is not a duration such as 30s, '
                         "5m or 1m30s.")
    return total
