"""Addresses hash once (issue #14) yet still behave as values: equal addresses find each
other in dicts, however they were made, also after a pickle (another process's hash of a
string differs, so a pickled address must not carry its hash)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys

from engine.addrs import parse_instance, parse_resource


def test_equal_addresses_made_apart_find_each_other():
    a = parse_instance('module.site["sh"].fake_thing.a[0]')
    table = {a: "first", a.resource: "resource"}
    assert table[parse_instance('module.site["sh"].fake_thing.a[0]')] == "first"
    assert table[parse_resource('module.site["sh"].fake_thing.a')] == "resource"
    assert table[dataclasses.replace(parse_instance('module.site["sh"].fake_thing.a[1]'),
                                     key=0)] == "first"
    assert parse_instance("fake_thing.a[1]") not in table


def test_a_pickled_address_is_found_in_another_process():
    a = parse_instance('module.site["sh"].fake_thing.a["k"]')
    hash(a)  # hashed here, with this process's string hashes
    code = ("import pickle, sys\n"
            "from engine.addrs import parse_instance\n"
            "a = pickle.loads(sys.stdin.buffer.read())\n"
            "print({parse_instance('module.site[\"sh\"].fake_thing.a[\"k\"]'): 'found'}.get(a))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(a), env=env,
                         capture_output=True, check=True)
    assert out.stdout.decode().strip() == "found"


def test_addresses_keep_their_dataclass_face_and_their_own_order():
    import copy

    import pytest

    a = parse_instance('module.site["sh"].fake_thing.a[0]')
    assert repr(a) == ("InstanceAddr(resource=ResourceAddr(mode='managed', type='fake_thing', "
                       "name='a', module=(ModuleInstanceStep(name='site', key='sh'),)), key=0)")
    assert [f.name for f in dataclasses.fields(a.resource)] == ["mode", "type", "name",
                                                                 "module"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.key = 1  # type: ignore[misc]
    assert copy.deepcopy(a) == a and str(copy.copy(a)) == str(a)
    # ordered by sort_key (a key of 10 after 9, no module before a module), not as tuples
    addrs = [parse_instance(t) for t in ("b.x[10]", "b.x[9]", 'module.m.a.a', "data.a.a",
                                         "a.a")]
    assert [str(x) for x in sorted(addrs)] == ["a.a", "b.x[9]", "b.x[10]", "data.a.a",
                                               "module.m.a.a"]
    assert str(max(addrs)) == "module.m.a.a" and addrs[0] > addrs[1]
    assert parse_resource("a.a") != parse_instance("a.a") and parse_resource("a.a") in {
        parse_instance("a.a").resource}
