"""Expression evaluation: references, operators, templates, for/splat, function calls.

``evaluate(expr, ctx)`` returns (value, diagnostics) with Terraform's semantics: Unknown
operands give Unknown results, Sensitive operands give Sensitive results, and errors are
diagnostics at the expression's range (the value at an error is Unknown, so one mistake
does not cascade). ``reference_of`` classifies a traversal (var., local., resource…).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Container, Mapping

from ..addrs import DATA, MANAGED, ResourceAddr
from ..diagnostics import Diagnostics, SourceRange
from ..values import (
    BOOL,
    MAX_NUMBER_DIGITS,
    ListValue,
    SetValue,
    exact_of,
    int_in_range,
    leaves,
    make_number,
    round_binary,
    NUMBER,
    STRING,
    ConversionError,
    SchemaObject,
    Sensitive,
    Unknown,
    contains_sensitive,
    is_wholly_known,
    sensitive_strings,
    strip_sensitive,
    type_name_of,
)
from . import functions as fns
from .functions_console import CONSOLE_FUNCTIONS, TypeValue
from . import syntax as syn


class _NotDeclared:
    """Returned by ``EvalContext.resource_value`` / ``locals`` for a name never declared."""

    _instance = None

    def __new__(cls) -> "_NotDeclared":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_DECLARED"

    def __reduce__(self) -> str:
        return "NOT_DECLARED"


NOT_DECLARED = _NotDeclared()


class InstanceList(list):
    """A counted resource's value (one element per instance). A plain list works too."""


class InstanceMap(dict):
    """A for_each resource's value (keyed by instance key). Returning this instead of a plain
    dict lets ``res.attr`` report "Missing resource instance key" rather than treating the
    instance map as one object."""


# ---------------------------------------------------------------------------------------
# Suggestions


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def did_you_mean(name: str, candidates: Any) -> str | None:
    """The candidate closest to ``name`` if it is a plausible typo (as Terraform suggests)."""
    best, best_d = None, 3
    for c in sorted(set(candidates)):
        d = _distance(name, c)
        if d < best_d:
            best, best_d = c, d
    return best


def suggestion(name: str, candidates: Any) -> str:
    """' Did you mean "x"?' or ''."""
    hint = did_you_mean(name, candidates)
    return f' Did you mean "{hint}"?' if hint else ""


# ---------------------------------------------------------------------------------------
# References

VAR, LOCAL, COUNT, EACH, PATH, TERRAFORM, SELF, RESOURCE, DATA_SOURCE, MODULE = (
    "var", "local", "count", "each", "path", "terraform", "self", "resource", "data", "module")

_ROOT_NAMES = ["var", "local", "count", "each", "path", "terraform", "self", "data", "module"]


@dataclass(frozen=True)
class Reference:
    """What a traversal refers to. ``remaining`` are the steps after the subject
    (for a resource: possibly an instance key, then attributes)."""

    kind: str  # var | local | count | each | path | terraform | self | resource | data | module
    name: str  # variable/local/module name, count/each/path attribute, resource name
    addr: ResourceAddr | None  # for resource and data references
    remaining: tuple  # tuple[syn.Step, ...]
    range: SourceRange | None  # the subject: e.g. `var.x`, `tencentcloud_vpc.main`
    traversal: syn.Traversal | None = None

    @property
    def instance_key(self) -> int | str | None:
        """The constant instance key right after a resource subject (``r.x[0]``), if any."""
        if self.remaining and isinstance(self.remaining[0], syn.Index):
            return self.remaining[0].key
        return None

    def __str__(self) -> str:
        if self.addr is not None:
            return str(self.addr)
        return f"{self.kind}.{self.name}" if self.kind != SELF else "self"


def _attr(steps: tuple, i: int) -> syn.GetAttr | None:
    if i < len(steps) and isinstance(steps[i], syn.GetAttr):
        return steps[i]
    return None


def _subject_range(t: syn.Traversal, n_steps: int) -> SourceRange | None:
    start = t.root_range or t.range
    if start is None:
        return None
    end = t.steps[n_steps - 1].range if n_steps else start
    return SourceRange.spanning(start, end)


# Classified references by traversal node: a traversal is classified once, however many
# instances of its resource are evaluated (id -> (traversal, Reference); the traversal is
# kept so that its id cannot be reused while the entry stands). Malformed references are
# not kept: their diagnostics are made afresh each time.
_REFERENCES: dict[int, tuple[syn.Traversal, Reference]] = {}
_REFERENCES_MAX = 500_000


def reference_of(t: syn.Traversal) -> tuple[Reference | None, Diagnostics]:
    """Classify the root of a traversal. Diagnostics for malformed references."""
    hit = _REFERENCES.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1], Diagnostics()
    ref, diags = _classify(t)
    if ref is not None and not diags:
        if len(_REFERENCES) >= _REFERENCES_MAX:
            _REFERENCES.clear()
        _REFERENCES[id(t)] = (t, ref)
    return ref, diags


def _classify(t: syn.Traversal) -> tuple[Reference | None, Diagnostics]:
    diags = Diagnostics()
    root, steps = t.root, t.steps
    whole = t.range

    def simple(kind: str, allowed: tuple[str, ...] | None, bad_detail: Callable[[str], str]
               ) -> tuple[Reference | None, Diagnostics]:
        a = _attr(steps, 0)
        if not steps:
            diags.error("Invalid reference", f'The "{root}" object cannot be accessed directly. '
                        "Instead, access one of its attributes.", whole)
            return None, diags
        if a is None:
            diags.error("Invalid reference",
                        f'The "{root}" object does not support this operation.', steps[0].range)
            return None, diags
        if allowed is not None and a.name not in allowed:
            diags.error(f'Invalid "{root}" attribute', bad_detail(a.name),
                        _subject_range(t, 1))
            return None, diags
        return Reference(kind, a.name, None, steps[1:], _subject_range(t, 1), t), diags

    if root == "var":
        return simple(VAR, None, str)
    if root == "local":
        return simple(LOCAL, None, str)
    if root == "count":
        return simple(COUNT, ("index",), lambda n: (
            f'The "count" object does not have an attribute named "{n}". The only supported '
            "attribute is count.index, which is the index of each instance of a resource block "
            'that has the "count" argument set.'))
    if root == "each":
        return simple(EACH, ("key", "value"), lambda n: (
            f'The "each" object does not have an attribute named "{n}". The supported '
            "attributes are each.key and each.value, the current key and value pair of the "
            '"for_each" attribute set.'))
    if root == "path":
        return simple(PATH, ("module", "root", "cwd"), lambda n: (
            f'The "path" object does not have an attribute named "{n}". The supported '
            "attributes are path.module, path.root and path.cwd."))
    if root == "terraform":
        return simple(TERRAFORM, ("workspace",), lambda n: (
            f'The "terraform" object does not have an attribute named "{n}". The only '
            "supported attribute is terraform.workspace, the name of the currently-selected "
            "workspace."))
    if root == "self":
        return Reference(SELF, "self", None, steps, t.root_range or whole, t), diags
    if root == "module":
        a = _attr(steps, 0)
        if a is None:
            diags.error("Invalid reference", 'The "module" object cannot be accessed directly. '
                        "Instead, access one of its attributes.", whole)
            return None, diags
        return Reference(MODULE, a.name, None, steps[1:], _subject_range(t, 1), t), diags
    if root == "data":
        a, b = _attr(steps, 0), _attr(steps, 1)
        if a is None:
            diags.error("Invalid reference", "A reference to a data source must be followed by "
                        "at least one attribute access, specifying the data source type.", whole)
            return None, diags
        if b is None:
            diags.error("Invalid reference", "A reference to a data source must be followed by "
                        "at least two attribute accesses, specifying the data source type and "
                        "name.", whole)
            return None, diags
        addr = ResourceAddr(DATA, a.name, b.name)
        return Reference(DATA_SOURCE, b.name, addr, steps[2:], _subject_range(t, 2), t), diags

    offset = 0
    type_name = root
    if root == "resource" and _attr(steps, 0) is not None and _attr(steps, 1) is not None:
        type_name = steps[0].name  # legacy `resource.TYPE.NAME`
        offset = 1
    a = _attr(steps, offset)
    if a is None:
        hint = did_you_mean(root, _ROOT_NAMES)
        detail = ("A reference to a resource type must be followed by at least one attribute "
                  "access, specifying the resource name.")
        if hint:
            detail += f' Did you mean "{hint}"?'
        elif not steps:
            detail += (f" To refer to an input variable or local value, write var.{root} or "
                       f"local.{root}.")
        diags.error("Invalid reference", detail, whole)
        return None, diags
    addr = ResourceAddr(MANAGED, type_name, a.name)
    return (Reference(RESOURCE, a.name, addr, steps[offset + 1:],
                      _subject_range(t, offset + 1), t), diags)


def references_in(expr: syn.Expr) -> tuple[list[Reference], Diagnostics]:
    """Every valid reference in an expression (for graph building)."""
    diags = Diagnostics()
    out: list[Reference] = []
    for t in expr.traversals():
        ref, d = reference_of(t)
        diags.extend(d)
        if ref is not None:
            out.append(ref)
    return out, diags


# ---------------------------------------------------------------------------------------
# Context

_ABSENT = object()


@dataclass
class EvalContext:
    """Everything an expression may refer to.

    ``locals``: a callable name -> (value, diagnostics) returning (NOT_DECLARED, …) for an
    undeclared name (see ``LazyLocals``), or a plain mapping of evaluated values.
    ``resource_value``: ResourceAddr -> value: a dict for a single instance, a list
    (``InstanceList``) for count, a dict keyed by instance key (``InstanceMap``) for for_each,
    Unknown while not known, or NOT_DECLARED. None: every resource reads as Unknown.
    ``declared_*``: names for "undeclared" diagnostics; None means "whatever is present".
    """

    variables: dict = field(default_factory=dict)
    locals: Callable[[str], tuple[Any, Diagnostics]] | Mapping | None = None
    resource_value: Callable[[ResourceAddr], Any] | None = None
    count_index: Any = None  # int, Unknown, or None when the block has no count
    each_key: Any = None  # str, Unknown, or None when the block has no for_each
    each_value: Any = None
    has_each: bool = False
    path_module: str = "."
    path_root: str = "."
    path_cwd: str = field(default_factory=os.getcwd)
    # where relative paths given to file functions are read from: the root module's
    # directory (path.module / path.root above are what expressions see: relative)
    base_dir: str = "."
    module_name: str = "the root module"  # for "not declared in ..." messages
    module_calls: Container = ()  # module call names, for suggestions
    workspace: str = "default"
    self_value: Any = _ABSENT
    functions: dict = field(default_factory=fns.standard_functions)
    declared_variables: Container | None = None
    declared_locals: Container | None = None
    declared_resources: Container | None = None
    module_value: Callable[[str], Any] | None = None  # issue 4: module outputs
    # extra names bound for the whole evaluation (a dynamic block's iterator: name -> value)
    bindings: dict = field(default_factory=dict)
    # True while planning: impure functions (timestamp, uuid, bcrypt) return unknown values,
    # known only at apply, as in Terraform; the console and apply see real values.
    impure_unknown: bool = False


class LazyLocals:
    """Local values evaluated on first use, with cycle detection.

    ``__call__`` returns a local's diagnostics only the first time it is evaluated, so an
    error in a local is reported once however many expressions refer to it;
    ``evaluate_all`` evaluates the rest and returns their diagnostics.
    """

    def __init__(self, exprs: Mapping, ranges: Mapping | None = None):
        self.exprs = dict(exprs)  # name -> Expr
        self.ranges = dict(ranges or {})
        self.ctx: EvalContext | None = None
        self._values: dict[str, Any] = {}
        self._active: list[str] = []

    def bind(self, ctx: EvalContext) -> "LazyLocals":
        self.ctx = ctx
        ctx.locals = self
        if ctx.declared_locals is None:
            ctx.declared_locals = set(self.exprs)
        return self

    def __contains__(self, name: object) -> bool:
        return name in self.exprs

    def __call__(self, name: str) -> tuple[Any, Diagnostics]:
        diags = Diagnostics()
        if name not in self.exprs:
            return NOT_DECLARED, diags
        if name in self._values:
            return self._values[name], diags
        if name in self._active:
            cycle = self._active[self._active.index(name):] + [name]
            diags.error("Cycle in local values",
                        f'The local value "{name}" refers to itself: '
                        + " -> ".join(f"local.{n}" for n in cycle)
                        + ". Break the cycle by computing one of them without the other.",
                        self.ranges.get(name) or self.exprs[name].range)
            return Unknown(), diags
        assert self.ctx is not None, "LazyLocals.bind(ctx) first"
        self._active.append(name)
        try:
            value, d = evaluate(self.exprs[name], self.ctx)
        finally:
            self._active.pop()
        if d.has_errors:
            value = Unknown()
        self._values[name] = value
        diags.extend(d)
        return value, diags

    def evaluate_all(self) -> Diagnostics:
        diags = Diagnostics()
        for name in self.exprs:
            _, d = self(name)
            diags.extend(d)
        return diags


# ---------------------------------------------------------------------------------------
# Evaluation


def evaluate(expr: syn.Expr, ctx: EvalContext) -> tuple[Any, Diagnostics]:
    value = literal_value(expr)
    if value is not NOT_LITERAL:
        return value, Diagnostics()
    ev = _Evaluator(ctx)
    value = ev.eval(expr, dict(ctx.bindings) if ctx.bindings else {})
    if not ev.diags.has_errors and not isinstance(value, TypeValue) \
            and (ev.type_used or (TypeValue.made and _holds_type(value))):
        # what type() returns can only be shown: a value computed from it (compared,
        # collected) is refused, as Terraform refuses a value carrying its type mark
        ev.diags.error("Invalid use of type function", 'The console-only "type" function '
                       "cannot be used as part of an expression.", expr.range)
        value = Unknown()
    return value, _dedupe(ev.redacted_diags())


NOT_LITERAL = object()


def literal_value(expr: syn.Expr) -> Any:
    """The value of a literal, or of a string template of only literal text (what most
    arguments of a hand-written configuration are), without an evaluator: it is the same in
    every scope. ``NOT_LITERAL`` for any other expression."""
    kind = type(expr)
    if kind is syn.LiteralExpr:
        return expr.value
    if kind is syn.TemplateExpr:
        parts = expr.parts
        for part in parts:
            if type(part) is not syn.LiteralExpr or type(part.value) is not str:
                return NOT_LITERAL
        return parts[0].value if len(parts) == 1 else "".join(p.value for p in parts)
    return NOT_LITERAL


def _holds_type(value: Any) -> bool:
    return any(isinstance(x, TypeValue) for x in leaves(value))


# Expressions typed at `vpnform console` carry this file name; only they may call the
# console-only functions (functions_console.py), as in Terraform.
CONSOLE_FILENAME = "<console-input>"


def evaluate_constant(expr: syn.Expr, ctx: EvalContext | None = None
                      ) -> tuple[Any, Diagnostics]:
    """Evaluate an expression that may not refer to anything or call functions
    (variable defaults, .tfvars values, lifecycle flags)."""
    diags = Diagnostics()
    for t in expr.traversals():
        diags.error("Variables not allowed", "Variables may not be used here.", t.range)
        return Unknown(), diags
    for e in expr.walk():
        if isinstance(e, syn.FunctionCallExpr):
            diags.error("Function calls not allowed", "Functions may not be called here.",
                        e.range)
            return Unknown(), diags
    return evaluate(expr, ctx or EvalContext(functions={}))


def _dedupe(diags: Diagnostics) -> Diagnostics:
    if not diags:
        return diags
    seen: set = set()
    out = Diagnostics()
    for d in diags:
        try:
            key: Any = (d.severity, d.summary, d.detail, d.subject, d.address, d.attribute_path)
            hash(key)
        except TypeError:
            key = id(d)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return out


def _num(x: Any) -> Any:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer() and abs(x) < 2 ** 53:
        return int(x)
    return x


def _mark(v: Any, marked: bool) -> Any:
    return Sensitive(v) if marked and not isinstance(v, Sensitive) else v


_ARITH = {"+", "-", "*", "/", "%"}
_COMPARE = {"<", ">", "<=", ">="}
_TYPE_ARTICLE = {"number": "a number", "bool": "a bool", "string": "a string"}


class _Evaluator:
    def __init__(self, ctx: EvalContext, parent: "_Evaluator | None" = None):
        self.ctx = ctx
        self.diags = Diagnostics()
        self.type_used = False  # the console's type() was called (not inside can/try)
        self.root: syn.Expr | None = None  # the whole expression being evaluated
        # Every marked value met on the way (shared with sub-evaluators): a message must
        # never quote one, nor anything computed from one (``upper(var.psk)``).
        self.marked: list = parent.marked if parent is not None else []

    def error(self, summary: str, detail: str, subject: SourceRange | None) -> Unknown:
        self.diags.error(summary, detail, subject)
        return Unknown()

    def eval(self, e: syn.Expr, scope: dict) -> Any:
        method = _DISPATCH.get(type(e))
        if method is None:
            raise TypeError(f"cannot evaluate {type(e).__name__}")
        value = method(self, e, scope)
        if isinstance(value, Sensitive):
            self.marked.append(value)
        return value

    def redacted_diags(self) -> Diagnostics:
        """The diagnostics with the text of every sensitive value met replaced by
        (sensitive value), as Terraform hides them in function and operator errors."""
        if not self.diags or not self.marked:
            return self.diags
        secrets = sensitive_strings(self.marked, min_length=1)
        return self.diags.redacted(secrets)

    # -- leaves --------------------------------------------------------------------------
    def e_literal(self, e: syn.LiteralExpr, scope: dict) -> Any:
        return e.value

    def e_paren(self, e: syn.ParenExpr, scope: dict) -> Any:
        return self.eval(e.inner, scope)

    def e_anon(self, e: syn.AnonSymbolExpr, scope: dict) -> Any:
        return scope.get(e, Unknown())

    # -- references ----------------------------------------------------------------------
    def e_scope_traversal(self, e: syn.ScopeTraversalExpr, scope: dict) -> Any:
        t = e.traversal
        if t.root in scope:
            return self.steps(scope[t.root], t.steps)
        ref, d = reference_of(t)
        self.diags.extend(d)
        if ref is None:
            return Unknown()
        value = self.resolve(ref)
        if value is _FAILED:
            return Unknown()
        return self.resource_steps(ref, value) if ref.addr is not None else self.steps(
            value, ref.remaining)

    def resolve(self, ref: Reference) -> Any:
        ctx = self.ctx
        if ref.kind == VAR:
            if ref.name in ctx.variables:
                return ctx.variables[ref.name]
            declared = ctx.declared_variables if ctx.declared_variables is not None else ()
            if ref.name in declared:
                return Unknown()
            known = list(declared) + list(ctx.variables)
            hint = did_you_mean(ref.name, known)
            detail = (f'An input variable with the name "{ref.name}" has not been declared.'
                      + (f' Did you mean "{hint}"?' if hint else
                         f' This variable can be declared with a variable "{ref.name}" {{}} '
                         "block."))
            self.diags.error("Reference to undeclared input variable", detail, ref.range)
            return _FAILED
        if ref.kind == LOCAL:
            return self.local(ref)
        if ref.kind == COUNT:
            if ctx.count_index is None:
                self.diags.error('Reference to "count" in non-counted context',
                                 'The "count" object can only be used in "module", "resource", '
                                 'and "data" blocks, and only when the "count" argument is set.',
                                 ref.range)
                return _FAILED
            return ctx.count_index
        if ref.kind == EACH:
            if not ctx.has_each and ctx.each_key is None:
                self.diags.error('Reference to "each" in context without for_each',
                                 'The "each" object can be used only in "module" or "resource" '
                                 'blocks, and only when the "for_each" argument is set.',
                                 ref.range)
                return _FAILED
            return ctx.each_key if ref.name == "key" else ctx.each_value
        if ref.kind == PATH:
            return {"module": ctx.path_module, "root": ctx.path_root,
                    "cwd": ctx.path_cwd}[ref.name]
        if ref.kind == TERRAFORM:
            return ctx.workspace
        if ref.kind == SELF:
            if ctx.self_value is _ABSENT:
                self.diags.error('Invalid "self" reference',
                                 'The "self" object is not available in this context. This '
                                 "object can be used only in resource provisioner, connection, "
                                 "and postcondition blocks.", ref.range)
                return _FAILED
            return ctx.self_value
        if ref.kind == MODULE:
            if ctx.module_value is not None:
                v = ctx.module_value(ref.name)
                if v is not NOT_DECLARED:
                    return v
            self.diags.error("Reference to undeclared module",
                             f'No module call named "{ref.name}" is declared in '
                             f"{ctx.module_name}." + suggestion(ref.name, ctx.module_calls),
                             ref.range)
            return _FAILED
        # resource / data
        assert ref.addr is not None
        if ctx.declared_resources is not None and ref.addr not in ctx.declared_resources:
            return self.undeclared_resource(ref, ctx.declared_resources)
        if ctx.resource_value is None:
            return Unknown()
        v = ctx.resource_value(ref.addr)
        if v is NOT_DECLARED:
            return self.undeclared_resource(ref, ctx.declared_resources or ())
        return v

    def undeclared_resource(self, ref: Reference, declared: Any) -> Any:
        addr = ref.addr
        assert addr is not None
        same_mode = [a for a in declared if isinstance(a, ResourceAddr) and a.mode == addr.mode]
        same_type = [a.name for a in same_mode if a.type == addr.type]
        hint = did_you_mean(addr.name, same_type)
        if hint is None:
            full = did_you_mean(f"{addr.type}.{addr.name}", [f"{a.type}.{a.name}"
                                                               for a in same_mode])
            hint = (f"data.{full}" if addr.mode == DATA else full) if full else None
        if addr.mode == DATA:
            detail = (f'A data resource "{addr.type}" "{addr.name}" has not been declared in '
                      f"{self.ctx.module_name}.")
            summary = "Reference to undeclared resource"
        else:
            detail = (f'A managed resource "{addr.type}" "{addr.name}" has not been declared '
                      f"in {self.ctx.module_name}.")
            summary = "Reference to undeclared resource"
        if hint:
            detail += f' Did you mean "{hint}"?'
        self.diags.error(summary, detail, ref.range)
        return _FAILED

    def local(self, ref: Reference) -> Any:
        ctx = self.ctx
        loc = ctx.locals
        declared = ctx.declared_locals
        if declared is not None and ref.name not in declared:
            return self.undeclared_local(ref, declared)
        if loc is None:
            return Unknown()
        if callable(loc):
            v, d = loc(ref.name)
            self.diags.extend(d)
            if v is NOT_DECLARED:
                return self.undeclared_local(ref, declared or getattr(loc, "exprs", ()))
            return v
        if ref.name in loc:
            return loc[ref.name]
        return self.undeclared_local(ref, loc)

    def undeclared_local(self, ref: Reference, declared: Any) -> Any:
        hint = did_you_mean(ref.name, list(declared))
        self.diags.error("Reference to undeclared local value",
                         f'A local value with the name "{ref.name}" has not been declared.'
                         + (f' Did you mean "{hint}"?' if hint else ""), ref.range)
        return _FAILED

    def resource_steps(self, ref: Reference, value: Any) -> Any:
        steps = ref.remaining
        inner = strip_sensitive(value)
        if steps and isinstance(steps[0], syn.GetAttr) and (
                isinstance(inner, (InstanceList, InstanceMap)) or isinstance(inner, list)):
            counted = isinstance(inner, list)
            meta, key = ("count", "count.index") if counted else ("for_each", "each.key")
            self.diags.error("Missing resource instance key",
                             f'Because {ref.addr} has "{meta}" set, its attributes must be '
                             "accessed on specific instances.\n\nFor example, to correlate "
                             "with indices of a referring resource, use:\n"
                             f"    {ref.addr}[{key}]", ref.range)
            return Unknown()
        return self.steps(value, steps)

    # -- steps ---------------------------------------------------------------------------
    def steps(self, value: Any, steps: tuple) -> Any:
        for st in steps:
            if isinstance(st, syn.GetAttr):
                value = self.get_attr(value, st.name, st.range)
            else:
                value = self.index(value, st.key, st.range)
            if value is _FAILED:
                return Unknown()
        return value

    def get_attr(self, value: Any, name: str, r: SourceRange | None) -> Any:
        if isinstance(value, Sensitive):
            out = self.get_attr(value.value, name, r)
            return out if out is _FAILED else _mark(out, True)
        if isinstance(value, Unknown):
            return Unknown()
        if value is None:
            self.diags.error("Attempt to get attribute from null value",
                             "This value is null, so it does not have any attributes.", r)
            return _FAILED
        if isinstance(value, dict):
            if name in value:
                return value[name]
            what = ("has no argument, nested block, or exported attribute named"
                    if isinstance(value, SchemaObject) else "does not have an attribute named")
            self.diags.error("Unsupported attribute", f'This object {what} "{name}".'
                             + suggestion(name, [k for k in value if isinstance(k, str)]), r)
            return _FAILED
        if isinstance(value, list):
            self.diags.error("Unsupported attribute",
                             "Can't access attributes on a list of objects. Did you mean to "
                             f'access attribute "{name}" for a specific element of the list, '
                             "or across all elements of the list?", r)
            return _FAILED
        self.diags.error("Unsupported attribute", "Can't access attributes on a primitive-typed "
                         f"value ({type_name_of(value)}).", r)
        return _FAILED

    def index(self, value: Any, key: Any, r: SourceRange | None) -> Any:
        marked = isinstance(value, Sensitive) or isinstance(key, Sensitive)
        value, key = strip_sensitive(value), strip_sensitive(key)
        if isinstance(value, Unknown) or isinstance(key, Unknown):
            return _mark(Unknown(), marked)
        if value is None:
            self.diags.error("Attempt to index null value",
                             "This value is null, so it does not have any indices.", r)
            return _FAILED
        if key is None:
            self.diags.error("Invalid index", "Can't use a null value as an indexing key.", r)
            return _FAILED
        if isinstance(value, list):
            try:
                n = NUMBER.convert(key)
            except ConversionError:
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value: a number is required.", r)
                return _FAILED
            if isinstance(n, float) and not n.is_integer():
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value: the given index is not a whole "
                                 "number.", r)
                return _FAILED
            n = int(n)
            if n < 0:
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value: a negative number is not a valid "
                                 "index for a sequence.", r)
                return _FAILED
            if n >= len(value):
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value: the collection has "
                                 f"{len(value)} elements.", r)
                return _FAILED
            return _mark(value[n], marked)
        if isinstance(value, dict):
            try:
                k = STRING.convert(key)
            except ConversionError:
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value: string required.", r)
                return _FAILED
            if k not in value:
                self.diags.error("Invalid index", "The given key does not identify an element "
                                 "in this collection value.", r)
                return _FAILED
            return _mark(value[k], marked)
        self.diags.error("Invalid index", "This value does not have any indices.", r)
        return _FAILED

    def e_relative(self, e: syn.RelativeTraversalExpr, scope: dict) -> Any:
        return self.steps(self.eval(e.source, scope), e.steps)

    def e_index(self, e: syn.IndexExpr, scope: dict) -> Any:
        coll = self.eval(e.collection, scope)
        key = self.eval(e.key, scope)
        out = self.index(coll, key, e.bracket_range or e.range)
        return Unknown() if out is _FAILED else out

    # -- operators -----------------------------------------------------------------------
    def operand(self, v: Any, type_: Any, side: str, r: SourceRange,
                whole: SourceRange | None = None) -> Any:
        """Convert an unmarked, known operand; _FAILED after a diagnostic. A null operand
        fails the whole operation (``whole``), as in Terraform."""
        if v is None:
            return self.operation_failed("argument must not be null", whole or r)
        try:
            return type_.convert(v)
        except ConversionError as err:
            msg = str(err)
            if msg == f"{type_.name} required":
                msg = f"{_TYPE_ARTICLE.get(type_.name, type_.name)} is required"
            self.diags.error("Invalid operand", f"Unsuitable value for {side} operand: {msg}.",
                             r)
            return _FAILED

    def operation_failed(self, why: str, r: SourceRange | None) -> Any:
        self.diags.error("Operation failed", f"Error during operation: {why}.", r)
        return _FAILED

    def e_binary(self, e: syn.BinaryOpExpr, scope: dict) -> Any:
        lhs = self.eval(e.lhs, scope)
        rhs = self.eval(e.rhs, scope)
        op = e.op
        if op in ("==", "!="):
            # compared with their marks on: unmarking would forget list/set/map kinds
            marked = contains_sensitive(lhs) or contains_sensitive(rhs)
            if not is_wholly_known(lhs) or not is_wholly_known(rhs):
                return _mark(Unknown(BOOL), marked)
            eq = fns.values_equal(lhs, rhs)
            return _mark(eq if op == "==" else not eq, marked)
        marked = isinstance(lhs, Sensitive) or isinstance(rhs, Sensitive)
        lhs, rhs = strip_sensitive(lhs), strip_sensitive(rhs)
        if op in ("&&", "||"):
            lb = rb = None
            if not isinstance(lhs, Unknown):
                lb = self.operand(lhs, BOOL, "left", e.lhs.range, e.range)
            if not isinstance(rhs, Unknown) and lb is not _FAILED:
                rb = self.operand(rhs, BOOL, "right", e.rhs.range, e.range)
            if lb is _FAILED or rb is _FAILED:
                return Unknown(BOOL)
            # a known left side that decides the result wins over an unknown right side
            if op == "&&" and lb is False or op == "||" and lb is True:
                return _mark(lb, marked)
            if isinstance(lhs, Unknown) or isinstance(rhs, Unknown):
                if op == "&&" and rb is False or op == "||" and rb is True:
                    return _mark(rb, marked)
                return _mark(Unknown(BOOL), marked)
            return _mark(bool(lb and rb) if op == "&&" else bool(lb or rb), marked)
        result_type = NUMBER if op in _ARITH else BOOL
        ln = rn = None
        if not isinstance(lhs, Unknown):
            ln = self.operand(lhs, NUMBER, "left", e.lhs.range, e.range)
        if not isinstance(rhs, Unknown) and ln is not _FAILED:
            rn = self.operand(rhs, NUMBER, "right", e.rhs.range, e.range)
        if ln is _FAILED or rn is _FAILED:
            return Unknown(result_type)
        if isinstance(lhs, Unknown) or isinstance(rhs, Unknown):
            return _mark(Unknown(result_type), marked)
        if op in _COMPARE:
            res: Any = {"<": ln < rn, ">": ln > rn, "<=": ln <= rn, ">=": ln >= rn}[op]
            return _mark(res, marked)
        res = self.arith(op, ln, rn, e)
        if res is _FAILED:
            return Unknown(NUMBER)
        return _mark(res, marked)

    def arith(self, op: str, a: Any, b: Any, e: syn.BinaryOpExpr) -> Any:
        exact = _exact_arith(op, a, b)
        if exact is not None:
            return exact
        inf_a, inf_b = (isinstance(x, float) and math.isinf(x) for x in (a, b))
        if op == "+" and inf_a and inf_b and a != b:
            return self.operation_failed("can't compute sum of opposing infinities", e.range)
        if op == "-" and inf_a and inf_b and a == b:
            return self.operation_failed("can't subtract infinity from itself", e.range)
        if op == "*" and (inf_a and b == 0 or inf_b and a == 0):
            return self.operation_failed("can't multiply zero by infinity", e.range)
        if op == "/" and (a == 0 and b == 0 or inf_a and inf_b):
            return self.operation_failed("can't divide zero by zero or infinity by infinity",
                                         e.range)
        if op == "%" and (inf_a or inf_b):
            return self.operation_failed("can't use modulo with zero and infinity", e.range)
        try:
            if op == "+":
                res = a + b
            elif op == "-":
                res = a - b
            elif op == "*":
                res = a * b
            elif op == "/":
                if b == 0:
                    res = math.copysign(math.inf, a) * (math.copysign(1, b)
                                                        if isinstance(b, float) else 1)
                elif isinstance(a, int) and isinstance(b, int) and a % b == 0:
                    res = a // b
                else:
                    res = a / b
            elif b == 0:
                res = a  # Terraform: the modulo of a division by zero is the dividend
            elif isinstance(a, int) and isinstance(b, int):
                res = abs(a) % abs(b) * (-1 if a < 0 else 1)  # truncated, like Go
            else:
                res = math.fmod(a, b)
        except OverflowError:
            res = math.inf
        if isinstance(res, float) and math.isnan(res):
            self.diags.error("Invalid operand", "The result of this operation is not a "
                             "number.", e.range)
            return _FAILED
        if isinstance(res, int) and not int_in_range(res):
            self.diags.error("Number out of range",
                             f"The result of this operation has more than {MAX_NUMBER_DIGITS:,} "
                             "digits, more than vpnform numbers have. Use smaller numbers.",
                             e.range)
            return _FAILED
        return _num(res)

    def e_unary(self, e: syn.UnaryOpExpr, scope: dict) -> Any:
        v = self.eval(e.operand, scope)
        marked = isinstance(v, Sensitive)
        v = strip_sensitive(v)
        type_ = NUMBER if e.op == "-" else BOOL
        if isinstance(v, Unknown):
            return _mark(Unknown(type_), marked)
        c = self.operand(v, type_, "the", e.operand.range, e.range)
        if c is _FAILED:
            return Unknown(type_)
        return _mark(_num(-c) if e.op == "-" else not c, marked)

    def e_conditional(self, e: syn.ConditionalExpr, scope: dict) -> Any:
        cond = self.eval(e.condition, scope)
        marked = isinstance(cond, Sensitive)
        cond = strip_sensitive(cond)
        if isinstance(cond, Unknown):
            self.eval(e.true_expr, scope)  # report problems in either branch
            self.eval(e.false_expr, scope)
            return _mark(Unknown(), marked)
        # Only the chosen branch's problems count, so `x != null ? x.a : d` works.
        a = self.branch(e.true_expr, scope)
        b = self.branch(e.false_expr, scope)
        if cond is None:
            self.diags.error("Null condition", "The condition value is null. Conditions must "
                             "either be true or false.", e.condition.range)
            return Unknown()
        try:
            c = BOOL.convert(cond)
        except ConversionError:
            self.diags.error("Incorrect condition type",
                             "The condition expression must be of type bool.", e.condition.range)
            return Unknown()
        value, diags = a if c else b
        self.diags.extend(diags)
        if not a[1].has_errors and not b[1].has_errors:
            kinds = {type_name_of(a[0]), type_name_of(b[0])}
            if len(kinds) == 2 and kinds <= {"string", "number", "bool"}:
                value = STRING.convert(value)  # both branches unify to string
        return _mark(value, marked)

    def branch(self, e: syn.Expr, scope: dict) -> tuple[Any, Diagnostics]:
        sub = _Evaluator(self.ctx, self)
        return sub.eval(e, scope), sub.diags

    # -- constructors --------------------------------------------------------------------
    def e_tuple(self, e: syn.TupleExpr, scope: dict) -> Any:
        return [self.eval(x, scope) for x in e.items]

    def e_object(self, e: syn.ObjectExpr, scope: dict) -> Any:
        out: dict = {}
        unknown = False
        for item in e.items:
            k = self.eval(item.key, scope)
            v = self.eval(item.value, scope)
            if isinstance(k, Sensitive):
                self.diags.error("Invalid object key", "Can't use a sensitive value as an "
                                 "object key.", item.key.range)
                continue
            if isinstance(k, Unknown):
                unknown = True
                continue
            if k is None:
                self.diags.error("Invalid object key", "Can't use a null value as a key.",
                                 item.key.range)
                continue
            try:
                key = STRING.convert(k)
            except ConversionError as err:
                self.diags.error("Invalid object key",
                                 f"Can't use this value as a key: {err}.", item.key.range)
                continue
            out[key] = v
        return Unknown() if unknown else out

    # -- templates -----------------------------------------------------------------------
    def e_template(self, e: syn.TemplateExpr, scope: dict) -> Any:
        buf: list[str] = []
        marked = False
        unknown = False
        for part in e.parts:
            if isinstance(part, syn.LiteralExpr) and isinstance(part.value, str):
                buf.append(part.value)
                continue
            v = self.eval(part, scope)
            if isinstance(v, Sensitive):
                marked = True
                v = v.value
            if isinstance(v, Unknown):
                unknown = True
                continue
            if v is None:
                self.diags.error("Invalid template interpolation value",
                                 "The expression result is null. Cannot include a null value "
                                 "in a string template.", part.range)
                unknown = True
                continue
            try:
                s = STRING.convert(v)
            except ConversionError as err:
                self.diags.error("Invalid template interpolation value",
                                 f"Cannot include the given value in a string template: {err}.",
                                 part.range)
                unknown = True
                continue
            buf.append(s)
        return _mark(Unknown(STRING) if unknown else "".join(buf), marked)

    def e_template_wrap(self, e: syn.TemplateWrapExpr, scope: dict) -> Any:
        return self.eval(e.wrapped, scope)

    def e_template_if(self, e: syn.TemplateIfExpr, scope: dict) -> Any:
        cond = self.eval(e.condition, scope)
        marked = isinstance(cond, Sensitive)
        cond = strip_sensitive(cond)
        if isinstance(cond, Unknown):
            return _mark(Unknown(STRING), marked)
        try:
            c = BOOL.convert(cond) if cond is not None else None
        except ConversionError:
            c = None
        if c is None:
            self.diags.error("Invalid template if directive",
                             "The condition of an %{ if } directive must be true or false.",
                             e.condition.range)
            return Unknown(STRING)
        if c:
            return _mark(self.eval(e.then, scope), marked)
        return _mark(self.eval(e.else_, scope) if e.else_ is not None else "", marked)

    def e_template_for(self, e: syn.TemplateForExpr, scope: dict) -> Any:
        items = self.iterate(e.collection, scope, "template")
        if items is None:
            return Unknown(STRING)
        pairs, marked = items
        if pairs is None:
            return _mark(Unknown(STRING), marked)
        out: list[str] = []
        unknown = False
        for k, v in pairs:
            inner = dict(scope)
            inner[e.value_var] = v
            if e.key_var:
                inner[e.key_var] = k
            s = self.eval(e.body, inner)
            if isinstance(s, Sensitive):
                marked, s = True, s.value
            if isinstance(s, Unknown):
                unknown = True
            else:
                out.append(s)
        return _mark(Unknown(STRING) if unknown else "".join(out), marked)

    # -- for / splat ---------------------------------------------------------------------
    def iterate(self, coll_expr: syn.Expr, scope: dict, what: str
                ) -> tuple[list | None, bool] | None:
        """(pairs, marked); pairs None when the collection is unknown; None after an error."""
        coll = self.eval(coll_expr, scope)
        marked = isinstance(coll, Sensitive)
        coll = strip_sensitive(coll)
        if isinstance(coll, Unknown):
            return None, marked
        where = "a 'for' expression" if what == "for" else "a template 'for' directive"
        if coll is None:
            self.diags.error("Iteration over null value",
                             f"A null value cannot be used as the collection in {where}.",
                             coll_expr.range)
            return None
        if isinstance(coll, list):
            return list(enumerate(coll)), marked
        if isinstance(coll, dict):
            return [(k, coll[k]) for k in sorted(coll)], marked
        self.diags.error("Iteration over non-iterable value",
                         f"A value of type {type_name_of(coll)} cannot be used as the collection "
                         f"in {where}.", coll_expr.range)
        return None

    def e_for(self, e: syn.ForExpr, scope: dict) -> Any:
        items = self.iterate(e.collection, scope, "for")
        if items is None:
            return Unknown()
        pairs, marked = items
        if pairs is None:
            return _mark(Unknown(), marked)
        is_obj = e.key_expr is not None
        out_list: list = []
        out_map: dict = {}
        unknown = False
        for k, v in pairs:
            inner = dict(scope)
            inner[e.value_var] = v
            if e.key_var:
                inner[e.key_var] = k
            if e.condition is not None:
                c = self.eval(e.condition, inner)
                if isinstance(c, Sensitive):
                    marked, c = True, c.value
                if isinstance(c, Unknown):
                    unknown = True
                    continue
                if c is None:
                    self.diags.error("Invalid 'for' condition", "The value of the 'if' clause "
                                     "must not be null.", e.condition.range)
                    return Unknown()
                try:
                    c = BOOL.convert(c)
                except ConversionError as err:
                    self.diags.error("Invalid 'for' condition",
                                     f"The 'if' clause value is invalid: {err}.",
                                     e.condition.range)
                    return Unknown()
                if not c:
                    continue
            value = self.eval(e.value_expr, inner)
            if not is_obj:
                out_list.append(value)
                continue
            assert e.key_expr is not None
            key = self.eval(e.key_expr, inner)
            if isinstance(key, Sensitive):
                marked, key = True, key.value
            if isinstance(key, Unknown):
                unknown = True
                continue
            if key is None:
                self.diags.error("Invalid object key", "Key expression in 'for' expression must "
                                 "not produce a null value.", e.key_expr.range)
                return Unknown()
            try:
                key = STRING.convert(key)
            except ConversionError as err:
                self.diags.error("Invalid object key",
                                 f"The key expression produced an invalid result: {err}.",
                                 e.key_expr.range)
                return Unknown()
            if e.group:
                out_map.setdefault(key, []).append(value)
            elif key in out_map:
                self.diags.error("Duplicate object key",
                                 f'Two different items produced the key "{key}" in this \'for\' '
                                 "expression. If duplicates are expected, use the ellipsis "
                                 "(...) after the value expression to enable grouping by key.",
                                 e.key_expr.range)
                return Unknown()
            else:
                out_map[key] = value
        if unknown:
            return _mark(Unknown(), marked)
        return _mark(out_map if is_obj else out_list, marked)

    def e_splat(self, e: syn.SplatExpr, scope: dict) -> Any:
        src = self.eval(e.source, scope)
        marked = isinstance(src, Sensitive)
        src = strip_sensitive(src)
        if isinstance(src, Unknown):
            return _mark(Unknown(), marked)
        if src is None:
            return _mark([], marked)
        elems = src if isinstance(src, list) else [src]
        out = []
        for x in elems:
            inner = dict(scope)
            inner[e.item] = x
            out.append(self.eval(e.each, inner))
        if isinstance(src, (ListValue, SetValue)):
            out = ListValue(out)  # a list's splat is a list; a tuple's, a tuple
        return _mark(out, marked)

    # -- functions -----------------------------------------------------------------------
    def e_call(self, e: syn.FunctionCallExpr, scope: dict) -> Any:
        fn = self.ctx.functions.get(e.name)
        if fn is None and e.name in CONSOLE_FUNCTIONS and e.range is not None \
                and e.range.filename == CONSOLE_FILENAME:
            self.type_used = True
            fn = CONSOLE_FUNCTIONS[e.name]
        if fn is None:
            namespace, _, rest = e.name.partition("::")
            if not rest:
                self.diags.error("Call to unknown function",
                                 f'There is no function named "{e.name}".'
                                 + suggestion(e.name, self.ctx.functions), e.name_range)
            elif namespace == "provider" and rest.count("::") == 1:
                provider, _, name = rest.partition("::")
                self.diags.error("Unknown provider function",
                                 f'There is no function named "{e.name}". Ensure that provider '
                                 f'name "{provider}" is declared in this module\'s '
                                 "required_providers block, and that this provider offers a "
                                 f'function named "{name}".', e.name_range)
            else:
                self.diags.error("Unknown provider function",
                                 f'The function namespace "{namespace}" is not valid. Provider '
                                 'function calls must use the "provider::" namespace prefix.',
                                 e.name_range)
            for a in e.args:  # still report problems inside the arguments
                self.eval(a, scope)
            return Unknown()
        if fn.special is not None:
            def eval_arg(x: syn.Expr) -> tuple[Any, Diagnostics]:
                sub = _Evaluator(self.ctx, self)
                v = sub.eval(x, scope)
                return v, sub.diags

            value, d = (fn.special(self.ctx, eval_arg, list(e.args), e.range)
                        if fn.needs_context else fn.special(eval_arg, list(e.args), e.range))
            self.diags.extend(d)
            return value
        args = [self.eval(a, scope) for a in e.args]
        ranges = [a.range for a in e.args]
        if e.expand_final and args:
            last = args.pop()
            last_range = ranges.pop()
            marked = isinstance(last, Sensitive)
            last = strip_sensitive(last)
            if isinstance(last, Unknown):
                return _mark(Unknown(fn.return_type), marked)
            if not isinstance(last, list):
                self.diags.error("Invalid expanding argument value",
                                 "The expanding argument (indicated by ...) must be of a tuple, "
                                 "list, or set type.", last_range)
                return Unknown()
            args.extend(_mark(x, marked) for x in last)
            ranges.extend([last_range] * len(last))
        value, d = fns.call_function(e.name, fn, args, ranges, e.range, self.ctx)
        if d:
            self.marked.append(args)  # an argument may hold marked parts (a resource object)
            self.diags.extend(d)
        return value


def _exact_arith(op: str, a: Any, b: Any) -> Any:
    """Terraform's arbitrary-precision arithmetic (512-bit binary floats) for finite
    operands, so `0.1 + 0.2` is 0.3 and `1/3` has Terraform's digits; None where the plain
    path decides (division or modulo by zero, infinities)."""
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool)
               and (isinstance(x, int) or math.isfinite(x)) for x in (a, b)):
        return None
    if op in ("/", "%") and b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int) and op != "/":
        return None  # Python ints are already exact
    x, y = exact_of(a), exact_of(b)
    if op == "+":
        q = x + y
    elif op == "-":
        q = x - y
    elif op == "*":
        q = x * y
    elif op == "/":
        q = x / y
    else:
        n = x / y
        q = x - y * (n.numerator // n.denominator if n >= 0 else -((-n.numerator) // n.denominator))
    return make_number(round_binary(q))


class _Failed:
    def __repr__(self) -> str:
        return "_FAILED"


_FAILED: Any = _Failed()

_DISPATCH: dict[type, Callable] = {
    syn.LiteralExpr: _Evaluator.e_literal,
    syn.ParenExpr: _Evaluator.e_paren,
    syn.AnonSymbolExpr: _Evaluator.e_anon,
    syn.ScopeTraversalExpr: _Evaluator.e_scope_traversal,
    syn.RelativeTraversalExpr: _Evaluator.e_relative,
    syn.IndexExpr: _Evaluator.e_index,
    syn.BinaryOpExpr: _Evaluator.e_binary,
    syn.UnaryOpExpr: _Evaluator.e_unary,
    syn.ConditionalExpr: _Evaluator.e_conditional,
    syn.TupleExpr: _Evaluator.e_tuple,
    syn.ObjectExpr: _Evaluator.e_object,
    syn.TemplateExpr: _Evaluator.e_template,
    syn.TemplateWrapExpr: _Evaluator.e_template_wrap,
    syn.TemplateIfExpr: _Evaluator.e_template_if,
    syn.TemplateForExpr: _Evaluator.e_template_for,
    syn.ForExpr: _Evaluator.e_for,
    syn.SplatExpr: _Evaluator.e_splat,
    syn.FunctionCallExpr: _Evaluator.e_call,
}


__all__ = ["EvalContext", "LazyLocals", "Reference", "NOT_DECLARED", "InstanceList",
           "InstanceMap", "evaluate", "evaluate_constant", "reference_of", "references_in",
           "did_you_mean", "suggestion"]
