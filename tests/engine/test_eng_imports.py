"""Import blocks in the core: planned as adoptions (``importing_id``), rendered as
Terraform shows them, recorded first at apply; generated configuration text."""

from __future__ import annotations

import textwrap

from eng_fakes import THING, Env, RecordingSink

from engine.addrs import parse_instance
from engine.plan import genconfig
from engine.plan.model import Action
from engine.plan.render import render_plan
from engine.values import Sensitive

at = parse_instance

OBJECT = {"id": "t-1", "arn": "arn:t-1", "name": "web", "size": 2, "zone": "z1",
          "parent_id": None, "secret": None, "label": None, "items": ["a"], "tags": None,
          "rule": [{"cidr": "10.0.0.0/8", "port": None}]}

CONFIG = '''
import {
  to = fake_thing.web
  id = var.thing_id
}
variable "thing_id" {
  default = "t-1"
}
resource "fake_thing" "web" {
  name  = "%s"
  size  = 2
  zone  = "z1"
  items = ["a"]
  rule {
    cidr = "10.0.0.0/8"
  }
}
'''


def _env(tmp_path) -> Env:
    env = Env(tmp_path)
    env.fake.objects["t-1"] = dict(OBJECT)
    return env


def test_an_import_that_changes_nothing(tmp_path):
    env = _env(tmp_path)
    p = env.plan_ok(CONFIG % "web", {"thing_id": "t-1"})
    ch = p.changes[at("fake_thing.web")]
    assert (ch.action, ch.importing_id) == (Action.NOOP, "t-1")
    assert ch.is_change and p.has_changes and p.operations == []
    assert render_plan(p) == textwrap.dedent('''
        vpnform used the selected providers to generate the following execution
        plan. Resource actions are indicated with the following symbols:

        vpnform will perform the following actions:

          # fake_thing.web will be imported
            resource "fake_thing" "web" {
                arn   = "arn:t-1"
                id    = "t-1"
                items = [
                    "a",
                ]
                name  = "web"
                size  = 2
                zone  = "z1"
                rule {
                    cidr = "10.0.0.0/8"
                }
            }

        Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.
        ''')
    sink = RecordingSink()
    state, diags = env.apply(p, sink=sink)
    assert not diags.has_errors
    assert [r[0] for r in sink.records] == ["fake_thing.web"]
    assert env.fake.calls == []
    assert state.instance(at("fake_thing.web")).attributes["id"] == "t-1"
    # the import block is now a no-op: the object is in state
    p = env.plan_ok(CONFIG % "web", {"thing_id": "t-1"})
    assert p.changes[at("fake_thing.web")].importing_id is None
    assert not p.has_changes


def test_an_import_with_an_update(tmp_path):
    env = _env(tmp_path)
    p = env.plan_ok(CONFIG % "renamed", {"thing_id": "t-1"})
    ch = p.changes[at("fake_thing.web")]
    assert (ch.action, ch.importing_id) == (Action.UPDATE, "t-1")
    text = render_plan(p)
    assert ('  # fake_thing.web will be updated in-place\n'
            '  # (imported from "t-1")\n'
            '  ~ resource "fake_thing" "web" {\n') in text
    assert "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy." in text
    sink = RecordingSink()
    state, diags = env.apply(p, sink=sink)
    assert not diags.has_errors, [(d.summary, d.detail) for d in diags]
    # recorded as imported first, then as updated
    assert [(r[0], r[2]["name"]) for r in sink.records] == [("fake_thing.web", "web"),
                                                            ("fake_thing.web", "renamed")]
    assert env.fake.order() == ["update fake_thing.web"]


def test_an_import_of_a_missing_object_fails_the_plan(tmp_path):
    env = _env(tmp_path)
    p, diags = env.plan(CONFIG % "web", {"thing_id": "t-404"})
    assert p is None
    [d] = diags.errors
    assert d.summary == "Cannot import non-existent remote object"
    assert (d.subject.start.line, d.subject.start.column) == (2, 1)


def test_generated_resource_block():
    value = dict(OBJECT, secret=Sensitive("hunter2"), label="${x} %{y}", tags={"a b": "1"})
    text = genconfig.file_text([genconfig.resource_block(at("fake_thing.web"), THING, value,
                                                         "t-1", "fake.eu")])
    assert text == textwrap.dedent('''\
        # __generated__ by vpnform
        # Please review these resources and move them into your main configuration files.

        # __generated__ by vpnform from "t-1"
        resource "fake_thing" "web" {
          provider  = fake.eu
          items     = ["a"]
          label     = "$${x} %%{y}"
          name      = "web"
          parent_id = null
          secret    = null # sensitive
          size      = 2
          tags = {
            "a b" = "1"
          }
          zone = "z1"
          rule {
            cidr = "10.0.0.0/8"
            port = null
          }
        }
        ''')
    assert "hunter2" not in text
