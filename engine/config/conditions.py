"""Custom conditions: variable ``validation``, resource ``precondition`` / ``postcondition``
and ``check`` block assertions all share one evaluation: a condition that is false
reports the author's ``error_message`` at the condition's range; one not known yet is
deferred (no diagnostic)."""

from __future__ import annotations

from ..diagnostics import Diagnostics, Severity
from ..values import Sensitive, Unknown, is_wholly_known, strip_sensitive
from .evaluate import EvalContext, evaluate
from .model import CheckRule

PRECONDITION = "Resource precondition failed"
POSTCONDITION = "Resource postcondition failed"
CHECK_ASSERTION = "Check block assertion failed"


def check_rules(rules: list, ctx: EvalContext, summary: str, *,
                severity: Severity = Severity.ERROR, address: str | None = None
                ) -> Diagnostics:
    """Evaluate every rule; one diagnostic ``summary`` per failed rule (``severity``).
    Errors in the expressions themselves are reported as they are (warnings for checks)."""
    out = Diagnostics()
    for rule in rules:
        out.extend(_check_one(rule, ctx, summary, severity, address))
    return out


def _check_one(rule: CheckRule, ctx: EvalContext, summary: str, severity: Severity,
               address: str | None) -> Diagnostics:
    out = Diagnostics()
    soft = severity is not Severity.ERROR

    def report(s: str, detail: str, subject) -> None:
        if soft:
            out.warning(s, detail, subject)
        else:
            out.error(s, detail, subject)

    ok, d = evaluate(rule.condition, ctx)
    if d.has_errors:
        for diag in d:
            report(diag.summary, diag.detail, diag.subject)
        return _addressed(out, address)
    ok = strip_sensitive(ok)
    if isinstance(ok, Unknown):
        return out  # decided later (after apply)
    if ok is None:
        report("Invalid condition result",
               "Invalid condition result value: the condition expression must return either "
               "true or false, not null.", rule.condition.range)
        return _addressed(out, address)
    if not isinstance(ok, bool):
        if ok in ("true", "false"):
            ok = ok == "true"
        else:
            report("Invalid condition result",
                   "Invalid condition result value: a bool is required.",
                   rule.condition.range)
            return _addressed(out, address)
    if ok:
        return out
    msg, _ = error_message_text(rule, ctx, "The condition evaluated to false, and its error "
                                "message could not be evaluated.")
    report(summary, msg, rule.condition.range)
    return _addressed(out, address)


def error_message_text(rule: CheckRule, ctx: EvalContext, fallback: str
                       ) -> tuple[str, Diagnostics]:
    """A failed rule's ``error_message`` (``fallback`` when it cannot be evaluated) and the
    diagnostics of evaluating it. A message built from a sensitive value is withheld, as
    Terraform withholds it."""
    msg, d = evaluate(rule.error_message, ctx)
    if isinstance(msg, Sensitive):
        return ("The error message included a sensitive value, so it will not be "
                "displayed."), d
    if d.has_errors or not isinstance(msg, str) or not is_wholly_known(msg):
        return fallback, d
    return msg.strip(), d


def _addressed(diags: Diagnostics, address: str | None) -> Diagnostics:
    if address is None:
        return diags
    out = Diagnostics()
    for d in diags:
        out.append(d if d.address else d.with_address(address))
    return out
