"""The tree-sitter parser (hcl_treesitter.py) reads every file exactly as python-hcl2
(hcl_parser.py) does, node for node and range for range, or declines it: then hcl.py parses
with python-hcl2, so users see the same trees and the same diagnostics either way."""

from __future__ import annotations

import glob
import os

import pytest

from engine.config import hcl, hcl_parser, hcl_treesitter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _repo_configs() -> list[str]:
    files = []
    for top in ("examples", "tests"):
        for path in glob.glob(os.path.join(ROOT, top, "**", "*"), recursive=True):
            if path.endswith((".tf", ".tfvars")) and os.path.isfile(path):
                files.append(os.path.relpath(path, ROOT))
    return sorted(files)


def _both(source: str, filename: str = "main.tf"):
    return hcl_treesitter.parse_file(source, filename), hcl_parser.parse_file(source, filename)


def _same_or_declined(source: str, filename: str = "main.tf") -> bool:
    """True when tree-sitter read the source as python-hcl2 does, False when it declined."""
    fast, slow = _both(source, filename)
    if fast is None:
        return False
    assert slow[0] is not None and not slow[1], "tree-sitter read a file python-hcl2 rejects"
    assert hcl_treesitter.dump(fast[0]) == hcl_treesitter.dump(slow[0])
    return True


@pytest.mark.parametrize("path", _repo_configs())
def test_every_configuration_in_the_repository(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        source = f.read()
    _same_or_declined(source, path)


def test_the_examples_are_read_by_tree_sitter():
    """The fast path is taken for real configurations, not declined everywhere."""
    paths = [p for p in _repo_configs() if p.startswith("examples")]
    assert paths
    for path in paths:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            assert _same_or_declined(f.read(), path), path


# Snippets tree-sitter reads itself: each must give python-hcl2's tree exactly.
SAME = {
    "structure": 'resource "a" "b" {\n  x = 1\n  nested {\n    y = true\n  }\n}\nempty {}\n'
                 'blank {\n}\nlabel_ident foo "bar" {\n}\n',
    "one_line_block": 'a { b = 1 }\n',
    "comments": '# top\n// slashes\n/* block\n comment */\na = 1 # trailing\nb { # after brace\n'
                '  c = 2 // x\n}\n',
    "literals": 'a = 1\nb = 1.5\nc = 0\nd = 007\ne = true\nf = false\ng = null\nh = 12345678901234567890\n'
                'i = 2.0\nj = -3\nk = -2.5\nl = 9007199254740993.0\n',
    "strings": 'a = "plain"\nb = ""\nc = "esc \\" \\\\ \\n \\t \\r \\u00e9 \\U0001F600"\n'
               'd = "$${not} %%{not} $${ %%{"\ng = "a$${b\\"c}"\n'
               'h = "${1}$${2}%{ if true }y%{ endif }%%{z}"\ne = "a $ b % c $"\nf = "  spaces  "\n',
    "newlines": 'a = 1\n+ 2\nb = x\n? 1 : 2\nc = x ?\n1 :\n2\nd = f(\n1\n,2\n)\ne = 1 +\n2\nf = (1\n+ 2)\n'
                'g = [for v in x\n: v\nif v]\nh = {for k, v in x : k => v\n...}\ni = x[\n0\n]\n'
                'j = true\n&& false\n'
                'k = <<EOT\n${\nx\n}\nEOT\n',
    "minus_numbers": 'a = 1 - 2.5\nb = -2.5\nc = - 2.5\nd = 1 - -2.5\ne = x ? -1 : -2.5\n'
                     'f = 2.5 -1\ng = 1-2\nh = x-2.5\ni = [1,-2]\n',
    "templates": 'a = "x ${y} z"\nb = "${y}"\nc = "${ y }"\nd = "a${b}${c}d"\n'
                 'e = "%{ if c }yes%{ else }no%{ endif }"\nf = "%{ for k, v in m }${k}=${v},%{ endfor }"\n'
                 'g = "%{ for v in l ~} ${v} %{~ endfor }"\n'
                 'i = "${"nested ${x}"}"\nj = "%{if a}%{if b}x%{endif}%{endif}"\n',
    "heredocs": 'a = <<EOT\nline ${x}\n  two\nEOT\nb = <<-EOT\n    indented ${x}\n      more\n    EOT\n'
                'c = <<EOT\nEOT\nd = <<EOT\n$${lit} %%{lit} # not a comment\n%{ if c }y%{ endif }\nEOT\n'
                'e = <<-EOT\n  %{~ for x in y ~}\n  ${x}\n  %{~ endfor ~}\n  EOT\n'
                'f = [<<EOT\nin a list\nEOT\n, 1]\n',
    "traversals": 'a = x.y.z\nb = x[0]["k"].y\nc = x.0.y\nd = x[var.i]\ne = x[-1]\nf = x[1.5]\n'
                  'g = f(x).y[0]\nh = (x).y\ni = [1, 2][0]\nj = {a = 1}.a\nk = x["${y}"]\n',
    "splats": 'a = x[*].y\nb = x.*.y\nc = x[*].y[0].z\nd = x.*.y[0]\ne = x[*]\nf = x.*\ng = x[*][0]\n'
              'h = f(x)[*].id\n',
    "operators": 'a = 1 + 2 * 3 - 4 / 5 % 6\nb = a == b != c\nc = a < b && c >= d || !e\n'
                 'd = -x\ne = !!true\nf = - -5\ng = -(1)\nh = (1 + 2) * 3\ni = a - -1\n'
                 'j = 1 - 2 - 3\nk = a || b && c\nl = !a == b\nm = -a.b\n',
    "conditionals": 'a = x ? 1 : 2\nb = x ? y ? 1 : 2 : 3\nc = (x ? 1 : 2) ? 3 : 4\n'
                    'd = x == 1 ? "a" : "b"\ne = x ? [for v in y : v] : {}\n',
    "collections": 'a = []\nb = [1, 2, 3,]\nc = [\n  1,\n  2\n]\nd = {}\ne = {a = 1, b = 2}\n'
                   'f = {\n  a = 1\n  "b" = 2\n  (c) = 3\n  d: 4,\n}\ng = {a = {b = [1]}}\n'
                   'h = {a = {}, b = [[]]}\ni = {"${b}" = 1, "$${c}" = 2}\n'
                   'j = {\n  b = (x * y)\n  c = x * y,\n  d = 1\n  e = x + 1\n}\n',
    "for_exprs": 'a = [for v in x : v]\nb = [for i, v in x : v if i > 0]\n'
                 'c = {for k, v in x : k => v}\nd = {for k, v in x : v => k...}\n'
                 'e = {for v in x : v => v if v != ""}\nf = [for v in [for w in x : w] : v]\n',
    "functions": 'a = f()\nb = f(1, "2", x)\nc = f(x...)\nd = f(1, x...)\ne = provider::ns::fn(1)\n'
                 'f = core::max(1, 2)\ng = f(\n  1,\n  2,\n)\nh = f(g(h(1)))\n',
    "non_ascii": 'a = "héllo ${x} wörld"\nb = "日本語"\nc = <<EOT\nünïcode ${x}\nEOT\n'
                 'block "ça" {\n  d = "€${y}"\n}\n',
    "crlf": 'a = 1\r\nb = "x ${y}"\r\nc {\r\n  d = 2\r\n}\r\ne = <<EOT\r\nline\r\nEOT\r\n'
            'f = <<-EOT\r\n  one\r\n  two\r\n  EOT\r\n',
    "tfvars": 'sites = {\n  sh = { cidr = "10.0.0.0/16", peers = ["a", "b"] }\n}\nregion = "ap"\n',
    "blank_lines": '\n\n\na = 1\n\n\nb {\n\n  c = 2\n\n}\n\n',
    "no_final_newline": 'a = 1\nb = "x"',
}

# Where the two grammars differ, or where python-hcl2 reports a problem: tree-sitter declines.
DECLINED = {
    "nested_conditional": 'a = x ? 1 : y ? 2 : 3\n',  # tree-sitter-hcl: (x ? 1 : y) ? 2 : 3
    "hex": 'a = 0x1F\n',
    "exponent": 'a = 1e3\n',
    "exponent_float": 'a = 1.5e3\n',
    "comment_in_tuple": 'a = [1, # one\n  2]\n',
    "comment_in_object": 'a = {\n  b = 1 # one\n}\n',
    "comment_in_expression": 'a = 1 + /* two */ 2\n',
    "comment_between_labels": 'resource "a" /* x */ "b" {\n}\n',
    "non_ascii_name": 'é = 1\n',
    "non_ascii_block_type": 'résumé "a" {\n}\n',
    "keyword_keys": 'a = {for = 1, in = 2, if = 3}\n',
    "strip_in_quoted_interpolation": 'a = "x ${~ y ~} z"\n',
    "newline_before_minus": 'a = 1\n-2\n',
    "minus_float": 'a = 1 -2.5\n',
    "newline_after_equals": 'a =\n1\n',
    "newline_before_equals": 'a\n= 1\n',
    "newline_before_step": 'a = x\n.y\n',
    "newline_before_index": 'a = x\n[0]\n',
    "newline_before_splat": 'a = x\n[*]\n',
    "newline_after_dot": 'a = x.\ny\n',
    "newline_after_unary": 'a = !\nx\n',
    "newline_before_call": 'a = f\n(1)\n',
    "newline_in_object_elem": 'a = {b\n= 1}\n',
    "newline_before_ellipsis": 'a = f(x\n...)\n',
    "newline_before_arrow": 'a = {for k, v in x : k\n=> v}\n',
    "namespaced_variable": 'a = provider::ns\n',
    "negative_number_with_step": 'a = -21.5.5\n',
    "minus_two_digits": 'a = 1 -15\n',
    "strip_marker_after_blank": 'a = <<EOT\n%{ for x in y }${x}%{ ~ endfor }\nEOT\n',
    "newline_before_trailing_comma": 'a = f(\n1\n,\n)\n',
    "quote_inside_directive": 'a = "%{ for v in m }${v}",%{ endfor }"\n',
    "heredoc_marker_inside_directive": 'a = <<EOT\n%{ if c }x\nEOT\ny%{ endif }\nEOT\n',
    "heredoc_marker_then_text": 'a = <<EOT\nx\nEOT${x\nb = <<EOT\ny\nEOT\n',
    "keyword_as_function": 'a = {\n  in(c) = 3\n}\n',
    "blank_before_heredoc_marker": 'a = << EOT\nx\nEOT\n',
    "newline_before_heredoc_marker": 'a = <<\r\nEOT\nx\nEOT\n',
    "blank_after_heredoc_marker": 'a = <<EOT\nx\nEOT \n',
    "binary_op_before_newline_in_object": 'a = {\n  b = x * y\n  c = 1\n}\n',
    "binary_op_in_conditional_in_object": 'a = {\n  b = x ? 1 : y + z\n  c = 1\n}\n',
    "keyword_run_into_name": 'd = {for k, v inx : v => k}\n',
    "newline_in_for_intro": 'a = [for k,\nv in x : v]\n',
    "newline_in_quoted_interpolation": 'a = "${\nx\n}"\n',
    "newline_in_quoted_directive": 'a = "%{\nif x}y%{endif}"\n',
    "newline_between_labels": 'b "x"\n"y" {\n}\n',
    "big_number": "a = 1%s\n" % ("0" * 20_001),
    "duplicate_argument": 'a = 1\na = 2\n',
    "two_on_one_line": 'a { b = 1 c = 2 }\n',
    "missing_object_separator": 'a = {b = 1 c = 2}\n',
    "brace_on_next_line": 'a\n{\n}\n',
    "template_label": 'a "${b}" {\n}\n',
    "escape_after_dollar": 'a "$$${b}" {\n}\n',
    "escape_after_dollar_in_template": 'a = "$$${x}"\n',
    "escape_after_percent_in_heredoc": 'a = <<EOT\n%%%{x}\nEOT\n',
    "bad_escape": 'a = "\\q"\n',
    "unclosed_block": 'a {\n',
    "unterminated_string": 'a = "abc\n',
    "single_quotes": "a = 'x'\n",
    "missing_expression": 'a =\n',
    "unbalanced_directive": 'a = "%{ if x }y"\n',
    "lone_surrogate": 'a = "\ud800"\n',
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_tree_sitter_reads_snippet_as_python_hcl2_does(name):
    assert _same_or_declined(SAME[name]), f"{name}: declined"


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_known_differences_and_problems_fall_back_to_python_hcl2(name):
    source = DECLINED[name]
    fast, slow = _both(source)
    assert fast is None
    # hcl.py's parse gives python-hcl2's result: the same tree, or the same diagnostics
    body, diags = hcl._parse_uncached(source, "main.tf")
    if slow[0] is None:
        assert body is None
    else:
        assert hcl_treesitter.dump(body) == hcl_treesitter.dump(slow[0])
    assert [(d.summary, d.detail, d.subject) for d in diags] == \
        [(d.summary, d.detail, d.subject) for d in slow[1]]


def test_nested_conditional_groups_to_the_right():
    """HCL reads `a ? b : c ? d : e` as `a ? b : (c ? d : e)`, whatever tree-sitter says."""
    body, _ = hcl.parse('a = x ? 1 : y ? 2 : 3\n', "main.tf")
    expr = body.attributes["a"].expr
    assert type(expr.false_expr).__name__ == "ConditionalExpr"
    assert expr.condition.traversal.root == "x"


def test_syntax_error_gives_the_python_hcl2_diagnostic():
    source = 'resource "a" "b" {\n  x = [1 2]\n}\n'
    body, diags = hcl.parse(source, "main.tf")
    _, expected = hcl_parser.parse_file(source, "main.tf")
    assert body is None and expected.has_errors
    assert [(d.summary, d.detail, d.subject) for d in diags] == \
        [(d.summary, d.detail, d.subject) for d in expected]


def test_check_mode_parses_with_both(monkeypatch):
    monkeypatch.setenv("VPNFORM_PARSER", "check")
    body, diags = hcl._parse_uncached(SAME["templates"], "main.tf")
    assert body is not None and not diags


def test_lark_mode_never_calls_tree_sitter(monkeypatch):
    monkeypatch.setenv("VPNFORM_PARSER", "lark")

    def boom(*_a):
        raise AssertionError("tree-sitter called")

    monkeypatch.setattr(hcl_treesitter, "parse_file", boom)
    body, _ = hcl._parse_uncached('a = 1\n', "main.tf")
    assert body is not None


def test_non_ascii_ranges_count_characters():
    source = 'a = "éé${x}"\n'
    body, _ = hcl_treesitter.parse_file(source, "main.tf")
    x = body.attributes["a"].expr.parts[1]
    assert (x.range.start.column, x.range.start.byte) == (10, 11)


_MUTATIONS = ["\n", " ", "-", "(", ")", "#", "{", "}", '"', "$", "~", ",", "...", ".", "[", "]",
              "?", ":", "=", "1.5", "x", "${", "%{", "<<EOT\n", "\nEOT\n", "*", "!", "/*", "*/",
              "//", "\r\n", "é", "\\", "$$", "%%", "-1", "0x1", "1e2", "=>", "for", "if", "in"]


@pytest.mark.parametrize("seed", range(4))
def test_mutated_snippets_agree_or_decline(seed):
    """Random edits of the snippets (a bounded run of the fuzzing that found the
    differences above): whatever tree-sitter reads, python-hcl2 reads the same."""
    import random
    rnd = random.Random(seed)
    sources = list(SAME.values())
    for _ in range(150):
        s = rnd.choice(sources)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(s) + 1)
            op = rnd.random()
            if op < 0.5:
                s = s[:i] + rnd.choice(_MUTATIONS) + s[i:]
            elif op < 0.8:
                s = s[:i] + s[i + rnd.randint(1, 4):]
            else:
                j = rnd.randrange(len(s) + 1)
                s = s[:i] + s[j:j + rnd.randint(1, 10)] + s[i:]
        _same_or_declined(s)


def test_a_large_file_is_read_in_chunks_as_python_hcl2_reads_it(monkeypatch):
    # non-ASCII text puts byte offsets ahead of character offsets in every later chunk
    item = ('# tünnel {i} ü\nresource "tencentcloud_vpc" "v{i}" {{\n  name = "vpc-{i}-ü"\n'
            '  cidr_block = "10.{j}.0.0/16"\n  tags = {{ heredoc = <<-EOT\n    }} {{ ${{x}}\n'
            '  EOT\n  }}\n}}\nlocals {{ l{i} = [for k in var.x : "${{k}}-{i}"] }}\n')
    source = "".join(item.format(i=i, j=i % 250) for i in range(60))
    monkeypatch.setattr(hcl_treesitter, "CHUNK_CHARS", 2000)
    chunks = hcl_treesitter._byte_chunks(source, source.encode("utf-8"))
    assert chunks is not None and len(chunks) > 5
    fast = hcl_treesitter.parse_file(source, "main.tf")
    assert fast is not None  # read by tree-sitter, chunk by chunk
    slow = hcl_parser.parse_file(source, "main.tf")
    assert hcl_treesitter.dump(fast[0]) == hcl_treesitter.dump(slow[0])
    assert len(fast[0].blocks) == 120


def test_an_attribute_repeated_in_another_chunk_falls_back(monkeypatch):
    source = "a = 1\n" + "".join(f'b{i} = "{"x" * 50}"\n' for i in range(100)) + "a = 2\n"
    monkeypatch.setattr(hcl_treesitter, "CHUNK_CHARS", 500)
    assert hcl_treesitter.parse_file(source, "main.tf") is None
    body, diags = hcl.parse(source, "main.tf")
    assert body is None and "Attribute redefined" in str(diags.items[0].summary)
