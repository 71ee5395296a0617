"""A plan in Terraform's machine-readable JSON (``show -json PLANFILE``, format 1.2).

``plan_json`` builds the document from a Plan, the configuration and the provider
schemas. Sensitive values are null unless ``show_sensitive`` (json_state.json_value):
before/after, planned and prior values, sensitive outputs and variables, and constant
expressions of sensitive arguments and variable defaults in ``configuration``.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..addrs import DATA, InstanceAddr, ProviderConfigAddr, module_str, parse_instance
from ..config import syntax
from ..config.model import NO_DEFAULT
from ..config.tree import Config, ConfigNode, config_addr
from ..state.json_state import (json_value, module_tree, resource_json, sensitive_shape,
                                state_values, unknown_shape)
from ..state.model import State
from ..values import Sensitive, Unknown
from .model import Action, OutputChange, Plan, ResourceInstanceChange

FORMAT_VERSION = "1.2"


def _schema_of(providers, addr: InstanceAddr, provider_name: str):
    if providers is None:
        return None
    return providers.resource_schema(provider_name, addr.resource.type,
                                     addr.resource.mode == DATA)


def _schema_version(providers, addr: InstanceAddr, provider_name: str) -> int:
    schema = _schema_of(providers, addr, provider_name)
    return schema.version if schema is not None else 0


# --- resource_changes -----------------------------------------------------------------

def change_json(ch: ResourceInstanceChange, show_sensitive: bool) -> dict:
    """One ``resource_changes[]`` (or ``resource_drift[]``) element."""
    r = ch.addr.resource
    out: dict = {"address": str(ch.addr)}
    if ch.previous_addr is not None:
        out["previous_address"] = str(ch.previous_addr)
    if r.module:
        out["module_address"] = module_str(r.module)
    out.update({"mode": "data" if r.mode == DATA else "managed", "type": r.type,
                "name": r.name})
    if ch.addr.key is not None:
        out["index"] = ch.addr.key
    if ch.deposed:
        out["deposed"] = ch.deposed
    out["provider_name"] = ch.provider.source
    change: dict = {
        "actions": ch.action.json_actions,
        "before": json_value(ch.before, show_sensitive) if ch.before is not None else None,
        "after": json_value(ch.after, show_sensitive) if ch.after is not None else None,
        "after_unknown": unknown_shape(ch.after) if ch.after is not None else False,
        "before_sensitive": sensitive_shape(ch.before) if ch.before is not None else False,
        "after_sensitive": sensitive_shape(ch.after) if ch.after is not None else False,
    }
    if ch.requires_replace:
        change["replace_paths"] = [list(p) if isinstance(p, (list, tuple)) else [p]
                                   for p in ch.requires_replace]
    if ch.importing_id is not None:
        change["importing"] = {"id": ch.importing_id}
    out["change"] = change
    if ch.reason and ch.reason != "forget":  # a forget has no reason in Terraform's format
        out["action_reason"] = ch.reason
    return out


def _output_change_json(oc, show_sensitive: bool) -> dict:
    hidden = oc.sensitive and not show_sensitive

    def side(v: Any) -> Any:
        return None if hidden or v is None else json_value(v, show_sensitive)

    out: dict = {"actions": oc.action.json_actions, "before": side(oc.before)}
    after_unknown = unknown_shape(oc.after) if oc.after is not None else False
    if after_unknown is not True:
        out["after"] = side(oc.after)
    out["after_unknown"] = after_unknown
    out["before_sensitive"] = True if oc.sensitive else (
        sensitive_shape(oc.before) if oc.before is not None else False)
    out["after_sensitive"] = True if oc.sensitive else (
        sensitive_shape(oc.after) if oc.after is not None else False)
    return out


# --- planned_values -------------------------------------------------------------------

def _planned_values(plan: Plan, config: Config, providers, show_sensitive: bool) -> dict:
    entries = []
    for ch in plan.resource_changes:
        if ch.action is Action.DELETE or ch.after is None:
            continue
        entry = resource_json(ch.addr, ch.provider, ch.after,
                              _schema_version(providers, ch.addr, ch.provider.name),
                              show_sensitive)
        entries.append((ch.addr, entry))
    entries.extend(_data_entries(plan, config, providers, show_sensitive))
    outputs = {}
    for name in sorted(plan.output_changes):
        oc = plan.output_changes[name]
        if oc.action is Action.DELETE:
            continue
        o: dict = {"sensitive": bool(oc.sensitive)}
        if unknown_shape(oc.after) is False:
            o["value"] = (None if oc.sensitive and not show_sensitive
                          else json_value(oc.after, show_sensitive))
            from ..state.codec import infer_type
            o["type"] = infer_type(json_value(oc.after, True))
        outputs[name] = o
    return {"outputs": outputs, "root_module": module_tree(entries)}


def _data_entries(plan: Plan, config: Config, providers, show_sensitive: bool) -> list:
    """Data sources read while planning (not changes: they are in planned and prior values)."""
    out = []
    for addr in sorted(plan.data_values):
        paddr = config.provider_addrs.get(config_addr(addr.resource))
        name = paddr.name if paddr else addr.resource.type.split("_")[0]
        out.append((addr, resource_json(addr, paddr, plan.data_values[addr],
                                        _schema_version(providers, addr, name),
                                        show_sensitive)))
    return out


# --- configuration --------------------------------------------------------------------

_SINGLE_STEP_ROOTS = {"var", "local", "each", "count", "path", "self", "terraform"}


def _step_str(steps: tuple) -> str:
    return syntax.steps_str(steps)


def references(expr: syntax.Expr) -> list[str]:
    """Terraform's ``references``: each reference in full, then shorter prefixes down to
    the object referred to (``tencentcloud_vpc.tom.id``, ``tencentcloud_vpc.tom``)."""
    out: list[str] = []

    def add(s: str) -> None:
        if s not in out:
            out.append(s)

    for t in expr.traversals():
        steps = t.steps
        # steps naming the object referred to: var.X, module.X, TYPE.NAME, data.TYPE.NAME
        subject = 2 if t.root == "data" else 1
        # an instance key right after the subject belongs to it
        keyed = len(steps) > subject and isinstance(steps[subject], syntax.Index) and \
            t.root not in _SINGLE_STEP_ROOTS
        n = subject + (1 if keyed else 0)
        if t.root == "module":
            # module.NAME[KEY].OUTPUT is the object referred to, then the call instance
            end = n + 1 if len(steps) > n else n
            for i in range(len(steps), end, -1):
                add(t.root + _step_str(steps[:i]))
            add(t.root + _step_str(steps[:end]))
            add(t.root + _step_str(steps[:n]))
            if keyed:
                add(t.root + _step_str(steps[:subject]))
            continue
        for i in range(len(steps), n, -1):
            add(t.root + _step_str(steps[:i]))
        add(t.root + _step_str(steps[:n]))
        if keyed:
            add(t.root + _step_str(steps[:subject]))
    return out


_NOT_CONSTANT = object()


def constant_value(expr: syntax.Expr) -> Any:
    """The value of an expression made of literals only, else _NOT_CONSTANT."""
    if isinstance(expr, syntax.LiteralExpr):
        return expr.value
    if isinstance(expr, syntax.ParenExpr):
        return constant_value(expr.inner)
    if isinstance(expr, syntax.TemplateExpr):
        parts = [constant_value(p) for p in expr.parts]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return _NOT_CONSTANT
    if isinstance(expr, syntax.TemplateWrapExpr):
        return constant_value(expr.wrapped)
    if isinstance(expr, syntax.TupleExpr):
        items = [constant_value(i) for i in expr.items]
        return _NOT_CONSTANT if any(i is _NOT_CONSTANT for i in items) else items
    if isinstance(expr, syntax.ObjectExpr):
        obj = {}
        for item in expr.items:
            k, v = constant_value(item.key), constant_value(item.value)
            if k is _NOT_CONSTANT or v is _NOT_CONSTANT or not isinstance(k, str):
                return _NOT_CONSTANT
            obj[k] = v
        return obj
    if isinstance(expr, syntax.UnaryOpExpr):
        v = constant_value(expr.operand)
        if expr.op == "-" and isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v
        if expr.op == "!" and isinstance(v, bool):
            return not v
        return _NOT_CONSTANT
    return _NOT_CONSTANT


def expression_json(expr: syntax.Expr, sensitive: bool = False,
                    show_sensitive: bool = False) -> dict:
    refs = references(expr)
    if refs:
        return {"references": refs}
    value = constant_value(expr)
    if value is _NOT_CONSTANT:
        return {}
    return {"constant_value": None if sensitive and not show_sensitive else value}


def _body_expressions(body: syntax.Body, block_schema, show_sensitive: bool) -> dict:
    out: dict = {}
    for name, attr in body.attributes.items():
        a = block_schema.attributes.get(name) if block_schema is not None else None
        out[name] = expression_json(attr.expr, bool(a and a.sensitive), show_sensitive)
    for blk in body.blocks:
        if blk.type == "dynamic" and blk.labels:
            name = blk.labels[0]
            content = blk.body.blocks_of_type("content")
            inner_body = content[0].body if content else syntax.Body()
        else:
            name, inner_body = blk.type, blk.body
        nb = block_schema.block_types.get(name) if block_schema is not None else None
        out.setdefault(name, []).append(
            _body_expressions(inner_body, nb.block if nb else None, show_sensitive))
    return out


def _provider_key(node: ConfigNode, name: str, alias: str | None) -> str:
    key = f"{name}.{alias}" if alias else name
    return f"{module_str(node.path)}:{key}" if node.path else key


def _module_config(config: Config, node: ConfigNode, providers,
                   show_sensitive: bool) -> dict:
    m = node.module
    out: dict = {}
    outputs = {}
    for name, o in m.outputs.items():
        entry: dict = {}
        if o.sensitive:
            entry["sensitive"] = True
        entry["expression"] = expression_json(o.expr, o.sensitive, show_sensitive)
        if o.description:
            entry["description"] = o.description
        if o.depends_on:
            entry["depends_on"] = [str(t) for t in o.depends_on]
        outputs[name] = entry
    if outputs:
        out["outputs"] = outputs
    resources = []
    for local, res in m.resources.items():
        addr = node.resource_addr(local)
        schema = providers.resource_schema(res.provider.name, addr.type, addr.mode == DATA) \
            if providers is not None else None
        r: dict = {"address": str(local), "mode": "data" if addr.mode == DATA else "managed",
                   "type": addr.type, "name": addr.name,
                   "provider_config_key": _provider_key(node, res.provider.name,
                                                        res.provider.alias),
                   "expressions": _body_expressions(res.body, schema.block if schema else None,
                                                    show_sensitive),
                   "schema_version": schema.version if schema else 0}
        if res.count is not None:
            r["count_expression"] = expression_json(res.count)
        if res.for_each is not None:
            r["for_each_expression"] = expression_json(res.for_each)
        if res.depends_on:
            r["depends_on"] = [str(t) for t in res.depends_on]
        resources.append(r)
    if resources:
        out["resources"] = resources
    calls = {}
    for name, call in m.module_calls.items():
        child = node.children.get(name)
        child_vars = child.module.variables if child is not None else {}
        c: dict = {"source": call.source, "expressions": {}}
        for arg, attr in call.arguments.items():
            var = child_vars.get(arg)
            c["expressions"][arg] = expression_json(attr.expr, bool(var and var.sensitive),
                                                    show_sensitive)
        if call.count is not None:
            c["count_expression"] = expression_json(call.count)
        if call.for_each is not None:
            c["for_each_expression"] = expression_json(call.for_each)
        if call.depends_on:
            c["depends_on"] = [str(t) for t in call.depends_on]
        c["module"] = (_module_config(config, child, providers, show_sensitive)
                       if child is not None else {})
        calls[name] = c
    if calls:
        out["module_calls"] = calls
    variables = {}
    for name, v in m.variables.items():
        entry = {}
        if v.has_default and v.default is not NO_DEFAULT:
            entry["default"] = (None if v.sensitive and not show_sensitive
                                else json_value(v.default, show_sensitive))
        if v.description:
            entry["description"] = v.description
        if v.sensitive:
            entry["sensitive"] = True
        variables[name] = entry
    if variables:
        out["variables"] = variables
    return out


def configuration_json(config: Config, providers, show_sensitive: bool) -> dict:
    provider_config: dict = {}
    for node in config.walk():
        m = node.module
        for (name, alias), pc in m.providers.items():
            key = _provider_key(node, name, alias)
            req = m.required_providers.get(name)
            entry: dict = {"name": name, "full_name": _full_name(name, req)}
            if alias:
                entry["alias"] = alias
            if node.path:
                entry["module_address"] = module_str(node.path)
            if req is not None and req.version:
                entry["version_constraint"] = req.version
            schema = providers.schemas.get(name) if providers is not None else None
            exprs = _body_expressions(pc.body, schema.provider if schema else None,
                                      show_sensitive)
            if exprs:
                entry["expressions"] = exprs
            provider_config[key] = entry
        for res in m.resources.values():
            key = _provider_key(node, res.provider.name, res.provider.alias)
            if key not in provider_config and not node.path:
                req = m.required_providers.get(res.provider.name)
                provider_config[key] = {"name": res.provider.name,
                                        "full_name": _full_name(res.provider.name, req)}
    return {"provider_config": provider_config,
            "root_module": _module_config(config, config.root, providers, show_sensitive)}


def _full_name(name: str, req) -> str:
    source = req.source if req is not None and req.source else f"tencentcloudstack/{name}"
    return source if source.count("/") >= 2 else f"registry.terraform.io/{source}"


# --- the document ---------------------------------------------------------------------

def _variables_json(plan: Plan, config: Config, show_sensitive: bool) -> dict:
    out = {}
    declared = config.module.variables
    for name in sorted(plan.variables):
        value = plan.variables[name]
        var = declared.get(name)
        if var is not None and var.sensitive and not isinstance(value, Sensitive):
            value = Sensitive(value)
        out[name] = {"value": json_value(value, show_sensitive)}
    return out


def prior_state_json(state: State, version: str, extra: list, show_sensitive: bool) -> dict:
    return {"format_version": "1.0", "terraform_version": version,
            "values": state_values(state, show_sensitive, extra)}


def plan_json(plan: Plan, config: Config, providers, version: str,
              show_sensitive: bool = False, timestamp: str | None = None) -> dict:
    """The whole ``show -json`` document of a plan."""
    if timestamp is None:
        timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc: dict = {
        "format_version": FORMAT_VERSION,
        "terraform_version": version,
        "variables": _variables_json(plan, config, show_sensitive),
        "planned_values": _planned_values(plan, config, providers, show_sensitive),
    }
    if plan.drift:
        doc["resource_drift"] = [change_json(plan.drift[a], show_sensitive)
                                 for a in sorted(plan.drift)]
    doc["resource_changes"] = [change_json(ch, show_sensitive) for ch in plan.resource_changes]
    doc["output_changes"] = {name: _output_change_json(plan.output_changes[name],
                                                       show_sensitive)
                             for name in sorted(plan.output_changes)}
    doc["prior_state"] = prior_state_json(
        plan.prior_state, version, _data_entries(plan, config, providers, show_sensitive),
        show_sensitive)
    doc["configuration"] = configuration_json(config, providers, show_sensitive)
    doc["relevant_attributes"] = []
    doc["timestamp"] = timestamp
    doc["applyable"] = plan.has_changes and not plan.errored
    doc["complete"] = not plan.targets
    doc["errored"] = bool(plan.errored)
    return doc


def plan_documents(plan: Plan, config: Config, providers, version: str) -> tuple[dict, dict]:
    """(the full document, the redacted one), made at the same instant."""
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (plan_json(plan, config, providers, version, True, ts),
            plan_json(plan, config, providers, version, False, ts))


# --- back from the document -----------------------------------------------------------

def value_from_json(v: Any, unknown: Any = False, sensitive: Any = False) -> Any:
    """The inverse of ``json_value`` with its shapes: unknowns put back from
    ``after_unknown``, marks from ``*_sensitive`` (a redacted value stays hidden: its mark
    makes it render as ``(sensitive value)``)."""
    if unknown is True:
        out: Any = Unknown()
    elif isinstance(v, dict) or isinstance(unknown, dict):
        v = v if isinstance(v, dict) else {}
        u = unknown if isinstance(unknown, dict) else {}
        s = sensitive if isinstance(sensitive, dict) else {}
        keys = set(v) | {k for k, x in u.items() if x is not False}
        out = {k: value_from_json(v.get(k), u.get(k, False), s.get(k, False)) for k in keys}
    elif isinstance(v, list):
        u = unknown if isinstance(unknown, list) else []
        s = sensitive if isinstance(sensitive, list) else []
        out = [value_from_json(x, u[i] if i < len(u) else False,
                               s[i] if i < len(s) else False) for i, x in enumerate(v)]
    else:
        out = v
    return Sensitive(out) if sensitive is True else out


_ACTIONS = {tuple(a.json_actions): a for a in Action}


def change_from_json(entry: dict, schemas: dict | None = None) -> ResourceInstanceChange:
    """A ``resource_changes[]`` element back as the change it was made from (the inverse of
    ``change_json``, to the extent the document keeps: no dependencies). ``schemas``
    (provider local name -> ProviderSchema) name the nested block types, which the
    document does not."""
    c = entry["change"]
    action = _ACTIONS[tuple(c["actions"])]
    source = entry.get("provider_name", "")
    parts = source.split("/")
    provider = ProviderConfigAddr(parts[-1], None, parts[-2] if len(parts) > 1 else
                                  "tencentcloudstack")
    before = (value_from_json(c["before"], False, c.get("before_sensitive", False))
              if c.get("before") is not None else None)
    after_unknown = c.get("after_unknown", False)
    after = (value_from_json(c.get("after"), after_unknown, c.get("after_sensitive", False))
             if c.get("after") is not None or after_unknown is not False else None)
    ps = (schemas or {}).get(provider.name)
    kinds = (ps.data_sources if entry.get("mode") == "data" else ps.resources) if ps else {}
    rs = kinds.get(entry.get("type"))
    reason = entry.get("action_reason")
    if action is Action.FORGET:
        reason = "forget"
    return ResourceInstanceChange(
        addr=parse_instance(entry["address"]), provider=provider, action=action,
        before=before, after=after,
        requires_replace=[tuple(p) for p in c.get("replace_paths", [])], reason=reason,
        importing_id=(c.get("importing") or {}).get("id"),
        previous_addr=(parse_instance(entry["previous_address"])
                       if entry.get("previous_address") else None),
        deposed=entry.get("deposed", ""),
        block_types=sorted(rs.block.block_types) if rs is not None else [])


def _output_change_from_json(name: str, oc: dict) -> OutputChange:
    sensitive = oc.get("before_sensitive") is True or oc.get("after_sensitive") is True
    after_unknown = oc.get("after_unknown", False)
    before = value_from_json(oc.get("before")) if oc.get("before") is not None else None
    after = (value_from_json(oc.get("after"), after_unknown)
             if oc.get("after") is not None or after_unknown is not False else None)
    if sensitive:  # redacted in the document: shown as (sensitive value) whatever it was
        action = _ACTIONS[tuple(oc["actions"])]
        before = "(before)" if action is not Action.CREATE else None
        after = "(after)" if action is not Action.DELETE else None
    return OutputChange(name, _ACTIONS[tuple(oc["actions"])], before, after, sensitive)


def plan_from_json(doc: dict, schemas: dict | None = None) -> Plan:
    """A saved plan's ``show -json`` document back as a Plan for the renderers: its
    resource, deposed, drift and output changes (not an applicable plan). ``schemas``: as
    for change_from_json."""
    changes, deposed = {}, {}
    for entry in doc.get("resource_changes", []):
        ch = change_from_json(entry, schemas)
        if ch.deposed:
            deposed[(ch.addr, ch.deposed)] = ch
        else:
            changes[ch.addr] = ch
    drift = {}
    for entry in doc.get("resource_drift", []):
        ch = change_from_json(entry, schemas)
        drift[ch.addr] = ch
    outputs = {name: _output_change_from_json(name, oc)
               for name, oc in doc.get("output_changes", {}).items()}
    return Plan(changes=changes, operations=[], edges=[], output_changes=outputs,
                prior_state=State(), variables={}, config_dir="", config_digest="",
                drift=drift, deposed=deposed, errored=bool(doc.get("errored")),
                targets=[] if doc.get("complete", True) else ["(targeted)"])


def provider_lines(doc: dict) -> list[str]:
    """``Provider tencentcloud: region ap-guangzhou`` for each provider configuration of the
    document's root module, from what its configuration says (a region from a variable or
    the environment is said to be so). Sensitive arguments are never named."""
    out = []
    for key, entry in sorted(doc.get("configuration", {}).get("provider_config", {}).items()):
        if entry.get("module_address"):
            continue
        region = entry.get("expressions", {}).get("region", {})
        if isinstance(region, dict) and isinstance(region.get("constant_value"), str):
            where = f"region {region['constant_value']}"
        elif isinstance(region, dict) and region.get("references"):
            where = f"region from {region['references'][0]}"
        else:
            where = "region from the environment"
        out.append(f"Provider {key}: {where}")
    return out
