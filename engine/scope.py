"""Evaluation scope of one module run: variables, locals, and resource values so far.

The planner fills resource values with planned values (unknowns included); apply fills
them with the new state's values. This is the one place that builds an EvalContext.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .addrs import InstanceAddr, ResourceAddr
from .config import evaluate as ev
from .config.decode import decode_body
from .config.model import Module
from .config.syntax import Expr
from .diagnostics import Diagnostics, SourceRange
from .values import UNKNOWN

NOT_DECLARED = ev.NOT_DECLARED


class Scope:
    def __init__(self, module: Module, variables: dict, workdir: str):
        self.module = module
        self.variables = variables
        self.workdir = workdir
        # ResourceAddr -> {"mode": ""|"count"|"for_each", "instances": {key: value}} ;
        # an expansion not yet known is recorded as UNKNOWN.
        self._resources: dict[ResourceAddr, Any] = {}
        self._lock = threading.Lock()
        self._locals_cache: dict[str, tuple[Any, Diagnostics]] = {}
        self._locals_active: set[str] = set()
        self._reported: set[tuple] = set()  # local-value diagnostics already returned once

    # -- resource values ---------------------------------------------------------------
    def set_expansion(self, addr: ResourceAddr, mode: str) -> None:
        with self._lock:
            cur = self._resources.get(addr)
            if not isinstance(cur, dict) or cur.get("mode") != mode:
                self._resources[addr] = {"mode": mode, "instances": {}}
            self._locals_cache.clear()

    def set_unknown_expansion(self, addr: ResourceAddr) -> None:
        with self._lock:
            self._resources[addr] = UNKNOWN
            self._locals_cache.clear()

    def set_instance(self, addr: InstanceAddr, value: Any) -> None:
        with self._lock:
            entry = self._resources.get(addr.resource)
            if not isinstance(entry, dict):
                mode = ("count" if isinstance(addr.key, int)
                        else "for_each" if isinstance(addr.key, str) else "")
                entry = self._resources[addr.resource] = {"mode": mode, "instances": {}}
            if value is None:
                entry["instances"].pop(addr.key, None)
            else:
                entry["instances"][addr.key] = value
            self._locals_cache.clear()

    def resource_value(self, addr: ResourceAddr) -> Any:
        if addr not in self.module.resources:
            return NOT_DECLARED
        with self._lock:
            entry = self._resources.get(addr)
        if entry is None:
            return UNKNOWN
        if not isinstance(entry, dict):
            return entry
        insts = entry["instances"]
        if entry["mode"] == "count":
            return ev.InstanceList(insts[k] for k in sorted(insts))
        if entry["mode"] == "for_each":
            return ev.InstanceMap((k, insts[k]) for k in sorted(insts))
        return insts.get(None, UNKNOWN)

    # -- locals ------------------------------------------------------------------------
    def local_value(self, name: str) -> tuple[Any, Diagnostics]:
        local = self.module.locals.get(name)
        if local is None:
            return NOT_DECLARED, Diagnostics()
        cached = self._locals_cache.get(name)
        if cached is not None:
            return cached[0], self._once(cached[1])
        if name in self._locals_active:
            d = Diagnostics()
            d.error("Cycle in local values",
                    f'The local value "{name}" refers to itself through other local values. '
                    "Break the cycle by computing one of them without the other.",
                    local.range)
            return UNKNOWN, d
        self._locals_active.add(name)
        try:
            value, diags = ev.evaluate(local.expr, self.context())
        finally:
            self._locals_active.discard(name)
        self._locals_cache[name] = (value, diags)
        return value, self._once(diags)

    def _once(self, diags: Diagnostics) -> Diagnostics:
        """A broken local is reported once, not once per resource that refers to it."""
        out = Diagnostics()
        for d in diags:
            key = (d.summary, d.detail, str(d.subject))
            if key not in self._reported:
                self._reported.add(key)
                out.append(d)
        return out

    # -- contexts ----------------------------------------------------------------------
    def context(self, count_index: int | None = None, each: tuple | None = None) -> Any:
        return ev.EvalContext(
            variables=self.variables,
            locals=self.local_value,
            resource_value=self.resource_value,
            count_index=count_index,
            each_key=each[0] if each else None,
            each_value=each[1] if each else None,
            has_each=each is not None,
            path_module=self.module.source_dir,
            path_root=self.module.source_dir,
            path_cwd=os.getcwd(),
            declared_variables=set(self.module.variables),
            declared_locals=set(self.module.locals),
            declared_resources=set(self.module.resources),
        )

    def evaluate(self, expr: Expr, count_index: int | None = None,
                 each: tuple | None = None) -> tuple[Any, Diagnostics]:
        return ev.evaluate(expr, self.context(count_index, each))

    def decode(self, body, schema_block, header_range: SourceRange | None,
               count_index: int | None = None, each: tuple | None = None):
        return decode_body(body, schema_block, self.context(count_index, each), header_range)
