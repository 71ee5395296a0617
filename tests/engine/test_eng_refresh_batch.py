"""A refresh through a provider with the optional ``read_batch`` reads the objects of one
type in batches of at most REFRESH_BATCH (issue #14), with the same plan as a provider
that reads one object a call: drift found, objects gone planned anew, errors reported
against the right address."""

from __future__ import annotations

import copy
import threading

from eng_fakes import Env, FakeProvider

from engine.addrs import parse_instance
from engine.diagnostics import Diagnostics
from engine.plan.model import Action
from engine.plan.planner import REFRESH_BATCH
from engine.providers import ReadResult


class BatchingProvider(FakeProvider):
    """The fake provider with ``read_batch``: records the size of each batch it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.single_reads = 0
        self.failing: set[str] = set()  # ids whose read fails
        self._count_lock = threading.Lock()

    def read(self, type_name: str, value: dict) -> ReadResult:
        with self._count_lock:
            self.single_reads += 1
        return self._read_one(type_name, value)

    def _read_one(self, type_name: str, value: dict) -> ReadResult:
        if value.get("id") in self.failing:
            d = Diagnostics()
            d.error("Error reading thing", "the cloud failed")
            return ReadResult(value=value, diagnostics=d)
        with self._lock:
            obj = self.objects.get(value.get("id"))
            return ReadResult(copy.deepcopy(obj) if obj is not None else None)

    def read_batch(self, type_name: str, values: list[dict]) -> list[ReadResult]:
        with self._count_lock:
            self.batches.append(len(values))
        return [self._read_one(type_name, v) for v in values]


def many(n: int) -> str:
    return (f'resource "fake_thing" "n" {{\n  count = {n}\n  name = "thing-${{count.index}}"\n'
            '}\n')


def actions(p) -> dict:
    return {str(a): c.action for a, c in p.changes.items()}


def test_a_refresh_reads_in_batches_of_at_most_refresh_batch(tmp_path):
    env = Env(tmp_path, BatchingProvider())
    n = 2 * REFRESH_BATCH + 5
    env.converge(many(n))
    env.fake.batches.clear()
    env.fake.single_reads = 0
    p = env.plan_ok(many(n))
    assert set(actions(p).values()) == {Action.NOOP}
    assert sorted(env.fake.batches) == [5, REFRESH_BATCH, REFRESH_BATCH]
    assert env.fake.single_reads == 0


def test_drift_and_objects_gone_are_found_through_batches(tmp_path):
    env = Env(tmp_path, BatchingProvider())
    state = env.converge(many(150))
    gone = state.instance(parse_instance("fake_thing.n[3]")).attributes["id"]
    changed = state.instance(parse_instance("fake_thing.n[120]")).attributes["id"]
    del env.fake.objects[gone]
    env.fake.objects[changed]["name"] = "renamed outside"
    p = env.plan_ok(many(150))
    acts = actions(p)
    assert acts["fake_thing.n[3]"] is Action.CREATE
    assert acts["fake_thing.n[120]"] is Action.UPDATE
    assert {a for a, act in acts.items() if act is not Action.NOOP} == {
        "fake_thing.n[3]", "fake_thing.n[120]"}
    # -refresh-only records what was read: the drift, no actions
    ro = env.plan_ok(many(150), refresh_only=True)
    assert not ro.changes
    assert ro.prior_state.instance(parse_instance("fake_thing.n[3]")) is None
    assert ro.prior_state.instance(
        parse_instance("fake_thing.n[120]")).attributes["name"] == "renamed outside"


def test_a_read_error_in_a_batch_names_its_own_object(tmp_path):
    env = Env(tmp_path, BatchingProvider())
    state = env.converge(many(10))
    env.fake.failing = {state.instance(parse_instance("fake_thing.n[7]")).attributes["id"]}
    p, diags = env.plan(many(10))
    assert p is None
    assert [(d.summary, d.address) for d in diags if d.is_error] == [
        ("Error reading thing", "fake_thing.n[7]")]


def test_the_same_plan_as_a_provider_reading_one_by_one(tmp_path):
    batching, single = Env(tmp_path / "b", BatchingProvider()), Env(tmp_path / "s")
    for env in (batching, single):
        state = env.converge(many(30))
        del env.fake.objects[state.instance(parse_instance("fake_thing.n[4]")).attributes["id"]]
    batching.fake.batches.clear()
    a, b = batching.plan_ok(many(30)), single.plan_ok(many(30))
    assert actions(a) == actions(b)
    assert actions(a)["fake_thing.n[4]"] is Action.CREATE
    assert batching.fake.batches == [30]


def test_a_refresh_leaves_the_recorded_state_alone_and_shares_nothing_with_it(tmp_path):
    from engine.hooks import Hooks
    from engine.plan.planner import refresh_state

    env = Env(tmp_path, BatchingProvider())
    state = env.converge(many(6))
    ids = {k: state.instance(parse_instance(f"fake_thing.n[{k}]")).attributes["id"]
           for k in range(6)}
    env.fake.objects[ids[1]]["name"] = "renamed outside"
    del env.fake.objects[ids[2]]
    env.fake.failing = {ids[3]}  # not read: kept as recorded
    before = copy.deepcopy(state)
    refreshed, diags = refresh_state(state, env.providers, 4, Hooks())
    assert [d.address for d in diags if d.is_error] == ["fake_thing.n[3]"]
    assert state == before  # the recorded state is not changed by the refresh
    got = {str(a): o for a, _, o in refreshed.instances()}
    assert got["fake_thing.n[1]"].attributes["name"] == "renamed outside"
    assert "fake_thing.n[2]" not in got
    assert got["fake_thing.n[3]"].attributes == before.instance(
        parse_instance("fake_thing.n[3]")).attributes
    # every object of the refreshed state, read or kept, is its own copy
    for addr, _, obj in refreshed.instances():
        old = state.instance(addr)
        assert obj is not old and obj.attributes is not old.attributes
        assert obj.sensitive_paths is not old.sensitive_paths
        obj.attributes["name"] = "changed in the copy"
    assert state == before


class ThreadRecordingProvider(BatchingProvider):
    """Records which threads its reads ran on; ``waits`` is its ``reads_wait()``."""

    def __init__(self, waits: bool | None) -> None:
        super().__init__()
        self.threads: set[str] = set()
        if waits is not None:
            self.reads_wait = lambda: waits

    def read_batch(self, type_name: str, values: list[dict]) -> list[ReadResult]:
        with self._count_lock:
            self.threads.add(threading.current_thread().name)
        return super().read_batch(type_name, values)


def test_reads_that_only_compute_run_in_the_planning_thread(tmp_path):
    """A provider whose reads do not wait (the embedded emulator without latency) is read
    one batch after another, in the plan's own thread: threads would only contend."""
    env = Env(tmp_path, ThreadRecordingProvider(waits=False))
    env.converge(many(3 * REFRESH_BATCH))
    p = env.plan_ok(many(3 * REFRESH_BATCH))
    assert set(actions(p).values()) == {Action.NOOP}
    assert env.fake.threads == {threading.current_thread().name}
    assert sorted(env.fake.batches)[-3:] == [REFRESH_BATCH] * 3


def test_reads_that_wait_run_on_the_parallelism_workers(tmp_path):
    for waits in (True, None):  # None: a provider without reads_wait() is read in parallel
        env = Env(tmp_path / str(waits), ThreadRecordingProvider(waits=waits))
        env.converge(many(3 * REFRESH_BATCH))
        env.plan_ok(many(3 * REFRESH_BATCH))
        assert threading.current_thread().name not in env.fake.threads
        # with one worker, the same reads are taken in the plan's thread
        env.fake.threads.clear()
        env.plan_ok(many(3 * REFRESH_BATCH), parallelism=1)
        assert env.fake.threads == {threading.current_thread().name}
