"""vpnform's own syntax tree for HCL: bodies, blocks, attributes and expression nodes.

Built by hcl.py (the only module that sees the parser's types); every node carries a
SourceRange. Nodes are plain picklable data so parse results can be cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Union

from ..diagnostics import SourceRange
from ..pickled_fields import all_by_fields

# ---------------------------------------------------------------------------------------
# Traversals: the static part of a reference such as ``var.sites["sh"].cidr``


@dataclass(frozen=True, slots=True)
class GetAttr:
    name: str
    range: SourceRange


@dataclass(frozen=True, slots=True)
class Index:
    key: int | str
    range: SourceRange


Step = Union[GetAttr, Index]


@dataclass(frozen=True, slots=True)
class Traversal:
    root: str
    steps: tuple = ()  # tuple[Step, ...]
    range: SourceRange | None = None
    root_range: SourceRange | None = None

    def __str__(self) -> str:
        return self.root + steps_str(self.steps)


def steps_str(steps: tuple) -> str:
    out = []
    for s in steps:
        if isinstance(s, GetAttr):
            out.append("." + s.name)
        elif isinstance(s.key, int):
            out.append(f"[{s.key}]")
        else:
            out.append('["' + s.key.replace("\\", "\\\\").replace('"', '\\"') + '"]')
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Expressions


class Expr:
    """Base class of expression nodes. Subclasses are dataclasses with a ``range`` field."""

    __slots__ = ()
    range: SourceRange

    def children(self) -> Iterator["Expr"]:
        return iter(())

    def traversals(self) -> list[Traversal]:
        """Every variable reference inside this expression, in source order.

        Names bound by enclosing ``for`` expressions / directives are not references.
        """
        out: list[Traversal] = []
        self._collect(out, frozenset())
        return out

    def _collect(self, out: list[Traversal], bound: frozenset) -> None:
        for c in self.children():
            c._collect(out, bound)

    def walk(self) -> Iterator["Expr"]:
        """This node and every node below it, depth first in source order."""
        yield self
        for c in self.children():
            yield from c.walk()


@dataclass(eq=False, slots=True)
class LiteralExpr(Expr):
    value: Any  # None | bool | int | float | str
    range: SourceRange


@dataclass(eq=False, slots=True)
class TemplateExpr(Expr):
    """A string template: literal parts (LiteralExpr str), interpolations and directives."""

    parts: list  # list[Expr]
    range: SourceRange
    heredoc: bool = False

    def children(self) -> Iterator[Expr]:
        return iter(self.parts)


@dataclass(eq=False, slots=True)
class TemplateWrapExpr(Expr):
    """``"${expr}"``: a template consisting of a single interpolation yields the value itself."""

    wrapped: Expr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.wrapped


@dataclass(eq=False, slots=True)
class TemplateIfExpr(Expr):
    """``%{ if cond }…%{ else }…%{ endif }`` inside a template."""

    condition: Expr
    then: TemplateExpr
    else_: TemplateExpr | None
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.condition
        yield self.then
        if self.else_ is not None:
            yield self.else_


@dataclass(eq=False, slots=True)
class TemplateForExpr(Expr):
    """``%{ for k, v in coll }…%{ endfor }`` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: TemplateExpr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.collection
        yield self.body

    def _collect(self, out: list[Traversal], bound: frozenset) -> None:
        self.collection._collect(out, bound)
        inner = bound | {self.value_var} | ({self.key_var} if self.key_var else set())
        self.body._collect(out, inner)


@dataclass(eq=False, slots=True)
class ScopeTraversalExpr(Expr):
    traversal: Traversal
    range: SourceRange

    def _collect(self, out: list[Traversal], bound: frozenset) -> None:
        if self.traversal.root not in bound:
            out.append(self.traversal)


@dataclass(eq=False, slots=True)
class RelativeTraversalExpr(Expr):
    """Static attribute/index steps applied to the result of an arbitrary expression."""

    source: Expr
    steps: tuple  # tuple[Step, ...]
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.source


@dataclass(eq=False, slots=True)
class IndexExpr(Expr):
    """``collection[key]`` with a key computed at evaluation time."""

    collection: Expr
    key: Expr
    range: SourceRange
    bracket_range: SourceRange | None = None

    def children(self) -> Iterator[Expr]:
        yield self.collection
        yield self.key


@dataclass(eq=False, slots=True)
class FunctionCallExpr(Expr):
    name: str
    args: list  # list[Expr]
    range: SourceRange
    name_range: SourceRange
    expand_final: bool = False  # the last argument is followed by `...`

    def children(self) -> Iterator[Expr]:
        return iter(self.args)


@dataclass(eq=False, slots=True)
class BinaryOpExpr(Expr):
    op: str  # one of + - * / % == != < > <= >= && ||
    lhs: Expr
    rhs: Expr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.lhs
        yield self.rhs


@dataclass(eq=False, slots=True)
class UnaryOpExpr(Expr):
    op: str  # "-" or "!"
    operand: Expr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.operand


@dataclass(eq=False, slots=True)
class ConditionalExpr(Expr):
    condition: Expr
    true_expr: Expr
    false_expr: Expr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.condition
        yield self.true_expr
        yield self.false_expr


@dataclass(eq=False, slots=True)
class TupleExpr(Expr):
    items: list  # list[Expr]
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        return iter(self.items)


@dataclass(eq=False, slots=True)
class ObjectItem:
    """One ``key = value`` of an object constructor. A bare identifier key is a
    LiteralExpr string (``bare_key`` True); ``(expr)`` or any other expression is evaluated."""

    key: Expr
    value: Expr
    bare_key: bool = False


@dataclass(eq=False, slots=True)
class ObjectExpr(Expr):
    items: list  # list[ObjectItem]
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        for it in self.items:
            yield it.key
            yield it.value


@dataclass(eq=False, slots=True)
class ForExpr(Expr):
    """``[for k, v in coll : v if c]`` or ``{for k, v in coll : k => v... if c}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # None for a tuple-producing for expression
    value_expr: Expr
    condition: Expr | None
    group: bool  # `...` after the value: group values with the same key into lists
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.collection
        if self.key_expr is not None:
            yield self.key_expr
        yield self.value_expr
        if self.condition is not None:
            yield self.condition

    def _collect(self, out: list[Traversal], bound: frozenset) -> None:
        self.collection._collect(out, bound)
        inner = bound | {self.value_var} | ({self.key_var} if self.key_var else set())
        for e in (self.key_expr, self.value_expr, self.condition):
            if e is not None:
                e._collect(out, inner)


@dataclass(eq=False, slots=True)
class AnonSymbolExpr(Expr):
    """The current element inside a splat's ``each`` expression."""

    range: SourceRange


@dataclass(eq=False, slots=True)
class SplatExpr(Expr):
    """``source[*].each`` / ``source.*.each``: ``each`` is evaluated with the anonymous
    symbol bound to every element of ``source``."""

    source: Expr
    each: Expr  # built over ``item``
    item: AnonSymbolExpr
    range: SourceRange
    attr_only: bool = False  # legacy `.*` form: only attribute steps belong to the splat

    def children(self) -> Iterator[Expr]:
        yield self.source
        yield self.each


@dataclass(eq=False, slots=True)
class ParenExpr(Expr):
    inner: Expr
    range: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.inner


# ---------------------------------------------------------------------------------------
# Structure


@dataclass(eq=False, slots=True)
class Attribute:
    name: str
    expr: Expr
    range: SourceRange  # name through end of expression
    name_range: SourceRange


@dataclass(eq=False, slots=True)
class Body:
    attributes: dict = field(default_factory=dict)  # name -> Attribute, in source order
    blocks: list = field(default_factory=list)  # list[Block], in source order
    range: SourceRange | None = None  # from "{" to "}" (the whole file for a file body)

    def blocks_of_type(self, type_name: str) -> list["Block"]:
        return [b for b in self.blocks if b.type == type_name]


@dataclass(eq=False, slots=True)
class Block:
    type: str
    labels: list  # list[str]
    body: Body
    type_range: SourceRange
    label_ranges: list  # list[SourceRange]
    range: SourceRange  # the header: type through last label

    @property
    def def_range(self) -> SourceRange:
        return self.range


def body_traversals(body: Body) -> list[Traversal]:
    """Every reference in a body and its nested blocks, in source order."""
    items: list[tuple[tuple, Traversal]] = []

    def walk(b: Body) -> None:
        for attr in b.attributes.values():
            for t in attr.expr.traversals():
                items.append((_order(t.range), t))
        for blk in b.blocks:
            walk(blk.body)

    walk(body)
    items.sort(key=lambda x: x[0])
    return [t for _, t in items]


def _order(r: SourceRange | None) -> tuple:
    if r is None:
        return ("", 0, 0)
    return (r.filename, r.start.line, r.start.column)


# Every node pickles as its constructor's arguments (the parse cache: hcl.py).
all_by_fields(globals())
