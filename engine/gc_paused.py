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
    outer_frozen = gc.get_freeze_count()
    gc.set_threshold(*_YOUNG_ONLY)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not outer_frozen and gc.get_freeze_count():  # what keep_for_the_run froze
            gc.unfreeze()


@contextlib.contextmanager
def made_for_the_run() -> Iterator[None]:
    """What the block makes lives to the end of the run (a configuration, a state, a
    graph): it is made with the collector paused, then kept out of its reach for the verb
    (``keep_for_the_run``), so no collection ever walks it."""
    with gc_paused():
        yield
        keep_for_the_run()


def keep_for_the_run() -> None:
    """The objects made so far live to the end of the run (a syntax tree just loaded):
    inside ``young_collections_only`` they are frozen now (``gc.freeze``), because the
    first young collection after a paused load would otherwise walk every one of them
    (0.3 s for a 6,900-resource tree). The block hands them back at its end; outside it
    (a library call, a test) nothing happens."""
    if gc.get_threshold() == _YOUNG_ONLY:
        gc.freeze()


@contextlib.contextmanager
def existing_objects_frozen() -> Iterator[None]:
    """The objects that exist on entry (the configuration, the plan, the prior state) are
    moved out of the collector's reach (``gc.freeze``) for the block, so no collection
    inside it walks them; they are handed back after. Inside a block that froze objects
    already (``gc.freeze`` by anyone) it freezes the newer ones too, and leaves the
    unfreezing to the outer one."""
    outer_frozen = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not outer_frozen:
            gc.unfreeze()
