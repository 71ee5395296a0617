"""State backends: the contract (base.py) and its implementations (local.py, …)."""

from .base import (JournalEntry, LockError, LockInfo, StateBackend, StateConflictError,
                   StateError, lock_with_timeout)
from .local import LocalBackend

__all__ = ["JournalEntry", "LocalBackend", "LockError", "LockInfo", "StateBackend",
           "StateConflictError", "StateError", "lock_with_timeout"]
