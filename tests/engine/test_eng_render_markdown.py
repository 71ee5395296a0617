"""A plan as a pull-request comment (``show -markdown``): what a reviewer sees once GitHub
has rendered it. Each plan goes the way the CLI takes it: the plan's redacted ``show -json``
document, read back (json_plan.plan_from_json), then rendered. The comments are parsed
with cmarkgfm, GitHub's own markdown parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options
from eng_fakes import Env

from engine.addrs import ProviderConfigAddr, parse_instance
from engine.config.tree import as_config
from engine.config.variables import collect_variable_values
from engine.diagnostics import Diagnostics
from engine.plan.json_plan import plan_from_json, plan_json
from engine.plan.model import Action, Plan, ResourceInstanceChange
from engine.plan.render import Styler, render_change
from engine.plan.render_markdown import diff_lines, md_code, md_text, render_markdown
from engine.state.model import State

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


class _Html(HTMLParser):
    """The elements of rendered HTML, and the text of each <pre> block and <summary>."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.pre: list[str] = []
        self.summaries: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in.append(tag)
        if tag == "pre":
            self.pre.append("")
        if tag == "summary":
            self.summaries.append("")

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]

    def handle_data(self, data):
        if "pre" in self._in:
            self.pre[-1] += data
        if "summary" in self._in:
            self.summaries[-1] += data


def github(text: str) -> _Html:
    """``text`` rendered as GitHub renders a comment (raw HTML kept), then parsed."""
    h = _Html()
    h.feed(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))
    h.close()
    return h


def comment(env: Env, plan: Plan, **kw) -> str:
    doc = plan_json(plan, as_config(env.module), env.providers, "0.0.0")
    return render_markdown(plan_from_json(doc, env.providers.schemas), **kw)


def diff_of(plan: Plan, addr: str) -> str:
    """The human plan's lines of one change, symbols moved to column 0."""
    return "\n".join(diff_lines(render_change(plan.changes[parse_instance(addr)],
                                              Styler(False)))) + "\n"


def test_create_counts_collapsible_diff_and_secrets_redacted(env: Env):
    module = env.load('''
variable "pw" {
  type      = string
  sensitive = true
}
resource "fake_thing" "web" {
  name   = "web"
  label  = var.pw
  secret = "s3cret"
  items  = ["a", "b"]
}
output "pw" {
  value     = var.pw
  sensitive = true
}
''')
    variables, _ = collect_variable_values(module, cli_vars=[("var", "pw=hunter2")])
    plan = env.plan_ok(None, variables)
    text = comment(env, plan, targets=["Provider fake: region z1"])
    assert text.startswith("### vpnform plan: 1 to add, 0 to change, 0 to destroy\n")
    assert "hunter2" not in text and "s3cret" not in text
    html = github(text)
    assert html.tags.count("details") == 1 and html.summaries == [
        "➕ fake_thing.web will be created"]
    assert html.pre[0] == diff_of(plan, "fake_thing.web")
    assert '+       label  = (sensitive value)' in html.pre[0]
    assert '+       secret = (sensitive value)' in html.pre[0]
    assert "+   pw = (sensitive value)" in html.pre[1]  # the output
    assert "Provider fake: region z1" in text
    assert "Destroys" not in text


def test_update_and_replace_are_the_human_plan_lines_with_replacements_highlighted(env: Env):
    env.converge(BASE + 'resource "fake_thing" "db" {\n  name = "db"\n  size = 1\n}\n')
    plan = env.plan_ok(BASE.replace('"z1"', '"z2"')
                       + 'resource "fake_thing" "db" {\n  name = "db"\n  size = 5\n}\n')
    text = comment(env, plan)
    assert text.startswith("### vpnform plan: 1 to add, 1 to change, 1 to destroy\n")
    html = github(text)
    assert html.summaries == ["✏️ fake_thing.db will be updated in-place",
                              "♻️ fake_thing.web must be replaced"]
    assert html.pre[0] == diff_of(plan, "fake_thing.db")
    assert "~       size = 1 -> 5" in html.pre[0]
    assert html.pre[1] == diff_of(plan, "fake_thing.web")
    assert re.search(r'^~ +zone += "z1" -> "z2"  # forces replacement$', html.pre[1], re.M)
    risky = text.split("**⚠️ Destroys / replaces (1):**", 1)[1].split("####", 1)[0]
    assert risky.strip() == "- ♻️ `fake_thing.web` must be replaced"


def test_delete_is_highlighted_and_shown_with_minus_lines(env: Env):
    env.converge(BASE)
    plan = env.plan_ok('resource "fake_thing" "other" {\n  name = "o"\n}\n')
    text = comment(env, plan)
    assert "1 to add, 0 to change, 1 to destroy" in text.splitlines()[0]
    assert "- 🗑️ `fake_thing.web` will be destroyed" in text
    html = github(text)
    web = html.pre[html.summaries.index("🗑️ fake_thing.web will be destroyed")]
    assert web.splitlines()[2].startswith('-   resource "fake_thing" "web" {')
    assert '-       name  = "web" -> null' in web
    assert "-   web_name = \"web\" -> null" in html.pre[-1]


def test_deposed_object_is_a_destroy_named_with_its_key(env: Env):
    addr = parse_instance("fake_thing.web")
    old = ResourceInstanceChange(addr, ProviderConfigAddr("fake"), Action.DELETE,
                                 {"id": "thing-old", "name": "web"}, None, deposed="0badf00d")
    plan = Plan(changes={}, operations=[], edges=[], output_changes={}, prior_state=State(),
                variables={}, config_dir="", config_digest="",
                deposed={(addr, "0badf00d"): old})
    text = render_markdown(plan)
    assert text.startswith("### vpnform plan: 0 to add, 0 to change, 1 to destroy\n")
    assert ("- 🗑️ `fake_thing.web (deposed object 0badf00d)` will be destroyed"
            in text)
    html = github(text)
    assert html.summaries == ["🗑️ fake_thing.web (deposed object 0badf00d) will be destroyed"]
    assert "(left over from a partially-failed replacement" in html.pre[0]
    assert '-       id   = "thing-old" -> null' in html.pre[0]


def test_no_changes(env: Env):
    env.converge(BASE)
    text = comment(env, env.plan_ok(BASE))
    assert text.startswith("### vpnform plan: no changes\n")
    assert "<details>" not in text and "Destroys" not in text


def test_names_and_values_cannot_break_the_comment(env: Env):
    nasty = 'a<b>`|`</details>'
    value = "x\n````\n</details><script>alert(1)</script> | *y*"
    env.load(f'''
resource "fake_thing" "n" {{
  for_each = toset([{nasty!r}])
  name     = each.key
  label    = {value!r}
}}
'''.replace("'", '"').replace("\n````", "\\n````"))
    plan = env.plan_ok(None)
    text = comment(env, plan)
    html = github(text)
    # one collapsible section, one code block, and no element from the plan's own text
    assert html.tags.count("details") == 1 and html.tags.count("pre") == 1
    assert not {"b", "script", "table"} & set(html.tags)
    addr = 'fake_thing.n["a<b>`|`</details>"]'
    assert html.summaries == [f"➕ {addr} will be created"]
    assert html.pre[0] == diff_of(plan, addr)
    assert "````" in html.pre[0]  # the value is in the block whole


def test_escaping_helpers_round_trip_through_github():
    for s in ["a`b", "``x``", "`", "<b>|</b>", "*_[x](y)_*"]:
        html = github(f"- {md_code(s)}")
        assert html.tags == ["ul", "li", "code"], s
        html = github(f"- {md_text(s)}")
        assert html.tags == ["ul", "li"], s


def test_long_plans_are_cut_at_a_resource_with_a_note(env: Env):
    env.load('''
resource "fake_thing" "n" {
  count = 300
  name  = "thing-${count.index}-with-a-long-name-to-make-the-diff-longer"
  items = ["a", "b", "c", "d"]
}
output "names" {
  value = fake_thing.n[*].name
}
''')
    plan = env.plan_ok(None)
    full = comment(env, plan, limit=10**9)
    assert len(full) > 65536  # the case in question
    text = comment(env, plan)
    assert len(text) <= 65536
    html = github(text)
    shown = html.tags.count("details")
    assert 0 < shown < 300
    assert (f"**Truncated**: {300 - shown} of 300 resource changes are not shown here: a "
            "comment is limited to 65,536 characters.") in text
    assert "#### Changes to outputs" in text and "#### Warnings and errors" in text
    assert len(html.pre) == shown + 1  # every block closed: the diffs and the outputs
    small = comment(env, plan, limit=3000)  # the outputs alone are longer than that
    assert len(small) <= 3000
    html = github(small)
    shown = html.tags.count("details")
    assert f"**Truncated**: {300 - shown} of 300 resource changes" in small
    assert "_The output changes are too long for this comment" in small
    assert small.rstrip().endswith("`vpnform plan`._")  # the diagnostics section kept
    assert len(html.pre) == shown


def test_a_comment_cut_anywhere_closes_its_code_block(env: Env):
    env.converge(BASE)
    plan = env.plan_ok(BASE.replace("size  = 2", "size  = 3"))
    d = Diagnostics()
    for i in range(40):
        d.warning(f"Warning {i}", "A long detail line that goes on and on.\n" * 5)
    text = comment(env, plan, diagnostics=d, limit=2500)
    assert len(text) <= 2500 and "**Truncated**" in text
    html = github(text)
    assert html.tags.count("blockquote") == 1  # the note is outside any code block


def test_many_destroys_are_listed_up_to_a_bound(env: Env):
    many = 'resource "fake_thing" "n" {\n  count = 150\n  name  = "n${count.index}"\n}\n'
    env.converge(many)
    text = comment(env, env.plan_ok('resource "fake_thing" "keep" {\n  name = "k"\n}\n'))
    assert text.startswith("### vpnform plan: 1 to add, 0 to change, 150 to destroy\n")
    listed = [line for line in text.splitlines() if line.startswith("- 🗑️ `fake_thing.n[")]
    assert len(listed) == 100 and "- … and 50 more" in text


def test_drift_is_one_collapsed_section(env: Env):
    addr = parse_instance("fake_thing.web")
    drifted = ResourceInstanceChange(addr, ProviderConfigAddr("fake"), Action.UPDATE,
                                     {"id": "t1", "name": "web", "size": 2},
                                     {"id": "t1", "name": "web", "size": 9})
    plan = Plan(changes={}, operations=[], edges=[], output_changes={}, prior_state=State(),
                variables={}, config_dir="", config_digest="", drift={addr: drifted})
    text = render_markdown(plan)
    assert text.startswith("### vpnform plan: no changes to make\n")
    html = github(text)
    assert html.summaries[0].startswith("🔀 Objects changed outside of vpnform (1)")
    assert html.summaries[1] == "✏️ fake_thing.web has changed"
    assert "~       size = 2 -> 9" in html.pre[0]


def test_warnings_and_errors_or_a_note_that_the_plan_file_does_not_keep_them(env: Env):
    env.converge(BASE)
    plan = env.plan_ok(BASE.replace("size  = 2", "size  = 3"))
    assert "does not keep the plan's warnings and errors" in comment(env, plan)
    d = Diagnostics()
    d.warning("Deprecated <argument>", "Use `other` instead.\nSecond line.")
    d.error("Quota | exceeded", "")
    text = comment(env, plan, diagnostics=d)
    section = text.split("#### Warnings and errors", 1)[1]
    html = github(section)
    assert html.tags.count("li") == 2 and "b" not in html.tags
    assert "⚠️ **Warning**: Deprecated \\<argument\\>" in section
    assert "❌ **Error**: Quota \\| exceeded" in section
    assert "Use `other` instead.\nSecond line.\n" in html.pre
    assert re.search(r"#### Warnings and errors\n\nNone\.", comment(env, plan,
                                                                   diagnostics=Diagnostics()))
