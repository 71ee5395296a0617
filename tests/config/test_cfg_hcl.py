"""Parsing HCL text into vpnform's syntax tree: structure, ranges, templates, errors, cache."""

from __future__ import annotations

import os

import pytest
from cfg_helpers import eval_src, parse_body, parse_expr

from engine.config import hcl, hcl_parser
from engine.config import syntax as syn


def rng(r) -> str:
    return f"{r.start.line},{r.start.column}-{r.end.line},{r.end.column}"


MAIN = '''\
resource "tencentcloud_vpn_connection" "conn" {
  name = "conn-${var.site}"
  security_group_policy {
    local_cidr_block = tencentcloud_vpc.main.cidr_block
  }
}
'''


def test_blocks_attributes_and_ranges():
    body = parse_body(MAIN)
    [blk] = body.blocks
    assert blk.type == "resource"
    assert blk.labels == ["tencentcloud_vpn_connection", "conn"]
    assert rng(blk.type_range) == "1,1-1,9"
    assert [rng(r) for r in blk.label_ranges] == ["1,10-1,39", "1,40-1,46"]
    assert rng(blk.range) == "1,1-1,46"  # the header: where "Missing required argument" points
    assert rng(blk.body.range) == "1,47-6,2"
    name = blk.body.attributes["name"]
    assert rng(name.name_range) == "2,3-2,7"
    assert rng(name.expr.range) == "2,10-2,28"
    assert rng(name.range) == "2,3-2,28"
    [inner] = blk.body.blocks
    assert inner.type == "security_group_policy" and inner.labels == []
    attr = inner.body.attributes["local_cidr_block"]
    assert str(attr.expr.range) == "main.tf:4,24"
    assert attr.expr.range.start.byte == MAIN.index("tencentcloud_vpc.main")


def test_traversals_in_source_order_including_templates_and_calls():
    e = parse_expr('"${a.b}-${upper(var.x[0])}" == (c ? d.e[*].f : [for k, v in var.m : '
                   'k if v != local.z])')
    assert [str(t) for t in e.traversals()] == ["a.b", "var.x[0]", "c", "d.e", "var.m",
                                                 "local.z"]
    assert syn.body_traversals(parse_body(MAIN))[1].root == "tencentcloud_vpc"


@pytest.mark.parametrize("src, expected", [
    ("tencentcloud_vpc.main.id", ("tencentcloud_vpc", [("attr", "main"), ("attr", "id")])),
    ('var.sites["sh"].cidr', ("var", [("attr", "sites"), ("index", "sh"), ("attr", "cidr")])),
    ("aws.x[0].y", ("aws", [("attr", "x"), ("index", 0), ("attr", "y")])),
    ("a.b.0.c", ("a", [("attr", "b"), ("index", 0), ("attr", "c")])),  # legacy .0 index
])
def test_static_traversals(src, expected):
    e = parse_expr(src)
    assert isinstance(e, syn.ScopeTraversalExpr)
    t = e.traversal
    steps = [("attr", s.name) if isinstance(s, syn.GetAttr) else ("index", s.key)
             for s in t.steps]
    assert (t.root, steps) == expected


def test_dynamic_index_ends_the_static_traversal():
    e = parse_expr("a[var.i].b")
    assert isinstance(e, syn.RelativeTraversalExpr)
    assert isinstance(e.source, syn.IndexExpr)
    assert str(e.source.collection.traversal) == "a"
    assert [str(t) for t in e.traversals()] == ["a", "var.i"]


def test_expression_node_kinds():
    body = parse_body('''\
a = -1.5
b = !x
c = x ? 1 : 2
d = [1, "two", null, true]
e = { k = 1, "q" = 2, (v) = 3 }
f = format("%s", x...)
g = [for s in xs : upper(s)]
h = { for k, v in m : k => v... if v != null }
i = xs[*].id
j = xs.*.id
k = (1 + 2) * 3
l = "plain"
m = "${x}"
''')
    a = body.attributes
    assert isinstance(a["a"].expr, syn.LiteralExpr) and a["a"].expr.value == -1.5
    assert isinstance(a["b"].expr, syn.UnaryOpExpr) and a["b"].expr.op == "!"
    assert isinstance(a["c"].expr, syn.ConditionalExpr)
    assert [x.value for x in a["d"].expr.items] == [1, "two", None, True]
    keys = a["e"].expr.items
    assert [(type(i.key).__name__, i.bare_key) for i in keys] == [
        ("LiteralExpr", True), ("LiteralExpr", False), ("ParenExpr", False)]
    f = a["f"].expr
    assert isinstance(f, syn.FunctionCallExpr) and f.name == "format" and f.expand_final
    g = a["g"].expr
    assert isinstance(g, syn.ForExpr) and g.key_expr is None and g.value_var == "s"
    h = a["h"].expr
    assert h.key_var == "k" and h.group and h.condition is not None
    assert [str(t) for t in h.traversals()] == ["m"]  # k and v are bound by the for
    assert isinstance(a["i"].expr, syn.SplatExpr) and not a["i"].expr.attr_only
    assert isinstance(a["j"].expr, syn.SplatExpr) and a["j"].expr.attr_only
    k = a["k"].expr
    assert k.op == "*" and isinstance(k.lhs, syn.ParenExpr)
    assert isinstance(a["l"].expr, syn.LiteralExpr) and a["l"].expr.value == "plain"
    assert isinstance(a["m"].expr, syn.TemplateWrapExpr)


def test_string_escapes_and_escaped_interpolation():
    e = parse_expr(r'"a\n\t\"\\ \u00e9 $${x} %%{y}"')
    assert isinstance(e, syn.LiteralExpr)
    assert e.value == 'a\n\t"\\ é ${x} %{y}'


@pytest.mark.parametrize("src, value", [
    ('"$${"', "${"),  # the escape alone: no closing brace needed
    ('"%%{"', "%{"),
    ('"a$${b\\"c}"', 'a${b"c}'),  # what follows the escape is ordinary string text
    ('"$$${x}"', "$${x}"),
    ('"${1}$${2}%{ if true }y%{ endif }%%{z}"', "1${2}y%{z}"),
])
def test_template_escapes_as_terraform_reads_them(src, value):
    """Terraform 1.11's console gives these values (python-hcl2's grammar lexed `$${` with the
    text up to the next `}` as one token: `"$${"` did not parse, `\\"` after it stayed)."""
    value_read, diags = eval_src(src)
    assert not diags and value_read == value


def test_escape_after_template_escapes_points_at_its_column():
    body, diags = hcl.parse('x = "$${a}%%{b}\\q"\n', "main.tf")
    assert [(d.summary, d.subject.start.column) for d in diags] == [
        ("Invalid escape sequence", 16)]


def test_escapes_are_merged_in_linear_time():
    """`$${` and `%%{` split a string's literal text at every escape; the pieces are joined
    once (joining them pairwise copied the growing text again per escape: 5 MB of escapes
    took over 30 s). Counts the characters copied by `+` on the pieces instead of timing."""
    copied = 0

    class Piece(str):
        def __add__(self, other):
            nonlocal copied
            copied += len(self) + len(other)
            return Piece(str.__add__(self, other))

    n = 2000
    items = [("lit", Piece("ab"), 2 * i, 2 * i + 2) for i in range(n)]
    items.insert(n // 2, ("interp", None, False, False, None))
    joined = hcl_parser.join_literal_runs(items)
    assert [it[0] for it in joined] == ["lit", "interp", "lit"]
    assert joined[0][1:] == ("ab" * (n // 2), 0, n) and joined[2][1] == "ab" * (n // 2)
    assert copied <= 4 * n  # linear: each character copied a bounded number of times

    e = parse_expr('"' + "x$${y}%%{z}" * 500 + '"')
    assert isinstance(e, syn.LiteralExpr) and e.value == "x${y}%{z}" * 500


def test_template_directives():
    e = parse_expr('"%{ if a }yes%{ else }no%{ endif } %{ for x in xs ~} [${x}] %{~ endfor }"')
    assert isinstance(e, syn.TemplateExpr)
    ifd, _, ford = e.parts
    assert isinstance(ifd, syn.TemplateIfExpr) and ifd.else_ is not None
    assert isinstance(ford, syn.TemplateForExpr) and ford.value_var == "x"
    assert [p.value for p in ford.body.parts if isinstance(p, syn.LiteralExpr)] == ["[", "]"]


def test_heredoc_is_a_template_with_ranges():
    body = parse_body('x = <<EOT\nhello ${var.name}\n  bye\nEOT\n')
    e = body.attributes["x"].expr
    assert isinstance(e, syn.TemplateExpr) and e.heredoc
    lit, interp, tail = e.parts
    assert lit.value == "hello " and tail.value == "\n  bye\n"
    assert str(interp.traversal) == "var.name"
    assert rng(interp.range) == "2,9-2,17"


def test_flush_heredoc_strips_common_indentation():
    body = parse_body('x = <<-EOT\n    a\n      b ${c}\n    EOT\n')
    e = body.attributes["x"].expr
    assert e.parts[0].value == "a\n  b "


def test_crlf_line_endings():
    src = 'resource "a" "b" {\r\n  x = "y"\r\n  z = <<EOT\r\nhi ${v}\r\nEOT\r\n}\r\n'
    body = parse_body(src)
    blk = body.blocks[0]
    assert blk.body.attributes["x"].expr.value == "y"
    assert rng(blk.body.attributes["x"].expr.range) == "2,7-2,10"
    z = blk.body.attributes["z"].expr
    # as in Terraform, a heredoc written with CRLF keeps CRLF in its value
    assert z.parts[0].value == "hi " and z.parts[-1].value == "\r\n"
    assert rng(z.parts[1].range) == "4,6-4,7"


def test_crlf_everywhere_keeps_every_range_right():
    lf = ('# comment\n/* block\n   comment */\nlocals {\n  a = <<-EOT\n    x ${v}\n'
          '    %{ if c ~}\n    y\n    %{~ endif }\n    EOT\n  b = upper(w) // c\n}\n'
          'resource tencentcloud_vpc foo {\n  cidr_block = tencentcloud_vpc.bar.0.id\n}\n')
    crlf = lf.replace("\n", "\r\n")

    def ranges(src):
        body = parse_body(src)
        out = []
        for blk in body.blocks:
            out += [rng(blk.type_range), *(rng(r) for r in blk.label_ranges)]
            for name, attr in sorted(blk.body.attributes.items()):
                out += [name, rng(attr.range), rng(attr.expr.range)]
                out += [rng(e.range) for e in attr.expr.walk()]
        return out

    assert ranges(crlf) == ranges(lf)

    def literals(src):
        a = parse_body(src).blocks[0].body.attributes["a"].expr
        return [e.value for e in a.walk() if isinstance(e, syn.LiteralExpr)]

    assert literals(crlf) == [t.replace("\n", "\r\n") for t in literals(lf)]
    body = parse_body(crlf)
    assert rng(body.blocks[1].body.attributes["cidr_block"].expr.range) == "14,16-14,41"


def test_columns_are_characters_and_bytes_are_bytes():
    src = 'x = "é日本${y}"\n'
    e = parse_body(src).attributes["x"].expr
    interp = e.parts[1]
    assert interp.range.start.column == 11
    assert interp.range.start.byte == len('x = "é日本${'.encode())


@pytest.mark.parametrize("src, summary, where", [
    ('resource "a" "b" {\n  x = 1\n', "Unclosed configuration block", "1,18"),
    ('x = \n', "Invalid expression", "1,5"),
    ('x = 1 ` 2\n', "Invalid character", "1,7"),
    ('x = 1;\n', "Invalid character", "1,6"),
    ("x = 'a'\n", "Invalid character", "1,5"),
    ('x = 1 y = 2\n', "Missing newline after argument", "1,7"),
    ('x = 1\n}\n', "Argument or block definition required", "2,1"),
    ('resource "a" "b"\n', "Invalid block definition", "2,1"),
    ('x 1\n', "Invalid block definition", "1,3"),
    ('x = [1, 2\ny = 3\n', "Missing item separator", "2,1"),
    ('x = f(1 2)\n', "Missing argument separator", "1,9"),
    ('x = {a = 1 b = 2}\n', "Missing attribute separator", "1,12"),
    ('x = a.\n', "Invalid attribute name", "1,7"),
    ('x = "abc\n', "Unterminated template string", "1,5"),
    ('x = "a\nb"\n', "Invalid multi-line string", "1,7"),
    ('x = "\\q"\n', "Invalid escape sequence", "1,6"),
    ('x = "\\U00110000"\n', "Invalid escape sequence", "1,6"),  # beyond Unicode
    ('x = "a\\ud800"\n', "Invalid escape sequence", "1,7"),  # a surrogate: no character
    ('x = 1\nx = 2\n', "Attribute redefined", "2,1"),
    ('x = "${a"\n', "Unterminated template interpolation", "1,6"),
    ('x = <<EOT\n${a b}\nEOT\n', "Extra characters after interpolation expression", "2,5"),
    ('x = "%{ if a }b"\n', "Unterminated template directive", "1,6"),
    ('x = [1,\n', "Unclosed bracket", "1,5"),
    ('x = {\n  a = 1\n', "Unterminated object constructor expression", "1,5"),
    ('x = <<EOT\nabc\n', "Unterminated template string", "1,5"),
    ('a {} b {}\n', "Missing newline after block definition", "1,6"),
])
def test_syntax_errors_become_one_diagnostic(src, summary, where):
    body, diags = hcl.parse(src, "bad.tf")
    assert body is None
    assert len(diags) == 1, [(d.summary, str(d.subject)) for d in diags]
    d = diags.items[0]
    assert d.summary == summary
    assert f"{d.subject.start.line},{d.subject.start.column}" == where
    assert d.subject.filename == "bad.tf"
    assert d.detail.endswith(".")


def test_attribute_redefined_detail_names_the_first_definition():
    _, diags = hcl.parse('x = 1\nx = 2\n', "main.tf")
    assert diags.items[0].detail == ('The argument "x" was already set at main.tf:1,1. Each '
                                     "argument may be set only once.")


def test_parse_expression_standalone():
    e, diags = hcl.parse_expression('["a", "b"]', "<value for var.x>")
    assert not diags and isinstance(e, syn.TupleExpr)
    assert e.range.start.column == 1 and e.range.filename == "<value for var.x>"
    e, diags = hcl.parse_expression('{ a = 1 } x', "<v>")
    assert e is None and diags.has_errors


def test_parse_cache_reuses_results(tmp_path, monkeypatch):
    cache = str(tmp_path / "cache")
    body1, _ = hcl.parse(MAIN, "main.tf", cache)
    entries = [f for _, _, fs in os.walk(cache) for f in fs]
    assert len(entries) == 1

    def boom(*_args):
        raise AssertionError("parsed again instead of using the cache")

    monkeypatch.setattr(hcl, "_parse_uncached", boom)
    body2, diags = hcl.parse(MAIN, "main.tf", cache)
    assert not diags
    assert body2.blocks[0].labels == body1.blocks[0].labels
    assert body2.blocks[0].body.attributes["name"].expr.range == \
        body1.blocks[0].body.attributes["name"].expr.range
    # same text under another name is a different entry (ranges carry the filename)
    monkeypatch.undo()
    hcl.parse(MAIN, "other.tf", cache)
    assert len([f for _, _, fs in os.walk(cache) for f in fs]) == 2


def test_corrupt_cache_entry_is_ignored(tmp_path):
    cache = str(tmp_path / "cache")
    hcl.parse(MAIN, "main.tf", cache)
    for root, _, files in os.walk(cache):
        for f in files:
            with open(os.path.join(root, f), "wb") as fh:
                fh.write(b"not a pickle")
    body, diags = hcl.parse(MAIN, "main.tf", cache)
    assert body is not None and not diags


def test_cache_entry_holds_blocks_in_groups_and_a_short_entry_is_a_miss(tmp_path, monkeypatch):
    import pickle

    cache = str(tmp_path / "cache")
    count = 2 * hcl._CACHE_GROUP + 3
    src = "top = 1\n" + "".join(f'resource "r" "n{i}" {{\n  x = {i}\n}}\n' for i in range(count))
    hcl.parse(src, "main.tf", cache)
    [path] = [os.path.join(r, f) for r, _, fs in os.walk(cache) for f in fs]
    pickles = []
    with open(path, "rb") as f:
        while f.peek(1):
            pickles.append(pickle.load(f))
    assert [len(g) for g in pickles[1:]] == [hcl._CACHE_GROUP, hcl._CACHE_GROUP, 3]
    parses = []
    real = hcl._parse_uncached
    monkeypatch.setattr(hcl, "_parse_uncached", lambda *a: parses.append(1) or real(*a))
    body, _ = hcl.parse(src, "main.tf", cache)  # a hit
    assert not parses
    assert [b.labels[1] for b in body.blocks] == [f"n{i}" for i in range(count)]
    assert body.attributes["top"].expr.value == 1
    assert body.blocks[-1].body.attributes["x"].expr.range.start.line == 3 * count
    size = os.path.getsize(path)
    with open(path, "r+b") as f:  # cut inside the last group
        f.truncate(size - 10)
    body, diags = hcl.parse(src, "main.tf", cache)  # a miss: parsed again
    assert parses == [1] and len(body.blocks) == count and not diags


def test_cached_trees_evaluate_like_fresh_ones(tmp_path):
    from engine.config.evaluate import EvalContext, evaluate

    src = 'x = [for v in [{a = 1}, {a = 2}][*].a : v * 10]\n'
    hcl.parse(src, "s.tf", str(tmp_path))
    body, _ = hcl.parse(src, "s.tf", str(tmp_path))  # from the cache
    assert evaluate(body.attributes["x"].expr, EvalContext())[0] == [10, 20]


def test_a_unary_operation_may_be_the_operand_of_another():
    e = parse_expr("!!var.on")
    assert isinstance(e, syn.UnaryOpExpr) and e.op == "!"
    assert isinstance(e.operand, syn.UnaryOpExpr) and e.operand.op == "!"
    assert rng(e.range) == "1,5-1,13" and rng(e.operand.range) == "1,6-1,13"
    e = parse_expr("- -var.n")
    assert isinstance(e.operand, syn.UnaryOpExpr) and e.operand.op == "-"
    assert rng(e.operand.operand.range) == "1,8-1,13"
    assert parse_expr("- -5").value == 5  # a negated literal stays a literal
    e = parse_expr("x == !!true")
    assert isinstance(e, syn.BinaryOpExpr) and isinstance(e.rhs.operand, syn.UnaryOpExpr)


def _tree(node):
    """A node's whole content as plain data (syntax nodes compare by identity)."""
    from dataclasses import fields, is_dataclass
    if is_dataclass(node):
        return (type(node).__name__,) + tuple(_tree(getattr(node, f.name)) for f in fields(node))
    if isinstance(node, dict):
        return {k: _tree(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return type(node)(_tree(v) for v in node)
    return node


def test_a_cached_tree_is_the_parsed_tree_node_for_node(tmp_path):
    src = ('# ünïcode before the blocks moves byte offsets away from columns\n'
           'locals {\n'
           '  m = { for k, v in var.sites : k => v.cidr if v.on }\n'
           '  t = "a-${var.x}-%{ if var.y }y%{ else }n%{ endif }"\n'
           '  s = aws_vpc.main[*].id\n'
           '  c = var.a ? -1.5 : !var.b\n'
           '  h = <<-EOT\n    hello ${upper(var.n)}\n  EOT\n'
           '}\n' + MAIN)
    fresh, _ = hcl.parse(src, "main.tf")
    hcl.parse(src, "main.tf", str(tmp_path))
    cached, diags = hcl.parse(src, "main.tf", str(tmp_path))  # from the cache
    assert not diags
    assert _tree(cached) == _tree(fresh)
    assert cached.blocks[0].body.attributes["m"].expr.range.start.byte == \
        fresh.blocks[0].body.attributes["m"].expr.range.start.byte > 0
