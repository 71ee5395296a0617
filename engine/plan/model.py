"""The plan: per-instance changes, the ordered action graph apply follows, output changes.

Values in ``before``/``after`` keep their marks (Sensitive) and unknowns (Unknown). The
action graph is emitted here once; apply only follows it (never rebuilds a graph).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ..addrs import InstanceAddr, ProviderConfigAddr
from ..state.model import State


class Action(enum.Enum):
    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    DELETE_THEN_CREATE = "delete-then-create"  # -/+
    CREATE_THEN_DELETE = "create-then-delete"  # +/-
    FORGET = "forget"  # removed { lifecycle { destroy = false } }: out of state, left alone

    @property
    def is_replace(self) -> bool:
        return self in (Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    @property
    def json_actions(self) -> list[str]:
        return {
            Action.NOOP: ["no-op"], Action.CREATE: ["create"], Action.READ: ["read"],
            Action.UPDATE: ["update"], Action.DELETE: ["delete"],
            Action.DELETE_THEN_CREATE: ["delete", "create"],
            Action.CREATE_THEN_DELETE: ["create", "delete"],
            Action.FORGET: ["forget"],
        }[self]


@dataclass
class ResourceInstanceChange:
    addr: InstanceAddr
    provider: ProviderConfigAddr
    action: Action
    before: dict | None
    after: dict | None
    requires_replace: list = field(default_factory=list)  # attribute paths
    reason: str | None = None  # e.g. "replace_because_cannot_update", "delete_because_no_resource_config"
    dependencies: list = field(default_factory=list)  # canonical ResourceAddr strings
    each_mode: str = ""
    sensitive_paths: list = field(default_factory=list)  # schema-sensitive paths of after
    block_types: list = field(default_factory=list)  # names of nested block types (schema)
    # dependencies recorded in state for the prior object: order the destroy of an old
    # dependency after this object stops using it
    prior_dependencies: list = field(default_factory=list)
    # import: the id of an existing object this change adopts (``import`` block / verb)
    importing_id: str | None = None
    # moved: the address the object had in state before a ``moved`` block renamed it
    previous_addr: InstanceAddr | None = None
    # the key of the deposed object this change destroys ("" for the current object)
    deposed: str = ""

    @property
    def is_change(self) -> bool:
        """Anything to do at apply: an action, an object to adopt (an import) or to
        re-address (a move)."""
        return (self.action is not Action.NOOP or self.importing_id is not None
                or self.previous_addr is not None)


# Operation kinds in the action graph: "destroy" removes the prior object, "apply" creates
# or updates the new one. A replacement is two operations.
DESTROY = "destroy"
APPLY = "apply"


@dataclass(frozen=True, order=True)
class Operation:
    kind: str
    addr: InstanceAddr
    deposed: str = ""  # DESTROY of a deposed object left by an earlier apply

    def __str__(self) -> str:
        return f"{self.kind} {self.addr}" + (f" (deposed object {self.deposed})"
                                             if self.deposed else "")


@dataclass
class OutputChange:
    name: str
    action: Action
    before: Any
    after: Any
    sensitive: bool = False


@dataclass
class Plan:
    changes: dict  # InstanceAddr -> ResourceInstanceChange (every instance, no-ops included)
    operations: list  # Operation, in a valid sequential order
    edges: list  # (Operation before, Operation after)
    output_changes: dict  # name -> OutputChange
    prior_state: State  # the refreshed prior state the plan was made against
    variables: dict  # input variable values (marked)
    config_dir: str
    config_digest: str
    data_values: dict = field(default_factory=dict)  # InstanceAddr -> value read during plan
    destroy: bool = False
    refresh_only: bool = False
    # InstanceAddr -> ResourceInstanceChange (action UPDATE or DELETE): what refresh found
    # changed outside vpnform (before = as recorded, after = as read)
    drift: dict = field(default_factory=dict)
    targets: list = field(default_factory=list)  # -target addresses (strings), if any
    state_lineage: str = ""
    state_serial: int = 0
    errored: bool = False
    # (InstanceAddr, deposed key) -> ResourceInstanceChange (DELETE): deposed objects an
    # earlier apply left (a create_before_destroy replacement it did not finish)
    deposed: dict = field(default_factory=dict)
    workspace: str = "default"  # terraform.workspace as the plan was made
    cost: Any = None  # cost.CostReport: the plan priced (PlanOptions.estimate_cost), or None
    # provider name -> [PlannedObject]: what ``check_plan`` saw, for provider analyses such
    # as ``graph -type=reachability`` (never saved with the plan)
    planned_objects: dict = field(default_factory=dict)

    @property
    def resource_changes(self) -> list[ResourceInstanceChange]:
        """Every change, each deposed object's after its instance's current object."""
        out = []
        by_addr: dict = {}
        for (addr, dkey) in sorted(self.deposed, key=lambda k: (k[0], k[1])):
            by_addr.setdefault(addr, []).append(self.deposed[(addr, dkey)])
        for a in sorted(set(self.changes) | set(by_addr), key=InstanceAddr.sort_key):
            if a in self.changes:
                out.append(self.changes[a])
            out.extend(by_addr.get(a, []))
        return out

    def forgets(self) -> int:
        return sum(1 for c in self.changes.values() if c.action is Action.FORGET)

    def counts(self) -> tuple[int, int, int]:
        add = change = destroy = 0
        for c in self.changes.values():
            if c.action is Action.CREATE:
                add += 1
            elif c.action is Action.UPDATE:
                change += 1
            elif c.action is Action.DELETE:
                destroy += 1
            elif c.action.is_replace:
                add += 1
                destroy += 1
        return add, change, destroy + len(self.deposed)

    @property
    def has_resource_changes(self) -> bool:
        return bool(self.deposed) or any(c.is_change and c.action is not Action.READ
                                         for c in self.changes.values())

    @property
    def has_changes(self) -> bool:
        """Something to apply: actions, output changes, or (refresh-only) drift to record."""
        return (self.has_resource_changes or bool(self.refresh_only and self.drift)
                or any(o.action is not Action.NOOP for o in self.output_changes.values()))
