"""The in-memory state: resources, their instances' recorded objects, and root outputs.

Pure data with small mutators. Encoding to Terraform's v4 JSON lives in codec.py;
persistence (files, journal, PostgreSQL) lives in backends/.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..addrs import InstanceAddr, InstanceKey, ProviderConfigAddr, ResourceAddr

READY = "ready"
TAINTED = "tainted"


@dataclass
class InstanceObject:
    """What state records for one resource instance."""

    attributes: dict
    sensitive_paths: list = field(default_factory=list)  # list of attribute paths (tuples)
    dependencies: list = field(default_factory=list)  # sorted canonical ResourceAddr strings
    status: str = READY
    schema_version: int = 0
    create_before_destroy: bool = False

    def copy(self) -> "InstanceObject":
        return copy_tree(self)


@dataclass
class PendingCreate:
    """A create announced in the journal before the call that makes the object.

    ``token`` is the idempotency token the provider gives the cloud with the create, so
    the object can be found again even when the answer to the create never arrived;
    ``planned`` the wholly known value the create was made from (what a provider needs to
    look the object up by its natural key when the API has no place for a token)."""

    provider: str  # the provider configuration's state string
    token: str | None = None
    planned: dict | None = None
    each_mode: str = ""
    dependencies: list = field(default_factory=list)  # as InstanceObject.dependencies


@dataclass
class ResourceState:
    addr: ResourceAddr
    provider: ProviderConfigAddr
    instances: dict = field(default_factory=dict)  # InstanceKey -> InstanceObject
    each_mode: str = ""  # "" (single), "count" or "for_each"
    # Objects a create_before_destroy replacement has set aside but not yet deleted, as
    # Terraform's "deposed" objects: (InstanceKey, deposed key) -> InstanceObject.
    deposed: dict = field(default_factory=dict)


@dataclass
class OutputValue:
    value: Any
    sensitive: bool = False
    type: Any = None  # JSON type description as Terraform writes it, or None to infer


# The Terraform version vpnform stamps on the states it creates: the Terraform whose state
# format it writes. A state stamped newer is refused, as Terraform refuses one.
STATE_TERRAFORM_VERSION = "1.11.0"


@dataclass
class State:
    lineage: str = field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    terraform_version: str = STATE_TERRAFORM_VERSION
    resources: dict = field(default_factory=dict)  # ResourceAddr -> ResourceState
    outputs: dict = field(default_factory=dict)  # name -> OutputValue
    # Not part of the v4 file: creates that were in flight when an apply died (replayed
    # from the journal), by instance address. The next plan looks each one up in the cloud
    # by its token and adopts what it finds (see engine/plan/recovery.py).
    in_flight: dict = field(default_factory=dict)  # address -> PendingCreate
    # Not part of the v4 file either: why a journal beside the state could not be replayed.
    journal_warnings: list = field(default_factory=list)

    def instance(self, addr: InstanceAddr) -> InstanceObject | None:
        rs = self.resources.get(addr.resource)
        return rs.instances.get(addr.key) if rs else None

    def provider_of(self, addr: ResourceAddr) -> ProviderConfigAddr | None:
        rs = self.resources.get(addr)
        return rs.provider if rs else None

    def set_instance(self, addr: InstanceAddr, provider: ProviderConfigAddr,
                     obj: InstanceObject | None, each_mode: str | None = None) -> None:
        """Record ``obj`` for ``addr``; None removes the instance (and an emptied resource)."""
        rs = self.resources.get(addr.resource)
        if obj is None:
            if rs is not None:
                rs.instances.pop(addr.key, None)
                if not rs.instances and not rs.deposed:
                    del self.resources[addr.resource]
            return
        rs = self._resource_state(addr, provider)
        rs.provider = provider
        if each_mode is not None:
            rs.each_mode = each_mode
        elif not rs.each_mode:
            rs.each_mode = ("count" if isinstance(addr.key, int)
                            else "for_each" if isinstance(addr.key, str) else "")
        rs.instances[addr.key] = obj

    def _resource_state(self, addr: InstanceAddr, provider: ProviderConfigAddr) -> ResourceState:
        rs = self.resources.get(addr.resource)
        if rs is None:
            rs = self.resources[addr.resource] = ResourceState(addr.resource, provider)
        return rs

    def set_deposed(self, addr: InstanceAddr, provider: ProviderConfigAddr, deposed: str,
                    obj: InstanceObject | None) -> None:
        """Record ``obj`` as a deposed object of ``addr``; None removes it."""
        if obj is None:
            rs = self.resources.get(addr.resource)
            if rs is not None:
                rs.deposed.pop((addr.key, deposed), None)
                if not rs.instances and not rs.deposed:
                    del self.resources[addr.resource]
            return
        self._resource_state(addr, provider).deposed[(addr.key, deposed)] = obj

    def deposed_objects(self) -> Iterator[tuple[InstanceAddr, str, ResourceState, InstanceObject]]:
        for raddr in sorted(self.resources):
            rs = self.resources[raddr]
            for (key, dkey) in sorted(rs.deposed, key=lambda k: (
                    InstanceAddr(raddr, k[0]).sort_key(), k[1])):
                yield InstanceAddr(raddr, key), dkey, rs, rs.deposed[(key, dkey)]

    def instances(self) -> Iterator[tuple[InstanceAddr, ResourceState, InstanceObject]]:
        for raddr in sorted(self.resources):
            rs = self.resources[raddr]
            for key in sorted(rs.instances, key=lambda k: InstanceAddr(raddr, k).sort_key()):
                yield InstanceAddr(raddr, key), rs, rs.instances[key]

    def instance_count(self) -> int:
        """How many instances there are (without listing them in order, as ``instances``)."""
        return sum(len(rs.instances) for rs in self.resources.values())

    def instance_addrs(self) -> list[InstanceAddr]:
        return [a for a, _, _ in self.instances()]

    @property
    def empty(self) -> bool:
        return not self.resources

    def deepcopy(self) -> "State":
        return copy_tree(self)

    def copy_but_attributes(self) -> "State":
        """A deep copy, except that each instance's (not deposed object's) ``attributes``
        are the very value ``self`` holds: for a caller that replaces them (as refresh does
        with what it reads), and copies with ``copy_tree`` those it does not replace."""
        new = _shallow_copy(self)
        for name in _field_names(State):
            if name != "resources":
                setattr(new, name, copy_tree(getattr(self, name)))
        new.resources = {}
        rs_fields = [n for n in _field_names(ResourceState) if n != "instances"]
        obj_fields = [n for n in _field_names(InstanceObject) if n != "attributes"]
        for raddr, rs in self.resources.items():
            new_rs = _shallow_copy(rs)
            for name in rs_fields:
                setattr(new_rs, name, copy_tree(getattr(rs, name)))
            new_rs.instances = {}
            for key, obj in rs.instances.items():
                new_obj = _shallow_copy(obj)
                for name in obj_fields:
                    setattr(new_obj, name, copy_tree(getattr(obj, name)))
                new_rs.instances[key] = new_obj
            new.resources[raddr] = new_rs
        return new


_ATOMS = frozenset({str, int, float, bool, type(None)})


def copy_tree(v: Any) -> Any:
    """A deep copy of a state tree: dicts, lists and (mutable) dataclasses are copied;
    scalars and frozen dataclasses (addresses, value types) are shared. Several times
    faster than ``copy.deepcopy`` on the thousands of recorded objects of a large state."""
    t = type(v)
    if t in _ATOMS:
        return v
    if t is dict:
        return {k: copy_tree(x) for k, x in v.items()}
    if t is list:
        return [copy_tree(x) for x in v]
    params = getattr(t, "__dataclass_params__", None)
    if params is not None:
        if params.frozen:
            return v
        new = _shallow_copy(v)
        for name in _field_names(t):
            setattr(new, name, copy_tree(getattr(v, name)))
        return new
    return copy.deepcopy(v)


_FIELD_NAMES: dict[type, tuple] = {}


def _field_names(t: type) -> tuple:
    names = _FIELD_NAMES.get(t)
    if names is None:
        names = _FIELD_NAMES[t] = tuple(f.name for f in dataclasses.fields(t))
    return names


_PLAIN_COPY: dict[type, bool] = {}


def _shallow_copy(v: Any) -> Any:
    """``copy.copy`` of a (mutable) dataclass object, without the copy protocol's detour
    for the plain ones (their ``__dict__`` is all they hold)."""
    t = type(v)
    plain = _PLAIN_COPY.get(t)
    if plain is None:
        plain = _PLAIN_COPY[t] = (
            t.__reduce_ex__ is object.__reduce_ex__ and t.__reduce__ is object.__reduce__
            and not hasattr(t, "__slots__") and not hasattr(t, "__copy__")
            and getattr(t, "__getstate__", None) in (None, getattr(object, "__getstate__", None)))
    if plain:
        new = object.__new__(t)
        new.__dict__.update(v.__dict__)
        return new
    return copy.copy(v)


def instance_key_of(addr: InstanceAddr) -> InstanceKey:
    return addr.key
