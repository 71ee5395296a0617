"""The ``state`` verb: list, show, pull, push, mv and rm, on whatever backend the working
directory uses. Changes to the state go through the backend under its lock; the rules of
a move, a removal and a push live in engine/state/edit.py."""

from __future__ import annotations

import sys

from ..addrs import AddressError, parse_instance
from ..diagnostics import Diagnostics
from ..operations import Run
from ..state import codec
from ..state.backends.base import StateError
from ..state.edit import StateEditError, check_push, keep_in_flight, move, remove
from ..state.model import State
from .args import (ADDRESSES, BOOL, LEGACY_STATE, LOCK, LOCK_TIMEOUT, NO_COLOR, VALUE, Flag,
                   ParsedArgs, UsageError, Verb, command, parse, usage_text)
from .commands_inspect import _read_state, render_instance
from .commands_run import lock_options
from .views import Console, print_diagnostics

DRY_RUN_MV = Flag(BOOL, "If set, prints out what would've been moved but doesn't actually "
                  "move anything.")
DRY_RUN_RM = Flag(BOOL, "If set, prints out what would've been removed but doesn't actually "
                  "remove anything.")

STATE_LIST = Verb(
    "state list", "List resources in the state", usage="[options] [address...]",
    description="""
        List resources in the vpnform state.

        This command lists resource instances in the vpnform state. The address argument
        can be used to filter the instances by resource or module. If no pattern is given,
        all resource instances are listed.""",
    completes=ADDRESSES,
    flags={"state": LEGACY_STATE, "no-color": NO_COLOR,
           "id": Flag(VALUE, 'Filters the results to include only instances whose attribute '
                      'named "id" equals the given id string.', "=ID")})
STATE_SHOW = Verb(
    "state show", "Show a resource in the state", usage="[options] ADDRESS",
    description="""
        Shows the attributes of a resource in the vpnform state.

        This command shows the attributes of a single resource in the vpnform state. The
        address argument must be used to specify a single resource. Sensitive values are
        shown as (sensitive value).""",
    completes=ADDRESSES,
    flags={"state": LEGACY_STATE, "no-color": NO_COLOR})
STATE_PULL = Verb(
    "state pull", "Pull current state and output to stdout", usage="[options]",
    description="""
        Pull the state from its location and output it to stdout.

        This command "pulls" the current state and outputs it to stdout as state file
        format version 4, decrypted when state encryption is on. It includes every
        secret the state holds, as Terraform's state pull does: treat the output as you
        treat the state itself.

        The primary use of this is for state stored remotely (the pg backend). This
        command will still work with local state but is less useful for this.""")
STATE_PUSH = Verb(
    "state push", "Update remote state from a local state file", usage="[options] PATH",
    description="""
        Update remote state from a local state file at PATH.

        This command "pushes" a local state and overwrites remote state with a local
        state file. The command will protect you against writing an older serial or a
        different state file lineage unless you specify the "-force" flag.

        This command works with local state (it will overwrite the local state), but is
        less useful for this use case.

        If PATH is "-", then this command will read the state to push from stdin. Data
        from stdin is not streamed to the backend: it is loaded completely (until pipe
        close), verified, and then pushed.""",
    flags={"force": Flag(BOOL, "Write the state even if lineages don't match or the remote "
                         "serial is higher."),
           "lock": LOCK, "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR})
STATE_MV = Verb(
    "state mv", "Move an item in the state", usage="[options] SOURCE DESTINATION",
    description="""
        This command will move an item matched by the address given to the destination
        address.

        This can be used for simple resource renaming, moving an instance to another
        count index or for_each key, moving items to and from a module, and moving
        entire modules. The destination must not exist yet in the state, except that a
        resource instance may join an existing resource.

        This will not modify your infrastructure. Update the configuration to match (or
        use a moved block instead, which does the same during plan).""",
    completes=ADDRESSES,
    flags={"dry-run": DRY_RUN_MV, "lock": LOCK, "lock-timeout": LOCK_TIMEOUT,
           "no-color": NO_COLOR})
STATE_RM = Verb(
    "state rm", "Remove instances from the state", usage="[options] ADDRESS...",
    description="""
        Remove one or more items from the vpnform state, causing vpnform to "forget"
        those items without first destroying them in the remote system.

        This command removes one or more resource instances from the vpnform state based
        on the addresses given. You can view and list the available instances with
        "vpnform state list".

        If you give the address of an entire module then all of the instances in that
        module and any of its child modules will be removed from the state.

        If you give the address of a resource that has "count" or "for_each" set, all of
        the instances of that resource will be removed from the state.""",
    completes=ADDRESSES,
    flags={"dry-run": DRY_RUN_RM, "lock": LOCK, "lock-timeout": LOCK_TIMEOUT,
           "no-color": NO_COLOR})
STATE = Verb(
    "state", "Advanced state management", usage="<subcommand> [options] [args]",
    description="""
        This command has subcommands for advanced state management.

        The structure and output of the commands is specifically tailored to work well
        with the common Unix utilities such as grep, awk, etc.""",
    subcommands={"list": STATE_LIST, "mv": STATE_MV, "pull": STATE_PULL, "push": STATE_PUSH,
                 "rm": STATE_RM, "show": STATE_SHOW})


@command(STATE)
def cmd_state(argv: list[str], console: Console) -> int:
    if not argv or argv[0] not in STATE.subcommands:
        console.print(usage_text(STATE), err=bool(argv))
        return 1 if argv else 0
    sub, rest = argv[0], argv[1:]
    args = parse(rest, STATE.subcommands[sub])
    if args.get("no-color"):
        console.color = False
    return _SUBCOMMANDS[sub](args, console)


def _list(args: ParsedArgs, console: Console) -> int:
    state, rc = _read_state(console)
    if rc:
        return rc
    state = state or State()
    filters = args.positional
    want_id = args.get("id")
    for addr, rs, obj in state.instances():
        text = str(addr)
        if filters and not any(text == f or text.startswith(f + "[") or
                               text.startswith(f + ".") or str(addr.resource) == f
                               for f in filters):
            continue
        if want_id and obj.attributes.get("id") != want_id:
            continue
        console.print(text)
    return 0


def _show(args: ParsedArgs, console: Console) -> int:
    if len(args.positional) != 1:
        raise UsageError("Exactly one argument expected: the address of a resource instance, "
                         "e.g. vpnform state show tencentcloud_vpn_gateway.gw")
    try:
        addr = parse_instance(args.positional[0])
    except AddressError as err:
        raise UsageError(str(err)) from None
    state, rc = _read_state(console)
    if rc:
        return rc
    state = state or State()
    obj = state.instance(addr)
    if obj is None:
        d = Diagnostics()
        d.error("No instance found for the given address",
                f"This command requires that the address references one specific instance; "
                f"{addr} is not in the state. Run vpnform state list to see what is.")
        print_diagnostics(console, d, {})
        return 1
    rs = state.resources[addr.resource]
    console.print("\n".join(render_instance(addr, rs, obj, console.color)))
    return 0


def _pull(args: ParsedArgs, console: Console) -> int:
    if args.positional:
        raise UsageError("The state pull command expects no arguments.")
    state, rc = _read_state(console)
    if rc:
        return rc
    if state is None:
        return 0  # as Terraform: no state, no output
    # As Terraform: the pretty v4 document, then a blank line. Secrets included (this is
    # the explicit way to get the raw state); nothing else this command prints has them.
    console.print_unredacted(codec.dumps_state(state).decode("utf-8") + "\n")
    return 0


def _fail(console: Console, summary: str, detail: str) -> int:
    d = Diagnostics()
    d.error(summary, detail)
    print_diagnostics(console, d, {})
    return 1


def _read_pushed(path: str, console: Console) -> State | None:
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            source = "the state read from stdin"
        else:
            with open(path, "rb") as f:
                data = f.read()
            source = f"the state file {path}"
    except OSError as err:
        _fail(console, "Failed to read the state to push",
              f"Cannot read {path}: {err.strerror}.")
        return None
    try:
        pushed = codec.loads_state(data, source)
    except StateError as err:
        _fail(console, "Error reading source state", str(err))
        return None
    console.add_state_secrets(pushed)
    return pushed


def _push(args: ParsedArgs, console: Console) -> int:
    if len(args.positional) != 1:
        raise UsageError("Exactly one argument expected: the path of the state file to push, "
                         'or "-" to read it from stdin.')
    pushed = _read_pushed(args.positional[0], console)
    if pushed is None:
        return 1
    run = Run(lock_options(args, console), "OperationTypeInvalid")
    try:
        with run.locked_state() as stored:
            console.add_state_secrets(stored)
            force = bool(args.get("force"))
            if not force:
                check_push(stored, pushed)
            kept = keep_in_flight(stored, pushed)
            # Over a missing or empty state any lineage may be pushed, as in Terraform.
            run.backend.write(pushed, force=force or stored is None or (
                stored.empty and not stored.outputs))
    except StateEditError as err:
        return _fail(console, err.summary, f"{err.detail} The stored state is unchanged. "
                     "Use -force to overwrite it anyway.")
    if kept:
        console.print(f"Kept {len(kept)} create(s) an interrupted apply left in flight, which "
                      f"the pushed state does not hold: {', '.join(kept)}. The next plan "
                      "finds those objects in the cloud and adopts them.", err=True)
    return 0


def _edit(args: ParsedArgs, console: Console, change, report) -> int:
    """Lock, read, ``change(state)`` (StateEditError: nothing written), write, unlock;
    then ``report`` prints what changed. With -dry-run nothing is written."""
    run = Run(lock_options(args, console), "OperationTypeInvalid")
    dry_run = bool(args.get("dry-run"))
    try:
        with run.locked_state() as state:
            console.add_state_secrets(state)
            if state is None:
                return _fail(console, "No state file was found!",
                             "State management commands require a state file. Run this "
                             "command in a directory where vpnform apply has been run.")
            result = change(state)
            if not dry_run:
                run.backend.write(state)
    except StateEditError as err:
        return _fail(console, err.summary, err.detail)
    report(result, dry_run)
    return 0


def _mv(args: ParsedArgs, console: Console) -> int:
    if len(args.positional) != 2:
        raise UsageError("Exactly two arguments expected: SOURCE DESTINATION.")
    source, destination = args.positional

    def report(moved, dry_run: bool) -> None:
        if dry_run:
            console.print(f'Would move "{moved.source}" to "{moved.destination}"')
            return
        console.print(f'Move "{moved.source}" to "{moved.destination}"')
        console.print("Successfully moved 1 object(s).")
    return _edit(args, console, lambda state: move(state, source, destination), report)


def _rm(args: ParsedArgs, console: Console) -> int:
    if not args.positional:
        raise UsageError("At least one address is required.")

    def report(removed, dry_run: bool) -> None:
        for addr in removed:
            console.print(f"Would remove {addr}" if dry_run else f"Removed {addr}")
        if not dry_run:
            console.print(f"Successfully removed {len(removed)} resource instance(s).")
    return _edit(args, console, lambda state: remove(state, list(args.positional)), report)


_SUBCOMMANDS = {"list": _list, "show": _show, "pull": _pull, "push": _push, "mv": _mv,
                "rm": _rm}
