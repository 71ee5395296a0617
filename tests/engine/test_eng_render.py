"""Plan text as a person reads it: Terraform's symbols, layout and redaction."""

from __future__ import annotations

import textwrap

from eng_fakes import Env

from engine.addrs import parse_instance
from engine.config.variables import collect_variable_values
from engine.plan.render import render_plan

at = parse_instance

HEADER = textwrap.dedent("""
    vpnform used the selected providers to generate the following execution
    plan. Resource actions are indicated with the following symbols:
    """)

BASE = '''
resource "fake_thing" "web" {
  name  = "web"
  size  = 2
  zone  = "z1"
  label = "front"
  items = ["a", "b"]
  rule {
    cidr = "10.0.0.0/8"
  }
}
output "web_name" {
  value = fake_thing.web.name
}
'''


def golden(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fragment(text: str) -> str:
    """Exact lines, each written after a ``|`` so that leading spaces are kept."""
    return "".join(line.split("|", 1)[1] + "\n" for line in text.splitlines() if "|" in line)


def test_create_with_list_nested_block_sensitive_unknown_and_outputs(env: Env):
    module = env.load('''
variable "pw" {
  type      = string
  sensitive = true
}
resource "fake_thing" "web" {
  name   = "web"
  size   = 2
  label  = var.pw
  secret = "s3cret"
  items  = ["a", "b"]
  tags   = { env = "dev", "team-x" = "net" }
  rule {
    cidr = "10.0.0.0/8"
    port = 22
  }
}
output "web_id" {
  value = fake_thing.web.id
}
output "pw" {
  value     = var.pw
  sensitive = true
}
''')
    variables, _ = collect_variable_values(module, cli_vars=[("var", "pw=hunter2")])
    text = render_plan(env.plan_ok(None, variables), color=False)
    assert text == HEADER + golden('''
          + create

        vpnform will perform the following actions:

          # fake_thing.web will be created
          + resource "fake_thing" "web" {
              + arn    = (known after apply)
              + id     = (known after apply)
              + items  = [
                  + "a",
                  + "b",
                ]
              + label  = (sensitive value)
              + name   = "web"
              + secret = (sensitive value)
              + size   = 2
              + tags   = {
                  + "env"    = "dev"
                  + "team-x" = "net"
                }
              + rule {
                  + cidr = "10.0.0.0/8"
                  + port = 22
                }
            }

        Plan: 1 to add, 0 to change, 0 to destroy.

        Changes to Outputs:
          + pw     = (sensitive value)
          + web_id = (known after apply)
        ''')
    assert "hunter2" not in text and "s3cret" not in text
    assert "\x1b" not in text


def test_update_shows_only_changed_attributes_plus_id_and_name(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok(BASE.replace("size  = 2", "size  = 3")))
    assert text == HEADER + golden('''
          ~ update in-place

        vpnform will perform the following actions:

          # fake_thing.web will be updated in-place
          ~ resource "fake_thing" "web" {
                id   = "thing-1"
                name = "web"
              ~ size = 2 -> 3
                # (4 unchanged attributes hidden)
                # (1 unchanged block hidden)
            }

        Plan: 0 to add, 1 to change, 0 to destroy.
        ''')


def test_replace_marks_the_attribute_that_forces_it(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok(BASE.replace('"z1"', '"z2"')))
    assert text == HEADER + golden('''
        -/+ destroy and then create replacement

        vpnform will perform the following actions:

          # fake_thing.web must be replaced
        -/+ resource "fake_thing" "web" {
              ~ arn  = "arn:fake:web:1" -> (known after apply)
              ~ id   = "thing-1" -> (known after apply)
                name = "web"
              ~ zone = "z1" -> "z2"  # forces replacement
                # (3 unchanged attributes hidden)
                # (1 unchanged block hidden)
            }

        Plan: 1 to add, 0 to change, 1 to destroy.
        ''')


def test_delete_of_a_resource_no_longer_in_configuration(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok('resource "fake_thing" "other" {\n  name = "o"\n}\n'))
    assert fragment('''
        |  # fake_thing.web will be destroyed
        |  # (because fake_thing.web is not in configuration)
        |  - resource "fake_thing" "web" {
        |      - arn   = "arn:fake:web:1" -> null
        |      - id    = "thing-1" -> null
        |      - items = [
        |          - "a",
        |          - "b",
        |        ] -> null
        |      - label = "front" -> null
        |      - name  = "web" -> null
        |      - size  = 2 -> null
        |      - zone  = "z1" -> null
        |      - rule {
        |          - cidr = "10.0.0.0/8" -> null
        |        }
        |    }
        ''') in text
    assert text.endswith(golden('''
        Plan: 1 to add, 0 to change, 1 to destroy.

        Changes to Outputs:
          - web_name = "web" -> null
        '''))
    assert "  + create\n  - destroy\n" in text


def test_list_attribute_update_marks_added_removed_and_kept_elements(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok(BASE.replace('["a", "b"]', '["a", "c"]')))
    lines = text.splitlines()
    start = lines.index('      ~ items = [')
    body = lines[start + 1:start + 4]
    assert sorted(body) == sorted(['          - "b",', '            "a",', '          + "c",'])
    assert lines[start + 4] == "        ]"


def test_nested_block_change_shows_old_and_new_block(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok(BASE.replace('cidr = "10.0.0.0/8"', 'cidr = "10.9.0.0/16"')))
    assert fragment('''
        |      - rule {
        |          - cidr = "10.0.0.0/8" -> null
        |        }
        |      + rule {
        |          + cidr = "10.9.0.0/16"
        |        }
        |    }
        ''') in text


def test_headers_for_tainted_requested_and_count_index(env: Env):
    cfg = 'resource "fake_thing" "n" {\n  count = 3\n  name  = "n${count.index}"\n}\n'
    state = env.converge(cfg)
    state.instance(at("fake_thing.n[0]")).status = "tainted"
    text = render_plan(env.plan_ok(cfg.replace("count = 3", "count = 2"),
                                   replace=[at("fake_thing.n[1]")]))
    assert "  # fake_thing.n[0] is tainted, so must be replaced\n" in text
    assert "  # fake_thing.n[1] will be replaced, as requested\n" in text
    assert ("  # fake_thing.n[2] will be destroyed\n"
            "  # (because index [2] is out of range for count)\n") in text
    assert "Plan: 2 to add, 0 to change, 3 to destroy.\n" in text


def test_summary_counts_every_kind_of_change(env: Env):
    cfg = BASE + 'resource "fake_thing" "gone" {\n  name = "gone"\n}\n' \
                 'resource "fake_thing" "upd" {\n  name = "upd"\n}\n'
    env.converge(cfg)
    new = BASE.replace('"z1"', '"z2"') + 'resource "fake_thing" "upd" {\n  name = "upd"\n' \
        '  size = 1\n}\nresource "fake_thing" "new" {\n  name = "new"\n}\n'
    text = render_plan(env.plan_ok(new))
    assert "\nPlan: 2 to add, 1 to change, 2 to destroy.\n" in text
    assert "  + create\n  ~ update in-place\n  - destroy\n-/+ destroy and then create " \
        "replacement\n" in text


def test_no_changes(env: Env):
    env.converge(BASE)
    assert render_plan(env.plan_ok(BASE)) == (
        "\nNo changes. Your infrastructure matches the configuration.\n\n"
        "vpnform has compared your real infrastructure against your configuration\n"
        "and found no differences, so no changes are needed.\n")


def test_output_only_changes_have_no_plan_line(env: Env):
    env.converge(BASE)
    text = render_plan(env.plan_ok(BASE.replace("value = fake_thing.web.name", 'value = "x"')))
    assert text == '\nChanges to Outputs:\n  ~ web_name = "web" -> "x"\n'


def test_color_only_when_asked(env: Env):
    env.converge(BASE)
    p = env.plan_ok(BASE.replace('"z1"', '"z2"'))
    plain_text = render_plan(p, color=False)
    colored = render_plan(p, color=True)
    assert "\x1b[" not in plain_text
    assert "\x1b[" in colored
    import re
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain_text


def test_delete_does_not_show_an_empty_nested_block_list_as_an_attribute(env: Env):
    env.converge('resource "fake_thing" "db" {\n  name = "db"\n}\n')
    text = render_plan(env.plan_ok('resource "fake_thing" "db" {\n  name = "db"\n}\n',
                                   destroy=True))
    assert "rule" not in text


def test_value_from_a_sensitive_variable_stays_hidden_in_later_plans(env: Env):
    cfg = '''
variable "pw" {
  type      = string
  sensitive = true
}
resource "fake_thing" "a" {
  name  = "a"
  label = var.pw
  size  = 1
}
'''
    module = env.load(cfg)
    variables, _ = collect_variable_values(module, cli_vars=[("var", "pw=hunter2")])
    env.apply(env.plan_ok(None, variables))
    text = render_plan(env.plan_ok(cfg.replace("size  = 1", "size  = 2"), variables))
    assert "~ size = 1 -> 2" in text
    assert "hunter2" not in text
