"""Every verb that reads a state learns its secrets (Console.add_state_secrets) from the
recorded sensitive paths alone: the same text forms as marking the whole object would give."""

import random

from engine.cli.views import Console
from engine.values import mark_paths, sensitive_strings, value_at


class _Obj:
    def __init__(self, attributes, paths):
        self.attributes, self.sensitive_paths = attributes, paths


class _State:
    def __init__(self, objs):
        self.objs, self.outputs = objs, {}

    def instances(self):
        return [(None, None, o) for o in self.objs]


def _random_value(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 3 or r < 0.4:
        return rng.choice([None, True, 7, 12345, 2.5, "psk-" + str(rng.randrange(10**6)), "ab"])
    if r < 0.7:
        return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _paths(rng: random.Random, v, prefix=()):
    out = [list(prefix)] if rng.random() < 0.3 else []
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(rng, x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(rng, x, prefix + (i,))
    if rng.random() < 0.1:
        out.append(list(prefix) + ["missing", 3])
    return out


def test_the_secrets_learnt_from_a_state_are_those_of_its_marked_objects():
    rng = random.Random(14)
    for _ in range(300):
        attrs = {"id": "vpnx-1", "pre_share_key": "s3cret-key", "nested": _random_value(rng)}
        paths = [["pre_share_key"]] + _paths(rng, attrs["nested"], ("nested",))
        console = Console(color=False)
        console.add_state_secrets(_State([_Obj(attrs, paths)]))
        expected = sensitive_strings(mark_paths(attrs, [tuple(p) for p in paths]))
        assert console.secrets == expected
        assert "s3cret-key" in console.secrets


def test_value_at_follows_keys_and_indexes_and_misses_quietly():
    v = {"a": [{"b": "x"}, 5], "c": None}
    assert value_at(v, ["a", 0, "b"]) == "x"
    assert value_at(v, ["a", 1]) == 5
    assert value_at(v, []) is v
    assert value_at(v, ["a", 2]) is None and value_at(v, ["z"]) is None
    assert value_at(v, ["a", "0"]) is None and value_at(v, ["c", "d"]) is None
