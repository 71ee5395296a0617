"""The command-plugin API: all that a provider's verb (entry-point group
``vpnform.commands``: ``lab``, ``cloud``) may use of vpnform's command line. Provider
modules import this module, never other ``engine.cli`` modules.

Declare a verb once: a ``Verb`` (name, synopsis, usage, description, ``Flag``s of kind
``BOOL``, ``VALUE`` or ``MULTI``, subcommands, ``completes=ADDRESSES``) and
``@command(verb)`` on ``def cmd(argv, console) -> int``. ``-help``, ``vpnform help VERB``,
the command list and shell completion are read from that declaration.

Parse with ``parse(argv, verb)`` (→ ``ParsedArgs``: ``.get(flag)``, ``.positional``);
report bad usage by raising ``UsageError``; print with ``console.print(text, err=...)``
and diagnostics with ``print_diagnostics(console, diags)``. The working directory's state
is read with ``state_instance(workdir, address)``, and the provider that manages an
instance is made with ``instance_provider(workdir, instance)``; the optional provider
protocols a verb may ask for (``GatewayFailover``) are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics
from ..providers import GatewayFailover
from .args import (ADDRESSES, BOOL, MULTI, NO_COLOR, VALUE, Flag, ParsedArgs, UsageError, Verb,
                   command, parse, parse_duration, parse_int, usage_text)
from .views import Console
from .views import print_diagnostics as _print_diagnostics

COMMAND_ENTRY_POINTS = "vpnform.commands"

__all__ = ["ADDRESSES", "BOOL", "COMMAND_ENTRY_POINTS", "MULTI", "NO_COLOR", "VALUE", "Console",
           "Diagnostics", "Flag", "GatewayFailover", "ParsedArgs", "StateInstance", "UsageError",
           "Verb", "command", "instance_provider", "parse", "parse_duration", "parse_int",
           "print_diagnostics", "state_instance", "usage_text"]


def print_diagnostics(console: Console, diags: Diagnostics,
                      files: dict[str, str] | None = None) -> None:
    """Errors on standard error and warnings on standard output, as every verb shows them
    (``files``: source text by file name, to quote the lines a diagnostic points at)."""
    _print_diagnostics(console, diags, files or {})


@dataclass(frozen=True)
class StateInstance:
    """One resource instance recorded in the working directory's state."""

    address: str  # as the user wrote it, e.g. tencentcloud_vpn_gateway.tom
    type: str  # the resource type
    attributes: dict  # as recorded (sensitive values included: never print them whole)
    provider: str  # the local name of the provider that manages it, e.g. "tencentcloud"


def state_instance(workdir: str, address: str) -> StateInstance | None:
    """The instance at ``address`` in ``workdir``'s state, or None when it is not there.
    A malformed address is a UsageError."""
    from ..addrs import AddressError, parse_instance
    from ..operations import backend_for
    try:
        addr = parse_instance(address)
    except AddressError as err:
        raise UsageError(str(err)) from None
    state = backend_for(workdir).read()
    obj = state.instance(addr) if state else None
    if obj is None:
        return None
    provider = state.provider_of(addr.resource)
    return StateInstance(address, addr.resource.type, dict(obj.attributes),
                         provider.name if provider else "")


def instance_provider(workdir: str, instance: StateInstance) -> Any | None:
    """A fresh, unconfigured instance of the provider that manages ``instance`` (None when
    no installed package provides it). Check it for an optional protocol of
    engine.providers (e.g. ``GatewayFailover``) before calling; close it when done."""
    from ..providers import load_provider_factory
    factory = load_provider_factory(instance.provider)
    return factory(workdir=workdir) if factory is not None else None
