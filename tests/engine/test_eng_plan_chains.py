"""Plans of many instances referring to each other: the right addresses, the right order,
and a cycle still named (issue #14's planning speed work must not change any of these)."""

from __future__ import annotations

from eng_fakes import Env

from engine.addrs import parse_instance
from engine.plan.model import Action
from engine.values import Unknown

at = parse_instance

N = 300

# each instance of "next" refers to the instance of "prev" with the same key, and each
# instance of "prev" to the one before it: a chain of for_each instances
CHAIN = '''
locals {
  keys = [for i in range(%d) : format("k%%03d", i)]
}
resource "fake_thing" "prev" {
  for_each = toset(local.keys)
  name     = "p-${each.key}"
  zone     = "z1"
}
resource "fake_thing" "next" {
  for_each  = fake_thing.prev
  name      = "n-${each.key}"
  size      = 1
  parent_id = each.value.id
}
''' % N


def test_a_for_each_chain_of_many_instances_plans_every_address(env: Env):
    p = env.plan_ok(CHAIN)
    keys = [f"k{i:03d}" for i in range(N)]
    expected = {f'fake_thing.{r}["{k}"]' for r in ("prev", "next") for k in keys}
    assert {str(a) for a in p.changes} == expected
    assert {c.action for c in p.changes.values()} == {Action.CREATE}
    # each instance sees its own key, not another instance's (values are per instance)
    for k in keys:
        nxt = p.changes[at(f'fake_thing.next["{k}"]')]
        assert nxt.after["name"] == f"n-{k}"
        assert isinstance(nxt.after["parent_id"], Unknown)
        assert p.changes[at(f'fake_thing.prev["{k}"]')].after["name"] == f"p-{k}"
    order = [str(o) for o in p.operations]
    assert len(order) == 2 * N
    position = {op: i for i, op in enumerate(order)}
    for x, y in p.edges:
        assert position[str(x)] < position[str(y)]
    # every "next" instance is created after the "prev" instance it refers to
    for k in keys:
        assert position[f'apply fake_thing.prev["{k}"]'] < position[f'apply fake_thing.next["{k}"]']


def test_the_same_argument_in_many_instances_gets_each_instances_value(env: Env):
    cfg = '''
resource "fake_thing" "c" {
  count = 50
  name  = "c-${count.index}"
  size  = count.index * 2
}
'''
    p = env.plan_ok(cfg)
    for i in range(50):
        after = p.changes[at(f"fake_thing.c[{i}]")].after
        assert (after["name"], after["size"]) == (f"c-{i}", i * 2)


def test_a_cycle_between_resources_is_still_reported_naming_it(env: Env):
    cfg = '''
resource "fake_thing" "a" {
  name      = "a"
  parent_id = fake_thing.b.id
}
resource "fake_thing" "b" {
  name      = "b"
  parent_id = fake_thing.a.id
}
'''
    p, diags = env.plan(cfg)
    cycle = [d for d in diags if d.summary == "Cycle in resource dependencies"]
    assert cycle, [d.summary for d in diags]
    assert "fake_thing.a" in cycle[0].detail and "fake_thing.b" in cycle[0].detail
