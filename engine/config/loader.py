"""Loading a module directory: read every ``*.tf``, parse, and build the static model.

Checks what can be checked without evaluation (block types and labels, duplicates,
meta-arguments, type constraints, constant defaults) and reports it as diagnostics.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..addrs import DATA, MANAGED, AddressError, ModuleInstanceStep, ResourceAddr, parse_target
from ..diagnostics import Diagnostics, SourceRange
from ..values import (
    ANY,
    BOOL,
    NUMBER,
    STRING,
    ConversionError,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
)
from . import hcl
from . import syntax as syn
from .evaluate import evaluate_constant, suggestion
from .model import (
    NO_DEFAULT,
    Backend,
    Check,
    CheckRule,
    Import,
    Lifecycle,
    Local,
    Module,
    ModuleCall,
    Moved,
    Output,
    ProviderConfig,
    ProviderPass,
    ProviderRef,
    Removed,
    RequiredProvider,
    Resource,
    Variable,
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

_TOP_LEVEL = ["terraform", "provider", "variable", "locals", "resource", "data", "output",
              "check", "module", "moved", "removed", "import"]
_NOT_YET: set = set()
_LABELS = {"resource": ("type", "name"), "data": ("type", "name"), "provider": ("name",),
           "variable": ("name",), "output": ("name",), "locals": (), "terraform": (),
           "check": ("name",), "module": ("name",), "moved": (), "removed": (), "import": ()}
_MODULE_META_ARGS = ("source", "version", "count", "for_each", "depends_on", "providers")
_RESERVED_VARIABLE_NAMES = {"source", "version", "providers", "count", "for_each", "lifecycle",
                            "depends_on", "locals"}
_META_ARGS = ("count", "for_each", "depends_on", "provider")


def load_module(dir: str, *, cache_dir: str | None = None, display_dir: str = "",
                allow_empty: bool = False) -> tuple[Module | None, Diagnostics]:
    """Parse every ``*.tf`` file in ``dir`` (sorted by name) into a Module.

    Filenames in source ranges and ``Module.files`` are ``display_dir``/name: relative to
    the root module's directory (``display_dir`` is "" for the root module itself).
    ``cache_dir`` enables the parse cache (see hcl.parse). Returns None only when nothing
    could be read. A directory without ``*.tf`` files is an error unless ``allow_empty``
    (an empty module: the console works there, as Terraform's does).
    """
    diags = Diagnostics()
    try:
        names = sorted(os.listdir(dir))
    except OSError as e:
        diags.error("Failed to read module directory",
                    f"Module directory {dir} does not exist or cannot be read: "
                    f"{e.strerror or e}.")
        return None, diags
    module = Module(source_dir=dir)
    tf_files = [n for n in names if n.endswith(".tf") and os.path.isfile(os.path.join(dir, n))
                and not n.startswith(".")]
    for n in names:
        if n.endswith(".tf.json"):
            diags.warning("JSON configuration not supported",
                          f'The file "{n}" uses the JSON configuration syntax, which vpnform '
                          "does not read yet; it is ignored.")
    if not tf_files:
        if allow_empty:
            return module, diags
        diags.error("No configuration files",
                    f"The directory {dir} contains no configuration files (*.tf).")
        return module, diags
    builder = _ModuleBuilder(module, diags)
    for name in tf_files:
        path = os.path.join(dir, name)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            diags.error("Failed to read file",
                        f'The configuration file "{name}" could not be read: {e.strerror}.')
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            diags.error("Invalid file encoding",
                        f'The configuration file "{name}" is not valid UTF-8 (invalid byte at '
                        f"offset {e.start}). Configuration files must be UTF-8 encoded.")
            continue
        if text.startswith("\ufeff"):
            text = text[1:]
        shown = os.path.join(display_dir, name) if display_dir else name
        module.files[shown] = text
        module.source_files.append(shown)
        body, d = hcl.parse(text, shown, cache_dir)
        diags.extend(d)
        if body is not None:
            builder.add_file(body)
    return module, diags


# ---------------------------------------------------------------------------------------


def _check_labels(blk: syn.Block, diags: Diagnostics, kind: str | None = None) -> bool:
    names = _LABELS[kind or blk.type]
    n = len(names)
    if len(blk.labels) < n:
        diags.error(f"Missing name for {blk.type}",
                    f"All {blk.type} blocks must have {n} label{'s' if n > 1 else ''} "
                    f"({', '.join(names)}).", blk.range)
        return False
    if len(blk.labels) > n:
        detail = (f"No labels are expected for {blk.type} blocks." if n == 0 else
                  f"Only {n} label{'s' if n > 1 else ''} ({', '.join(names)}) "
                  f"{'are' if n > 1 else 'is'} expected for {blk.type} blocks.")
        diags.error(f"Extraneous label for {blk.type}", detail, blk.label_ranges[n])
        return False
    for label, r, what in zip(blk.labels, blk.label_ranges, names):
        if not _IDENT.match(label):
            noun = {"type": f"{blk.type} type", "name": f"{blk.type} name"}[what]
            diags.error(f"Invalid {noun}", "A name must start with a letter or underscore and "
                        "may contain only letters, digits, underscores, and dashes.", r)
            return False
    return True


def _check_body(body: syn.Body, attrs: tuple, blocks: tuple, diags: Diagnostics) -> None:
    for name, attr in body.attributes.items():
        if name not in attrs:
            hint = (f' Did you mean to define a block of type "{name}"?' if name in blocks
                    else suggestion(name, attrs))
            diags.error("Unsupported argument",
                        f'An argument named "{name}" is not expected here.{hint}',
                        attr.name_range)
    for blk in body.blocks:
        if blk.type not in blocks:
            hint = (f' Did you mean to define argument "{blk.type}"? If so, use the equals '
                    "sign to assign it a value." if blk.type in attrs
                    else suggestion(blk.type, blocks))
            diags.error("Unsupported block type",
                        f'Blocks of type "{blk.type}" are not expected here.{hint}',
                        blk.type_range)


def _require(body: syn.Body, name: str, header: SourceRange, diags: Diagnostics) -> bool:
    if name in body.attributes:
        return True
    diags.error("Missing required argument",
                f'The argument "{name}" is required, but no definition was found.', header)
    return False


def _constant(attr: syn.Attribute, type_: Type, diags: Diagnostics) -> Any:
    v, d = evaluate_constant(attr.expr)
    diags.extend(d)
    if d.has_errors:
        return None
    try:
        return type_.convert(v)
    except ConversionError as e:
        diags.error("Incorrect attribute value type",
                    f'Inappropriate value for attribute "{attr.name}": {e}.', attr.expr.range)
        return None


def _check_rule(blk: syn.Block, diags: Diagnostics) -> CheckRule | None:
    _check_body(blk.body, ("condition", "error_message"), (), diags)
    ok = _require(blk.body, "condition", blk.range, diags)
    ok = _require(blk.body, "error_message", blk.range, diags) and ok
    if not ok:
        return None
    return CheckRule(blk.body.attributes["condition"].expr,
                     blk.body.attributes["error_message"].expr, blk.range)


def _static_traversal(expr: syn.Expr, diags: Diagnostics) -> syn.Traversal | None:
    if isinstance(expr, syn.ScopeTraversalExpr):
        return expr.traversal
    diags.error("Invalid expression", "A single static variable reference is required: only "
                "attribute access and indexing with constant keys. No calculations, function "
                "calls, template expressions, etc are allowed here.", expr.range)
    return None


def _static_list(attr: syn.Attribute, diags: Diagnostics) -> list[syn.Expr] | None:
    expr = attr.expr
    while isinstance(expr, syn.ParenExpr):
        expr = expr.inner
    if isinstance(expr, syn.TupleExpr):
        return list(expr.items)
    diags.error("Invalid expression", "A static list expression is required.", attr.expr.range)
    return None


class _ModuleBuilder:
    def __init__(self, module: Module, diags: Diagnostics):
        self.m = module
        self.diags = diags

    def add_file(self, body: syn.Body) -> None:
        for name, attr in body.attributes.items():
            self.diags.error("Unsupported argument",
                             f'An argument named "{name}" is not expected here.',
                             attr.name_range)
        for blk in body.blocks:
            handler = getattr(self, "b_" + blk.type, None)
            if handler is None or blk.type not in _TOP_LEVEL:
                if blk.type in _NOT_YET:
                    detail = f'vpnform does not support "{blk.type}" blocks yet.'
                else:
                    detail = (f'Blocks of type "{blk.type}" are not expected here.'
                              + suggestion(blk.type, _TOP_LEVEL))
                self.diags.error("Unsupported block type", detail, blk.type_range)
                continue
            if _check_labels(blk, self.diags):
                handler(blk)

    # -- terraform -----------------------------------------------------------------------
    def b_terraform(self, blk: syn.Block) -> None:
        d = self.diags
        _check_body(blk.body, ("required_version", "experiments"),
                    ("required_providers", "backend", "provider_meta", "cloud", "encryption"), d)
        rv = blk.body.attributes.get("required_version")
        if rv is not None:
            self.m.required_version = _constant(rv, STRING, d) or ""
        for inner in blk.body.blocks:
            if inner.type == "required_providers":
                self.required_providers(inner)
            elif inner.type == "backend":
                if len(inner.labels) != 1:
                    d.error("Missing name for backend" if not inner.labels else
                            "Extraneous label for backend",
                            "A backend block must have one label: the backend type.",
                            inner.range)
                    continue
                if self.m.backend is not None:
                    d.error("Duplicate backend configuration",
                            "A module may have only one backend configuration. The backend was "
                            f"previously configured at {self.m.backend.range}.", inner.range)
                    continue
                self.m.backend = Backend(inner.labels[0], inner.body, inner.range)
            elif inner.type == "encryption":
                if self.m.encryption is not None:
                    d.error("Duplicate encryption configuration",
                            "A module may have only one encryption block. It was previously "
                            f"configured at {self.m.encryption.range}.", inner.range)
                    continue
                # kept unevaluated: engine/state/encryption.py evaluates it with the root
                # module's variables
                self.m.encryption = inner
            elif inner.type == "cloud":
                d.error("Unsupported block type",
                        'vpnform does not support "cloud" blocks; use a backend instead.',
                        inner.type_range)

    def required_providers(self, blk: syn.Block) -> None:
        d = self.diags
        for b in blk.body.blocks:
            d.error("Unsupported block type",
                    f'Blocks of type "{b.type}" are not expected here. Provider requirements '
                    f'are arguments: {b.type} = {{ source = "...", version = "..." }}.',
                    b.type_range)
        for name, attr in blk.body.attributes.items():
            expr, aliases = self.configuration_aliases(name, attr.expr)
            v, dd = evaluate_constant(expr)
            d.extend(dd)
            if dd.has_errors:
                continue
            if isinstance(v, str):  # legacy: name = "version constraint"
                self.m.required_providers[name] = RequiredProvider(name, "", v, attr.range)
                continue
            if not isinstance(v, dict):
                d.error("Invalid required_providers object",
                        "required_providers objects can only contain \"version\", \"source\" "
                        'and "configuration_aliases" attributes.', attr.expr.range)
                continue
            bad = [k for k in v if k not in ("source", "version", "configuration_aliases")]
            if bad:
                d.error("Invalid required_providers object",
                        "required_providers objects can only contain \"version\", \"source\" "
                        f'and "configuration_aliases" attributes. "{bad[0]}" is not one of '
                        "them.", attr.expr.range)
                continue
            source, version = v.get("source") or "", v.get("version") or ""
            if not isinstance(source, str) or not isinstance(version, str):
                d.error("Invalid required_providers object",
                        'The "source" and "version" of a provider requirement must be strings.',
                        attr.expr.range)
                continue
            self.m.required_providers[name] = RequiredProvider(name, source, version,
                                                               attr.range, aliases)

    def configuration_aliases(self, name: str, expr: syn.Expr) -> tuple[syn.Expr, list]:
        """Split ``configuration_aliases = [tencentcloud.hk]`` (provider references, not
        values) off a requirement object; the rest is evaluated as a constant."""
        if not isinstance(expr, syn.ObjectExpr):
            return expr, []
        rest, aliases = [], []
        for item in expr.items:
            key = item.key
            if not (isinstance(key, syn.LiteralExpr) and key.value == "configuration_aliases"):
                rest.append(item)
                continue
            value = item.value
            items = value.items if isinstance(value, syn.TupleExpr) else None
            if items is None:
                self.diags.error("Invalid configuration_aliases",
                                 "configuration_aliases must be a list of provider "
                                 f"references, like [{name}.hk].", value.range)
                continue
            for it in items:
                t = it.traversal if isinstance(it, syn.ScopeTraversalExpr) else None
                if (t is None or t.root != name or len(t.steps) != 1
                        or not isinstance(t.steps[0], syn.GetAttr)):
                    self.diags.error("Invalid configuration_aliases",
                                     f"Each entry must be a reference to an alias of {name}, "
                                     f"like {name}.hk.", it.range)
                    continue
                aliases.append(ProviderRef(name, t.steps[0].name, it.range))
        return syn.ObjectExpr(rest, expr.range), aliases

    # -- provider ------------------------------------------------------------------------
    def b_provider(self, blk: syn.Block) -> None:
        d = self.diags
        name = blk.labels[0]
        alias = None
        attrs = dict(blk.body.attributes)
        a = attrs.pop("alias", None)
        if a is not None:
            alias = _constant(a, STRING, d)
            if alias is not None and not _IDENT.match(alias):
                d.error("Invalid provider configuration alias",
                        "An alias must be a valid name. A name must start with a letter or "
                        "underscore and may contain only letters, digits, underscores, and "
                        "dashes.", a.expr.range)
                return
        v = attrs.pop("version", None)
        if v is not None:
            d.warning("Version constraints inside provider configuration blocks are deprecated",
                      "Move the version constraint into the required_providers block of the "
                      "terraform block.", v.range)
        key = (name, alias)
        prior = self.m.providers.get(key)
        if prior is not None:
            if alias is None:
                detail = (f'A default (non-aliased) provider configuration for "{name}" was '
                          f"already given at {prior.range}. If multiple configurations are "
                          'required, set the "alias" argument for alternative configurations.')
            else:
                detail = (f'A provider configuration for "{name}" with alias "{alias}" was '
                          f"already given at {prior.range}. Each configuration for the same "
                          "provider must have a distinct alias.")
            d.error("Duplicate provider configuration", detail, blk.range)
            return
        body = syn.Body(attrs, list(blk.body.blocks), blk.body.range)
        self.m.providers[key] = ProviderConfig(name, alias, body, blk.range)

    # -- variable ------------------------------------------------------------------------
    def b_variable(self, blk: syn.Block) -> None:
        d = self.diags
        name = blk.labels[0]
        if name in _RESERVED_VARIABLE_NAMES:
            d.error("Invalid variable name",
                    f'The variable name "{name}" is reserved due to its special meaning inside '
                    "module blocks.", blk.label_ranges[0])
            return
        prior = self.m.variables.get(name)
        if prior is not None:
            d.error("Duplicate variable declaration",
                    f'A variable named "{name}" was already declared at {prior.range}. Variable '
                    "names must be unique within a module.", blk.range)
            return
        body = blk.body
        _check_body(body, ("type", "default", "description", "sensitive", "nullable",
                           "ephemeral"), ("validation",), d)
        n_errors = len(d.errors)
        var = Variable(name, None, NO_DEFAULT, False, range=blk.range)
        if "type" in body.attributes:
            t = body.attributes["type"]
            var.type, td = type_from_expr(t.expr)
            var.type_range = t.expr.range
            d.extend(td)
        if "description" in body.attributes:
            var.description = _constant(body.attributes["description"], STRING, d) or ""
        if "sensitive" in body.attributes:
            var.sensitive = bool(_constant(body.attributes["sensitive"], BOOL, d))
        if "nullable" in body.attributes:
            nv = _constant(body.attributes["nullable"], BOOL, d)
            var.nullable = True if nv is None else nv
        if "default" in body.attributes:
            da = body.attributes["default"]
            var.default_range = da.expr.range
            v, dd = evaluate_constant(da.expr)
            d.extend(dd)
            if not dd.has_errors:
                if v is None and not var.nullable:
                    d.error("Invalid default value for variable",
                            "A null default value is not valid when nullable=false.",
                            da.expr.range)
                else:
                    try:
                        var.default = (var.type or ANY).convert(v)
                        var.has_default = True
                    except ConversionError as e:
                        d.error("Invalid default value for variable",
                                "This default value is not compatible with the variable's type "
                                f"constraint: {e}.", da.expr.range)
        for inner in body.blocks_of_type("validation"):
            rule = _check_rule(inner, d)
            if rule is not None:
                var.validations.append(rule)
        if len(d.errors) == n_errors:
            self.m.variables[name] = var

    # -- locals --------------------------------------------------------------------------
    def b_locals(self, blk: syn.Block) -> None:
        d = self.diags
        for b in blk.body.blocks:
            d.error("Unsupported block type", f'Blocks of type "{b.type}" are not expected in '
                    "a locals block: local values are arguments (name = value).", b.type_range)
        for name, attr in blk.body.attributes.items():
            prior = self.m.locals.get(name)
            if prior is not None:
                d.error("Duplicate local value definition",
                        f'A local value named "{name}" was already defined at {prior.range}. '
                        "Local value names must be unique within a module.", attr.name_range)
                continue
            self.m.locals[name] = Local(name, attr.expr, attr.name_range)

    # -- output --------------------------------------------------------------------------
    def b_output(self, blk: syn.Block) -> None:
        d = self.diags
        name = blk.labels[0]
        prior = self.m.outputs.get(name)
        if prior is not None:
            d.error("Duplicate output definition",
                    f'An output named "{name}" was already defined at {prior.range}. Output '
                    "names must be unique within a module.", blk.range)
            return
        body = blk.body
        _check_body(body, ("value", "description", "sensitive", "depends_on", "ephemeral"),
                    ("precondition",), d)
        if not _require(body, "value", blk.range, d):
            return
        out = Output(name, body.attributes["value"].expr, range=blk.range)
        if "description" in body.attributes:
            out.description = _constant(body.attributes["description"], STRING, d) or ""
        if "sensitive" in body.attributes:
            out.sensitive = bool(_constant(body.attributes["sensitive"], BOOL, d))
        if "depends_on" in body.attributes:
            out.depends_on = self.depends_on(body.attributes["depends_on"])
        for inner in body.blocks_of_type("precondition"):
            rule = _check_rule(inner, d)
            if rule is not None:
                out.preconditions.append(rule)
        self.m.outputs[name] = out

    # -- module --------------------------------------------------------------------------
    def b_module(self, blk: syn.Block) -> None:
        d = self.diags
        name = blk.labels[0]
        prior = self.m.module_calls.get(name)
        if prior is not None:
            d.error("Duplicate module call",
                    f'A module call named "{name}" was already defined at {prior.range}. Module '
                    "calls must have unique names within a module.", blk.range)
            return
        attrs = dict(blk.body.attributes)
        meta = {k: attrs.pop(k) for k in _MODULE_META_ARGS if k in attrs}
        for inner in blk.body.blocks:
            detail = (f'Blocks of type "{inner.type}" are not expected here.'
                      if inner.type != "lifecycle" else
                      'The "lifecycle" block name is reserved for use by vpnform in a future '
                      "version: a module block cannot have one.")
            d.error("Unsupported block type", detail, inner.type_range)
        if not _require(blk.body, "source", blk.range, d):
            return
        src_attr = meta["source"]
        source = src_attr.expr.value if isinstance(src_attr.expr, syn.LiteralExpr) else None
        if not isinstance(source, str):
            d.error("Variables not allowed",
                    "The module source must be a literal string: variables and other "
                    "expressions are not allowed here, because vpnform reads modules before "
                    "it evaluates anything.", src_attr.expr.range)
            return
        if not (source.startswith("./") or source.startswith("../")
                or source in (".", "..")):
            d.error("Unsupported module source",
                    f'The module source "{source}" is not a local path. vpnform installs '
                    'modules only from local directories: start the path with "./" or "../", '
                    'like source = "./modules/site".', src_attr.expr.range)
            return
        if "version" in meta:
            d.error("Invalid registry module source address",
                    f'Failed to parse module registry address: "{source}" is a local path. '
                    "vpnform assumed that you intended a module registry source address "
                    'because you also set the argument "version", which applies only to '
                    "registry modules. Remove the version argument to use the local module.",
                    src_attr.expr.range)
            return
        call = ModuleCall(name, source, attrs, range=blk.range, source_range=src_attr.expr.range)
        call.count, call.for_each = self.repetition(meta, "module instances")
        if "depends_on" in meta:
            call.depends_on = self.depends_on(meta["depends_on"])
        if "providers" in meta:
            call.providers = self.provider_passes(meta["providers"])
        self.m.module_calls[name] = call

    def provider_passes(self, attr: syn.Attribute) -> list:
        d = self.diags
        expr = attr.expr
        if not isinstance(expr, syn.ObjectExpr):
            d.error("Invalid providers argument",
                    "The providers argument must be a map from provider names inside the "
                    "module to provider configurations here, like "
                    "providers = { tencentcloud = tencentcloud.hk }.", expr.range)
            return []
        out: list[ProviderPass] = []
        for item in expr.items:
            key = item.key
            if isinstance(key, syn.LiteralExpr) and isinstance(key.value, str):
                child = ProviderRef(key.value, None, key.range)
            else:
                child = self.provider_ref(syn.Attribute("providers", key, key.range, key.range))
            parent = self.provider_ref(syn.Attribute("providers", item.value, item.value.range,
                                                     item.value.range))
            if child is not None and parent is not None:
                if child.name != parent.name:
                    d.error("Invalid providers argument",
                            f"Provider {parent.name} cannot be passed as {child.name}: a "
                            "module's provider configurations must be of the same provider.",
                            item.value.range)
                    continue
                out.append(ProviderPass(child, parent))
        return out

    # -- moved / removed -----------------------------------------------------------------
    def _address_arg(self, blk: syn.Block, name: str) -> str | None:
        attr = blk.body.attributes.get(name)
        if attr is None:
            _require(blk.body, name, blk.range, self.diags)
            return None
        t = _static_traversal(attr.expr, self.diags)
        if t is None:
            return None
        text = str(t)
        try:
            parse_target(text)
        except AddressError as err:
            self.diags.error("Invalid address", f"{err}. Give a resource or module address, "
                             "like tencentcloud_vpc.main or module.site.", attr.expr.range)
            return None
        return text

    def b_moved(self, blk: syn.Block) -> None:
        _check_body(blk.body, ("from", "to"), (), self.diags)
        from_, to = self._address_arg(blk, "from"), self._address_arg(blk, "to")
        if from_ is None or to is None:
            return
        if from_ == to:
            self.diags.error("Redundant move statement",
                             f"This statement declares a move from {from_} to the same "
                             "address, which is the same as not declaring this move at all.",
                             blk.range)
            return
        self.m.moved.append(Moved(from_, to, blk.range))

    def b_removed(self, blk: syn.Block) -> None:
        d = self.diags
        _check_body(blk.body, ("from",), ("lifecycle",), d)
        from_ = self._address_arg(blk, "from")
        if from_ is None:
            return
        target = parse_target(from_)
        if target.keyed or any(st.key is not None for st in target.module):
            d.error("Resource instance keys not allowed",
                    "Resource address must be a resource (e.g. \"test_instance.foo\") or a "
                    "module (e.g. \"module.foo\"), not an instance of one.",
                    blk.body.attributes["from"].expr.range)
            return
        destroy = True
        for inner in blk.body.blocks_of_type("lifecycle"):
            _check_body(inner.body, ("destroy",), (), d)
            if "destroy" in inner.body.attributes:
                destroy = bool(_constant(inner.body.attributes["destroy"], BOOL, d))
        self.m.removed.append(Removed(from_, destroy, blk.range))

    # -- check ---------------------------------------------------------------------------
    def b_check(self, blk: syn.Block) -> None:
        d = self.diags
        name = blk.labels[0]
        prior = self.m.checks.get(name)
        if prior is not None:
            d.error("Duplicate check block",
                    f'A check block named "{name}" was already defined at {prior.range}. Check '
                    "block names must be unique within a module.", blk.range)
            return
        for attr_name, attr in blk.body.attributes.items():
            d.error("Unsupported argument",
                    f'An argument named "{attr_name}" is not expected here.', attr.name_range)
        check = Check(name, range=blk.range)
        n_errors = len(d.errors)
        for inner in blk.body.blocks:
            if inner.type == "assert":
                if inner.labels:
                    d.error("Extraneous label for assert",
                            "No labels are expected for assert blocks.", inner.label_ranges[0])
                    continue
                rule = _check_rule(inner, d)
                if rule is not None:
                    check.asserts.append(rule)
            elif inner.type == "data":
                if _check_labels(inner, d, "data"):
                    res = self.resource(inner, DATA, store=False)
                    if res is not None:
                        check.data[res.addr] = res
            else:
                d.error("Unsupported block type",
                        f'Blocks of type "{inner.type}" are not expected here.'
                        + suggestion(inner.type, ("assert", "data")), inner.type_range)
        if not check.asserts and len(d.errors) == n_errors:
            d.error("Missing assert block",
                    "A check block must contain at least one assert block.", blk.range)
            return
        self.m.checks[name] = check

    # -- import --------------------------------------------------------------------------
    def b_import(self, blk: syn.Block) -> None:
        d = self.diags
        _check_body(blk.body, ("to", "id", "provider", "for_each"), (), d)
        ok = _require(blk.body, "to", blk.range, d)
        ok = _require(blk.body, "id", blk.range, d) and ok
        if not ok:
            return
        a = blk.body.attributes
        to = a["to"].expr
        steps = _import_steps(to)
        target, problem = _import_target(steps) if steps is not None else (None, None)
        if target is None:
            d.error("Invalid import address", problem or "The import block 'to' argument must "
                    "be a resource address, such as tencentcloud_vpc.main or "
                    'module.site["sh"].tencentcloud_vpn_customer_gateway.idc.', to.range)
            return
        if any(kind == "key_expr" for kind, _ in steps) and "for_each" not in a:
            d.error("Invalid import address", "An index in the import block 'to' argument "
                    "must be a constant (\"key\" or 0) unless the import block has "
                    "for_each; then it may use each.key and each.value.", to.range)
            return
        imp = Import(to=to, id=a["id"].expr, to_steps=steps, target=target, range=blk.range)
        if "for_each" in a:
            imp.for_each = a["for_each"].expr
        if "provider" in a:
            imp.provider = self.provider_ref(a["provider"])
        if imp.for_each is None:
            text = _steps_text(steps)
            for other in self.m.imports:
                if other.for_each is None and _steps_text(other.to_steps) == text:
                    d.error(f'Duplicate import configuration for "{text}"',
                            f'An import block for the resource "{text}" was already declared '
                            f"at {other.to.range}. A resource can have only one import block.",
                            to.range)
                    return
        self.m.imports.append(imp)

    # -- resources -----------------------------------------------------------------------
    def b_resource(self, blk: syn.Block) -> None:
        self.resource(blk, MANAGED)

    def b_data(self, blk: syn.Block) -> None:
        self.resource(blk, DATA)

    def resource(self, blk: syn.Block, mode: str, store: bool = True) -> Resource | None:
        d = self.diags
        rtype, rname = blk.labels
        addr = ResourceAddr(mode, rtype, rname)
        prior = self.m.resources.get(addr) or next(
            (c.data[addr] for c in self.m.checks.values() if addr in c.data), None)
        if prior is not None:
            kind = "resource" if mode == MANAGED else "data"
            what = "resource" if mode == MANAGED else "data resource"
            d.error(f'Duplicate {kind} "{rtype}" configuration',
                    f'A {rtype} {what} named "{rname}" was already declared at {prior.range}. '
                    "Resource names must be unique per type in each module.", blk.range)
            return None
        attrs = dict(blk.body.attributes)
        meta = {k: attrs.pop(k) for k in _META_ARGS if k in attrs}
        blocks = []
        lifecycle = Lifecycle()
        seen_lifecycle: syn.Block | None = None
        for inner in blk.body.blocks:
            if inner.type == "lifecycle":
                if seen_lifecycle is not None:
                    d.error("Duplicate lifecycle block",
                            "This resource already has a lifecycle block at "
                            f"{seen_lifecycle.range}.", inner.range)
                    continue
                seen_lifecycle = inner
                lifecycle = self.lifecycle(inner, mode)
            elif inner.type in ("provisioner", "connection"):
                d.error("Unsupported block type",
                        f'vpnform does not support "{inner.type}" blocks: resources are managed '
                        "only through their provider.", inner.type_range)
            else:
                blocks.append(inner)
        res = Resource(addr, syn.Body(attrs, blocks, blk.body.range),
                       ProviderRef(rtype.split("_", 1)[0]), range=blk.range,
                       type_range=blk.label_ranges[0], lifecycle=lifecycle)
        res.count, res.for_each = self.repetition(meta, "resources")
        if "depends_on" in meta:
            res.depends_on = self.depends_on(meta["depends_on"])
        if "provider" in meta:
            ref = self.provider_ref(meta["provider"])
            if ref is not None:
                res.provider = ref
        if store:
            self.m.resources[addr] = res
        return res

    def repetition(self, meta: dict, things: str) -> tuple:
        """(count, for_each) expressions of a block's meta-arguments; giving both is an
        error (for_each is then ignored)."""
        count = meta["count"].expr if "count" in meta else None
        if "for_each" not in meta:
            return count, None
        if count is not None:
            self.diags.error('Invalid combination of "count" and "for_each"',
                             'The "count" and "for_each" meta-arguments are mutually-exclusive, '
                             "only one should be used to be explicit about the number of "
                             f"{things} to be created.", meta["for_each"].name_range)
            return count, None
        return None, meta["for_each"].expr

    def depends_on(self, attr: syn.Attribute) -> list:
        items = _static_list(attr, self.diags)
        out = []
        for item in items or []:
            t = _static_traversal(item, self.diags)
            if t is not None:
                out.append(t)
        return out

    def provider_ref(self, attr: syn.Attribute) -> ProviderRef | None:
        expr = attr.expr
        if isinstance(expr, syn.ScopeTraversalExpr):
            t = expr.traversal
            if not t.steps:
                return ProviderRef(t.root, None, expr.range)
            if len(t.steps) == 1 and isinstance(t.steps[0], syn.GetAttr):
                return ProviderRef(t.root, t.steps[0].name, expr.range)
        detail = ('The provider argument requires a provider type name, optionally followed by '
                  'a period and then a configuration alias, like "tencentcloud.hk".')
        if isinstance(expr, syn.LiteralExpr) and isinstance(expr.value, str):
            detail += f" Remove the quotes: provider = {expr.value}."
        self.diags.error("Invalid provider reference", detail, expr.range)
        return None

    def lifecycle(self, blk: syn.Block, mode: str) -> Lifecycle:
        d = self.diags
        if blk.labels:
            d.error("Extraneous label for lifecycle", "No labels are expected for lifecycle "
                    "blocks.", blk.label_ranges[0])
        allowed: tuple = ("create_before_destroy", "prevent_destroy", "ignore_changes",
                          "replace_triggered_by")
        if mode == DATA:
            allowed = ()
        _check_body(blk.body, allowed, ("precondition", "postcondition"), d)
        lc = Lifecycle()
        a = blk.body.attributes
        if "create_before_destroy" in a and "create_before_destroy" in allowed:
            lc.create_before_destroy = bool(_constant(a["create_before_destroy"], BOOL, d))
        if "prevent_destroy" in a and "prevent_destroy" in allowed:
            lc.prevent_destroy = bool(_constant(a["prevent_destroy"], BOOL, d))
        if "ignore_changes" in a and "ignore_changes" in allowed:
            self.ignore_changes(a["ignore_changes"], lc)
        if "replace_triggered_by" in a and "replace_triggered_by" in allowed:
            lc.replace_triggered_by = _static_list(a["replace_triggered_by"], d) or []
        for inner in blk.body.blocks:
            rule = _check_rule(inner, d) if inner.type in ("precondition", "postcondition") \
                else None
            if rule is not None:
                (lc.preconditions if inner.type == "precondition"
                 else lc.postconditions).append(rule)
        return lc

    def ignore_changes(self, attr: syn.Attribute, lc: Lifecycle) -> None:
        expr = attr.expr
        if (isinstance(expr, syn.ScopeTraversalExpr) and expr.traversal.root == "all"
                and not expr.traversal.steps):
            lc.ignore_changes = ["*"]
            lc.ignore_changes_paths = []
            return
        items = _static_list(attr, self.diags)
        for item in items or []:
            if isinstance(item, syn.LiteralExpr) and item.value == "*":
                self.diags.error("Invalid ignore_changes wildcard",
                                 'The ["*"] form of ignore_changes wildcard was deprecated '
                                 'and is now invalid. Use "ignore_changes = all" to ignore '
                                 "changes to all attributes.", item.range)
                continue
            t = _static_traversal(item, self.diags)
            if t is None:
                continue
            path = (t.root,) + tuple(s.name if isinstance(s, syn.GetAttr) else s.key
                                     for s in t.steps)
            if t.root not in lc.ignore_changes:
                lc.ignore_changes.append(t.root)
            lc.ignore_changes_paths.append(path)


# ---------------------------------------------------------------------------------------
# Type constraints


_PRIMITIVES = {"string": STRING, "number": NUMBER, "bool": BOOL, "any": ANY}
_CONSTRUCTORS = ("list", "set", "map", "tuple", "object", "optional")


def _import_steps(expr: syn.Expr) -> list | None:
    """The steps of an import target reference: ("name", text), ("key", constant) or
    ("key_expr", Expr); None when ``expr`` is not a reference."""
    while isinstance(expr, syn.ParenExpr):
        expr = expr.inner
    if isinstance(expr, syn.ScopeTraversalExpr):
        return [("name", expr.traversal.root)] + _traversal_steps(expr.traversal.steps)
    if isinstance(expr, syn.RelativeTraversalExpr):
        base = _import_steps(expr.source)
        return None if base is None else base + _traversal_steps(expr.steps)
    if isinstance(expr, syn.IndexExpr):
        base = _import_steps(expr.collection)
        if base is None:
            return None
        key = expr.key
        while isinstance(key, syn.ParenExpr):
            key = key.inner
        if isinstance(key, syn.LiteralExpr) and isinstance(key.value, (str, int, float)) \
                and not isinstance(key.value, bool):
            return base + [("key", _index_key(key.value))]
        return base + [("key_expr", expr.key)]
    return None


def _traversal_steps(steps: tuple) -> list:
    return [("name", s.name) if isinstance(s, syn.GetAttr) else ("key", _index_key(s.key))
            for s in steps]


def _index_key(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _import_target(steps: list) -> tuple[ResourceAddr | None, str | None]:
    """The configuration address (no instance keys) an import target names, or None and
    why not."""
    i, module, names = 0, [], steps
    while i < len(names) and names[i] == ("name", "module"):
        if i + 1 >= len(names) or names[i + 1][0] != "name":
            return None, None
        module.append(ModuleInstanceStep(str(names[i + 1][1])))
        i += 2
        if i < len(names) and names[i][0] != "name":
            i += 1
    if i < len(names) and names[i] == ("name", "data"):
        return None, "Only managed resources can be imported."
    if i + 1 >= len(names) or names[i][0] != "name" or names[i + 1][0] != "name":
        return None, None
    addr = ResourceAddr(MANAGED, str(names[i][1]), str(names[i + 1][1]), tuple(module))
    i += 2
    if i < len(names) and names[i][0] != "name":
        i += 1
    if i != len(names):
        return None, None
    return addr, None


def _steps_text(steps: list) -> str:
    out = ""
    for kind, v in steps:
        if kind == "name":
            out += ("." if out else "") + str(v)
        elif kind == "key":
            out += f"[{v}]" if isinstance(v, int) else '["' + str(v) + '"]'
        else:
            out += "[…]"
    return out


def type_from_expr(expr: syn.Expr, *, in_object: bool = False
                   ) -> tuple[Type | None, Diagnostics]:
    """A type constraint expression (``list(object({a = string}))``) as a values.Type."""
    diags = Diagnostics()
    t = _type(expr, diags, in_object)
    return (None if diags.has_errors else t), diags


def _type_error(diags: Diagnostics, detail: str, r: SourceRange) -> None:
    diags.error("Invalid type specification", detail, r)


def _type(expr: syn.Expr, diags: Diagnostics, in_object: bool = False) -> Any:
    while isinstance(expr, syn.ParenExpr):
        expr = expr.inner
    if isinstance(expr, syn.ScopeTraversalExpr) and not expr.traversal.steps:
        word = expr.traversal.root
        if word in _PRIMITIVES:
            return _PRIMITIVES[word]
        if word in _CONSTRUCTORS:
            what = {"object": "an object type", "tuple": "a list of element types"}.get(
                word, "the element type")
            _type_error(diags, f"The {word} type constructor requires one argument specifying "
                        f"{what}.", expr.range)
            return None
        _type_error(diags, f'The keyword "{word}" is not a valid type specification.'
                    + suggestion(word, list(_PRIMITIVES) + list(_CONSTRUCTORS)), expr.range)
        return None
    if isinstance(expr, syn.LiteralExpr) and isinstance(expr.value, str):
        diags.error("Invalid quoted type constraints",
                    "Terraform 0.11 and earlier required type constraints to be given in "
                    "quotes, but that form is now invalid. Remove the quotes around "
                    f'"{expr.value}".', expr.range)
        return None
    if isinstance(expr, syn.FunctionCallExpr):
        name, args = expr.name, expr.args
        if name not in _CONSTRUCTORS:
            _type_error(diags, f'Keyword "{name}" is not a valid type constructor.'
                        + suggestion(name, _CONSTRUCTORS), expr.name_range)
            return None
        if name == "optional":
            if not in_object:
                _type_error(diags, 'Keyword "optional" is valid only as a modifier for object '
                            "type attributes.", expr.name_range)
                return None
            if not 1 <= len(args) <= 2:
                _type_error(diags, "The optional modifier requires the attribute type and, "
                            "optionally, a default value.", expr.range)
                return None
            inner = _type(args[0], diags)
            default = None
            if len(args) == 2:
                v, d = evaluate_constant(args[1])
                diags.extend(d)
                if not d.has_errors and inner is not None:
                    try:
                        default = inner.convert(v)
                    except ConversionError as e:
                        diags.error("Invalid default value for optional attribute",
                                    f"The default value is not compatible with the attribute's "
                                    f"type: {e}.", args[1].range)
            return _Optional(inner, default)
        if len(args) != 1:
            _type_error(diags, f"The {name} type constructor requires one argument.", expr.range)
            return None
        arg = args[0]
        if name in ("list", "set", "map"):
            el = _type(arg, diags)
            if el is None:
                return None
            return {"list": ListType, "set": SetType, "map": MapType}[name](el)
        if name == "tuple":
            if not isinstance(arg, syn.TupleExpr):
                _type_error(diags, "The tuple type constructor requires a list of element "
                            "types.", arg.range)
                return None
            els = [_type(x, diags) for x in arg.items]
            return None if any(e is None for e in els) else TupleType(els)
        if not isinstance(arg, syn.ObjectExpr):
            _type_error(diags, "The object type constructor requires one argument specifying "
                        "the attribute types as a map.", arg.range)
            return None
        attrs: dict = {}
        optional: set = set()
        defaults: dict = {}
        for item in arg.items:
            key = item.key
            if not (isinstance(key, syn.LiteralExpr) and isinstance(key.value, str)):
                _type_error(diags, "Object constructor map keys must be attribute names.",
                            key.range)
                return None
            at = _type(item.value, diags, in_object=True)
            if at is None:
                return None
            if isinstance(at, _Optional):
                optional.add(key.value)
                if at.default is not None:
                    defaults[key.value] = at.default
                at = at.type
                if at is None:
                    return None
            attrs[key.value] = at
        return ObjectType(attrs, frozenset(optional), defaults)
    _type_error(diags, "A type specification is either a primitive type keyword (bool, "
                "number, string), a complex type constructor call like list(string), or the "
                '"any" keyword.', expr.range)
    return None


class _Optional:
    def __init__(self, type_: Any, default: Any):
        self.type = type_
        self.default = default
