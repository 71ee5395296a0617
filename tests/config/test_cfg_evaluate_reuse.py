"""One parsed expression evaluated many times (once per instance, as the planner does):
each evaluation sees its own scope, and an error is reported every time it happens."""

from __future__ import annotations

from cfg_helpers import parse_expr

from engine.config.evaluate import EvalContext, evaluate
from engine.values import Sensitive


def test_a_reference_evaluated_in_many_scopes_gives_each_scopes_value():
    expr = parse_expr('"${var.site}-${count.index}"')
    for i in range(5):
        value, diags = evaluate(expr, EvalContext(variables={"site": f"s{i}"}, count_index=i))
        assert not diags and value == f"s{i}-{i}"


def test_a_malformed_reference_is_reported_at_every_evaluation():
    expr = parse_expr("count.nope")
    for _ in range(3):
        _, diags = evaluate(expr, EvalContext(count_index=0))
        assert [d.summary for d in diags] == ['Invalid "count" attribute']


def test_an_undeclared_variable_is_reported_at_every_evaluation():
    expr = parse_expr("var.missing")
    for _ in range(3):
        _, diags = evaluate(expr, EvalContext(declared_variables=set()))
        assert diags.has_errors


def test_literals_and_templates_of_plain_text_evaluate_to_their_text():
    for src, expected in [('"AES-CBC-256"', "AES-CBC-256"), ("100", 100), ("true", True),
                          ("null", None), ('""', ""), ('"a\\nb"', "a\nb"),
                          ('"x%%{y}"', "x%{y}")]:
        value, diags = evaluate(parse_expr(src), EvalContext())
        assert not diags and value == expected, src


def test_a_sensitive_value_in_a_template_stays_marked_and_out_of_messages():
    ctx = EvalContext(variables={"psk": Sensitive("hunter2-secret")})
    value, diags = evaluate(parse_expr('"${var.psk}-t_0_0"'), ctx)
    assert not diags and isinstance(value, Sensitive)
    assert value.value == "hunter2-secret-t_0_0"
    _, diags = evaluate(parse_expr("var.psk + 1"), ctx)
    assert diags.has_errors
    assert all("hunter2" not in (d.detail or "") + d.summary for d in diags)
