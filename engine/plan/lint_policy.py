"""What providers' lint findings become (``-lint=warn|error|off`` or ``-lint=PATH``): a
default severity, and per rule a severity and the addresses it exempts, read from an HCL
policy file::

    default = "warn"                      # for rules the file does not name
    rule "psk-reused" { severity = "error" }
    rule "ikev1" {
      severity = "error"
      except   = ["tencentcloud_vpn_connection.legacy", "module.old"]
    }

A finding of an exempt address is dropped. Problems loading the file travel with the
policy, so every command reports them where it reports other diagnostics; rule names are
checked against the providers of the run, which own the rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal, Mapping

from ..addrs import AddressError, Target, parse_instance, parse_target
from ..diagnostics import Diagnostic, Diagnostics, Severity, SourceRange

SEVERITIES = ("warn", "error", "off")
_HINT = ('A lint policy file sets default = "warn" | "error" | "off" and has rule "NAME" '
         '{ severity = ..., except = [ADDRESS, ...] } blocks.')

SeverityName = Literal["warn", "error", "off"]


@functools.cache
def _policy_model() -> Any:
    """The pydantic model of a policy file (built on first use: most runs read none)."""
    from pydantic import BaseModel, ConfigDict, Field

    class RuleConfig(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        severity: SeverityName | None = None
        except_: list[str] = Field(default_factory=list, alias="except")

    class PolicyConfig(BaseModel):
        model_config = ConfigDict(extra="forbid")
        default: SeverityName = "warn"
        rule: dict[str, RuleConfig] = Field(default_factory=dict)

    return PolicyConfig


@dataclass(frozen=True)
class RulePolicy:
    """One ``rule`` block: its severity (None: the policy's default) and exempt addresses."""

    severity: str | None = None
    exempt: tuple[Target, ...] = ()
    name_range: SourceRange | None = None


@dataclass(frozen=True)
class LintPolicy:
    default: str = "warn"
    rules: Mapping[str, RulePolicy] = field(default_factory=dict)
    # problems reading the policy file: reported by the run, which then fails
    problems: Diagnostics = field(default_factory=Diagnostics)

    def severity(self, rule: str | None, address: str | None) -> str:
        """What a finding of ``rule`` about ``address`` becomes: warn, error or off."""
        policy = self.rules.get(rule) if rule else None
        if policy is None:
            return self.default
        if address and policy.exempt:
            try:
                instance = parse_instance(address)
            except AddressError:
                instance = None
            if instance is not None and any(t.matches(instance) for t in policy.exempt):
                return "off"
        return policy.severity or self.default

    def apply(self, finding: Diagnostic) -> Diagnostic | None:
        """A lint warning as this policy has it (None: dropped), its rule named in the
        detail; other diagnostics unchanged."""
        if finding.severity is not Severity.WARNING:
            return finding
        severity = self.severity(finding.rule, finding.address)
        if severity == "off":
            return None
        if finding.rule:
            finding = replace(finding, detail=f'{finding.detail}\n\n(lint rule '
                                              f'"{finding.rule}")'.lstrip())
        return finding.with_severity(Severity.ERROR) if severity == "error" else finding

    def check(self, known_rules: Mapping[str, str]) -> Diagnostics:
        """The load problems, and an error for each rule no provider of the run has."""
        from ..config.evaluate import suggestion
        diags = Diagnostics().extend(self.problems)
        for name, policy in self.rules.items():
            if name in known_rules:
                continue
            names = ", ".join(sorted(known_rules)) or "none"
            diags.error("Unknown lint rule",
                        f'No provider of this configuration has a lint rule "{name}".'
                        f"{suggestion(name, known_rules)} The rules are: {names}.",
                        policy.name_range)
        return diags


def known_rules(providers: Iterable[Any]) -> dict[str, str]:
    """Every rule name the ``providers`` declare (their optional ``lint_rules``) -> summary."""
    out: dict[str, str] = {}
    for p in providers:
        out.update(getattr(p, "lint_rules", None) or {})
    return out


def lint_policy(value: str | None) -> LintPolicy:
    """The policy of a ``-lint`` value: a severity for every finding, else a policy file."""
    value = value or "warn"
    if value in SEVERITIES:
        return LintPolicy(default=value)
    return load_policy_file(value)


def load_policy_file(path: str) -> LintPolicy:
    """The policy in the HCL file at ``path`` (as the user typed it: diagnostics name it)."""
    from ..config import hcl
    diags = Diagnostics()
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        diags.error("Failed to read lint policy file",
                    f"Error reading {path}: {getattr(e, 'strerror', None) or e}. -lint takes "
                    "warn, error, off or the path of a lint policy file.")
        return LintPolicy(problems=diags)
    body, d = hcl.parse(text.removeprefix("\ufeff"), path)
    diags.extend(d)
    if body is None or d.has_errors:
        return LintPolicy(problems=diags)
    ranges: dict[tuple, SourceRange] = {(): body.range} if body.range else {}
    data = _file_data(body, ranges, diags)
    from pydantic import ValidationError
    try:
        config = _policy_model().model_validate(data)
    except ValidationError as err:
        _validation_diags(err, ranges, diags)
        return LintPolicy(problems=diags)
    rules = {}
    for name, rule in config.rule.items():
        exempt = []
        for i, text_addr in enumerate(rule.except_):
            try:
                exempt.append(parse_target(text_addr))
            except AddressError as e:
                diags.error("Invalid address in except",
                            f'"{text_addr}" is not a resource or module address: {e}. Write '
                            'one such as "tencentcloud_vpn_connection.legacy" or "module.old".',
                            _nearest(("rule", name, "except", i), ranges))
        rules[name] = RulePolicy(rule.severity, tuple(exempt), ranges.get(("rule", name)))
    if diags.has_errors:
        return LintPolicy(problems=diags)
    return LintPolicy(config.default, rules, diags)


def _file_data(body: Any, ranges: dict, diags: Diagnostics) -> dict:
    """The file as the plain data the pydantic models validate; each key's range kept."""
    from ..config.evaluate import suggestion
    data: dict = {}
    for name, attr in body.attributes.items():
        value = _constant(attr, diags)
        if value is not _INVALID:
            data[name] = value
            ranges[(name,)] = attr.expr.range
            ranges[(name, "@name")] = attr.name_range
    for blk in body.blocks:
        if blk.type != "rule":
            diags.error("Unsupported block type", f'Blocks of type "{blk.type}" are not '
                        f'expected in a lint policy file.{suggestion(blk.type, ["rule"])} '
                        + _HINT, blk.type_range)
            continue
        if len(blk.labels) != 1:
            diags.error("Invalid rule block", "A rule block has one label, the rule's "
                        'name: rule "psk-reused" { severity = "error" }.', blk.range)
            continue
        name = blk.labels[0]
        rules = data.setdefault("rule", {})
        if not isinstance(rules, dict):
            continue
        if name in rules:
            diags.error("Duplicate rule block", f'The rule "{name}" is already set on line '
                        f'{ranges[("rule", name)].start.line}: give each rule one block.',
                        blk.label_ranges[0])
            continue
        ranges[("rule", name)] = blk.label_ranges[0]
        rule: dict = {}
        for attr_name, attr in blk.body.attributes.items():
            value = _constant(attr, diags)
            if value is not _INVALID:
                rule[attr_name] = value
                ranges[("rule", name, attr_name)] = attr.expr.range
                ranges[("rule", name, attr_name, "@name")] = attr.name_range
        for inner in blk.body.blocks:
            diags.error("Unsupported block type", f'Blocks of type "{inner.type}" are not '
                        f'expected in a rule block. {_HINT}', inner.type_range)
        rules[name] = rule
    return data


_INVALID = object()


def _constant(attr: Any, diags: Diagnostics) -> Any:
    from ..config.evaluate import evaluate_constant
    from ..values import is_wholly_known
    value, d = evaluate_constant(attr.expr)
    diags.extend(d)
    if d.has_errors or not is_wholly_known(value):
        return _INVALID
    return value


def _nearest(loc: tuple, ranges: dict) -> SourceRange | None:
    for n in range(len(loc), -1, -1):
        r = ranges.get(tuple(loc[:n]))
        if r is not None:
            return r
    return None


_FIELDS = {"top": ("default", "rule"), "rule": ("severity", "except")}


def _severity_hint(given: Any) -> str:
    """' Did you mean "warn"?' for a typo or a longer word ("warning", "errors"), or ''."""
    from ..config.evaluate import suggestion
    if not isinstance(given, str):
        return ""
    longer = [s for s in SEVERITIES if given.lower().startswith(s)]
    return f' Did you mean "{longer[0]}"?' if longer else suggestion(given, SEVERITIES)


def _validation_diags(err: Any, ranges: dict, diags: Diagnostics) -> None:
    """Diagnostics of a pydantic ValidationError, at the ranges of what they are about."""
    from ..config.evaluate import suggestion
    for e in err.errors(include_url=False):
        loc = tuple("except" if x == "except_" else x for x in e["loc"])
        in_rule = len(loc) >= 3 and loc[0] == "rule"
        if e["type"] == "extra_forbidden":
            key = loc[-1]
            where = f'in rule "{loc[1]}"' if in_rule else "at the top of a lint policy file"
            known = _FIELDS["rule" if in_rule else "top"]
            diags.error("Unsupported argument",
                        f'"{key}" is not expected {where}.{suggestion(str(key), known)} '
                        + _HINT, _nearest(loc + ("@name",), ranges) or _nearest(loc, ranges))
            continue
        if loc[-1] in ("severity", "default") and e["type"] == "literal_error":
            given = e.get("input")
            hint = _severity_hint(given)
            diags.error("Invalid lint severity",
                        f'{loc[-1]} is "{given}"; it must be "warn", "error" or "off".{hint}',
                        _nearest(loc, ranges))
            continue
        what = " ".join(str(x) for x in loc)
        msg = e["msg"].removeprefix("Value error, ")
        diags.error("Invalid lint policy", f"{what}: {msg}. {_HINT}", _nearest(loc, ranges))
