"""The -lint policy (engine/plan/lint_policy.py): what a finding becomes per rule and
address, and the diagnostics of a bad policy file (file, line, source line, fix hint)."""

import pytest

from engine.cli.views import render_diagnostic
from engine.diagnostics import Severity, error, warning
from engine.plan.lint_policy import lint_policy

RULES = {"ikev1": "IKEv1 in use", "psk-reused": "Pre-shared key reused",
         "weak-dh-group": "Weak DH group"}
LEGACY = "tencentcloud_vpn_connection.legacy"


def _load(tmp_path, text):
    path = tmp_path / "policy.hcl"
    path.write_text(text)
    return lint_policy(str(path))


def _finding(rule, address="tencentcloud_vpn_connection.main"):
    return warning(RULES[rule], "Detail.", address=address, rule=rule)


def test_levels_apply_to_every_finding():
    assert lint_policy(None).apply(_finding("ikev1")).severity is Severity.WARNING
    assert lint_policy("error").apply(_finding("ikev1")).severity is Severity.ERROR
    assert lint_policy("off").apply(_finding("ikev1")) is None
    # errors are not findings: they stay, whatever the policy
    err = error("Tunnel ends disagree")
    assert lint_policy("off").apply(err) is err


def test_a_policy_file_sets_severity_per_rule_and_exempts_addresses(tmp_path):
    policy = _load(tmp_path, f'''
default = "off"
rule "psk-reused" {{ severity = "error" }}
rule "ikev1" {{
  severity = "error"
  except   = ["{LEGACY}", "module.old"]
}}
rule "weak-dh-group" {{ except = ["module.old"] }}  # severity: the default
''')
    assert list(policy.check(RULES)) == []
    reused = policy.apply(_finding("psk-reused"))
    assert reused.severity is Severity.ERROR and reused.detail.endswith('(lint rule "psk-reused")')
    assert policy.apply(_finding("ikev1")).severity is Severity.ERROR
    for exempt in (LEGACY, LEGACY + "[0]", 'module.old["a"].tencentcloud_vpn_connection.x'):
        assert policy.apply(_finding("ikev1", exempt)) is None, exempt
    assert policy.apply(_finding("ikev1", "module.older.tencentcloud_vpn_connection.x")
                        ).severity is Severity.ERROR
    assert policy.apply(_finding("weak-dh-group")) is None  # default off
    unnamed = warning("Something else", rule="other")
    assert policy.apply(unnamed) is None


BAD = {  # policy text: (summary, line, the source line shown, a phrase of the fix)
    'rule "psk-reuse" { severity = "error" }':
        ("Unknown lint rule", 2, 'rule "psk-reuse" { severity = "error" }',
         'Did you mean "psk-reused"?'),
    'rule "ikev1" {\n  severity = "fatal"\n}':
        ("Invalid lint severity", 3, '  severity = "fatal"', 'must be "warn", "error" or "off"'),
    'rule "ikev1" {\n  severty = "error"\n}':
        ("Unsupported argument", 3, '  severty = "error"', 'Did you mean "severity"?'),
    'default = "warning"':
        ("Invalid lint severity", 2, 'default = "warning"', 'Did you mean "warn"?'),
    'defaults = "error"':
        ("Unsupported argument", 2, 'defaults = "error"', 'Did you mean "default"?'),
    'rules "ikev1" { severity = "error" }':
        ("Unsupported block type", 2, 'rules "ikev1" { severity = "error" }',
         'Did you mean "rule"?'),
    'rule { severity = "error" }':
        ("Invalid rule block", 2, 'rule { severity = "error" }', 'rule "psk-reused" {'),
    'rule "ikev1" { severity = "error" }\nrule "ikev1" { severity = "off" }':
        ("Duplicate rule block", 3, 'rule "ikev1" { severity = "off" }', "one block"),
    'rule "ikev1" {\n  except = ["vpn"]\n}':
        ("Invalid address in except", 3, '  except = ["vpn"]', '"module.old"'),
    'rule "ikev1" {\n  except = "module.old"\n}':
        ("Invalid lint policy", 3, '  except = "module.old"', "valid list"),
    'rule "ikev1" {\n  severity = var.level\n}':
        ("Variables not allowed", 3, '  severity = var.level', "may not be used"),
    'rule "ikev1" {\n  severity = "error"\n':
        ("Unclosed configuration block", 2, 'rule "ikev1" {', ""),
}


@pytest.mark.parametrize("text", list(BAD))
def test_a_bad_policy_file_gets_a_diagnostic_on_its_line(tmp_path, text):
    summary, line, source, hint = BAD[text]
    policy = _load(tmp_path, "# the pipeline's policy\n" + text + "\n")
    [d] = policy.check(RULES)
    assert d.is_error and d.summary == summary, d
    assert (d.subject.filename, d.subject.start.line) == (str(tmp_path / "policy.hcl"), line)
    shown = render_diagnostic(d, {})
    assert f"{line}: {source}" in shown and hint in d.detail, shown


def test_a_missing_file_says_what_lint_takes(tmp_path):
    [d] = lint_policy(str(tmp_path / "strict")).check(RULES)
    assert d.summary == "Failed to read lint policy file"
    assert "No such file" in d.detail and "warn, error, off or the path" in d.detail
