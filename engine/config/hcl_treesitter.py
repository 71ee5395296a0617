"""HCL source text -> vpnform's syntax tree (syntax.py) with tree-sitter-hcl: the fast path.

tree-sitter-hcl (a C parser) reads a large configuration several times faster than
python-hcl2's Lark parser (hcl_parser.py), but its grammar differs from HCL's in places,
and its error recovery says nothing a user could act on. So this parser only ever agrees
with hcl_parser or declines: ``parse_file`` returns None (and the caller, hcl.py, parses
with hcl_parser) whenever

- tree-sitter found a syntax error (an ERROR or MISSING node), or
- hcl_parser would report a diagnostic for the file (a duplicate argument, two items on one
  line, a bad escape, …): hcl_parser's diagnostics are the only ones users see, or
- the file uses a construct where the two grammars are known to disagree: a conditional as
  the unparenthesised condition of another (tree-sitter-hcl groups ``a ? b : c ? d : e`` as
  ``(a ? b : c) ? d : e``), hex or exponent numbers, a comment inside an expression or
  a block header, non-ASCII names.

``VPNFORM_PARSER=check`` (hcl.py) parses every file with both and compares ``dump``s; the
tests do so over every configuration in the repository and a set of tricky snippets.

Nodes are built with hcl_parser._Builder's helpers (escapes, template assembly, heredoc
flush, traversal steps), so each rule has one home. tree-sitter's offsets are bytes; they
are converted to character offsets for the LineIndex.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import fields
from typing import Any

import tree_sitter
import tree_sitter_hcl

from ..diagnostics import Diagnostics, Pos, SourceRange, pack_pos
from ..values import parse_number
from . import syntax as syn
from .hcl import LineIndex
from .hcl_parser import CHUNK_CHARS, _Builder, _normalize_number, top_level_chunks

_LANGUAGE = tree_sitter.Language(tree_sitter_hcl.language())

_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_TEMPLATE_START = re.compile(rb"(?<!\$)\$\{|(?<!%)%\{")  # not the `$${` / `%%{` escapes
_BARE_QUOTE = re.compile(r'(?:^|[^\\])(?:\\\\)*"')  # a quote no backslash escapes
_NAME_CHAR = re.compile(rb"[A-Za-z0-9_\-\x80-\xff]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

# python-hcl2 lexes these as keywords where its grammar allows one (`in(c) = 1` in an object)
_KEYWORDS = {"in", "for", "if", "else", "endif", "endfor", "for_each"}
_OPS = {"==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"}
_STEPS = ("get_attr", "index", "splat")


class _Decline(Exception):
    """The file is to be parsed by hcl_parser instead."""


def parse_file(source: str, filename: str) -> tuple[syn.Body, Diagnostics] | None:
    """Parse one file's text, or None when hcl_parser must parse it (see the module doc)."""
    try:
        data = source.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    b = _TSBuilder(source, data, filename)
    try:
        chunks = _byte_chunks(source, data)
        if chunks is None:
            tree = tree_sitter.Parser(_LANGUAGE).parse(data)  # a parser per call: thread-safe
            if tree.root_node.has_error:
                return None
            body = b.file_body(tree.root_node)
        else:
            body = b.chunked_file_body(data, chunks)
    except (_Decline, RecursionError):
        return None
    if body is None:
        return None
    if b.diags:  # hcl_parser would report these: its diagnostics are the ones users see
        return None
    return body, Diagnostics()


def _byte_chunks(source: str, data: bytes) -> list[tuple[int, int]] | None:
    """hcl_parser's chunks of whole top-level items (a large file only), as byte ranges."""
    if len(source) <= CHUNK_CHARS:
        return None
    chunks = top_level_chunks(source, CHUNK_CHARS)
    if chunks is None or len(chunks) < 2:
        return None
    if len(data) == len(source):
        return chunks
    out, done, at = [], 0, 0  # character offset -> byte offset, chunk by chunk
    for start, end in chunks:
        done += len(source[at:start].encode("utf-8"))
        b_start = done
        done += len(source[start:end].encode("utf-8"))
        out.append((b_start, done))
        at = end
    return out


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter's (row, byte column) of a byte offset."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


class _TSBuilder(_Builder):
    def __init__(self, source: str, data: bytes, filename: str):
        super().__init__(source, filename, LineIndex(source), delta=0)
        self.data = data
        self.ascii = len(data) == len(source)
        self._memo: dict[int, int | Pos] = {}  # byte offset -> pack_pos(its Pos)
        self._byte_ends: list[int] = []  # byte offset after each non-ASCII character
        self._extra: list[int] = []  # bytes beyond one per character, up to there
        if not self.ascii:
            extra = 0
            for m in re.finditer(r"[^\x00-\x7f]", source):
                extra += len(m.group().encode("utf-8")) - 1
                self._byte_ends.append(m.end() + extra)
                self._extra.append(extra)

    # -- positions: tree-sitter's byte offsets -> character offsets -----------------------
    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        k = bisect.bisect_right(self._byte_ends, byte)
        return byte - (self._extra[k - 1] if k else 0)

    def rng(self, start: int, end: int) -> SourceRange:
        memo = self._memo
        a = memo.get(start)
        if a is None:
            a = memo[start] = pack_pos(self.pos(start))
        b = memo.get(end)
        if b is None:
            b = memo[end] = pack_pos(self.pos(end))
        return SourceRange.between(self.filename, a, b)

    def pos(self, byte: int) -> Pos:
        if self.ascii:  # the LineIndex's work, without its clamping and second memo
            starts = self.index.starts
            line = bisect.bisect_right(starts, byte)
            return Pos(line, byte - starts[line - 1] + 1, byte)
        return self.index.pos(self.char(byte))

    def node_range(self, n: Any) -> SourceRange:
        return self.rng(n.start_byte, n.end_byte)

    def text(self, start: int, end: int) -> str:
        if self.ascii:
            return self.source[start:end]
        return self.data[start:end].decode("utf-8")

    def node_text(self, n: Any) -> str:
        return self.text(n.start_byte, n.end_byte)

    def same_line(self, start: int, end: int) -> None:
        """Decline a newline in bytes [start, end): where tree-sitter-hcl takes any blanks
        between two tokens, HCL (and python-hcl2) takes a newline only in some places."""
        if self.data.find(b"\n", start, end) >= 0:
            raise _Decline

    def keyword(self, n: Any) -> None:
        """Decline a keyword run into a name: tree-sitter-hcl reads `inx` as `in x`."""
        data = self.data
        after = data[n.end_byte:n.end_byte + 1]
        before = data[n.start_byte - 1:n.start_byte] if n.start_byte else b""
        if _NAME_CHAR.match(after) or _NAME_CHAR.match(before):
            raise _Decline

    def name(self, n: Any) -> str:
        s = self.node_text(n)
        if (not self.ascii or ":" in s) and not _NAME.match(s):
            raise _Decline  # tree-sitter-hcl takes Unicode letters and `a::b` as names
        return s

    # -- structure -----------------------------------------------------------------------
    def chunked_file_body(self, data: bytes, chunks: list[tuple[int, int]]) -> syn.Body | None:
        """The file's body parsed one chunk of whole top-level items at a time (byte ranges
        ``chunks``, each parsed in place with tree-sitter's included ranges so positions
        stay the file's), so only one chunk's tree-sitter tree is alive at a time."""
        body = syn.Body(attributes={}, blocks=[], range=self.rng(0, len(data)))
        parser = tree_sitter.Parser(_LANGUAGE)  # this call's own: thread-safe
        for start, end in chunks:
            parser.included_ranges = [tree_sitter.Range(_point(data, start), _point(data, end),
                                                        start, end)]
            root = parser.parse(data).root_node
            if root.has_error:
                return None
            part = self.file_body(root)
            for name, attr in part.attributes.items():
                if name in body.attributes:
                    raise _Decline  # "Attribute redefined": hcl_parser's diagnostic
                body.attributes[name] = attr
            body.blocks.extend(part.blocks)
        return body

    def file_body(self, root: Any) -> syn.Body:
        body = None
        for c in root.children:
            if c.type == "body":
                body = c
            elif c.type != "comment":
                raise _Decline
        return self.ts_body(body, 0, len(self.data))

    def ts_body(self, node: Any, start: int, end: int) -> syn.Body:
        body = syn.Body(attributes={}, blocks=[], range=self.rng(start, end))
        if node is None:
            return body
        prev_end_line = 0
        for c in node.children:
            t = c.type
            if t == "attribute":
                item: Any = self.ts_attribute(c)
                first, last = item.name_range, item.range
            elif t == "block":
                item = self.ts_block(c)
                first, last = item.type_range, self.node_range(c)
            elif t == "comment":
                continue
            else:
                raise _Decline
            if first.start.line == prev_end_line:
                raise _Decline  # "Missing newline after argument/block definition"
            prev_end_line = last.end.line
            if t == "attribute":
                if item.name in body.attributes:
                    raise _Decline  # "Attribute redefined"
                body.attributes[item.name] = item
            else:
                body.blocks.append(item)
        return body

    def ts_attribute(self, n: Any) -> syn.Attribute:
        ch = n.children
        if len(ch) != 3 or ch[0].type != "identifier":
            raise _Decline
        self.same_line(ch[0].end_byte, ch[2].start_byte)
        name_range = self.node_range(ch[0])
        expr = self.expr_node(ch[2])
        return syn.Attribute(self.name(ch[0]), expr, self.join(name_range, expr.range), name_range)

    def ts_block(self, n: Any) -> syn.Block:
        ch = n.children
        if ch[0].type != "identifier":
            raise _Decline
        type_range = self.node_range(ch[0])
        labels: list[str] = []
        label_ranges: list[SourceRange] = []
        i = 1
        while ch[i].type != "block_start":
            c = ch[i]
            if c.type == "identifier":
                labels.append(self.name(c))
            elif c.type == "string_lit":
                e = self.string_lit(c)
                if not isinstance(e, syn.LiteralExpr):
                    raise _Decline  # "Invalid string literal"
                labels.append(str(e.value))
            else:  # a comment between labels, …
                raise _Decline
            self.same_line(ch[0].end_byte, c.start_byte)
            label_ranges.append(self.node_range(c))
            i += 1
        header = self.join(type_range, label_ranges[-1]) if label_ranges else type_range
        lbrace, rbrace = ch[i], ch[-1]
        if rbrace.type != "block_end":
            raise _Decline
        if self.rng(lbrace.start_byte, lbrace.start_byte).start.line != header.end.line:
            raise _Decline  # "Invalid block definition": "{" on the next line
        inner = None
        for c in ch[i + 1:-1]:
            if c.type == "body":
                inner = c
            elif c.type != "comment":
                raise _Decline
        body = self.ts_body(inner, lbrace.start_byte, rbrace.end_byte)
        return syn.Block(self.name(ch[0]), labels, body, type_range, label_ranges, header)

    # -- expressions ---------------------------------------------------------------------
    def expr_node(self, n: Any) -> syn.Expr:
        """An ``expression`` node (or any node holding one term sequence)."""
        ch = n.children
        e, i = self.sequence(ch, 0)
        if i != len(ch):
            raise _Decline
        return e

    def sequence(self, ch: list, i: int) -> tuple[syn.Expr, int]:
        """A term (or a parenthesised expression) at ``ch[i]`` and its postfix steps."""
        c = ch[i]
        t = c.type
        if t == "(":
            close = ch[i + 2]
            if close.type != ")":
                raise _Decline  # a comment inside the parentheses
            inner = self.expr_node(ch[i + 1])
            e: syn.Expr = syn.ParenExpr(inner, self.rng(c.start_byte, close.end_byte))
            i += 3
        else:
            method = getattr(self, "t_" + t, None)
            if method is None:
                raise _Decline
            e = method(c)
            i += 1
        n = len(ch)
        while i < n and ch[i].type in _STEPS:
            self.same_line(ch[i - 1].end_byte, ch[i].start_byte)
            e = self.step(e, ch[i])
            i += 1
        return e, i

    def step(self, e: syn.Expr, c: Any) -> syn.Expr:
        t = c.type
        if t == "get_attr":
            return self._apply(e, self.attr_step(c), self.node_range(c))
        if t == "index":
            return self._apply(e, self.index_step(c.children[0]), self.node_range(c))
        # splat
        sp = c.children[0]
        parts = sp.children
        star = parts[0]
        item = syn.AnonSymbolExpr(self.node_range(star))
        out: syn.Expr = syn.SplatExpr(e, item, item, self.join(e.range, item.range),
                                      sp.type == "attr_splat")
        self.same_line(c.start_byte, parts[-1].start_byte)
        for s in parts[1:]:
            if s.type == "get_attr":
                out = self._apply(out, self.attr_step(s), self.node_range(s))
            elif s.type == "index":
                out = self._apply(out, self.index_step(s.children[0]), self.node_range(s))
            else:
                raise _Decline
        return out

    def attr_step(self, c: Any) -> syn.GetAttr:
        ch = c.children
        if len(ch) != 2 or ch[1].type != "identifier":
            raise _Decline
        self.same_line(c.start_byte, c.end_byte)
        return syn.GetAttr(self.name(ch[1]), self.node_range(c))

    def index_step(self, c: Any) -> Any:
        r = self.node_range(c)
        if c.type == "legacy_index":
            digits = self.node_text(c)[1:]
            if not digits.isdigit() or not digits.isascii():
                raise _Decline
            return syn.Index(int(digits), r)
        ch = c.children
        if len(ch) != 3 or ch[0].type != "[" or ch[2].type != "]":
            raise _Decline
        key = self.expr_node(ch[1])
        if isinstance(key, syn.LiteralExpr) and (
                isinstance(key.value, str) or type(key.value) is int):
            return syn.Index(key.value, r)
        return key

    def t_expression(self, n: Any) -> syn.Expr:
        return self.expr_node(n)

    def t_variable_expr(self, n: Any) -> syn.Expr:
        ch = n.children
        if len(ch) != 1:
            raise _Decline
        r = self.node_range(n)
        name = self.name(ch[0])
        if name in _KEYWORDS:
            raise _Decline
        return syn.ScopeTraversalExpr(syn.Traversal(name, (), r, r), r)

    def t_literal_value(self, n: Any) -> syn.Expr:
        c = n.children[0]
        t = c.type
        if t == "numeric_lit":
            s = self.node_text(c)
            return self.number(s, self.node_range(n))
        if t == "bool_lit":
            return syn.LiteralExpr(self.node_text(c) == "true", self.node_range(n))
        if t == "null_lit":
            return syn.LiteralExpr(None, self.node_range(n))
        if t == "string_lit":
            return self.string_lit(c)
        raise _Decline

    def string_lit(self, n: Any) -> syn.Expr:
        """A string tree-sitter-hcl reads without templates (a label, an object key…)."""
        text = self.data[n.start_byte:n.end_byte]
        if b"{" in text and _TEMPLATE_START.search(text):
            raise _Decline  # python-hcl2 reads a template there
        return self.quoted(n, n.children)

    def number(self, s: str, r: SourceRange) -> syn.Expr:
        if not _DECIMAL.match(s):
            raise _Decline  # hex, exponent: the grammars differ
        try:
            value = parse_number(s)
        except ValueError:  # too many digits: python-hcl2 reports it
            raise _Decline from None
        return syn.LiteralExpr(_normalize_number(value) if isinstance(value, float) else value, r)

    def t_collection_value(self, n: Any) -> syn.Expr:
        c = n.children[0]
        if c.type == "tuple":
            return self.tuple_(c)
        if c.type == "object":
            return self.object_(c)
        raise _Decline

    def tuple_(self, n: Any) -> syn.Expr:
        items = []
        for c in n.children:
            t = c.type
            if t == "expression":
                items.append(self.expr_node(c))
            elif t not in ("tuple_start", "tuple_end", ","):
                raise _Decline  # a comment
        return syn.TupleExpr(items, self.node_range(n))

    def object_(self, n: Any) -> syn.Expr:
        items = []
        prev_end = -1
        for c in n.children:
            t = c.type
            if t == "object_elem":
                if prev_end >= 0:
                    if b"\n" not in self.data[prev_end:c.start_byte]:
                        raise _Decline  # "Missing attribute separator"
                    _no_trailing_binary_op(items[-1].value)
                items.append(self.object_elem(c))
                prev_end = c.end_byte
            elif t == ",":
                prev_end = -1
            elif t not in ("object_start", "object_end"):
                raise _Decline  # a comment
        return syn.ObjectExpr(items, self.node_range(n))

    def object_elem(self, n: Any) -> syn.ObjectItem:
        ch = n.children
        if len(ch) != 3 or ch[1].type not in ("=", ":"):
            raise _Decline
        self.same_line(ch[0].end_byte, ch[2].start_byte)
        key = self.expr_node(ch[0])
        value = self.expr_node(ch[2])
        bare = False
        if isinstance(key, syn.ScopeTraversalExpr) and not key.traversal.steps:
            key = syn.LiteralExpr(key.traversal.root, key.range)
            bare = True
        return syn.ObjectItem(key, value, bare)

    def t_function_call(self, n: Any) -> syn.Expr:
        ch = n.children
        name_node = ch[0]
        if ch[1].type != "(" or ch[-1].type != ")":
            raise _Decline
        self.same_line(name_node.end_byte, ch[1].start_byte)
        name = self.node_text(name_node)
        if not all(_NAME.match(p) for p in name.split("::")) or name in _KEYWORDS:
            raise _Decline
        args: list[syn.Expr] = []
        expand = False
        for c in ch[2:-1]:
            if c.type != "function_arguments":
                raise _Decline
            prev_end = c.start_byte
            args_ch = c.children
            for j, a in enumerate(args_ch):
                t = a.type
                if t == "expression":
                    args.append(self.expr_node(a))
                    prev_end = a.end_byte
                elif t == "ellipsis":
                    expand = True
                    self.same_line(prev_end, a.start_byte)
                elif t == ",":
                    if j == len(args_ch) - 1:
                        self.same_line(prev_end, a.start_byte)  # a trailing comma
                else:
                    raise _Decline
        return syn.FunctionCallExpr(name, args, self.node_range(n), self.node_range(name_node),
                                    expand)

    def t_operation(self, n: Any) -> syn.Expr:
        c = n.children[0]
        ch = c.children
        if c.type == "unary_operation":
            op_node = ch[0]
            op = op_node.type
            self.same_line(op_node.end_byte, ch[1].start_byte)
            if (op == "-" and ch[1].type == "literal_value"
                    and ch[1].start_byte == op_node.end_byte
                    and ch[1].children[0].type == "numeric_lit"):
                # python-hcl2 lexes `-2.5` as one number literal (steps after it apply to it)
                if len(ch) != 2:
                    raise _Decline
                return self.number(self.text(op_node.start_byte, ch[1].end_byte),
                                   self.rng(op_node.start_byte, ch[1].end_byte))
            operand, i = self.sequence(ch, 1)
            if i != len(ch) or op not in ("-", "!"):
                raise _Decline
            r = self.join(self.node_range(op_node), operand.range)
            if op == "-" and isinstance(operand, syn.LiteralExpr) and type(operand.value) in (int, float):
                return syn.LiteralExpr(-operand.value, r)
            return syn.UnaryOpExpr(op, operand, r)
        if c.type != "binary_operation":
            raise _Decline
        lhs, i = self.sequence(ch, 0)
        op_node = ch[i]
        op = op_node.type
        if op not in _OPS:
            raise _Decline  # a comment
        if op == "-":
            # python-hcl2 ends the expression at a newline before "-" (it may start the
            # next)
            self.same_line(ch[i - 1].end_byte, op_node.start_byte)
            after = self.data[op_node.end_byte:op_node.end_byte + 2]
            if after[:1].isdigit() and len(after) == 2 and after[1:] in b"0123456789.":
                raise _Decline  # python-hcl2 lexes `1 -15` or `1 -2.5` as two numbers
        rhs, j = self.sequence(ch, i + 1)
        if j != len(ch):
            raise _Decline
        return syn.BinaryOpExpr(op, lhs, rhs, self.join(lhs.range, rhs.range))

    def t_conditional(self, n: Any) -> syn.Expr:
        ch = n.children
        if len(ch) != 5 or ch[1].type != "?" or ch[3].type != ":":
            raise _Decline
        cond_node = ch[0]
        if cond_node.children[0].type == "conditional":
            raise _Decline  # `a ? b : c ? d : e`: tree-sitter-hcl groups it the wrong way
        c, a, b = self.expr_node(cond_node), self.expr_node(ch[2]), self.expr_node(ch[4])
        return syn.ConditionalExpr(c, a, b, self.join(c.range, b.range))

    def t_for_expr(self, n: Any) -> syn.Expr:
        f = n.children[0]
        ch = f.children
        intro = ch[1]
        if intro.type != "for_intro":
            raise _Decline
        idents = []
        coll = None
        self.same_line(intro.start_byte, intro.children[-2].start_byte)
        for c in intro.children:
            if c.type == "identifier":
                idents.append(self.name(c))
            elif c.type == "expression":
                coll = self.expr_node(c)
            elif c.type in ("for", "in"):
                self.keyword(c)
            elif c.type not in (",", ":"):
                raise _Decline
        if coll is None or len(idents) not in (1, 2):
            raise _Decline
        k, v = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        exprs = []
        cond = None
        group = False
        prev_end = intro.end_byte
        for c in ch[2:-1]:
            t = c.type
            if t == "expression":
                exprs.append(self.expr_node(c))
                prev_end = c.end_byte
            elif t == "for_cond":
                cc = c.children
                if len(cc) != 2:
                    raise _Decline
                self.keyword(cc[0])
                cond = self.expr_node(cc[1])
            elif t == "ellipsis":
                group = True
            elif t == "=>":
                self.same_line(prev_end, c.start_byte)
            else:
                raise _Decline
        r = self.node_range(f)
        if f.type == "for_tuple_expr" and len(exprs) == 1 and not group:
            return syn.ForExpr(k, v, coll, None, exprs[0], cond, False, r)
        if f.type == "for_object_expr" and len(exprs) == 2:
            return syn.ForExpr(k, v, coll, exprs[0], exprs[1], cond, group, r)
        raise _Decline

    # -- templates -----------------------------------------------------------------------
    def t_template_expr(self, n: Any) -> syn.Expr:
        c = n.children[0]
        if c.type == "quoted_template":
            return self.quoted(c, c.children)
        if c.type == "heredoc_template":
            return self.heredoc_(c)
        raise _Decline

    def quoted(self, n: Any, ch: list) -> syn.Expr:
        if ch[0].type != "quoted_template_start" or ch[-1].type != "quoted_template_end":
            raise _Decline
        self.same_line(n.start_byte, n.end_byte)  # "Invalid multi-line string" and the like
        self.no_escape_runs(n)
        start, end = ch[0].end_byte, ch[-1].start_byte
        if len(ch) == 2 or (len(ch) == 3 and ch[1].type == "template_literal"):
            # a plain string (most of them): what assemble makes of one literal item
            return syn.LiteralExpr(self.unescape(self.text(start, end), start, template=True),
                                   self.node_range(n))
        items: list[tuple] = []
        self.template_items(ch[1:-1], start, end, items, quoted=True)
        return self.assemble(items, self.node_range(n), heredoc=False)

    def heredoc_(self, n: Any) -> syn.Expr:
        ch = n.children
        if (len(ch) < 3 or ch[0].type != "heredoc_start" or ch[1].type != "heredoc_identifier"
                or ch[-1].type != "heredoc_identifier"):
            raise _Decline
        self.no_escape_runs(n)
        if ch[1].start_byte != ch[0].end_byte:
            raise _Decline  # `<< EOT`: python-hcl2 wants the marker right after `<<`
        data = self.data
        head_end = ch[1].end_byte
        if data[head_end:head_end + 1] == b"\n":
            body_start = head_end + 1
        elif data[head_end:head_end + 2] == b"\r\n":
            body_start = head_end + 2
        else:
            raise _Decline
        close = ch[-1].start_byte
        after = data[ch[-1].end_byte:ch[-1].end_byte + 2]
        if after and after[:1] != b"\n" and after != b"\r\n":
            raise _Decline  # python-hcl2 wants a newline right after the closing marker
        nl = data.rfind(b"\n", 0, close)
        body_end = max(nl + 1, body_start)
        if data[body_end:close].strip(b" \t"):
            raise _Decline
        marker = data[ch[1].start_byte:ch[1].end_byte]
        if marker in data[body_start:body_end] and any(
                line.lstrip().startswith(marker)
                for line in data[body_start:body_end].split(b"\n")):
            raise _Decline  # a line starting with the marker: where do the parsers end it?
        items: list[tuple] = []
        self.template_items(ch[2:-1], body_start, body_end, items, quoted=False)
        if self.node_text(ch[0]) == "<<-":
            items = self.flush(items, self.text(body_start, body_end))
        return self.assemble(items, self.node_range(n), heredoc=True)

    def no_escape_runs(self, n: Any) -> None:
        text = self.data[n.start_byte:n.end_byte]
        if b"$$$" in text or b"%%%" in text:
            raise _Decline  # `$$${x}`: tree-sitter-hcl reads an interpolation after "$"

    def template_items(self, parts: list, start: int, end: int, items: list,
                       quoted: bool) -> int:
        """Append hcl_parser's template items for ``parts`` (template children spanning
        bytes [start, end)); the literal text is the source between interpolations and
        directives (tree-sitter-hcl leaves blanks out of its literal nodes)."""
        cursor = start
        for c in parts:
            t = c.type
            if t == "template_literal" or t == "comment":
                continue
            if t == "template_interpolation":
                cursor = self.literal(cursor, c.start_byte, items, quoted)
                ch = c.children
                strip_l, strip_r, inner = self.strips(ch)
                if len(inner) != 1 or inner[0].type != "expression":
                    raise _Decline
                if quoted and (strip_l or strip_r):
                    raise _Decline  # python-hcl2 takes `${~ x ~}` in heredocs only
                items.append(("interp", self.expr_node(inner[0]), strip_l, strip_r,
                              self.node_range(c)))
                cursor = c.end_byte
            elif t == "template_directive":
                cursor = self.directive(c.children[0], cursor, items, quoted)
            else:
                raise _Decline
        if start <= cursor <= end:
            self.literal(cursor, end, items, quoted)
        else:
            raise _Decline
        return cursor

    def directive(self, d: Any, cursor: int, items: list, quoted: bool) -> int:
        """template_if / template_for: its intro, else and end markers as items."""
        ch = d.children
        if d.type not in ("template_if", "template_for"):
            raise _Decline
        body: list = []
        for c in ch:
            t = c.type
            if t in ("template_if_intro", "template_else_intro", "template_if_end",
                     "template_for_start", "template_for_end"):
                if body:
                    cursor = self.template_items(body, cursor, c.start_byte, items, quoted)
                    body = []
                else:
                    self.literal(cursor, c.start_byte, items, quoted)
                items.append(self.marker(c))
                cursor = c.end_byte
            else:
                body.append(c)
        if body:
            raise _Decline
        return cursor

    def marker(self, c: Any) -> tuple:
        strip_l, strip_r, inner = self.strips(c.children)
        r = self.node_range(c)
        t = c.type
        words = [x.type for x in inner]
        for x in inner:
            if x.type in ("if", "for", "in", "else", "endif", "endfor"):
                self.keyword(x)
        if t == "template_if_intro":
            if words[:1] != ["if"] or len(inner) != 2 or words[1] != "expression":
                raise _Decline
            return ("if", self.expr_node(inner[1]), strip_l, strip_r, r)
        if t == "template_for_start":
            idents = [self.name(x) for x in inner if x.type == "identifier"]
            colls = [x for x in inner if x.type == "expression"]
            if words[:1] != ["for"] or len(colls) != 1 or len(idents) not in (1, 2):
                raise _Decline
            k, v = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
            return ("for", (k, v, self.expr_node(colls[0])), strip_l, strip_r, r)
        word = {"template_else_intro": "else", "template_if_end": "endif",
                "template_for_end": "endfor"}[t]
        if words != [word]:
            raise _Decline
        return (word, None, strip_l, strip_r, r)

    def strips(self, ch: list) -> tuple[bool, bool, list]:
        """(strip left, strip right, the children between the delimiters)."""
        inner = ch[1:-1]
        strip_l = bool(inner) and inner[0].type == "strip_marker"
        if strip_l:
            if inner[0].start_byte != ch[0].end_byte:
                raise _Decline  # `%{ ~`: python-hcl2 takes the marker right after `%{` only
            inner = inner[1:]
        strip_r = bool(inner) and inner[-1].type == "strip_marker"
        if strip_r:
            if inner[-1].end_byte != ch[-1].start_byte:
                raise _Decline
            inner = inner[:-1]
        if any(x.type == "comment" for x in inner):
            raise _Decline
        return strip_l, strip_r, inner

    def literal(self, start: int, end: int, items: list, quoted: bool) -> int:
        if end > start:
            s = self.text(start, end)
            if quoted:
                if '"' in s and _BARE_QUOTE.search(s):
                    raise _Decline  # tree-sitter-hcl ran a directive past the closing quote
                s = self.unescape(s, start, template=True)
            elif "$${" in s or "%%{" in s:
                s = s.replace("$${", "${").replace("%%{", "%{")
            items.append(("lit", s, start, end))
        elif end < start:
            raise _Decline
        return end


def _no_trailing_binary_op(e: syn.Expr) -> None:
    """Decline an object element ending in a binary operation and separated from the next
    by a newline only: python-hcl2's binary operation takes in the newline after it, and
    hcl_parser then reports a "Missing attribute separator"."""
    while True:
        if isinstance(e, syn.BinaryOpExpr):
            raise _Decline
        if isinstance(e, syn.ConditionalExpr):
            e = e.false_expr
        elif isinstance(e, syn.UnaryOpExpr):
            e = e.operand
        else:
            return


# ---------------------------------------------------------------------------------------
# Comparing trees (VPNFORM_PARSER=check, the differential tests)


def dump(node: Any) -> Any:
    """A syntax tree as nested plain data, every field and SourceRange included, so two
    trees can be compared with ``==``."""
    if isinstance(node, (syn.Expr, syn.ObjectItem, syn.Attribute, syn.Body, syn.Block,
                         syn.Traversal, syn.GetAttr, syn.Index)):
        return (type(node).__name__,) + tuple((f.name, dump(getattr(node, f.name)))
                                              for f in fields(node))
    if isinstance(node, (list, tuple)):
        return [dump(x) for x in node]
    if isinstance(node, dict):
        return [(k, dump(v)) for k, v in node.items()]
    if isinstance(node, SourceRange):
        return (node.filename, (node.start.line, node.start.column, node.start.byte),
                (node.end.line, node.end.column, node.end.byte))
    if isinstance(node, float):
        return ("float", node)
    return node
