"""Built-in functions: results, argument checking, unknown and sensitive handling."""

from __future__ import annotations

import ipaddress

import pytest
from cfg_helpers import eval_src
from hypothesis import given
from hypothesis import strategies as st

from engine.config.evaluate import EvalContext
from engine.config.functions import Function, Param, standard_functions
from engine.values import STRING, Sensitive, Unknown


def call(src, **ctx):
    value, diags = eval_src(src, **ctx)
    assert not diags, [(d.summary, d.detail) for d in diags]
    return value


@pytest.mark.parametrize("src, expected", [
    ('length("héllo")', 5), ("length([1, 2])", 2), ("length({a = 1})", 1),
    ('lower("AbC")', "abc"), ('upper("abc")', "ABC"), ('trimspace("  x \\n")', "x"),
    ('format("%s-%d-%v-%q", "a", 7, true, "q")', 'a-7-true-"q"'),
    ('format("%05.1f|%-4s|%x|%%", 3.14159, "ab", 255)', "003.1|ab  |ff|%"),
    ('format("%v", [1, "a"])', '[1,"a"]'),
    ('join(", ", ["a", "b"], ["c"])', "a, b, c"),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ("concat([1], [2, 3], [])", [1, 2, 3]),
    ("merge({a = 1, b = 2}, null, {b = 3})", {"a": 1, "b": 3}),
    ('lookup({a = 1}, "a")', 1), ('lookup({a = 1}, "b", "d")', "d"),
    ('element(["a", "b"], 3)', "b"),
    ('contains(["a", "b"], "b")', True), ("contains([1], \"1\")", False),
    ("keys({b = 1, a = 2})", ["a", "b"]), ("values({b = 1, a = 2})", [2, 1]),
    ("tostring(1.5)", "1.5"), ("tostring(true)", "true"), ("tostring(null)", None),
    ('tonumber("42")', 42), ('tonumber("1.5")', 1.5), ('tobool("true")', True),
    ('tolist(["a", 1])', ["a", "1"]), ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tomap({a = 1, b = "x"})', {"a": "1", "b": "x"}),
    ('coalesce(null, "", "x", "y")', "x"),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ("distinct([1, 2, 1, 3, 2])", [1, 2, 3]),
    ("flatten([[1, [2]], [], 3])", [1, 2, 3]),
    ("range(3)", [0, 1, 2]), ("range(1, 4)", [1, 2, 3]), ("range(5, 1, -2)", [5, 3]),
    ("range(0, 1, 0.5)", [0, 0.5]),
    ("min(3, 1, 2)", 1), ("max(3, 1.5)", 3), ("abs(-2)", 2), ("ceil(1.2)", 2),
    ("floor(-1.2)", -2),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("vpc-123", "/vpc-(\\\\d+)/", "id=$1")', "id=123"),
    ('substr("hello", 1, 3)', "ell"), ('substr("hello", -3, -1)', "llo"),
    ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"), ('cidrhost("10.0.0.0/24", -1)', "10.0.0.255"),
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnet("fd00::/56", 8, 1)', "fd00:0:0:1::/64"),
    ('jsonencode({b = [1, "x<"], a = null})', '{"a":null,"b":[1,"x\\u003c"]}'),
    ('jsondecode("{\\"a\\": [1, 2.5, true]}")', {"a": [1, 2.5, True]}),
    ('can(["a"][3])', False), ('can(["a"][0])', True),
    ('try(["a"][3], "fallback")', "fallback"), ("try({a = 1}.a, 2)", 1),
])
def test_function_results(src, expected):
    assert call(src) == expected


@pytest.mark.parametrize("src, summary, detail", [
    ('lower(["a"])', "Invalid function argument",
     'Invalid value for "str" parameter: string required.'),
    ("upper(null)", "Invalid function argument",
     'Invalid value for "str" parameter: argument must not be null.'),
    ("lower()", "Not enough function arguments",
     'Function "lower" expects 1 argument(s). Missing value for "str".'),
    ('lower("a", "b")', "Too many function arguments",
     'Function "lower" expects only 1 argument(s).'),
    # Terraform: "Invalid function argument" when an argument fails the parameter's own
    # check, "Error in function call" when the function fails on well-typed arguments.
    ('cidrsubnet("10.0.0.0/16", 8, 300)', "Error in function call",
     'Call to function "cidrsubnet" failed: prefix extension of 8 does not accommodate a '
     "subnet numbered 300."),
    ('cidrsubnet("10.0.0.0/30", 8, 0)', "Error in function call",
     'Call to function "cidrsubnet" failed: insufficient address space to extend prefix of '
     "30 by 8."),
    ('cidrhost("nope", 1)', "Error in function call",
     'Call to function "cidrhost" failed: invalid CIDR expression: invalid CIDR address: '
     "nope."),
    ('cidrhost("10.0.0.0/30", 4)', "Error in function call",
     'Call to function "cidrhost" failed: prefix of 30 does not accommodate a host numbered '
     "4."),
    ('cidrsubnets("nope", 1)', "Invalid function argument",
     'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: '
     "nope."),
    ('lookup({a = 1}, "b")', "Invalid function argument",
     'Invalid value for "key" parameter: lookup failed to find key "b".'),
    ("element([], 0)", "Error in function call",
     'Call to function "element" failed: cannot use element function with an empty list.'),
    ('coalesce(null, "")', "Error in function call",
     'Call to function "coalesce" failed: no non-null, non-empty-string arguments.'),
    ('format("%s %s", "a")', "Error in function call",
     'Call to function "format" failed: not enough arguments for "%s" at 3: need index 2 but '
     "have 1 total."),
    ("length(5)", "Error in function call", 'Call to function "length" failed: argument '
     "must be a string, a collection type, or a structural type."),
    ('concat([1], "x")', "Invalid function argument",
     'Invalid value for "seqs" parameter: all arguments must be lists or tuples; got string.'),
    ('tonumber("x")', "Invalid function argument",
     'Invalid value for "v" parameter: cannot convert "x" to number.'),
    ('jsondecode("{")', "Error in function call", None),
    ('file("missing.txt")', "Invalid function argument", None),
    ("min()", "Error in function call",
     'Call to function "min" failed: must pass at least one number.'),
])
def test_function_errors(src, summary, detail, tmp_path):
    value, diags = eval_src(src, path_module=str(tmp_path))
    assert diags.has_errors and isinstance(value, Unknown)
    d = diags.errors[0]
    assert d.summary == summary
    if detail is not None:
        assert d.detail == detail
    assert d.detail.endswith(".")


def test_error_subject_is_the_offending_argument():
    _, diags = eval_src('join(",", ["a"], [["b"]])')
    assert str(diags.errors[0].subject) == "main.tf:1,22"
    _, diags = eval_src('cidrsubnets("10.0.0.0/16", 8, 30)')
    assert str(diags.errors[0].subject) == "main.tf:1,35"
    _, diags = eval_src('cidrsubnet("10.0.0.0/16", 8, 300)')  # the call failed: the call
    assert str(diags.errors[0].subject) == "main.tf:1,5"


def test_try_reports_every_failure():
    _, diags = eval_src('try(["a"][3], {}.x)')
    d = diags.errors[0]
    assert d.summary == "Error in function call"
    assert "no expression succeeded" in d.detail and "Invalid index" in d.detail
    assert "Unsupported attribute" in d.detail


def test_file_reads_relative_to_the_root_module(tmp_path):
    # relative paths are read from the root module's directory, in any module
    (tmp_path / "cert.pem").write_text("PEM\n", encoding="utf-8")
    assert call('file("cert.pem")', base_dir=str(tmp_path), path_module="modules/x") == "PEM\n"
    assert call('file("${path.module}/cert.pem")', path_module=str(tmp_path)) == "PEM\n"


def test_unknown_arguments():
    u = {"u": Unknown()}
    for src in ['upper(var.u)', 'join(",", [var.u])', "cidrhost(var.u, 1)", "jsonencode([var.u])",
                'merge(var.u, {})', "length(var.u)"]:
        assert isinstance(call(src, variables=u), Unknown), src
    assert call("length([var.u])", variables=u) == 1
    assert isinstance(call("can(var.u)", variables=u), Unknown)
    assert isinstance(call("try(var.u, 1)", variables=u), Unknown)
    assert call("sensitive(var.u)", variables=u) == Sensitive(Unknown())


def test_sensitive_arguments():
    s = {"s": Sensitive("x"), "l": ["a", Sensitive("b")]}
    assert call("sensitive(1)", variables=s) == Sensitive(1)
    assert call("nonsensitive(var.s)", variables=s) == "x"
    assert call("upper(var.s)", variables=s) == Sensitive("X")
    assert call('join("-", var.l)', variables=s) == Sensitive("a-b")
    got = call('concat(var.l, ["c"])', variables=s)
    assert not isinstance(got, Sensitive) and got[1] == Sensitive("b") and got[2] == "c"
    assert call("element(var.l, 0)", variables=s) == "a"
    assert call("length(var.l)", variables=s) == 2


def test_registry_is_extensible():
    fns = standard_functions()
    fns["greet"] = Function((Param("name", STRING),), lambda n: f"hi {n}")
    value, diags = eval_src('greet(5)', ctx=EvalContext(functions=fns))
    assert value == "hi 5" and not diags
    assert "greet" not in standard_functions()


@given(st.ip_addresses(v=4), st.integers(min_value=8, max_value=24),
       st.integers(min_value=0, max_value=8), st.data())
def test_cidrsubnet_is_contained_and_distinct(addr, plen, newbits, data):
    prefix = f"{addr}/{plen}"
    net = ipaddress.ip_network(prefix, strict=False)
    netnum = data.draw(st.integers(min_value=0, max_value=(1 << newbits) - 1))
    sub, diags = eval_src(f'cidrsubnet("{prefix}", {newbits}, {netnum})')
    assert not diags
    subnet = ipaddress.ip_network(sub)
    assert subnet.prefixlen == plen + newbits and subnet.subnet_of(net)
    index = (int(subnet.network_address) - int(net.network_address)) >> (32 - plen - newbits)
    assert index == netnum


@given(st.ip_addresses(v=4), st.integers(min_value=16, max_value=30), st.data())
def test_cidrhost_stays_in_network(addr, plen, data):
    net = ipaddress.ip_network(f"{addr}/{plen}", strict=False)
    hostnum = data.draw(st.integers(min_value=-net.num_addresses,
                                    max_value=net.num_addresses - 1))
    host, diags = eval_src(f'cidrhost("{net}", {hostnum})')
    assert not diags
    assert ipaddress.ip_address(host) in net
    assert ipaddress.ip_address(host) == list(net)[hostnum] if net.num_addresses <= 1024 else True
    mask, _ = eval_src(f'cidrnetmask("{net}")')
    assert mask == str(net.netmask)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_base64gzip_round_trips(text):
    """Byte-identical to Terraform only for short inputs (Go's deflate matches differently
    from zlib's); always a gzip stream of the text."""
    import base64
    import gzip

    encoded = call(f"base64gzip({_hcl_string(text)})")
    assert gzip.decompress(base64.b64decode(encoded)).decode() == text


def _hcl_string(text: str) -> str:
    """``text`` as an HCL quoted string."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    body = "".join(escapes.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in text)
    return '"' + body.replace("${", "$${").replace("%{", "%%{") + '"'
