"""Terraform-style flag parsing: ``-flag``, ``-flag=value``, ``-flag value``; ``--`` spelling too.

Each verb declares itself once, as a ``Verb``: its usage line, description, flags (each a
``Flag`` with a one-line explanation) and subcommands. Parsing, ``-help`` output, the
command list and shell completion are all read from that one declaration. Parsing returns
a Namespace-like object and positional arguments, or raises UsageError with a message
naming the bad flag.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

BOOL = "bool"
VALUE = "value"
MULTI = "multi"  # repeatable; order kept

HELP_FLAGS = ("-h", "-help", "--help")
# what a flag's value or a verb's arguments are, for shell completion
ADDRESSES = "addresses"  # resource instance addresses recorded in state
PROGRAM = "vpnform"


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


@dataclass(frozen=True)
class Flag:
    """One flag of a verb: its kind, a one-line explanation, and how it is written after
    its name in the help (``=path`` gives ``-out=path``, ``=false`` gives ``-lock=false``)."""
    kind: str
    help: str
    form: str = ""
    completes: str = ""  # ADDRESSES: shell completion offers addresses from state

    def shown(self, name: str) -> str:
        form = self.form or ("" if self.kind == BOOL else "=VALUE")
        return f"-{name}{form}"


@dataclass
class Verb:
    """A command's one declaration: ``name`` (``state list`` for a subcommand), the
    one-line ``synopsis`` of the command list, what follows the name in the usage line,
    the ``description`` paragraphs, its flags and subcommands. ``main`` verbs are listed
    first, as Terraform lists its main commands."""
    name: str
    synopsis: str
    usage: str = "[options]"
    description: str = ""
    flags: Mapping[str, Flag] = field(default_factory=dict)
    subcommands: Mapping[str, Verb] = field(default_factory=dict)
    main: bool = False
    completes: str = ""  # ADDRESSES: the arguments are addresses from state
    notes: str = ""  # text after the options (examples, exit codes)
    more_help: Callable[[], str] | None = None  # help computed when shown (a list of actions)

    def subcommand(self, argv: list[str]) -> tuple[Verb, list[str]]:
        """The deepest (sub)command ``argv`` names, and the arguments after it."""
        verb = self
        while argv and argv[0] in verb.subcommands:
            verb, argv = verb.subcommands[argv[0]], argv[1:]
        return verb, argv


# Flags many verbs share, explained once.
NO_COLOR = Flag(BOOL, "If specified, output won't contain any color.")
LOCK = Flag(BOOL, "Don't hold a state lock during the operation. This is dangerous if others "
            "might concurrently run commands against the same workspace.", "=false")
LOCK_TIMEOUT = Flag(VALUE, "Duration to retry a state lock.", "=0s")
INPUT = Flag(BOOL, "Ask for input for variables if not directly set.", "=true")
VAR = Flag(MULTI, "Set a value for one of the input variables in the root module of the "
           "configuration. Use this option more than once to set more than one variable.",
           " 'foo=bar'")
VAR_FILE = Flag(MULTI, "Load variable values from the given file, in addition to the default "
                "files terraform.tfvars and *.auto.tfvars. Use this option more than once to "
                "include more than one variables file.", "=filename")
PARALLELISM = Flag(VALUE, "Limit the number of concurrent operations. Defaults to 10.", "=n")
LEGACY_STATE = Flag(VALUE, "Accepted for Terraform's scripts and ignored: vpnform always uses "
                    "the working directory's state.", "=statefile")


def command(verb: Verb) -> Callable:
    """Mark a ``cmd_*(argv, console)`` function as the runner of ``verb``: the registry, the
    help and shell completion find the declaration through the function (plugin verbs
    from entry points too)."""
    def mark(fn: Callable) -> Callable:
        fn.verb = verb  # type: ignore[attr-defined]
        return fn
    return mark


def wants_help(argv: list[str]) -> bool:
    """Whether ``-h``, ``-help`` or ``--help`` comes before any ``--``, as Terraform reads
    its command line: anywhere among a verb's arguments."""
    for arg in argv:
        if arg == "--":
            return False
        if arg in HELP_FLAGS:
            return True
    return False


def _paragraphs(text: str, indent: str, width: int = 78) -> list[str]:
    out: list[str] = []
    for para in textwrap.dedent(text).strip("\n").split("\n\n"):
        lines = para.split("\n")
        if any(line.startswith(" ") for line in lines):  # pre-formatted (examples)
            out.extend(indent + line if line else "" for line in lines)
        else:
            out.extend(textwrap.wrap(" ".join(lines), width, initial_indent=indent,
                                     subsequent_indent=indent, break_on_hyphens=False))
        out.append("")
    return out


def flag_lines(flags: Mapping[str, Flag], indent: str = "  ", width: int = 78,
               spaced: bool = True) -> list[str]:
    """Each flag as the help shows it: the flag, then its explanation wrapped in a column."""
    shown = {name: flag.shown(name) for name, flag in flags.items()}
    column = max((len(s) for s in shown.values()), default=0) + 2
    out: list[str] = []
    for name, flag in flags.items():
        body = textwrap.wrap(flag.help, max(width - len(indent) - column, 30),
                             break_on_hyphens=False)
        out.append(f"{indent}{shown[name]:<{column}}{body[0] if body else ''}".rstrip())
        out.extend(indent + " " * column + line for line in body[1:])
        if spaced:
            out.append("")
    return out


def usage_text(verb: Verb) -> str:
    """``vpnform VERB -help``: the usage line, the description, then the subcommands or the
    options, as Terraform prints a command's help."""
    lines = [f"Usage: {PROGRAM} [global options] {verb.name} {verb.usage}".rstrip(), ""]
    lines += _paragraphs(verb.description or verb.synopsis + ".", "  ")
    if verb.subcommands:
        lines.append("Subcommands:")
        width = max(len(n) for n in verb.subcommands) + 4
        lines += [f"    {n:<{width}}{sub.synopsis}" for n, sub in verb.subcommands.items()]
        lines.append("")
    if verb.flags:
        lines += ["Options:", ""] + flag_lines(verb.flags)
    if verb.notes:
        lines += _paragraphs(verb.notes, "  ")
    if verb.more_help is not None:
        lines += [verb.more_help()]
    return "\n".join(lines).rstrip("\n")


def _parse_bool(text: str, flag: str) -> bool:
    if text.lower() in ("true", "1", "t"):
        return True
    if text.lower() in ("false", "0", "f"):
        return False
    raise UsageError(f'Invalid value for -{flag}: "{text}" is not a boolean (use true or false).')


def parse(argv: list[str], verb: Verb) -> ParsedArgs:
    """Parse a verb's arguments against its declaration: the flags it declares, and no
    other (so its help lists every flag it takes)."""
    spec = verb.flags
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
        declared = spec.get(name)
        kind = declared.kind if declared is not None else None
        if kind is None:
            known = ", ".join(f"-{k}" for k in sorted(spec))
            raise UsageError(f'flag provided but not defined: -{name}\n\nThe "{verb.name}" '
                             f"command accepts: {known or '(no flags)'}. Run "
                             f'"{PROGRAM} {verb.name} -help" to see what each does.')
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
