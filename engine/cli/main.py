"""vpnform's command line: global options, then one verb.

``vpnform [-chdir=DIR] [-version] <verb> [flags] [args]``. Each verb lives in a module of
this package (commands_run.py: init/validate/plan/apply/destroy; commands_inspect.py:
show/output/graph/force-unlock; commands_state.py: state) and declares itself once
(args.Verb, marked with ``@command``): ``-help``, ``vpnform help VERB``, the command list
and shell completion (complete.py) are read from those declarations. Exceptions never
reach the user as tracebacks: they become diagnostics here.
"""

from __future__ import annotations

import gc
import os
import sys

import importlib

from ..diagnostics import Diagnostics
from . import complete
from .args import (BOOL, VALUE, Flag, UsageError, Verb, command, flag_lines, parse, usage_text,
                   wants_help)
from ..version import VERSION
from .views import Console, print_diagnostics

__all__ = ["main", "VERSION"]

GLOBAL_FLAGS = {
    "chdir": Flag(VALUE, "Switch to a different working directory before executing the "
                  "given subcommand.", "=DIR"),
    "help": Flag(BOOL, "Show this help output, or the help for a specified subcommand."),
    "version": Flag(BOOL, 'An alias for the "version" subcommand.'),
    "install-autocomplete": Flag(BOOL, "Install shell completion of vpnform's commands, flags "
                                 "and addresses into ~/.bashrc and ~/.zshrc."),
    "uninstall-autocomplete": Flag(BOOL, "Remove the shell completion that "
                                   "-install-autocomplete installed."),
}

VERSION_VERB = Verb("version", "Show the current vpnform version", usage="",
                    description="Displays the version of vpnform.")


@command(VERSION_VERB)
def cmd_version(argv: list[str], console: Console) -> int:
    parse(argv, VERSION_VERB)
    return _version(console)


# verb -> "module:runner" of this package. A verb's module is imported when the verb runs
# (so `vpnform version` loads no runner, and `plan` only its own: startup time, issue #14);
# the command list, help and completion import them all. Each runner's Verb (its name,
# flags and help) is declared in its module; a test checks the names agree.
BUILTIN_VERBS = {
    "init": "commands_run:cmd_init", "validate": "commands_run:cmd_validate",
    "plan": "commands_run:cmd_plan", "apply": "commands_run:cmd_apply",
    "destroy": "commands_run:cmd_destroy", "show": "commands_inspect:cmd_show",
    "output": "commands_inspect:cmd_output", "state": "commands_state:cmd_state",
    "graph": "commands_inspect:cmd_graph", "import": "commands_import:cmd_import",
    "force-unlock": "commands_inspect:cmd_force_unlock", "tunnel": "commands_tunnel:cmd_tunnel",
    "fmt": "commands_fmt:cmd_fmt", "console": "commands_console:cmd_console",
    "refresh": "commands_run:cmd_refresh", "taint": "commands_taint:cmd_taint",
    "untaint": "commands_taint:cmd_untaint", "workspace": "commands_workspace:cmd_workspace",
    "cost": "commands_cost:cmd_cost", "version": ":cmd_version",  # no module: this one
}


def _builtin(name: str):
    """The runner of the built-in verb ``name`` (its module imported now)."""
    module, _, runner = BUILTIN_VERBS[name].partition(":")
    found = importlib.import_module(f"{__package__}.{module}") if module else sys.modules[__name__]
    return getattr(found, runner)


def _plugin_verbs() -> dict:
    """Verbs contributed by installed packages (e.g. ``lab`` from the netlab package), so
    the engine itself never imports them. Each is loaded only when it is used."""
    from importlib.metadata import entry_points

    from .plugin import COMMAND_ENTRY_POINTS  # the plugin API: loaded with the plugins
    return {ep.name: ep for ep in entry_points(group=COMMAND_ENTRY_POINTS)}


def find_verb(name: str):
    """The runner of the verb ``name`` (built in, else a plugin's), or None."""
    if name in BUILTIN_VERBS:
        return _builtin(name)
    ep = _plugin_verbs().get(name)
    return ep.load() if ep is not None else None


def all_verbs() -> dict:
    """Every verb's runner, plugins loaded: for the command list, help and completion."""
    return {**{name: ep.load() for name, ep in _plugin_verbs().items()},
            **{name: _builtin(name) for name in BUILTIN_VERBS}}


def usage() -> str:
    """``vpnform -help``: the main commands first, then all other commands, as Terraform
    lists its commands."""
    specs = [fn.verb for fn in all_verbs().values() if getattr(fn, "verb", None)]
    width = max(len(v.name) for v in specs) + 2
    main = [v for v in specs if v.main]
    main.sort(key=lambda v: MAIN_ORDER.index(v.name) if v.name in MAIN_ORDER else 99)
    other = sorted((v for v in specs if not v.main), key=lambda v: v.name)
    lines = ["Usage: vpnform [global options] <subcommand> [args]", "",
             "The available commands for execution are listed below.",
             "The primary workflow commands are given first, followed by",
             "less common or more advanced commands.", "", "Main commands:"]
    lines += [f"  {v.name:<{width}}{v.synopsis}" for v in main]
    lines += ["", "All other commands:"]
    lines += [f"  {v.name:<{width}}{v.synopsis}" for v in other]
    lines += ["", "Global options (use these before the subcommand, if any):"]
    lines += flag_lines(GLOBAL_FLAGS, spaced=False)
    return "\n".join(lines)


MAIN_ORDER = ["init", "validate", "plan", "apply", "destroy"]


def _help(console: Console, words: list[str]) -> int:
    """``vpnform help [VERB [SUBCOMMAND]]`` and ``vpnform VERB [SUBCOMMAND] -help``."""
    if not words:
        console.print(usage())
        return 0
    handler = find_verb(words[0])
    if handler is None:
        return _no_such_verb(console, words[0])
    spec = getattr(handler, "verb", None)
    if spec is None:  # a plugin that declares no Verb: it answers -help itself
        return handler(["-help"], console)
    spec, _ = spec.subcommand([w for w in words[1:] if not w.startswith("-")])
    console.print(usage_text(spec))
    return 0


def _no_such_verb(console: Console, verb: str) -> int:
    from ..config.evaluate import did_you_mean
    hint = did_you_mean(verb, list(BUILTIN_VERBS) + list(_plugin_verbs()))
    console.print(f'vpnform has no command named "{verb}".'
                  + (f' Did you mean "{hint}"?' if hint else "")
                  + '\n\nTo see all of vpnform\'s top-level commands, run:\n  vpnform -help',
                  err=True)
    return 1


def _answer_completion(line: str) -> int:
    """Candidates on stdout; nothing at all when something fails (the shell shows what
    the program prints, so never a message)."""
    try:
        specs = {name: fn.verb for name, fn in all_verbs().items()
                 if getattr(fn, "verb", None)}
        words = complete.candidates(line, specs, GLOBAL_FLAGS, complete.state_addresses)
    except Exception:  # noqa: BLE001 - a completion request must not print an error
        return 1
    for word in words:
        sys.stdout.write(word + "\n")
    return 0


def _program_path() -> str:
    """The absolute path of the running vpnform executable, for ``complete -C``."""
    program = sys.argv[0]
    if os.sep not in program:  # found on PATH
        import shutil
        program = shutil.which(program) or program
    return os.path.abspath(program)


def _autocomplete(console: Console, install: bool) -> int:
    home = os.path.expanduser("~")
    try:
        if install:
            files = complete.install(home, _program_path())
            console.print(f"Installed completion of vpnform in {', '.join(files)}. It takes "
                          "effect in new shells.")
        else:
            files = complete.uninstall(home)
            console.print(f"Removed the completion of vpnform from {', '.join(files)}.")
    except complete.AutocompleteError as err:
        d = Diagnostics()
        d.error(err.summary, err.detail)
        print_diagnostics(console, d, {})
        return 1
    except OSError as err:
        d = Diagnostics()
        d.error("Failed to update the shell's rc file",
                f"{err.strerror or err}: {err.filename}. Check that the file is writable.")
        print_diagnostics(console, d, {})
        return 1
    return 0


def _version(console: Console) -> int:
    console.print(f"vpnform v{VERSION}")
    return 0


def _run(argv: list[str], console: Console) -> int:
    """Global options, then the verb (or its help)."""
    chdir = None
    while argv and argv[0].startswith("-"):
        flag = argv.pop(0)
        name, eq, value = flag.lstrip("-").partition("=")
        if name == "chdir":
            if not eq:
                if not argv:
                    console.print("Error: -chdir needs a directory, e.g. -chdir=examples/quickstart",
                                  err=True)
                    return 1
                value = argv.pop(0)
            chdir = value
        elif name in ("version", "v"):
            return _version(console)
        elif name in ("help", "h"):
            return _help(console, argv[:1])
        elif name in ("install-autocomplete", "uninstall-autocomplete"):
            return _autocomplete(console, install=name.startswith("install"))
        else:
            console.print(f"Error: unknown global option {flag}\n\n{usage()}", err=True)
            return 1
    if not argv:
        console.print(usage())
        return 0
    verb, rest = argv[0], argv[1:]
    if verb == "help":
        return _help(console, rest)
    handler = find_verb(verb)
    if handler is None:
        return _no_such_verb(console, verb)
    if wants_help(rest):
        return _help(console, argv)
    if chdir is not None:
        try:
            os.chdir(chdir)
        except OSError as err:
            console.print(f"Error handling -chdir option: {err.strerror}: {chdir}", err=True)
            return 1
    return handler(rest, console)


def _run_failures() -> tuple[type[Exception], ...]:
    """A run's lock, state and backend errors, shown as their diagnostics. Evaluated only
    when an exception reaches ``main``, so that a verb that never loads the runner
    (operations.py) does not import it for this clause."""
    from ..operations import OperationFailed
    from ..state.backends.config import BackendConfigError
    return OperationFailed, BackendConfigError


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    line = complete.completion_request(os.environ)
    if line is not None:  # bash asks (complete -C): answer, one candidate a line
        return _answer_completion(line)
    color = "-no-color" not in argv and "--no-color" not in argv
    color = color and sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
    console = Console(color=color)
    try:
        return _run(argv, console)
    except UsageError as err:
        console.print(f"Error: {err}", err=True)
        return 1
    except _run_failures() as err:  # a run's lock, state or backend
        print_diagnostics(console, err.diagnostics, err.files)
        return 1
    except KeyboardInterrupt:
        console.print("\nInterrupt received. Everything already applied is recorded in state.",
                      err=True)
        return 1
    except BrokenPipeError:
        # the reader went away (`vpnform plan -json | head`): stop quietly, as a pipe
        # writer does; nothing more can be written to it
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 141
    except Exception as err:  # noqa: BLE001 - never a traceback for the user
        d = Diagnostics()
        d.error("Internal error",
                f"{type(err).__name__}: {err}. This is a bug in vpnform; state already "
                "written is intact. Run with VPNFORM_DEBUG=1 to see the traceback.")
        print_diagnostics(console, d, {})
        if os.environ.get("VPNFORM_DEBUG"):
            import traceback
            traceback.print_exc()
        return 1


def console_main() -> int:
    """The ``vpnform`` command: ``main``, and then an exit that leaves the run's objects to
    the operating system. The interpreter's last full collection would otherwise walk all
    that a large run left behind (700,000 objects in cycles after a plan of 6,900: 1.3 s
    of a 4.9 s plan); frozen objects (``gc.freeze``) are not walked. At-exit handlers, the
    joining of threads and the flushing of files all still run."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
