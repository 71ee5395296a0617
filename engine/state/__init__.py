"""Recorded state: the model, its v4 JSON codec, and the backends that persist it."""

from .backends import (JournalEntry, LocalBackend, LockError, LockInfo, StateBackend,
                       StateConflictError, StateError, lock_with_timeout)
from .codec import (MapKey, apply_journal_entry, decode_instance, decode_state, dumps_state,
                    encode_instance, encode_state, infer_type, journal_entry, loads_state)
from .model import InstanceObject, OutputValue, ResourceState, State

__all__ = ["InstanceObject", "JournalEntry", "LocalBackend", "LockError", "LockInfo", "MapKey",
           "OutputValue", "ResourceState", "State", "StateBackend", "StateConflictError",
           "StateError", "apply_journal_entry", "decode_instance", "decode_state",
           "dumps_state", "encode_instance", "encode_state", "infer_type", "journal_entry",
           "lock_with_timeout", "loads_state"]
