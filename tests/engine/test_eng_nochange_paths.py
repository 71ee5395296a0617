"""The short paths a no-change plan takes through value comparison and unmarking give
the answers of the general paths they skip."""

from __future__ import annotations

import math

from engine import values as V
from engine.plan.planner import _equal_values
from engine.schema import LIST, SET, Attribute, Block, NestedBlock
from providers.tencentcloud.resources.base import differs

S = V.Sensitive


def test_unmark_splits_marks_at_every_depth_in_walk_order():
    value = {"a": 1, "b": S("x"), "c": [S(2), {"d": S({"e": [1, S(True)]})}], "f": None,
             "g": S(None), "h": V.UNKNOWN}
    plain, paths = V.unmark(value)
    assert plain == {"a": 1, "b": "x", "c": [2, {"d": {"e": [1, True]}}], "f": None,
                     "g": None, "h": V.UNKNOWN}
    assert paths == [("b",), ("c", 0), ("c", 1, "d"), ("c", 1, "d", "e", 1), ("g",)]
    assert V.unmark(S("k")) == ("k", [()])
    assert V.unmark("k") == ("k", [])
    assert V.unmark(S([1]), ("p",)) == ([1], [("p",)])


def test_unmark_copies_collections_and_drops_typed_collections_subclasses():
    inner = [1, 2]
    value = {"l": inner, "m": V.MapValue({"k": "v"})}
    plain, _ = V.unmark(value)
    assert plain["l"] == inner and plain["l"] is not inner
    assert type(plain["m"]) is dict and plain is not value


def test_equal_values_ignores_marks_never_equates_unknowns_or_true_and_one():
    assert _equal_values({"a": 1, "b": [1, {"c": "x"}]}, {"b": [1, {"c": "x"}], "a": 1})
    assert _equal_values({"a": S("x")}, {"a": "x"}) and _equal_values(S({"a": 1}), {"a": 1})
    assert not _equal_values({"a": V.UNKNOWN}, {"a": V.UNKNOWN})
    assert not _equal_values({"a": True}, {"a": 1}) and not _equal_values(True, 1)
    assert _equal_values({"a": 1}, {"a": 1.0})  # numbers compare as numbers
    assert not _equal_values({"a": 1}, {"a": 1, "b": 2})
    assert _equal_values({"a": 1}, {"a": 1, "b": None})  # absent is null
    assert not _equal_values({"a": math.nan}, {"a": math.nan})
    assert not _equal_values({"a": [1, 2]}, {"a": [2, 1]})


def test_equal_lists_and_maps_do_not_differ_without_their_canonical_forms():
    assert not differs([{"a": 1, "b": ["x"]}], [{"b": ["x"], "a": 1}])
    assert differs([{"a": 1}], [{"a": True}]) and differs({"a": 1}, {"a": 1.0})
    assert differs({"a": 1}, {"a": 1, "b": 2}) and not differs([1, 2], [2, 1])
    assert not differs([V.UNKNOWN], [V.UNKNOWN])  # as their canonical forms say


BLOCK = Block(
    attributes={"name": Attribute(V.STRING, optional=True), "key": Attribute(V.STRING, optional=True, sensitive=True)},
    block_types={"rule": NestedBlock(Block(attributes={
        "secret": Attribute(V.STRING, optional=True, sensitive=True), "port": Attribute(V.NUMBER, optional=True)}), LIST),
        "tag": NestedBlock(Block(attributes={"v": Attribute(V.STRING, optional=True, sensitive=True)}),
                           SET)})


def test_sensitive_paths_of_a_marked_value_are_those_of_its_plain_value():
    values = [
        {"name": "n", "key": S("k"), "rule": [{"secret": "s", "port": 1},
                                               S({"secret": S("t"), "port": 2}),
                                               {"secret": None, "port": 3}],
         "tag": S([{"v": "x"}])},
        S({"name": "n", "key": S(None), "rule": S([]), "tag": None}),
        {"name": "n", "key": None},
        None,
    ]
    for v in values:
        expected = list(BLOCK.sensitive_paths(V.unmark(v)[0]))
        assert list(BLOCK.marked_sensitive_paths(v)) == expected
    assert list(BLOCK.marked_sensitive_paths(values[0])) == [
        ("key",), ("rule", 0, "secret"), ("rule", 1, "secret"), ("tag", 0, "v")]


def test_redaction_skips_only_secrets_absent_with_all_their_quoted_forms():
    secrets = {"hunter22", "k9", 'with"quote', "back\\slash", "tab\tkey", "日本語の鍵",
               "a'b", "absent-secret"}
    text = ('key "hunter22" and hunter22; k9 but not k99; "with\\"quote" and '
            '"back\\\\slash" and "tab\\tkey" and "a\'b" and "日本語の鍵"')
    out = V.redact_text(text, secrets)
    assert out == ("key (sensitive value) and (sensitive value); (sensitive value) but not "
                   "k99; (sensitive value) and (sensitive value) and (sensitive value) and "
                   "(sensitive value) and (sensitive value)")
    assert V.redact_text("nothing to hide", secrets) == "nothing to hide"
