"""State backends: the contract (base.py), its implementations (local.py, pg.py), and the
choice of one from the configuration's backend block (config.py)."""

from .base import (JournalEntry, LockError, LockInfo, StateBackend, StateConflictError,
                   StateError, lock_with_timeout)
from .local import LocalBackend

__all__ = ["JournalEntry", "LocalBackend", "LockError", "LockInfo", "StateBackend",
           "StateConflictError", "StateError", "lock_with_timeout"]
