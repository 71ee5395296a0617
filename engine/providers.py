"""The Provider protocol, its request/result types, and the entry-point registry.

The engine never imports a concrete provider: providers are found through the
``vpnform.providers`` entry-point group. One Provider object is created per provider
configuration block (per alias) and configured with that block's evaluated value.

Failure contract:
- ``plan`` has no side effects, ever.
- ``apply`` returns the last known value even on failure: a failed create that left an
  object behind returns that object (the engine records it as tainted); a failed delete
  returns the prior value (the object still exists); a failed update returns the object
  as it now is.
- ``read`` (and the optional ``read_batch``) returns None when the object is gone.

Crash consistency (creates): before a create the engine journals an idempotency token
(``ApplyRequest.create_token``) and the provider hands it to the cloud with the create, in
a form the cloud keeps with the object. The provider reports the new object through
``ApplyRequest.on_created`` the moment the cloud returns its ID (before waiting for it to
become ready), and the engine journals it at once. (The engine passes no ``on_created``
when no provider's calls wait and the provider has ``recover_create``: the final result
follows at once.) After a crash, or when the answer to a create was lost,
``recover_create(type, token, planned)`` finds the object again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Protocol, runtime_checkable

from .diagnostics import AttrPath, Diagnostics
from .schema import ProviderSchema

ENTRY_POINT_GROUP = "vpnform.providers"


@dataclass
class PlanRequest:
    type_name: str
    address: str  # canonical instance address, for messages
    prior: dict | None  # the prior state value (None when creating)
    config: dict  # the evaluated configuration: unset optionals are None; may hold Unknown


@dataclass
class PlanResult:
    planned: dict | None  # the planned new value; Unknown for what apply will decide
    requires_replace: list[AttrPath] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass
class ApplyRequest:
    type_name: str
    address: str
    prior: dict | None  # None: create
    planned: dict | None  # None: delete; otherwise the planned value, now wholly known
    config: dict | None
    # Creates only: the idempotency token already journalled for this create, and the
    # callback to report the object (its value so far, ID included) as soon as it exists
    # (None when the engine needs no early report; a provider calls it only when given).
    create_token: str | None = None
    on_created: Callable[[dict], None] | None = None


@dataclass
class ApplyResult:
    new: dict | None  # the object as it now exists (None: no object)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # A failed create whose outcome is unknown (its answer was lost and the object could
    # not be looked up): the object may exist. The engine keeps the create's token, and
    # the next plan looks for the object again (``recover_create``).
    in_doubt: bool = False


@dataclass
class ReadResult:
    value: dict | None  # None: the object no longer exists
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass
class PlannedObject:
    """One object as it will exist after apply, given to ``Provider.check_plan``.

    ``references`` maps a top-level attribute name to the (instance address, attribute)
    pairs its expression refers to, so a provider can follow ``vpc_id =
    tencentcloud_vpc.main.id`` to the VPC's planned value even while the id is unknown.
    """

    address: str
    type_name: str
    value: dict
    provider: "Provider"  # the configured provider instance that owns the object
    action: str  # "create" | "update" | "replace" | "no-op" | "delete" (value = prior object)
    references: dict = field(default_factory=dict)
    # True in a -target'ed plan: objects outside the targets are not among those given,
    # so a check must not conclude from their absence (reachability stays quiet).
    partial: bool = False


HOURS_PER_MONTH = 730  # as Infracost counts a month of an hourly price


@dataclass(frozen=True)
class CostComponent:
    """One priced line of an object's cost, e.g. 730 hours of a gateway at 0.078."""

    name: str
    unit: str  # "hours", "months"
    monthly_quantity: float
    price: float  # per unit
    monthly_cost: float


@dataclass
class CostEstimate:
    """What one object costs a month (and an hour), or why that is not known yet."""

    currency: str = "USD"
    hourly: float | None = None
    monthly: float | None = None
    components: list = field(default_factory=list)  # CostComponent
    source: str = ""  # where the price came from, e.g. "InquiryPriceCreateVpnGateway"
    unknown: str | None = None  # why the cost is not known, in words (hourly/monthly None)
    details: dict = field(default_factory=dict)  # what was priced: region, bandwidth, ...


@dataclass
class ReachabilityCell:
    """One pair (local range, remote range) of a reachability matrix: the tunnel that carries
    it, or why none does, in words."""

    subnet: str | None  # the subnet's address; None for an SPD local range with no subnet
    local_cidr: str
    remote_cidr: str
    # "reachable", "unreachable", "unknown" (until apply), "undeclared" (no SPD declares
    # the pair) or "no-subnet" (an SPD local range no subnet of the configuration lies in)
    status: str
    reason: str
    tunnel: str | None = None
    customer_gateway: str | None = None
    route: str | None = None  # the route that carries (or fails to carry) the pair


@dataclass
class ReachabilityMatrix:
    """Every (subnet, IDC range) pair of the plan (``graph -type=reachability``)."""

    cells: list = field(default_factory=list)  # ReachabilityCell


@runtime_checkable
class Provider(Protocol):
    name: str

    def schema(self) -> ProviderSchema: ...

    def configure(self, config: dict) -> Diagnostics: ...

    def validate(self, type_name: str, config: dict) -> Diagnostics: ...

    def plan(self, request: PlanRequest) -> PlanResult: ...

    def check_plan(self, objects: list[PlannedObject]) -> Diagnostics:
        """Cross-object checks (limits, rules needing another object's value) for the whole
        plan. Called once per provider type with every object of that type; ``objects``
        from all configurations (aliases) of the provider. A diagnostic with an address and
        no attribute path is about the object's existence (a limit): the engine points at
        the resource's count or for_each argument, else at its block."""
        ...

    def apply(self, request: ApplyRequest) -> ApplyResult: ...

    def read(self, type_name: str, value: dict) -> ReadResult: ...

    def read_data_source(self, type_name: str, config: dict) -> ReadResult: ...

    def import_resource(self, type_name: str, id: str) -> ReadResult: ...

    def close(self) -> None: ...

    # Optional: ``read_batch(type_name, values) -> list[ReadResult]`` — ``read`` of each of
    # ``values`` (objects of one type, at most engine.plan.planner.REFRESH_BATCH), in order,
    # with the same results (None: gone), asking the cloud for them together (e.g. one
    # Describe call per 100 IDs). Without it, a refresh reads one object a call.

    # Optional: ``reads_wait() -> bool`` — whether its reads wait on something outside
    # this process (a network, an injected latency), so that reading several at once saves
    # time. A provider that answers in this process, by work alone, says False: the refresh
    # then reads its objects one unit after another, without threads contending for the
    # interpreter (a tenth of a no-change plan's CPU). Without it: True.

    # Optional: ``applies_wait() -> bool`` — the same for ``apply``'s calls, which may also
    # wait for an object to be provisioned. False: the apply runs its operations on one
    # worker, those ready at once together, their creates journalled with one flush.
    # Without it: True (operations run on ``-parallelism`` threads).

    # Optional: ``prepare_apply(resources: int)`` — called once configured, when the run is
    # going to apply (apply, destroy, refresh), with about how many resources it has (the
    # configuration's resource blocks and the state's instances): start what applies need
    # (e.g. a helper process, when there are enough to make it worthwhile), so that it is
    # ready once the plan is made. A plan alone never calls it.

    # Optional, together: ``applies_run_elsewhere() -> bool`` and ``apply_batch(requests) ->
    # list[ApplyResult | Exception]``. True: its applies are carried out by another process,
    # whose work overlaps this one's (e.g. on another core). When no provider's calls wait
    # and every provider with changes says True (and has ``recover_create``), the apply
    # gives each batch of operations ready at once (creates, updates and deletes; the
    # creates journalled first, as always) to ``apply_batch`` in one call, two batches at a
    # time: one is prepared and recorded here while the other process carries out the other.
    # ``apply_batch`` returns, in order, each request's result or the exception its apply
    # raised (that operation alone fails, as when ``apply`` raises); when it raises, every
    # operation of the batch fails, and their creates stay journalled for the next plan to
    # look up. No request it is given asks for an early report (``on_created`` is None).

    # Optional: ``target() -> str | None`` — which remote system this configuration talks
    # to, in a few words (e.g. "the real cloud, region ap-guangzhou"); plan and apply name
    # it first, so that where a run makes its changes is never a surprise.

    # Optional: ``estimate_cost(type_name, value) -> CostEstimate | None`` — what the object
    # ``value`` (planned or recorded; it may hold Unknown) costs, priced by the provider's
    # own means (e.g. the cloud's price inquiries); None for a type that is not billed. Never
    # raises and has no side effects: a price it cannot find is an estimate with ``unknown``.

    # Optional: ``reachability(objects) -> ReachabilityMatrix`` — for the planned objects of
    # this provider (as given to ``check_plan``), which subnet reaches which remote range
    # through which tunnel, or why not (``vpnform graph -type=reachability``). No side
    # effects but cloud reads; a value not known until apply gives status "unknown".

    # Optional: ``recover_create(type_name, token, planned) -> ReadResult`` — the object a
    # create made with idempotency ``token`` from ``planned`` (None: that create made none).
    # Without it, a create interrupted before its answer stays a warning.

    # Optional: ``lint_plan(objects) -> Diagnostics`` — checks needing no cloud read, run by
    # plan and by validate (where values come from configuration, computed ones unknown),
    # given every planned object of the run, all providers' (a tunnel's two ends may belong
    # to two providers). Its warnings are lint findings, which the ``-lint`` switch shows,
    # raises to errors or drops; its errors stay errors. Findings never quote a secret.
    # Each finding names its rule (``Diagnostic.rule``), one of the provider's optional
    # ``lint_rules`` mapping (rule name -> summary), which ``-lint`` policy files name.


@runtime_checkable
class TunnelProvider(Protocol):
    """Optional: live operations on tunnels a provider manages (``vpnform tunnel``)."""

    def tunnel_status(self, type_name: str, value: dict) -> tuple[dict | None, Diagnostics]:
        """Live IKE/child SA state, algorithms, established time, byte/packet counters."""
        ...

    def tunnel_ping(self, type_name: str, value: dict, target: str | None,
                    count: int) -> tuple[dict | None, Diagnostics]:
        """Ping from the local side's host to ``target`` (default: the first host of the
        first peer range): {"target", "source", "sent", "received", "rtts_ms": [...]}."""
        ...

    def tunnel_config(self, type_name: str, value: dict,
                      vendor: str) -> tuple[str | None, Diagnostics]:
        """The configuration of the peer device for ``vendor`` (e.g. "strongswan")."""
        ...

    # Optional: ``tunnel_types`` — the resource types that are tunnels (a set of names);
    # ``vpnform tunnel monitor`` with no address picks the state's only instance of one.

    # Optional: ``tunnel_metrics(type_name, value, metrics, period, start, end)`` — the
    # tunnel's monitoring series over [start, end] (Unix seconds), ``metrics`` None for
    # all: [{"metric", "unit", "period", "timestamps", "values"}] (``vpnform tunnel
    # monitor``).


@runtime_checkable
class GatewayFailover(Protocol):
    """Optional: gateways that run as a master/standby pair on this machine, whose active
    side can be killed to prove the failover (``vpnform lab fail-gateway``)."""

    def fail_gateway(self, type_name: str, value: dict) -> tuple[str | None, Diagnostics]:
        """Kill the active side of the gateway ``value`` as a crash would; what was done,
        in words (None when nothing was: see the diagnostics)."""
        ...


class ProviderFactory(Protocol):
    def __call__(self, *, workdir: str) -> Provider: ...


def available_providers() -> dict[str, Any]:
    """Provider local name -> factory (a class taking ``workdir=``), from entry points."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_provider_factory(name: str) -> ProviderFactory | None:
    ep = available_providers().get(name)
    return ep.load() if ep is not None else None


def value_of(obj: Any, attr: str) -> Any:
    """Small helper for providers: ``obj[attr]`` or None."""
    return obj.get(attr) if isinstance(obj, dict) else None
