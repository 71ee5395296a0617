"""The apply executor: follows the plan's action graph, records results as they happen,
keeps what was applied when something fails, bounds parallelism, fills in outputs."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from eng_fakes import Env, Failure, FakeProvider, RecordingSink

from engine.addrs import parse_instance
from engine.apply.executor import ApplyOptions, apply
from engine.config.variables import collect_variable_values
from engine.hooks import Hooks
from engine.providers import ReadResult
from engine.state.model import READY, TAINTED

at = parse_instance

GRAPH = '''
resource "fake_thing" "base" {
  name = "base"
}
resource "fake_thing" "mid" {
  name      = "mid"
  parent_id = fake_thing.base.id
}
resource "fake_thing" "leaf" {
  name  = "leaf"
  items = [fake_thing.mid.id, fake_thing.base.arn]
}
resource "fake_thing" "free" {
  name = "free"
}
output "leaf_items" {
  value = fake_thing.leaf.items
}
output "free_id" {
  value = fake_thing.free.id
}
'''


def addrs_in(state) -> dict:
    return {str(a): o for a, _, o in state.instances()}


def test_values_computed_by_apply_reach_dependents(env: Env):
    state = env.converge(GRAPH)
    objs = addrs_in(state)
    base_id = objs["fake_thing.base"].attributes["id"]
    mid_id = objs["fake_thing.mid"].attributes["id"]
    assert objs["fake_thing.mid"].attributes["parent_id"] == base_id
    assert objs["fake_thing.leaf"].attributes["items"] == [
        mid_id, objs["fake_thing.base"].attributes["arn"]]
    # what the provider was asked to create was wholly known
    mid_call = next(c for c in env.fake.calls if c.address == "fake_thing.mid")
    assert mid_call.planned["parent_id"] == base_id
    # dependencies are recorded for later destroy ordering
    assert objs["fake_thing.leaf"].dependencies == ["fake_thing.base", "fake_thing.mid"]
    assert all(o.status == READY for o in objs.values())
    assert state.outputs["leaf_items"].value == objs["fake_thing.leaf"].attributes["items"]
    assert state.outputs["free_id"].value == objs["fake_thing.free"].attributes["id"]


def test_results_go_through_the_sink_as_they_happen(env: Env):
    p = env.plan_ok(GRAPH)
    sink = RecordingSink()
    env.fake.sink_records = sink.records
    env.apply(p, sink=sink)
    recorded = [a for a, _, _ in sink.records]
    assert sorted(recorded) == ["fake_thing.base", "fake_thing.free", "fake_thing.leaf",
                                "fake_thing.mid"]
    assert recorded.index("fake_thing.base") < recorded.index("fake_thing.mid") < \
        recorded.index("fake_thing.leaf")
    # when a dependent's apply call started, its dependency was already persisted
    calls = {c.address: c for c in env.fake.calls}
    assert calls["fake_thing.mid"].recorded_before >= recorded.index("fake_thing.base") + 1
    assert calls["fake_thing.leaf"].recorded_before >= recorded.index("fake_thing.mid") + 1


def test_results_are_flushed_unless_the_provider_finds_creates_by_their_token(env: Env):
    """A create's object is tracked by its flushed intent when the provider can look it up
    by token (recover_create): the results need not wait for the disk. Without that,
    each result is durable before the apply goes on."""
    p = env.plan_ok(GRAPH)
    sink = RecordingSink()
    env.apply(p, sink=sink)
    assert {f for _, status, f in sink.flushes if status == "ready"} == {True}

    class Recovering(FakeProvider):
        def recover_create(self, type_name, token, planned):
            return ReadResult(value=None)

    again = Env(env.root + "/again", Recovering())
    os.makedirs(again.root)
    p = again.plan_ok(GRAPH)
    sink = RecordingSink()
    again.apply(p, sink=sink)
    ready = [f for _, status, f in sink.flushes if status == "ready"]
    assert len(ready) == 4 and set(ready) == {False}


@pytest.mark.parametrize("waits,recovers,early", [
    (True, True, [("fake_thing.base", "tainted", False)]),    # kept at once, token flushed
    (False, False, [("fake_thing.base", "tainted", True)]),   # the record is all there is
    (False, True, []),  # the flushed token finds it; the final record follows at once
])
def test_a_create_is_recorded_early_unless_its_token_finds_it_and_no_call_waits(
        env: Env, waits, recovers, early):
    """A provider reports a create's object as soon as the cloud names it (on_created).
    That early record is what keeps the ID through a crash, unless the provider finds
    objects by their flushed creation token and its calls do not wait."""
    class Reporting(FakeProvider):
        def applies_wait(self) -> bool:
            return waits

        def apply(self, request):
            if request.on_created is not None:
                request.on_created({"id": "thing-early", "name": request.planned["name"]})
            return super().apply(request)

    if recovers:
        Reporting.recover_create = lambda self, type_name, token, planned: ReadResult(None)
    again = Env(env.root + "/reporting", Reporting())
    os.makedirs(again.root)
    p = again.plan_ok('resource "fake_thing" "base" {\n  name = "base"\n}\n')
    sink = RecordingSink()
    state, diags = again.apply(p, sink=sink)
    assert not diags.has_errors
    assert sink.flushes[:-1] == early
    assert sink.flushes[-1][:2] == ("fake_thing.base", "ready")
    assert state.instance(parse_instance("fake_thing.base")).status == READY


def intents_into(events: list):
    """An intent sink that notes each create's intent, and whether it was flushed."""
    def intent(addr, provider, token, planned, each_mode, dependencies, flush=True):
        events.append(("intent", str(addr), flush))
    return intent


class Computing(FakeProvider):
    """A provider whose calls only compute (``applies_wait`` False)."""

    def __init__(self, events: list):
        super().__init__()
        self.events = events
        self.threads: set = set()

    def applies_wait(self) -> bool:
        return False

    def apply(self, request):
        self.events.append(("call", request.address))
        self.threads.add(threading.get_ident())
        return super().apply(request)


def test_calls_that_only_compute_run_on_one_worker_with_one_flush_per_ready_batch(tmp_path):
    """base and free are ready at once: both intents are journalled before either call,
    the last of them flushed (which flushes both); mid and leaf follow one batch each."""
    events: list = []
    env = Env(tmp_path, Computing(events))

    intent = intents_into(events)

    p = env.plan_ok(GRAPH)
    state, diags = apply(p, env.module, env.providers, env.root,
                         options=ApplyOptions(parallelism=10), intent=intent)
    assert not diags.has_errors
    assert events == [
        ("intent", "fake_thing.base", False), ("intent", "fake_thing.free", True),
        ("call", "fake_thing.base"), ("call", "fake_thing.free"),
        ("intent", "fake_thing.mid", True), ("call", "fake_thing.mid"),
        ("intent", "fake_thing.leaf", True), ("call", "fake_thing.leaf")]
    assert len(env.fake.threads) == 1
    assert sorted(addrs_in(state)) == ["fake_thing.base", "fake_thing.free",
                                       "fake_thing.leaf", "fake_thing.mid"]


def test_an_interrupted_batch_settles_the_creates_it_had_not_started(tmp_path):
    """Ctrl-C while base is being created: free, journalled with it, is never started,
    and its intent is settled (nothing for the next plan to look up)."""
    events: list = []

    class Interrupting(Computing):
        def apply(self, request):
            if request.address == "fake_thing.base":
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)  # Ctrl-C
                time.sleep(0.2)
            return super().apply(request)

    env = Env(tmp_path, Interrupting(events))
    sink = RecordingSink()
    hooks = NoticeHooks()

    intent = intents_into(events)

    p = env.plan_ok(GRAPH)
    state, diags = apply(p, env.module, env.providers, env.root, sink=sink, hooks=hooks,
                         options=ApplyOptions(parallelism=10), intent=intent)
    assert [d.summary for d in diags] == ["Operation interrupted"]
    assert hooks.notices == 1  # "Interrupt received ... Gracefully shutting down"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C as before
    assert [e for e in events if e[0] == "call"] == [("call", "fake_thing.base")]
    assert ("intent", "fake_thing.free", True) in events
    assert sorted(addrs_in(state)) == ["fake_thing.base"]
    assert state.in_flight == {}
    assert ("fake_thing.free", None, None) in sink.records


class Batching(Computing):
    """A provider that carries out each batch of applies in another process (here, in
    order, in this one): ``applies_run_elsewhere`` and ``apply_batch``."""

    def __init__(self, events: list, raises: str | None = None, batch_fails: bool = False):
        super().__init__(events)
        self.raises = raises  # the address whose apply raises
        self.batch_fails = batch_fails  # the first batch cannot be carried out at all
        self.batches: list = []

    def applies_run_elsewhere(self) -> bool:
        return True

    def recover_create(self, type_name, token, planned):
        return ReadResult(None)

    def apply_batch(self, requests):
        self.batches.append([(r.address, r.on_created) for r in requests])
        if self.batch_fails and len(self.batches) == 1:
            raise ConnectionError("the other process has gone")
        out: list = []
        for r in requests:
            try:
                if r.address == self.raises:
                    raise ValueError("a bug in the provider")
                out.append(self.apply(r))
            except Exception as e:  # noqa: BLE001 - as a provider's apply_batch returns it
                out.append(e)
        return out


def test_a_batch_goes_whole_to_a_provider_that_carries_it_out_elsewhere(tmp_path):
    """base and free, ready at once, are journalled and then shipped in one apply_batch
    (no early report asked for); mid and leaf follow in batches of their own."""
    events: list = []
    env = Env(tmp_path, Batching(events))

    intent = intents_into(events)

    p = env.plan_ok(GRAPH)
    state, diags = apply(p, env.module, env.providers, env.root,
                         options=ApplyOptions(parallelism=10), intent=intent)
    assert not diags.has_errors
    assert env.fake.batches == [[("fake_thing.base", None), ("fake_thing.free", None)],
                                [("fake_thing.mid", None)], [("fake_thing.leaf", None)]]
    assert events[:4] == [("intent", "fake_thing.base", False),
                          ("intent", "fake_thing.free", True),
                          ("call", "fake_thing.base"), ("call", "fake_thing.free")]
    objs = addrs_in(state)
    assert objs["fake_thing.mid"].attributes["parent_id"] == \
        objs["fake_thing.base"].attributes["id"]
    assert all(o.status == READY for o in objs.values())
    assert state.in_flight == {}


def test_deletes_go_in_batches_too_and_dependents_first(tmp_path):
    env = Env(tmp_path, Batching([]))
    env.converge(GRAPH)
    env.fake.batches.clear()
    p = env.plan_ok(GRAPH, destroy=True)
    state, diags = env.apply(p)
    assert not diags.has_errors
    assert addrs_in(state) == {} and env.fake.objects == {}
    assert [sorted(a for a, _ in b) for b in env.fake.batches] == [
        ["fake_thing.free", "fake_thing.leaf"], ["fake_thing.mid"], ["fake_thing.base"]]


def test_an_apply_that_raises_in_a_batch_fails_alone(tmp_path):
    env = Env(tmp_path, Batching([], raises="fake_thing.free"))
    p = env.plan_ok(GRAPH)
    state, diags = env.apply(p)
    errors = [d for d in diags if d.severity.name == "ERROR"]
    assert [(d.summary, d.address) for d in errors] == [
        ("Provider produced an unexpected error", "fake_thing.free")]
    assert "ValueError" in errors[0].detail and "a bug in the provider" in errors[0].detail
    assert sorted(addrs_in(state)) == ["fake_thing.base", "fake_thing.leaf", "fake_thing.mid"]


def test_a_batch_that_could_not_be_carried_out_leaves_its_creates_to_be_looked_up(tmp_path):
    """The other process went away with the first batch: base and free fail, nothing
    depending on base starts, and both creates stay journalled (in flight), so the next
    plan looks for their objects by token."""
    env = Env(tmp_path, Batching([], batch_fails=True))
    p = env.plan_ok(GRAPH)
    sink = RecordingSink()
    state, diags = env.apply(p, sink=sink)
    errors = [d for d in diags if d.severity.name == "ERROR"]
    assert sorted(d.address for d in errors) == ["fake_thing.base", "fake_thing.free"]
    assert all("ConnectionError" in d.detail for d in errors)
    assert addrs_in(state) == {}
    assert sorted(state.in_flight) == ["fake_thing.base", "fake_thing.free"]
    assert sink.records == []
    assert [c.address for c in env.fake.calls] == []


class NoticeHooks(Hooks):
    def __init__(self):
        self.notices = 0

    def interrupted(self) -> None:
        self.notices += 1


def test_a_second_interrupt_stops_at_once_and_keeps_what_finished(env: Env):
    """Calls that wait run on threads: the first Ctrl-C (during base) lets base finish and
    be recorded, and starts nothing new; the second one (while free is still waiting)
    raises KeyboardInterrupt out of apply."""
    class Waiting(FakeProvider):
        def apply(self, request):
            main = threading.main_thread().ident
            if request.address == "fake_thing.base":
                time.sleep(0.1)  # free has started too
                signal.pthread_kill(main, signal.SIGINT)
                time.sleep(0.4)  # the notice comes while base is still running
            if request.address == "fake_thing.free":
                time.sleep(0.9)  # base has finished by now
                signal.pthread_kill(main, signal.SIGINT)
                time.sleep(0.5)
            return super().apply(request)

    again = Env(env.root + "/waiting", Waiting())
    os.makedirs(again.root)
    p = again.plan_ok(GRAPH)
    sink = RecordingSink()
    hooks = NoticeHooks()
    with pytest.raises(KeyboardInterrupt):
        apply(p, again.module, again.providers, again.root, sink=sink, hooks=hooks,
              options=ApplyOptions(parallelism=10))
    assert hooks.notices == 1
    assert "fake_thing.base" in [a for a, _, _ in sink.records]
    assert "fake_thing.mid" not in [c.address for c in again.fake.calls]  # never started
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("parallelism", [1, 10])
def test_a_provider_whose_calls_wait_gets_a_flush_per_create(env: Env, parallelism):
    """Never a batch of intents for calls that wait (-parallelism=1 too): an interrupted
    batch would leave creates not yet started for the next plan to look up."""
    events: list = []

    def intent(addr, provider, token, planned, each_mode, dependencies, flush=True):
        events.append((str(addr), flush, threading.get_ident()))

    p = env.plan_ok(GRAPH)
    _, diags = apply(p, env.module, env.providers, env.root,
                     options=ApplyOptions(parallelism=parallelism), intent=intent)
    assert not diags.has_errors
    assert sorted(a for a, _, _ in events) == ["fake_thing.base", "fake_thing.free",
                                               "fake_thing.leaf", "fake_thing.mid"]
    assert {f for _, f, _ in events} == {True}


def test_a_failure_skips_dependents_but_independent_work_completes(env: Env):
    env.fake.fail["fake_thing.mid"] = Failure("Quota exceeded")
    p = env.plan_ok(GRAPH)
    sink = RecordingSink()
    state, diags = env.apply(p, sink=sink)
    assert [(d.summary, d.address) for d in diags] == [("Quota exceeded", "fake_thing.mid")]
    assert str(diags.items[0].subject) == "main.tf:5,1"  # the resource block header
    called = env.fake.order()
    assert "create fake_thing.leaf" not in called  # skipped: depends on the failed one
    assert {"create fake_thing.base", "create fake_thing.free",
            "create fake_thing.mid"} <= set(called)
    assert sorted(addrs_in(state)) == ["fake_thing.base", "fake_thing.free"]
    assert sorted(a for a, _, _ in sink.records) == ["fake_thing.base", "fake_thing.free"]
    # outputs that can be evaluated are; those depending on what was skipped are not
    assert "free_id" in state.outputs and "leaf_items" not in state.outputs


def test_failed_create_that_left_an_object_is_tainted_and_replaced_next_time(env: Env):
    env.fake.fail["fake_thing.base"] = Failure(leave_object=True)
    p = env.plan_ok(GRAPH)
    state, diags = env.apply(p)
    assert diags.has_errors
    base = addrs_in(state)["fake_thing.base"]
    assert base.status == TAINTED and base.attributes["id"] in env.fake.objects
    assert "fake_thing.mid" not in addrs_in(state)
    env.fake.fail.clear()
    p = env.plan_ok(GRAPH)
    assert p.changes[at("fake_thing.base")].reason == "replace_because_tainted"
    state, diags = env.apply(p)
    assert not diags.has_errors
    assert addrs_in(state)["fake_thing.base"].status == READY
    assert len(env.fake.objects) == 4  # the tainted object was deleted


def test_failed_delete_keeps_the_object_in_state(env: Env):
    env.converge(GRAPH)
    env.fake.fail["fake_thing.free"] = Failure("Still in use")
    p = env.plan_ok(GRAPH, destroy=True)
    state, diags = env.apply(p)
    assert [d.summary for d in diags] == ["Still in use"]
    assert list(addrs_in(state)) == ["fake_thing.free"]


def test_failed_update_records_the_object_as_it_now_is(env: Env):
    env.converge(GRAPH)
    env.fake.fail["fake_thing.free"] = Failure()
    p = env.plan_ok(GRAPH.replace('name = "free"', 'name = "free2"'))
    state, diags = env.apply(p)
    assert diags.has_errors
    obj = addrs_in(state)["fake_thing.free"]
    assert obj.attributes["name"] == "free" and obj.status == READY


def test_a_provider_exception_becomes_a_diagnostic_and_state_is_kept(env: Env):
    original = env.fake._apply

    def explode(action, request):
        if request.address == "fake_thing.mid":
            raise RuntimeError("connection reset")
        return original(action, request)

    env.fake._apply = explode
    state, diags = env.apply(env.plan_ok(GRAPH))
    [d] = list(diags)
    assert d.summary == "Provider produced an unexpected error"
    assert "connection reset" in d.detail and d.address == "fake_thing.mid"
    assert sorted(addrs_in(state)) == ["fake_thing.base", "fake_thing.free"]


@pytest.mark.parametrize("parallelism", [1, 3])
def test_parallelism_bounds_concurrent_apply_calls(slow_env: Env, parallelism):
    cfg = "\n".join(f'resource "fake_thing" "r{i}" {{\n  name = "r{i}"\n}}' for i in range(7))
    state, diags = slow_env.apply(slow_env.plan_ok(cfg), parallelism=parallelism)
    assert not diags and len(addrs_in(state)) == 7
    assert slow_env.fake.max_in_flight <= parallelism
    if parallelism > 1:
        assert slow_env.fake.max_in_flight > 1  # independent operations did overlap


def test_dependents_never_run_concurrently_with_their_dependency(slow_env: Env):
    cfg = '''
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" { name = fake_thing.a.id }
resource "fake_thing" "c" { name = fake_thing.b.id }
'''
    slow_env.apply(slow_env.plan_ok(cfg), parallelism=10)
    assert slow_env.fake.max_in_flight == 1
    assert slow_env.fake.order() == ["create fake_thing.a", "create fake_thing.b",
                                     "create fake_thing.c"]


def test_destroy_apply_deletes_dependents_first_and_clears_outputs(env: Env):
    env.converge(GRAPH)
    state, diags = env.apply(env.plan_ok(GRAPH, destroy=True))
    assert not diags and state.empty and state.outputs == {}
    deletes = env.fake.order("delete")
    assert deletes.index("delete fake_thing.leaf") < deletes.index("delete fake_thing.mid") < \
        deletes.index("delete fake_thing.base")
    assert env.fake.objects == {}


def test_replacement_deletes_the_old_object_and_records_the_new(env: Env):
    cfg = 'resource "fake_thing" "z" {\n  name = "z"\n  zone = "one"\n}\n'
    old = addrs_in(env.converge(cfg))["fake_thing.z"].attributes["id"]
    state = env.converge(cfg.replace('"one"', '"two"'))
    new = addrs_in(state)["fake_thing.z"].attributes
    assert new["id"] != old and new["zone"] == "two"
    assert list(env.fake.objects) == [new["id"]]
    assert env.fake.order()[1:] == ["delete fake_thing.z", "create fake_thing.z"]


def test_create_before_destroy_replacement_keeps_the_new_object(env: Env):
    cfg = ('resource "fake_thing" "z" {\n  name = "z"\n  zone = "one"\n'
           '  lifecycle {\n    create_before_destroy = true\n  }\n}\n')
    old = addrs_in(env.converge(cfg))["fake_thing.z"].attributes["id"]
    state, diags = env.apply(env.plan_ok(cfg.replace('"one"', '"two"')))
    assert not diags
    new = addrs_in(state)["fake_thing.z"].attributes
    assert new["id"] != old and new["zone"] == "two"
    assert list(env.fake.objects) == [new["id"]]


def test_count_shrink_dependent_gets_the_planned_value(env: Env):
    cfg = '''
resource "fake_thing" "b" {
  count = 3
  name  = "b${count.index}"
}
resource "fake_thing" "a" {
  name  = "a"
  items = fake_thing.b[*].id
}
'''
    env.converge(cfg)
    p = env.plan_ok(cfg.replace("count = 3", "count = 2"))
    planned_items = p.changes[at("fake_thing.a")].after["items"]
    state, diags = env.apply(p)
    assert not diags
    objs = addrs_in(state)
    assert objs["fake_thing.a"].attributes["items"] == planned_items == [
        objs["fake_thing.b[0]"].attributes["id"], objs["fake_thing.b[1]"].attributes["id"]]


SENSITIVE = '''
variable "pw" {
  type      = string
  sensitive = true
}
resource "fake_thing" "a" {
  name   = "a"
  label  = var.pw
  secret = "schema-secret"
}
output "pw_out" {
  value     = fake_thing.a.label
  sensitive = true
}
output "name" {
  value = fake_thing.a.name
}
'''


def _pw(env: Env):
    module = env.load(SENSITIVE)
    variables, _ = collect_variable_values(module, cli_vars=[("var", "pw=hunter2")])
    return variables


def test_outputs_are_evaluated_into_state_with_their_sensitivity(env: Env):
    variables = _pw(env)
    state, diags = env.apply(env.plan_ok(None, variables))
    assert not diags
    assert state.outputs["pw_out"].value == "hunter2" and state.outputs["pw_out"].sensitive
    assert state.outputs["name"].value == "a" and not state.outputs["name"].sensitive
    assert addrs_in(state)["fake_thing.a"].sensitive_paths == [["label"], ["secret"]]


def test_state_remembers_attributes_set_from_sensitive_variables(env: Env):
    variables = _pw(env)
    state, _ = env.apply(env.plan_ok(None, variables))
    assert sorted(map(tuple, addrs_in(state)["fake_thing.a"].sensitive_paths)) == [
        ("label",), ("secret",)]


class RecordingHooks(Hooks):
    def __init__(self):
        self.events = []

    def pre_apply(self, address, action, id):
        self.events.append(("pre", address, action))

    def post_apply(self, address, action, id, elapsed, error):
        self.events.append(("post", address, action, error))

    def state_persisted(self, address):
        self.events.append(("persisted", address))


def test_hooks_report_each_operation_and_its_outcome(env: Env):
    env.fake.fail["fake_thing.free"] = Failure()
    p = env.plan_ok('resource "fake_thing" "ok" { name = "ok" }\n'
                    'resource "fake_thing" "free" { name = "free" }\n')
    hooks = RecordingHooks()
    apply(p, env.module, env.providers, env.root, hooks=hooks,
          options=ApplyOptions(parallelism=1))
    assert hooks.events == [
        ("pre", "fake_thing.free", "create"), ("post", "fake_thing.free", "create", True),
        ("pre", "fake_thing.ok", "create"), ("persisted", "fake_thing.ok"),
        ("post", "fake_thing.ok", "create", False)]


def test_apply_of_an_empty_plan_changes_nothing(tmp_path):
    env = Env(tmp_path, FakeProvider())
    env.converge(GRAPH)
    before = {str(a): o.attributes for a, _, o in env.state.instances()}
    calls = len(env.fake.calls)
    state, diags = env.apply(env.plan_ok(GRAPH))
    assert not diags
    assert {str(a): o.attributes for a, _, o in state.instances()} == before
    assert len(env.fake.calls) == calls
