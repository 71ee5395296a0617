"""Decoding a block body against a schema (engine/schema.py) into a value plus source ranges.

The value has every schema attribute (unset -> None) and every nested block type; ``ranges``
maps attribute paths to source ranges so diagnostics that providers report by attribute
path can be shown at ``file:line,col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import AttrPath, Diagnostics, SourceRange
from ..schema import LIST, SET, SINGLE, Attribute, Block, NestedBlock
from ..values import ConversionError, is_wholly_known, unmark
from . import syntax as syn
from .evaluate import EvalContext, evaluate, suggestion
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


def _conversion_message(err: ConversionError) -> str:
    msg = str(err)
    for name, article in (("number", "a number"), ("bool", "a bool"), ("string", "a string")):
        if err.message == f"{name} required" or (
                name == "number" and err.message.startswith("a number is required")):
            prefix = msg[: len(msg) - len(err.message)]
            return f"{prefix}{article} is required"
    return msg


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
        out.ranges[path] = attr.expr.range
        _expr_ranges(attr.expr, path, out.ranges)
        v, d = evaluate(attr.expr, ctx)
        diags.extend(d)
        if d.has_errors:
            continue
        try:
            v = spec.type.convert(v)
        except ConversionError as err:
            diags.error("Incorrect attribute value type",
                        f'Inappropriate value for attribute "{name}": '
                        f"{_conversion_message(err)}.", attr.expr.range, path=path)
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

    seen: dict[str, list[syn.Block]] = {}
    for blk in body.blocks:
        nb: NestedBlock | None = schema.block_types.get(blk.type)
        if nb is None:
            if blk.type in schema.attributes:
                detail = (f'Blocks of type "{blk.type}" are not expected here. Did you mean to '
                          f'define argument "{blk.type}"? If so, use the equals sign to assign '
                          "it a value.")
            elif blk.type == "dynamic":
                detail = ('Blocks of type "dynamic" are not supported yet. Write each nested '
                          "block out in full.")
            else:
                detail = (f'Blocks of type "{blk.type}" are not expected here.'
                          + suggestion(blk.type, schema.block_types))
            diags.error("Unsupported block type", detail, blk.type_range,
                        path=prefix + (blk.type,))
            continue
        if blk.labels:
            diags.error(f"Extraneous label for {blk.type}",
                        f"No labels are expected for {blk.type} blocks.", blk.label_ranges[0],
                        path=prefix + (blk.type,))
            continue
        group = seen.setdefault(blk.type, [])
        if nb.nesting == SINGLE and group:
            diags.error(f"Duplicate {blk.type} block",
                        f'Only one "{blk.type}" block is allowed. Another was defined at '
                        f"{group[0].range}.", blk.range, path=prefix + (blk.type,))
            continue
        group.append(blk)
        if nb.nesting == SINGLE:
            path: tuple = prefix + (blk.type,)
            out.ranges[path] = blk.range
            value[blk.type] = _decode(blk.body, nb.block, ctx, blk.range, path, out)
        else:
            i = len(value[blk.type])
            path = prefix + (blk.type, i)
            out.ranges.setdefault(prefix + (blk.type,), blk.range)
            out.ranges[path] = blk.range
            value[blk.type].append(_decode(blk.body, nb.block, ctx, blk.range, path, out))

    for name, nb in schema.block_types.items():
        blocks = seen.get(name, [])
        if nb.max_items and len(blocks) > nb.max_items:
            diags.error(f"Too many {name} blocks",
                        f'No more than {nb.max_items} "{name}" blocks are allowed.',
                        blocks[nb.max_items].range, path=prefix + (name,))
        if nb.min_items and len(blocks) < nb.min_items:
            diags.error(f"Insufficient {name} blocks",
                        f'At least {nb.min_items} "{name}" blocks are required.', header,
                        path=prefix + (name,))
        if nb.nesting not in (LIST, SET, SINGLE):
            raise ValueError(f"unknown nesting mode {nb.nesting!r}")
    return value


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
