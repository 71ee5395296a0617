"""HCL source text -> vpnform's syntax tree (syntax.py): the only importer of hcl2 / lark.

Walks python-hcl2's raw Lark parse tree (positions from its tokens) into our
own nodes and turns parser exceptions into diagnostics. Callers go through hcl.py, which
imports this module only when a file is not in its parse cache (startup time, issue #14).
"""

from __future__ import annotations

import functools
import gc
import os
import re
from typing import Any, Iterable, Iterator

import hcl2
import lark
from hcl2.postlexer import PostLexer
from lark import Token, Tree

from ..diagnostics import Diagnostics, SourceRange
from ..values import parse_number
from . import syntax as syn
from .hcl import LineIndex

# python-hcl2's grammar lets a unary operator apply only to a term, so `!!true` and `- -5`
# do not parse; HCL allows a unary operation as the operand of another.
_UNARY_RULE = "!unary_op : (MINUS | NOT) expr_term"
_UNARY_RULE_NESTED = "!unary_op : (MINUS | NOT) (expr_term | unary_op)"
# It also allows only three-part function names (provider::ns::fn); HCL allows any number
# of namespaces, and Terraform has core::fn for every built-in function.
_CALL_RULE = "function_call : identifier (COLONS identifier COLONS identifier)? LPAR"
_CALL_RULE_NAMESPACED = "function_call : identifier (COLONS identifier)* LPAR"
# and it lexes each `$${` / `%%{` escape of a quoted string, with the text after it up to the
# next `}`, as a token of its own (`"$${"` fails to parse; `\"` after the escape stays
# escaped); in HCL the escape is the three characters alone. String characters take them in
# (one token however many escapes) and `_Builder.unescape` turns them into `${` / `%{`; the
# escape tokens drop below them (priority 0), so they never match.
_ESCAPE_TOKENS = {"ESCAPED_INTERPOLATION.2:": "ESCAPED_INTERPOLATION.0:",
                  "ESCAPED_DIRECTIVE.2:": "ESCAPED_DIRECTIVE.0:"}
_STRING_CHARS = ('STRING_CHARS.1: /(?:(?!\\$\\$\\{)(?!\\$\\{)(?!%%\\{)(?!%\\{)[^"\\\\]|\\\\.'
                 '|(?:\\$(?!\\$?\\{))|(?:%(?!%?\\{)))+/')
_STRING_CHARS_WITH_ESCAPES = 'STRING_CHARS.1: /(?:\\$\\$\\{|%%\\{|(?!\\$\\{)(?!%\\{)[^"\\\\]|\\\\.)+/'


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    path = os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark")
    with open(path, encoding="utf-8") as f:
        grammar = f.read()
    replace = {_UNARY_RULE: _UNARY_RULE_NESTED, _CALL_RULE: _CALL_RULE_NAMESPACED,
               _STRING_CHARS: _STRING_CHARS_WITH_ESCAPES, **_ESCAPE_TOKENS}
    for old, new in replace.items():
        if old not in grammar:
            raise RuntimeError(f"unexpected python-hcl2 grammar in {path}: {old!r} changed")
        grammar = grammar.replace(old, new)
    return lark.Lark(grammar, parser="lalr",
                     cache=True, postlex=PostLexer())


def _parse_tree(text: str) -> Tree:
    # the trailing newline: the grammar cannot look for "newline or end of file" (as hcl2 does)
    return _parser().parse(text + "\n")


_EXPR_PREFIX = "x = ("  # sub-expressions (heredoc interpolations, -var values) parse inside this
_EXPR_SUFFIX = ")\n"


# ---------------------------------------------------------------------------------------
# Expressions


def parse_expression(source: str, filename: str) -> tuple[syn.Expr | None, Diagnostics]:
    """Parse a standalone expression (a -var value, a tfvars value given on a prompt…)."""
    index = LineIndex(source)
    b = _Builder(source, filename, index, delta=-len(_EXPR_PREFIX))
    diags = Diagnostics()
    if not source.strip():
        diags.error("Invalid expression", "Expected the start of an expression, but found the "
                    "end of the input.", b.rng(len(_EXPR_PREFIX), len(_EXPR_PREFIX)))
        return None, diags
    try:
        tree = _parse_tree(_EXPR_PREFIX + source + _EXPR_SUFFIX)
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes a diagnostic
        diags.append(_syntax_diagnostic(exc, b, "expression"))
        return None, diags
    body = tree.children[0]
    attrs = [c for c in body.children if isinstance(c, Tree) and c.data in ("attribute", "block")]
    if len(attrs) != 1 or attrs[0].data != "attribute":
        diags.error("Invalid expression", "Exactly one expression is expected here.",
                    b.rng(len(_EXPR_PREFIX), len(_EXPR_PREFIX) + len(source)))
        return None, diags
    expr = b.expr(_expr_child(attrs[0]))
    diags.extend(b.diags)
    if isinstance(expr, syn.ParenExpr):
        expr = expr.inner
    return expr, diags


# ---------------------------------------------------------------------------------------
# Tree walking


def parse_file(source: str, filename: str) -> tuple[syn.Body | None, Diagnostics]:
    """Parse one file's text (no cache). Returns (Body, diagnostics); Body is None on a
    syntax error.

    A large file is parsed in chunks of whole top-level blocks and attributes, so that only
    one chunk's Lark parse tree (several times the size of our own tree) is alive at a time
    (issue #14); anything the chunk scanner is unsure of, and any chunk that does not parse,
    falls back to the whole-file parse, which gives the same tree and reports syntax errors.
    """
    chunks = top_level_chunks(source, CHUNK_CHARS) if len(source) > CHUNK_CHARS else None
    if chunks is not None and len(chunks) > 1:
        result = _parse_chunks(source, filename, chunks)
        if result is not None:
            return result
    return parse_whole_file(source, filename)


def parse_whole_file(source: str, filename: str) -> tuple[syn.Body | None, Diagnostics]:
    """``parse_file`` in one Lark parse of the whole text."""
    index = LineIndex(source)
    b = _Builder(source, filename, index, delta=0)
    diags = Diagnostics()
    try:
        tree = _parse_tree(source)
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes a diagnostic
        diags.append(_syntax_diagnostic(exc, b))
        return None, diags
    try:
        body = b.body(tree.children[0].children, 0, len(source))
    except RecursionError:
        diags.error("Configuration too deeply nested",
                    "This file nests expressions or blocks too deeply to be read.",
                    b.rng(0, 0))
        return None, diags
    return _result(body, b)


def _result(body: syn.Body, b: _Builder) -> tuple[syn.Body | None, Diagnostics]:
    diags = Diagnostics()
    diags.extend(b.diags)
    if diags.has_errors:
        return None, diags
    return body, diags


def _parse_chunks(source: str, filename: str, chunks: list[tuple[int, int]]
                  ) -> tuple[syn.Body | None, Diagnostics] | None:
    """``parse_file`` chunk by chunk (``chunks``: character ranges of ``source``, each a
    run of whole top-level items), or None if a chunk does not parse."""
    b = _Builder(source, filename, LineIndex(source), delta=0)

    def items() -> Iterator[Any]:
        for start, end in chunks:
            tree = _parse_tree(source[start:end])
            b.delta = start  # positions in this chunk's parse -> positions in ``source``
            yield from tree.children[0].children
            del tree  # only this chunk's parse tree is alive at a time
            gc.collect(0)  # and Lark's trees hold cycles: free them while the GC is paused

    try:
        body = b.body(items(), 0, len(source))
    except Exception:  # noqa: BLE001 - a syntax error: the whole-file parse reports it
        return None
    return _result(body, b)


# A top-level item begins at the start of a line with a name (a block type or argument).
_ITEM_START = re.compile(r"[A-Za-z_]")
# What the chunk scanner looks at outside strings; a string without templates is one match.
_CODE = re.compile(r'''(?P<str>"(?:[^"\\$%\n]|\\[^\n]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*")
                     |(?P<quote>")
                     |(?P<open>[{\[(])
                     |(?P<close>[}\])])
                     |(?P<comment>\#[^\n]*|//[^\n]*)
                     |(?P<block_comment>/\*)
                     |(?P<heredoc><<)
                     |(?P<nl>\n)''', re.VERBOSE)
# The rest of a quoted string's characters up to its end or a template sequence.
_STRING_REST = re.compile(r'(?:[^"\\$%\n]|\\[^\n]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*')
# The grammar's heredoc terminals (HEREDOC_TEMPLATE, HEREDOC_TEMPLATE_TRIM) in one.
_HEREDOC = re.compile(r"<<-?(?P<marker>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*"
                      r"(?P=marker)\r?\n")
_CLOSER = {"{": "}", "[": "]", "(": ")"}
CHUNK_CHARS = 256 * 1024  # characters of source per chunk, at least


def top_level_chunks(source: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]] | None:
    """``source`` cut into chunks of at least ``size`` characters (the last may be
    shorter), each a run of whole top-level blocks and attributes: character ranges
    [start, end) that cover the text. Cuts are only at the start of a line that begins with a
    name outside any bracket, string, heredoc or comment. None when the scanner is unsure of
    the text (unbalanced brackets, an unterminated string, heredoc or comment): the caller
    parses it whole."""
    n = len(source)
    cuts = [0]
    stack: list[str] = []  # open brackets; "$" for a template sequence inside a string
    i = 0
    code_search = _CODE.search
    while True:
        m = code_search(source, i)
        if m is None:
            break
        kind = m.lastgroup
        i = m.end()
        if kind == "nl":
            if (not stack and i - cuts[-1] >= size and i < n
                    and _ITEM_START.match(source, i)):
                cuts.append(i)
        elif kind == "str" or kind == "comment":
            pass
        elif kind == "open":
            stack.append(_CLOSER[m.group()])
        elif kind == "close":
            if not stack:
                return None
            want = stack.pop()
            if want == "$":  # the end of a template sequence: back inside its string
                if m.group() != "}":
                    return None
                i = _string_rest(source, i, stack)
                if i < 0:
                    return None
            elif want != m.group():
                return None
        elif kind == "quote":
            i = _string_rest(source, i, stack)
            if i < 0:
                return None
        elif kind == "block_comment":
            end = source.find("*/", i)
            if end < 0:
                return None
            i = end + 2
        else:  # "<<": a heredoc (the lexer's terminal decides where it ends)
            h = _HEREDOC.match(source, m.start())
            if h is None:
                return None
            i = h.end() - 1  # its final newline, seen as a line end
    if stack:
        return None
    cuts.append(n)
    return list(zip(cuts, cuts[1:]))


def _string_rest(source: str, i: int, stack: list[str]) -> int:
    """After a quoted string's opening quote or a template sequence's closing brace at
    ``i``: the offset after the string's closing quote, or after the next template sequence's
    opening (pushed on ``stack``); -1 if the string does not end on its line."""
    i = _STRING_REST.match(source, i).end()  # type: ignore[union-attr]
    c = source[i:i + 1]
    if c == '"':
        return i + 1
    if c in ("$", "%") and source.startswith("{", i + 1):
        stack.append("$")
        return i + 2
    return -1


def _edge_token(tree: Tree, edge: int) -> Token | None:
    """The first (``edge`` 0) or last (-1) token of ``tree``: a node's span runs from its
    first token to its last (every terminal of the grammar is kept in the tree)."""
    children = tree.children if edge == 0 else reversed(tree.children)
    for c in children:
        if isinstance(c, Token):
            return c
        tok = _edge_token(c, edge)
        if tok is not None:
            return tok
    return None


def _expr_child(attr: Tree) -> Tree:
    return attr.children[-1]


def _is_nl(node: Any) -> bool:
    return (isinstance(node, Tree) and node.data == "new_line_or_comment") or (
        isinstance(node, Token) and node.type == "NL_OR_COMMENT")


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

_OPS = {"DOUBLE_EQ": "==", "NEQ": "!=", "LT": "<", "GT": ">", "LEQ": "<=", "GEQ": ">=",
        "PLUS": "+", "MINUS": "-", "ASTERISK": "*", "SLASH": "/", "PERCENT": "%",
        "DOUBLE_AMP": "&&", "DOUBLE_PIPE": "||"}

_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_DIRECTIVE_FOR = re.compile(
    r"\s*for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?in\s")
_DIRECTIVE_IF = re.compile(r"\s*if\s")
_DIRECTIVE_WORD = re.compile(r"\s*(else|endif|endfor)\s*\Z")


def join_literal_runs(items: list[tuple]) -> list[tuple]:
    """Template items with each run of adjacent literal text (the parser splits it at every
    `$${` and `%%{` escape) joined into one literal item, in time linear in the text."""
    merged: list[tuple] = []
    run: list[tuple] = []

    def end_run() -> None:
        if run:
            merged.append(("lit", "".join(x[1] for x in run), run[0][2], run[-1][3]))
            run.clear()

    for it in items:
        if it[0] == "lit":
            run.append(it)
        else:
            end_run()
            merged.append(it)
    end_run()
    return merged


def _normalize_number(x: float) -> int | float:
    if x.is_integer() and abs(x) < 2 ** 53:
        return int(x)
    return x


class _Builder:
    def __init__(self, source: str, filename: str, index: LineIndex, delta: int):
        self.source = source
        self.filename = filename
        self.index = index
        self.delta = delta  # add to parser offsets to get offsets in ``source``
        self.diags = Diagnostics()

    # -- ranges --------------------------------------------------------------------------
    def rng(self, start: int, end: int) -> SourceRange:
        return SourceRange(self.filename, self.index.pos(start + self.delta),
                           self.index.pos(end + self.delta))

    def span(self, node: Any) -> tuple[int, int]:
        if isinstance(node, Token):
            return node.start_pos, node.end_pos
        first = _edge_token(node, 0)
        if first is None:
            return 0, 0
        return first.start_pos, _edge_token(node, -1).end_pos  # type: ignore[union-attr]

    def range_of(self, node: Any) -> SourceRange:
        s, e = self.span(node)
        return self.rng(s, e)

    def join(self, a: SourceRange, b: SourceRange) -> SourceRange:
        if a.filename != self.filename:
            return SourceRange(self.filename, a.start, b.end)
        return SourceRange.spanning(a, b)

    # -- structure -----------------------------------------------------------------------
    def body(self, children: Iterable[Any], start: int, end: int) -> syn.Body:
        body = syn.Body(attributes={}, blocks=[], range=self.rng(start, end))
        prev_end_line = 0
        prev_kind = ""
        for child in children:
            if not isinstance(child, Tree) or child.data not in ("attribute", "block"):
                continue
            if child.data == "attribute":
                item: Any = self.attribute(child)
                first = item.name_range
                last = item.range
            else:
                item = self.block(child)
                first = item.type_range
                last = self.range_of(child)
            if prev_end_line and first.start.line == prev_end_line:
                if prev_kind == "attribute":
                    summary, detail = ("Missing newline after argument",
                                       "An argument definition must end with a newline.")
                else:
                    summary, detail = ("Missing newline after block definition",
                                       "A block definition must end with a newline.")
                self.diags.error(summary, detail,
                                 SourceRange(self.filename, first.start, first.start))
            prev_end_line = last.end.line
            prev_kind = child.data
            if child.data == "attribute":
                prior = body.attributes.get(item.name)
                if prior is not None:
                    self.diags.error(
                        "Attribute redefined",
                        f'The argument "{item.name}" was already set at {prior.name_range}. '
                        "Each argument may be set only once.", item.name_range)
                    continue
                body.attributes[item.name] = item
            else:
                body.blocks.append(item)
        return body

    def name_token(self, node: Tree) -> Token:
        tok = node.children[0]
        assert isinstance(tok, Token)
        return tok

    def attribute(self, tree: Tree) -> syn.Attribute:
        name_tok = self.name_token(tree.children[0])
        expr = self.expr(_expr_child(tree))
        name_range = self.range_of(name_tok)
        return syn.Attribute(str(name_tok), expr, self.join(name_range, expr.range), name_range)

    def block(self, tree: Tree) -> syn.Block:
        names: list[Any] = []
        lbrace = rbrace = None
        inner = None
        for c in tree.children:
            if isinstance(c, Token):
                if c.type == "LBRACE":
                    lbrace = c
                elif c.type == "RBRACE":
                    rbrace = c
            elif c.data == "body":
                inner = c
            elif c.data in ("identifier", "keyword", "literal_value", "string"):
                names.append(c)
        type_tok = self.name_token(names[0])
        type_range = self.range_of(type_tok)
        labels: list[str] = []
        label_ranges: list[SourceRange] = []
        for n in names[1:]:
            r = self.range_of(n)
            if n.data == "string":
                e = self.string(n)
                if isinstance(e, syn.LiteralExpr):
                    labels.append(str(e.value))
                else:
                    self.diags.error(
                        "Invalid string literal",
                        "Template sequences are not allowed in this string. To include a "
                        'literal "$", double it (as "$$") to escape it.', r)
                    labels.append("")
            else:
                labels.append(str(self.name_token(n)))
            label_ranges.append(r)
        header = self.join(type_range, label_ranges[-1]) if label_ranges else type_range
        assert lbrace is not None and rbrace is not None and inner is not None
        brace_range = self.range_of(lbrace)
        if brace_range.start.line != header.end.line:
            # the grammar accepts a newline before "{"; HCL does not
            self.diags.error("Invalid block definition",
                             'A block definition must have block content delimited by "{" and '
                             '"}", starting on the same line as the block header.', header)
        body = self.body(inner.children, lbrace.start_pos, rbrace.end_pos)
        return syn.Block(str(type_tok), labels, body, type_range, label_ranges, header)

    # -- expressions ---------------------------------------------------------------------
    def expr(self, node: Any) -> syn.Expr:
        if isinstance(node, Token):  # defensive: bare tokens do not occur for expressions
            return syn.LiteralExpr(str(node), self.range_of(node))
        method = getattr(self, "x_" + node.data, None)
        if method is None:
            raise ValueError(f"unexpected syntax node {node.data!r}")
        return method(node)

    def subtrees(self, node: Tree) -> list[Tree]:
        return [c for c in node.children if isinstance(c, Tree) and not _is_nl(c)]

    def x_expr_term(self, t: Tree) -> syn.Expr:
        first = t.children[0]
        if isinstance(first, Token) and first.type == "LPAR":
            inner = self.subtrees(t)[0]
            return syn.ParenExpr(self.expr(inner), self.range_of(t))
        return self.expr(first)

    def x_int_lit(self, t: Tree) -> syn.Expr:
        return self.number(t)

    def x_float_lit(self, t: Tree) -> syn.Expr:
        return self.number(t)

    def number(self, t: Tree) -> syn.Expr:
        r = self.range_of(t)
        try:
            value = parse_number(str(t.children[0]))
        except ValueError as err:  # the grammar admits only digits: too large a number
            self.diags.error("Invalid number literal",
                             f"This number cannot be used: {err}. Write a smaller number.", r)
            return syn.LiteralExpr(0, r)
        return syn.LiteralExpr(_normalize_number(value) if isinstance(value, float) else value, r)

    def x_literal_value(self, t: Tree) -> syn.Expr:
        word = str(t.children[0])
        value = {"true": True, "false": False, "null": None}[word]
        return syn.LiteralExpr(value, self.range_of(t))

    def x_identifier(self, t: Tree) -> syn.Expr:
        r = self.range_of(t)
        return syn.ScopeTraversalExpr(syn.Traversal(str(t.children[0]), (), r, r), r)

    x_keyword = x_identifier

    def x_conditional(self, t: Tree) -> syn.Expr:
        c, a, b = (self.expr(x) for x in self.subtrees(t))
        return syn.ConditionalExpr(c, a, b, self.join(c.range, b.range))

    def x_binary_op(self, t: Tree) -> syn.Expr:
        lhs_tree, term = self.subtrees(t)[:2]
        lhs = self.expr(lhs_tree)
        op_tree, rhs_tree = self.subtrees(term)
        op_tok = op_tree.children[0]
        op = _OPS.get(op_tok.type, str(op_tok).strip())
        rhs = self.expr(rhs_tree)
        return syn.BinaryOpExpr(op, lhs, rhs, self.join(lhs.range, rhs.range))

    def x_unary_op(self, t: Tree) -> syn.Expr:
        op_tok = t.children[0]
        operand = self.expr(self.subtrees(t)[0])
        op = "-" if op_tok.type == "MINUS" else "!"
        r = self.join(self.range_of(op_tok), operand.range)
        if (op == "-" and isinstance(operand, syn.LiteralExpr)
                and type(operand.value) in (int, float)):
            # `-1` is a number literal, as in HCL, so it stays usable as a constant key
            return syn.LiteralExpr(-operand.value, r)
        return syn.UnaryOpExpr(op, operand, r)

    def x_tuple(self, t: Tree) -> syn.Expr:
        return syn.TupleExpr([self.expr(x) for x in self.subtrees(t)], self.range_of(t))

    def x_object(self, t: Tree) -> syn.Expr:
        items = []
        separated = True
        for c in t.children:
            if isinstance(c, Token):
                separated = separated or c.type == "COMMA"
            elif _is_nl(c):
                separated = True
            elif c.data == "object_elem":
                if not separated:
                    self.diags.error("Missing attribute separator",
                                     "Expected a newline or comma to mark the beginning of the "
                                     "next attribute.", self.range_of(c.children[0]))
                separated = False
        for elem in self.subtrees(t):
            key_tree = elem.children[0]
            value = self.expr(elem.children[-1])
            key_node = self.subtrees(key_tree)[0]
            bare = False
            if key_node.data == "keyword":
                key: syn.Expr = syn.LiteralExpr(str(key_node.children[0]), self.range_of(key_node))
                bare = True
            else:
                key = self.expr(key_node)
                if isinstance(key, syn.ScopeTraversalExpr) and not key.traversal.steps:
                    key = syn.LiteralExpr(key.traversal.root, key.range)
                    bare = True
            items.append(syn.ObjectItem(key, value, bare))
        return syn.ObjectExpr(items, self.range_of(t))

    def x_function_call(self, t: Tree) -> syn.Expr:
        names = [str(c.children[0]) for c in t.children
                 if isinstance(c, Tree) and c.data == "identifier"]
        name_nodes = [c for c in t.children if isinstance(c, Tree) and c.data == "identifier"]
        name_range = self.join(self.range_of(name_nodes[0]), self.range_of(name_nodes[-1]))
        args: list[syn.Expr] = []
        expand = False
        for c in t.children:
            if isinstance(c, Tree) and c.data == "arguments":
                for a in c.children:
                    if isinstance(a, Token):
                        if a.type == "ELLIPSIS":
                            expand = True
                    elif not _is_nl(a):
                        args.append(self.expr(a))
        return syn.FunctionCallExpr("::".join(names), args, self.range_of(t), name_range, expand)

    # traversal-ish terms
    def _attr_step(self, get_attr: Tree) -> syn.GetAttr:
        name = str(self.subtrees(get_attr)[0].children[0])
        return syn.GetAttr(name, self.range_of(get_attr))

    def _index_step(self, idx: Tree) -> syn.GetAttr | syn.Index | syn.Expr:
        """A static Index step, or the key expression for a dynamic index."""
        if idx.data == "short_index":
            tok = idx.children[-1]
            return syn.Index(int(str(tok)), self.range_of(idx))
        key = self.expr(self.subtrees(idx)[0])
        if isinstance(key, syn.LiteralExpr) and (
                isinstance(key.value, str) or type(key.value) is int):
            return syn.Index(key.value, self.range_of(idx))
        return key

    def _apply(self, source: syn.Expr, step: Any, step_range: SourceRange) -> syn.Expr:
        """``source`` followed by one step (GetAttr, Index, or a dynamic key Expr)."""
        r = self.join(source.range, step_range)
        if isinstance(source, syn.SplatExpr) and not (
                source.attr_only and not isinstance(step, syn.GetAttr)):
            each = self._apply(source.each, step, step_range)
            return syn.SplatExpr(source.source, each, source.item, r, source.attr_only)
        if isinstance(step, syn.Expr):
            return syn.IndexExpr(source, step, r, step_range)
        if isinstance(source, syn.ScopeTraversalExpr):
            t = source.traversal
            return syn.ScopeTraversalExpr(
                syn.Traversal(t.root, t.steps + (step,), r, t.root_range), r)
        if isinstance(source, syn.RelativeTraversalExpr):
            return syn.RelativeTraversalExpr(source.source, source.steps + (step,), r)
        return syn.RelativeTraversalExpr(source, (step,), r)

    def x_get_attr_expr_term(self, t: Tree) -> syn.Expr:
        src, ga = self.subtrees(t)
        step = self._attr_step(ga)
        return self._apply(self.expr(src), step, step.range)

    def x_index_expr_term(self, t: Tree) -> syn.Expr:
        src, idx = self.subtrees(t)
        step = self._index_step(idx)
        return self._apply(self.expr(src), step, self.range_of(idx))

    def _splat(self, t: Tree, attr_only: bool) -> syn.Expr:
        src_tree, splat = self.subtrees(t)
        source = self.expr(src_tree)
        star = splat.children[0]
        item = syn.AnonSymbolExpr(self.range_of(star))
        out: syn.Expr = syn.SplatExpr(source, item, item, self.join(source.range, item.range),
                                      attr_only)
        for s in self.subtrees(splat):
            if s.data == "get_attr":
                step: Any = self._attr_step(s)
            else:
                step = self._index_step(s)
            out = self._apply(out, step, self.range_of(s))
        return out

    def x_full_splat_expr_term(self, t: Tree) -> syn.Expr:
        return self._splat(t, False)

    def x_attr_splat_expr_term(self, t: Tree) -> syn.Expr:
        return self._splat(t, True)

    def _for_intro(self, intro: Tree) -> tuple[str | None, str, syn.Expr]:
        idents = [str(c.children[0]) for c in intro.children
                  if isinstance(c, Tree) and c.data == "identifier"]
        coll = [c for c in intro.children
                if isinstance(c, Tree) and c.data not in ("identifier", "new_line_or_comment")]
        key_var, value_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        return key_var, value_var, self.expr(coll[0])

    def _for_parts(self, t: Tree) -> tuple[Tree, list[Tree], Tree | None, bool]:
        intro = None
        exprs: list[Tree] = []
        cond = None
        group = False
        for c in t.children:
            if isinstance(c, Token):
                if c.type == "ELLIPSIS":
                    group = True
                continue
            if _is_nl(c):
                continue
            if c.data == "for_intro":
                intro = c
            elif c.data == "for_cond":
                cond = self.subtrees(c)[0]
            else:
                exprs.append(c)
        assert intro is not None
        return intro, exprs, cond, group

    def x_for_tuple_expr(self, t: Tree) -> syn.Expr:
        intro, exprs, cond, _ = self._for_parts(t)
        k, v, coll = self._for_intro(intro)
        return syn.ForExpr(k, v, coll, None, self.expr(exprs[0]),
                           self.expr(cond) if cond is not None else None, False, self.range_of(t))

    def x_for_object_expr(self, t: Tree) -> syn.Expr:
        intro, exprs, cond, group = self._for_parts(t)
        k, v, coll = self._for_intro(intro)
        return syn.ForExpr(k, v, coll, self.expr(exprs[0]), self.expr(exprs[1]),
                           self.expr(cond) if cond is not None else None, group, self.range_of(t))

    # -- templates -----------------------------------------------------------------------
    def x_string(self, t: Tree) -> syn.Expr:
        return self.string(t)

    def string(self, t: Tree) -> syn.Expr:
        items: list[tuple] = []
        for part in t.children:
            if not (isinstance(part, Tree) and part.data == "string_part"):
                continue
            c = part.children[0]
            if isinstance(c, Token):
                s, e = c.start_pos, c.end_pos
                if c.type == "STRING_CHARS":
                    items.append(("lit", self.unescape(str(c), s, template=True), s, e))
                else:  # ESCAPED_INTERPOLATION / ESCAPED_DIRECTIVE: `$${` -> `${`
                    items.append(("lit", str(c)[1:], s, e))
            elif c.data == "interpolation":
                items.append(("interp", self.expr(self.subtrees(c)[0]), False, False,
                              self.range_of(c)))
            else:
                items.append(self.directive_tree(c))
        return self.assemble(items, self.range_of(t), heredoc=False)

    def x_template_string(self, t: Tree) -> syn.Expr:
        tok = str(t.children[0])
        s = self.span(t)[0]
        return syn.LiteralExpr(self.unescape(tok[2:-2], s + 2), self.range_of(t))

    def directive_tree(self, c: Tree) -> tuple:
        # tokens: DIRECTIVE_START [~] KEYWORD … [~] RBRACE (expressions are subtrees)
        toks = [x for x in c.children if isinstance(x, Token)]
        strip_l = len(toks) > 1 and toks[1].type == "STRIP_MARKER"
        strip_r = len(toks) > 3 and toks[-2].type == "STRIP_MARKER"
        r = self.range_of(c)
        kind = c.data[len("template_"):]
        if kind == "if_start":
            return ("if", self.expr(self.subtrees(c)[0]), strip_l, strip_r, r)
        if kind == "for_start":
            idents = [str(x.children[0]) for x in self.subtrees(c) if x.data == "identifier"]
            coll = [x for x in self.subtrees(c) if x.data != "identifier"][0]
            k, v = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
            return ("for", (k, v, self.expr(coll)), strip_l, strip_r, r)
        return (kind, None, strip_l, strip_r, r)  # else / endif / endfor

    def unescape(self, text: str, start: int, template: bool = False) -> str:
        """Process HCL escapes in quoted-string text beginning at parser offset ``start``
        (with ``template``, `$${` and `%%{` too)."""
        if "\n" in text:
            at = start + text.index("\n")
            self.diags.error(
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines. To produce a multi-line "
                "string, either use the \\n escape to represent a newline character or use the "
                '"heredoc" multi-line template syntax.', self.rng(at, at + 1))
        if "\\" not in text and not (template and ("$${" in text or "%%{" in text)):
            return text
        out = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if template and ch in "$%" and text.startswith(ch + ch + "{", i):
                out.append(ch + "{")
                i += 3
                continue
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            sel = text[i + 1] if i + 1 < n else ""
            if sel in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[sel])
                i += 2
            elif sel in ("u", "U"):
                width = 4 if sel == "u" else 8
                digits = text[i + 2:i + 2 + width]
                if len(digits) == width and all(d in "0123456789abcdefABCDEF" for d in digits):
                    code = int(digits, 16)
                    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:  # not a character
                        self.diags.error("Invalid escape sequence",
                                         f"Cannot encode character U+{code:04x} in UTF-8. Use "
                                         "the code point of a Unicode character.",
                                         self.rng(start + i, start + i + 2 + width))
                    else:
                        out.append(chr(code))
                    i += 2 + width
                else:
                    self.diags.error("Invalid escape sequence",
                                     f"The \\{sel} escape sequence requires {width} hexadecimal "
                                     "digits.", self.rng(start + i, start + i + 2))
                    i += 2
            else:
                self.diags.error("Invalid escape sequence",
                                 f'The symbol "{sel}" is not a valid escape sequence selector.',
                                 self.rng(start + i, start + i + 2))
                i += 2
        return "".join(out)

    def assemble(self, items: list[tuple], r: SourceRange, heredoc: bool) -> syn.Expr:
        """Apply strip markers and nest if/for directives; collapse trivial templates."""
        # strip markers: a `~` trims whitespace of the adjacent literal
        for i, it in enumerate(items):
            if it[0] == "lit":
                continue
            strip_l, strip_r = it[2], it[3]
            if strip_l and i > 0 and items[i - 1][0] == "lit":
                p = items[i - 1]
                items[i - 1] = ("lit", p[1].rstrip(" \t\r\n"), p[2], p[3])
            if strip_r and i + 1 < len(items) and items[i + 1][0] == "lit":
                nx = items[i + 1]
                items[i + 1] = ("lit", nx[1].lstrip(" \t\r\n"), nx[2], nx[3])

        items = join_literal_runs(items)
        pos = 0

        def seq(until: tuple[str, ...]) -> tuple[list[syn.Expr], tuple | None]:
            nonlocal pos
            parts: list[syn.Expr] = []
            while pos < len(items):
                it = items[pos]
                kind = it[0]
                if kind in until:
                    pos += 1
                    return parts, it
                pos += 1
                if kind == "lit":
                    if it[1]:
                        parts.append(syn.LiteralExpr(it[1], self.rng(it[2], it[3])))
                elif kind == "interp":
                    parts.append(it[1])
                elif kind == "if":
                    then, end = seq(("else", "endif", "endfor"))
                    else_parts = None
                    if end is not None and end[0] == "else":
                        else_parts, end = seq(("endif", "else", "endfor"))
                    if end is None or end[0] != "endif":
                        self.directive_error(it, "if", "endif", end)
                        end = end or it
                    parts.append(syn.TemplateIfExpr(
                        it[1], self.tmpl(then, it[4]),
                        self.tmpl(else_parts, it[4]) if else_parts is not None else None,
                        self.join(it[4], end[4])))
                elif kind == "for":
                    body, end = seq(("endfor", "else", "endif"))
                    if end is None or end[0] != "endfor":
                        self.directive_error(it, "for", "endfor", end)
                        end = end or it
                    k, v, coll = it[1]
                    parts.append(syn.TemplateForExpr(k, v, coll, self.tmpl(body, it[4]),
                                                     self.join(it[4], end[4])))
                else:
                    self.diags.error("Unexpected template directive",
                                     f'A "%{{ {kind} }}" directive is not expected here: '
                                     "there is no matching opening directive.", it[4])
            return parts, None

        parts, _ = seq(())
        seq = None  # type: ignore[assignment]  # it refers to itself: no cycle left to collect
        if not parts:
            return syn.LiteralExpr("", r)
        if len(parts) == 1 and isinstance(parts[0], syn.LiteralExpr):
            return syn.LiteralExpr(parts[0].value, r)
        if (len(parts) == 1 and not heredoc and len(items) == 1 and items[0][0] == "interp"):
            return syn.TemplateWrapExpr(parts[0], r)
        return syn.TemplateExpr(parts, r, heredoc)

    def tmpl(self, parts: list[syn.Expr], r: SourceRange) -> syn.TemplateExpr:
        if parts:
            r = self.join(parts[0].range, parts[-1].range)
        return syn.TemplateExpr(parts, r)

    def directive_error(self, it: tuple, name: str, closer: str, found: tuple | None) -> None:
        if found is None:
            self.diags.error("Unterminated template directive",
                             f'The "%{{ {name} }}" directive has no matching '
                             f'"%{{ {closer} }}".', it[4])
        else:
            self.diags.error("Unexpected template directive",
                             f'Expected "%{{ {closer} }}" to close the "%{{ {name} }}" '
                             f'directive, but found "%{{ {found[0]} }}".', found[4])

    # heredocs: the grammar lexes the whole heredoc as one token, so its template is
    # scanned here and each interpolation is parsed as an expression on its own.
    def x_heredoc_template(self, t: Tree) -> syn.Expr:
        return self.heredoc(t)

    def x_heredoc_template_trim(self, t: Tree) -> syn.Expr:
        return self.heredoc(t)

    def heredoc(self, t: Tree) -> syn.Expr:
        tok = t.children[0]
        text = str(tok)
        start = tok.start_pos
        head = _HEREDOC_HEAD.match(text)
        assert head is not None
        flush = head.group(1) == "-"
        body_start = head.end()
        stripped = text[:-1]
        if stripped.endswith("\r"):
            stripped = stripped[:-1]
        last_nl = stripped.rfind("\n")
        body_end = last_nl + 1 if last_nl >= body_start else body_start
        body = text[body_start:body_end]
        r = self.rng(start, start + len(stripped))
        items = self.scan_template(body, start + body_start)
        if flush:
            items = self.flush(items, body)
        # CRLF line endings stay in the value ("a\r\n"), as Terraform keeps them
        return self.assemble(items, r, heredoc=True)

    def flush(self, items: list[tuple], body: str) -> list[tuple]:
        indents = []
        for line in body.split("\n"):
            content = line.rstrip("\r")
            if content.strip():
                indents.append(len(content) - len(content.lstrip(" \t")))
        n = min(indents) if indents else 0
        if not n:
            return items
        out = []
        at_line_start = True
        for it in items:
            if it[0] != "lit":
                out.append(it)
                at_line_start = False
                continue
            lines = it[1].split("\n")
            new = []
            for j, line in enumerate(lines):
                if j > 0 or at_line_start:
                    k = 0
                    while k < n and k < len(line) and line[k] in " \t":
                        k += 1
                    line = line[k:]
                new.append(line)
            out.append(("lit", "\n".join(new), it[2], it[3]))
            at_line_start = it[1].endswith("\n")
        return out

    def scan_template(self, text: str, base: int) -> list[tuple]:
        """Split heredoc template text (at parser offset ``base``) into template items."""
        items: list[tuple] = []
        buf: list[str] = []
        lit_start = 0
        i, n = 0, len(text)

        def flush_lit(end: int) -> None:
            if buf:
                items.append(("lit", "".join(buf), base + lit_start, base + end))
                buf.clear()

        while i < n:
            if text.startswith("$${", i) or text.startswith("%%{", i):
                if not buf:
                    lit_start = i
                buf.append(text[i + 1:i + 3])
                i += 3
                continue
            if text.startswith("${", i) or text.startswith("%{", i):
                flush_lit(i)
                close = _find_close(text, i + 2)
                if close < 0:
                    self.diags.error("Unterminated template string",
                                     "No closing marker was found for the template sequence.",
                                     self.rng(base + i, base + i + 2))
                    return items
                inner_start, inner_end = i + 2, close
                strip_l = text.startswith("~", inner_start)
                if strip_l:
                    inner_start += 1
                strip_r = text[inner_start:inner_end].rstrip().endswith("~")
                if strip_r:
                    inner_end = inner_start + text[inner_start:inner_end].rstrip().rfind("~")
                r = self.rng(base + i, base + close + 1)
                inner = text[inner_start:inner_end]
                if text[i] == "$":
                    e = self.sub_expr(inner, base + inner_start)
                    if e is not None:
                        items.append(("interp", e, strip_l, strip_r, r))
                else:
                    d = self.directive_text(inner, base + inner_start, strip_l, strip_r, r)
                    if d is not None:
                        items.append(d)
                i = close + 1
                lit_start = i
                continue
            if not buf:
                lit_start = i
            buf.append(text[i])
            i += 1
        flush_lit(n)
        return items

    def directive_text(self, inner: str, at: int, strip_l: bool, strip_r: bool,
                       r: SourceRange) -> tuple | None:
        m = _DIRECTIVE_WORD.match(inner)
        if m:
            return (m.group(1), None, strip_l, strip_r, r)
        m = _DIRECTIVE_IF.match(inner)
        if m:
            e = self.sub_expr(inner[m.end():], at + m.end())
            return None if e is None else ("if", e, strip_l, strip_r, r)
        m = _DIRECTIVE_FOR.match(inner)
        if m:
            e = self.sub_expr(inner[m.end():], at + m.end())
            k, v = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
            return None if e is None else ("for", (k, v, e), strip_l, strip_r, r)
        self.diags.error("Invalid template directive",
                         'A template directive keyword ("if", "for", etc) is expected at the '
                         "beginning of a %{ sequence.", r)
        return None

    def sub_expr(self, text: str, at: int) -> syn.Expr | None:
        """Parse ``text`` (found at parser offset ``at``) as one expression."""
        sub = _Builder(self.source, self.filename, self.index,
                       self.delta + at - len(_EXPR_PREFIX))
        if not text.strip():
            self.diags.error("Invalid expression", "Expected the start of an expression, but "
                             "found an empty template sequence.", self.rng(at, at))
            return None
        try:
            tree = _parse_tree(_EXPR_PREFIX + text + _EXPR_SUFFIX)
        except Exception as exc:  # noqa: BLE001
            self.diags.append(_syntax_diagnostic(exc, sub, "template"))
            return None
        attrs = [c for c in tree.children[0].children
                 if isinstance(c, Tree) and c.data in ("attribute", "block")]
        if len(attrs) != 1 or attrs[0].data != "attribute":
            self.diags.error("Invalid expression", "Extra characters after interpolation "
                             "expression.", self.rng(at, at + len(text)))
            return None
        e = sub.expr(_expr_child(attrs[0]))
        self.diags.extend(sub.diags)
        return e.inner if isinstance(e, syn.ParenExpr) else e


def _find_close(text: str, i: int) -> int:
    """Index of the ``}`` closing a template sequence whose content starts at ``i``."""
    depth = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = _skip_string(text, i + 1)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _skip_string(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if text.startswith("${", i) or text.startswith("%{", i):
            close = _find_close(text, i + 2)
            if close < 0:
                return n
            i = close + 1
            continue
        if c == "\n":
            return i
        i += 1
    return n


# ---------------------------------------------------------------------------------------
# Syntax errors

_EXPR_START = {"NAME", "INT_LITERAL", "LPAR", "LSQB", "DBLQUOTE"}

_TOKEN_NAMES = {
    "$END": "the end of the file", "RBRACE": '"}"', "LBRACE": '"{"', "RSQB": '"]"',
    "LSQB": '"["', "RPAR": '")"', "LPAR": '"("', "COMMA": '","', "EQ": '"="',
    "COLON": '":"', "DOT": '"."', "QMARK": '"?"', "DBLQUOTE": "a quote",
    "NAME": "a name", "INT_LITERAL": "a number", "FLOAT_LITERAL": "a number",
    "NL_OR_COMMENT": "a newline",
}


def _describe(tok: Token | None) -> str:
    if tok is None:
        return "an unexpected token"
    if tok.type in ("$END",):
        return "the end of the file"
    text = str(tok).strip()
    if not text:
        return "a newline"
    first = text.splitlines()[0] if text.splitlines() else text
    return f'"{first[:20]}"'


_NOT_IN_EXPRESSION = {"Missing newline after argument", "Argument or block definition required",
                      "Invalid block definition", "Missing newline after block definition",
                      "Missing argument separator"}


def _syntax_diagnostic(exc: Exception, b: _Builder, context: str = ""):
    """One diagnostic for a parser exception. ``context`` is "template" or "expression" when
    ``b`` parsed a lone expression wrapped as ``x = (…)``."""
    d = _file_syntax_diagnostic(exc, b)
    if context and d.summary in _NOT_IN_EXPRESSION:
        from ..diagnostics import error
        if context == "template":
            return error("Extra characters after interpolation expression",
                         "Expected a closing brace to end the interpolation expression, but "
                         "found extra characters.", d.subject)
        return error("Extra characters after expression",
                     "Expected the end of the expression, but found extra characters.",
                     d.subject)
    return d


def _file_syntax_diagnostic(exc: Exception, b: _Builder):
    from ..diagnostics import error

    n_src = len(b.source)

    def at(offset: int, length: int = 1) -> SourceRange:
        o = max(0, min(offset + b.delta, n_src))
        return SourceRange(b.filename, b.index.pos(o), b.index.pos(min(o + length, n_src)))

    def stack_items() -> list:
        ip = getattr(exc, "interactive_parser", None)
        try:
            return list(ip.parser_state.value_stack) if ip is not None else []
        except AttributeError:
            return []

    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        ch = exc.char if hasattr(exc, "char") else b.source[exc.pos_in_stream + b.delta]
        return error(*_invalid_char(ch), at(exc.pos_in_stream))

    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        expected = set(exc.expected or ())
        pos = tok.start_pos if tok.start_pos is not None else n_src - b.delta
        if tok.type != "$END":  # point past leading blanks of a fallback text token
            text0 = str(tok)
            pos += len(text0) - len(text0.lstrip(" \t"))
        stack = stack_items()
        tokens = [v for v in stack if isinstance(v, Token)]
        types = {v.type for v in tokens}
        if "COLON" in expected and "QMARK" in types and "FOR" not in types:
            return error("Missing false expression in conditional",
                         "The conditional operator (...?...:...) requires a false expression, "
                         "delimited by a colon.", at(pos, 0 if tok.type == "$END" else 1))
        if "COLON" in expected and "FOR" in types:
            return error("Invalid 'for' expression",
                         "The collection of a 'for' expression must be followed by a colon "
                         '(":") and the result expression.', at(pos))
        if tok.type == "$END":
            if expected == {"LBRACE"}:
                return error("Invalid block definition",
                             'A block definition must have block content delimited by "{" and '
                             '"}", starting on the same line as the block header.', at(pos, 0))
            quotes = [v for v in tokens if v.type == "DBLQUOTE"]
            if quotes:
                q = quotes[-1]
                return error("Unterminated template string",
                             "No closing marker was found for the string.", at(q.start_pos))
            braces = [i for i, v in enumerate(stack)
                      if isinstance(v, Token) and v.type == "LBRACE"]
            if "RBRACE" in expected and braces:
                i = braces[-1]
                if i > 0 and isinstance(stack[i - 1], Token):  # after "=", "[", ",": an object
                    return error("Unterminated object constructor expression",
                                 "There is no corresponding closing brace before the end of "
                                 "the file. This may be caused by incorrect brace nesting "
                                 "elsewhere in this file.", at(stack[i].start_pos))
                return error("Unclosed configuration block",
                             "There is no closing brace for this block before the end of the "
                             "file. This may be caused by incorrect brace nesting elsewhere in "
                             "this file.", at(stack[i].start_pos))
            for close, opener, what in (("RSQB", "LSQB", "this list"),
                                        ("RPAR", "LPAR", "these parentheses")):
                opens = [v for v in tokens if v.type == opener]
                if close in expected and opens:
                    return error("Unclosed bracket",
                                 f"There is no closing {_TOKEN_NAMES[close]} for {what} before "
                                 "the end of the file.", at(opens[-1].start_pos))
            if expected & _EXPR_START:
                return error("Invalid expression", "Expected the start of an expression, but "
                             "found the end of the file.", at(pos, 0))
            return error("Unexpected end of file",
                         "The file ends before this construct is complete.", at(pos, 0))
        opens = [v for v in tokens if v.type in ("INTERP_START", "DIRECTIVE_START")]
        if expected == {"RBRACE"} and opens:
            kind = "interpolation" if opens[-1].type == "INTERP_START" else "directive"
            return error(f"Unterminated template {kind}",
                         f'There is no closing brace for this template {kind} sequence '
                         f'("{opens[-1]}").', at(opens[-1].start_pos, 2))
        text = str(tok)
        head = _HEREDOC_HEAD.match(text.lstrip(" \t"))
        if tok.type == "STRING_CHARS" and head:
            return error("Unterminated template string",
                         f'No closing marker "{head.group(2)}" was found for this heredoc.',
                         at(pos, 2))
        first = text.lstrip(" \t")[:1]
        if tok.type == "STRING_CHARS" and first and first not in "\r\n":
            # the contextual lexer fell back to string characters: an unusable character
            bad = _invalid_char(first)
            if bad[0] == "Invalid character" or not (expected & _EXPR_START):
                if bad[0] != "Invalid character" and "NL_OR_COMMENT" in expected:
                    return error("Missing newline after argument",
                                 "An argument definition must end with a newline.", at(pos))
                return error(*bad, at(pos))
        if expected == {"LBRACE"}:
            return error("Invalid block definition",
                         'A block definition must have block content delimited by "{" and "}", '
                         "starting on the same line as the block header.", at(pos))
        if "EQ" in expected and "LBRACE" in expected:
            if tok.type in ("RBRACE",) and "NL_OR_COMMENT" in expected:
                return error("Argument or block definition required",
                             "An argument or block definition is required here. To set an "
                             "argument, use the equals sign \"=\" to introduce the argument "
                             "value.", at(pos))
            return error("Invalid block definition",
                         'Either a quoted string block label or an opening brace ("{") is '
                         "expected here.", at(pos))
        if expected <= {"$END", "NAME", "NL_OR_COMMENT", "RBRACE"} or (
                "NAME" in expected and "RBRACE" in expected and not expected & {"LPAR", "COMMA"}):
            return error("Argument or block definition required",
                         "An argument or block definition is required here.", at(pos))
        if expected <= {"INT_LITERAL", "NAME"} and "NAME" in expected:
            return error("Invalid attribute name", "An attribute name is required after a dot.",
                         at(pos))
        if "COMMA" in expected and "RSQB" in expected:
            return error("Missing item separator",
                         "Expected a comma to mark the beginning of the next item.", at(pos))
        if "COMMA" in expected and "RPAR" in expected:
            return error("Missing argument separator",
                         "A comma is required to separate each function argument from the "
                         "next.", at(pos))
        if "RBRACE" in expected and ("COMMA" in expected or "NL_OR_COMMENT" in expected):
            return error("Missing attribute separator",
                         "Expected a newline or comma to mark the beginning of the next "
                         "attribute.", at(pos))
        if expected & _EXPR_START:
            return error("Invalid expression", "Expected the start of an expression, but found "
                         f"{_describe(tok) if text.strip() else 'the end of the line'}.",
                         at(pos))
        if "NL_OR_COMMENT" in expected:
            return error("Missing newline after argument",
                         "An argument definition must end with a newline.", at(pos))
        return error("Invalid syntax", f"Unexpected {_describe(tok)} here.", at(pos))

    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        return error("Unexpected end of file",
                     "The file ends before this construct is complete.", at(n_src - b.delta, 0))
    if isinstance(exc, RecursionError):
        return error("Configuration too deeply nested",
                     "This file nests expressions or blocks too deeply to be read.", at(0, 0))
    return error("Invalid syntax", f"The configuration could not be parsed: {exc}.", at(0, 0))


def _invalid_char(ch: str) -> tuple[str, str]:
    if ch == ";":
        return ("Invalid character", 'The ";" character is not valid. Use newlines to separate '
                "arguments and blocks, and commas to separate items in collection values.")
    if ch == "'":
        return ("Invalid character",
                'Single quotes are not valid. Use double quotes (") to enclose strings.')
    if ch.isalnum() or ch in "_-=!<>+*/%&|?:.,()[]{}\"#$~ \t\r\n":
        return ("Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.")
    return ("Invalid character", "This character is not used within the language.")
