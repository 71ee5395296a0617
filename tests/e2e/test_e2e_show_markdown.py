"""``vpnform show -markdown PLANFILE``: a saved plan of the quick start as the pull-request
comment a pipeline posts, checked as GitHub renders it (cmarkgfm, GitHub's parser): the
counts, the provider's target, destroys and replacements first, one collapsible diff per
resource, and the pre-shared key in no form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options
from cli import QUICKSTART_ADDRESSES, run, write_config
from test_e2e_secrets import PSK, _forms

ENV = {"TF_VAR_psk": PSK}


class _Rendered(HTMLParser):
    """The comment as GitHub renders it: its elements, <summary> texts and <pre> texts."""

    def __init__(self, markdown: str):
        super().__init__()
        self.tags: list[str] = []
        self.summaries: list[str] = []
        self.pre: list[str] = []
        self._open: list[str] = []
        self.feed(cmarkgfm.github_flavored_markdown_to_html(
            markdown, options=Options.CMARK_OPT_UNSAFE))
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._open.append(tag)
        if tag in ("summary", "pre"):
            (self.summaries if tag == "summary" else self.pre).append("")

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        if "summary" in self._open:
            self.summaries[-1] += data
        if "pre" in self._open:
            self.pre[-1] += data


def _no_psk(text: str) -> None:
    for form in _forms(PSK):
        assert form.decode("latin-1") not in text, f"the PSK is in the comment as {form!r}"


_SHIFTED = re.compile(r"^(-/\+|\+/-|<=|[-+~.])( +)(\S.*)$")


def _as_in_human_plan(block: str) -> str:
    """A diff block's lines with each symbol put back where the human plan has it."""
    out = []
    for line in block.splitlines():
        m = _SHIFTED.match(line)
        if m:
            sym, gap, body = m.groups()
            line = " " * (len(gap) - 1) + sym + " " + body
        out.append(line)
    return "\n".join(out)


def _markdown(workdir, *plan_args: str) -> str:
    """The comment of a new saved plan; each diff is the human plan's own lines."""
    res = run(workdir, "plan", "-out=pr.tfplan", *plan_args, env=ENV)
    assert res.code == 0, res
    shown = run(workdir, "show", "-markdown", "pr.tfplan", env=ENV)
    assert shown.code == 0 and not shown.stderr, shown
    _no_psk(shown.output)
    human = run(workdir, "show", "pr.tfplan", env=ENV)
    for block in _Rendered(shown.stdout.split("#### Warnings and errors")[0]).pre:
        assert _as_in_human_plan(block) in human.stdout, block
    return shown.stdout


def test_create_plan_as_a_pull_request_comment(quickstart):
    text = _markdown(quickstart, "-lint=off")  # security findings: test_e2e_security_lint
    assert text.startswith("### vpnform plan: 7 to add, 0 to change, 0 to destroy\n")
    # where the plan will apply, as the plan itself said it
    assert "Provider tencentcloud: embedded emulator (.vpnform/cloud.db)" in text
    assert "Destroys" not in text
    page = _Rendered(text)
    assert page.summaries == [f"➕ {a} will be created" for a in QUICKSTART_ADDRESSES]
    assert page.tags.count("details") == 7 and len(page.pre) == 7 + 1  # + the outputs
    conn = page.pre[QUICKSTART_ADDRESSES.index("tencentcloud_vpn_connection.tom")]
    assert '+   resource "tencentcloud_vpn_connection" "tom" {' in conn
    assert "pre_share_key              = (sensitive value)" in conn
    assert "+   vpn_gateway_public_ip = (known after apply)" in page.pre[-1]
    assert text.endswith("#### Warnings and errors\n\nNone.\n")


def test_replacements_and_updates_after_apply(quickstart):
    res = run(quickstart, "apply", "-auto-approve", env=ENV)
    assert res.code == 0, res
    text = _markdown(quickstart, "-var", "idc_public_ip=203.0.113.9", "-var", "bandwidth=10")
    assert text.startswith("### vpnform plan: 2 to add, 1 to change, 2 to destroy\n")
    risky = text.split("**⚠️ Destroys / replaces (2):**\n\n", 1)[1].split("\n\n", 1)[0]
    assert risky.splitlines() == [
        "- ♻️ `tencentcloud_vpn_connection.tom` must be replaced",
        "- ♻️ `tencentcloud_vpn_customer_gateway.idc` must be replaced"]
    page = _Rendered(text)
    assert page.summaries == ["♻️ tencentcloud_vpn_connection.tom must be replaced",
                              "♻️ tencentcloud_vpn_customer_gateway.idc must be replaced",
                              "✏️ tencentcloud_vpn_gateway.tom will be updated in-place"]
    gw = page.pre[1]
    assert ('~       public_ip_address = "202.108.22.5" -> "203.0.113.9"  # forces '
            'replacement\n') in gw
    assert "~       bandwidth" in page.pre[2] and "5 -> 10" in page.pre[2]


WARNING_CHECK = """
check "psk_reviewed" {
  assert {
    condition     = length(var.psk) > 64
    error_message = "The key ${nonsensitive(var.psk)} is shorter than the policy's 64 characters."
  }
}
"""


def test_plan_warnings_travel_in_the_plan_file_redacted(quickstart):
    """A later CI job that only has the plan file shows the plan's warnings, with the
    pre-shared key the warning's text held redacted."""
    write_config(quickstart, WARNING_CHECK, "checks.tf")
    text = _markdown(quickstart, "-lint=off")
    section = text.split("#### Warnings and errors\n\n", 1)[1]
    assert section.startswith("- ⚠️ **Warning**: Check block assertion failed "
                              "(`check.psk_reviewed`)\n"), section
    assert "The key (sensitive value) is shorter than the policy's 64 characters." in section
    assert "None." not in section


def test_markdown_is_for_a_saved_plan_and_not_with_json(quickstart):
    res = run(quickstart, "plan", "-out=pr.tfplan", env=ENV)
    assert res.code == 0, res
    both = run(quickstart, "show", "-markdown", "-json", "pr.tfplan", env=ENV)
    assert both.code == 1 and "-markdown and -json options are mutually-exclusive" in both.stderr
    bare = run(quickstart, "show", "-markdown", env=ENV)
    assert bare.code == 1 and "vpnform show -markdown PLANFILE" in bare.stderr, bare
    (quickstart / "not-a-plan").write_text("hello")
    wrong = run(quickstart, "show", "-markdown", "not-a-plan", env=ENV)
    assert wrong.code == 1 and "not-a-plan is not a vpnform plan file" in wrong.stderr
