"""The local state backend: ``terraform.tfstate`` in the working directory, plus its backup,
lock and apply journal, all mode 0600. Workspaces other than ``default`` keep their state
in ``terraform.tfstate.d/NAME/terraform.tfstate`` (directories 0700), as Terraform does.

Files, for state path ``DIR/NAME`` (default ``terraform.tfstate``)::

    DIR/NAME                  the v4 snapshot, replaced atomically (temp file + rename)
    DIR/NAME.backup           the snapshot as it was before this backend's first write
    DIR/.NAME.lock.info       the holder's LockInfo JSON (present while locked)
    DIR/.NAME.lock            the file held with flock(2) while locked (never removed)
    DIR/.NAME.journal         instance changes recorded since the last snapshot (apply)

Journal format: JSON lines. The first is a header ``{"vpnform_journal": 1, "lineage": L,
"serial": S}`` naming the snapshot it extends; each further line is one
``codec.encode_journal_entry``. Entries count only while the header matches the snapshot's
lineage and serial; a snapshot write therefore makes older entries stale by bumping the
serial. A last line without its newline is a torn write from a crash and is ignored.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import json
import os
import shutil
import threading
import time
import uuid

from ...private_files import atomic_write, private_dirs
from ...private_files import fsync_dir as _fsync_dir
from ...private_files import open_private as _open_private
from ...private_files import write_all as _write_all
from .. import codec
from ..model import State
from ..encryption import EncryptionError
from ..workspaces import DEFAULT_WORKSPACE, check_name
from .base import (JournalEntry, LockError, LockInfo, StateError, check_force_unlock,
                   fold_due, fold_threshold, next_serial, settle_journal_end)

JOURNAL_FORMAT = 1
DEFAULT_FOLD_MIN = 1000
DEFAULT_STATE_FILE = "terraform.tfstate"
# Terraform's layout for workspaces other than default: WORKSPACES_DIR/NAME/DEFAULT_STATE_FILE
WORKSPACES_DIR = "terraform.tfstate.d"


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


class LocalBackend:
    """State in a local file, with backup, flock-based locking and an apply journal.

    Serial policy: ``write(state)`` refuses another lineage or ``state.serial`` below the
    serial on disk (StateConflictError, old file intact). If the content (everything but the
    serial) equals what is on disk and ``state.serial`` is not higher, nothing is written.
    Otherwise the snapshot is written with serial ``max(state.serial, disk serial + 1)`` — so
    callers do not bump it themselves, as with Terraform — and ``state.serial`` is set to
    the serial written, so the same object can be written again.

    Backup: before the first write that replaces an existing file, that file's bytes go to
    ``NAME.backup`` (once per backend object, as Terraform does: the backup is the state
    before this operation, and journal folds do not overwrite it).
    """

    def __init__(self, path: str = DEFAULT_STATE_FILE, workdir: str | None = None, *,
                 journal_fold_min: int = DEFAULT_FOLD_MIN,
                 workspace: str = DEFAULT_WORKSPACE):
        base = workdir if workdir is not None else os.getcwd()
        self.workdir = os.path.abspath(base)
        self.default_path = path  # the default workspace's state file, as configured
        self.workspace = workspace
        if workspace != DEFAULT_WORKSPACE:
            check_name(workspace)
            path = os.path.join(WORKSPACES_DIR, workspace, DEFAULT_STATE_FILE)
        self.path = os.path.abspath(os.path.join(base, path))
        directory, name = os.path.split(self.path)
        self.directory = directory
        self.backup_path = self.path + ".backup"
        self.lock_info_path = os.path.join(directory, f".{name}.lock.info")
        self.lock_path = os.path.join(directory, f".{name}.lock")
        self.journal_path = os.path.join(directory, f".{name}.journal")
        self.journal_fold_min = journal_fold_min
        self._lock_fd: int | None = None
        self._lock_id: str | None = None
        self._backup_written = False
        self._wrote_now = False  # whether the last _write_snapshot replaced the file
        self._disk_cache: tuple | None = None  # (stat signature, v4 dict) of our last write
        # journal session
        self._journal_fd: int | None = None
        self._journal_state: State | None = None
        self._journal_begin_serial = 0
        self._journal_offset = 0
        self._since_fold = 0
        self._fold_at = journal_fold_min
        # Group commit: appends are numbered; one fsync makes every append before it
        # durable, so records made at once by several threads share a flush.
        self._append_lock = threading.Lock()  # the journal's file, offset and state
        self._sync_lock = threading.Lock()  # one fsync at a time
        self._appended = 0  # appends so far
        self._synced = 0  # appends known to be on disk

    # --- locking --------------------------------------------------------------------------

    def lock(self, info: LockInfo) -> str:
        if self._lock_fd is not None:
            raise LockError(self._read_lock_info(),
                            "Error acquiring the state lock: this backend already holds it "
                            f"(lock ID {self._lock_id}). This is a bug in the caller.")
        private_dirs(self.directory)
        fd = _open_private(self.lock_path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LockError(self._holder_info()) from None
            raise StateError(f"cannot lock {self.lock_path}: {exc}") from None
        if not info.id:
            info = dataclasses.replace(info, id=str(uuid.uuid4()))
        if not info.path:
            info = dataclasses.replace(info, path=self.path)
        try:
            # Any info already there belongs to a dead holder (the OS released its flock).
            atomic_write(self.lock_info_path,
                         (json.dumps(info.to_json(), indent=2) + "\n").encode())
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd, self._lock_id = fd, info.id
        return info.id

    def _holder_info(self, patience: float = 1.0) -> LockInfo | None:
        """The holder's info. The holder takes the OS lock first and writes its info just
        after, so a loser arriving in between waits a moment for the info to appear."""
        deadline = time.monotonic() + patience
        while True:
            info = self._read_lock_info()
            if info is not None or time.monotonic() >= deadline:
                return info
            time.sleep(0.02)

    def unlock(self, lock_id: str) -> None:
        if self._lock_fd is None:
            raise LockError(self._read_lock_info(),
                            f"Error releasing the state lock: this process does not hold the "
                            f"lock on {self.path}.")
        if lock_id != self._lock_id:
            raise LockError(self._read_lock_info(),
                            f"Error releasing the state lock: lock ID {lock_id!r} does not "
                            f"match the held lock ID {self._lock_id!r}.")
        self._release()

    def force_unlock(self, lock_id: str) -> None:
        """Remove a lock left behind, if ``lock_id`` matches its info. A lock whose holder is
        still running cannot be broken here (its OS lock stays): that is refused."""
        holder = check_force_unlock(self._read_lock_info(), lock_id,
                                    f"at {self.lock_info_path}")
        if self._lock_fd is not None and self._lock_id == lock_id:
            self._release()
            return
        fd = _open_private(self.lock_path, os.O_RDWR | os.O_CREAT)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise LockError(holder, "Failed to unlock state: the lock is held by a process "
                                        "that is still running; stop that process, and its "
                                        "lock is released.\n" + holder.describe()) from None
            self._remove_lock_info()
        finally:
            os.close(fd)  # also releases our flock

    def _release(self) -> None:
        try:
            self._remove_lock_info()
        finally:
            fd, self._lock_fd, self._lock_id = self._lock_fd, None, None
            if fd is not None:
                os.close(fd)  # closing drops the flock

    def _remove_lock_info(self) -> None:
        try:
            os.unlink(self.lock_info_path)
        except FileNotFoundError:
            pass

    def _read_lock_info(self) -> LockInfo | None:
        raw = _read_bytes(self.lock_info_path)
        if raw is None:
            return None
        try:
            return LockInfo.from_json(json.loads(raw))
        except (ValueError, StateError):
            return None

    # --- snapshots ------------------------------------------------------------------------

    def _read_snapshot(self) -> tuple[State | None, bytes | None]:
        raw = _read_bytes(self.path)
        if raw is None or not raw.strip():
            return None, raw  # an empty file counts as no state, as in Terraform
        return codec.loads_state(raw, f"state file {self.path}"), raw

    def read(self) -> State | None:
        """The snapshot with a leftover journal replayed on top (crash recovery); None when
        there is no state yet. Has no side effects: the next write persists the recovery."""
        state, _ = self._read_snapshot()
        if state is None:
            return None
        self._replay_journal(state)
        return state

    def write(self, state: State, force: bool = False) -> None:
        """Persist a full snapshot (serial policy in the class docstring; ``force`` skips
        its lineage and serial checks). Outside a journal session a leftover journal is
        deleted once a new snapshot is written; inside one the journal restarts on the new
        snapshot."""
        self._write_snapshot(state, force)
        if self._journal_fd is not None:
            # Caller supplied a full new state mid-session: it becomes the journal's base.
            self._journal_state = state.deepcopy()
            self._reset_journal()
        elif self._wrote_now:
            self._settle_journal(state)

    def _stat_signature(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def _current_snapshot(self) -> tuple[dict | None, bytes | None]:
        """The v4 dict on disk (None: no state) and, if it had to be read, its bytes.
        A file this backend wrote itself and nobody replaced since is not re-read."""
        sig = self._stat_signature()
        if sig is None:
            return None, None
        if self._disk_cache is not None and self._disk_cache[0] == sig:
            return self._disk_cache[1], None
        raw = _read_bytes(self.path)
        if raw is None or not raw.strip():
            return None, raw
        try:
            current = codec.loads_v4(raw, f"the existing state file {self.path}")
        except ValueError:
            raise StateError(f"the existing state file {self.path} is not valid JSON; "
                             "refusing to overwrite it. Move it aside or repair it.") from None
        codec.decode_state(current, f"the existing state file {self.path}")  # validate
        return current, raw

    def _write_snapshot(self, state: State, force: bool = False) -> None:
        self._wrote_now = False
        current, raw = self._current_snapshot()
        new = codec.encode_state(state)
        serial = next_serial(current, new, state.lineage, state.serial, str(self.path),
                             " Use a different state path, or move the file aside.", force)
        if serial is None:
            return
        # The stored snapshot's dict is not needed past the comparison: let it go before
        # the new bytes are made, so the two are not held at once.
        current = None
        self._disk_cache = None
        new["serial"] = serial
        data = codec.dumps_v4(new)
        private_dirs(self.directory)
        if not self._backup_written:
            if raw is None:
                raw = _read_bytes(self.path)
            if raw is not None:
                # encrypted too when encryption is on (a plain-text file being migrated)
                atomic_write(self.backup_path, codec.protect_bytes(raw))
                self._backup_written = True
        atomic_write(self.path, data)
        # ``new`` shares nothing with ``state`` (encode_state copies), so it can be kept.
        self._disk_cache = (self._stat_signature(), new)
        state.serial = serial
        self._wrote_now = True

    # --- journal --------------------------------------------------------------------------

    def begin_journal(self, state: State) -> None:
        """Persist ``state`` as the base snapshot (if it differs from disk) and start a
        journal on it. ``state.serial`` is updated as by ``write``."""
        if self._journal_fd is not None:
            raise StateError("begin_journal called while a journal is already open")
        self._journal_begin_serial = state.serial
        self._write_snapshot(state)
        self._journal_state = state.deepcopy()
        self._reset_journal()

    def record(self, entry: JournalEntry, flush: bool = True) -> None:
        """Append one change; return once it is on disk (fsynced): O(1) in the size of
        the state. Safe to call from several threads at once: an fsync flushes every
        append made before it, so concurrent records share one (group commit) and each
        still returns only after its own line is durable. ``flush=False``: return once
        appended (the kernel holds it: a killed process loses nothing); the next fsync
        covers it. Every ``fold_threshold(journal_fold_min, instances)`` entries the
        journal is folded into a snapshot (amortised O(1))."""
        with self._append_lock:
            if self._journal_fd is None or self._journal_state is None:
                raise StateError("record called without begin_journal")
            codec.apply_journal_entry(self._journal_state, entry)  # validates before writing
            line = codec.journal_line(codec.encode_journal_entry(entry))
            try:
                _write_all(self._journal_fd, line)
            except BaseException:
                # Cut a partial line so later entries do not land after garbage.
                try:
                    os.ftruncate(self._journal_fd, self._journal_offset)
                except OSError:
                    pass
                raise
            self._journal_offset += len(line)
            self._appended += 1
            mine = self._appended
            self._since_fold += 1
            due, self._fold_at = fold_due(self._since_fold, self._fold_at,
                                          self.journal_fold_min, self._journal_state)
            if due:
                self.fold()  # durable by itself: every append so far is in the snapshot
        if flush:
            self._sync_through(mine)

    def _sync_through(self, append: int) -> None:
        """Return once append number ``append`` is on disk, fsyncing if no one has yet."""
        with self._sync_lock:
            if self._synced >= append:
                return  # another thread's fsync (or a fold) covered it
            with self._append_lock:
                upto = self._appended
                # a duplicate, so a fold replacing the journal meanwhile cannot close it
                fd = os.dup(self._journal_fd) if self._journal_fd is not None else None
            if fd is None:
                raise StateError("the state journal was closed before its entry was flushed")
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._synced = max(self._synced, upto)

    def fold(self) -> None:
        """Write the journal's state as a snapshot and restart the journal on it."""
        if self._journal_state is None:
            raise StateError("fold called without begin_journal")
        self._write_snapshot(self._journal_state)
        self._reset_journal()

    def end_journal(self, final: State) -> None:
        """Write ``final`` as the snapshot, then delete the journal. If the write fails the
        journal stays, so a later ``read`` still recovers every recorded change."""
        if self._journal_fd is not None:
            settle_journal_end(final, self._journal_state, self._journal_begin_serial)
            # records stored without a flush reach the disk before anything else happens
            self._sync_through(self._appended)
        # ``final`` supersedes the journal's copy of the state: let that copy go before the
        # snapshot is encoded (the journal file stays until the snapshot is on disk).
        self._journal_state = None
        self._write_snapshot(final)
        self._close_journal()
        self._settle_journal(final)

    def _settle_journal(self, state: State) -> None:
        """After a snapshot outside a journal session: the journal keeps only the creates
        still in flight (the v4 file has no place for them); with none it is removed."""
        if not state.in_flight:
            self._remove_journal()
            return
        self._journal_state = state.deepcopy()
        try:
            self._reset_journal()
        finally:
            self._close_journal()
            self._journal_state = None

    def _reset_journal(self) -> None:
        """Atomically replace the journal with a fresh header on the current snapshot."""
        assert self._journal_state is not None
        header = {"vpnform_journal": JOURNAL_FORMAT, "lineage": self._journal_state.lineage,
                  "serial": self._journal_state.serial}
        data = codec.journal_line(header)
        atomic_write(self.journal_path, data)
        self._close_journal()
        self._journal_fd = _open_private(self.journal_path, os.O_WRONLY | os.O_APPEND)
        self._journal_offset = len(data)
        # Creates still in flight survive a fold: the snapshot cannot hold them.
        for pending in codec.pending_entries(self._journal_state):
            line = codec.journal_line(codec.encode_journal_entry(pending))
            _write_all(self._journal_fd, line)
            self._journal_offset += len(line)
        if self._journal_state.in_flight:
            os.fsync(self._journal_fd)
        self._synced = self._appended  # the snapshot and this journal hold all of them
        self._since_fold = 0
        self._fold_at = fold_threshold(self.journal_fold_min,
                                       self._journal_state.instance_count())

    def _close_journal(self) -> None:
        fd, self._journal_fd = self._journal_fd, None
        if fd is not None:
            os.close(fd)

    def _remove_journal(self) -> None:
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            return
        _fsync_dir(self.directory)

    def _replay_journal(self, state: State) -> None:
        raw = _read_bytes(self.journal_path)
        if raw is None:
            return
        lines = raw.split(b"\n")
        complete = lines[:-1]  # the part after the last newline is empty or a torn write
        try:
            header = (codec.read_journal_line(complete[0], self.journal_path)
                      if complete else None)
        except ValueError:
            header = None
        if header is None:
            # The journal is written with its header at once, so an empty or headless one
            # was damaged: whatever it recorded is lost. Say so rather than carry on quietly.
            state.journal_warnings.append(
                f"The state journal {self.journal_path} is {'empty' if not raw else 'damaged'}"
                ", so changes an interrupted apply recorded in it, if any, could not be "
                "recovered. The state file holds the state from before that apply. Compare "
                "the cloud with the plan, import any object the plan would create again, "
                "then delete the journal.")
            return
        if not isinstance(header, dict) or header.get("vpnform_journal") != JOURNAL_FORMAT:
            raise StateError(f"{self.journal_path} is not a vpnform journal. Move it aside.")
        if header.get("lineage") != state.lineage or header.get("serial") != state.serial:
            return  # stale: the snapshot already contains (or supersedes) these changes
        for n, line in enumerate(complete[1:], start=2):
            try:
                entry = codec.decode_journal_entry(
                    codec.read_journal_line(line, self.journal_path))
            except EncryptionError:
                raise
            except (ValueError, StateError) as exc:
                raise StateError(
                    f"{self.journal_path} line {n} is corrupt ({exc}). The state file holds "
                    "the state before the interrupted apply; the journal holds the changes "
                    "made since. Repair or remove that line, then re-run.") from None
            codec.apply_journal_entry(state, entry)

    # --- workspaces -----------------------------------------------------------------------

    def _workspaces_dir(self) -> str:
        return os.path.join(self.workdir, WORKSPACES_DIR)

    def workspaces(self) -> list[str]:
        """``default``, then each directory under ``terraform.tfstate.d`` (sorted)."""
        try:
            names = sorted(e.name for e in os.scandir(self._workspaces_dir())
                           if e.is_dir() and e.name != DEFAULT_WORKSPACE)
        except FileNotFoundError:
            names = []
        return [DEFAULT_WORKSPACE] + names

    def delete_workspace(self, name: str) -> None:
        """Remove ``terraform.tfstate.d/NAME`` and everything in it."""
        if name == DEFAULT_WORKSPACE:
            raise StateError("The default workspace cannot be deleted.")
        check_name(name)
        directory = os.path.join(self._workspaces_dir(), name)
        try:
            shutil.rmtree(directory)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateError(f"cannot delete {directory}: {exc.strerror or exc}") from None
        _fsync_dir(self._workspaces_dir())

    def for_workspace(self, name: str) -> "LocalBackend":
        """The same working directory and default path, another workspace."""
        return LocalBackend(self.default_path, self.workdir,
                            journal_fold_min=self.journal_fold_min, workspace=name)
