"""LocalBackend locking: contention between processes, -lock-timeout, force-unlock."""

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from engine.state.backends.base import LockError, LockInfo, lock_with_timeout
from engine.state.backends.local import LocalBackend

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HOLDER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from engine.state.backends.local import LocalBackend
    from engine.state.backends.base import LockInfo
    b = LocalBackend(workdir={workdir!r})
    lock_id = b.lock(LockInfo(operation="OperationTypeApply", info="child", who="child@test"))
    print(lock_id, flush=True)
    sys.stdin.readline()
    if {die}:
        os._exit(1)  # dies holding the lock: the OS drops the flock, the info file stays
    b.unlock(lock_id)
""")


class Holder:
    """A separate process holding the lock until told to let go."""

    def __init__(self, workdir, die=False):
        code = HOLDER.format(root=ROOT, workdir=str(workdir), die=die)
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lock_id = self.proc.stdout.readline().decode().strip()
        assert self.lock_id, self.proc.stderr.read().decode()

    def release(self):
        if self.proc.poll() is None:
            self.proc.stdin.write(b"go\n")
            self.proc.stdin.flush()
        self.proc.wait(timeout=30)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


@pytest.fixture
def holder(tmp_path):
    h = Holder(tmp_path)
    yield h
    h.release()


def test_lock_info_file(tmp_path):
    b = LocalBackend(workdir=str(tmp_path))
    lock_id = b.lock(LockInfo(operation="OperationTypePlan", who="me@here"))
    p = tmp_path / ".terraform.tfstate.lock.info"
    data = json.loads(p.read_bytes())
    assert list(data) == ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]
    assert data["ID"] == lock_id and data["Who"] == "me@here"
    assert data["Path"] == str(tmp_path / "terraform.tfstate")
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    b.unlock(lock_id)
    assert not p.exists()
    assert b.lock(LockInfo()) != lock_id  # can lock again


def test_second_process_sees_holders_info(tmp_path, holder):
    b = LocalBackend(workdir=str(tmp_path))
    with pytest.raises(LockError) as exc:
        b.lock(LockInfo(operation="OperationTypePlan"))
    assert exc.value.info.id == holder.lock_id
    assert exc.value.info.who == "child@test"
    assert exc.value.info.operation == "OperationTypeApply"
    assert "Lock Info:" in str(exc.value) and holder.lock_id in str(exc.value)


def test_second_backend_in_same_process_is_refused(tmp_path):
    a, b = LocalBackend(workdir=str(tmp_path)), LocalBackend(workdir=str(tmp_path))
    lock_id = a.lock(LockInfo(who="a"))
    with pytest.raises(LockError) as exc:
        b.lock(LockInfo(who="b"))
    assert exc.value.info.who == "a"
    with pytest.raises(LockError, match="does not match"):
        a.unlock("wrong")
    a.unlock(lock_id)
    b.unlock(b.lock(LockInfo(who="b")))


def test_lock_timeout_waits_until_released(tmp_path, holder):
    b = LocalBackend(workdir=str(tmp_path))
    timer = threading.Timer(0.3, holder.release)
    timer.start()
    start = time.monotonic()
    try:
        lock_id = lock_with_timeout(b, LockInfo(), 10, min_backoff=0.05, max_backoff=0.2)
    finally:
        timer.join()
    assert 0.25 <= time.monotonic() - start < 5
    b.unlock(lock_id)


def test_lock_timeout_gives_up(tmp_path):
    holder = LocalBackend(workdir=str(tmp_path))
    holder.lock(LockInfo(who="holder"))
    start = time.monotonic()
    with pytest.raises(LockError) as exc:
        lock_with_timeout(LocalBackend(workdir=str(tmp_path)), LockInfo(), 0.3,
                          min_backoff=0.05, max_backoff=0.1)
    assert 0.3 <= time.monotonic() - start < 2
    assert exc.value.info.who == "holder"


def test_lock_timeout_backoff_schedule():
    now = [0.0]
    sleeps = []

    class Busy:
        def lock(self, info):
            raise LockError(None)

    def sleep(s):
        sleeps.append(s)
        now[0] += s

    with pytest.raises(LockError):
        lock_with_timeout(Busy(), LockInfo(), 6, sleep=sleep, clock=lambda: now[0],
                          jitter=lambda: 1.0)
    assert sleeps == [0.5, 1, 2, 2, 0.5]  # 0.5-2 s, capped by the remaining time
    sleeps.clear()
    now[0] = 0.0
    with pytest.raises(LockError):  # the jitter shortens each wait, never lengthens it
        lock_with_timeout(Busy(), LockInfo(), 6, sleep=sleep, clock=lambda: now[0])
    # (the last wait is cut to the time left, however short)
    assert sleeps and all(0.25 <= s <= 2 for s in sleeps[:-1]) and 0 < sleeps[-1] <= 2
    assert sum(sleeps) == pytest.approx(6)
    sleeps.clear()
    with pytest.raises(LockError):
        lock_with_timeout(Busy(), LockInfo(), 0, sleep=sleep, clock=lambda: now[0])
    assert sleeps == []


def test_dead_holder_lock_is_taken_over(tmp_path):
    h = Holder(tmp_path, die=True)
    h.release()  # the process exits without unlocking
    info_path = tmp_path / ".terraform.tfstate.lock.info"
    assert json.loads(info_path.read_bytes())["ID"] == h.lock_id  # stale info left behind
    b = LocalBackend(workdir=str(tmp_path))
    lock_id = b.lock(LockInfo(who="new"))
    assert json.loads(info_path.read_bytes())["Who"] == "new"
    b.unlock(lock_id)


def test_force_unlock_stale_lock(tmp_path):
    h = Holder(tmp_path, die=True)
    h.release()
    b = LocalBackend(workdir=str(tmp_path))
    with pytest.raises(LockError, match="does not match the existing lock ID") as exc:
        b.force_unlock("not-the-id")
    assert exc.value.info.id == h.lock_id
    b.force_unlock(h.lock_id)
    assert not (tmp_path / ".terraform.tfstate.lock.info").exists()
    with pytest.raises(LockError, match="not locked"):
        b.force_unlock(h.lock_id)


def test_force_unlock_refuses_a_live_holder(tmp_path, holder):
    b = LocalBackend(workdir=str(tmp_path))
    with pytest.raises(LockError, match="still running"):
        b.force_unlock(holder.lock_id)
    assert (tmp_path / ".terraform.tfstate.lock.info").exists()
