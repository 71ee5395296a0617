"""The resource graph: edges from references, locals and depends_on; cycles; orphans; DOT."""

from __future__ import annotations

from eng_fakes import Env

from engine.addrs import parse_resource
from engine.graph.build import build_graph, to_dot
from engine.state.model import InstanceObject, State


def R(text):
    return parse_resource(text)


def edges(rg):
    return sorted((str(b), str(a)) for b, a in rg.graph.edges)


def test_edges_from_references_in_arguments_and_nested_blocks(env: Env):
    m = env.load('''
resource "fake_thing" "b" { name = "b" }
resource "fake_thing" "c" { name = "c" }
resource "fake_thing" "a" {
  name      = "a"
  parent_id = fake_thing.b.id
  rule {
    cidr = fake_thing.c.arn
  }
}
''')
    rg, diags = build_graph(m)
    assert not diags
    assert edges(rg) == [("fake_thing.b", "fake_thing.a"), ("fake_thing.c", "fake_thing.a")]
    assert rg.dependencies(R("fake_thing.a")) == [R("fake_thing.b"), R("fake_thing.c")]
    assert rg.dependencies(R("fake_thing.b")) == []
    # which argument refers to what: for providers' cross-object checks
    assert sorted(rg.attribute_refs[R("fake_thing.a")]) == [
        (R("fake_thing.b"), "id", "parent_id"), (R("fake_thing.c"), "arn", "rule")]


def test_references_through_locals_are_followed_transitively(env: Env):
    m = env.load('''
locals {
  base   = fake_thing.c.id
  middle = "${local.base}-x"
  top    = upper(local.middle)
}
resource "fake_thing" "c" { name = "c" }
resource "fake_thing" "a" { name = local.top }
''')
    rg, diags = build_graph(m)
    assert not diags
    assert edges(rg) == [("fake_thing.c", "fake_thing.a")]
    assert rg.order() == [R("fake_thing.c"), R("fake_thing.a")]


def test_depends_on_adds_an_edge_without_a_value_reference(env: Env):
    m = env.load('''
resource "fake_thing" "z" { name = "z" }
resource "fake_thing" "a" {
  name       = "a"
  depends_on = [fake_thing.z]
}
''')
    rg, _ = build_graph(m)
    assert edges(rg) == [("fake_thing.z", "fake_thing.a")]
    # without the edge, "a" would sort first
    assert rg.order() == [R("fake_thing.z"), R("fake_thing.a")]


def test_count_and_splat_references_depend_on_the_whole_resource(env: Env):
    m = env.load('''
variable "n" { default = 2 }
resource "fake_thing" "b" {
  count = var.n
  name  = "b${count.index}"
}
resource "fake_thing" "a" {
  name  = "a"
  items = fake_thing.b[*].id
}
resource "fake_thing" "x" {
  name = fake_thing.b[0].name
}
''')
    rg, _ = build_graph(m)
    assert edges(rg) == [("fake_thing.b", "fake_thing.a"), ("fake_thing.b", "fake_thing.x")]


def test_two_member_cycle_is_one_diagnostic_naming_both(env: Env):
    m = env.load('''
resource "fake_thing" "a" { name = fake_thing.b.id }
resource "fake_thing" "b" { name = fake_thing.a.id }
resource "fake_thing" "ok" { name = "ok" }
''')
    _, diags = build_graph(m)
    assert len(diags) == 1
    d = diags.items[0]
    assert d.is_error and d.summary == "Cycle in resource dependencies"
    assert "fake_thing.a, fake_thing.b" in d.detail
    assert "fake_thing.ok" not in d.detail
    assert d.subject is not None and d.subject.filename == "main.tf"
    assert d.subject.start.line in (2, 3)


def test_three_member_cycle_through_a_local_and_depends_on(env: Env):
    m = env.load('''
locals {
  via = fake_thing.z.id
}
resource "fake_thing" "x" { name = local.via }
resource "fake_thing" "y" {
  name       = "y"
  depends_on = [fake_thing.x]
}
resource "fake_thing" "z" { name = fake_thing.y.arn }
''')
    _, diags = build_graph(m)
    assert len(diags) == 1
    assert "fake_thing.x, fake_thing.y, fake_thing.z" in diags.items[0].detail


def test_a_cycle_stops_the_plan(env: Env):
    p, diags = env.plan('''
resource "fake_thing" "a" { name = fake_thing.b.id }
resource "fake_thing" "b" { name = fake_thing.a.id }
''')
    assert p is None
    assert [d.summary for d in diags] == ["Cycle in resource dependencies"]
    assert env.fake.calls == []


def _state_with(*items) -> State:
    """items: (address, dependencies)."""
    from engine.addrs import ProviderConfigAddr, parse_instance
    s = State()
    for text, deps in items:
        s.set_instance(parse_instance(text), ProviderConfigAddr("fake"),
                       InstanceObject({"id": text, "name": text}, dependencies=deps))
    return s


def test_orphans_join_the_graph_through_recorded_dependencies(env: Env):
    m = env.load('resource "fake_thing" "kept" { name = "kept" }\n')
    state = _state_with(("fake_thing.gone_leaf", ["fake_thing.gone_root"]),
                        ("fake_thing.gone_root", ["fake_thing.kept"]),
                        ("fake_thing.kept", []))
    rg, diags = build_graph(m, state)
    assert not diags
    assert edges(rg) == [("fake_thing.gone_root", "fake_thing.gone_leaf"),
                         ("fake_thing.kept", "fake_thing.gone_root")]
    assert rg.order() == [R("fake_thing.kept"), R("fake_thing.gone_root"),
                          R("fake_thing.gone_leaf")]


def test_orphan_dependency_on_an_unknown_address_is_ignored(env: Env):
    m = env.load('resource "fake_thing" "kept" { name = "kept" }\n')
    state = _state_with(("fake_thing.gone", ["fake_thing.never_existed", "not an address!"]))
    rg, diags = build_graph(m, state)
    assert not diags
    assert set(rg.graph.nodes) == {R("fake_thing.kept"), R("fake_thing.gone")}
    assert edges(rg) == []


def test_to_dot_lists_nodes_and_dependent_to_dependency_edges(env: Env):
    m = env.load('''
resource "fake_thing" "c" { name = "c" }
resource "fake_thing" "b" { name = fake_thing.c.id }
resource "fake_thing" "a" {
  name       = fake_thing.b.id
  depends_on = [fake_thing.c]
}
''')
    rg, _ = build_graph(m)
    assert to_dot(rg) == (
        'digraph G {\n'
        '  rankdir = "RL";\n'
        '  node [shape = rect, fontname = "sans-serif"];\n'
        '  "fake_thing.a" [label="fake_thing.a"];\n'
        '  "fake_thing.b" [label="fake_thing.b"];\n'
        '  "fake_thing.c" [label="fake_thing.c"];\n'
        '  "fake_thing.a" -> "fake_thing.b";\n'
        '  "fake_thing.a" -> "fake_thing.c";\n'
        '  "fake_thing.b" -> "fake_thing.c";\n'
        '}\n')
