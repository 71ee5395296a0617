"""The ``workspace`` verb: new, select, list, show and delete workspaces, with Terraform's
flags, messages and exit codes. Which workspace is current lives in
engine/state/workspaces.py; this module keeps only arguments and views."""

from __future__ import annotations

import os

from ..diagnostics import Diagnostics
from ..operations import backend_for
from ..state import codec
from ..state import workspaces
from ..state.backends.base import StateError
from ..state.workspaces import DEFAULT_WORKSPACE, Locking, WorkspaceError
from .args import (BOOL, LOCK, LOCK_TIMEOUT, NO_COLOR, VALUE, Flag, UsageError, Verb, command, parse,
                   parse_duration, usage_text)
from .views import Console, print_diagnostics

WORKSPACE_NEW = Verb(
    "workspace new", "Create a new workspace", usage="[OPTIONS] NAME",
    description="Create a new vpnform workspace, and switch to it.",
    flags={"lock": LOCK, "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR,
           "state": Flag(VALUE, "Copy an existing state file into the new workspace.",
                         "=path")})
WORKSPACE_SELECT = Verb(
    "workspace select", "Select a workspace", usage="NAME",
    description="Select a different vpnform workspace.",
    flags={"or-create": Flag(BOOL, "Create the vpnform workspace if it doesn't exist.",
                             "=false"), "no-color": NO_COLOR})
WORKSPACE_LIST = Verb("workspace list", "List Workspaces", usage="",
                      description="List vpnform workspaces; the current one is marked *.",
                      flags={"no-color": NO_COLOR})
WORKSPACE_SHOW = Verb("workspace show", "Show the name of the current workspace", usage="",
                      description="Show the name of the current workspace.",
                      flags={"no-color": NO_COLOR})
WORKSPACE_DELETE = Verb(
    "workspace delete", "Delete a workspace", usage="[OPTIONS] NAME",
    description="Delete a vpnform workspace and its state.",
    flags={"force": Flag(BOOL, "Remove a workspace even if it is managing resources. "
                         "vpnform can no longer track or manage the workspace's "
                         "infrastructure."),
           "lock": LOCK, "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR})
WORKSPACE = Verb(
    "workspace", "Workspace management", usage="<subcommand> [options] [args]",
    description="new, list, show, select and delete vpnform workspaces. Each workspace of "
                "a configuration has its own state in the same backend; "
                "terraform.workspace is its name. TF_WORKSPACE overrides the selection.",
    subcommands={"delete": WORKSPACE_DELETE, "list": WORKSPACE_LIST, "new": WORKSPACE_NEW,
                 "select": WORKSPACE_SELECT, "show": WORKSPACE_SHOW})

NEW_WORKSPACE_NOTE = ("You're now on a new, empty workspace. Workspaces isolate their state,\n"
                      'so if you run "vpnform plan" vpnform will not see any existing state\n'
                      "for this configuration.")
OVERRIDDEN_NOTE = ("The active workspace is being overridden using the TF_WORKSPACE "
                   "environment\nvariable.")


def _fail(console: Console, summary: str, detail: str) -> int:
    d = Diagnostics()
    d.error(summary, detail)
    print_diagnostics(console, d, {})
    return 1


def _one_name(args, verb: Verb) -> str:
    if len(args.positional) != 1:
        raise UsageError(f"Expected a single argument: NAME.\n\n{usage_text(verb)}")
    return args.positional[0]


def _locking(args) -> Locking:
    return Locking(enabled=args.get("lock", True),
                   timeout=parse_duration(args, "lock-timeout", 0.0))


@command(WORKSPACE)
def cmd_workspace(argv: list[str], console: Console) -> int:
    if not argv or argv[0] not in WORKSPACE.subcommands:
        console.print(usage_text(WORKSPACE), err=bool(argv))
        return 1 if argv else 0
    sub, rest = argv[0], argv[1:]
    args = parse(rest, WORKSPACE.subcommands[sub])
    if args.get("no-color"):
        console.color = False
    workdir = os.getcwd()
    try:
        if sub == "show":
            console.print(workspaces.selected(workdir).name)
            return 0
        current = workspaces.selected(workdir)
        # The backend's root (default workspace): the list of workspaces, and the others.
        root = backend_for(workdir, workspace=DEFAULT_WORKSPACE)
        if sub == "list":
            return _list(console, root.workspaces(), current)
        if sub == "new":
            return _new(console, args, workdir, root, current)
        if sub == "select":
            return _select(console, args, workdir, root, current)
        return _delete(console, args, root, current)
    except WorkspaceError as err:
        return _fail(console, err.summary, err.detail)
    except StateError as err:  # LockError included: it names the holder
        return _fail(console, "Failed to use the workspace's state", str(err))


def _list(console: Console, names: list[str], current: workspaces.Selection) -> int:
    for name in names:
        console.print(("* " if name == current.name else "  ") + name)
    console.print("")
    if current.overridden:
        console.print("\n" + OVERRIDDEN_NOTE + "\n")
    return 0


def _switched(console: Console, workdir: str, name: str, created: bool) -> None:
    workspaces.select(workdir, name)
    if created:
        console.print(console.bold(f'Created and switched to workspace "{name}"!'))
        console.print("")
        console.print(NEW_WORKSPACE_NOTE)
    else:
        console.print(f'Switched to workspace "{name}".')


def _new(console, args, workdir, root, current) -> int:
    name = _one_name(args, WORKSPACE_NEW)
    if current.overridden and name != current.name:
        return _fail(console, "Workspace overridden by TF_WORKSPACE",
                     "The workspace is currently overridden using the TF_WORKSPACE "
                     "environment variable. You cannot create a new workspace when using "
                     "this setting.\n\nTo create a new workspace, either unset this "
                     "environment variable or update it to match the workspace name you are "
                     "trying to create, and then run this command again.")
    workspaces.check_name(name)
    state = None
    path = args.get("state")
    if path:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as err:
            return _fail(console, "Failed to read the state file",
                         f"Cannot read {path}: {err.strerror or err}.")
        state = codec.loads_state(raw, f"the state file {path}")
    workspaces.create(root, name, state, _locking(args))
    _switched(console, workdir, name, created=True)
    return 0


def _select(console, args, workdir, root, current) -> int:
    name = _one_name(args, WORKSPACE_SELECT)
    if current.overridden:
        return _fail(console, "Workspace overridden by TF_WORKSPACE",
                     "The selected workspace is currently overridden using the TF_WORKSPACE "
                     "environment variable.\n\nTo select a new workspace, either update this "
                     "environment variable or unset it and then run this command again.")
    workspaces.check_name(name)
    if name != DEFAULT_WORKSPACE and name not in root.workspaces():
        if not args.get("or-create"):
            raise workspaces.missing_error(name)
        workspaces.create(root, name)
        _switched(console, workdir, name, created=True)
        return 0
    _switched(console, workdir, name, created=False)
    return 0


def _delete(console, args, root, current) -> int:
    name = _one_name(args, WORKSPACE_DELETE)
    tracked = workspaces.delete(root, name, current.name, bool(args.get("force")),
                                _locking(args))
    console.print(console.bold(f'Deleted workspace "{name}"!'))
    if tracked:
        console.print(f'WARNING: "{name}" was non-empty.\nThe resources managed by the deleted '
                      "workspace may still exist,\nbut are no longer manageable by vpnform "
                      "since the state has\nbeen deleted.")
    return 0
