"""operations.Run: the lock is taken before the state is read and released however the
run ends, and each backend error becomes the diagnostic of the phase it happened in."""

from __future__ import annotations

import pytest

from engine.operations import OperationFailed, Run, RunOptions, state_diagnostics
from engine.state.backends.base import LockError, LockInfo, StateError
from engine.state.backends.local import LocalBackend
from engine.state.model import State


def _run(workdir, **opts) -> Run:
    return Run(RunOptions(workdir=str(workdir), **opts), "OperationTypeApply")


def _lock_is_free(workdir) -> bool:
    other = LocalBackend(workdir=str(workdir))
    try:
        other.unlock(other.lock(LockInfo(operation="probe")))
        return True
    except LockError:
        return False


def test_a_held_lock_names_its_holder_and_nothing_is_read(tmp_path):
    holder = LocalBackend(workdir=str(tmp_path))
    lock_id = holder.lock(LockInfo(operation="OperationTypePlan", who="ci@runner-2"))
    try:
        with pytest.raises(OperationFailed) as failed:
            with _run(tmp_path).locked_state():
                pytest.fail("the body ran without the lock")
    finally:
        holder.unlock(lock_id)
    [d] = failed.value.diagnostics
    assert d.summary == "Error acquiring the state lock"
    assert "ci@runner-2" in d.detail and lock_id in d.detail


def test_without_the_lock_flag_a_held_lock_does_not_stop_a_read(tmp_path):
    holder = LocalBackend(workdir=str(tmp_path))
    lock_id = holder.lock(LockInfo(operation="OperationTypePlan"))
    try:
        with _run(tmp_path, lock=False).locked_state() as state:
            assert state is None  # nothing stored yet
    finally:
        holder.unlock(lock_id)


def test_an_unreadable_state_fails_to_load_and_frees_the_lock(tmp_path):
    (tmp_path / "terraform.tfstate").write_text("{not json")
    with pytest.raises(OperationFailed) as failed:
        with _run(tmp_path).locked_state():
            pytest.fail("the body ran without a state")
    [d] = failed.value.diagnostics
    assert d.summary == "Failed to load state" and "terraform.tfstate" in d.detail
    assert _lock_is_free(tmp_path)


def test_a_state_error_in_the_body_fails_to_persist_and_frees_the_lock(tmp_path):
    run = _run(tmp_path)
    with pytest.raises(OperationFailed) as failed:
        with run.locked_state():
            assert not _lock_is_free(tmp_path)  # held while the body runs
            run.write(State())
            stale = State(lineage=run.state.lineage)  # serial 0, below the one written
            run.write(stale)
    [d] = failed.value.diagnostics
    assert d.summary == "Failed to persist state" and "serial" in d.detail
    assert _lock_is_free(tmp_path)


def test_the_body_result_and_other_errors_pass_through_and_the_lock_is_freed(tmp_path):
    with pytest.raises(KeyError):
        with _run(tmp_path).locked_state():
            raise KeyError("not a state error")
    assert _lock_is_free(tmp_path)


@pytest.mark.parametrize("err, phase, summary", [
    (LockError(None), "lock", "Error acquiring the state lock"),
    (StateError("connection refused"), "lock", "Failed to load state"),
    (StateError("bad JSON"), "read", "Failed to load state"),
    (StateError("disk full"), "write", "Failed to persist state"),
    (LockError(None, "lock ID mismatch"), "unlock", "Error releasing the state lock"),
])
def test_each_phase_has_one_diagnostic(err, phase, summary):
    [d] = state_diagnostics(err, phase)
    assert d.is_error and d.summary == summary and str(err) in d.detail
