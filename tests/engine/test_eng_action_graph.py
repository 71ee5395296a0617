"""The action graph the plan emits: which operation runs before which."""

from __future__ import annotations

from eng_fakes import Env

from engine.addrs import parse_instance
from engine.plan.model import Action
from engine.plan.planner import action_graph

at = parse_instance

CHAIN = '''
resource "fake_thing" "b" {
  name = "b"
  zone = "zb"
}
resource "fake_thing" "a" {
  name      = "a"
  zone      = "za"
  parent_id = fake_thing.b.id
}
'''


def ops(p) -> list[str]:
    return [str(o) for o in p.operations]


def before(p, first: str, then: str) -> bool:
    order = ops(p)
    return order.index(first) < order.index(then)


def assert_edges_respected(p):
    order = ops(p)
    for x, y in p.edges:
        assert order.index(str(x)) < order.index(str(y)), (str(x), str(y))


def test_both_replaced_destroys_dependent_first_and_creates_dependency_first(env: Env):
    env.converge(CHAIN)
    p = env.plan_ok(CHAIN.replace('"zb"', '"zb2"').replace('"za"', '"za2"'))
    assert ops(p) == ["destroy fake_thing.a", "destroy fake_thing.b",
                      "apply fake_thing.b", "apply fake_thing.a"]
    assert_edges_respected(p)


def test_creates_follow_dependency_order(env: Env):
    p = env.plan_ok('''
resource "fake_thing" "a" { name = fake_thing.m.id }
resource "fake_thing" "m" { name = fake_thing.z.id }
resource "fake_thing" "z" { name = "z" }
resource "fake_thing" "free" { name = "free" }
''')
    assert before(p, "apply fake_thing.z", "apply fake_thing.m")
    assert before(p, "apply fake_thing.m", "apply fake_thing.a")
    edge_set = {(str(x), str(y)) for x, y in p.edges}
    assert edge_set == {("apply fake_thing.z", "apply fake_thing.m"),
                        ("apply fake_thing.m", "apply fake_thing.a")}
    assert_edges_respected(p)


def test_deletes_run_in_reverse_dependency_order(env: Env):
    cfg = CHAIN + 'resource "fake_thing" "top" {\n  name = fake_thing.a.arn\n}\n'
    env.converge(cfg)
    p = env.plan_ok(cfg, destroy=True)
    assert ops(p) == ["destroy fake_thing.top", "destroy fake_thing.a", "destroy fake_thing.b"]
    assert {(str(x), str(y)) for x, y in p.edges} == {
        ("destroy fake_thing.top", "destroy fake_thing.a"),
        ("destroy fake_thing.a", "destroy fake_thing.b")}


def test_orphans_are_deleted_in_reverse_of_their_recorded_dependencies(env: Env):
    env.converge(CHAIN + 'resource "fake_thing" "keep" {\n  name = "keep"\n}\n')
    p = env.plan_ok('resource "fake_thing" "keep" {\n  name = "keep"\n}\n')
    assert ops(p) == ["destroy fake_thing.a", "destroy fake_thing.b"]
    assert [(str(x), str(y)) for x, y in p.edges] == [
        ("destroy fake_thing.a", "destroy fake_thing.b")]


def test_update_of_dependent_precedes_destroy_of_its_create_before_destroy_dependency(env: Env):
    cfg = CHAIN.replace('zone = "zb"', 'zone = "zb"\n  lifecycle {\n'
                        '    create_before_destroy = true\n  }')
    env.converge(cfg)
    p = env.plan_ok(cfg.replace('"zb"', '"zb2"'))
    assert p.changes[at("fake_thing.b")].action is Action.CREATE_THEN_DELETE
    assert p.changes[at("fake_thing.a")].action is Action.UPDATE
    assert ops(p) == ["apply fake_thing.b", "apply fake_thing.a", "destroy fake_thing.b"]
    assert_edges_respected(p)


def test_update_of_dependent_precedes_destroy_of_an_extra_count_instance(env: Env):
    cfg = '''
resource "fake_thing" "b" {
  count = 2
  name  = "b${count.index}"
}
resource "fake_thing" "a" {
  name  = "a"
  items = fake_thing.b[*].id
}
'''
    env.converge(cfg)
    p = env.plan_ok(cfg.replace("count = 2", "count = 1"))
    assert p.changes[at("fake_thing.a")].action is Action.UPDATE
    assert ops(p) == ["apply fake_thing.a", "destroy fake_thing.b[1]"]


def test_update_of_dependent_precedes_destroy_of_a_removed_dependency(env: Env):
    env.converge(CHAIN)
    p = env.plan_ok('''
resource "fake_thing" "a" {
  name      = "a"
  zone      = "za"
  parent_id = "elsewhere"
}
''')
    assert p.changes[at("fake_thing.a")].action is Action.UPDATE
    assert p.changes[at("fake_thing.b")].action is Action.DELETE
    assert ops(p) == ["apply fake_thing.a", "destroy fake_thing.b"]


def test_dependency_replaced_destroy_first_while_dependent_is_updated(env: Env):
    env.converge(CHAIN)
    p = env.plan_ok(CHAIN.replace('"zb"', '"zb2"'))
    assert p.changes[at("fake_thing.b")].action is Action.DELETE_THEN_CREATE
    assert p.changes[at("fake_thing.a")].action is Action.UPDATE
    # the action graph has no cycle to break (action_graph raises on one)
    assert ops(p) == ["destroy fake_thing.b", "apply fake_thing.b", "apply fake_thing.a"]
    assert_edges_respected(p)


def test_action_graph_of_no_changes_is_empty(env: Env):
    env.converge(CHAIN)
    p = env.plan_ok(CHAIN)
    assert action_graph(p.changes, None) == ([], [])
