"""A small in-memory provider for unit tests of the engine core, and shortcuts around it.

``FakeProvider`` implements the engine/providers.py protocol over a dict of objects keyed
by id. Its one resource type ``fake_thing`` has required / optional / computed / force_new
/ sensitive attributes, a list attribute, a map attribute and a nested ``rule`` block.
Tests steer it per address: plan or validate diagnostics at an attribute path, apply
failures (with or without a leftover object), and a delay to observe parallelism. It
records every apply call in order, and the largest number of apply calls in flight.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from engine.addrs import ProviderConfigAddr
from engine.apply.executor import ApplyOptions, apply
from engine.config.loader import load_module
from engine.diagnostics import Diagnostics
from engine.plan.planner import PlanOptions, plan
from engine.provider_set import ProviderSet
from engine.providers import (
    ApplyRequest,
    ApplyResult,
    PlannedObject,
    PlanRequest,
    PlanResult,
    ReadResult,
)
from engine.schema import LIST, Attribute, Block, NestedBlock, ProviderSchema, ResourceSchema
from engine.state.model import State
from engine.values import (
    NUMBER,
    STRING,
    UNKNOWN,
    ListType,
    MapType,
    Sensitive,
    is_wholly_known,
    unmark,
)

THING = Block(
    attributes={
        "name": Attribute(STRING, required=True),
        "size": Attribute(NUMBER, optional=True),
        "zone": Attribute(STRING, optional=True, force_new=True),
        "parent_id": Attribute(STRING, optional=True),
        "secret": Attribute(STRING, optional=True, sensitive=True),
        "label": Attribute(STRING, optional=True),
        "items": Attribute(ListType(STRING), optional=True),
        "tags": Attribute(MapType(STRING), optional=True),
        "id": Attribute(STRING, computed=True),
        "arn": Attribute(STRING, computed=True),
    },
    block_types={
        "rule": NestedBlock(Block(attributes={
            "cidr": Attribute(STRING, required=True),
            "port": Attribute(NUMBER, optional=True),
        }), nesting=LIST),
    },
)

SCHEMA = ProviderSchema(
    provider=Block(attributes={"region": Attribute(STRING, optional=True)}),
    resources={"fake_thing": ResourceSchema(THING)},
)

COMPUTED = ("id", "arn")


@dataclass
class ApplyCall:
    action: str  # create | update | delete
    address: str
    prior: dict | None
    planned: dict | None
    recorded_before: int = 0  # how many sink records existed when the call started


@dataclass
class Failure:
    summary: str = "Fake API error"
    leave_object: bool = False  # a failed create that still left an object behind


class FakeProvider:
    """In-memory provider. Objects live in ``objects`` keyed by id."""

    name = "fake"

    def __init__(self, delay: float = 0.0):
        self.objects: dict[str, dict] = {}
        self.calls: list[ApplyCall] = []
        self.fail: dict[str, Failure] = {}  # address -> failure of its next apply calls
        self.validate_diags: dict[str, list] = {}  # config name -> [(summary, path)]
        self.plan_diags: dict[str, list] = {}  # address -> [(summary, path)]
        self.check_diags: list = []  # [(address, summary, path)] from check_plan
        self.checked: list = []  # the PlannedObjects check_plan was given
        self.delay = delay
        self.sink_records: list = []  # shared with a RecordingSink to see what was persisted
        self._lock = threading.Lock()
        self._next_id = 0
        self._in_flight = 0
        self.max_in_flight = 0
        self.configured: dict | None = None
        self.closed = False

    # -- protocol ------------------------------------------------------------------------
    def schema(self) -> ProviderSchema:
        return SCHEMA

    def configure(self, config: dict) -> Diagnostics:
        self.configured = config
        return Diagnostics()

    def validate(self, type_name: str, config: dict) -> Diagnostics:
        # validate gets no address; tests key validate diagnostics by the config's name
        d = Diagnostics()
        name = unmark(config.get("name"))[0]
        for summary, path in self.validate_diags.get(name, []):
            d.error(summary, f"The fake rejects {path}.", path=path)
        return d

    def plan(self, request: PlanRequest) -> PlanResult:
        d = Diagnostics()
        for summary, path in self.plan_diags.get(request.address, []):
            d.error(summary, f"The fake rejects {path}.", path=path)
        planned = {k: v for k, v in request.config.items() if k not in COMPUTED}
        prior = request.prior
        replace = []
        if prior is not None:
            for name in sorted(THING.force_new_names()):
                if not _same(planned.get(name), prior.get(name)):
                    replace.append((name,))
        for name in COMPUTED:
            planned[name] = UNKNOWN if prior is None or replace else prior.get(name)
        return PlanResult(planned=planned, requires_replace=replace, diagnostics=d)

    def check_plan(self, objects: list[PlannedObject]) -> Diagnostics:
        self.checked = list(objects)
        d = Diagnostics()
        for address, summary, path in self.check_diags:
            d.error(summary, "The fake's cross-object rule failed.", address=address, path=path)
        return d

    def apply(self, request: ApplyRequest) -> ApplyResult:
        action = ("create" if request.prior is None else
                  "delete" if request.planned is None else "update")
        with self._lock:
            self.calls.append(ApplyCall(action, request.address, copy.deepcopy(request.prior),
                                        copy.deepcopy(request.planned),
                                        len(self.sink_records)))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            return self._apply(action, request)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _apply(self, action: str, request: ApplyRequest) -> ApplyResult:
        failure = self.fail.get(request.address)
        d = Diagnostics()
        if failure is not None:
            d.error(failure.summary, f"The fake failed to {action} {request.address}.")
        with self._lock:
            if action == "delete":
                prior = unmark(request.prior)[0]
                if failure is not None:
                    return ApplyResult(new=prior, diagnostics=d)
                self.objects.pop(prior["id"], None)
                return ApplyResult(new=None)
            new = unmark(request.planned)[0]
            if action == "create":
                if failure is not None and not failure.leave_object:
                    return ApplyResult(new=None, diagnostics=d)
                self._next_id += 1
                new["id"] = f"thing-{self._next_id}"
                new["arn"] = f"arn:fake:{new['name']}:{self._next_id}"
            elif failure is not None:
                return ApplyResult(new=unmark(request.prior)[0], diagnostics=d)
            self.objects[new["id"]] = copy.deepcopy(new)
            return ApplyResult(new=new, diagnostics=d)

    def read(self, type_name: str, value: dict) -> ReadResult:
        with self._lock:
            obj = self.objects.get(value.get("id"))
            return ReadResult(copy.deepcopy(obj) if obj is not None else None)

    def read_data_source(self, type_name: str, config: dict) -> ReadResult:
        return ReadResult(None)

    def import_resource(self, type_name: str, id: str) -> ReadResult:
        with self._lock:
            obj = self.objects.get(id)
            return ReadResult(copy.deepcopy(obj) if obj is not None else None)

    def close(self) -> None:
        self.closed = True

    # -- for tests -----------------------------------------------------------------------
    def order(self, action: str | None = None) -> list[str]:
        """``"create fake_thing.a"`` strings in call order (optionally one action only)."""
        return [f"{c.action} {c.address}" for c in self.calls
                if action is None or c.action == action]


def _same(a: Any, b: Any) -> bool:
    a, b = unmark(a)[0], unmark(b)[0]
    return is_wholly_known(a) and is_wholly_known(b) and a == b


@dataclass
class RecordingSink:
    """A state sink that records each instance change as apply reports it."""

    records: list = field(default_factory=list)
    flushes: list = field(default_factory=list)  # (name, status, flush) of each record

    def __call__(self, addr, provider_addr, obj, each_mode, deposed="", flush=True) -> None:
        name = f"{addr} (deposed object)" if deposed else str(addr)
        self.records.append((name, None if obj is None else obj.status,
                             None if obj is None else dict(obj.attributes)))
        self.flushes.append((name, None if obj is None else obj.status, flush))


class Env:
    """One working directory, one fake provider, the state carried between runs."""

    def __init__(self, root, fake: FakeProvider | None = None):
        self.root = str(root)
        self.fake = fake or FakeProvider()
        self.providers = ProviderSet(providers={ProviderConfigAddr("fake"): self.fake},
                                     schemas={"fake": self.fake.schema()})
        self.state: State | None = None
        self.module = None
        self._n = 0

    def load(self, text: str):
        """Write ``text`` as main.tf of a fresh module directory and load it."""
        self._n += 1
        d = os.path.join(self.root, f"cfg{self._n}")
        os.makedirs(d)
        with open(os.path.join(d, "main.tf"), "w", encoding="utf-8") as fh:
            fh.write(text)
        module, diags = load_module(d)
        assert module is not None and not diags.has_errors, [
            (x.summary, x.detail, str(x.subject)) for x in diags]
        self.module = module
        return module

    def plan(self, text: str | None = None, variables: dict | None = None, **options):
        if text is not None:
            self.load(text)
        return plan(self.module, self.state, variables or {}, self.providers,
                    PlanOptions(**options), self.root)

    def plan_ok(self, text: str | None = None, variables: dict | None = None, **options):
        p, diags = self.plan(text, variables, **options)
        assert p is not None and not diags.has_errors, [
            (x.summary, x.detail, str(x.subject)) for x in diags]
        return p

    def apply(self, p, sink=None, parallelism: int = 10):
        state, diags = apply(p, self.module, self.providers, self.root, sink=sink,
                             options=ApplyOptions(parallelism=parallelism))
        self.state = state
        return state, diags

    def converge(self, text: str, variables: dict | None = None):
        """Plan and apply ``text`` successfully; returns the new state."""
        p = self.plan_ok(text, variables)
        state, diags = self.apply(p)
        assert not diags.has_errors, [(x.summary, x.detail) for x in diags]
        return state


def plain(v: Any) -> Any:
    return unmark(v)[0]


__all__ = [
    "SCHEMA",
    "THING",
    "Env",
    "Failure",
    "FakeProvider",
    "RecordingSink",
    "Sensitive",
    "plain",
]
