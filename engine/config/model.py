"""The static model of one module's configuration: what blocks declare, before evaluation.

Built by loader.py from the syntax tree (syntax.py). Holds expressions unevaluated;
evaluate.py turns them into values. Everything carries source ranges for diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..addrs import ResourceAddr
from ..diagnostics import SourceRange
from ..values import Type
from .syntax import Body, Expr


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()  # Variable.default when the declaration has none


@dataclass
class CheckRule:
    """A ``validation`` / ``precondition`` / ``postcondition`` block: evaluated later."""

    condition: Expr
    error_message: Expr
    range: SourceRange | None = None


@dataclass
class Backend:
    """``terraform { backend "local" { path = ... } }``: the body is kept unevaluated."""

    type: str
    body: Body
    range: SourceRange | None = None


@dataclass
class Variable:
    name: str
    type: Type | None  # None: no constraint given (any)
    default: Any  # evaluated constant; NO_DEFAULT when absent
    has_default: bool
    description: str = ""
    sensitive: bool = False
    nullable: bool = True
    range: SourceRange | None = None  # the `variable "x"` header
    validations: list = field(default_factory=list)  # list[CheckRule]
    default_range: SourceRange | None = None  # the default's expression, when given
    type_range: SourceRange | None = None


@dataclass
class Local:
    name: str
    expr: Expr
    range: SourceRange | None = None


@dataclass
class Output:
    name: str
    expr: Expr
    description: str = ""
    sensitive: bool = False
    depends_on: list = field(default_factory=list)  # list[Traversal]
    range: SourceRange | None = None
    preconditions: list = field(default_factory=list)  # list[CheckRule]


@dataclass
class ProviderRef:
    """``provider = tencentcloud.hk`` on a resource (or the implied default)."""

    name: str
    alias: str | None = None
    range: SourceRange | None = None


@dataclass
class ProviderConfig:
    name: str
    alias: str | None
    body: Body  # evaluated against the provider's schema
    range: SourceRange | None = None


@dataclass
class RequiredProvider:
    name: str
    source: str = ""  # e.g. "tencentcloudstack/tencentcloud"
    version: str = ""
    range: SourceRange | None = None
    # aliases a child module expects its caller to pass (``configuration_aliases``)
    configuration_aliases: list = field(default_factory=list)  # list[ProviderRef]


@dataclass
class Lifecycle:
    create_before_destroy: bool = False
    prevent_destroy: bool = False
    ignore_changes: list = field(default_factory=list)  # attribute names; ["*"] for all
    replace_triggered_by: list = field(default_factory=list)  # list[Expr]
    # full paths of ignore_changes entries, e.g. [("name",), ("tags", "env")]; [] for all
    ignore_changes_paths: list = field(default_factory=list)
    preconditions: list = field(default_factory=list)  # list[CheckRule]
    postconditions: list = field(default_factory=list)  # list[CheckRule]


@dataclass
class Resource:
    addr: ResourceAddr  # mode, type, name (module path empty in the static model)
    body: Body  # the resource block's body minus meta-arguments
    provider: ProviderRef
    count: Expr | None = None
    for_each: Expr | None = None
    depends_on: list = field(default_factory=list)  # list[Traversal]
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    range: SourceRange | None = None  # `resource "type" "name"` header
    type_range: SourceRange | None = None  # the type label, for "unknown resource type"


@dataclass
class Check:
    """A top-level ``check "name" { assert { condition, error_message } ... }`` block.

    Its assertions are evaluated at the end of plan and apply; a failure is a warning.
    ``data`` holds its nested (scoped) data resources: read just before the assertions,
    visible only inside the check block, and a failure to read one is a warning too."""

    name: str
    asserts: list = field(default_factory=list)  # list[CheckRule]
    data: dict = field(default_factory=dict)  # ResourceAddr -> Resource (mode data)
    range: SourceRange | None = None


@dataclass
class ProviderPass:
    """One entry of a module block's ``providers = { child = parent }`` map."""

    child: ProviderRef  # the configuration's name inside the called module
    parent: ProviderRef  # a configuration of the calling module


@dataclass
class ModuleCall:
    """A ``module "name" { source = "./x" ... }`` block: the arguments stay unevaluated."""

    name: str
    source: str
    arguments: dict = field(default_factory=dict)  # input variable name -> syntax Attribute
    count: Expr | None = None
    for_each: Expr | None = None
    depends_on: list = field(default_factory=list)  # list[Traversal]
    providers: list = field(default_factory=list)  # list[ProviderPass]
    range: SourceRange | None = None  # the `module "name"` header
    source_range: SourceRange | None = None


@dataclass
class Moved:
    """``moved { from = A  to = B }``: the object recorded at A now belongs at B."""

    from_: str  # address text, e.g. "tencentcloud_vpc.old" or "module.a"
    to: str
    range: SourceRange | None = None


@dataclass
class Removed:
    """``removed { from = A  lifecycle { destroy = false } }``: A left the configuration;
    destroy = false forgets its objects instead of destroying them."""

    from_: str
    destroy: bool = True
    range: SourceRange | None = None


@dataclass
class Import:
    """An ``import { to = ADDRESS  id = "…" }`` block (root module only): adopt an existing
    object at ADDRESS during plan.

    ``to_steps`` is the target address as parsed from the reference: ("name", text),
    ("key", constant) or ("key_expr", Expr) for an index that uses ``each``; ``target``
    is its configuration address (module steps without keys)."""

    to: Expr
    id: Expr
    to_steps: list = field(default_factory=list)
    target: ResourceAddr | None = None
    provider: ProviderRef | None = None
    for_each: Expr | None = None
    range: SourceRange | None = None  # the `import` keyword


@dataclass
class Module:
    """One module directory's configuration."""

    source_dir: str
    files: dict = field(default_factory=dict)  # filename -> source text (for snippets)
    # the configuration files read (``files`` also gets variable files, for snippets)
    source_files: list = field(default_factory=list)
    required_providers: dict = field(default_factory=dict)  # name -> RequiredProvider
    providers: dict = field(default_factory=dict)  # (name, alias) -> ProviderConfig
    variables: dict = field(default_factory=dict)  # name -> Variable
    locals: dict = field(default_factory=dict)  # name -> Local
    resources: dict = field(default_factory=dict)  # ResourceAddr -> Resource
    outputs: dict = field(default_factory=dict)  # name -> Output
    checks: dict = field(default_factory=dict)  # name -> Check
    module_calls: dict = field(default_factory=dict)  # name -> ModuleCall
    moved: list = field(default_factory=list)  # list[Moved]
    removed: list = field(default_factory=list)  # list[Removed]
    imports: list = field(default_factory=list)  # list[Import], in source order
    backend: Backend | None = None
    encryption: Any = None  # the ``terraform { encryption { ... } }`` syntax Block, unevaluated
    required_version: str = ""

    def provider_names(self) -> set[str]:
        names = set(self.required_providers)
        names.update(name for name, _ in self.providers)
        names.update(r.provider.name for r in self.resources.values())
        names.update(i.provider.name if i.provider else i.target.type.split("_", 1)[0]
                     for i in self.imports if i.target is not None)
        return names
