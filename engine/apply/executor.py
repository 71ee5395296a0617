"""apply(plan, …) -> (State, Diagnostics): walk the plan's action graph in parallel.

Follows the operations and edges the plan emitted (never rebuilds a graph). Each
operation's result goes into the working state at once and out through the state sink
(so a crash loses nothing already applied). When an operation fails, operations that
depend on it are skipped; independent ones in flight finish; nothing is rolled back.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import signal
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable

from ..addrs import InstanceAddr
from ..checks import evaluate_checks
from ..config.conditions import POSTCONDITION, PRECONDITION, check_rules
from ..config.model import Module
from ..config.tree import Config, as_config
from ..diagnostics import Diagnostic, Diagnostics, Severity
from ..graph import digraph
from ..hooks import Hooks
from ..provider_set import ProviderSet
from ..providers import ApplyRequest, PlanRequest
from ..scope import Evaluation
from ..state.model import READY, TAINTED, InstanceObject, OutputValue, PendingCreate, State
from ..values import (Unknown, contains_sensitive, has_path, is_wholly_known, mark_paths,
                      sensitive_strings, unknown_as_null, unmark)
from ..plan.lifecycle import ignore_changes
from ..plan.model import APPLY, DESTROY, Action, Operation, Plan
from .progress import ProgressTicker

# record(addr, provider_addr, obj_or_None, each_mode, deposed, flush=True) — persist one
# instance change (``deposed``: the key of a deposed object of the instance, "" for the
# current one). Sinks are called from several worker threads at once, and return once the
# change is durable; with ``flush=False`` once it is stored (StateBackend.record).
StateSink = Callable[[InstanceAddr, object, "InstanceObject | None", str, str], None]
# intent(addr, provider_addr, token, planned, each_mode, dependencies, flush) — persist
# that a create is about to be attempted with idempotency ``token`` from the value
# ``planned``; with ``flush``, return once it and every intent before it are durable
IntentSink = Callable[[InstanceAddr, object, str, dict, str, list, bool], None]

PROGRESS_INTERVAL = 10.0
# Operations ready at once that one worker prepares together when the providers' calls
# only compute (``applies_wait``): their intents share one flush.
INTENT_BATCH = 64
# Batches at once when providers carry them out in another process: one there, one being
# prepared or recorded here.
BATCHES_ELSEWHERE = 2
# How soon the walk notices a first Ctrl-C while operations are in flight.
INTERRUPT_POLL = 0.2


@contextlib.contextmanager
def _first_interrupt_stops(walk: "_Executor"):
    """While the walk runs in the main thread: the first Ctrl-C sets ``walk.interrupted``
    (start nothing new, let what is in flight finish and be recorded); a second one raises
    KeyboardInterrupt (the journal keeps every result). A handler that only sets a flag
    cannot land in the middle of the walk's own bookkeeping, as an exception would. A
    SIGINT that is ignored, or handled by someone else, is left as it is."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return

    def on_interrupt(signum, frame):
        if walk.interrupted:
            raise KeyboardInterrupt
        walk.interrupted = True

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class ApplyOptions:
    parallelism: int = 10
    progress_interval: float = PROGRESS_INTERVAL


@dataclass
class _Prepared:
    """An apply ready for its provider call (``_Executor._prepare``)."""

    addr: InstanceAddr
    ch: object
    provider: object
    res: object
    schema: object
    decoded: object
    config: object
    planned: dict
    prior_val: dict | None
    action: str  # "create" | "update"
    count_index: int | None
    each: tuple | None
    secret_view: Callable[[], list]
    token: str | None = None  # a create's idempotency token
    pending: PendingCreate | None = None  # a create's journal entry


@dataclass
class _Call:
    """A provider call under way: an apply's (``_Executor._begin_call``) or a delete's
    (``_begin_destroy``)."""

    request: ApplyRequest
    rid: object  # the object's ID before the call (None for a create)
    start: float  # time.monotonic() when it began
    reported: list  # the object the provider reported early, if it did
    results_flush: bool  # whether its result must reach the disk before the apply goes on


class _Executor:
    def __init__(self, plan: Plan, config: Config, providers: ProviderSet, hooks: Hooks,
                 sink: StateSink | None, workdir: str, intent: IntentSink | None = None):
        self.plan = plan
        self.intent = intent
        self.config = config
        self.module = config.module  # the root module
        self.providers = providers
        self.hooks = hooks
        self.sink = sink
        self.state = plan.prior_state.deepcopy()
        self.lock = threading.Lock()
        self.diags = Diagnostics()
        self.interrupted = False
        self.calls_wait = True  # whether some provider's calls wait (set by walk)
        self.batches_elsewhere = False  # whether batches go to another process (walk)
        self.ticker = ProgressTicker(hooks.progress_apply, PROGRESS_INTERVAL)
        self.deposed_keys: dict = {}  # InstanceAddr -> the key its old object was set aside as
        self.evaluation = Evaluation(config, plan.variables, workdir,
                                     resource_block=providers.resource_block,
                                     workspace=plan.workspace)
        for addr, _rs, obj in self.state.instances():
            # Instances the plan deletes are already gone as far as expressions go: a
            # dependent evaluated during apply must see what the plan showed.
            ch = plan.changes.get(addr)
            if ch is None or ch.action is not Action.DELETE:
                self.evaluation.set_instance(addr, self._value(obj))
        for addr, value in plan.data_values.items():  # data sources read during plan
            self.evaluation.set_instance(addr, value)

    @staticmethod
    def _value(obj: InstanceObject) -> dict:
        return mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])

    def _record(self, addr: InstanceAddr, provider_addr, obj: InstanceObject | None,
                each_mode: str, flush: bool = True) -> None:
        with self.lock:
            self.state.set_instance(addr, provider_addr, obj, each_mode or None)
            self.state.in_flight.pop(str(addr), None)
        # Outside the lock: the sink returns once the change is durable, and changes
        # recorded by several workers at once share one flush (an instance's own changes
        # come from one worker, so they reach the journal in order).
        if self.sink is not None:
            self.sink(addr, provider_addr, obj, each_mode, "", flush)
        self.evaluation.set_instance(addr, self._value(obj) if obj is not None else None)
        self.hooks.state_persisted(str(addr))

    def _record_deposed(self, addr: InstanceAddr, provider_addr, dkey: str,
                        obj: InstanceObject | None, each_mode: str) -> None:
        """Set aside (or, with None, forget) a deposed object of ``addr``."""
        with self.lock:
            self.state.set_deposed(addr, provider_addr, dkey, obj)
        if self.sink is not None:
            self.sink(addr, provider_addr, obj, each_mode, dkey)
        self.hooks.state_persisted(str(addr))

    # -- imports -----------------------------------------------------------------------
    def record_imports(self) -> None:
        """Objects the plan adopts (import): recorded before any operation runs, so an
        update planned for one starts from it and a crash cannot lose the adoption."""
        for addr in sorted(self.plan.changes):
            ch = self.plan.changes[addr]
            if ch.importing_id is None or ch.before is None:
                continue
            with self.lock:
                if self.state.instance(addr) is not None:
                    continue
            self.hooks.pre_apply(str(addr), "import", ch.importing_id)
            start = time.monotonic()
            plain, marks = unmark(ch.before)
            obj = InstanceObject(attributes=plain, sensitive_paths=[list(p) for p in marks],
                                 dependencies=list(ch.dependencies))
            self._record(addr, ch.provider, obj, ch.each_mode)
            self.hooks.post_apply(str(addr), "import", ch.importing_id,
                                  time.monotonic() - start, False)

    # -- one operation -----------------------------------------------------------------
    def run(self, op: Operation) -> bool:
        if op.deposed:
            return self._destroy_deposed(op)
        ch = self.plan.changes[op.addr]
        provider = self.providers.get(ch.provider)
        if provider is None:
            self.diags.error("Provider configuration not present",
                             f"No configured provider {ch.provider} for {op.addr}.",
                             address=str(op.addr))
            return False
        if ch.action is Action.FORGET:  # out of state; the object itself is left alone
            self._record(op.addr, ch.provider, None, ch.each_mode)
            return True
        if op.kind == DESTROY:
            return self._destroy(op.addr, ch, provider)
        if ch.action is Action.READ:
            return self._read_data(op.addr, ch, provider)
        return self._apply(op.addr, ch, provider)

    def _timed(self, addr: InstanceAddr, action: str, rid, fn):
        with self.ticker.running(str(addr), action, rid):
            return fn()

    def _destroy(self, addr: InstanceAddr, ch, provider) -> bool:
        begun = self._begin_destroy(addr, ch, provider)
        if begun is None:
            return True  # nothing left to delete
        call, end = begun
        return end(self._timed(addr, "delete", call.rid, lambda: provider.apply(call.request)))

    def _begin_destroy(self, addr: InstanceAddr, ch, provider
                       ) -> "tuple[_Call, Callable[[object], bool]] | None":
        """What comes before a delete's provider call: the call, and what records its
        result (whether it succeeded); None when the object is already gone."""
        deposed = ch.action is Action.CREATE_THEN_DELETE
        dkey = None
        if deposed:
            # create_before_destroy: the replacement already sits at this address; the
            # object to delete is the prior one, set aside (deposed) when it was made.
            prior = ch.before
            dkey = self.deposed_keys.get(addr)
        else:
            with self.lock:
                obj = self.state.instance(addr)
            if obj is None:
                return None
            prior = self._value(obj)
        rid = unmark(prior)[0].get("id")
        self.hooks.pre_apply(str(addr), "delete", rid)
        call = _Call(ApplyRequest(addr.resource.type, str(addr), prior, None, None), rid,
                     time.monotonic(), [], _results_need_flush(provider))

        def end(result) -> bool:
            failed = result.diagnostics.has_errors
            self._add_diags(result.diagnostics, addr, secret_view=prior)
            if failed and deposed:
                self.diags.error(
                    "Replaced object not deleted",
                    f"The new object for {addr} was created, but deleting the object it "
                    f"replaces (id {rid}) failed. That object stays in state as a deposed "
                    "object; run apply again to delete it.", address=str(addr))
            if not failed and deposed and dkey:
                self._record_deposed(addr, ch.provider, dkey, None, ch.each_mode)
            if not failed and not deposed:
                self._record(addr, ch.provider, None, ch.each_mode, flush=call.results_flush)
            self.hooks.post_apply(str(addr), "delete", rid, time.monotonic() - call.start,
                                  failed)
            return not failed

        return call, end

    def _destroy_deposed(self, op: Operation) -> bool:
        """Delete a deposed object an earlier apply left behind."""
        ch = self.plan.deposed[(op.addr, op.deposed)]
        provider = self.providers.get(ch.provider)
        with self.lock:
            rs = self.state.resources.get(op.addr.resource)
            obj = rs.deposed.get((op.addr.key, op.deposed)) if rs else None
        if provider is None or obj is None:
            return obj is None
        prior = self._value(obj)
        rid = obj.attributes.get("id")
        name = f"{op.addr} (deposed object {op.deposed})"
        self.hooks.pre_apply(name, "delete", rid)
        start = time.monotonic()
        result = self._timed(op.addr, "delete", rid, lambda: provider.apply(ApplyRequest(
            op.addr.resource.type, name, prior, None, None)))
        failed = result.diagnostics.has_errors
        self._add_diags(result.diagnostics, op.addr)
        if not failed:
            self._record_deposed(op.addr, ch.provider, op.deposed, None, rs.each_mode)
        self.hooks.post_apply(name, "delete", rid, time.monotonic() - start, failed)
        return not failed

    def _apply(self, addr: InstanceAddr, ch, provider) -> bool:
        prepared = self._prepare(addr, ch, provider)
        if prepared is None:
            return False
        self._journal_intents([prepared])
        return self._carry_out(prepared)

    def _prepare(self, addr: InstanceAddr, ch, provider) -> _Prepared | None:
        """Everything before an apply's provider call: the configuration evaluated again
        now that the dependencies are applied, preconditions, the provider's final plan,
        checked against the one shown; for a create, its token (journalled by
        ``_journal_intents`` before the call). None: it failed, with diagnostics."""
        res = self.config.resource(addr.resource)
        scope = self.evaluation.scope(addr.resource.module)
        schema = self.providers.resource_schema(ch.provider.name, addr.resource.type)
        with self.lock:
            prior_obj = self.state.instance(addr)
        if ch.action.is_replace:
            prior_obj = None  # the replacement is a new object
        prior_val = self._value(prior_obj) if prior_obj is not None else None
        action = "create" if prior_val is None else "update"

        # Re-evaluate the configuration now that dependencies are applied.
        count_index = addr.key if isinstance(addr.key, int) else None
        each = None
        if isinstance(addr.key, str) and res is not None and res.for_each is not None:
            fe, _ = scope.evaluate(res.for_each)
            fe = unmark(fe)[0]
            each = (addr.key, fe.get(addr.key) if isinstance(fe, dict) else addr.key)
        decoded = scope.decode(res.body, schema.block, res.range, count_index, each)
        self._add_diags(self.evaluation.drain(), addr)
        if decoded.diagnostics.has_errors:
            self._add_diags(decoded.diagnostics, addr)
            return None
        if not self._conditions(res, addr, count_index, each, post=False):
            return None
        config = decoded.value
        if prior_val is not None and (res.lifecycle.ignore_changes
                                      or res.lifecycle.ignore_changes_paths):
            config = ignore_changes(config, prior_val, res.lifecycle, schema.block)
        final = provider.plan(PlanRequest(addr.resource.type, str(addr), prior_val, config))

        def secret_view() -> list:
            """What a provider message must not quote: marked values and schema-sensitive
            ones (worked out only for a message)."""
            view = [prior_val, decoded.value, config]
            if final.planned is not None:
                plain = unmark(final.planned)[0]
                view.append(mark_paths(plain, [
                    tuple(p) for p in schema.block.sensitive_paths(plain)]))
            return view

        if final.diagnostics.has_errors or final.planned is None:
            self._add_diags(final.diagnostics, addr, secret_view)
            return None
        planned = final.planned
        mismatch = _inconsistent(ch.after, planned)
        if mismatch is not None:
            self.diags.error(
                "Provider produced inconsistent final plan",
                f"When applying the changes to {addr}, the planned value for "
                f"{_path_text(mismatch)} differs from the plan that was shown. Nothing was "
                "changed for this resource; run plan again and review the result.",
                res.range, address=str(addr))
            return None
        if not is_wholly_known(unmark(config)[0]):
            self.diags.error(
                "Configuration contains unknown value",
                f"The arguments of {addr} still hold values that are unknown after their "
                "dependencies were applied. This is a bug in vpnform; please report it.",
                res.range, address=str(addr))
            return None

        p = _Prepared(addr, ch, provider, res, schema, decoded, config, planned, prior_val,
                      action, count_index, each, secret_view)
        if action == "create":
            p.token = uuid.uuid4().hex
            p.pending = PendingCreate(ch.provider.state_str(), p.token,
                                      unknown_as_null(unmark(planned)[0]), ch.each_mode,
                                      list(ch.dependencies))
        return p

    def _journal_intents(self, batch: list[_Prepared]) -> None:
        """Journal the creates of ``batch`` before any of their calls: even a create whose
        answer is lost, or a crash during the call, leaves what the next plan needs to find
        the object again. One flush covers the batch (the last record's flushes every one
        before it)."""
        creates = [p for p in batch if p.pending is not None]
        for i, p in enumerate(creates):
            if self.intent is not None:
                pending = p.pending
                self.intent(p.addr, p.ch.provider, pending.token, pending.planned,
                            p.ch.each_mode, pending.dependencies, i == len(creates) - 1)
            with self.lock:
                self.state.in_flight[str(p.addr)] = p.pending

    def _carry_out(self, p: _Prepared) -> bool:
        """The provider call of a prepared apply, and its result recorded."""
        call = self._begin_call(p)
        result = self._timed(p.addr, p.action, call.rid, lambda: p.provider.apply(call.request))
        return self._end_call(p, call, result)

    def _carry_out_batch(self, provider, batch: list[tuple[Operation, Callable]]
                         ) -> list[tuple[Operation, bool]]:
        """The calls of operations of ``provider`` (each with its ``begin()``: its call and
        what records the result, or None when there is nothing to call), carried out
        together by its ``apply_batch``, and their results recorded; each one's outcome.
        An apply that raised fails alone, as ``_safe`` reports it; when the batch call
        itself raises, every one of them does (a create's token stays journalled for the
        next plan)."""
        done: list[tuple[Operation, bool]] = []
        begun: list[tuple[Operation, _Call, Callable]] = []
        for op, begin in batch:
            started = self._safe(op, lambda op, begin=begin: begin() or True)
            if isinstance(started, tuple):
                begun.append((op, *started))
            else:
                done.append((op, started))  # nothing to call (True), or it failed to begin
        try:
            outcomes = provider.apply_batch([call.request for _, call, _ in begun])
        except Exception as exc:  # noqa: BLE001 - reported for each operation below
            outcomes = [exc] * len(begun)

        def finish(end: Callable, outcome) -> Callable[[Operation], bool]:
            def step(op: Operation) -> bool:
                if isinstance(outcome, BaseException):
                    raise outcome
                return end(outcome)
            return step

        done.extend((op, bool(self._safe(op, finish(end, outcome))))
                    for (op, _, end), outcome in zip(begun, outcomes))
        return done

    def _begin_call(self, p: _Prepared) -> "_Call":
        """What comes before a prepared apply's provider call: the object it replaces set
        aside, the early record of a create's object, the hook; the request."""
        addr, ch, schema, decoded = p.addr, p.ch, p.schema, p.decoded
        if ch.action is Action.CREATE_THEN_DELETE and addr not in self.deposed_keys:
            with self.lock:
                old = self.state.instance(addr)
            if old is not None:
                # Set the old object aside before its replacement is made: a crash between
                # the two leaves both in state, and the next apply deletes the old one.
                self.deposed_keys[addr] = dkey = uuid.uuid4().hex[:8]
                self._record_deposed(addr, ch.provider, dkey, old, ch.each_mode)
        rid = p.prior_val.get("id") if p.prior_val else None
        on_created = None
        reported: list = []  # the object the provider reported early, if any
        results_flush = _results_need_flush(p.provider)
        if p.action == "create" and (self.calls_wait or results_flush):
            # Stored at once, so a killed process keeps the ID. A provider that can find
            # its objects by token need not wait for the disk here: the flushed token
            # finds the object (after a power loss too, recorded tainted either way).
            # When no call waits, the final record follows the answer at once, and the
            # token alone is enough for such a provider: no early record then.

            def on_created(value: dict) -> None:
                # The object exists from here on: record it at once, tainted until its
                # create has finished (as Terraform taints a create that did not finish).
                reported.append(value)
                self._record(addr, ch.provider,
                             self._object(value, schema, decoded, ch, TAINTED), ch.each_mode,
                             flush=results_flush)
        self.hooks.pre_apply(str(addr), p.action, rid)
        request = ApplyRequest(addr.resource.type, str(addr), p.prior_val, p.planned, p.config,
                               create_token=p.token, on_created=on_created)
        return _Call(request, rid, time.monotonic(), reported, results_flush)

    def _end_call(self, p: _Prepared, call: "_Call", result) -> bool:
        """What comes after a prepared apply's provider call: its result recorded, the
        postconditions, the hook; whether it succeeded."""
        addr, ch, action, rid = p.addr, p.ch, p.action, call.rid
        failed = result.diagnostics.has_errors
        self._add_diags(result.diagnostics, addr, p.secret_view)
        if result.new is not None:
            status = TAINTED if failed and action == "create" else READY
            obj = self._object(result.new, p.schema, p.decoded, ch, status)
            self._record(addr, ch.provider, obj, ch.each_mode, flush=call.results_flush)
            rid = obj.attributes.get("id")
            # The object stays in state whatever its postconditions say.
            if not failed and not self._conditions(p.res, addr, p.count_index, p.each,
                                                   post=True, self_value=self._value(obj)):
                failed = True
        elif action == "create" and result.in_doubt:
            pass  # the token stays journalled: the next plan looks for the object
        elif action == "create" and (self.intent is not None or call.reported):
            # The create failed and left nothing: settle the journal's pending entry (and
            # forget an object reported early that the provider now says is gone).
            self._record(addr, ch.provider, None, ch.each_mode)
        self.hooks.post_apply(str(addr), action, rid, time.monotonic() - call.start, failed)
        return not failed

    @staticmethod
    def _object(value: dict, schema, decoded, ch, status: str) -> InstanceObject:
        """The state object for a provider's value of ``ch``'s instance."""
        plain, new_marks = unmark(value)
        # Sensitive: what the schema says, what the provider marked, and whatever the
        # configuration marked (a sensitive variable set into a plain attribute).
        paths = {tuple(p) for p in schema.block.sensitive_paths(plain)}
        paths.update(tuple(p) for p in new_marks)
        paths.update(p for p in unmark(decoded.value)[1] if has_path(plain, p))
        return InstanceObject(
            attributes=plain, sensitive_paths=[list(p) for p in sorted(paths, key=str)],
            dependencies=list(ch.dependencies), status=status,
            create_before_destroy=ch.action is Action.CREATE_THEN_DELETE)

    def _conditions(self, res, addr: InstanceAddr, count_index, each, post: bool,
                    self_value=None) -> bool:
        rules = res.lifecycle.postconditions if post else res.lifecycle.preconditions
        if not rules:
            return True
        ctx = self.evaluation.scope(addr.resource.module).context(count_index, each)
        if post:
            ctx.self_value = self_value
        d = check_rules(rules, ctx, POSTCONDITION if post else PRECONDITION,
                        address=str(addr))
        with self.lock:
            self.diags.extend(d)
        return not d.has_errors

    def _read_data(self, addr: InstanceAddr, ch, provider) -> bool:
        res = self.config.resource(addr.resource)
        schema = self.providers.resource_schema(ch.provider.name, addr.resource.type, True)
        scope = self.evaluation.scope(addr.resource.module)
        each = None
        if isinstance(addr.key, str) and res.for_each is not None:
            fe, _ = scope.evaluate(res.for_each)
            fe = unmark(fe)[0]
            each = (addr.key, fe.get(addr.key) if isinstance(fe, dict) else addr.key)
        decoded = scope.decode(res.body, schema.block, res.range,
                               addr.key if isinstance(addr.key, int) else None, each)
        if decoded.diagnostics.has_errors:
            self._add_diags(decoded.diagnostics, addr)
            return False
        result = provider.read_data_source(addr.resource.type, unmark(decoded.value)[0])
        self._add_diags(result.diagnostics, addr, decoded.value)
        if result.value is not None:
            self.evaluation.set_instance(addr, result.value)
        return not result.diagnostics.has_errors

    def _add_diags(self, diags: Diagnostics, addr: InstanceAddr, secret_view=None) -> None:
        """Add ``diags`` about ``addr``; ``secret_view`` (values, or a function giving
        them): what their text must not quote."""
        if not diags:
            return
        res = self.config.resource(addr.resource)
        if secret_view is not None:  # a provider message may quote an argument's value
            view = secret_view() if callable(secret_view) else secret_view
            diags = diags.redacted(sensitive_strings(view))
        with self.lock:
            for d in diags:
                self.diags.append(Diagnostic(d.severity, d.summary, d.detail,
                                             d.subject or (res.range if res else None),
                                             d.address or str(addr), d.attribute_path))

    # -- the walk ----------------------------------------------------------------------
    def walk(self, parallelism: int) -> None:
        g = digraph.DiGraph()
        g.add_nodes_from(self.plan.operations)
        g.add_edges_from(self.plan.edges)
        # Data reads that had to wait for apply run before their dependents.
        for addr, ch in self.plan.changes.items():
            if ch.action is Action.READ:
                g.add_node(Operation(APPLY, addr))
        order_index = {op: i for i, op in enumerate(self.plan.operations)}
        remaining = {op: g.in_degree(op) for op in g.nodes}
        # Ready operations start in the plan's order: a heap, so each start and each
        # newly ready operation costs O(log n) whatever the plan's size.
        ready: list[tuple[int, int, Operation]] = []
        pushed = itertools.count()

        def push(op: Operation) -> None:
            heapq.heappush(ready, (order_index.get(op, -1), next(pushed), op))

        for op, n in remaining.items():
            if n == 0:
                push(op)
        skipped: set[Operation] = set()
        running: dict[Future, list[Operation]] = {}
        # Threads pay off only while calls wait (for a cloud, a disk, a sleep); calls that
        # only compute run on one worker, a batch of ready operations at a time. (Calls
        # that wait are never batched: an interrupted batch leaves its creates not yet
        # started for the next plan to look up.)
        self.calls_wait = waits = self._calls_wait()
        # Providers that carry out a batch in another process (``applies_run_elsewhere``):
        # two batches at once, so one is prepared and recorded here while the other
        # process carries out the other.
        self.batches_elsewhere = elsewhere = not waits and self._applies_run_elsewhere()
        workers = max(1, parallelism) if waits else BATCHES_ELSEWHERE if elsewhere else 1
        batch = 1 if waits else INTENT_BATCH
        noticed = False
        with _first_interrupt_stops(self), ThreadPoolExecutor(max_workers=workers) as pool:
            while ready or running:
                while ready and len(running) < workers and not self.interrupted:
                    ops = [heapq.heappop(ready)[2] for _ in range(min(batch, len(ready)))]
                    running[pool.submit(self._run_batch, ops)] = ops
                if not running:
                    break
                done, _ = wait(list(running), timeout=None if noticed else INTERRUPT_POLL,
                               return_when=FIRST_COMPLETED)
                if self.interrupted and not noticed:
                    noticed = True
                    self.hooks.interrupted()
                for fut in done:
                    running.pop(fut)
                    for op, ok in fut.result():
                        self._completed(op, ok, g, remaining, skipped, push)

        if self.interrupted:
            self.diags.error(
                "Operation interrupted",
                "The apply was interrupted: operations already running finished and are "
                "recorded in state; nothing else was started. Run apply again to carry out "
                "the rest of the plan.")

    def _completed(self, op: Operation, ok: bool, g, remaining, skipped, push) -> None:
        """``op`` finished: its dependents are skipped when it failed; each whose last
        dependency it was is ready (or skipped) now."""
        if not ok:
            skipped.update(digraph.descendants(g, op))
        self._release(op, g, remaining, skipped, push)

    def _calls_wait(self) -> bool:
        """Whether some provider's calls wait on something outside this process (its
        optional ``applies_wait()``; True when it has none)."""
        for addr in {ch.provider for ch in self.plan.changes.values()}:
            applies_wait = getattr(self.providers.get(addr), "applies_wait", None)
            if not callable(applies_wait) or applies_wait():
                return True
        return False

    def _applies_run_elsewhere(self) -> bool:
        """Whether every provider with changes carries out its batches in another process
        (its optional ``applies_run_elsewhere()`` and ``apply_batch``) and finds a create's
        object by its token (``recover_create``: no early record is asked for)."""
        for addr in {ch.provider for ch in self.plan.changes.values()}:
            provider = self.providers.get(addr)
            elsewhere = getattr(provider, "applies_run_elsewhere", None)
            if not (callable(elsewhere) and callable(getattr(provider, "apply_batch", None))
                    and callable(getattr(provider, "recover_create", None)) and elsewhere()):
                return False
        return True

    def _run_batch(self, ops: list[Operation]) -> list[tuple[Operation, bool]]:
        """Run ``ops`` (ready at once, independent of one another): the applies are prepared
        first and their creates journalled with one flush; then, when batches run
        elsewhere, each provider's applies and deletes go to its ``apply_batch`` in one
        call, and the rest run one after another. Stops starting operations once
        interrupted; those not run are not in the result."""
        if len(ops) == 1 and not self.batches_elsewhere:
            return [(ops[0], bool(self._safe(ops[0], self.run)))]
        done: list[tuple[Operation, bool]] = []
        prepared: dict[Operation, _Prepared | None] = {}
        for op in ops:
            target = self._apply_target(op)
            if target is not None:
                p = self._safe(op, lambda op: self._prepare(op.addr, *target))
                prepared[op] = p if isinstance(p, _Prepared) else None
                if prepared[op] is None:
                    done.append((op, False))
        self._journal_intents([p for p in prepared.values() if p is not None])
        if self.batches_elsewhere:  # each provider's calls in one, in its process
            groups: dict[int, tuple[object, list]] = {}
            for op in ops:
                shippable = self._shippable(op, prepared.get(op))
                if shippable is not None:
                    provider, begin = shippable
                    groups.setdefault(id(provider), (provider, []))[1].append((op, begin))
            shipped: set[Operation] = set()
            for provider, group in groups.values():
                if self.interrupted:
                    break
                done.extend(self._carry_out_batch(provider, group))
                shipped.update(op for op, _ in group)
            ops = [op for op in ops if op not in shipped]
        for i, op in enumerate(ops):
            if self.interrupted:
                self._settle_unstarted([prepared[o] for o in ops[i:] if prepared.get(o)])
                break
            if op not in prepared:
                done.append((op, bool(self._safe(op, self.run))))
            elif prepared[op] is not None:
                done.append((op, bool(self._safe(op, lambda op: self._carry_out(prepared[op])))))
        return done

    def _shippable(self, op: Operation, p: "_Prepared | None") -> tuple | None:
        """(provider, begin) when ``op``'s call can go in a batch to its provider's other
        process: a prepared apply, or a delete; None otherwise."""
        if p is not None:
            def begin_apply() -> tuple[_Call, Callable]:
                call = self._begin_call(p)
                return call, lambda result: self._end_call(p, call, result)
            return p.provider, begin_apply
        if op.kind != DESTROY or op.deposed:
            return None
        ch = self.plan.changes[op.addr]
        provider = self.providers.get(ch.provider)
        if provider is None or ch.action is Action.FORGET:
            return None
        return provider, lambda: self._begin_destroy(op.addr, ch, provider)

    def _settle_unstarted(self, batch: list[_Prepared]) -> None:
        """Creates journalled but never started (the apply was interrupted): their
        instances are recorded as they are, which settles the intents, so the next plan
        has nothing to look up."""
        for p in batch:
            if p.pending is not None:
                with self.lock:
                    current = self.state.instance(p.addr)
                self._record(p.addr, p.ch.provider, current, p.ch.each_mode, flush=False)

    def _apply_target(self, op: Operation) -> tuple | None:
        """(change, provider) when ``op`` applies a managed instance (a create or an
        update, ``_apply``), else None."""
        if op.deposed or op.kind == DESTROY:
            return None
        ch = self.plan.changes[op.addr]
        provider = self.providers.get(ch.provider)
        if provider is None or ch.action in (Action.FORGET, Action.READ):
            return None
        return ch, provider

    def _release(self, op, g, remaining, skipped, push) -> None:
        """``op`` is done or skipped: each dependent it was the last dependency of is ready
        now, or, when skipped, released in turn."""
        for succ in g.successors(op):
            remaining[succ] -= 1
            if remaining[succ] == 0:
                if succ in skipped:
                    self._release(succ, g, remaining, skipped, push)
                else:
                    push(succ)

    def _safe(self, op: Operation, step: Callable) -> object:
        """``step(op)``; False (with a diagnostic) when it raises."""
        try:
            return step(op)
        except Exception as exc:  # noqa: BLE001 - a provider bug must not lose state
            self._add_diags(Diagnostics.of([Diagnostic(
                Severity.ERROR, "Provider produced an unexpected error",
                f"{type(exc).__name__} while running {op}: {exc}. What was applied before "
                "is kept in state.")]), op.addr)
            return False

    def outputs(self) -> None:
        if self.plan.destroy:
            self.state.outputs = {}
            return
        outs = {}
        for name, output in sorted(self.module.outputs.items()):
            value, d = self.evaluation.root.evaluate(output.expr)
            d.extend(self.evaluation.drain())
            if d.has_errors:
                self.diags.extend(d)
                continue
            if not is_wholly_known(unmark(value)[0]):
                continue
            outs[name] = OutputValue(unmark(value)[0],
                                     output.sensitive or contains_sensitive(value))
        self.state.outputs = outs

    def checks(self) -> None:
        if self.plan.destroy:
            return
        self.diags.extend(evaluate_checks(self.evaluation, self.providers))


def apply(plan: Plan, config: Config | Module, providers: ProviderSet, workdir: str,
          hooks: Hooks | None = None, sink: StateSink | None = None,
          options: ApplyOptions | None = None,
          intent: IntentSink | None = None) -> tuple[State, Diagnostics]:
    options = options or ApplyOptions()
    ex = _Executor(plan, as_config(config), providers, hooks or Hooks(), sink, workdir, intent)
    ex.ticker.interval = options.progress_interval
    ex.record_imports()
    try:
        ex.walk(options.parallelism)
    finally:
        ex.ticker.stop()
    ex.outputs()
    ex.checks()
    return ex.state, ex.diags


def _results_need_flush(provider) -> bool:
    """Whether an operation's result must reach the disk before the apply goes on. Not
    for a provider that finds a create's object by its token (``recover_create``): the
    flushed intent before each create keeps track of every object the cloud makes, so a
    result lost to a power failure costs a refresh (an update's or delete's shows in the
    next plan's read; a create's object is found by its token), never an object. The
    journal reaches the disk with the next flushed record, and at the end of the apply."""
    return not callable(getattr(provider, "recover_create", None))


def _inconsistent(shown, final) -> tuple | None:
    """The first path where a value known in the reviewed plan differs in the final plan
    (sensitive marks aside: both are unmarked once, here)."""
    return _first_difference(unmark(shown)[0], unmark(final)[0], ())


def _first_difference(shown, final, path: tuple) -> tuple | None:
    """``_inconsistent`` of unmarked values."""
    if isinstance(shown, Unknown):
        return None
    if isinstance(shown, dict) and isinstance(final, dict):
        for k in shown:
            p = _first_difference(shown[k], final.get(k), path + (k,))
            if p is not None:
                return p
        return None
    if isinstance(shown, list) and isinstance(final, list):
        if len(shown) != len(final):
            return path
        for i, (a, b) in enumerate(zip(shown, final)):
            p = _first_difference(a, b, path + (i,))
            if p is not None:
                return p
        return None
    if isinstance(final, Unknown):
        return path
    if isinstance(shown, bool) or isinstance(final, bool):
        return None if shown is final else path
    return None if shown == final else path


def _path_text(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the object"
