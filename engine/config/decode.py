"""Decoding a block body against a schema (engine/schema.py) into a value plus source ranges.

The value has every schema attribute (unset -> None) and every nested block type; ``ranges``
maps attribute paths to source ranges so diagnostics that providers report by attribute
path can be shown at ``file:line,col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import AttrPath, Diagnostics, SourceRange
from ..schema import LIST, SET, SINGLE, Attribute, Block, NestedBlock
from ..values import (UNKNOWN, ConversionError, ListType, Sensitive, Type, Unknown,
                      is_wholly_known, non_finite_path, strip_sensitive, type_name_of, unmark)
from . import syntax as syn
from .evaluate import NOT_LITERAL, EvalContext, evaluate, literal_value, suggestion
from .syntax import body_traversals

__all__ = ["DecodedBody", "decode_body", "body_traversals"]


@dataclass
class DecodedBody:
    value: dict
    ranges: dict = field(default_factory=dict)  # AttrPath -> SourceRange
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    def range_for(self, path: AttrPath) -> SourceRange | None:
        """The range of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.ranges:
                return self.ranges[path]
            path = path[:-1]
        return None


def decode_body(body: syn.Body, schema: Block, ctx: EvalContext,
                header_range: SourceRange | None) -> DecodedBody:
    out = DecodedBody({})
    out.value = _decode(body, schema, ctx, header_range or body.range, (), out)
    return out


def _decode(body: syn.Body, schema: Block, ctx: EvalContext, header: SourceRange | None,
            prefix: tuple, out: DecodedBody) -> dict:
    diags = out.diagnostics
    value: dict = {name: None for name in schema.attributes}
    for name, nb in schema.block_types.items():
        value[name] = None if nb.nesting == SINGLE else []

    for name, attr in body.attributes.items():
        path = prefix + (name,)
        spec: Attribute | None = schema.attributes.get(name)
        if spec is None:
            if name in schema.block_types:
                detail = (f'An argument named "{name}" is not expected here. Did you mean to '
                          f'define a block of type "{name}"?')
            else:
                detail = (f'An argument named "{name}" is not expected here.'
                          + suggestion(name, schema.attributes))
            diags.error("Unsupported argument", detail, attr.name_range, path=path)
            continue
        if spec.is_computed_only:
            diags.error("Value for unconfigurable attribute",
                        f'Can\'t configure a value for "{name}": its value will be decided '
                        "automatically based on the result of applying this configuration.",
                        attr.name_range, path=path)
            continue
        expr = attr.expr
        out.ranges[path] = expr.range
        if type(expr) in _COMPOSITE:
            _expr_ranges(expr, path, out.ranges)
        v = literal_value(expr)  # most arguments: no evaluator, no diagnostics to merge
        if v is NOT_LITERAL:
            v, d = evaluate(expr, ctx)
            if d:
                diags.extend(d)
                if d.has_errors:
                    continue
        written = v
        try:
            v = spec.type.convert(v)
            _set_element_ranges(out.ranges, path, spec.type, written, v)
        except ConversionError as err:
            diags.error("Incorrect attribute value type",
                        f'Inappropriate value for attribute "{name}": '
                        f"{err}.", attr.expr.range, path=path)
            continue
        bad = non_finite_path(v)
        if bad is not None:
            where = "".join(f"[{k!r}]" if isinstance(k, str) else f"[{k}]" for k in bad)
            diags.error("Invalid number",
                        f'The value of "{name}"{where} is not a finite number (it is an '
                        "infinity, e.g. from a division by zero). Providers are given only "
                        "finite numbers: change the expression.", attr.expr.range, path=path)
            continue
        if v is None and spec.required:
            diags.error("Missing required argument",
                        f'The argument "{name}" is required, but no definition was found: its '
                        "value is null.", attr.expr.range, path=path)
            continue
        if v is not None and spec.validators and is_wholly_known(v):
            plain = unmark(v)[0]
            for validate in spec.validators:
                msg = validate(plain)
                if msg:
                    msg = msg.strip()
                    diags.error("Invalid value for argument",
                                msg if msg.endswith((".", "?", "!")) else msg + ".",
                                attr.expr.range, path=path)
                    break
        value[name] = v

    for name, spec in schema.attributes.items():
        if spec.required and name not in body.attributes:
            diags.error("Missing required argument",
                        f'The argument "{name}" is required, but no definition was found.',
                        header, path=prefix + (name,))

    seen: dict[str, list] = {}
    unknown_types: set[str] = set()
    for blk, bctx, brange in _expand_blocks(body, schema, ctx, prefix, out, unknown_types):
        nb: NestedBlock | None = schema.block_types.get(blk.type)
        if nb is None:
            if blk.type in schema.attributes:
                detail = (f'Blocks of type "{blk.type}" are not expected here. Did you mean to '
                          f'define argument "{blk.type}"? If so, use the equals sign to assign '
                          "it a value.")
            else:
                detail = (f'Blocks of type "{blk.type}" are not expected here.'
                          + suggestion(blk.type, schema.block_types))
            diags.error("Unsupported block type", detail, blk.type_range,
                        path=prefix + (blk.type,))
            continue
        if blk.labels and brange is None:
            diags.error(f"Extraneous label for {blk.type}",
                        f"No labels are expected for {blk.type} blocks.", blk.label_ranges[0],
                        path=prefix + (blk.type,))
            continue
        rng = brange or blk.range
        group = seen.setdefault(blk.type, [])
        if nb.nesting == SINGLE and group:
            diags.error(f"Duplicate {blk.type} block",
                        f'Only one "{blk.type}" block is allowed. Another was defined at '
                        f"{group[0]}.", rng, path=prefix + (blk.type,))
            continue
        group.append(rng)
        if nb.nesting == SINGLE:
            path: tuple = prefix + (blk.type,)
            out.ranges[path] = rng
            value[blk.type] = _decode(blk.body, nb.block, bctx, rng, path, out)
        else:
            i = len(value[blk.type])
            path = prefix + (blk.type, i)
            out.ranges.setdefault(prefix + (blk.type,), rng)
            out.ranges[path] = rng
            value[blk.type].append(_decode(blk.body, nb.block, bctx, rng, path, out))

    for name in unknown_types:  # a dynamic block whose for_each is not known yet
        if name in schema.block_types:
            value[name] = UNKNOWN
            seen.pop(name, None)

    for name, nb in schema.block_types.items():
        if name in unknown_types:
            continue
        blocks = seen.get(name, [])
        if nb.max_items and len(blocks) > nb.max_items:
            diags.error(f"Too many {name} blocks",
                        f'No more than {nb.max_items} "{name}" blocks are allowed.',
                        blocks[nb.max_items], path=prefix + (name,))
        if nb.min_items and len(blocks) < nb.min_items:
            diags.error(f"Insufficient {name} blocks",
                        f'At least {nb.min_items} "{name}" blocks are required.', header,
                        path=prefix + (name,))
        if nb.nesting not in (LIST, SET, SINGLE):
            raise ValueError(f"unknown nesting mode {nb.nesting!r}")
    return value


def _set_element_ranges(ranges: dict, path: tuple, type_: Type, written: Any, value: Any
                        ) -> None:
    """A set's elements are sorted and unique: element j of ``value`` takes the range of
    the element written first with that value (``["b", "a"]``: element 0 is "a", at 1)."""
    if not (isinstance(type_, ListType) and type_.kind == "set"):
        return
    written, value = strip_sensitive(written), strip_sensitive(value)
    if not (isinstance(written, list) and isinstance(value, list)):
        return
    converted = [type_.element.convert(e) for e in written]
    old = {i: ranges.get(path + (i,)) for i in range(len(written))}
    for i in old:
        ranges.pop(path + (i,), None)
    for j, x in enumerate(value):
        i = next((i for i, c in enumerate(converted) if c == x), None)
        if i is not None and old[i] is not None:
            ranges[path + (j,)] = old[i]


_COMPOSITE = (syn.TupleExpr, syn.ObjectExpr, syn.ParenExpr)  # what _expr_ranges looks into


def _expr_ranges(expr: syn.Expr, path: tuple, ranges: dict) -> None:
    """Ranges of elements written literally: ``["a", "b"]`` -> path+(0,), path+(1,)."""
    if isinstance(expr, syn.TupleExpr):
        for i, item in enumerate(expr.items):
            ranges[path + (i,)] = item.range
            _expr_ranges(item, path + (i,), ranges)
    elif isinstance(expr, syn.ObjectExpr):
        for item in expr.items:
            if isinstance(item.key, syn.LiteralExpr) and isinstance(item.key.value, str):
                p = path + (item.key.value,)
                ranges[p] = item.value.range
                _expr_ranges(item.value, p, ranges)
    elif isinstance(expr, syn.ParenExpr):
        _expr_ranges(expr.inner, path, ranges)


# ---------------------------------------------------------------------------------------
# dynamic blocks


def _expand_blocks(body: syn.Body, schema: Block, ctx: EvalContext, prefix: tuple,
                   out: DecodedBody, unknown_types: set):
    """The body's blocks with every ``dynamic`` block replaced by the blocks it generates.

    Yields (block, context, range): a generated block is its ``content`` body, decoded in a
    context where the iterator is bound; its range is the dynamic block's header."""
    for blk in body.blocks:
        if blk.type != "dynamic":
            yield blk, ctx, None
            continue
        yield from _expand_dynamic(blk, schema, ctx, prefix, out, unknown_types)


def _expand_dynamic(blk: syn.Block, schema: Block, ctx: EvalContext, prefix: tuple,
                    out: DecodedBody, unknown_types: set):
    diags = out.diagnostics
    if "dynamic" in schema.block_types:  # a real block type named "dynamic"
        yield blk, ctx, None
        return
    if len(blk.labels) != 1:
        if not blk.labels:
            diags.error("Missing name for dynamic",
                        'All dynamic blocks must have 1 label (the type of block to '
                        "generate).", blk.range, path=prefix)
        else:
            diags.error("Extraneous label for dynamic",
                        "Only 1 label (name) is expected for dynamic blocks.",
                        blk.label_ranges[1], path=prefix)
        return
    name = blk.labels[0]
    name_range = blk.label_ranges[0]
    if name not in schema.block_types:
        if name in schema.attributes:
            detail = (f'Blocks of type "{name}" are not expected here. "{name}" is an '
                      "argument: a dynamic block can only generate nested blocks.")
        else:
            detail = (f'Blocks of type "{name}" are not expected here.'
                      + suggestion(name, schema.block_types))
        diags.error("Unsupported block type", detail, name_range, path=prefix + (name,))
        return
    b = blk.body
    ok = True
    for aname, attr in b.attributes.items():
        if aname not in ("for_each", "iterator", "labels"):
            diags.error("Unsupported argument",
                        f'An argument named "{aname}" is not expected here.'
                        + suggestion(aname, ("for_each", "iterator", "labels")),
                        attr.name_range, path=prefix + (name,))
            ok = False
    contents = []
    for inner in b.blocks:
        if inner.type != "content":
            diags.error("Unsupported block type",
                        f'Blocks of type "{inner.type}" are not expected here.'
                        + suggestion(inner.type, ("content",)), inner.type_range,
                        path=prefix + (name,))
            ok = False
        elif contents:
            diags.error("Duplicate content block",
                        "A dynamic block may have only one content block. Another was defined "
                        f"at {contents[0].range}.", inner.range, path=prefix + (name,))
            ok = False
        elif inner.labels:
            diags.error("Extraneous label for content",
                        "No labels are expected for content blocks.", inner.label_ranges[0],
                        path=prefix + (name,))
            ok = False
        else:
            contents.append(inner)
    if "for_each" not in b.attributes:
        diags.error("Missing required argument",
                    'The argument "for_each" is required, but no definition was found.',
                    blk.range, path=prefix + (name,))
        ok = False
    if not contents and ok:
        diags.error("Missing content block",
                    'A dynamic block must have a nested block of type "content" to describe '
                    "the body of each generated block.", blk.range, path=prefix + (name,))
        ok = False
    iterator = name
    if "iterator" in b.attributes:
        it = b.attributes["iterator"].expr
        if (isinstance(it, syn.ScopeTraversalExpr) and not it.traversal.steps):
            iterator = it.traversal.root
        else:
            diags.error("Invalid expression",
                        "A single static variable reference is required: the iterator must be "
                        "a bare name, like iterator = rule.", it.range, path=prefix + (name,))
            ok = False
    if "labels" in b.attributes:
        diags.error("Unsupported argument",
                    f'Blocks of type "{name}" take no labels, so a dynamic block generating '
                    'them must not set "labels".', b.attributes["labels"].name_range,
                    path=prefix + (name,))
        ok = False
    if not ok:
        return
    fe_expr = b.attributes["for_each"].expr
    coll, d = evaluate(fe_expr, ctx)
    diags.extend(d)
    if d.has_errors:
        return
    marked = isinstance(coll, Sensitive)
    coll = coll.value if marked else coll
    if isinstance(coll, Unknown):
        unknown_types.add(name)
        return
    if coll is None:
        diags.error("Invalid dynamic for_each value",
                    "Cannot use a null value in for_each.", fe_expr.range,
                    path=prefix + (name,))
        return
    if isinstance(coll, list):
        pairs = list(enumerate(coll))
    elif isinstance(coll, dict):
        pairs = [(k, coll[k]) for k in sorted(coll)]
    else:
        diags.error("Invalid dynamic for_each value",
                    f"Cannot use a {type_name_of(coll)} value in for_each. An iterable "
                    "collection is required.", fe_expr.range, path=prefix + (name,))
        return
    content = contents[0]
    for key, item in pairs:
        if marked:
            item = item if isinstance(item, Sensitive) else Sensitive(item)
        bindings = dict(ctx.bindings)
        bindings[iterator] = {"key": key, "value": item}
        child = replace(ctx, bindings=bindings)
        gen = syn.Block(name, [], content.body, name_range, [], blk.range)
        yield gen, child, blk.range
