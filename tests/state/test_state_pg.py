"""PgBackend against a real PostgreSQL: Terraform's layout, serial/lineage refusals, the
journal, advisory locking with a named holder, a killed holder, -lock-timeout, workspaces."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psycopg
import pytest
from state_samples import LINEAGE, conn_attrs, sample_state

from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr
from engine.state.backends.base import (LockError, LockInfo, StateBackend, StateConflictError,
                                        StateError, lock_with_timeout)
from engine.state.backends.pg import PgBackend, PgSettings
from engine.state.codec import dumps_state, journal_entry, loads_state
from engine.state.model import InstanceObject

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TC = ProviderConfigAddr("tencentcloud")
CONN = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "bulk")


def entry(i):
    return journal_entry(CONN.instance(i), TC, InstanceObject(conn_attrs(i), [("pre_share_key",)]))


@pytest.fixture
def backend(pg_conn_str):
    b = PgBackend(PgSettings(pg_conn_str))
    yield b
    b.close()


def rows(conn_str, query, *args):
    with psycopg.connect(conn_str) as conn:
        return conn.execute(query, args).fetchall()


def test_is_a_state_backend(backend):
    assert isinstance(backend, StateBackend)


def test_terraform_layout_and_one_row_per_workspace(backend, pg_conn_str):
    assert backend.read() is None
    s = sample_state()
    s.serial = 0
    backend.write(s)
    assert s.serial == 1
    (name, data), = rows(pg_conn_str, "SELECT name, data FROM terraform_remote_state.states")
    assert name == "default"
    assert json.loads(data)["serial"] == 1 and json.loads(data)["lineage"] == LINEAGE
    assert backend.read() == loads_state(dumps_state(s))
    cols = rows(pg_conn_str, "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'terraform_remote_state' AND table_name = 'states' "
                "ORDER BY ordinal_position")
    assert cols == [("id", "bigint"), ("name", "text"), ("data", "text")]
    assert rows(pg_conn_str, "SELECT indexname FROM pg_indexes WHERE schemaname = "
                "'terraform_remote_state' AND indexname = 'states_by_name'")
    staging = backend.for_workspace("staging")
    staging.write(sample_state())
    assert backend.workspaces() == ["default", "staging"]
    staging.delete_workspace("staging")
    assert backend.workspaces() == ["default"]
    with pytest.raises(StateError, match="default workspace cannot be deleted"):
        backend.delete_workspace("default")


def test_schema_name_and_skip_creation(pg_conn_str):
    custom = PgBackend(PgSettings(pg_conn_str, schema_name="Team A"))
    custom.write(sample_state())
    assert rows(pg_conn_str, 'SELECT name FROM "Team A".states') == [("default",)]
    missing = PgBackend(PgSettings(pg_conn_str, schema_name="absent", skip_schema_creation=True,
                                   skip_table_creation=True, skip_index_creation=True))
    with pytest.raises(StateError, match="absent"):
        missing.write(sample_state())
    assert rows(pg_conn_str, "SELECT 1 FROM information_schema.schemata "
                "WHERE schema_name = 'absent'") == []


def test_settings_from_environment():
    env = {"PG_CONN_STR": "postgres://x", "PG_SCHEMA_NAME": "s",
           "PG_SKIP_TABLE_CREATION": "true"}
    s = PgSettings.from_arguments({}, env)
    assert (s.conn_str, s.schema_name, s.skip_table_creation) == ("postgres://x", "s", True)
    assert PgSettings.from_arguments({"schema_name": "t"}, env).schema_name == "t"
    with pytest.raises(StateError, match="conn_str"):
        PgSettings.from_arguments({}, {})


def test_refuses_lower_serial_and_other_lineage_leaving_row_intact(backend, pg_conn_str):
    s = sample_state()
    backend.write(s)
    before = rows(pg_conn_str, "SELECT data FROM terraform_remote_state.states")
    old = sample_state()
    old.serial = s.serial - 1
    old.outputs.clear()
    with pytest.raises(StateConflictError, match="newer serial"):
        backend.write(old)
    other = sample_state()
    other.lineage = "another"
    other.serial = 99
    with pytest.raises(StateConflictError, match="lineage"):
        backend.write(other)
    assert rows(pg_conn_str, "SELECT data FROM terraform_remote_state.states") == before
    s.outputs.clear()
    backend.write(s)  # changed content: serial bumped by one
    assert backend.read().serial == 5


def test_journal_is_replayed_until_end_journal(backend, pg_conn_str):
    s = sample_state()
    backend.begin_journal(s)
    snap = rows(pg_conn_str, "SELECT data FROM terraform_remote_state.states")
    for i in range(5):
        backend.record(entry(i))
    assert rows(pg_conn_str, "SELECT data FROM terraform_remote_state.states") == snap
    state = PgBackend(PgSettings(pg_conn_str)).read()  # another reader sees the replay
    assert sorted(state.resources[CONN].instances) == list(range(5))
    backend.end_journal(state)
    assert rows(pg_conn_str, "SELECT count(*) FROM terraform_remote_state.journal") == [(0,)]
    assert PgBackend(PgSettings(pg_conn_str)).read() == state


CRASH_CHILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r}); sys.path.insert(0, {tests!r})
    from engine.state.backends.pg import PgBackend, PgSettings
    from engine.state.codec import journal_entry
    from engine.state.model import InstanceObject
    from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr
    from state_samples import sample_state, conn_attrs
    b = PgBackend(PgSettings({conn!r}), journal_fold_min={fold})
    b.begin_journal(sample_state())
    r = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "bulk")
    for i in range({k}):
        b.record(journal_entry(r.instance(i), ProviderConfigAddr("tencentcloud"),
                               InstanceObject(conn_attrs(i), [("pre_share_key",)])))
    os._exit(1)  # killed mid-apply: no end_journal
""")


@pytest.mark.parametrize("fold", [1000, 7])
def test_crash_mid_apply_loses_no_recorded_change(pg_conn_str, fold):
    code = CRASH_CHILD.format(root=ROOT, tests=os.path.dirname(__file__), conn=pg_conn_str,
                              k=20, fold=fold)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 1, proc.stderr.decode()
    b = PgBackend(PgSettings(pg_conn_str))
    state = b.read()
    assert sorted(state.resources[CONN].instances) == list(range(20))
    b.begin_journal(state)
    b.record(entry(20))
    b.end_journal(b.read())
    assert len(PgBackend(PgSettings(pg_conn_str)).read().resources[CONN].instances) == 21


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from engine.state.backends.pg import PgBackend, PgSettings
    from engine.state.backends.base import LockInfo
    b = PgBackend(PgSettings({conn!r}))
    lock_id = b.lock(LockInfo(operation="OperationTypeApply", who="child@ci-runner-7"))
    print(lock_id, flush=True)
    time.sleep({hold})
    b.unlock(lock_id)
""")


@contextlib.contextmanager
def holder(conn_str, hold=60.0):
    """A separate process holding the lock for ``hold`` seconds: yields (process, lock ID);
    killed and reaped on exit."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=ROOT, conn=conn_str,
                                                                 hold=hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock_id = proc.stdout.readline().strip()
        assert lock_id, proc.stderr.read()
        yield proc, lock_id
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=20)


@pytest.mark.parametrize("existing", [True, False], ids=["existing-row", "new-workspace"])
def test_second_locker_is_told_who_holds_the_lock(pg_conn_str, existing):
    if existing:
        PgBackend(PgSettings(pg_conn_str)).write(sample_state())
    with holder(pg_conn_str) as (proc, lock_id):
        b = PgBackend(PgSettings(pg_conn_str))
        with pytest.raises(LockError) as err:
            b.lock(LockInfo(operation="OperationTypePlan"))
        assert err.value.info.id == lock_id
        assert err.value.info.who == "child@ci-runner-7"
        assert err.value.info.operation == "OperationTypeApply"
        assert err.value.info.created
        assert lock_id in str(err.value) and "child@ci-runner-7" in str(err.value)


def test_kill_9_of_the_holder_frees_the_lock(backend, pg_conn_str):
    backend.write(sample_state())
    with holder(pg_conn_str) as (proc, lock_id):
        with pytest.raises(LockError):
            backend.lock(LockInfo(operation="OperationTypeApply"))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    # The server notices the dead client's closed socket and ends its session.
    new_id = lock_with_timeout(backend, LockInfo(operation="OperationTypeApply"), 10,
                               min_backoff=0.1, max_backoff=0.5)
    assert new_id != lock_id
    # The dead holder's record was replaced by ours; unlocking removes it.
    (info,), = rows(pg_conn_str, "SELECT info FROM terraform_remote_state.locks")
    assert json.loads(info)["ID"] == new_id
    backend.unlock(new_id)
    assert rows(pg_conn_str, "SELECT info FROM terraform_remote_state.locks") == []


def test_lock_timeout_waits_then_proceeds(backend, pg_conn_str):
    backend.write(sample_state())
    with holder(pg_conn_str, hold=1.5) as (proc, lock_id):
        start = time.monotonic()
        got = lock_with_timeout(backend, LockInfo(operation="OperationTypeApply"), 20,
                                min_backoff=0.2, max_backoff=0.5)
        waited = time.monotonic() - start
        assert 0.5 < waited < 15
        assert got != lock_id
        backend.unlock(got)
        assert proc.wait(20) == 0  # the holder unlocked normally


def test_lock_timeout_gives_up_with_the_holder(backend, pg_conn_str):
    with holder(pg_conn_str) as (_, lock_id):
        with pytest.raises(LockError) as err:
            lock_with_timeout(backend, LockInfo(), 0.6, min_backoff=0.2)
        assert err.value.info.id == lock_id


def test_stale_lock_record_is_ignored_and_force_unlock(backend, pg_conn_str):
    backend.write(sample_state())
    lock_id = backend.lock(LockInfo(operation="OperationTypeApply"))
    backend.unlock(lock_id)
    with psycopg.connect(pg_conn_str, autocommit=True) as conn:  # a record left by a crash
        conn.execute("INSERT INTO terraform_remote_state.locks (name, key, info) "
                     "VALUES ('default', 1, %s)",
                     (json.dumps(LockInfo(id="stale-1").to_json()),))
    other = PgBackend(PgSettings(pg_conn_str))
    taken = other.lock(LockInfo())  # the stale record does not block: its lock is free
    (info,), = rows(pg_conn_str, "SELECT info FROM terraform_remote_state.locks")
    assert json.loads(info)["ID"] == taken
    other.unlock(taken)
    with psycopg.connect(pg_conn_str, autocommit=True) as conn:
        conn.execute("INSERT INTO terraform_remote_state.locks (name, key, info) "
                     "VALUES ('default', 1, %s)", (json.dumps(LockInfo(id="stale-1").to_json()),))
    with pytest.raises(LockError, match="does not match"):
        other.force_unlock("wrong")
    other.force_unlock("stale-1")
    assert rows(pg_conn_str, "SELECT * FROM terraform_remote_state.locks") == []
    held = backend.lock(LockInfo())
    try:
        with pytest.raises(LockError, match="still running"):
            other.force_unlock(held)
    finally:
        backend.unlock(held)


def test_unlock_with_wrong_id_keeps_the_lock(backend, pg_conn_str):
    lock_id = backend.lock(LockInfo())
    with pytest.raises(LockError, match="does not match"):
        backend.unlock("nope")
    with pytest.raises(LockError):
        PgBackend(PgSettings(pg_conn_str)).lock(LockInfo())
    backend.unlock(lock_id)


def test_creating_a_workspace_blocks_others_and_names_its_creator(pg_conn_str):
    """Terraform's creation lock (-1) is held while a new workspace has no row yet; a
    locker of an existing workspace meanwhile is refused, told who is creating."""
    PgBackend(PgSettings(pg_conn_str)).write(sample_state())
    creator = PgBackend(PgSettings(pg_conn_str), "new-ws")
    lock_id = creator.lock(LockInfo(operation="OperationTypeApply", who="creator@x"))
    try:
        other = PgBackend(PgSettings(pg_conn_str))
        with pytest.raises(LockError) as err:
            other.lock(LockInfo())
        assert err.value.info is not None and err.value.info.id == lock_id
    finally:
        creator.unlock(lock_id)
    other_id = other.lock(LockInfo())
    other.unlock(other_id)


def test_a_create_in_flight_survives_a_fold_and_end_journal(pg_conn_str):
    """A create announced (pending) but never settled stays in flight, token and all,
    across a fold and a final snapshot; a settled one does not."""
    from engine.state.codec import pending_entry
    b = PgBackend(PgSettings(pg_conn_str), journal_fold_min=2)
    b.begin_journal(sample_state())
    b.record(pending_entry(CONN.instance(1), TC, "tok-1", {"name": "one"}))
    b.record(entry(1))                      # settled by its result
    b.record(pending_entry(CONN.instance(2), TC, "tok-2", {"name": "two"}))
    b.record(entry(3))                      # a fold happens here
    after = PgBackend(PgSettings(pg_conn_str)).read()
    assert set(after.in_flight) == {str(CONN.instance(2))}
    assert after.in_flight[str(CONN.instance(2))].token == "tok-2"
    b.end_journal(after)
    final = PgBackend(PgSettings(pg_conn_str)).read()
    assert set(final.in_flight) == {str(CONN.instance(2))}
    assert final.instance(CONN.instance(3)) is not None
