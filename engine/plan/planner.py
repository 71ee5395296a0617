"""plan(config, prior state, variables, providers) -> (Plan, Diagnostics). No side effects.

Walks the resource graph in dependency order. For each instance: evaluate its arguments
(planned values of dependencies, unknowns included), let the provider validate and plan,
and choose the action by comparing with the refreshed prior object. Orphans are deleted,
cross-object product rules are checked per provider type, outputs are evaluated, and the
ordered action graph that apply follows is emitted.
"""

from __future__ import annotations

import contextlib

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..addrs import DATA, MANAGED, InstanceAddr, ResourceAddr, parse_target
from ..checks import evaluate_checks
from ..config.conditions import POSTCONDITION, PRECONDITION, check_rules
from ..config.model import Module, Resource
from ..config.tree import Config, as_config, config_addr
from ..diagnostics import Diagnostic, Diagnostics, SourceRange
from ..graph import digraph
from ..gc_paused import made_for_the_run
from ..graph.build import ResourceGraph, build_graph
from ..hooks import Hooks
from ..provider_set import ProviderSet
from ..providers import PlannedObject, PlanRequest
from ..scope import Evaluation, Scope, expand
from ..state.model import TAINTED, InstanceObject, State, copy_tree
from ..values import (UNKNOWN, Sensitive, contains_sensitive, is_unknown, is_wholly_known,
                      mark_paths, sensitive_strings, strip_sensitive, unmark)
from .cost import plan_cost
from .drift import detect_drift
from .lifecycle import ignore_changes
from .moves import apply_moves
from .recovery import recover_in_flight
from .imports import Importer
from .lint_policy import LintPolicy, known_rules
from .model import (APPLY, DESTROY, Action, Operation, OutputChange, Plan,
                    ResourceInstanceChange)


@dataclass
class PlanOptions:
    destroy: bool = False
    refresh: bool = True
    parallelism: int = 10
    replace: list = field(default_factory=list)  # InstanceAddr
    validate_only: bool = False  # decode + validate only: no provider plan, no cloud reads
    # check blocks' assertions; off when an apply follows, which evaluates them at its end
    # against the applied values (so a failure is reported once, as Terraform does)
    evaluate_checks: bool = True
    # -refresh-only: read every object and plan to record what was read; no actions
    refresh_only: bool = False
    targets: list = field(default_factory=list)  # addrs.Target: -target
    # price the plan (Plan.cost) through the providers that can: for a plan shown to a user
    estimate_cost: bool = False
    # what providers' lint findings (Provider.lint_plan's warnings) become (-lint)
    lint: LintPolicy = field(default_factory=LintPolicy)


def config_digest(config: Config | Module) -> str:
    """Covers the configuration files only: variable values are kept (and checked)
    separately, so a variables file is not part of the configuration's identity."""
    files = as_config(config).source_files
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------
# refresh


# Objects of one type (and provider configuration) a provider with ``read_batch`` reads
# in one go: the cloud API's Describe calls take at most 100 IDs.
REFRESH_BATCH = 100


def refresh_batches(work: list, providers: ProviderSet) -> list[list]:
    """``work`` (address, resource state, object) in units read together: runs of up to
    REFRESH_BATCH instances of one type and provider configuration whose provider reads in
    batches (optional ``read_batch``), single instances otherwise; in ``work``'s order."""
    units: list[list] = []
    groups: dict[tuple, list] = {}
    for item in work:
        addr, rs, _ = item
        provider = providers.get(rs.provider)
        if provider is None or not hasattr(provider, "read_batch"):
            units.append([item])
            continue
        key = (str(rs.provider), addr.resource.type)
        group = groups.get(key)
        if group is None or len(group) >= REFRESH_BATCH:
            group = groups[key] = []
            units.append(group)
        group.append(item)
    return units


def refresh_state(state: State, providers: ProviderSet, parallelism: int,
                  hooks: Hooks) -> tuple[State, Diagnostics]:
    """Read every managed instance from its provider; objects gone are dropped. A provider
    with ``read_batch`` reads up to REFRESH_BATCH objects of one type at once (its results
    are those of ``read`` one by one); the others read one object a call."""
    diags = Diagnostics()
    # The objects read replace the recorded attributes: only those not replaced are copied
    # (at the end), not every recorded object first.
    refreshed = state.copy_but_attributes()
    replaced: set[int] = set()  # id() of the refreshed objects whose attributes were read
    work = [(a, rs, o) for a, rs, o in refreshed.instances() if a.resource.mode == MANAGED]

    def read_unit(unit: list) -> list:
        rs = unit[0][1]
        provider = providers.get(rs.provider)
        if provider is None:
            return [(addr, rs, obj, None) for addr, rs, obj in unit]
        for addr, _, obj in unit:
            hooks.pre_refresh(str(addr), obj.attributes.get("id"))
        if len(unit) == 1:
            addr, _, obj = unit[0]
            results = [provider.read(addr.resource.type, obj.attributes)]
        else:
            results = provider.read_batch(unit[0][0].resource.type,
                                          [obj.attributes for _, _, obj in unit])
        for (addr, _, obj), result in zip(unit, results):
            hooks.post_refresh(str(addr), obj.attributes.get("id"), result.value is None)
        return [(addr, rs, obj, result) for (addr, rs, obj), result in zip(unit, results)]

    # Each unit's results are taken as they come, in the units' order (the objects read
    # replace the recorded ones at once, not all held to the end); diagnostics in work's order.
    position = {addr: i for i, (addr, _, _) in enumerate(work)}
    found: list[tuple[int, Diagnostic]] = []
    units = refresh_batches(work, providers)
    # Reads that only compute (a provider answering in this process) gain nothing from
    # threads, which would only contend for the interpreter: they run one after another.
    concurrent = parallelism > 1 and any(_reads_wait(providers.get(unit[0][1].provider))
                                         for unit in units)
    with ThreadPoolExecutor(max_workers=parallelism) if concurrent \
            else contextlib.nullcontext() as pool:
        for unit_results in (pool.map(read_unit, units) if pool is not None
                             else map(read_unit, units)):
            for addr, rs, obj, result in unit_results:
                if result is None:
                    continue
                # a provider message may quote the object's secrets, recorded or read now
                secrets = sensitive_strings([
                    mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths]),
                    result.value]) if result.diagnostics else set()
                for d in result.diagnostics:
                    found.append((position[addr], d.redacted(secrets).with_address(str(addr))))
                if result.diagnostics.has_errors:
                    continue
                if result.value is None:
                    refreshed.set_instance(addr, rs.provider, None)
                else:
                    plain, marks = unmark(result.value)
                    obj.attributes = plain
                    replaced.add(id(obj))
                    known_paths = {tuple(p) for p in obj.sensitive_paths}
                    obj.sensitive_paths = obj.sensitive_paths + [
                        list(p) for p in marks if tuple(p) not in known_paths]
    for rs in refreshed.resources.values():
        for obj in rs.instances.values():
            if id(obj) not in replaced:
                obj.attributes = copy_tree(obj.attributes)
    diags.extend(d for _, d in sorted(found, key=lambda f: f[0]))
    return refreshed, diags


def _reads_wait(provider: Any) -> bool:
    """The provider's ``reads_wait()`` (engine/providers.py); True when it has none."""
    reads_wait = getattr(provider, "reads_wait", None)
    return True if not callable(reads_wait) else bool(reads_wait())


# ---------------------------------------------------------------------------------------
# planning


class _Planner:
    def __init__(self, config: Config, prior: State, variables: dict, providers: ProviderSet,
                 options: PlanOptions, workdir: str, graph: ResourceGraph):
        self.config = config
        self.module = config.module  # the root module
        self.prior = prior
        self.providers = providers
        self.options = options
        self.graph = graph
        self.evaluation = Evaluation(config, variables, workdir, graph.refs,
                                     validate_only=options.validate_only, planning=True,
                                     resource_block=providers.resource_block)
        self.diags = Diagnostics()
        self.imports = Importer(config, self.evaluation)
        self.changes: dict[InstanceAddr, ResourceInstanceChange] = {}
        self.planned_objects: dict[str, list[PlannedObject]] = {}
        self.data_values: dict[InstanceAddr, Any] = {}
        # configuration address -> the full addresses state holds for it
        # -target: the configuration resources planned (None: all), and those planned only
        # because a target depends on them (planned whole)
        self.previous: dict = {}  # moved: InstanceAddr -> the address it had before
        self.targeted: set | None = None
        self.targeted_deps: set = set()
        self.prior_by_config: dict[ResourceAddr, list[ResourceAddr]] = {}
        # instance address -> its arguments' source ranges, for plan-wide diagnostics
        self._argument_ranges: dict[str, dict] = {}
        for raddr in sorted(prior.resources):
            self.prior_by_config.setdefault(config_addr(raddr), []).append(raddr)

    def wanted(self, iaddr: InstanceAddr) -> bool:
        """Whether this instance is planned: always, unless -target leaves it out (a
        resource planned only as a dependency of a target is planned whole)."""
        if self.targeted is None:
            return True
        caddr = config_addr(iaddr.resource)
        if caddr in self.targeted_deps:
            return True
        return any(t.matches(iaddr) for t in self.options.targets)

    def keep_as_is(self, caddr: ResourceAddr) -> None:
        """A resource -target leaves out: its recorded values, for expressions."""
        for raddr in self.prior_by_config.get(caddr, []):
            rs = self.prior.resources[raddr]
            self.evaluation.set_expansion(raddr, rs.each_mode or "")
            for key, obj in rs.instances.items():
                self.evaluation.set_instance(InstanceAddr(raddr, key), self._prior_value(obj))

    def drain(self) -> None:
        """Diagnostics of module inputs, outputs and expansions evaluated so far."""
        self.diags.extend(self.evaluation.drain())

    # -- helpers -----------------------------------------------------------------------
    def _map_diags(self, diags: Diagnostics, addr: InstanceAddr, ranges: dict,
                   fallback: SourceRange | None, values: Any = None) -> None:
        # A provider message may quote an argument's value: never a sensitive one. (What
        # to redact is worked out only when there is a message to redact it from.)
        if not diags:
            return
        secrets = sensitive_strings(values) if values is not None else set()
        for d in diags:
            d = d.redacted(secrets)
            subject = d.subject
            if subject is None and d.attribute_path is not None:
                subject = _range_for_path(ranges, tuple(d.attribute_path))
            self.diags.append(Diagnostic(d.severity, d.summary, d.detail, subject or fallback,
                                         d.address or str(addr), d.attribute_path))

    def _conditions(self, scope: Scope, res: Resource, iaddr: InstanceAddr, each, post: bool,
                    self_value: Any = None) -> bool:
        """Pre- (``post`` False) or postconditions of one instance; False when one failed."""
        rules = res.lifecycle.postconditions if post else res.lifecycle.preconditions
        if not rules or self.options.validate_only or self.options.destroy:
            return True
        count_index = iaddr.key if isinstance(iaddr.key, int) else None
        ctx = scope.context(count_index, each)
        if post:
            ctx.self_value = self_value
        d = check_rules(rules, ctx, POSTCONDITION if post else PRECONDITION,
                        address=str(iaddr))
        self.diags.extend(d)
        return not d.has_errors

    def _prior_value(self, obj: InstanceObject) -> dict:
        return mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])

    # -- resources ---------------------------------------------------------------------
    def plan_resource(self, caddr: ResourceAddr) -> None:
        """Every instance of one resource block, in every instance of its module."""
        res = self.config.resources()[caddr]
        paddr = self.config.provider_addrs.get(caddr)
        provider = self.providers.get(paddr) if paddr is not None else None
        schema = self.providers.resource_schema(res.provider.name, caddr.type, caddr.mode == DATA)
        if provider is None:
            return  # provider configuration failed; already diagnosed
        if schema is None:
            kind = "data source" if caddr.mode == DATA else "resource type"
            known = sorted((self.providers.schemas[res.provider.name].data_sources
                            if caddr.mode == DATA else
                            self.providers.schemas[res.provider.name].resources))
            from ..config.evaluate import did_you_mean
            hint = did_you_mean(caddr.type, known)
            self.diags.error(
                f"Invalid {kind}",
                f'The provider {paddr.source} does not support {kind} "{caddr.type}".'
                + (f' Did you mean "{hint}"?' if hint else ""),
                res.type_range or res.range, address=str(caddr))
            return
        paths = self.evaluation.module_instances(caddr.module)
        self.drain()
        planned: set[ResourceAddr] = set()
        for path in paths or []:
            addr = ResourceAddr(caddr.mode, caddr.type, caddr.name, path)
            planned.add(addr)
            self._plan_resource_in(res, addr, self.evaluation.scope(path), paddr, provider,
                                   schema, caddr)
            self.drain()
        if paths is None:
            return  # a module expansion is not known: already diagnosed
        # recorded instances of module instances that no longer exist
        for raddr in self.prior_by_config.get(caddr, []):
            if raddr not in planned:
                self.plan_orphan(raddr, res, "delete_because_no_module")

    def _plan_resource_in(self, res: Resource, addr: ResourceAddr, scope: Scope, paddr,
                          provider, schema, caddr: ResourceAddr) -> None:
        exp, d = expand(scope, res.count, res.for_each, str(addr))
        self.diags.extend(d)
        if exp is None:
            self.evaluation.set_unknown_expansion(addr)
            return
        keys, mode = exp.keys, exp.mode
        self.evaluation.set_expansion(addr, mode)
        prior_rs = self.prior.resources.get(addr)
        deps = [str(d) for d in self.graph.dependencies(caddr)]

        for key, _ in keys:
            iaddr = InstanceAddr(addr, key)
            if not self.wanted(iaddr):
                prior_obj = self.prior.instance(iaddr)
                if prior_obj is not None:
                    self.evaluation.set_instance(iaddr, self._prior_value(prior_obj))
                continue
            count_index, each = exp.repetition(key)
            if addr.mode == DATA:
                self._plan_data_instance(scope, res, iaddr, paddr, provider, schema, each,
                                         count_index, deps)
                continue
            self._plan_managed_instance(scope, res, iaddr, paddr, provider, schema, each, deps,
                                        mode, caddr, count_index)

        # instances in state whose key is no longer produced by count / for_each
        if prior_rs is not None and addr.mode == MANAGED and not exp.unknown:
            wanted = {k for k, _ in keys}
            for key, obj in sorted(prior_rs.instances.items(),
                                   key=lambda kv: InstanceAddr(addr, kv[0]).sort_key()):
                if key in wanted or not self.wanted(InstanceAddr(addr, key)):
                    continue
                reason = ("delete_because_count_index" if isinstance(key, int) else
                          "delete_because_each_key" if isinstance(key, str) else
                          "delete_because_wrong_repetition")
                self._plan_delete(InstanceAddr(addr, key), prior_rs.provider, obj, reason,
                                  res)

    def _decode(self, scope: Scope, res: Resource, iaddr: InstanceAddr, schema, each,
                count_index):
        decoded = scope.decode(res.body, schema.block, res.range, count_index, each)
        for d in decoded.diagnostics:
            self.diags.append(d if d.address else d.with_address(str(iaddr)))
        return decoded

    def _plan_managed_instance(self, scope, res, iaddr, paddr, provider, schema, each, deps,
                               mode, caddr, count_index):
        decoded = self._decode(scope, res, iaddr, schema, each, count_index)
        if decoded.diagnostics.has_errors:
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return
        config = decoded.value
        if not self._conditions(scope, res, iaddr, each, post=False):
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return
        vd = provider.validate(iaddr.resource.type, config)
        # what diagnostics must not quote: marked values and schema-sensitive arguments
        secret_view = mark_paths(config, [(n,) for n, a in schema.block.attributes.items()
                                          if a.sensitive])
        self._map_diags(vd, iaddr, decoded.ranges, res.range, secret_view)
        if vd.has_errors:
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return
        if self.options.validate_only:
            value = _unknown_computed(config, schema.block)
            self.evaluation.set_instance(iaddr, value)
            self.planned_objects.setdefault(paddr.name, []).append(PlannedObject(
                address=str(iaddr), type_name=iaddr.resource.type, value=value,
                provider=provider, action="create", references=self._references(caddr),
                partial=bool(self.options.targets)))
            return

        prior_obj = self.prior.instance(iaddr)
        importing_id = None
        if prior_obj is None:  # an import block may adopt an existing object here
            prior_obj, importing_id, d = self.imports.adopt(iaddr, provider, schema)
            self.diags.extend(d)
        prior_val = self._prior_value(prior_obj) if prior_obj is not None else None
        if prior_val is not None and (res.lifecycle.ignore_changes
                                      or res.lifecycle.ignore_changes_paths):
            config = ignore_changes(config, prior_val, res.lifecycle, schema.block)
        result = provider.plan(PlanRequest(iaddr.resource.type, str(iaddr), prior_val, config))
        self._map_diags(result.diagnostics, iaddr, decoded.ranges, res.range, secret_view)
        if result.diagnostics.has_errors or result.planned is None:
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return

        planned = result.planned
        reason = None
        if prior_obj is None:
            action = Action.CREATE
        elif prior_obj.status == TAINTED:
            action, reason = Action.DELETE_THEN_CREATE, "replace_because_tainted"
        elif iaddr in self.options.replace:
            action, reason = Action.DELETE_THEN_CREATE, "replace_by_request"
        elif result.requires_replace:
            action, reason = Action.DELETE_THEN_CREATE, "replace_because_cannot_update"
        elif res.lifecycle.replace_triggered_by and self._triggered(res, scope, iaddr, each):
            action, reason = Action.DELETE_THEN_CREATE, "replace_by_triggers"
        elif _equal_values(prior_val, planned):
            action = Action.NOOP
        else:
            action = Action.UPDATE
        if action.is_replace and res.lifecycle.create_before_destroy:
            action = Action.CREATE_THEN_DELETE
        if action.is_replace:
            # plan the new object from scratch: computed attributes become unknown again
            fresh = provider.plan(PlanRequest(iaddr.resource.type, str(iaddr), None, config))
            if not fresh.diagnostics.has_errors and fresh.planned is not None:
                planned = fresh.planned
        if action.is_replace or action is Action.DELETE:
            self._check_prevent_destroy(res, iaddr)

        sensitive = list(schema.block.marked_sensitive_paths(planned))
        planned = mark_paths(planned, sensitive)
        change = ResourceInstanceChange(
            addr=iaddr, provider=paddr, action=action, before=prior_val, after=planned,
            requires_replace=list(result.requires_replace), reason=reason,
            dependencies=deps, each_mode=mode, sensitive_paths=sensitive,
            block_types=sorted(schema.block.block_types),
            prior_dependencies=list(prior_obj.dependencies) if prior_obj else [],
            previous_addr=self.previous.get(iaddr), importing_id=importing_id)
        self.changes[iaddr] = change
        self.evaluation.set_instance(iaddr, planned)
        self._conditions(scope, res, iaddr, each, post=True, self_value=planned)
        if action.is_replace:
            self._leaving(iaddr, paddr, prior_val)
        self.planned_objects.setdefault(paddr.name, []).append(PlannedObject(
            address=str(iaddr), type_name=iaddr.resource.type, value=planned,
            provider=provider, action=action.value if not action.is_replace else "replace",
            references=self._references(caddr), partial=bool(self.options.targets)))

    def _references(self, caddr) -> dict[str, list]:
        """Top-level attribute -> the (instance address, attribute) pairs it refers to."""
        refs: dict[str, list] = {}
        for target, attr, top in self.graph.attribute_refs.get(caddr, []):
            refs.setdefault(top, []).append((str(target), attr))
        return refs

    def _triggered(self, res: Resource, scope: Scope, iaddr: InstanceAddr, each) -> bool:
        """``replace_triggered_by``: a referenced resource instance is planned to change
        (or, when an attribute is named, that attribute is)."""
        count_index = iaddr.key if isinstance(iaddr.key, int) else None
        for expr in res.lifecycle.replace_triggered_by:
            target, key, attr = _trigger_ref(expr, scope, count_index, each)
            if target is None:
                continue
            full = ResourceAddr(MANAGED, target.type, target.name, iaddr.resource.module)
            for addr, ch in self.changes.items():
                if addr.resource != full or (key is not _ALL and addr.key != key):
                    continue
                if ch.action in (Action.NOOP, Action.READ):
                    continue
                if attr is None or not _equal_values((ch.before or {}).get(attr),
                                                     (ch.after or {}).get(attr)):
                    return True
        return False

    def _plan_data_instance(self, scope, res, iaddr, paddr, provider, schema, each,
                            count_index, deps) -> None:
        decoded = self._decode(scope, res, iaddr, schema, each, count_index)
        if decoded.diagnostics.has_errors:
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return
        config = decoded.value
        if not self._conditions(scope, res, iaddr, each, post=False):
            self.evaluation.set_instance(iaddr, UNKNOWN)
            return
        if self.options.validate_only:
            self.evaluation.set_instance(iaddr, _unknown_computed(config, schema.block))
            return
        if not is_wholly_known(config) or self.options.destroy:
            if not self.options.destroy:
                self.changes[iaddr] = ResourceInstanceChange(
                    addr=iaddr, provider=paddr, action=Action.READ, before=None,
                    after=_unknown_computed(config, schema.block),
                    reason="read_because_config_unknown", dependencies=deps)
            self.evaluation.set_instance(iaddr, _unknown_computed(config, schema.block))
            return
        plain, _ = unmark(config)
        result = provider.read_data_source(iaddr.resource.type, plain)
        self._map_diags(result.diagnostics, iaddr, decoded.ranges, res.range)
        value = result.value if result.value is not None else _unknown_computed(config,
                                                                                schema.block)
        self.evaluation.set_instance(iaddr, value)
        if result.value is not None:
            self.data_values[iaddr] = value
            self._conditions(scope, res, iaddr, each, post=True, self_value=value)

    def _plan_delete(self, iaddr: InstanceAddr, paddr, obj: InstanceObject,
                     reason: str | None, res: Resource | None) -> None:
        removed = self._removed_block(iaddr) if not self.options.destroy else None
        forget = removed is not None and not removed.destroy
        if res is not None and not forget:
            self._check_prevent_destroy(res, iaddr)
        before = self._prior_value(obj)
        schema = self.providers.resource_schema(paddr.name, iaddr.resource.type)
        self.changes[iaddr] = ResourceInstanceChange(
            addr=iaddr, provider=paddr, action=Action.FORGET if forget else Action.DELETE,
            before=before, after=None, reason="forget" if forget else reason,
            dependencies=list(obj.dependencies),
            block_types=sorted(schema.block.block_types) if schema else [],
            previous_addr=self.previous.get(iaddr))
        if not forget:
            self._leaving(iaddr, paddr, before)

    def plan_deposed(self) -> dict:
        """A delete for every deposed object an earlier apply left (it created a
        create_before_destroy replacement, then stopped before deleting the old object)."""
        out = {}
        for iaddr, dkey, rs, obj in self.prior.deposed_objects():
            if self.targeted is not None and config_addr(iaddr.resource) not in self.targeted:
                continue
            schema = self.providers.resource_schema(rs.provider.name, iaddr.resource.type)
            out[(iaddr, dkey)] = ResourceInstanceChange(
                addr=iaddr, provider=rs.provider, action=Action.DELETE,
                before=self._prior_value(obj), after=None,
                dependencies=list(obj.dependencies),
                block_types=sorted(schema.block.block_types) if schema else [],
                deposed=dkey)
        return out

    def _removed_block(self, iaddr: InstanceAddr):
        for removed in self.config.module.removed:
            if parse_target(removed.from_).matches(iaddr):
                return removed
        return None

    def _leaving(self, iaddr: InstanceAddr, paddr, before: dict | None) -> None:
        """Tell cross-object checks that this prior object will be gone after apply."""
        provider = self.providers.get(paddr)
        if provider is None or before is None:
            return
        self.planned_objects.setdefault(paddr.name, []).append(PlannedObject(
            address=str(iaddr), type_name=iaddr.resource.type, value=before,
            provider=provider, action="delete", partial=bool(self.options.targets)))

    def _check_prevent_destroy(self, res: Resource, iaddr: InstanceAddr) -> None:
        if res.lifecycle.prevent_destroy:
            self.diags.error(
                "Instance cannot be destroyed",
                f"Resource {iaddr} has lifecycle.prevent_destroy set, but the plan calls for "
                "this resource to be destroyed. To avoid this error and continue with the "
                "plan, either disable lifecycle.prevent_destroy or reduce the scope of the "
                "plan using the -target flag.", res.range, address=str(iaddr))

    def plan_orphan(self, raddr: ResourceAddr, res: Resource | None,
                    reason: str = "delete_because_no_resource_config") -> None:
        """Delete every recorded instance of ``raddr`` (not in configuration, or -destroy)."""
        rs = self.prior.resources[raddr]
        if raddr.mode == DATA:
            return
        for key, obj in rs.instances.items():
            if not self.wanted(InstanceAddr(raddr, key)):
                continue
            self._plan_delete(InstanceAddr(raddr, key), rs.provider, obj,
                              None if self.options.destroy else reason, res)

    def plan_orphans(self, caddr: ResourceAddr) -> None:
        """Every recorded resource of a configuration address that is not configured (or
        all of them, for -destroy)."""
        res = self.config.resources().get(caddr)
        for raddr in self.prior_by_config.get(caddr, []):
            self.plan_orphan(raddr, res)

    # -- module inputs and outputs -----------------------------------------------------
    def plan_module_values(self) -> None:
        """Evaluate every module instance's inputs and outputs, so a value that does not
        convert, fails its validation or cannot be evaluated is reported even when
        nothing refers to it."""
        if self.options.destroy:
            return
        for path in self.evaluation.all_module_instances():
            if not path:
                continue
            scope = self.evaluation.scope(path)
            for name in sorted(scope.module.variables):
                scope.input_value(name)
            for name in sorted(scope.module.outputs):
                scope.output_value(name)
        self.drain()

    # -- check blocks ------------------------------------------------------------------
    def plan_checks(self) -> None:
        """Assertions of check blocks: a failure is a warning; unknown results wait."""
        if self.options.destroy or self.options.validate_only:
            return
        self.diags.extend(evaluate_checks(self.evaluation, self.providers))

    # -- outputs -----------------------------------------------------------------------
    def plan_outputs(self) -> dict:
        out: dict[str, OutputChange] = {}
        for name, output in sorted(self.module.outputs.items()):
            before_ov = self.prior.outputs.get(name)
            before = before_ov.value if before_ov else None
            if self.options.destroy:
                if before_ov is not None:
                    out[name] = OutputChange(name, Action.DELETE, before, None,
                                             before_ov.sensitive)
                continue
            value, d = self.evaluation.root.evaluate(output.expr)
            self.diags.extend(self.evaluation.once(d))
            self.drain()
            if d.has_errors:
                continue
            if contains_sensitive(value) and not output.sensitive:
                self.diags.error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was "
                    "intended to be only internal, vpnform requires that any root module "
                    "output containing sensitive data be explicitly marked as sensitive, "
                    'to confirm your intent. Add sensitive = true to output "' + name + '".',
                    output.range)
                continue
            plain = unmark(value)[0]
            if before_ov is None:
                action = Action.CREATE
            elif is_wholly_known(plain) and plain == before:
                action = Action.NOOP
            else:
                action = Action.UPDATE
            out[name] = OutputChange(name, action, before, value, output.sensitive)
        for name, ov in self.prior.outputs.items():
            if name not in self.module.outputs:
                out[name] = OutputChange(name, Action.DELETE, ov.value, None, ov.sensitive)
        return out

    # -- cross-object checks -----------------------------------------------------------
    def check_plan(self) -> None:
        for name, objects in sorted(self.planned_objects.items()):
            if not any(o.action != "delete" for o in objects):
                continue
            diags = objects[0].provider.check_plan(objects)
            if not diags:
                continue  # the secrets to redact are gathered only for a message
            secrets = set().union(*(sensitive_strings(o.value) for o in objects))
            for d in diags:
                self._add_provider_diag(d.redacted(secrets))

    def lint_plan(self) -> None:
        """Providers' lint over every planned object; ``-lint`` decides what warnings become."""
        everything = [o for objects in self.planned_objects.values() for o in objects]
        if not any(o.action != "delete" for o in everything):
            return
        secrets: set | None = None  # gathered only for a message, as in check_plan
        for _name, objects in sorted(self.planned_objects.items()):
            lint = getattr(objects[0].provider, "lint_plan", None)
            if not callable(lint):
                continue
            for finding in lint(everything):
                d = self.options.lint.apply(finding)
                if d is not None:
                    if secrets is None:
                        secrets = set().union(*(sensitive_strings(o.value) for o in everything))
                    self._add_provider_diag(d.redacted(secrets))

    def _add_provider_diag(self, d: Diagnostic) -> None:
        """A provider's plan-wide diagnostic, placed at its address's source (the block,
        not the line, when it is about a sensitive argument)."""
        subject = d.subject
        if subject is None and d.address and self._about_a_secret(d):
            # the source line may hold the secret itself (a literal key): show the block
            subject = self._subject_for(d.address, None, block=True)
        if subject is None and d.address:
            subject = self._subject_for(d.address, d.attribute_path)
        self.diags.append(d.with_subject(subject))

    def _about_a_secret(self, d: Diagnostic) -> bool:
        """Whether ``d`` is about a sensitive argument of its resource."""
        from ..addrs import AddressError, parse_instance
        if not d.attribute_path or not d.address:
            return False
        try:
            iaddr = parse_instance(d.address)
        except AddressError:
            return False
        res = self.config.resource(iaddr.resource)
        schema = (self.providers.resource_schema(res.provider.name, iaddr.resource.type)
                  if res is not None else None)
        attr = schema.block.attributes.get(d.attribute_path[0]) if schema is not None else None
        return bool(attr is not None and attr.sensitive)

    def _subject_for(self, address: str, path, block: bool = False) -> SourceRange | None:
        from ..addrs import AddressError, parse_instance
        try:
            iaddr = parse_instance(address)
        except AddressError:
            return None
        res = self.config.resource(iaddr.resource)
        if res is None:
            return None
        if block:
            return res.range
        if path and self.config.node(iaddr.resource.module) is not None:
            schema = self.providers.resource_schema(res.provider.name, iaddr.resource.type)
            scope = self.evaluation.scope(iaddr.resource.module)
            if schema is not None:
                ranges = self._argument_ranges.get(address)
                if ranges is None:  # decoded once per instance, however many diagnostics
                    count_index = iaddr.key if isinstance(iaddr.key, int) else None
                    ranges = self._argument_ranges[address] = scope.decode(
                        res.body, schema.block, res.range, count_index,
                        _each_for(iaddr, scope, res)).ranges
                r = _range_for_path(ranges, tuple(path))
                if r is not None:
                    return r
        if not path:
            # About the instance's existence (a limit): what makes it, count or for_each.
            origin = res.count if res.count is not None else res.for_each
            if origin is not None:
                return origin.range
        return res.range


def check_removed(config: Config) -> Diagnostics:
    """A ``removed`` block whose resource or module is still configured."""
    d = Diagnostics()
    for removed in config.module.removed:
        target = parse_target(removed.from_)
        still = ([a for a in config.resources() if target.matches_config(a)]
                 if target.resource is not None else
                 ([] if config.node(target.module) is None else [target.module]))
        if still:
            kind = "resource" if target.resource is not None else "module"
            d.error(f"Removed {kind} block still exists",
                    f"This statement declares the removal of the {kind} {removed.from_}, but "
                    f"this {kind} block still exists in the configuration. Please remove the "
                    f"{kind} block.", removed.range)
    return d


def targeted_resources(targets: list, rgraph: ResourceGraph, destroy: bool
                       ) -> tuple[set, set]:
    """The configuration resources a -target plan covers — the targets, and what they
    depend on (or, when destroying, what depends on them) — and the targets alone."""
    matched = {a for a in rgraph.graph.nodes if any(t.matches_config(a) for t in targets)}
    out = set(matched)
    for a in matched:
        out |= (digraph.descendants if destroy else digraph.ancestors)(rgraph.graph, a)
    return out, matched


def propagate_create_before_destroy(changes: dict, rgraph: ResourceGraph,
                                    config: Config) -> None:
    """A resource replaced create-before-destroy makes what it depends on be replaced the
    same way (as Terraform does): otherwise the old dependency would have to go before
    the new dependent exists."""
    cbd = {a for a, r in config.resources().items() if r.lifecycle.create_before_destroy}
    forced: set = set()
    for a in cbd:
        if a in rgraph.graph:
            forced |= digraph.ancestors(rgraph.graph, a)
    for addr, ch in changes.items():
        if ch.action is Action.DELETE_THEN_CREATE and config_addr(addr.resource) in forced:
            ch.action = Action.CREATE_THEN_DELETE


_ALL = object()  # replace_triggered_by without an instance key: every instance


def _trigger_ref(expr, scope: Scope, count_index, each) -> tuple:
    """(resource as written, instance key or _ALL, attribute or None) of one
    replace_triggered_by entry: ``r.x``, ``r.x[0]``, ``r.x[each.key]``, ``r.x[count.index].id``."""
    from ..config import syntax as syn
    from ..config.evaluate import reference_of
    attr = None
    key: Any = _ALL
    if isinstance(expr, syn.RelativeTraversalExpr):
        attr = next((st.name for st in expr.steps if isinstance(st, syn.GetAttr)), None)
        expr = expr.source
    if isinstance(expr, syn.IndexExpr):
        value, d = scope.evaluate(expr.key, count_index, each)
        if d.has_errors:
            return None, _ALL, None
        key = strip_sensitive(value)
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        expr = expr.collection
    if not isinstance(expr, syn.ScopeTraversalExpr):
        return None, _ALL, None
    ref, _ = reference_of(expr.traversal)
    if ref is None or ref.kind != "resource":
        return None, _ALL, None
    steps = list(ref.remaining)
    if steps and isinstance(steps[0], syn.Index):
        key = steps.pop(0).key
    if attr is None:
        attr = next((st.name for st in steps if isinstance(st, syn.GetAttr)), None)
    return ref.addr, key, attr


def _each_for(iaddr: InstanceAddr, scope: Scope, res: Resource):
    if isinstance(iaddr.key, str) and res.for_each is not None:
        value, _ = scope.evaluate(res.for_each)
        value = strip_sensitive(value)
        if isinstance(value, dict):
            return (iaddr.key, value.get(iaddr.key))
        return (iaddr.key, iaddr.key)
    return None


def _range_for_path(ranges: dict, path: tuple) -> SourceRange | None:
    while path:
        if path in ranges:
            return ranges[path]
        path = path[:-1]
    return None


def _unknown_computed(config: dict, block) -> dict:
    out = dict(config)
    for name, attr in block.attributes.items():
        if attr.computed and out.get(name) is None:
            out[name] = UNKNOWN
    return out


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def _equal_values(a: Any, b: Any) -> bool:
    """Deep equality ignoring marks; an unknown is never equal to anything."""
    ta = type(a)
    if ta is type(b) and ta in _PLAIN_SCALARS:
        return a == b  # most of a value: plain scalars of one type (bool is bool)
    if ta is dict and type(b) is dict:
        # (plain dicts without a call per plain scalar of the same type on both sides)
        if a.keys() != b.keys():
            return all(_equal_values(a.get(k), b.get(k)) for k in set(a) | set(b))
        for k, x in a.items():
            y = b[k]
            tx = type(x)
            if tx is type(y) and tx in _PLAIN_SCALARS:
                if x != y:
                    return False
            elif not _equal_values(x, y):
                return False
        return True
    a, b = strip_sensitive(a), strip_sensitive(b)
    if is_unknown(a) or is_unknown(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return all(_equal_values(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal_values(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


# ---------------------------------------------------------------------------------------
# action graph


def action_graph(changes: dict, rgraph: ResourceGraph | None,
                 deposed: dict | None = None) -> tuple[list, list]:
    """Operations and their ordering edges.

    - apply(A) after apply(B) when A depends on B;
    - destroy(B) after destroy(A) when A depends on B (dependents go first);
    - destroy(B) after apply(A) when A depends on B and A is only updated;
    - for a delete-then-create, apply(A) after destroy(A); for create-then-delete,
      destroy(A) after apply(A);
    - a deposed object of B is destroyed after apply(B) and after every operation of an
      object that depends on B (each has stopped using the old object by then), and
      before the destroy of anything it depends on.
    """
    # The graph is over operation numbers (ops[i] is operation i): ints hash and compare
    # at once, where an Operation hashes its fields at every lookup. With nodes and edges
    # added in the order they always were, the order and the edges are the same.
    g = digraph.DiGraph()
    ops: list[Operation] = []
    sort_keys: list[tuple] = []  # the order's key of operation i

    def node(op: Operation, addr_key: tuple) -> int:
        i = len(ops)
        ops.append(op)
        sort_keys.append((op.kind != DESTROY, addr_key))
        g.add_node(i)
        return i

    by_resource: dict[ResourceAddr, list[InstanceAddr]] = {}  # by configuration address
    apply_of: dict[InstanceAddr, int] = {}  # the instance's apply, when it has one
    destroy_of: dict[InstanceAddr, int] = {}  # the instance's destroy, when it has one
    for addr, ch in changes.items():
        by_resource.setdefault(config_addr(addr.resource), []).append(addr)
        action = ch.action
        addr_key = addr.sort_key()
        if action in (Action.CREATE, Action.UPDATE, Action.READ) or action.is_replace:
            apply_of[addr] = node(Operation(APPLY, addr), addr_key)  # a deferred read too
        if action in (Action.DELETE, Action.FORGET) or action.is_replace:
            destroy_of[addr] = node(Operation(DESTROY, addr), addr_key)
        if action is Action.DELETE_THEN_CREATE:
            g.add_edge(destroy_of[addr], apply_of[addr])
        if action is Action.CREATE_THEN_DELETE:
            g.add_edge(apply_of[addr], destroy_of[addr])

    parsed: dict[str, ResourceAddr | None] = {}  # dependency text -> configuration address

    def deps_of(texts: list) -> list[ResourceAddr]:
        from ..addrs import AddressError, parse_resource
        out = []
        for d in texts:
            if d not in parsed:
                try:
                    parsed[d] = config_addr(parse_resource(d))
                except AddressError:
                    parsed[d] = None
            if parsed[d] is not None:
                out.append(parsed[d])
        return out

    # addr -> (new, old) dependencies, each parsed once (not once per deposed object), and
    # only for a change that has an operation or when a deposed object asks
    uses_of: dict[InstanceAddr, tuple[set, set]] = {}

    def uses(addr: InstanceAddr) -> tuple[set, set]:
        found = uses_of.get(addr)
        if found is None:
            ch = changes[addr]
            found = uses_of[addr] = (set(deps_of(ch.dependencies)),
                                     set(deps_of(ch.prior_dependencies or ch.dependencies)))
        return found

    add_edge = g.add_edge
    for addr, ch in changes.items():
        a_apply, a_destroy = apply_of.get(addr), destroy_of.get(addr)
        if a_apply is None and a_destroy is None:
            continue  # (a no-op: every edge below starts or ends at one of its operations)
        new_deps, old_deps = uses(addr)
        updated = ch.action is Action.UPDATE
        for dep in new_deps | old_deps:
            is_new, is_old = dep in new_deps, dep in old_deps
            for daddr in by_resource.get(dep, ()):
                if daddr is addr:  # (both keys of changes: equal only when the same)
                    continue
                d_apply, d_destroy = apply_of.get(daddr), destroy_of.get(daddr)
                if is_new and a_apply is not None and d_apply is not None:
                    add_edge(d_apply, a_apply)
                if d_destroy is None or not is_old:
                    continue
                if a_destroy is not None:
                    add_edge(a_destroy, d_destroy)
                # An object that stays must stop using a dependency before that
                # dependency's old object is deleted: when it is deleted for good, or
                # replaced create-before-destroy. (Not when it is replaced destroy-first:
                # the dependent's update needs the replacement, which comes later.)
                # A dependency replaced create-before-destroy keeps its old object until
                # every dependent has its new (or updated) object, however that is made.
                if a_apply is not None:
                    d_action = changes[daddr].action
                    if d_action is Action.CREATE_THEN_DELETE or (
                            d_action is Action.DELETE and updated):
                        add_edge(a_apply, d_destroy)
    if deposed:
        position = {addr: i for i, addr in enumerate(changes)}
        users: dict[ResourceAddr, list[InstanceAddr]] = {}  # dependency -> its users
        for addr in changes:
            new_deps, old_deps = uses(addr)
            for dep in new_deps | old_deps:
                users.setdefault(dep, []).append(addr)
    for (daddr, dkey) in sorted(deposed or {}, key=lambda k: (k[0], k[1])):
        op = node(Operation(DESTROY, daddr, dkey), daddr.sort_key())
        dep = config_addr(daddr.resource)
        # after every operation of the instance itself and of what uses its resource, in
        # the plan's order of changes ...
        before_it = set(users.get(dep, ()))
        if daddr in position:
            before_it.add(daddr)
        for addr in sorted(before_it, key=position.__getitem__):
            for i in (apply_of.get(addr), destroy_of.get(addr)):
                if i is not None:
                    add_edge(i, op)
        # ... and before what it depends on is destroyed.
        for dependency in deps_of(deposed[(daddr, dkey)].dependencies):
            for other in by_resource.get(dependency, ()):
                if other != daddr and other in destroy_of:
                    add_edge(op, destroy_of[other])
    try:
        order = digraph.topological_sort(g, key=sort_keys.__getitem__)
    except digraph.CycleError:
        raise RuntimeError("the plan's action graph has a cycle: " + ", ".join(
            f"{ops[a]} -> {ops[b]}" for a, b in digraph.find_cycle(g) or [])) from None
    return [ops[i] for i in order], [(ops[a], ops[b]) for a, b in g.edges]


# ---------------------------------------------------------------------------------------
# entry point


def plan(config: Config | Module, prior_state: State | None, variables: dict,
         providers: ProviderSet, options: PlanOptions, workdir: str, hooks: Hooks | None = None
         ) -> tuple[Plan | None, Diagnostics]:
    config = as_config(config)
    hooks = hooks or Hooks()
    prior = prior_state or State()
    diags = Diagnostics()
    # a bad -lint policy file fails the run before any object is read
    diags.extend(options.lint.check(known_rules(providers.providers.values())))
    if diags.has_errors:
        return None, diags
    # Creates a crashed apply left in flight are settled first (whatever -refresh says):
    # planning without them would create their objects a second time.
    prior, d = recover_in_flight(prior, providers)
    diags.extend(d)
    previous: dict = {}
    if config.module.moved and not prior.empty:
        prior, previous, d = apply_moves(prior, config.module.moved)
        diags.extend(d)
        if d.has_errors:
            return None, diags
    diags.extend(check_removed(config))
    if diags.has_errors:
        return None, diags
    with made_for_the_run():  # the graph
        rgraph, d = build_graph(config, prior)
    diags.extend(d)
    if d.has_errors:
        return None, diags

    refreshed = prior
    drift: dict = {}
    if options.refresh and not prior.empty:
        with made_for_the_run():  # what the refresh reads
            refreshed, d = refresh_state(prior, providers, options.parallelism, hooks)
        diags.extend(d)
        if d.has_errors:
            return None, diags
        drift = detect_drift(prior, refreshed, providers, everything=options.refresh_only)

    p = _Planner(config, refreshed, variables, providers, options, workdir, rgraph)
    p.previous = previous
    if options.refresh_only:
        return _refresh_only_plan(p, config, prior_state, refreshed, drift, diags)
    if not options.destroy and not options.validate_only:
        p.diags.extend(p.imports.resolve())
    resources = config.resources()
    if options.targets:
        p.targeted, matched = targeted_resources(options.targets, rgraph, options.destroy)
        p.targeted_deps = p.targeted - matched
        diags.warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result "
            "of this plan may not represent all of the changes requested by the current "
            "configuration.\n\nThe -target option is not for routine use, and is provided "
            "only for exceptional situations such as recovering from errors or mistakes, or "
            "when vpnform specifically suggests to use it as part of an error message.")
    for caddr in rgraph.order():
        if p.targeted is not None and caddr not in p.targeted:
            p.keep_as_is(caddr)
        elif options.destroy:
            # Destroying needs no configuration values: every recorded object goes.
            p.plan_orphans(caddr)
        elif caddr in resources:
            p.plan_resource(caddr)
        else:
            p.plan_orphans(caddr)
    propagate_create_before_destroy(p.changes, rgraph, config)
    deposed = p.plan_deposed()
    p.plan_module_values()
    if not p.diags.has_errors:
        p.diags.extend(p.imports.unplanned(refreshed))
    # Checks independent of the errors so far run anyway, so one run reports every error:
    # an instance that failed to plan is unknown to outputs and absent from check_plan, so
    # nothing is reported twice or because of another error.
    if not options.validate_only:
        p.check_plan()
    p.lint_plan()
    outputs = p.plan_outputs()
    if not p.diags.has_errors and options.evaluate_checks:
        p.plan_checks()
    diags.extend(p.diags)
    if diags.has_errors:
        return None, diags
    operations, edges = action_graph(p.changes, rgraph, deposed)
    result = Plan(
        changes=p.changes, operations=operations, edges=edges, output_changes=outputs,
        prior_state=refreshed, variables=variables, data_values=p.data_values,
        config_dir=config.source_dir, config_digest=config_digest(config),
        destroy=options.destroy, drift=drift, targets=[str(t) for t in options.targets],
        state_lineage=prior.lineage if prior_state else "",
        state_serial=prior.serial if prior_state else 0, deposed=deposed,
        workspace=p.evaluation.workspace, planned_objects=p.planned_objects)
    if options.estimate_cost:
        result.cost = plan_cost(result, providers)
    return result, diags


def _refresh_only_plan(p: _Planner, config: Config, prior_state: State | None,
                       refreshed: State, drift: dict, diags: Diagnostics
                       ) -> tuple[Plan | None, Diagnostics]:
    """No actions: outputs and checks evaluated against what was read."""
    for addr, rs, obj in refreshed.instances():
        if config.resource(addr.resource) is not None:
            p.evaluation.set_expansion(addr.resource, rs.each_mode or "")
            p.evaluation.set_instance(addr, p._prior_value(obj))
    outputs = p.plan_outputs()
    if not p.diags.has_errors and p.options.evaluate_checks:
        p.plan_checks()
    diags.extend(p.diags)
    if diags.has_errors:
        return None, diags
    prior = prior_state or State()
    return Plan(
        changes={}, operations=[], edges=[], output_changes=outputs, prior_state=refreshed,
        variables=p.evaluation.root_variables, config_dir=config.source_dir,
        config_digest=config_digest(config), refresh_only=True, drift=drift,
        state_lineage=prior.lineage if prior_state else "",
        state_serial=prior.serial if prior_state else 0,
        workspace=p.evaluation.workspace), diags


__all__ = ["PlanOptions", "plan", "refresh_state", "action_graph", "config_digest",
           "Sensitive"]
