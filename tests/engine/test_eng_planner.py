"""The planner: which action each instance gets, and why, against the fake provider."""

from __future__ import annotations

import pytest
from eng_fakes import Env

from engine.addrs import parse_instance
from engine.config.variables import collect_variable_values
from engine.plan.model import Action
from engine.state.model import TAINTED
from engine.values import Sensitive, Unknown

at = parse_instance

TWO = '''
resource "fake_thing" "b" {
  name = "b"
  zone = "z1"
}
resource "fake_thing" "a" {
  name      = "a"
  size      = 1
  parent_id = fake_thing.b.id
}
'''


def actions(p) -> dict:
    return {str(a): c.action for a, c in p.changes.items()}


def test_create_plans_computed_attributes_as_unknown(env: Env):
    p = env.plan_ok(TWO)
    assert actions(p) == {"fake_thing.a": Action.CREATE, "fake_thing.b": Action.CREATE}
    a = p.changes[at("fake_thing.a")]
    assert a.before is None
    assert isinstance(a.after["id"], Unknown)
    # b's id is not known yet, so a's argument that refers to it is not either
    assert isinstance(a.after["parent_id"], Unknown)
    assert a.after["size"] == 1
    assert a.dependencies == ["fake_thing.b"]
    assert p.counts() == (2, 0, 0)
    assert env.fake.calls == []  # planning never applies


def test_no_changes_when_configuration_matches_state(env: Env):
    env.converge(TWO)
    p = env.plan_ok(TWO)
    assert set(actions(p).values()) == {Action.NOOP}
    assert p.operations == [] and p.edges == []
    assert not p.has_changes
    assert p.counts() == (0, 0, 0)


def test_update_in_place_keeps_the_id(env: Env):
    env.converge(TWO)
    p = env.plan_ok(TWO.replace("size      = 1", "size      = 2"))
    assert actions(p) == {"fake_thing.a": Action.UPDATE, "fake_thing.b": Action.NOOP}
    a = p.changes[at("fake_thing.a")]
    assert a.before["size"] == 1 and a.after["size"] == 2
    assert a.after["id"] == a.before["id"]
    assert a.requires_replace == [] and a.reason is None
    assert p.counts() == (0, 1, 0)


def test_force_new_change_replaces_with_the_attribute_path(env: Env):
    env.converge(TWO)
    p = env.plan_ok(TWO.replace('"z1"', '"z2"'))
    b = p.changes[at("fake_thing.b")]
    assert b.action is Action.DELETE_THEN_CREATE
    assert b.requires_replace == [("zone",)]
    assert b.reason == "replace_because_cannot_update"
    # the replacement is a new object: what apply decides is unknown again
    assert isinstance(b.after["id"], Unknown) and b.before["id"] == "thing-1"
    assert p.counts()[0] == 1 and p.counts()[2] == 1


def test_unknown_computed_value_makes_a_dependents_force_new_attribute_replace(env: Env):
    cfg = '''
resource "fake_thing" "b" {
  name = "b"
  zone = "z1"
}
resource "fake_thing" "a" {
  name = "a"
  zone = fake_thing.b.arn
}
'''
    env.converge(cfg)
    p = env.plan_ok(cfg.replace('"z1"', '"z2"'))
    a = p.changes[at("fake_thing.a")]
    assert isinstance(a.after["zone"], Unknown)
    assert a.action is Action.DELETE_THEN_CREATE
    assert a.requires_replace == [("zone",)]
    assert p.counts() == (2, 0, 2)


def test_tainted_instance_is_replaced_with_a_reason(env: Env):
    state = env.converge(TWO)
    state.instance(at("fake_thing.b")).status = TAINTED
    p = env.plan_ok(TWO)
    b = p.changes[at("fake_thing.b")]
    assert b.action is Action.DELETE_THEN_CREATE
    assert b.reason == "replace_because_tainted"
    assert b.requires_replace == []


def test_replace_option_forces_replacement_of_that_instance_only(env: Env):
    env.converge(TWO)
    p = env.plan_ok(TWO, replace=[at("fake_thing.a")])
    assert actions(p)["fake_thing.b"] is Action.NOOP
    a = p.changes[at("fake_thing.a")]
    assert a.action is Action.DELETE_THEN_CREATE and a.reason == "replace_by_request"


def test_replace_with_create_before_destroy_creates_first(env: Env):
    cfg = TWO.replace('zone = "z1"',
                      'zone = "z1"\n  lifecycle {\n    create_before_destroy = true\n  }')
    env.converge(cfg)
    p = env.plan_ok(cfg, replace=[at("fake_thing.b")])
    assert p.changes[at("fake_thing.b")].action is Action.CREATE_THEN_DELETE
    assert [str(o) for o in p.operations if str(o.addr) == "fake_thing.b"] == [
        "apply fake_thing.b", "destroy fake_thing.b"]


def test_resource_removed_from_configuration_is_deleted_with_a_reason(env: Env):
    env.converge(TWO)
    p = env.plan_ok('resource "fake_thing" "b" {\n  name = "b"\n  zone = "z1"\n}\n')
    a = p.changes[at("fake_thing.a")]
    assert a.action is Action.DELETE
    assert a.reason == "delete_because_no_resource_config"
    assert a.after is None and a.before["name"] == "a"
    assert p.counts() == (0, 0, 1)


def test_count_shrink_deletes_the_extra_index(env: Env):
    cfg = 'resource "fake_thing" "n" {\n  count = 3\n  name  = "n${count.index}"\n}\n'
    env.converge(cfg)
    p = env.plan_ok(cfg.replace("count = 3", "count = 1"))
    assert actions(p) == {"fake_thing.n[0]": Action.NOOP, "fake_thing.n[1]": Action.DELETE,
                          "fake_thing.n[2]": Action.DELETE}
    assert {c.reason for c in p.changes.values() if c.action is Action.DELETE} == {
        "delete_because_count_index"}


def test_for_each_key_removed_is_deleted(env: Env):
    cfg = 'resource "fake_thing" "n" {\n  for_each = toset(["x", "y"])\n  name = each.key\n}\n'
    env.converge(cfg)
    p = env.plan_ok(cfg.replace('"x", "y"', '"x"'))
    assert actions(p) == {'fake_thing.n["x"]': Action.NOOP, 'fake_thing.n["y"]': Action.DELETE}
    assert p.changes[at('fake_thing.n["y"]')].reason == "delete_because_each_key"


def test_object_deleted_outside_is_planned_for_creation_again(env: Env):
    state = env.converge(TWO)
    del env.fake.objects[state.instance(at("fake_thing.a")).attributes["id"]]
    p = env.plan_ok(TWO)
    assert actions(p) == {"fake_thing.a": Action.CREATE, "fake_thing.b": Action.NOOP}
    # without refresh the plan trusts the state
    assert actions(env.plan_ok(TWO, refresh=False))["fake_thing.a"] is Action.NOOP


def test_destroy_mode_deletes_everything_in_reverse_dependency_order(env: Env):
    cfg = TWO + 'resource "fake_thing" "top" {\n  name = fake_thing.a.id\n}\n'
    env.converge(cfg)
    p = env.plan_ok(cfg, destroy=True)
    assert set(actions(p).values()) == {Action.DELETE}
    assert [str(o) for o in p.operations] == [
        "destroy fake_thing.top", "destroy fake_thing.a", "destroy fake_thing.b"]
    assert p.destroy and p.counts() == (0, 0, 3)


def test_destroy_mode_with_a_reference_to_a_counted_instance(env: Env):
    cfg = '''
resource "fake_thing" "b" {
  count = 2
  name  = "b${count.index}"
}
resource "fake_thing" "a" {
  name      = "a"
  parent_id = fake_thing.b[0].id
}
'''
    env.converge(cfg)
    p, diags = env.plan(cfg, destroy=True)
    assert [d.summary for d in diags] == []
    assert set(actions(p).values()) == {Action.DELETE}


@pytest.mark.parametrize("change, kw", [
    ('"z2"', {}),  # force_new change -> replacement
    (None, {"destroy": True}),
    (None, {"replace": [at("fake_thing.p")]}),
])
def test_prevent_destroy_stops_a_plan_that_would_destroy(env: Env, change, kw):
    cfg = '''resource "fake_thing" "p" {
  name = "p"
  zone = "z1"
  lifecycle {
    prevent_destroy = true
  }
}
'''
    env.converge(cfg)
    p, diags = env.plan(cfg.replace('"z1"', change) if change else cfg, **kw)
    assert p is None
    assert [d.summary for d in diags] == ["Instance cannot be destroyed"]
    d = diags.items[0]
    assert d.address == "fake_thing.p"
    assert (d.subject.filename, d.subject.start.line) == ("main.tf", 1)
    assert "lifecycle.prevent_destroy" in d.detail


def test_prevent_destroy_allows_updates(env: Env):
    cfg = 'resource "fake_thing" "p" {\n  name = "p"\n  size = 1\n  lifecycle {\n' \
          '    prevent_destroy = true\n  }\n}\n'
    env.converge(cfg)
    p = env.plan_ok(cfg.replace("size = 1", "size = 2"))
    assert actions(p) == {"fake_thing.p": Action.UPDATE}


SENSITIVE_VAR = '''
variable "pw" {
  type      = string
  sensitive = true
}
resource "fake_thing" "a" {
  name   = "a"
  label  = var.pw
  secret = "schema-sensitive"
}
'''


def test_sensitive_variable_marks_the_planned_attribute(env: Env):
    module = env.load(SENSITIVE_VAR)
    variables, diags = collect_variable_values(module, cli_vars=[("var", "pw=hunter2")])
    assert not diags and isinstance(variables["pw"], Sensitive)
    p = env.plan_ok(None, variables)
    after = p.changes[at("fake_thing.a")].after
    assert isinstance(after["label"], Sensitive) and after["label"].value == "hunter2"
    # schema-sensitive attributes are marked (and recorded) too
    assert isinstance(after["secret"], Sensitive)
    assert p.changes[at("fake_thing.a")].sensitive_paths == [("secret",)]
    assert not isinstance(after["name"], Sensitive)


def test_output_of_a_sensitive_value_must_be_marked_sensitive(env: Env):
    p, diags = env.plan('''
resource "fake_thing" "a" {
  name   = "a"
  secret = "s"
}
output "leak" {
  value = fake_thing.a.secret
}
''')
    assert p is None
    assert [d.summary for d in diags] == ["Output refers to sensitive values"]
    assert 'sensitive = true to output "leak"' in diags.items[0].detail


def test_output_changes_are_planned(env: Env):
    cfg = TWO + 'output "a_id" {\n  value = fake_thing.a.id\n}\noutput "c" {\n  value = "one"\n}\n'
    p = env.plan_ok(cfg)
    assert p.output_changes["a_id"].action is Action.CREATE
    assert isinstance(p.output_changes["a_id"].after, Unknown)
    env.apply(p)
    p = env.plan_ok(cfg.replace('"one"', '"two"'))
    assert p.output_changes["a_id"].action is Action.NOOP
    assert p.output_changes["c"].action is Action.UPDATE
    assert (p.output_changes["c"].before, p.output_changes["c"].after) == ("one", "two")
    assert p.has_changes and not p.has_resource_changes


# -- provider diagnostics placed at the argument they are about --------------------------

DIAG_CFG = '''resource "fake_thing" "a" {
  name  = "a"
  items = ["x", "y"]
  rule {
    cidr = "10.0.0.0/8"
  }
  rule {
    cidr = "bad"
    port = 22
  }
}
'''


@pytest.mark.parametrize("path, where, text", [
    (("name",), (2, 11), '"a"'),
    (("items",), (3, 11), '["x", "y"]'),
    (("items", 1), (3, 17), '"y"'),
    (("rule", 1, "cidr"), (8, 12), '"bad"'),
    (("rule", 1, "port"), (9, 12), "22"),
    (("rule", 0, "cidr"), (5, 12), '"10.0.0.0/8"'),
])
def test_plan_diagnostic_path_maps_to_the_argument(env: Env, path, where, text):
    env.fake.plan_diags["fake_thing.a"] = [("Invalid value", path)]
    p, diags = env.plan(DIAG_CFG)
    assert p is None
    [d] = list(diags)
    assert d.summary == "Invalid value" and d.address == "fake_thing.a"
    assert d.attribute_path == path
    s = d.subject
    assert (s.filename, s.start.line, s.start.column) == ("main.tf",) + where
    line = DIAG_CFG.splitlines()[s.start.line - 1]
    assert s.end.line == s.start.line
    assert line[s.start.column - 1:s.end.column - 1] == text


def test_validate_diagnostic_in_a_nested_block_maps_to_its_line(env: Env):
    env.fake.validate_diags["a"] = [("Bad port", ("rule", 1, "port"))]
    p, diags = env.plan(DIAG_CFG)
    assert p is None
    [d] = list(diags)
    assert (d.summary, str(d.subject), d.address) == ("Bad port", "main.tf:9,12", "fake_thing.a")


def test_diagnostic_for_an_unset_path_falls_back_to_the_nearest_written_ancestor(env: Env):
    env.fake.plan_diags["fake_thing.a"] = [("Needs a port", ("rule", 0, "port")),
                                           ("Whole resource", None)]
    _, diags = env.plan(DIAG_CFG)
    subjects = {d.summary: str(d.subject) for d in diags}
    # rule[0] sets no port: the diagnostic points at that rule block
    assert subjects == {"Needs a port": "main.tf:4,3", "Whole resource": "main.tf:1,1"}


def test_cross_object_check_sees_every_object_and_its_references(env: Env):
    env.converge(TWO + 'resource "fake_thing" "old" {\n  name = "old"\n}\n')
    env.plan_ok(TWO.replace("size      = 1", "size      = 2"))
    seen = {o.address: o for o in env.fake.checked}
    assert {a: o.action for a, o in seen.items()} == {
        "fake_thing.a": "update", "fake_thing.b": "no-op", "fake_thing.old": "delete"}
    assert seen["fake_thing.a"].references == {"parent_id": [("fake_thing.b", "id")]}
    assert seen["fake_thing.a"].value["size"] == 2


def test_cross_object_check_diagnostic_maps_to_the_argument(env: Env):
    env.fake.check_diags = [("fake_thing.a", "Too many rules", ("rule", 1, "port"))]
    p, diags = env.plan(DIAG_CFG)
    assert p is None
    [d] = list(diags)
    assert (d.summary, str(d.subject), d.address) == ("Too many rules", "main.tf:9,12",
                                                      "fake_thing.a")
