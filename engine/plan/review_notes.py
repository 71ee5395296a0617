"""What a saved plan carries for a reviewer in a later job: the plan's warnings and the
"Provider X: what it talks to" lines, secrets redacted, and the plan's cost estimate, as
JSON data in the plan file.

A CI job that renders the plan (``show -markdown PLANFILE``) never configured the
providers nor saw the plan's log, so both are kept when the plan is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Diagnostics, Pos, Severity, SourceRange
from ..state.model import State
from ..values import Sensitive, mark_paths, redact_text, sensitive_strings
from .cost import CostReport, cost_from_json, cost_json


@dataclass
class ReviewNotes:
    targets: list[str] = field(default_factory=list)  # "Provider tencentcloud: ..."
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    cost: CostReport | None = None  # the plan's monthly cost estimate, when it was priced


def _state_secrets(state: State) -> set[str]:
    out: set[str] = set()
    for _addr, _rs, obj in state.instances():
        out |= sensitive_strings(mark_paths(obj.attributes,
                                            [tuple(p) for p in obj.sensitive_paths]))
    for ov in state.outputs.values():
        if ov.sensitive:
            out |= sensitive_strings(Sensitive(ov.value))
    return out


def notes_of(plan, providers, warnings: Diagnostics | None) -> ReviewNotes:
    """The notes of a plan just made: ``providers`` (a ProviderSet) name their targets,
    ``warnings`` are the plan's diagnostics; every secret the plan knows (sensitive
    variables, sensitive state attributes and outputs) is redacted from their text."""
    secrets = sensitive_strings(plan.variables) | _state_secrets(plan.prior_state)
    targets = ([f"Provider {addr}: {text}" for addr, text in providers.targets()]
               if providers is not None else [])
    return ReviewNotes([redact_text(t, secrets) for t in targets],
                       (warnings or Diagnostics()).redacted(secrets), plan.cost)


def _range_from(j: dict) -> SourceRange:
    def pos(p: dict) -> Pos:
        return Pos(int(p["line"]), int(p["column"]), int(p.get("byte", 0)))
    return SourceRange(str(j["filename"]), pos(j["start"]), pos(j["end"]))


def notes_json(notes: ReviewNotes) -> dict:
    diags = []
    for d in notes.diagnostics:
        entry: dict = {"severity": d.severity.value, "summary": d.summary, "detail": d.detail}
        if d.address:
            entry["address"] = d.address
        if d.subject is not None:
            entry["range"] = d.subject.to_json()
        diags.append(entry)
    doc = {"provider_targets": list(notes.targets), "diagnostics": diags}
    if notes.cost is not None:
        doc["cost"] = cost_json(notes.cost)
    return doc


def notes_from_json(doc: dict) -> ReviewNotes:
    diags = Diagnostics()
    for e in doc.get("diagnostics", []):
        diags.append(Diagnostic(Severity(e["severity"]), e["summary"], e.get("detail", ""),
                                _range_from(e["range"]) if e.get("range") else None,
                                e.get("address")))
    cost = cost_from_json(doc["cost"]) if isinstance(doc.get("cost"), dict) else None
    return ReviewNotes([str(t) for t in doc.get("provider_targets", [])], diags, cost)
