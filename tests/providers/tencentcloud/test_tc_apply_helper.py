"""The provider as the engine makes it carries out batches of applies in a helper process
when the embedded emulator only computes (apply_helper.py): a real process, on the same
store, with the same answers as in process."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from tc_support import REGION, Api, blank_config

from engine.operations import Run, RunOptions
from engine.providers import ApplyRequest, PlanRequest
from providers.tencentcloud.client import CloudTransportError
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
from providers.tencentcloud.apply_helper import _apply
from providers.tencentcloud.provider import (HELPER_MIN_RESOURCES, TencentCloudProvider,
                                              engine_provider)

CGW = "tencentcloud_vpn_customer_gateway"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def engine_made(tmp_path):
    p = engine_provider(workdir=str(tmp_path))
    assert not p.configure({"region": REGION})
    p.prepare_apply(1000)  # as the engine does for a run that applies 1,000
    deadline = time.monotonic() + 30
    while not p.applies_run_elsewhere() and time.monotonic() < deadline:
        time.sleep(0.01)  # the helper starts up (the engine plans meanwhile)
    yield p
    p.close()


def _creates(p, n: int, first_ip: int = 1, **values) -> list[ApplyRequest]:
    out = []
    for i in range(n):
        cfg = blank_config(p, CGW, name=f"idc{i}", public_ip_address=f"203.0.113.{first_ip + i}",
                           **values)
        planned = p.plan(PlanRequest(CGW, f"{CGW}.c{i}", None, cfg))
        assert not planned.diagnostics.has_errors
        out.append(ApplyRequest(CGW, f"{CGW}.c{i}", None, planned.planned, cfg,
                                create_token=uuid.uuid4().hex))
    return out


def test_the_engine_s_provider_carries_out_a_batch_in_a_helper_process(engine_made, tmp_path):
    assert engine_made.applies_run_elsewhere()
    pid = engine_made._helper.pid
    assert pid != os.getpid() and not _gone(pid)
    results = engine_made.apply_batch(_creates(engine_made, 3))
    assert [r.diagnostics.has_errors for r in results] == [False, False, False]
    assert [r.new["name"] for r in results] == ["idc0", "idc1", "idc2"]
    # in the emulator's store, as anyone reading it sees them
    store = SqliteStore.for_workdir(tmp_path)
    try:
        found = Api(EmulatedVpcService(store)).ok(
            "DescribeCustomerGateways",
            CustomerGatewayIds=[r.new["id"] for r in results])["CustomerGatewaySet"]
    finally:
        store.close()
    assert sorted(g["IpAddress"] for g in found) == [f"203.0.113.{i}" for i in (1, 2, 3)]
    engine_made.close()
    assert _gone(pid)  # stopped and waited for: no process left behind


def test_an_apply_the_cloud_refuses_comes_back_as_its_diagnostics_alone(engine_made):
    good = _creates(engine_made, 2)
    bad = _creates(engine_made, 1, first_ip=10)[0]
    bad.planned["public_ip_address"] = "0.1.2.3"  # reserved: the cloud refuses it
    results = engine_made.apply_batch([good[0], bad, good[1]])
    assert [r.diagnostics.has_errors for r in results] == [False, True, False]
    assert results[1].new is None
    assert "0.1.2.3" in " ".join(d.detail for d in results[1].diagnostics)


def test_a_helper_that_died_is_not_used_again(engine_made):
    helper = engine_made._helper
    os.kill(helper.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while helper.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not helper.running
    with pytest.raises(CloudTransportError, match="apply helper process ended"):
        helper.ask("apply", 0, [])
    # the provider carries out what it is given in this process from now on
    assert not engine_made.applies_run_elsewhere()
    results = engine_made.apply_batch(_creates(engine_made, 2))
    assert [r.diagnostics.has_errors for r in results] == [False, False]


def test_the_helper_starts_nothing_once_the_apply_that_started_it_is_gone():
    class Counting:
        def __init__(self):
            self.applied = []

        def apply(self, request):
            self.applied.append(request)
            return request

    p = Counting()
    assert _apply(p, ["a", "b"], parent=os.getppid()) == ["a", "b"]
    assert _apply(p, ["c"], parent=-1) == []  # its parent is another process now
    assert p.applied == ["a", "b"]


def test_no_helper_when_calls_wait_or_outside_the_engine(tmp_path, monkeypatch):
    made_here = TencentCloudProvider(str(tmp_path))  # as a program or a test makes it
    assert not made_here.configure({"region": REGION})
    made_here.prepare_apply(1000)
    assert made_here._helper is None and not made_here.applies_run_elsewhere()
    made_here.close()
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "1")  # objects take time: calls wait
    waiting = engine_provider(workdir=str(tmp_path))
    assert not waiting.configure({"region": REGION})
    waiting.prepare_apply(1000)
    assert waiting._helper is None and not waiting.applies_run_elsewhere()
    waiting.close()


@pytest.mark.parametrize("operation, resources, helper", [
    ("OperationTypeApply", HELPER_MIN_RESOURCES, True),
    ("OperationTypePlan", HELPER_MIN_RESOURCES, False),  # a plan never applies
    ("OperationTypeApply", HELPER_MIN_RESOURCES - 1, False)])  # too small to be worth it
def test_only_a_run_that_applies_enough_starts_a_helper(tmp_path, operation, resources, helper):
    (tmp_path / "main.tf").write_text("".join(
        f'resource "tencentcloud_vpn_customer_gateway" "idc{i}" {{\n'
        f'  name              = "idc{i}"\n'
        f'  public_ip_address = "203.0.{i // 250}.{i % 250 + 1}"\n'
        '}\n' for i in range(resources)))
    run = Run(RunOptions(workdir=str(tmp_path)), operation)
    assert not run.load().has_errors
    with run.locked_state():
        assert not run.open_providers().has_errors
        [p] = run.providers.providers.values()
        assert (p._helper is not None) is helper
        started = p._helper.pid if helper else None
    if started is not None:
        assert _gone(started)  # never given an apply: stopped with the run
