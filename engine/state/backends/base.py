"""The state backend contract: the protocol, lock metadata, journal entries and errors.

Backends persist ``State`` snapshots atomically, lock them against concurrent runs and
record per-instance changes incrementally (the journal) so a crash mid-apply loses nothing
already recorded. Encoding lives in ``engine/state/codec.py``; concrete backends beside this
module.

Exception tree::

    StateError                 state cannot be read or written (bad file, I/O, misuse)
    ├── StateConflictError     write refused: lower serial or another lineage
    └── LockError              lock held by someone else / wrong lock ID; ``.info`` = holder
"""

from __future__ import annotations

import getpass
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol, runtime_checkable

from ..model import State

VPNFORM_VERSION = "0.1.0"


class StateError(Exception):
    """State cannot be read or written. The message says what to do about it."""


class StateConflictError(StateError):
    """A write was refused because it would replace newer state or another lineage's state."""


def next_serial(current: dict | None, new: dict, lineage: str, serial: int, where: str,
                lineage_hint: str = "", force: bool = False) -> int | None:
    """The serial a snapshot ``new`` (encoded v4, of a state read at ``serial``) is stored
    with over the stored snapshot ``current`` (None: nothing stored yet) at ``where``, or
    None when ``new`` equals what is stored. Raises StateConflictError for another
    lineage, or when the stored serial is newer than the one the state was read at (a
    rejected write leaves the stored state as it was). ``force`` (``state push -force``)
    skips both checks; the serial written still rises above the stored one."""
    if current is None:
        return serial + 1
    if force and (current["lineage"] != lineage or serial < current.get("serial", 0)):
        return max(serial, current.get("serial", 0) + 1)
    if current["lineage"] != lineage:
        raise StateConflictError(
            f"Refusing to write state with lineage {lineage!r} over {where}, which has "
            f"lineage {current['lineage']!r}: they are different states.{lineage_hint}")
    stored = current.get("serial", 0)
    if serial < stored:
        raise StateConflictError(
            f"Refusing to write state serial {serial} over {where}, which has the newer "
            f"serial {stored}: another run has changed the state since it was read. Re-run "
            "the command to start from the latest state.")
    if {**new, "serial": stored} == current and serial == stored:
        return None
    return max(serial, stored + 1)


# A journal is folded into a snapshot once it holds this many entries per instance in the
# state as it is then (and at least the backend's journal_fold_min). A fold rewrites every
# instance, so folds cost O(1) per entry either way. An apply journals 2 or 3 entries per
# create (intent, object reported early when calls wait, result): the state grows about as
# fast as its journal, so an apply from nothing is not folded (with the threshold taken
# from the state's size at the last fold, it was, once it passed journal_fold_min). The
# journal a crash leaves holds at most this many entries per instance to replay.
JOURNAL_ENTRIES_PER_INSTANCE = 4


def fold_threshold(fold_min: int, instances: int) -> int:
    """The number of journal entries after which a journal on a state of ``instances``
    instances is folded."""
    return max(fold_min, JOURNAL_ENTRIES_PER_INSTANCE * instances)


def fold_due(since_fold: int, fold_at: int, fold_min: int, state: Any) -> tuple[bool, int]:
    """Whether a journal of ``since_fold`` entries on ``state`` is folded now, and the
    threshold from here on. ``fold_at`` was the threshold for the state's size at the last
    fold; once reached, it is worked out again for the size the state has grown to
    (O(state) only then, so O(1) per entry amortised)."""
    if since_fold < fold_at:
        return False, fold_at
    fold_at = fold_threshold(fold_min, state.instance_count())
    return since_fold >= fold_at, fold_at


def settle_journal_end(final: Any, journal_state: Any, begin_serial: int) -> None:
    """Check that ``final`` (a State) ends the journal begun at ``begin_serial`` on
    ``journal_state`` (a bug otherwise), and carry the serial that folds advanced."""
    if journal_state is not None and final.lineage != journal_state.lineage:
        raise StateConflictError(f"end_journal: final state has lineage {final.lineage!r}, "
                                 f"the journal {journal_state.lineage!r}")
    if final.serial < begin_serial:
        raise StateConflictError(f"end_journal: final state serial {final.serial} is below "
                                 f"the serial {begin_serial} the journal began with")
    # Folds advanced the stored serial past the caller's copy; that is expected.
    final.serial = max(final.serial, journal_state.serial if journal_state is not None else 0)


def check_force_unlock(holder: "LockInfo | None", lock_id: str, where: str) -> "LockInfo":
    """The lock that ``force-unlock LOCK_ID`` may break: LockError when no lock is recorded
    at ``where`` or its ID is another."""
    if holder is None:
        raise LockError(None, f"Failed to unlock state: no lock information found {where}; "
                              "the state is not locked.")
    if holder.id != lock_id:
        raise LockError(holder, f"Failed to unlock state: lock ID {lock_id!r} does not match "
                                f"the existing lock ID {holder.id!r}.\n" + holder.describe())
    return holder


def _now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers)
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class LockInfo:
    """Who holds a state lock, as Terraform records it (JSON keys ID, Operation, …, Path)."""

    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    operation: str = ""
    info: str = ""
    who: str = field(default_factory=_who)
    version: str = VPNFORM_VERSION
    created: str = field(default_factory=_now_rfc3339)
    path: str = ""

    def to_json(self) -> dict:
        return {"ID": self.id, "Operation": self.operation, "Info": self.info, "Who": self.who,
                "Version": self.version, "Created": self.created, "Path": self.path}

    @classmethod
    def from_json(cls, data: dict) -> "LockInfo":
        if not isinstance(data, dict):
            raise StateError("lock info is not a JSON object")
        return cls(id=str(data.get("ID", "")), operation=str(data.get("Operation", "")),
                   info=str(data.get("Info", "")), who=str(data.get("Who", "")),
                   version=str(data.get("Version", "")), created=str(data.get("Created", "")),
                   path=str(data.get("Path", "")))

    def describe(self) -> str:
        """The ``Lock Info:`` block Terraform prints when a lock is held."""
        rows = [("ID", self.id), ("Path", self.path), ("Operation", self.operation),
                ("Who", self.who), ("Version", self.version), ("Created", self.created),
                ("Info", self.info)]
        return "Lock Info:\n" + "\n".join(f"  {k + ':':<10} {v}" for k, v in rows)


class LockError(StateError):
    """The state is locked by someone else (``info`` is the holder's, None if unknown),
    or an unlock named the wrong lock ID."""

    def __init__(self, info: LockInfo | None, message: str | None = None):
        self.info = info
        if message is None:
            message = "Error acquiring the state lock: the state is locked by another process."
            if info is not None:
                message += "\n" + info.describe()
            else:
                message += " Its lock information could not be read."
            message += ("\nWait for that operation to finish, or retry with -lock-timeout. If "
                        "it died without releasing the lock, run 'vpnform force-unlock ID'.")
        super().__init__(message)


@dataclass(frozen=True)
class JournalEntry:
    """One instance change recorded during apply.

    ``address`` is the canonical instance address; ``provider`` the provider's state string
    (``provider["registry.terraform.io/ns/name"]``); ``object`` the v4 instance dict exactly
    as ``codec.encode_instance`` produces it (None: the instance was removed); ``each_mode``
    the resource's repetition as in the model ("", "count" or "for_each"). Build entries with
    ``codec.journal_entry`` and apply them with ``codec.apply_journal_entry``, so replay runs
    through the same decoder as the state file.
    """

    address: str
    provider: str
    object: dict | None
    each_mode: str = ""
    # True: a create is about to be attempted at ``address`` (no object yet). A later entry
    # for the address settles it; one left unsettled after a crash means the object may
    # exist in the cloud without being in state (see ``State.in_flight``).
    pending: bool = False
    # With ``pending``: the idempotency token given to the cloud, and the planned value.
    token: str | None = None
    planned: dict | None = None
    dependencies: tuple = ()
    # Not pending: the change is to the deposed object with this key, not the current one.
    deposed: str = ""


@runtime_checkable
class StateBackend(Protocol):
    def lock(self, info: LockInfo) -> str:
        """Take the lock; return its ID. Raises LockError carrying the holder's LockInfo."""

    def unlock(self, lock_id: str) -> None:
        """Release a lock this backend holds."""

    def force_unlock(self, lock_id: str) -> None:
        """Remove a (stale) lock whose ID is ``lock_id``."""

    def read(self) -> State | None:
        """The latest state (a leftover journal replayed on top), or None if none yet."""

    def write(self, state: State, force: bool = False) -> None:
        """Persist a full snapshot atomically; StateConflictError on lower serial/lineage
        (unless ``force``: ``state push -force``)."""

    def begin_journal(self, state: State) -> None:
        """Start incremental persistence on top of ``state`` (the state at apply start)."""

    def record(self, entry: JournalEntry, flush: bool = True) -> None:
        """Durably record one instance change, O(1) in the size of the state. Called
        from several apply workers at once; changes to one instance come in order.
        ``flush=False``: stored at once (it survives the process being killed) but not
        waited for to reach the disk; the next flushed record, or the end of the
        journal, takes it there."""

    def end_journal(self, final: State) -> None:
        """Write ``final`` as a snapshot, then drop the journal."""


@runtime_checkable
class WorkspaceBackend(StateBackend, Protocol):
    """A backend holding one state per workspace (``default`` always exists); an instance
    reads and writes the state of its ``workspace``."""

    workspace: str

    def workspaces(self) -> list[str]:
        """Every existing workspace, ``default`` first, the others sorted."""

    def delete_workspace(self, name: str) -> None:
        """Delete workspace ``name`` and its state (never ``default``: StateError)."""

    def for_workspace(self, name: str) -> "WorkspaceBackend":
        """The same backend, on workspace ``name`` (which need not exist yet: its first
        write creates it)."""


def lock_with_timeout(backend: StateBackend, info: LockInfo, timeout_seconds: float, *,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic,
                      min_backoff: float = 0.5, max_backoff: float = 2.0,
                      jitter: Callable[[], float] = lambda: random.uniform(0.5, 1.0),
                      on_wait: Callable[[LockError], None] | None = None) -> str:
    """``-lock-timeout``: retry ``backend.lock`` with backoff (0.5 s doubling to 2 s, each
    wait shortened by a random jitter, never sleeping past the deadline) until it succeeds
    or ``timeout_seconds`` have passed, then re-raise the last LockError. A timeout of 0
    tries once. ``on_wait`` is told the holder once, when the first attempt finds the lock
    taken and a wait follows (so a pipeline's log shows why it is quiet).

    Terraform backs off to 16 s; with several pipelines queued on one state that leaves
    the lock idle most of the time (measured: 8 queued applies took 122 s, the lock held
    for 40% of it). A poll every 1-2 s costs a lock-file open or one query; the jitter
    keeps waiters that started together from retrying in step."""
    deadline = clock() + max(0.0, timeout_seconds)
    backoff = min_backoff
    told = False
    while True:
        try:
            return backend.lock(info)
        except LockError as err:
            remaining = deadline - clock()
            if remaining <= 0:
                raise
            if on_wait is not None and not told:
                on_wait(err)
                told = True
            sleep(min(backoff * jitter(), remaining))
            backoff = min(backoff * 2, max_backoff)
