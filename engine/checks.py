"""``check`` blocks: their scoped data sources and assertions, in every module instance.

Run at the end of a plan (when no apply follows) and at the end of an apply. A check
never stops anything: a failed assertion, an assertion that cannot be evaluated, and a
scoped data source that cannot be read are all warnings. A scoped data source is read
only when its arguments are known; it is visible only inside its check block.
"""

from __future__ import annotations

from typing import Any

from .addrs import InstanceAddr, ResourceAddr
from .config import evaluate as ev
from .config.conditions import CHECK_ASSERTION, check_rules
from .config.model import Check
from .diagnostics import Diagnostic, Diagnostics, Severity
from .provider_set import ProviderSet
from .scope import Evaluation, Scope, expand
from .values import UNKNOWN, is_wholly_known, unmark


def evaluate_checks(evaluation: Evaluation, providers: ProviderSet | None) -> Diagnostics:
    out = Diagnostics()
    for path in evaluation.all_module_instances():
        scope = evaluation.scope(path)
        prefix = scope.address + "." if path else ""
        for name in sorted(scope.module.checks):
            check = scope.module.checks[name]
            address = f"{prefix}check.{name}"
            values, d = _read_scoped_data(scope, check, providers, address)
            out.extend(d)
            ctx = _check_context(scope, check, values)
            out.extend(check_rules(check.asserts, ctx, CHECK_ASSERTION,
                                   severity=Severity.WARNING, address=address))
    out.extend(_as_warnings(evaluation.drain()))
    return out


def _read_scoped_data(scope: Scope, check: Check, providers: ProviderSet | None,
                      address: str) -> tuple[dict, Diagnostics]:
    """Values of the check's data sources: ResourceAddr (as written) -> value."""
    out = Diagnostics()
    values: dict[ResourceAddr, Any] = {}
    for local, res in sorted(check.data.items()):
        full = ResourceAddr(local.mode, local.type, local.name, scope.path)
        values[local] = UNKNOWN
        paddr = scope.evaluation.config.provider_addrs.get(scope.node.resource_addr(local))
        provider = providers.get(paddr) if providers is not None and paddr else None
        schema = (providers.resource_schema(res.provider.name, local.type, True)
                  if providers is not None else None)
        if provider is None or schema is None:
            if providers is not None and provider is not None:
                out.warning("Invalid data source",
                            f'The provider {paddr.source} does not support data source '
                            f'"{local.type}".', res.type_range or res.range, address=address)
            continue
        exp, d = expand(scope, res.count, res.for_each, str(full))
        out.extend(_as_warnings(d))
        if exp is None:
            continue
        instances: dict = {}
        for key, each in exp.keys:
            decoded = scope.decode(res.body, schema.block, res.range,
                                   key if isinstance(key, int) else None, each)
            if decoded.diagnostics.has_errors:
                out.extend(_as_warnings(decoded.diagnostics))
                instances[key] = UNKNOWN
                continue
            config = decoded.value
            if not is_wholly_known(unmark(config)[0]):
                instances[key] = UNKNOWN  # read once its arguments are known (after apply)
                continue
            result = provider.read_data_source(local.type, unmark(config)[0])
            for diag in _as_warnings(result.diagnostics):
                out.append(diag if diag.subject else Diagnostic(
                    diag.severity, diag.summary, diag.detail, res.range,
                    diag.address or str(InstanceAddr(full, key)), diag.attribute_path))
            instances[key] = result.value if result.value is not None else UNKNOWN
        if exp.mode == "count":
            values[local] = ev.InstanceList(instances[k] for k in sorted(instances))
        elif exp.mode == "for_each":
            values[local] = ev.InstanceMap((k, instances[k]) for k in sorted(instances))
        else:
            values[local] = instances.get(None, UNKNOWN)
    return values, out


def _check_context(scope: Scope, check: Check, values: dict) -> ev.EvalContext:
    ctx = scope.context()
    if not values:
        return ctx
    outer = ctx.resource_value

    def resource_value(addr: ResourceAddr) -> Any:
        return values[addr] if addr in values else outer(addr)
    ctx.resource_value = resource_value
    ctx.declared_resources = set(scope.module.resources) | set(values)
    return ctx


def _as_warnings(diags: Diagnostics) -> Diagnostics:
    out = Diagnostics()
    for d in diags:
        out.append(d if d.severity is not Severity.ERROR else Diagnostic(
            Severity.WARNING, d.summary, d.detail, d.subject, d.address, d.attribute_path))
    return out


__all__ = ["evaluate_checks"]
