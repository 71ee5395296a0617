"""vpnform's command line: global options, then one verb.

``vpnform [-chdir=DIR] [-version] <verb> [flags] [args]``. Each verb lives in a module of
this package (commands_run.py: init/validate/plan/apply/destroy; commands_inspect.py:
show/output/state/graph/force-unlock). Exceptions never reach the user as tracebacks: they
become diagnostics here.
"""

from __future__ import annotations

import os
import sys

from ..diagnostics import Diagnostics
from . import (commands_console, commands_fmt, commands_import, commands_inspect,
               commands_run, commands_taint, commands_tunnel)
from .args import UsageError
from ..version import VERSION
from .views import Console, print_diagnostics

__all__ = ["main", "VERSION"]

USAGE = """Usage: vpnform [global options] <subcommand> [args]

The available commands for execution are listed below.

Main commands:
  init          Prepare your working directory for other commands
  validate      Check whether the configuration is valid
  plan          Show changes required by the current configuration
  apply         Create or update infrastructure
  destroy       Destroy previously-created infrastructure

All other commands:
  cloud         Call an action of the emulated cloud's API, as a second client would
  console       Try vpnform expressions at an interactive command prompt
  fmt           Reformat your configuration in the standard style
  force-unlock  Release a stuck lock on the current workspace
  graph         Generate a Graphviz graph of the steps in an operation
  import        Associate existing infrastructure with a vpnform resource
  lab           A simulated IDC site on this machine (up, down, status, fail-gateway)
  output        Show output values from your root module
  refresh       Update the state to match remote systems (apply -refresh-only -auto-approve)
  show          Show the current state or a saved plan
  state         Advanced state management (list, show)
  taint         Mark a resource instance as not fully functional (to be replaced)
  tunnel        Live tunnel status, ping through a tunnel, peer configuration
  untaint       Remove the 'tainted' state from a resource instance
  version       Show the current vpnform version

Global options (use these before the subcommand, if any):
  -chdir=DIR    Switch to a different working directory before executing the
                given subcommand.
  -help         Show this help output, or the help for a specified subcommand.
  -version      An alias for the "version" subcommand.
"""

VERBS = {
    "init": commands_run.cmd_init,
    "validate": commands_run.cmd_validate,
    "plan": commands_run.cmd_plan,
    "apply": commands_run.cmd_apply,
    "destroy": commands_run.cmd_destroy,
    "show": commands_inspect.cmd_show,
    "output": commands_inspect.cmd_output,
    "state": commands_inspect.cmd_state,
    "graph": commands_inspect.cmd_graph,
    "import": commands_import.cmd_import,
    "force-unlock": commands_inspect.cmd_force_unlock,
    "tunnel": commands_tunnel.cmd_tunnel,
    "fmt": commands_fmt.cmd_fmt,
    "console": commands_console.cmd_console,
    "refresh": commands_run.cmd_refresh,
    "taint": commands_taint.cmd_taint,
    "untaint": commands_taint.cmd_untaint,
    "version": lambda argv, console: _version(console),
}


COMMAND_ENTRY_POINTS = "vpnform.commands"


def _plugin_verbs() -> dict:
    """Verbs contributed by installed packages (e.g. ``lab`` from the netlab package), so
    the engine itself never imports them."""
    from importlib.metadata import entry_points
    return {ep.name: (lambda ep: lambda argv, console: ep.load()(argv, console))(ep)
            for ep in entry_points(group=COMMAND_ENTRY_POINTS)}


def _version(console: Console) -> int:
    console.print(f"vpnform v{VERSION}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    color = "-no-color" not in argv and "--no-color" not in argv
    color = color and sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
    console = Console(color=color)
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
            console.print(USAGE)
            return 0
        else:
            console.print(f"Error: unknown global option {flag}\n\n{USAGE}", err=True)
            return 1
    if not argv:
        console.print(USAGE)
        return 0
    verb, rest = argv[0], argv[1:]
    handler = VERBS.get(verb) or _plugin_verbs().get(verb)
    if handler is None:
        from ..config.evaluate import did_you_mean
        hint = did_you_mean(verb, list(VERBS) + list(_plugin_verbs()))
        console.print(f'vpnform has no command named "{verb}".'
                      + (f' Did you mean "{hint}"?' if hint else "")
                      + '\n\nTo see all of vpnform\'s top-level commands, run:\n  vpnform -help',
                      err=True)
        return 1
    if chdir is not None:
        try:
            os.chdir(chdir)
        except OSError as err:
            console.print(f"Error handling -chdir option: {err.strerror}: {chdir}", err=True)
            return 1
    try:
        return handler(rest, console)
    except UsageError as err:
        console.print(f"Error: {err}", err=True)
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


if __name__ == "__main__":
    sys.exit(main())
