"""Import blocks during plan: which instances adopt an existing object, and that object.

``Importer.resolve`` evaluates every root-module ``import`` block (for_each, the target
address, later the id); ``Importer.adopt`` is the planner's one call: for an instance with
an import and no prior object it reads the object through ``provider.import_resource``
and hands it back as the prior object, with the id the change records.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..addrs import AddressError, InstanceAddr, parse_instance
from ..config.model import Import, ProviderRef
from ..config.tree import Config, resolve_provider
from ..diagnostics import Diagnostic, Diagnostics, Severity, SourceRange
from ..scope import Evaluation, expand
from ..state.model import InstanceObject, State
from ..values import is_unknown, mark_paths, sensitive_strings, strip_sensitive, unmark

NON_EXISTENT = "Cannot import non-existent remote object"


@dataclass
class ImportTarget:
    addr: InstanceAddr
    block: Import
    each: tuple | None = None
    adopted: bool = False


def non_existent(addr: InstanceAddr, subject: SourceRange | None = None) -> Diagnostic:
    return Diagnostic(
        Severity.ERROR, NON_EXISTENT,
        f'While attempting to import an existing object to "{addr}", the provider detected '
        "that no object exists with the given id. Only pre-existing objects can be imported; "
        "check that the id is correct and that it is associated with the provider's "
        'configured region or endpoint, or use "vpnform apply" to create a new remote '
        "object for this resource.", subject, str(addr))


def missing_config(target: str, subject: SourceRange | None) -> Diagnostic:
    return Diagnostic(
        Severity.ERROR, "Configuration for import target does not exist",
        f"The configuration for the given import target {target} does not exist. If you "
        "wish to automatically generate config for this resource, use the "
        "-generate-config-out option within vpnform plan. Otherwise, make sure the target "
        "resource exists within your configuration. For example:\n\n"
        "  vpnform plan -generate-config-out=generated.tf", subject)


def read_object(provider, schema, addr: InstanceAddr, import_id: str,
                subject: SourceRange | None) -> tuple[InstanceObject | None, Diagnostics]:
    """The object with ``import_id`` as state would record it at ``addr``; None (and an
    error) when the provider cannot read it."""
    diags = Diagnostics()
    result = provider.import_resource(addr.resource.type, import_id)
    failed = result.diagnostics.has_errors or result.value is None
    secrets: set = set()
    if result.diagnostics and result.value is not None:
        # a provider message may quote the object it read: never its secrets
        plain = unmark(result.value)[0]
        secrets = sensitive_strings([result.value, mark_paths(plain, list(
            schema.block.sensitive_paths(plain)) if schema is not None else [])])
    for d in result.diagnostics:
        d = d.redacted(secrets)
        if d.summary == NON_EXISTENT:
            diags.append(non_existent(addr, subject))
        else:
            diags.append(Diagnostic(d.severity, d.summary, d.detail, d.subject or subject,
                                    d.address or str(addr), d.attribute_path))
    if failed:
        if not diags.has_errors:
            diags.append(non_existent(addr, subject))
        return None, diags
    plain, marks = unmark(result.value)
    paths = {tuple(p) for p in marks}
    if schema is not None:
        paths.update(tuple(p) for p in schema.block.sensitive_paths(plain))
    return InstanceObject(attributes=plain,
                          sensitive_paths=[list(p) for p in sorted(paths, key=str)]), diags


class Importer:
    """The import blocks of one plan."""

    def __init__(self, config: Config, evaluation: Evaluation):
        self.config = config
        self.evaluation = evaluation
        self.targets: dict[InstanceAddr, ImportTarget] = {}

    def resolve(self, *, require_config: bool = True) -> Diagnostics:
        """Evaluate every import block's for_each and target address. With
        ``require_config`` a target without a resource block is an error."""
        diags = Diagnostics()
        scope = self.evaluation.root
        resources = self.config.resources()
        for block in self.config.module.imports:
            if require_config and block.target not in resources:
                diags.append(missing_config(_display(block), block.to.range))
                continue
            exp, d = expand(scope, None, block.for_each, "import")
            diags.extend(d)
            if exp is None:
                continue
            for _key, each in exp.keys:
                addr, d = self._target(block, each)
                diags.extend(d)
                if addr is None:
                    continue
                other = self.targets.get(addr)
                if other is not None:
                    diags.error(f'Duplicate import configuration for "{addr}"',
                                f'An import block for the resource "{addr}" was already '
                                f"declared at {other.block.to.range}. A resource can have "
                                "only one import block.", block.to.range)
                    continue
                self.targets[addr] = ImportTarget(addr, block, each)
        return diags

    def _target(self, block: Import, each) -> tuple[InstanceAddr | None, Diagnostics]:
        diags = Diagnostics()
        text = ""
        for kind, v in block.to_steps:
            if kind == "key_expr":
                v, d = self.evaluation.root.evaluate(v, None, each)
                diags.extend(d)
                if d.has_errors:
                    return None, diags
                v = strip_sensitive(v)
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                if is_unknown(v) or not isinstance(v, (str, int)) or isinstance(v, bool):
                    diags.error("Invalid import address", "An index in the import block 'to' "
                                "argument must be a known string or whole number.",
                                block.to.range)
                    return None, diags
                kind = "key"
            if kind == "name":
                text += ("." if text else "") + str(v)
            else:
                text += f"[{v}]" if isinstance(v, int) else "[" + _quote(v) + "]"
        try:
            return parse_instance(text), diags
        except AddressError as err:
            diags.error("Invalid import address", f"{err}.", block.to.range)
            return None, diags

    def import_id(self, target: ImportTarget) -> tuple[str | None, Diagnostics]:
        diags = Diagnostics()
        block = target.block
        value, d = self.evaluation.root.evaluate(block.id, None, target.each)
        diags.extend(d)
        if d.has_errors:
            return None, diags
        value = strip_sensitive(value)
        if is_unknown(value):
            diags.error("Invalid import id argument",
                        'The import block "id" argument depends on resource attributes that '
                        "cannot be determined until apply, so vpnform cannot plan to import "
                        "this resource.", block.id.range)
            return None, diags
        if value is None or not isinstance(value, str) or not value:
            what = "null" if value is None else "empty" if value == "" else "not a string"
            diags.error("Invalid import id argument",
                        f"The import ID must be a non-empty string; this one is {what}.",
                        block.id.range)
            return None, diags
        return value, diags

    def adopt(self, addr: InstanceAddr, provider, schema
              ) -> tuple[InstanceObject | None, str | None, Diagnostics]:
        """The planner's call for an instance with no prior object: the object its import
        block names (and that block's id), or (None, None) when it has none."""
        target = self.targets.get(addr)
        if target is None:
            return None, None, Diagnostics()
        target.adopted = True
        import_id, diags = self.import_id(target)
        if import_id is None:
            return None, None, diags
        obj, d = read_object(provider, schema, addr, import_id, target.block.range)
        diags.extend(d)
        return obj, (import_id if obj is not None else None), diags

    def unplanned(self, prior: State) -> Diagnostics:
        """Targets that no configured instance took up (a key count/for_each does not
        produce, a module instance that does not exist)."""
        diags = Diagnostics()
        for addr, target in sorted(self.targets.items()):
            if not target.adopted and prior.instance(addr) is None:
                diags.append(missing_config(str(addr), target.block.to.range))
        return diags


def generate_missing(config: Config, variables: dict, workdir: str, providers
                     ) -> tuple[str | None, Diagnostics]:
    """The text of a configuration file holding a resource block for every import block
    whose target has none (``plan -generate-config-out``); None when there is none."""
    from . import genconfig
    diags = Diagnostics()
    importer = Importer(config, Evaluation(config, variables, workdir, planning=True))
    diags.extend(importer.resolve(require_config=False))
    if diags.has_errors:
        return None, diags
    resources = config.resources()
    blocks = []
    for addr, target in sorted(importer.targets.items()):
        block = target.block
        if block.target in resources:
            continue
        if block.target.module:
            diags.error("Cannot generate configuration",
                        f"Resource {block.target} not found. Only resources within the root "
                        "module are eligible for config generation.", block.to.range)
            continue
        if block.for_each is not None or addr.key is not None:
            diags.error("Cannot generate configuration",
                        "This import block is not compatible with config generation. The "
                        "-generate-config-out option cannot be used with import blocks which "
                        "use for_each, or resources which use for_each or count.",
                        block.to.range)
            continue
        ref = block.provider or ProviderRef(addr.resource.type.split("_", 1)[0])
        paddr, d = resolve_provider(config.root, ref, block.range, config.module)
        diags.extend(d)
        provider = providers.get(paddr) if paddr is not None else None
        schema = providers.resource_schema(ref.name, addr.resource.type) if paddr else None
        if provider is None or schema is None:
            if not d.has_errors:
                diags.error("Invalid resource type",
                            f'The provider {ref.name} does not support resource type '
                            f'"{addr.resource.type}".', block.to.range)
            continue
        import_id, d = importer.import_id(target)
        diags.extend(d)
        if import_id is None:
            continue
        obj, d = read_object(provider, schema, addr, import_id, block.range)
        diags.extend(d)
        if obj is None:
            continue
        from ..values import mark_paths
        value = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
        named = f"{ref.name}.{ref.alias}" if ref.alias else None
        blocks.append(genconfig.resource_block(addr, schema.block, value, import_id, named))
    if diags.has_errors or not blocks:
        return None, diags
    return genconfig.file_text(blocks), diags


def _quote(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)


def _display(block: Import) -> str:
    out = ""
    for kind, v in block.to_steps:
        if kind == "name":
            out += ("." if out else "") + str(v)
        elif kind == "key":
            out += f"[{v}]" if isinstance(v, int) else "[" + _quote(v) + "]"
        else:
            out += "[...]"
    return out


__all__ = ["Importer", "ImportTarget", "read_object", "non_existent", "missing_config"]
