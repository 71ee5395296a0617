"""Failures mid-apply (an injected cloud fault) and two applies racing on one directory."""

from __future__ import annotations

import json
import re
import signal
import time

from cli import (
    DELAY_ENV,
    QUICKSTART_ADDRESSES,
    arm_fault,
    clear_faults,
    cloud,
    errors,
    finish,
    plan_summary,
    resource_headers,
    run,
    start,
)

CONN = "tencentcloud_vpn_connection.tom"
GW = "tencentcloud_vpn_gateway.tom"


def _state_list(workdir) -> list[str]:
    res = run(workdir, "state", "list")
    assert res.code == 0, res
    return res.stdout.split()


def test_cloud_rejects_the_tunnel_mid_apply_then_the_rest_is_applied(quickstart):
    arm_fault(quickstart, "CreateVpnConnection", "InternalError", "tunnel backend unavailable",
              count=99)
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 1, res
    assert "Apply complete!" not in res.stdout
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    d = errs[0]
    assert d.summary == "Error creating VPN connection", res
    assert "InternalError" in d.detail and "tunnel backend unavailable" in d.detail, res
    assert d.address == CONN and d.filename == "main.tf", res
    assert d.source == 'resource "tencentcloud_vpn_connection" "tom" {'

    # Everything else was created and recorded; the tunnel is in neither state nor cloud.
    done = [a for a in QUICKSTART_ADDRESSES if a != CONN]
    assert _state_list(quickstart) == done
    for addr in done:
        assert f"{addr}: Creation complete after" in res.stdout, addr
    inv = cloud(quickstart)
    assert inv["vpn_connections"] == []
    assert len(inv["vpcs"]) == len(inv["vpn_gateways"]) == len(inv["customer_gateways"]) == 1
    state = json.loads((quickstart / "terraform.tfstate").read_text())
    assert sorted(f"{r['type']}.{r['name']}" for r in state["resources"]) == done

    clear_faults(quickstart)
    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} will be created"]
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."

    again = run(quickstart, "apply", "-auto-approve")
    assert again.code == 0, again
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in again.stdout
    assert re.search(r'^vpn_connection_id = "vpnx-[a-z0-9]{8}"$', again.stdout, flags=re.MULTILINE)
    assert _state_list(quickstart) == QUICKSTART_ADDRESSES
    assert len(cloud(quickstart)["vpn_connections"]) == 1


def test_cloud_rejects_the_gateway_so_its_dependents_are_not_attempted(quickstart):
    arm_fault(quickstart, "CreateVpnGateway", "LimitExceeded", "gateway quota used up",
              count=99)
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.summary == "Error creating VPN gateway" and d.address == GW, res
    assert "gateway quota used up" in d.detail
    # The tunnel and the route need the gateway: never attempted. The rest is independent.
    for dependent in (CONN, "tencentcloud_route_table_entry.to_idc"):
        assert f"{dependent}: Creating..." not in res.stdout, res
    independent = ["tencentcloud_route_table.tom", "tencentcloud_subnet.a",
                   "tencentcloud_vpc.tom", "tencentcloud_vpn_customer_gateway.idc"]
    assert _state_list(quickstart) == independent
    inv = cloud(quickstart)
    assert inv["vpn_gateways"] == [] and inv["vpn_connections"] == []

    clear_faults(quickstart)
    plan = run(quickstart, "plan")
    assert plan_summary(plan.stdout) == "Plan: 3 to add, 0 to change, 0 to destroy.", plan
    again = run(quickstart, "apply", "-auto-approve")
    assert again.code == 0, again
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in again.stdout
    assert _state_list(quickstart) == QUICKSTART_ADDRESSES


# --- criterion 8: two applies at once ---------------------------------------------------------

def _assert_final_state(workdir) -> None:
    state = json.loads((workdir / "terraform.tfstate").read_text())
    assert state["version"] == 4
    assert isinstance(state["serial"], int) and state["serial"] >= 1
    assert isinstance(state["lineage"], str) and state["lineage"]
    assert sorted(f"{r['type']}.{r['name']}" for r in state["resources"]) == \
        QUICKSTART_ADDRESSES
    assert all(len(r["instances"]) == 1 for r in state["resources"])
    backup = json.loads((workdir / "terraform.tfstate.backup").read_text())
    assert backup["lineage"] == state["lineage"] and backup["serial"] < state["serial"]
    assert len(cloud(workdir)["vpcs"]) == 1
    assert len(cloud(workdir)["vpn_connections"]) == 1
    assert not (workdir / ".terraform.tfstate.lock.info").exists()  # lock released


def test_concurrent_applies_without_waiting_one_is_refused(quickstart):
    """Two applies started at the same instant with -lock-timeout=0s: one creates
    everything, the other is refused by the lock and changes nothing."""
    procs = [start(quickstart, "apply", "-auto-approve", "-lock-timeout=0s", fast=False)
             for _ in range(2)]
    results = [finish(p) for p in procs]
    winners = [r for r in results if r.code == 0]
    losers = [r for r in results if r.code != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in winners[0].stdout
    loser = losers[0]
    [d] = errors(loser.stderr)
    assert d.summary == "Error acquiring the state lock", loser
    assert "locked by another process" in d.detail
    # (Whether the holder's Lock Info can be shown depends on timing here: see
    # test_lock_error_names_the_holder for the deterministic check, and the report for the
    # race in which the loser says "Its lock information could not be read".)
    assert "Creating..." not in loser.stdout  # the loser changed nothing
    _assert_final_state(quickstart)


def _wait_for_lock_info(workdir, proc, timeout: float = 30) -> dict:
    path = workdir / ".terraform.tfstate.lock.info"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the holder finished before it was seen holding the lock: "
                                 f"{finish(proc)}")
        try:
            info = json.loads(path.read_text())
            if info.get("ID"):
                return info
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    raise AssertionError("no lock info appeared")


def test_lock_error_names_the_holder(quickstart):
    """While one apply holds the lock, a second one with -lock-timeout=0s fails and shows
    the holder's Lock Info (ID, Who, Operation). The holder runs with slower emulated
    delays (scale 3, about three seconds) so it still holds the lock when the second asks."""
    holder = start(quickstart, "apply", "-auto-approve", fast=False,
                   env={DELAY_ENV: "3"})
    try:
        info = _wait_for_lock_info(quickstart, holder)
        second = run(quickstart, "apply", "-auto-approve", "-lock-timeout=0s", fast=False)
    finally:
        first = finish(holder)
    assert first.code == 0, first
    assert second.code == 1, second
    [d] = errors(second.stderr)
    assert d.summary == "Error acquiring the state lock", second
    shown = dict(re.findall(r"^\s+(ID|Who|Operation|Path):\s+(.*)$", d.detail, flags=re.MULTILINE))
    assert shown.get("ID") == info["ID"], second
    assert shown.get("Operation") == "OperationTypeApply", second
    assert shown.get("Who") and shown.get("Who") == info.get("Who"), second
    assert "force-unlock" in d.detail
    assert second.stdout.strip() == ""
    _assert_final_state(quickstart)


def test_concurrent_applies_with_lock_timeout_both_succeed(quickstart):
    procs = [start(quickstart, "apply", "-auto-approve", "-lock-timeout=60s", fast=False)
             for _ in range(2)]
    results = [finish(p) for p in procs]
    assert all("Error acquiring the state lock" not in r.stderr for r in results), results
    created = [r for r in results if "Apply complete! Resources: 7 added" in r.stdout]
    assert len(created) == 1, results
    other = results[1 - results.index(created[0])]
    assert "No changes." in other.stdout, other
    _assert_final_state(quickstart)
    assert [r.code for r in results] == [0, 0], results


# --- interrupted and killed applies ---------------------------------------------------------

def _interrupt_while_gateway_pending(workdir, sig: int):
    """Start an apply with slow emulated delays, wait until the VPN gateway exists in the
    cloud (it is PENDING for about a second and the provider is waiting for it), then send
    ``sig`` to vpnform. Returns the interrupted run's Result."""
    proc = start(workdir, "apply", "-auto-approve", fast=False, env={DELAY_ENV: "3"})
    deadline = time.monotonic() + 30
    try:
        while not cloud(workdir, kinds=["vpn_gateways"])["vpn_gateways"]:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the gateway never appeared: {finish(proc)}")
            time.sleep(0.005)
        proc.send_signal(sig)
    finally:
        res = finish(proc)
    return res


def _completed(res) -> list[str]:
    return sorted(re.findall(r"^(\S+): Creation complete after", res.stdout, flags=re.MULTILINE))


def _assert_one_of_each(workdir) -> None:
    counts = {k: len(v) for k, v in cloud(workdir).items()}
    assert counts == {"vpcs": 1, "subnets": 1, "route_tables": 2, "vpn_gateways": 1,
                      "customer_gateways": 1, "vpn_connections": 1}, counts


def test_interrupt_mid_apply_keeps_what_was_created(quickstart):
    res = _interrupt_while_gateway_pending(quickstart, signal.SIGINT)
    assert res.code == 1, res
    assert "Interrupt received" in res.stderr, res
    done = _completed(res)
    assert "tencentcloud_vpc.tom" in done, res
    listed = run(quickstart, "state", "list").stdout.split()
    assert set(done) <= set(listed), (done, listed)
    again = run(quickstart, "apply", "-auto-approve")
    assert again.code == 0, again
    _assert_one_of_each(quickstart)


def test_killed_apply_journal_is_replayed_and_lock_released(quickstart):
    res = _interrupt_while_gateway_pending(quickstart, signal.SIGKILL)
    assert res.code == -signal.SIGKILL, res
    done = _completed(res)
    assert "tencentcloud_vpc.tom" in done, res
    # The next command replays the journal: what completed is in state.
    listed = run(quickstart, "state", "list")
    assert listed.code == 0, listed
    assert set(done) <= set(listed.stdout.split()), (done, listed)
    # The dead process's lock does not block anyone (no force-unlock needed).
    plan = run(quickstart, "plan", "-lock-timeout=0s")
    assert plan.code == 0, plan
    assert "Error acquiring the state lock" not in plan.stderr
    for addr in done:
        assert f"# {addr} will be created" not in plan.stdout, addr


def test_killed_apply_keeps_the_create_in_flight_and_converges(quickstart):
    """kill -9 while the gateway is still being created: its ID was journalled the moment
    the cloud returned it (or, had the kill come sooner, its creation token was), so the
    next plan knows the object (tainted, as Terraform records a create that did not
    finish) and replaces it rather than creating a second gateway; the next apply
    converges with exactly one of each object."""
    res = _interrupt_while_gateway_pending(quickstart, signal.SIGKILL)
    assert res.code == -signal.SIGKILL, res
    plan = run(quickstart, "plan")
    assert plan.code == 0, plan
    assert "# tencentcloud_vpn_gateway.tom is tainted, so must be replaced" in plan.stdout, plan
    assert "# tencentcloud_vpn_gateway.tom will be created" not in plan.stdout, plan
    again = run(quickstart, "apply", "-auto-approve")
    assert again.code == 0, again
    _assert_one_of_each(quickstart)
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0


def test_a_lost_answer_to_a_create_makes_one_object(quickstart):
    """The cloud makes the gateway but its answer is lost: vpnform finds the gateway by
    its creation token and carries on; nothing is created twice."""
    arm_fault(quickstart, "CreateVpnGateway", "ResponseLost")
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    _assert_one_of_each(quickstart)
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0


def test_a_create_in_doubt_is_adopted_by_the_next_plan(quickstart):
    """The gateway's answer is lost and it cannot be looked up either: apply stops with the
    gateway in doubt. The next plan finds it by its token and replaces it as a create that
    did not finish (tainted) instead of creating a second one."""
    arm_fault(quickstart, "CreateVpnGateway", "ResponseLost")
    arm_fault(quickstart, "DescribeVpnGateways", "InternalError", count=40)
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.summary == "Error creating VPN gateway" and d.address == GW, res
    assert "may exist" in d.detail and "next plan looks for it" in d.detail, res
    assert GW not in _state_list(quickstart)
    clear_faults(quickstart)
    assert len(cloud(quickstart, kinds=["vpn_gateways"])["vpn_gateways"]) == 1
    plan = run(quickstart, "plan")
    assert plan.code == 0, plan
    assert "Warning: Objects recovered from an interrupted apply" in plan.output, plan
    assert f"# {GW} is tainted, so must be replaced" in plan.stdout, plan
    again = run(quickstart, "apply", "-auto-approve")
    assert again.code == 0, again
    _assert_one_of_each(quickstart)
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0


def test_a_transient_internal_error_on_a_read_is_retried_not_tainted(quickstart):
    """The gateway is made, then reading it back meets InternalError twice: the read is
    repeated, as for throttling, and the gateway is recorded as created, not tainted."""
    arm_fault(quickstart, "DescribeVpnGateways", "InternalError", count=2)
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    shown = run(quickstart, "state", "show", GW)
    assert shown.code == 0 and "tainted" not in shown.stdout, shown
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0
    _assert_one_of_each(quickstart)
