"""``taint`` / ``untaint``: mark a resource instance in state for replacement, or clear it.

Only state changes, under the state lock (operations.Run); the next plan replaces a
tainted instance ("is tainted, so must be replaced").
"""

from __future__ import annotations


from ..addrs import AddressError, parse_instance
from ..diagnostics import Diagnostics
from ..operations import Run
from ..state.model import READY, TAINTED
from .args import (ADDRESSES, BOOL, LOCK, LOCK_TIMEOUT, NO_COLOR, Flag, UsageError, Verb,
                   command, parse)
from .commands_run import lock_options
from .views import Console, print_diagnostics

FLAGS = {"allow-missing": Flag(BOOL, "If specified, the command will succeed (exit code 0) "
                                "even if the resource is missing."),
         "lock": LOCK, "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR}
TAINT = Verb(
    "taint", "Mark a resource instance as not fully functional", usage="[options] <address>",
    description="""
        vpnform uses the term "tainted" to describe a resource instance which may not be
        fully functional, either because its creation partially failed or because you've
        manually marked it as such using this command.

        This will not modify your infrastructure directly, but subsequent vpnform plans
        will include actions to destroy the remote object and create a new object to
        replace it.

        You can remove the "taint" state from a resource instance using the "vpnform
        untaint" command.

        The address is in the usual resource address syntax, such as:
          tencentcloud_vpn_connection.main
          tencentcloud_vpn_connection.site[1]
          module.site.tencentcloud_vpn_gateway.gw""",
    completes=ADDRESSES,
    flags=FLAGS)
UNTAINT = Verb(
    "untaint", "Remove the 'tainted' state from a resource instance",
    usage="[options] name",
    description="""
        vpnform uses the term "tainted" to describe a resource instance which may not be
        fully functional, either because its creation partially failed or because you've
        manually marked it as such using the "vpnform taint" command.

        This command removes that state from a resource instance, causing vpnform to see
        it as fully-functional and not in need of replacement.

        This will not modify your infrastructure directly. It only avoids vpnform planning
        to replace a tainted instance in future.""",
    completes=ADDRESSES,
    flags=FLAGS)


@command(TAINT)
def cmd_taint(argv: list[str], console: Console) -> int:
    return _mark(argv, console, TAINT)


@command(UNTAINT)
def cmd_untaint(argv: list[str], console: Console) -> int:
    return _mark(argv, console, UNTAINT)


def _mark(argv: list[str], console: Console, spec: Verb) -> int:
    verb = spec.name
    args = parse(argv, spec)
    if args.get("no-color"):
        console.color = False
    if len(args.positional) != 1:
        raise UsageError(f"The {verb} command expects exactly one argument: the address of "
                         "a resource instance, like tencentcloud_vpn_connection.main.")
    text = args.positional[0]
    try:
        addr = parse_instance(text)
    except AddressError as err:
        raise UsageError(f"Invalid resource instance address: {err}") from None
    if addr.resource.mode != "managed":
        raise UsageError(f"Resource instance {addr} cannot be {verb}ed: only managed "
                         "resources can be.")
    run = Run(lock_options(args, console), "OperationTypeInvalid")
    d = Diagnostics()
    with run.locked_state() as state:
        console.add_state_secrets(state)
        obj = state.instance(addr) if state is not None else None
        if obj is None:
            if args.get("allow-missing"):
                console.print(f"Resource instance {addr} was not found, but this is not "
                              "an error because -allow-missing was set.")
                return 0
            d.error("No such resource instance",
                    f"There is no resource instance in the state with the address {addr}. "
                    "If the resource configuration has just been added, you must run "
                    '"vpnform apply" once to create the corresponding instance(s) before '
                    f"they can be {verb}ed.")
            print_diagnostics(console, d, {})
            return 1
        if verb == "untaint" and obj.status != TAINTED:
            d.error("Resource instance is not tainted",
                    f"Resource instance {addr} is not currently tainted, and so it cannot "
                    "be untainted.")
            print_diagnostics(console, d, {})
            return 1
        obj.status = TAINTED if verb == "taint" else READY
        run.write(state)
    console.print(f"Resource instance {addr} has been marked as tainted." if verb == "taint"
                  else f"Resource instance {addr} has been successfully untainted.")
    return 0
