"""Keeping Python's cyclic garbage collector off the long-lived objects of a run.

Loading and planning a large configuration allocate millions of objects that live for the
whole run (the syntax tree, planned values, diagnostics) and few reference cycles: the
collector's full passes over them were half of a 10,000-resource plan.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

_YOUNG_ONLY = (50_000, 2 ** 30, 2 ** 30)  # the older generations are never due


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection inside the block (restored after, even if nested)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """Inside the block only the youngest generation is collected (every 50,000
    allocations): the short-lived cycles of reads and calls are freed, and the old
    objects are never walked."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*_YOUNG_ONLY)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def existing_objects_frozen() -> Iterator[None]:
    """The objects that exist on entry (the configuration, the plan, the prior state) are
    moved out of the collector's reach (``gc.freeze``) for the block, so no collection
    inside it walks them; they are handed back after. Inside a block already frozen
    (``gc.freeze`` by anyone) it does nothing: leaving must not unfreeze the outer one's."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
