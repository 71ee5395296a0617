"""Creates an earlier apply left in flight: find their objects before anything is planned.

An apply journals an idempotency token before every create (``State.in_flight``) and the
new object the moment the cloud returns its ID. A crash between the two (or a create
whose answer was lost) leaves only the token. Here each such create is looked up through
its provider (``recover_create``): an object found is adopted into state as tainted, as
Terraform records a create that did not finish, so the plan replaces it rather than
making a second one; a create that made nothing is forgotten. Only what cannot be looked
up stays a warning.
"""

from __future__ import annotations

from ..addrs import AddressError, ProviderConfigAddr, parse_instance
from ..diagnostics import Diagnostics
from ..provider_set import ProviderSet
from ..state.model import TAINTED, InstanceObject, State
from ..values import unmark


def recover_in_flight(state: State, providers: ProviderSet) -> tuple[State, Diagnostics]:
    """``state`` with every create in flight settled where its provider can tell."""
    diags = Diagnostics()
    for text in state.journal_warnings:  # a journal that could not be replayed at all
        diags.warning("State journal not replayed", text)
    if not state.in_flight:
        return state, diags
    state = state.deepcopy()
    adopted: list[str] = []
    unknown: list[str] = []
    for address, pending in sorted(state.in_flight.items()):
        try:
            addr = parse_instance(address)
            provider_addr = ProviderConfigAddr.parse_state_str(pending.provider)
        except (AddressError, ValueError):
            unknown.append(address)
            continue
        provider = providers.get(provider_addr)
        recover = getattr(provider, "recover_create", None)
        if recover is None or pending.token is None:
            unknown.append(address)
            continue
        result = recover(addr.resource.type, pending.token, dict(pending.planned or {}))
        for d in result.diagnostics:
            diags.append(d.with_address(address))
        if result.diagnostics.has_errors:
            unknown.append(address)
            continue
        del state.in_flight[address]
        if result.value is None:
            continue  # the create made nothing: the plan creates the object as usual
        plain, marks = unmark(result.value)
        current = state.instance(addr)
        if current is not None:
            if current.attributes.get("id") != plain.get("id"):
                # The address still holds the object this create was replacing.
                diags.warning(
                    "Object created but not tracked",
                    f"An earlier apply stopped while creating a replacement for {address}. "
                    f"The cloud holds the new object ({plain.get('id')}) beside the one in "
                    "state. Delete it by hand, or import it under another address.",
                    address=address)
            continue
        state.set_instance(addr, provider_addr, InstanceObject(
            attributes=plain, sensitive_paths=[list(p) for p in marks],
            dependencies=list(pending.dependencies), status=TAINTED),
            pending.each_mode or None)
        adopted.append(f"{address} ({plain.get('id')})")
    if adopted:
        diags.warning(
            "Objects recovered from an interrupted apply",
            "An earlier apply stopped before these creates finished, and vpnform found the "
            "objects in the cloud by their creation token: " + ", ".join(adopted) + ". They "
            "are recorded as tainted, so this plan replaces them; nothing was created twice.")
    if unknown:
        diags.warning(
            "Objects may exist without being in state",
            "An earlier apply stopped abruptly while creating " + ", ".join(unknown) + ", and "
            "their provider cannot look the objects up. The cloud may hold them without "
            "vpnform recording them, and this plan would create them again. Check the cloud "
            "for them and delete any such object by hand (or adopt it with import) before "
            "applying.")
    return state, diags
