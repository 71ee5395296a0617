"""The run's garbage-collector settings (engine/gc_paused.py) stay inside their blocks:
a process that runs vpnform verbs in-process (tests, embedders) keeps nothing frozen."""

import gc

from engine.gc_paused import (existing_objects_frozen, keep_for_the_run, made_for_the_run,
                               young_collections_only)


def test_a_syntax_tree_kept_for_the_run_is_frozen_only_inside_a_verb():
    assert gc.get_freeze_count() == 0
    keep_for_the_run()  # a library call outside a verb: nothing happens
    assert gc.get_freeze_count() == 0
    with young_collections_only():
        tree = [[i] for i in range(1000)]
        keep_for_the_run()
        assert gc.get_freeze_count() >= 1000
    assert gc.get_freeze_count() == 0
    assert len(tree) == 1000


def test_an_apply_inside_a_frozen_verb_freezes_its_plan_and_leaves_the_rest_to_the_verb():
    with young_collections_only():
        keep_for_the_run()
        before = gc.get_freeze_count()
        plan = [[i] for i in range(1000)]
        with existing_objects_frozen():
            assert gc.get_freeze_count() >= before + 1000
        assert gc.get_freeze_count() >= before + 1000  # the outer block unfreezes
    assert gc.get_freeze_count() == 0
    assert len(plan) == 1000


def test_an_apply_outside_any_frozen_block_hands_everything_back():
    with existing_objects_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_what_is_made_for_the_run_is_frozen_only_inside_a_verb():
    with made_for_the_run():
        outside = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0  # a library call outside a verb: nothing frozen
    with young_collections_only():
        with made_for_the_run():
            inside = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= 1000
    assert gc.get_freeze_count() == 0
    assert len(outside) == len(inside) == 1000
