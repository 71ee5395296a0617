"""Evaluation scopes of one run: every module instance's variables, locals, outputs and
resource values so far.

An ``Evaluation`` holds what a plan or an apply knows (resource instance values, module
expansions); a ``Scope`` is one module instance's view of it — the root module, or
``module.site["sh"]`` whose input variables are its module block's arguments evaluated in
the calling instance. The planner fills resource values with planned values (unknowns
included); apply fills them with the new state's values. This is the one place that
builds an EvalContext.

Derived values (locals, module inputs and outputs) are computed on first use and cached;
the cache of one that refers to resources is dropped whenever a resource value changes.
Diagnostics of module inputs, outputs and expansions are reported once, through
``Evaluation.drain()``.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from .addrs import InstanceAddr, ModuleInstanceStep, ModulePath, ResourceAddr, module_str
from .config import evaluate as ev
from .config.conditions import check_rules
from .config.decode import decode_body
from .config.functions import standard_functions
from .config.model import Module, ModuleCall
from .config.syntax import Expr
from .config.tree import Config, ConfigNode, as_config
from .diagnostics import Diagnostics, SourceRange
from .schema import Block
from .state.workspaces import current_name as current_workspace
from .values import (ANY, NUMBER, UNKNOWN, ConversionError, Sensitive, SetValue,
                     contains_sensitive, friendly_type_name, is_unknown, is_wholly_known,
                     redact_text, sensitive_strings, strip_sensitive)

NOT_DECLARED = ev.NOT_DECLARED


@dataclass
class Expansion:
    """The instances count/for_each make of a resource or module block."""

    mode: str  # "" | "count" | "for_each"
    keys: list = field(default_factory=list)  # [(key, each or None)], each = (key, value)
    # validate only: count/for_each not known; one representative instance (key None)
    # stands for all of them, with count.index / each.key / each.value unknown
    unknown: bool = False

    def repetition(self, key) -> tuple:
        """(count.index, each) for the instance ``key``."""
        if self.unknown:
            return ((UNKNOWN if self.mode == "count" else None),
                    ((UNKNOWN, UNKNOWN) if self.mode == "for_each" else None))
        return (key if self.mode == "count" else None,
                self.each_of(key) if self.mode == "for_each" else None)

    def each_of(self, key) -> tuple | None:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = dict(self.keys)
        return index.get(key)


def count_number(value: Any) -> tuple[int, tuple[str, str] | None]:
    """A known count value as a whole number, converted as Terraform converts it (a string
    "2" counts 2); else (summary, detail) of Terraform's error."""
    if value is None:
        return 0, ("Invalid count argument",
                   'The given "count" argument value is null. An integer is required.')
    try:
        value = NUMBER.convert(value)
    except ConversionError as err:
        return 0, ("Incorrect value type", f"Invalid expression value: {err}.")
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        value = int(value)
    if not isinstance(value, int) or not -2 ** 63 <= value < 2 ** 63:
        return 0, ("Invalid count argument",
                   'The given "count" argument value is unsuitable: value must be a whole '
                   "number, between -9223372036854775808 and 9223372036854775807.")
    if value < 0:
        return 0, ("Invalid count argument",
                   'The given "count" argument value is unsuitable: must be greater than or '
                   "equal to zero.")
    return value, None


def for_each_keys(value: Any) -> tuple[list, tuple[str, str] | None]:
    """The instances of a known for_each value, [(key, (each.key, each.value))]: a map or
    object by key, a set of strings by element; else (summary, detail) of Terraform's
    error. A list or tuple is refused, as Terraform refuses it (toset() makes a set)."""
    unsuitable = 'The given "for_each" argument value is unsuitable: '
    if value is None:
        return [], ("Invalid for_each argument",
                    unsuitable + 'the given "for_each" argument value is null. A map, or set '
                    "of strings is allowed.")
    if isinstance(value, dict):
        return [(str(k), (str(k), v)) for k, v in sorted(value.items())], None
    if isinstance(value, SetValue):
        elements = [strip_sensitive(v) for v in value]
        if any(v is None for v in elements):
            return [], ("Invalid for_each set argument",
                        unsuitable + '"for_each" sets must not contain null values.')
        if all(isinstance(v, str) for v in elements):
            return [(v, (v, v)) for v in sorted(set(elements))], None
        return [], ("Invalid for_each set argument",
                    unsuitable + '"for_each" supports maps and sets of strings, but you have '
                    f"provided a set containing type {friendly_type_name(value).removeprefix('set of ')}.")
    return [], ("Invalid for_each argument",
                unsuitable + 'the "for_each" argument must be a map, or set of strings, and '
                f"you have provided a value of type {friendly_type_name(value)}.")


def expand(scope: "Scope", count: Expr | None, for_each: Expr | None, address: str
           ) -> tuple[Expansion | None, Diagnostics]:
    """Evaluate a block's count or for_each in ``scope``; None (with an error) when the
    value is unsuitable or not known at plan time. When only validating, a value not
    known yet gives one representative instance (``Expansion.unknown``)."""
    d = Diagnostics()
    lenient = scope.evaluation.validate_only
    if count is not None:
        value, vd = scope.evaluate(count)
        d.extend(vd)
        if vd.has_errors:
            return None, d
        value = strip_sensitive(value)
        if is_unknown(value) and lenient:
            return Expansion("count", [(None, None)], unknown=True), d
        if is_unknown(value):
            d.error("Invalid count argument",
                    'The "count" value depends on resource attributes that cannot be '
                    "determined until apply, so vpnform cannot predict how many instances "
                    "will be created. Use values known at plan time (variables, literals).",
                    count.range, address=address)
            return None, d
        n, message = count_number(value)
        if message:
            d.error(*message, count.range, address=address)
            return None, d
        return Expansion("count", [(i, None) for i in range(n)]), d
    if for_each is not None:
        value, vd = scope.evaluate(for_each)
        d.extend(vd)
        if vd.has_errors:
            return None, d
        if contains_sensitive(value):
            d.error("Invalid for_each argument",
                    "Sensitive values, or values derived from sensitive values, cannot be "
                    "used as for_each arguments: the instance keys would disclose them.",
                    for_each.range, address=address)
            return None, d
        if not is_wholly_known(value) if isinstance(value, list) else is_unknown(value):
            if lenient:
                return Expansion("for_each", [(None, (UNKNOWN, UNKNOWN))], unknown=True), d
            d.error("Invalid for_each argument",
                    'The "for_each" value depends on resource attributes that cannot be '
                    "determined until apply, so vpnform cannot predict how many instances "
                    "will be created.", for_each.range, address=address)
            return None, d
        keys, message = for_each_keys(value)
        if message:
            d.error(*message, for_each.range, address=address)
            return None, d
        return Expansion("for_each", keys), d
    return Expansion("", [(None, None)]), d


class Evaluation:
    """What one plan or apply run knows, shared by every module instance's Scope."""

    def __init__(self, config: Config | Module, variables: dict, workdir: str, refs=None,
                 validate_only: bool = False, planning: bool = False,
                 resource_block: Callable[[ResourceAddr], Block | None] | None = None,
                 workspace: str | None = None):
        self.config = as_config(config)
        # terraform.workspace: the working directory's current workspace unless given
        self.workspace = workspace if workspace is not None else current_workspace(workdir)
        # the schema of a resource's type, to type its values (sets, lists, maps)
        self.resource_block = resource_block
        self.validate_only = validate_only
        # while planning, impure functions (timestamp, uuid, bcrypt) are known only at apply
        self.planning = planning or validate_only
        self.root_variables = variables
        self.workdir = workdir
        if refs is None:
            from .graph.refs import ConfigRefs
            refs = ConfigRefs(self.config)
        self.refs = refs
        # full ResourceAddr -> {"mode": ..., "instances": {key: value}} or UNKNOWN
        self._resources: dict[ResourceAddr, Any] = {}
        self._lock = threading.RLock()
        self.generation = 0
        self._scopes: dict[ModulePath, Scope] = {}
        self._expansions: dict[tuple, Expansion | None] = {}
        self._pending = Diagnostics()
        self._reported: set[tuple] = set()
        self._active = threading.local()
        # the built-in function table every context of this run reads (never written)
        self.functions = standard_functions()

    # -- scopes ------------------------------------------------------------------------
    def scope(self, path: ModulePath = ()) -> "Scope":
        with self._lock:
            s = self._scopes.get(path)
            if s is None:
                s = self._scopes[path] = Scope(self, path)
            return s

    @property
    def root(self) -> "Scope":
        return self.scope(())

    # -- resource values ---------------------------------------------------------------
    def set_expansion(self, addr: ResourceAddr, mode: str) -> None:
        with self._lock:
            cur = self._resources.get(addr)
            if not isinstance(cur, dict) or cur.get("mode") != mode:
                self._resources[addr] = {"mode": mode, "instances": {}}
            self.generation += 1

    def set_unknown_expansion(self, addr: ResourceAddr) -> None:
        with self._lock:
            self._resources[addr] = UNKNOWN
            self.generation += 1

    def set_instance(self, addr: InstanceAddr, value: Any) -> None:
        block = (self.resource_block(addr.resource)
                 if self.resource_block is not None and isinstance(value, dict) else None)
        if block is not None:
            value = block.typed(value)
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
            self.generation += 1

    def resource_entry(self, addr: ResourceAddr) -> Any:
        with self._lock:
            return self._resources.get(addr)

    # -- module instances --------------------------------------------------------------
    def module_expansion(self, parent: ModulePath, name: str) -> Expansion | None:
        """The instances of module block ``name`` in module instance ``parent`` (None: not
        known or invalid; reported once)."""
        key = (parent, name)
        with self._lock:
            if key in self._expansions:
                return self._expansions[key]
        scope = self.scope(parent)
        call: ModuleCall = scope.module.module_calls[name]
        address = module_str(parent + (ModuleInstanceStep(name),))
        exp, d = expand(scope, call.count, call.for_each, address)
        self.report(d)
        with self._lock:
            self._expansions[key] = exp
        return exp

    def module_instances(self, path: ModulePath) -> list[ModulePath] | None:
        """Every instance path of the (static) module ``path``; None when some expansion
        on the way is not known."""
        out: list[ModulePath] = [()]
        for step in path:
            nxt: list[ModulePath] = []
            for parent in out:
                exp = self.module_expansion(parent, step.name)
                if exp is None:
                    return None
                nxt.extend(parent + (ModuleInstanceStep(step.name, k),) for k, _ in exp.keys)
            out = nxt
        return out

    def all_module_instances(self) -> Iterator[ModulePath]:
        for node in self.config.walk():
            for p in self.module_instances(node.path) or []:
                yield p

    # -- diagnostics -------------------------------------------------------------------
    def report(self, diags: Diagnostics) -> None:
        """Queue diagnostics of derived values, each reported once per run."""
        fresh = self.once(diags)
        with self._lock:
            self._pending.extend(fresh)

    def once(self, diags: Diagnostics) -> Diagnostics:
        """The diagnostics not seen before in this run."""
        out = Diagnostics()
        with self._lock:
            for d in diags:
                k = (d.summary, d.detail, str(d.subject), d.address)
                if k not in self._reported:
                    self._reported.add(k)
                    out.append(d)
        return out

    def drain(self) -> Diagnostics:
        with self._lock:
            out, self._pending = self._pending, Diagnostics()
        return out

    # -- cycle guard -------------------------------------------------------------------
    def enter(self, key: tuple) -> bool:
        active = getattr(self._active, "keys", None)
        if active is None:
            active = self._active.keys = set()
        if key in active:
            return False
        active.add(key)
        return True

    def leave(self, key: tuple) -> None:
        self._active.keys.discard(key)


class Scope:
    """One module instance: evaluation contexts for the expressions written in it."""

    def __init__(self, evaluation: Evaluation, path: ModulePath):
        self.evaluation = evaluation
        self.path = path
        node = evaluation.config.node(path)
        if node is None:
            raise KeyError(f"no module {module_str(path)} in the configuration")
        self.node: ConfigNode = node
        self.module: Module = node.module
        self.workdir = evaluation.workdir
        self.variables: Mapping = (evaluation.root_variables if not path
                                   else _ModuleInputs(self))
        self._cache: dict[tuple, tuple[int | None, Any, Diagnostics]] = {}
        # What every context of this module instance shares: built once, not per instance
        # (a module of 10,000 resources would otherwise copy 10,000 names per resource).
        self._module_calls = tuple(self.module.module_calls)
        self._declared_variables = frozenset(self.module.variables)
        self._declared_locals = frozenset(self.module.locals)
        self._declared_resources = frozenset(self.module.resources)

    @property
    def address(self) -> str:
        return module_str(self.path)

    def _cached(self, kind: str, name: str, constant: bool,
                compute: Callable[[], tuple[Any, Diagnostics]]) -> tuple[Any, Diagnostics]:
        ev_ = self.evaluation
        hit = self._cache.get((kind, name))
        if hit is not None and (hit[0] is None or hit[0] == ev_.generation):
            return hit[1], hit[2]
        key = (self.path, kind, name)
        if not ev_.enter(key):
            d = Diagnostics()
            what = {"local": "local value", "var": "input variable",
                    "output": "output value"}[kind]
            d.error(f"Cycle in {what}s" if kind == "local" else "Cycle in module values",
                    f'The {what} "{name}"{" of " + self.address if self.path else ""} refers '
                    "to itself through other values. Break the cycle by computing one of "
                    "them without the other.", self._range_of(kind, name))
            return UNKNOWN, d
        gen = ev_.generation
        try:
            value, diags = compute()
        finally:
            ev_.leave(key)
        self._cache[(kind, name)] = (None if constant else gen, value, diags)
        return value, diags

    def _range_of(self, kind: str, name: str) -> SourceRange | None:
        if kind == "local":
            return self.module.locals[name].range
        if kind == "var":
            return self.module.variables[name].range
        return self.module.outputs[name].range

    # -- resource values ---------------------------------------------------------------
    def resource_value(self, addr: ResourceAddr) -> Any:
        """``addr`` as written in this module (no module path)."""
        if addr not in self.module.resources:
            return NOT_DECLARED
        entry = self.evaluation.resource_entry(
            ResourceAddr(addr.mode, addr.type, addr.name, self.path))
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

    # convenience for callers holding full addresses
    def set_instance(self, addr: InstanceAddr, value: Any) -> None:
        self.evaluation.set_instance(addr, value)

    # -- locals ------------------------------------------------------------------------
    def local_value(self, name: str) -> tuple[Any, Diagnostics]:
        local = self.module.locals.get(name)
        if local is None:
            return NOT_DECLARED, Diagnostics()
        constant = self.evaluation.refs.is_constant(self.node, "local", name)
        value, diags = self._cached("local", name, constant,
                                    lambda: ev.evaluate(local.expr, self.context()))
        # A broken local is reported once, not once per expression that refers to it.
        return value, self.evaluation.once(diags)

    # -- module inputs -----------------------------------------------------------------
    def instance_repetition(self) -> tuple:
        """(count.index, each) of this module instance in its module block."""
        if not self.path:
            return None, None
        step = self.path[-1]
        exp = self.evaluation.module_expansion(self.path[:-1], step.name)
        return exp.repetition(step.key) if exp is not None else (None, None)

    def input_value(self, name: str) -> Any:
        var = self.module.variables.get(name)
        if var is None:
            return NOT_DECLARED
        constant = self.evaluation.refs.is_constant(self.node, "var", name)
        value, diags = self._cached("var", name, constant, lambda: self._compute_input(name))
        self.evaluation.report(diags)
        return value

    def _compute_input(self, name: str) -> tuple[Any, Diagnostics]:
        d = Diagnostics()
        var = self.module.variables[name]
        call = self.node.call
        attr = call.arguments.get(name) if call is not None else None
        declared = f"{self.address}.var.{name}"
        if attr is None:
            value: Any = var.default
        else:
            parent = self.evaluation.scope(self.path[:-1])
            count_index, each = self.instance_repetition()
            value, vd = parent.evaluate(attr.expr, count_index, each)
            d.extend(vd)
            if vd.has_errors:
                return UNKNOWN, d
            if strip_sensitive(value) is None:
                if not var.nullable:
                    if var.has_default:
                        value = var.default
                    else:
                        d.error("Invalid value for input variable",
                                f"The given value is not suitable for {declared} declared at "
                                f"{var.range}: a null value is not allowed because the "
                                "variable is declared with nullable = false.", attr.expr.range,
                                address=self.address)
                        return UNKNOWN, d
            else:
                try:
                    value = (var.type or ANY).convert(value)
                except ConversionError as e:
                    shown = Sensitive(value) if var.sensitive else value
                    message = redact_text(str(e), sensitive_strings(shown, min_length=1))
                    d.error("Invalid value for input variable",
                            f"The given value is not suitable for {declared} declared at "
                            f"{var.range}: {message}.", attr.expr.range, address=self.address)
                    return UNKNOWN, d
        if var.sensitive and value is not None and not isinstance(value, Sensitive):
            value = Sensitive(value)
        if var.validations and not is_unknown(value):
            ctx = ev.EvalContext(variables={name: value}, declared_variables={name},
                                 declared_locals=set(), declared_resources=set())
            vd = check_rules(var.validations, ctx, "Invalid value for variable",
                             address=self.address)
            for diag in vd:
                if diag.summary == "Invalid value for variable" and attr is not None:
                    diag = type(diag)(diag.severity, diag.summary,
                                      f"{diag.detail}\n\nThis was checked by the validation "
                                      f"rule at {diag.subject}.", attr.expr.range,
                                      diag.address, diag.attribute_path)
                d.append(diag)
        return value, d

    # -- module calls and outputs ------------------------------------------------------
    def module_value(self, name: str) -> Any:
        """``module.name`` in this module instance: an object of the called module's
        outputs; a list of them (count) or a map by key (for_each)."""
        if name not in self.module.module_calls:
            return NOT_DECLARED
        exp = self.evaluation.module_expansion(self.path, name)
        if exp is None or exp.unknown:
            return UNKNOWN
        objs = {}
        for key, _ in exp.keys:
            child = self.evaluation.scope(self.path + (ModuleInstanceStep(name, key),))
            objs[key] = {o: child.output_value(o) for o in sorted(child.module.outputs)}
        if exp.mode == "count":
            return ev.InstanceList(objs[k] for k in sorted(objs))
        if exp.mode == "for_each":
            return ev.InstanceMap((k, objs[k]) for k in sorted(objs))
        return objs[None]

    def output_value(self, name: str) -> Any:
        out = self.module.outputs[name]
        constant = not self.evaluation.refs.output(self.node, name)
        value, diags = self._cached("output", name, constant,
                                    lambda: ev.evaluate(out.expr, self.context()))
        self.evaluation.report(diags)
        if diags.has_errors:
            return UNKNOWN
        if out.sensitive and value is not None and not isinstance(value, Sensitive):
            value = Sensitive(value)
        return value

    # -- contexts ----------------------------------------------------------------------
    def context(self, count_index: int | None = None, each: tuple | None = None) -> Any:
        return ev.EvalContext(
            variables=self.variables,
            locals=self.local_value,
            resource_value=self.resource_value,
            module_value=self.module_value,
            count_index=count_index,
            each_key=each[0] if each else None,
            each_value=each[1] if each else None,
            has_each=each is not None,
            path_module=self.node.display_dir or ".",
            path_root=".",
            path_cwd=os.getcwd(),
            base_dir=self.evaluation.config.source_dir,
            module_name=self.address or "the root module",
            module_calls=self._module_calls,
            declared_variables=self._declared_variables,
            declared_locals=self._declared_locals,
            declared_resources=self._declared_resources,
            functions=self.evaluation.functions,
            impure_unknown=self.evaluation.planning,
            workspace=self.evaluation.workspace,
        )

    def evaluate(self, expr: Expr, count_index: int | None = None,
                 each: tuple | None = None) -> tuple[Any, Diagnostics]:
        return ev.evaluate(expr, self.context(count_index, each))

    def decode(self, body, schema_block, header_range: SourceRange | None,
               count_index: int | None = None, each: tuple | None = None):
        return decode_body(body, schema_block, self.context(count_index, each), header_range)


class _ModuleInputs(Mapping):
    """A called module's ``var.*``: its module block's arguments, evaluated on use."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def __getitem__(self, name: str) -> Any:
        value = self.scope.input_value(name)
        if value is NOT_DECLARED:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return name in self.scope.module.variables

    def __iter__(self):
        return iter(self.scope.module.variables)

    def __len__(self) -> int:
        return len(self.scope.module.variables)


def root_scope(config: Config | Module, variables: dict, workdir: str) -> Scope:
    """The root module's scope of a fresh evaluation (for tools that evaluate once)."""
    return Evaluation(config, variables, workdir).root


__all__ = ["Evaluation", "Scope", "Expansion", "expand", "root_scope", "NOT_DECLARED"]
