"""Shell completion, as Terraform has it: ``-install-autocomplete`` writes
``complete -C /path/to/vpnform vpnform`` into ~/.bashrc (and, after bashcompinit, into
~/.zshrc), and the program answers completion requests itself when bash sets COMP_LINE
and COMP_POINT: verbs, subcommands, the flags of the verb being typed, and resource
addresses from state where a verb or flag takes them (its ``Verb``/``Flag`` says so).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Mapping

from .args import ADDRESSES, BOOL, Flag, Verb

PROGRAM = "vpnform"
BASHCOMPINIT = "autoload -U +X bashcompinit && bashcompinit"
# a completion line this program installed, whatever the path of the program then
_INSTALLED = re.compile(r"^complete (-o nospace )?-C \S.* " + PROGRAM + r"$")


class AutocompleteError(Exception):
    """``summary`` a fixed phrase, ``detail`` the sentences ending with the fix."""

    def __init__(self, summary: str, detail: str):
        super().__init__(f"{summary}: {detail}")
        self.summary, self.detail = summary, detail


def _rc_files(home: str) -> list[tuple[str, str]]:
    """(shell, rc file) for the shells whose rc file exists, as Terraform looks for them."""
    return [(shell, path) for shell, path in (("bash", os.path.join(home, ".bashrc")),
                                              ("zsh", os.path.join(home, ".zshrc")))
            if os.path.isfile(path)]


def _complete_line(shell: str, program: str) -> str:
    path = shlex.quote(program)
    return (f"complete -C {path} {PROGRAM}" if shell == "bash"
            else f"complete -o nospace -C {path} {PROGRAM}")


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read().splitlines()


def install(home: str, program: str) -> list[str]:
    """Append the completion command to each existing rc file; the files written. Raises
    AutocompleteError (after installing where it could) when it is already installed
    somewhere, or when there is no rc file at all."""
    rcs = _rc_files(home)
    if not rcs:
        raise AutocompleteError("No shell to install into",
                                f"Did not find ~/.bashrc or ~/.zshrc in {home}: create the "
                                "rc file of your shell, then run vpnform "
                                "-install-autocomplete again.")
    written, already = [], []
    for shell, path in rcs:
        lines = _lines(path)
        if any(_INSTALLED.match(line) for line in lines):
            already.append(path)
            continue
        block = [_complete_line(shell, program)]
        if shell == "zsh" and BASHCOMPINIT not in lines:
            block.insert(0, BASHCOMPINIT)
        with open(path, "a", encoding="utf-8") as f:  # the user's file keeps its mode
            f.write("\n" + "\n".join(block) + "\n")
        written.append(path)
    if already:
        raise AutocompleteError("Autocomplete already installed",
                                f"Autocomplete is already installed in {', '.join(already)}"
                                + (f" (installed now in {', '.join(written)})" if written
                                   else "")
                                + ". Run vpnform -uninstall-autocomplete first to install "
                                "it again.")
    return written


def uninstall(home: str) -> list[str]:
    """Remove the completion command (and the blank line written before it) from each rc
    file; the files changed. bashcompinit stays: other completions may rely on it, as
    Terraform leaves it."""
    changed, missing = [], []
    for _shell, path in _rc_files(home):
        lines = _lines(path)
        kept: list[str] = []
        for line in lines:
            if _INSTALLED.match(line):
                if kept and kept[-1] == "":
                    kept.pop()
                continue
            kept.append(line)
        if kept == lines:
            missing.append(path)
            continue
        with open(path, "r+", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(kept) + ("\n" if kept else ""))
            f.truncate()
        changed.append(path)
    if not changed:
        where = ", ".join(missing) or f"{home} (no ~/.bashrc or ~/.zshrc)"
        raise AutocompleteError("Autocomplete not installed",
                                f"Autocomplete is not installed in {where}, so there is "
                                "nothing to remove. Run vpnform -install-autocomplete to "
                                "install it.")
    return changed


# --- answering a completion request ----------------------------------------------------------

def _words(line: str) -> list[str]:
    """The words of a partial command line, the last one being the word under completion
    ("" after a space); an unclosed quote is tolerated."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        for word in lexer:
            words.append(word)
    except ValueError:  # an unclosed quote: the rest is the word being typed
        words.append(lexer.token)
    if not line or line[-1].isspace():
        words.append("")
    return words


def _flag_names(flags: Mapping[str, Flag]) -> list[str]:
    return [f"-{name}" for name in flags]


def candidates(line: str, verbs: Mapping[str, Verb], global_flags: Mapping[str, Flag],
               addresses: Callable[[str | None], list[str]]) -> list[str]:
    """What completes the last word of ``line`` (bash's COMP_LINE up to COMP_POINT).
    ``addresses(chdir)`` lists the resource instance addresses in state."""
    words = _words(line)[1:]  # without the program's name
    current, before = words[-1], words[:-1]
    chdir = None
    i = 0
    while i < len(before) and before[i].startswith("-"):  # global options
        name, eq, value = before[i].lstrip("-").partition("=")
        if name == "chdir":
            if not eq and i + 1 < len(before):
                i += 1
                value = before[i]
            chdir = value
        i += 1
    if i == len(before):  # the verb itself is being typed
        options = (_flag_names(global_flags) if current.startswith("-")
                   else sorted(verbs))
        return [o for o in options if o.startswith(current)]
    rest = before[i + 1:]
    if before[i] == "help":  # vpnform help VERB [SUBCOMMAND]
        verb = verbs.get(rest[0]) if rest else None
        if verb is None:
            return [] if rest else [v for v in sorted(verbs) if v.startswith(current)]
        verb, rest = verb.subcommand(rest[1:])
        return [] if rest else [s for s in verb.subcommands if s.startswith(current)]
    verb = verbs.get(before[i])
    if verb is None:
        return []
    verb, rest = verb.subcommand(rest)
    if verb.subcommands and not rest:
        return [s for s in verb.subcommands if s.startswith(current)]
    # the value of a flag: -target=ADDR (bash completes after the "="), or -target ADDR
    if current.startswith("-") and "=" in current:
        name, _, value = current.lstrip("-").partition("=")
        flag = verb.flags.get(name)
        if flag is not None and flag.completes == ADDRESSES:
            return [a for a in addresses(chdir) if a.startswith(value)]
        return []
    if rest and rest[-1].startswith("-") and "=" not in rest[-1]:
        flag = verb.flags.get(rest[-1].lstrip("-"))
        if flag is not None and flag.kind != BOOL:
            wanted = flag.completes == ADDRESSES
            return [a for a in addresses(chdir) if a.startswith(current)] if wanted else []
    if current.startswith("-"):
        return [f for f in _flag_names(verb.flags) if f.startswith(current)]
    if verb.completes == ADDRESSES:
        return [a for a in addresses(chdir) if a.startswith(current)]
    return []


def state_addresses(chdir: str | None) -> list[str]:
    """The instance addresses in the working directory's state, or none when it cannot be
    read: completion never fails loudly."""
    from ..operations import backend_for
    try:
        state = backend_for(os.path.abspath(chdir or ".")).read()
    except Exception:  # noqa: BLE001 - a completion request must answer, not fail
        return []
    return [str(addr) for addr, _, _ in state.instances()] if state is not None else []


def completion_request(environ: Mapping[str, str]) -> str | None:
    """The partial command line of a completion request (COMP_LINE up to COMP_POINT), or
    None when this run is not one."""
    line = environ.get("COMP_LINE")
    if line is None:
        return None
    try:
        point = int(environ.get("COMP_POINT", len(line)))
    except ValueError:
        point = len(line)
    return line[:max(0, min(point, len(line)))]
