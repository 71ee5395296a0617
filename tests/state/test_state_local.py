"""LocalBackend snapshots and journal: atomic 0600 writes, serial/lineage, backup, recovery."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr
from engine.state.backends.base import StateBackend, StateConflictError, StateError
from engine.state.backends.local import LocalBackend
from engine.state.codec import dumps_state, journal_entry, loads_state
from engine.state.model import InstanceObject
from state_samples import LINEAGE, conn_attrs, sample_state

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TC = ProviderConfigAddr("tencentcloud")
CONN = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "bulk")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def entry(i, obj=True):
    return journal_entry(CONN.instance(i), TC,
                         InstanceObject(conn_attrs(i), [("pre_share_key",)]) if obj else None)


@pytest.fixture
def backend(tmp_path):
    return LocalBackend(workdir=str(tmp_path))


def test_is_a_state_backend(backend):
    assert isinstance(backend, StateBackend)


def test_read_missing_and_empty(backend, tmp_path):
    assert backend.read() is None
    (tmp_path / "terraform.tfstate").write_bytes(b"")
    assert backend.read() is None


def test_write_read_and_serial_policy(backend, tmp_path):
    s = sample_state()
    s.serial = 0
    backend.write(s)
    assert s.serial == 1  # first write: serial 0 -> 1
    on_disk = json.loads((tmp_path / "terraform.tfstate").read_bytes())
    assert on_disk["serial"] == 1 and on_disk["version"] == 4
    assert backend.read() == loads_state(dumps_state(s))
    backend.write(s)  # unchanged content: nothing written
    assert s.serial == 1
    assert json.loads((tmp_path / "terraform.tfstate").read_bytes())["serial"] == 1
    s.outputs.clear()
    backend.write(s)  # changed: bumped by one
    assert s.serial == 2 == backend.read().serial
    s.serial = 10
    backend.write(s)  # caller-provided higher serial is kept
    assert backend.read().serial == 10


def test_refuses_lower_serial_and_other_lineage(backend, tmp_path):
    s = sample_state()
    backend.write(s)
    before = (tmp_path / "terraform.tfstate").read_bytes()
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
    assert (tmp_path / "terraform.tfstate").read_bytes() == before


def test_modes_are_0600_despite_umask(tmp_path):
    old = os.umask(0)
    try:
        b = LocalBackend(workdir=str(tmp_path))
        s = sample_state()
        b.write(s)
        s.outputs.clear()
        b.write(s)
        b.begin_journal(s)
        b.record(entry(0))
        for name in ("terraform.tfstate", "terraform.tfstate.backup",
                     ".terraform.tfstate.journal"):
            assert mode(tmp_path / name) == 0o600, name
        b.end_journal(b.read())
    finally:
        os.umask(old)


def test_existing_wide_file_becomes_0600(backend, tmp_path):
    p = tmp_path / "terraform.tfstate"
    p.write_bytes(dumps_state(sample_state()))
    os.chmod(p, 0o644)
    s = backend.read()
    s.outputs.clear()
    backend.write(s)
    assert mode(p) == 0o600


def test_backup_holds_the_state_before_this_operation(backend, tmp_path):
    s = sample_state()
    backend.write(s)
    first = (tmp_path / "terraform.tfstate").read_bytes()
    assert not (tmp_path / "terraform.tfstate.backup").exists()  # nothing to back up yet
    fresh = LocalBackend(workdir=str(tmp_path))
    s2 = fresh.read()
    s2.outputs.clear()
    fresh.write(s2)
    assert (tmp_path / "terraform.tfstate.backup").read_bytes() == first
    s2.outputs["x"] = s.outputs["psk"]
    fresh.write(s2)  # later writes by the same backend keep the pre-operation backup
    assert (tmp_path / "terraform.tfstate.backup").read_bytes() == first


def test_failed_rename_leaves_old_state_intact(backend, tmp_path, monkeypatch):
    s = sample_state()
    backend.write(s)
    before = (tmp_path / "terraform.tfstate").read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("terraform.tfstate"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    s.outputs.clear()
    with pytest.raises(OSError, match="No space"):
        backend.write(s)
    monkeypatch.undo()
    assert (tmp_path / "terraform.tfstate").read_bytes() == before
    leftovers = [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_refuses_to_overwrite_corrupt_file(backend, tmp_path):
    (tmp_path / "terraform.tfstate").write_bytes(b"{garbage")
    with pytest.raises(StateError, match="not valid JSON"):
        backend.read()
    with pytest.raises(StateError, match="refusing to overwrite"):
        backend.write(sample_state())
    assert (tmp_path / "terraform.tfstate").read_bytes() == b"{garbage"


# --- journal ----------------------------------------------------------------------------

def test_journal_records_lines_without_touching_the_snapshot(backend, tmp_path):
    s = sample_state()
    backend.begin_journal(s)
    snap = (tmp_path / "terraform.tfstate").read_bytes()
    for i in range(5):
        backend.record(entry(i))
    assert (tmp_path / "terraform.tfstate").read_bytes() == snap
    lines = (tmp_path / ".terraform.tfstate.journal").read_bytes().splitlines()
    header = json.loads(lines[0])
    assert header == {"vpnform_journal": 1, "lineage": LINEAGE, "serial": s.serial}
    assert len(lines) == 6
    assert json.loads(lines[1])["address"] == "tencentcloud_vpn_connection.bulk[0]"
    state = backend.read()  # replayed
    assert len(state.resources[CONN].instances) == 5
    final = backend.read()
    backend.end_journal(final)
    assert not (tmp_path / ".terraform.tfstate.journal").exists()
    assert LocalBackend(workdir=str(tmp_path)).read() == final


def test_removal_is_replayed(backend):
    s = sample_state()
    s.set_instance(CONN.instance(0), TC, InstanceObject(conn_attrs(0)))
    backend.begin_journal(s)
    backend.record(entry(0, obj=False))
    assert CONN not in backend.read().resources


CRASH_CHILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from engine.state.backends.local import LocalBackend
    from engine.state.codec import journal_entry
    from engine.state.model import InstanceObject
    from engine.addrs import MANAGED, ProviderConfigAddr, ResourceAddr
    from state_samples import sample_state, conn_attrs
    b = LocalBackend(workdir={workdir!r}, journal_fold_min={fold})
    s = b.read() or sample_state()
    b.begin_journal(s)
    r = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "bulk")
    for i in range({k}):
        b.record(journal_entry(r.instance(i), ProviderConfigAddr("tencentcloud"),
                               InstanceObject(conn_attrs(i), [("pre_share_key",)])))
    if {torn}:
        fd = os.open(b.journal_path, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b'{{"address":"tencentcloud_vpn_connection.bulk[999]","prov')
    os._exit(1)  # killed mid-apply: no end_journal
""")


def run_crashing_child(tmp_path, k, fold=1000, torn=False):
    code = CRASH_CHILD.format(root=ROOT, tests=os.path.dirname(__file__), workdir=str(tmp_path),
                              k=k, fold=fold, torn=torn)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 1, proc.stderr.decode()


@pytest.mark.parametrize("fold", [1000, 7])
def test_crash_recovery_replays_every_recorded_change(tmp_path, fold):
    k = 40
    run_crashing_child(tmp_path, k, fold=fold)
    state = LocalBackend(workdir=str(tmp_path)).read()
    assert sorted(state.resources[CONN].instances) == list(range(k))
    assert state.resources[CONN].instances[7].attributes["pre_share_key"] == "secret-7"
    assert state.resources[CONN].instances[7].sensitive_paths == [("pre_share_key",)]
    # Recovery continues: a new apply starts from the recovered state and completes.
    b = LocalBackend(workdir=str(tmp_path))
    s = b.read()
    b.begin_journal(s)
    b.record(entry(k))
    b.end_journal(b.read())
    assert len(LocalBackend(workdir=str(tmp_path)).read().resources[CONN].instances) == k + 1
    assert not os.path.exists(b.journal_path)


def test_torn_last_line_is_ignored(tmp_path):
    run_crashing_child(tmp_path, 3, torn=True)
    raw = (tmp_path / ".terraform.tfstate.journal").read_bytes()
    assert not raw.endswith(b"\n")
    state = LocalBackend(workdir=str(tmp_path)).read()
    assert sorted(state.resources[CONN].instances) == [0, 1, 2]


def test_corrupt_middle_line_is_an_error(backend, tmp_path):
    backend.begin_journal(sample_state())
    backend.record(entry(0))
    backend.record(entry(1))
    p = tmp_path / ".terraform.tfstate.journal"
    lines = p.read_bytes().split(b"\n")
    lines[1] = b"{oops"
    p.write_bytes(b"\n".join(lines))
    with pytest.raises(StateError, match="line 2 is corrupt"):
        LocalBackend(workdir=str(tmp_path)).read()


def test_stale_journal_is_ignored_and_cleaned(backend, tmp_path):
    s = sample_state()
    backend.begin_journal(s)
    backend.record(entry(0))
    # A snapshot written later (higher serial) supersedes the journal's entries.
    other = LocalBackend(workdir=str(tmp_path))
    newer = loads_state((tmp_path / "terraform.tfstate").read_bytes())
    newer.outputs.clear()
    other.write(newer)
    assert CONN not in other.read().resources
    assert not (tmp_path / ".terraform.tfstate.journal").exists()


def test_fold_keeps_file_consistent(tmp_path):
    b = LocalBackend(workdir=str(tmp_path), journal_fold_min=10)
    s = sample_state()  # 5 instances: fold every max(10, 4 n) entries
    b.begin_journal(s)
    base_serial = s.serial
    recorded: set = set()

    def check():
        snap = loads_state((tmp_path / "terraform.tfstate").read_bytes())
        header = json.loads((tmp_path / ".terraform.tfstate.journal").read_bytes()
                            .split(b"\n")[0])
        assert header["serial"] == snap.serial and header["lineage"] == snap.lineage
        # snapshot + journal always equals everything recorded so far
        assert set(LocalBackend(workdir=str(tmp_path)).read()
                   .resources[CONN].instances) == recorded
        return snap

    # The same few instances recorded again and again (updates): 8 instances, so a fold
    # after 4 x 8 = 32 entries, and another 32 later.
    for i in range(70):
        b.record(journal_entry(CONN.instance(i % 3), TC, InstanceObject(
            {**conn_attrs(i % 3), "description": f"round {i}"})))
        recorded.add(i % 3)
        snap = check()
    assert snap.serial == base_serial + 2
    lines = (tmp_path / ".terraform.tfstate.journal").read_bytes().splitlines()
    assert len(lines) == 1 + 70 - 64

    # Entries that each add an instance (an apply from nothing): the state grows as fast
    # as the journal, which never holds 4 entries per instance, so nothing is folded.
    for i in range(200):
        b.record(entry(100 + i))
        recorded.add(100 + i)
        snap = check()
    assert snap.serial == base_serial + 2
    lines = (tmp_path / ".terraform.tfstate.journal").read_bytes().splitlines()
    assert len(lines) == 1 + 6 + 200
    final = b.read()
    final.serial = base_serial  # the caller's copy predates the folds
    b.end_journal(final)
    assert LocalBackend(workdir=str(tmp_path)).read().serial == base_serial + 3
    assert not (tmp_path / ".terraform.tfstate.journal").exists()


def test_end_journal_refuses_other_lineage_and_keeps_journal(backend, tmp_path):
    backend.begin_journal(sample_state())
    backend.record(entry(0))
    bad = sample_state()
    bad.lineage = "x"
    with pytest.raises(StateConflictError):
        backend.end_journal(bad)
    assert len(LocalBackend(workdir=str(tmp_path)).read().resources[CONN].instances) == 1


def test_write_mid_journal_restarts_the_journal(backend, tmp_path):
    s = sample_state()
    backend.begin_journal(s)
    backend.record(entry(0))
    full = backend.read()
    full.outputs.clear()
    backend.write(full)  # a full snapshot supersedes the entries so far
    lines = (tmp_path / ".terraform.tfstate.journal").read_bytes().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["serial"] == full.serial
    backend.record(entry(1))
    state = LocalBackend(workdir=str(tmp_path)).read()
    assert sorted(state.resources[CONN].instances) == [0, 1] and not state.outputs
    backend.end_journal(backend.read())


def test_record_without_begin_is_an_error(backend):
    with pytest.raises(StateError, match="begin_journal"):
        backend.record(entry(0))


def test_create_in_flight_at_a_crash_is_reported_after_replay(tmp_path):
    """A create announced (pending) but never settled shows up as in flight after a crash;
    settled ones do not; a fold in between forgets neither it nor its token."""
    from engine.state.codec import pending_entry
    b = LocalBackend(workdir=str(tmp_path), journal_fold_min=2)
    b.begin_journal(sample_state())
    b.record(pending_entry(CONN.instance(1), TC, "tok-1", {"name": "one"}))
    b.record(entry(1))                      # settled by its result
    b.record(pending_entry(CONN.instance(2), TC, "tok-2", {"name": "two"}, "count",
                           ["tencentcloud_vpn_gateway.main"]))
    b.record(entry(3))                      # reaches the fold threshold: a fold happens here
    b.record(entry(4))
    # the process dies here: no end_journal
    after = LocalBackend(workdir=str(tmp_path)).read()
    assert set(after.in_flight) == {str(CONN.instance(2))}
    pending = after.in_flight[str(CONN.instance(2))]
    assert (pending.token, pending.planned, pending.each_mode, pending.dependencies) == (
        "tok-2", {"name": "two"}, "count", ["tencentcloud_vpn_gateway.main"])
    assert pending.provider == TC.state_str()
    assert after.instance(CONN.instance(1)) is not None
    assert after.instance(CONN.instance(4)) is not None


def test_a_failed_create_settles_its_pending_entry(tmp_path):
    from engine.state.codec import pending_entry
    b = LocalBackend(workdir=str(tmp_path))
    b.begin_journal(sample_state())
    b.record(pending_entry(CONN.instance(7), TC))
    b.record(entry(7, obj=False))           # the create failed and left nothing
    assert LocalBackend(workdir=str(tmp_path)).read().in_flight == {}


def test_a_deposed_object_survives_a_crash_and_its_delete_settles_it(tmp_path):
    """create_before_destroy sets the old object aside (deposed) before its replacement is
    made: a crash after that leaves both in state; deleting it later removes it."""
    b = LocalBackend(workdir=str(tmp_path))
    b.begin_journal(sample_state())
    old = InstanceObject(attributes=conn_attrs(7))
    b.record(journal_entry(CONN.instance(7), TC, old, "count", deposed="0a1b2c3d"))
    b.record(entry(7))                                 # the replacement at the same address
    # the process dies here
    after = LocalBackend(workdir=str(tmp_path)).read()
    rs = after.resources[CONN]
    assert rs.deposed[(7, "0a1b2c3d")].attributes == conn_attrs(7)
    assert after.instance(CONN.instance(7)) is not None
    b3 = LocalBackend(workdir=str(tmp_path))
    b3.begin_journal(after)  # the next apply deletes it, then dies
    b3.record(journal_entry(CONN.instance(7), TC, None, "count", deposed="0a1b2c3d"))
    assert LocalBackend(workdir=str(tmp_path)).read().resources[CONN].deposed == {}


def test_records_from_many_threads_share_flushes_and_each_is_durable_on_return(
        tmp_path, monkeypatch):
    """Apply's workers record at once: every record returns only after an fsync that
    covered its line, and records waiting together share one fsync (group commit)."""
    import threading
    import time

    import engine.state.backends.local as local

    b = LocalBackend(workdir=str(tmp_path))
    b.begin_journal(sample_state())
    durable = {"size": 0, "calls": 0}
    real_fsync = os.fsync

    def slow_fsync(fd):  # a disk flush that takes a while, as on a busy machine
        size = os.fstat(fd).st_size
        time.sleep(0.02)
        real_fsync(fd)
        durable["size"] = max(durable["size"], size)
        durable["calls"] += 1

    monkeypatch.setattr(local.os, "fsync", slow_fsync)
    threads, per_thread, problems = 8, 5, []

    def worker(t):
        for j in range(per_thread):
            i = 1000 + t * per_thread + j
            b.record(entry(i))
            with open(b.journal_path, "rb") as fh:
                raw = fh.read()
            end = raw.index(f"bulk[{i}]".encode())
            end = raw.index(b"\n", end) + 1
            if durable["size"] < end:
                problems.append(f"record {i} returned before its line was flushed")

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(timeout=30)
    assert problems == []
    records = threads * per_thread
    assert durable["calls"] <= records * 3 // 4, durable["calls"]  # one each: 40
    # killed here (no end_journal): every record is recovered
    state = LocalBackend(workdir=str(tmp_path)).read()
    recovered = set(state.resources[CONN].instances)
    assert set(range(1000, 1000 + records)) <= recovered


def test_records_from_many_threads_survive_folds(tmp_path):
    import threading

    b = LocalBackend(workdir=str(tmp_path), journal_fold_min=7)
    b.begin_journal(sample_state())
    pool = [threading.Thread(target=lambda t=t: [b.record(entry(2000 + t * 20 + j))
                                                 for j in range(20)]) for t in range(6)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(timeout=30)
    state = LocalBackend(workdir=str(tmp_path)).read()
    assert set(range(2000, 2120)) <= set(state.resources[CONN].instances)


def test_an_unflushed_record_is_stored_at_once_and_flushed_by_the_next(tmp_path, monkeypatch):
    """``flush=False`` (an object a create reported early): in the journal when record
    returns (a killed process keeps it), on disk with the next flushed record."""
    import engine.state.backends.local as local

    b = LocalBackend(workdir=str(tmp_path))
    b.begin_journal(sample_state())
    flushed = []
    real_fsync = os.fsync
    monkeypatch.setattr(local.os, "fsync",
                        lambda fd: (flushed.append(os.fstat(fd).st_size), real_fsync(fd)))
    b.record(entry(3000), flush=False)
    assert flushed == []
    # killed here: the line is in the file
    assert 3000 in LocalBackend(workdir=str(tmp_path)).read().resources[CONN].instances
    b.record(entry(3001))
    assert flushed == [os.path.getsize(b.journal_path)]  # one fsync covered both lines
    b.record(entry(3002), flush=False)
    b.end_journal(b.read())
    state = LocalBackend(workdir=str(tmp_path)).read()
    assert {3000, 3001, 3002} <= set(state.resources[CONN].instances)
