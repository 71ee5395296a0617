"""Every verb that works on the state goes through one runner (engine/operations.py), so a
held lock or an unreadable state reads the same whichever verb met it."""

from __future__ import annotations

import re

import pytest
from cli import errors, run

from engine.state.backends.base import LockInfo
from engine.state.backends.local import LocalBackend

HOLDER = "pipeline-7@ci-runner-3"

# the verbs that lock and read the state ("saved.tfplan": made by the fixture beforehand)
STATE_VERBS = [
    ("plan",),
    ("apply", "-auto-approve"),
    ("apply", "saved.tfplan"),
    ("destroy", "-auto-approve"),
    ("refresh",),
    ("import", "tencentcloud_vpc.tom", "vpc-00000001"),
    ("taint", "tencentcloud_vpc.tom"),
    ("untaint", "tencentcloud_vpc.tom"),
]


@pytest.fixture
def with_saved_plan(quickstart):
    res = run(quickstart, "plan", "-out=saved.tfplan")
    assert res.code == 0, res
    return quickstart


def test_a_held_lock_is_the_same_diagnostic_for_every_verb(with_saved_plan):
    holder = LocalBackend(workdir=str(with_saved_plan))
    info = LockInfo(operation="OperationTypeApply", who=HOLDER)
    lock_id = holder.lock(info)
    try:
        results = {argv: run(with_saved_plan, argv[0], "-lock-timeout=0s", *argv[1:])
                   for argv in STATE_VERBS}
    finally:
        holder.unlock(lock_id)
    details = set()
    for argv, res in results.items():
        assert res.code == 1, res
        [d] = errors(res.stderr)
        assert d.summary == "Error acquiring the state lock", res
        shown = dict(re.findall(r"^\s+(ID|Who|Operation):\s+(.*)$", d.detail, re.MULTILINE))
        assert shown == {"ID": lock_id, "Who": HOLDER, "Operation": "OperationTypeApply"}, res
        details.add(d.detail)
        assert "Importing" not in res.stdout and "Creating" not in res.stdout, res
    assert len(details) == 1, details  # word for word the same
    assert not (with_saved_plan / "terraform.tfstate").exists()  # nobody wrote anything


def test_an_unreadable_state_is_the_same_diagnostic_for_every_verb(with_saved_plan):
    (with_saved_plan / "terraform.tfstate").write_text('{"version": 4, "serial": ')
    results = {argv: run(with_saved_plan, *argv) for argv in STATE_VERBS}
    results[("console",)] = run(with_saved_plan, "console", input="1 + 1\n")
    for looking in (("show",), ("show", "-json"), ("output",), ("state", "list")):
        results[looking] = run(with_saved_plan, *looking)
    details = set()
    for argv, res in results.items():
        assert res.code == 1, res
        [d] = errors(res.stderr)
        assert d.summary == "Failed to load state", res
        assert "terraform.tfstate" in d.detail, res
        details.add(d.detail)
    assert len(details) == 1, details
    # and the lock was released every time: a later run is not refused
    assert not (with_saved_plan / ".terraform.tfstate.lock.info").exists()


def test_a_waiting_run_says_whom_it_waits_for(quickstart):
    """-lock-timeout waits quietly no more: the log says, once, who holds the lock; and the
    waiter proceeds as soon as the holder lets go."""
    import threading
    holder = LocalBackend(workdir=str(quickstart))
    lock_id = holder.lock(LockInfo(operation="OperationTypeApply", who=HOLDER))
    release = threading.Timer(3.0, holder.unlock, args=(lock_id,))
    release.start()
    try:
        res = run(quickstart, "plan", "-lock-timeout=60s")
    finally:
        release.cancel()
    assert res.code == 0, res
    notices = [line for line in res.stderr.splitlines() if "Acquiring state lock" in line]
    assert len(notices) == 1, res.stderr
    assert HOLDER in notices[0] and lock_id in notices[0] and "OperationTypeApply" in notices[0]
    assert "Plan:" in res.stdout
    for verb in (("taint", "tencentcloud_vpc.tom"), ("state", "rm", "tencentcloud_vpc.tom")):
        lock_id = holder.lock(LockInfo(operation="OperationTypeApply", who=HOLDER))
        try:
            res = run(quickstart, *verb[:-1], "-lock-timeout=1s", verb[-1])
        finally:
            holder.unlock(lock_id)
        assert res.code == 1, res
        assert res.stderr.count("Acquiring state lock") == 1 and HOLDER in res.stderr, res
