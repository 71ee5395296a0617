"""Drift comparison through the schema: only real changes count."""

from __future__ import annotations

from engine import values as V
from engine.plan.drift import changed_attributes, same_value
from engine.schema import LIST, SET, Attribute, Block, NestedBlock

POLICY = Block(attributes={"local": Attribute(V.STRING, required=True),
                           "remote": Attribute(V.SetType(V.STRING), required=True)})
BLOCK = Block(
    attributes={"name": Attribute(V.STRING, required=True),
                "tags": Attribute(V.MapType(V.STRING), optional=True),
                "cidrs": Attribute(V.SetType(V.STRING), optional=True),
                "order": Attribute(V.ListType(V.STRING), optional=True),
                "state": Attribute(V.STRING, computed=True)},
    block_types={"policy": NestedBlock(POLICY, SET), "rule": NestedBlock(POLICY, LIST)})


def test_set_order_and_empty_collections_are_not_drift():
    old = {"name": "a", "cidrs": ["10.0.0.0/24", "10.0.1.0/24"], "tags": None,
           "policy": [{"local": "x", "remote": ["1", "2"]}, {"local": "y", "remote": ["3"]}]}
    new = {"name": "a", "cidrs": ["10.0.1.0/24", "10.0.0.0/24"], "tags": {},
           "policy": [{"local": "y", "remote": ["3"]}, {"local": "x", "remote": ["2", "1"]}]}
    assert changed_attributes(old, new, BLOCK) == []


def test_list_order_values_and_removal_are_drift():
    old = {"name": "a", "order": ["1", "2"], "tags": {"env": "p"}, "state": "UP",
           "rule": [{"local": "x", "remote": ["1"]}]}
    new = {"name": "b", "order": ["2", "1"], "tags": {}, "state": "DOWN",
           "rule": [{"local": "x", "remote": ["1", "9"]}]}
    assert changed_attributes(old, new, BLOCK) == ["name", "order", "rule", "state", "tags"]


def test_booleans_are_not_numbers():
    assert not same_value(True, 1)
    assert same_value(False, False)
