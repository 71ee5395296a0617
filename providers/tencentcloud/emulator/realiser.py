"""The emulator's hook for a real network behind its objects, and the one view of the
store that such a network gets. The emulator owns this contract; a realiser (the
strongSwan dataplane) implements it, and the emulator never imports the realiser.

After an action has passed every rule of the emulator, inside the action's transaction,
the service calls ``Realiser.apply_action(records, ...)``. A ``RealiseError`` rolls the
action back and becomes the cloud's ``FailedOperation``; an ``UnrealisableOption``
becomes ``InvalidParameterValue``. Outside an action (a Describe answer's live fields, a
supervisor process, healing) a realiser reads and writes through ``RealiserStore``.

A realiser sees the cloud's objects read-only and its own records (kind, id → JSON
object) read-write, plus named counters; nothing else of the store.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Protocol

from .store import SqliteStore, Tx, store_path


class RealiseError(Exception):
    """The real network could not be made to match the action (the message says why)."""


class UnrealisableOption(RealiseError):
    """The action asks for an option the real network cannot carry (e.g. an algorithm)."""


class RealiserRecords:
    """What a realiser may touch inside one transaction."""

    def __init__(self, tx: Tx):
        self._tx = tx

    # the cloud's objects, read-only
    def object(self, kind: str, id: str) -> dict | None:
        return self._tx.get(kind, id)

    def objects(self, kind: str, vpc_id: str | None = None) -> list[dict]:
        """Objects of ``kind`` (in the VPC ``vpc_id``), in creation order."""
        return self._tx.list(kind, vpc_id=vpc_id)

    def objects_by(self, kind: str, field: str, value: str) -> list[dict]:
        """Objects of ``kind`` whose ``field`` (one of the store's indexed fields) is
        ``value``."""
        return self._tx.list_by(kind, field, value)

    # the realiser's own records
    def get(self, kind: str, id: str) -> dict | None:
        return self._tx.dp_get(kind, id)

    def put(self, kind: str, id: str, data: dict) -> None:
        self._tx.dp_put(kind, id, data)

    def delete(self, kind: str, id: str) -> None:
        self._tx.dp_delete(kind, id)

    def all(self, kind: str) -> dict[str, dict]:
        """id → record of every record of ``kind``."""
        return self._tx.dp_list(kind)

    def next_number(self, name: str, start: int = 1) -> int:
        """The next value of the counter ``name`` (``start`` the first time)."""
        return self._tx.next_counter(name, start)


class RealiserStore:
    """A realiser's access to one store outside an action: read views and write
    transactions of ``RealiserRecords``."""

    def __init__(self, store: SqliteStore, *, owned: bool = False):
        self._store = store
        self._owned = owned

    @classmethod
    def for_workdir(cls, workdir: str | os.PathLike) -> "RealiserStore | None":
        """The working directory's emulated cloud, or None when it has none."""
        if not store_path(workdir).exists():
            return None
        return cls(SqliteStore.for_workdir(workdir), owned=True)

    @contextmanager
    def read(self) -> Iterator[RealiserRecords]:
        """A consistent read-only view (never waits for writers); make no writes in it."""
        with self._store.snapshot() as tx:
            yield RealiserRecords(tx)

    @contextmanager
    def write(self) -> Iterator[RealiserRecords]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self._store.transaction() as tx:
            yield RealiserRecords(tx)

    def close(self) -> None:
        """Close the store if this object opened it (``for_workdir``)."""
        if self._owned:
            self._store.close()


class Realiser(Protocol):
    """The real network behind an ``EmulatedVpcService`` (``attach_dataplane``)."""

    def apply_action(self, records: RealiserRecords, action: str, params: dict,
                     result: dict, region: str) -> None:
        """Realise a successful action. Raises RealiseError (or UnrealisableOption)."""

    def describe_result(self, store: RealiserStore, action: str, result: dict) -> dict:
        """A Describe answer with its live fields filled from the real network."""

    # Optional: a realiser that runs tunnels for real may also measure them for Cloud
    # Monitor (sampler.py): ``measure_tunnel(gateway_id, conn_id, local_cidrs,
    # remote_cidrs, probe_count) -> {"connected", "counters", "probe"} | None``.
