"""Expression evaluation: operators, references, unknown and sensitive propagation, errors."""

from __future__ import annotations

import math

import pytest
from cfg_helpers import eval_src, parse_expr
from hypothesis import given
from hypothesis import strategies as st

from engine.addrs import DATA, MANAGED, ResourceAddr
from engine.config.evaluate import (
    NOT_DECLARED,
    EvalContext,
    InstanceMap,
    LazyLocals,
    did_you_mean,
    evaluate,
    evaluate_constant,
    reference_of,
)
from engine.values import NUMBER, STRING, Sensitive, Unknown, format_number


def ok(src, **ctx):
    value, diags = eval_src(src, **ctx)
    assert not diags, [(d.summary, d.detail, str(d.subject)) for d in diags]
    return value


def err(src, **ctx):
    value, diags = eval_src(src, **ctx)
    assert diags.has_errors, f"expected an error from {src!r}, got {value!r}"
    assert isinstance(value, Unknown) or value is not None or True
    return diags.errors[0]


@pytest.mark.parametrize("src, expected", [
    ("1 + 2", 3), ("7 - 10", -3), ("6 * 7", 42), ("7 / 2", 3.5), ("6 / 2", 3),
    ("7 % 3", 1), ("-7 % 3", -1), ("7.5 % 2", 1.5), ("-(3)", -3), ("2 * 1.5", 3),
    ('"5" + 1', 6), ("1 / 4", 0.25),
    ("1 == 1", True), ("1 == 1.0", True), ('1 == "1"', False), ("1 != 2", True),
    ("null == null", True), ('[1, "a"] == [1, "a"]', True), ("{a = 1} == {a = 1}", True),
    ("true == 1", False),
    ("1 < 2", True), ("2 > 3", False), ("2 <= 2", True), ("3 >= 4", False),
    ("true && false", False), ("true || false", True), ("!true", False),
    ('"true" && true', True),
    ("true ? 1 : 2", 1), ("false ? 1 : 2", 2),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("1 < 2 && 2 < 3", True),
    ("[1, 2][1]", 2), ('{a = {b = [10, 20]}}.a.b[1]', 20), ('{a = 1}["a"]', 1),
    ("[[1, 2]].0.1", 2),
    ('{ "k" = 1, k2 = 2 }', {"k": 1, "k2": 2}),
    ("[for x in [1, 2, 3] : x * 2]", [2, 4, 6]),
    ("[for i, x in ['a'] : i]".replace("'", '"'), [0]),
    ('[for k, v in {b = 2, a = 1} : "${k}=${v}"]', ["a=1", "b=2"]),
    ("[for x in [1, 2, 3, 4] : x if x % 2 == 0]", [2, 4]),
    ('{for x in ["a", "b"] : x => upper(x)}', {"a": "A", "b": "B"}),
    ('{for x in ["a", "ab", "b"] : substr(x, 0, 1) => x...}',
     {"a": ["a", "ab"], "b": ["b"]}),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]), ("[{a = 1}, {a = 2}].*.a", [1, 2]),
    ("{a = 1}[*].a", [1]), ("null[*].a", []),
    ('[{a = [1, 2]}, {a = [3, 4]}][*].a[0]', [1, 3]),
    ('"a${1 + 1}b${true}c${1.5}"', "a2btruec1.5"),
    ('"${[1]}"', [1]),  # a lone interpolation yields the value itself
    ('"%{ if true }y%{ else }n%{ endif }"', "y"),
    ('"%{ for i, x in ["a", "b"] }${i}${x},%{ endfor }"', "0a,1b,"),
    ("<<EOT\n  a ${1}\nEOT\n", "  a 1\n"),
])
def test_operators_and_constructors(src, expected):
    assert ok(src) == expected


def test_division_by_zero_is_infinity_and_integral_results_stay_int():
    assert ok("5 / 0") == math.inf
    assert ok("-5 / 0") == -math.inf
    assert format_number(ok("5 / 0")) == "+Inf"
    assert type(ok("4 / 2")) is int
    assert type(ok("1.5 * 2")) is int
    assert ok('"${5 / 0}!"') == "+Inf!"


@pytest.mark.parametrize("src, summary, detail", [
    ("true + 1", "Invalid operand", "Unsuitable value for left operand: a number is required."),
    ("1 + null", "Operation failed", "Error during operation: argument must not be null."),
    ("!null", "Operation failed", "Error during operation: argument must not be null."),
    ('1 && "x"', "Invalid operand", "Unsuitable value for left operand: a bool is required."),
    ("-true", "Invalid operand", "Unsuitable value for the operand: a number is required."),
    ("0 / 0", "Operation failed",
     "Error during operation: can't divide zero by zero or infinity by infinity."),
    ("(1 / 0) - (1 / 0)", "Operation failed",
     "Error during operation: can't subtract infinity from itself."),
    ("null ? 1 : 2", "Null condition",
     "The condition value is null. Conditions must either be true or false."),
    ('"x" ? 1 : 2', "Incorrect condition type", "The condition expression must be of type bool."),
    ('"a${null}"', "Invalid template interpolation value",
     "The expression result is null. Cannot include a null value in a string template."),
    ('"a${[1]}"', "Invalid template interpolation value",
     "Cannot include the given value in a string template: string required."),
    ("[1][1]", "Invalid index", "The given key does not identify an element in this "
     "collection value: the collection has 1 elements."),
    ("[1][-1]", "Invalid index", "The given key does not identify an element in this "
     "collection value: a negative number is not a valid index for a sequence."),
    ('[1]["x"]', "Invalid index", "The given key does not identify an element in this "
     "collection value: a number is required."),
    ('{a = 1}["b"]', "Invalid index",
     "The given key does not identify an element in this collection value."),
    ("null[0]", "Attempt to index null value",
     "This value is null, so it does not have any indices."),
    ('"abc"[0]', "Invalid index", "This value does not have any indices."),
    ("{name = 1}.nmae", "Unsupported attribute",
     'This object does not have an attribute named "nmae". Did you mean "name"?'),
    ("{a = null}.a.b", "Attempt to get attribute from null value",
     "This value is null, so it does not have any attributes."),
    ('"s".length', "Unsupported attribute",
     "Can't access attributes on a primitive-typed value (string)."),
    ("[{a = 1}].a", "Unsupported attribute", "Can't access attributes on a list of objects. "
     'Did you mean to access attribute "a" for a specific element of the list, or across all '
     "elements of the list?"),
    ("[for x in null : x]", "Iteration over null value",
     "A null value cannot be used as the collection in a 'for' expression."),
    ('[for x in "abc" : x]', "Iteration over non-iterable value",
     "A value of type string cannot be used as the collection in a 'for' expression."),
    ("[for x in [1] : x if 1]", "Invalid 'for' condition",
     "The 'if' clause value is invalid: bool required."),
    ('{for x in ["a", "a"] : x => x}', "Duplicate object key",
     "Two different items produced the key \"a\" in this 'for' expression. If duplicates are "
     "expected, use the ellipsis (...) after the value expression to enable grouping by key."),
    ("{for x in [1] : null => x}", "Invalid object key",
     "Key expression in 'for' expression must not produce a null value."),
    ("{(null) = 1}", "Invalid object key", "Can't use a null value as a key."),
    ("lenght([])", "Call to unknown function",
     'There is no function named "lenght". Did you mean "length"?'),
    ("concat(1...)", "Invalid expanding argument value",
     "The expanding argument (indicated by ...) must be of a tuple, list, or set type."),
])
def test_evaluation_errors(src, summary, detail):
    d = err(src)
    assert (d.summary, d.detail) == (summary, detail)
    assert d.subject is not None and d.subject.filename == "main.tf"


def test_error_ranges_point_at_the_operand():
    _, diags = eval_src('1 + true')
    assert str(diags.items[0].subject) == "main.tf:1,9"
    _, diags = eval_src('{a = 1}.a.b.c')
    assert str(diags.items[0].subject) == "main.tf:1,14"


def test_only_the_chosen_branch_of_a_conditional_reports_errors():
    assert ok("var.x != null ? var.x.a : \"d\"", variables={"x": None}) == "d"
    _, diags = eval_src("true ? null.a : 1")
    assert [d.summary for d in diags] == ["Attempt to get attribute from null value"]
    _, diags = eval_src("var.u ? null.a : 1", variables={"u": Unknown()})
    assert [d.summary for d in diags] == ["Attempt to get attribute from null value"]


def test_one_error_does_not_cascade():
    value, diags = eval_src('upper("${true + 1}-x")')
    assert len(diags) == 1 and isinstance(value, Unknown)


# -- references -------------------------------------------------------------------------

def test_variable_local_and_path_references(tmp_path):
    ctx = EvalContext(variables={"psk": "k", "sites": {"sh": {"cidr": "10.0.0.0/16"}}},
                      path_module="/m", path_root="/r", path_cwd="/c", workspace="prod")
    LazyLocals({"a": parse_expr('"${var.psk}-${local.b}"'), "b": parse_expr("2")}).bind(ctx)
    assert evaluate(parse_expr('var.sites["sh"].cidr'), ctx)[0] == "10.0.0.0/16"
    assert evaluate(parse_expr("local.a"), ctx)[0] == "k-2"
    assert evaluate(parse_expr("[path.module, path.root, path.cwd, terraform.workspace]"),
                    ctx)[0] == ["/m", "/r", "/c", "prod"]


def test_undeclared_variable_suggests_a_name():
    _, diags = eval_src("var.pks", variables={"psk": "x"})
    d = diags.items[0]
    assert d.summary == "Reference to undeclared input variable"
    assert d.detail == 'An input variable with the name "pks" has not been declared. Did you ' \
        'mean "psk"?'
    assert str(d.subject) == "main.tf:1,5"
    _, diags = eval_src("var.zzz", variables={"psk": "x"})
    assert "variable \"zzz\" {} block" in diags.items[0].detail


def test_declared_variable_without_value_is_unknown():
    value, diags = eval_src("var.x", declared_variables={"x"})
    assert isinstance(value, Unknown) and not diags


def test_locals_cycle_is_a_diagnostic():
    ctx = EvalContext()
    LazyLocals({"a": parse_expr("local.b + 1"), "b": parse_expr("local.a")}).bind(ctx)
    value, diags = evaluate(parse_expr("local.a"), ctx)
    assert [d.summary for d in diags] == ["Cycle in local values"]
    assert "local.a -> local.b -> local.a" in diags.items[0].detail


def test_locals_as_a_plain_mapping_and_as_a_callable():
    assert ok("local.x", locals={"x": 5}) == 5
    calls = []

    def loc(name):
        calls.append(name)
        return (NOT_DECLARED, type(calls)()) if name != "x" else (7, __import__(
            "engine.diagnostics").diagnostics.Diagnostics())

    value, diags = eval_src("local.x + 1", locals=loc)
    assert value == 8 and not diags
    _, diags = eval_src("local.y", locals=loc)
    assert diags.items[0].summary == "Reference to undeclared local value"


VPC = ResourceAddr(MANAGED, "tencentcloud_vpc", "main")
CONN = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "c")
MULTI = ResourceAddr(MANAGED, "tencentcloud_vpc", "multi")
EACH = ResourceAddr(MANAGED, "tencentcloud_vpc", "each")
DS = ResourceAddr(DATA, "tencentcloud_images", "all")

RESOURCES = {
    VPC: {"id": Unknown(STRING), "cidr_block": "10.0.0.0/16"},
    CONN: {"id": "vpnx-1", "security_group_policy": [
        {"local_cidr_block": "10.0.0.0/16", "remote_cidr_block": ["192.168.0.0/24"]}]},
    MULTI: [{"id": "a"}, {"id": "b"}],
    EACH: InstanceMap({"sh": {"id": "s"}, "bj": {"id": "b"}}),
    DS: {"ids": ["img-1"]},
}


def rctx(**kw) -> EvalContext:
    return EvalContext(resource_value=lambda a: RESOURCES.get(a, NOT_DECLARED),
                       declared_resources=set(RESOURCES), **kw)


@pytest.mark.parametrize("src, expected", [
    ("tencentcloud_vpc.main.cidr_block", "10.0.0.0/16"),
    ("tencentcloud_vpn_connection.c.security_group_policy[0].local_cidr_block", "10.0.0.0/16"),
    ("tencentcloud_vpn_connection.c.security_group_policy.0.remote_cidr_block[0]",
     "192.168.0.0/24"),
    ("tencentcloud_vpc.multi[1].id", "b"),
    ("tencentcloud_vpc.multi[*].id", ["a", "b"]),
    ('tencentcloud_vpc.each["sh"].id', "s"),
    ("data.tencentcloud_images.all.ids[0]", "img-1"),
    ("resource.tencentcloud_vpc.main.cidr_block", "10.0.0.0/16"),
    ("length(tencentcloud_vpc.multi)", 2),
])
def test_resource_references(src, expected):
    value, diags = evaluate(parse_expr(src), rctx())
    assert not diags and value == expected


def test_computed_attributes_are_unknown_and_propagate():
    value, diags = evaluate(parse_expr('"${tencentcloud_vpc.main.id}-x"'), rctx())
    assert not diags and isinstance(value, Unknown) and value.type == STRING
    value, _ = evaluate(parse_expr("tencentcloud_vpc.main.id == null"), rctx())
    assert isinstance(value, Unknown)


def test_resource_reference_errors():
    _, d = evaluate(parse_expr("tencentcloud_vpc.mian.id"), rctx())
    assert d.items[0].summary == "Reference to undeclared resource"
    assert d.items[0].detail == ('A managed resource "tencentcloud_vpc" "mian" has not been '
                                 'declared in the root module. Did you mean "main"?')
    _, d = evaluate(parse_expr("tencentcloud_vpc.multi.id"), rctx())
    assert d.items[0].summary == "Missing resource instance key"
    assert "tencentcloud_vpc.multi[count.index]" in d.items[0].detail
    _, d = evaluate(parse_expr("tencentcloud_vpc.each.id"), rctx())
    assert "tencentcloud_vpc.each[each.key]" in d.items[0].detail
    _, d = evaluate(parse_expr("data.tencentcloud_imgs.all.ids"), rctx())
    assert d.items[0].detail.startswith('A data resource "tencentcloud_imgs" "all" has not')


def test_resources_read_as_unknown_without_a_resource_callback():
    value, diags = eval_src("tencentcloud_vpc.main.id")
    assert isinstance(value, Unknown) and not diags


def test_count_and_each():
    assert ok("count.index * 2", count_index=3) == 6
    assert ok('"${each.key}=${each.value}"', each_key="sh", each_value="10.0.0.0/16",
              has_each=True) == "sh=10.0.0.0/16"
    assert isinstance(ok("count.index", count_index=Unknown(NUMBER)), Unknown)


@pytest.mark.parametrize("src, kind, name, addr, remaining", [
    ("var.psk", "var", "psk", None, 0),
    ("var.sites.sh.cidr", "var", "sites", None, 2),
    ("local.x[0]", "local", "x", None, 1),
    ("count.index", "count", "index", None, 0),
    ("each.value.cidr", "each", "value", None, 1),
    ("path.module", "path", "module", None, 0),
    ("terraform.workspace", "terraform", "workspace", None, 0),
    ("self.id", "self", "self", None, 1),
    ("module.site.vpc_id", "module", "site", None, 1),
    ("tencentcloud_vpc.main.id", "resource", "main", "tencentcloud_vpc.main", 1),
    ("tencentcloud_vpc.main[0].id", "resource", "main", "tencentcloud_vpc.main", 2),
    ("resource.tencentcloud_vpc.main.id", "resource", "main", "tencentcloud_vpc.main", 1),
    ("data.tencentcloud_images.all.ids", "data", "all", "data.tencentcloud_images.all", 1),
])
def test_reference_classification(src, kind, name, addr, remaining):
    ref, diags = reference_of(parse_expr(src).traversal)
    assert not diags
    assert (ref.kind, ref.name, str(ref.addr) if ref.addr else None, len(ref.remaining)) == (
        kind, name, addr, remaining)


def test_reference_instance_key_and_subject_range():
    ref, _ = reference_of(parse_expr('tencentcloud_vpc.main["k"].id').traversal)
    assert ref.instance_key == "k"
    assert str(ref.range) == "main.tf:1,5"
    assert ref.range.end.column == len("x = tencentcloud_vpc.main") + 1


@pytest.mark.parametrize("src, summary, fragment", [
    ("var", "Invalid reference", 'The "var" object cannot be accessed directly.'),
    ("var[0]", "Invalid reference", 'The "var" object does not support this operation.'),
    ("count.foo", 'Invalid "count" attribute', "The only supported attribute is count.index"),
    ("each.item", 'Invalid "each" attribute', "each.key and each.value"),
    ("path.modul", 'Invalid "path" attribute', "path.module, path.root and path.cwd"),
    ("terraform.env2", 'Invalid "terraform" attribute', "terraform.workspace"),
    ("data.x", "Invalid reference", "data source type and name"),
    ("tencentcloud_vpc", "Invalid reference", "write var.tencentcloud_vpc or local."),
    ("vars.x", "Invalid reference", None),
    ("loca", "Invalid reference", 'Did you mean "local"?'),
])
def test_invalid_references(src, summary, fragment):
    ref, diags = reference_of(parse_expr(src).traversal)
    if src == "vars.x":  # `vars.x` is a (valid-looking) resource reference
        assert ref is not None and ref.kind == "resource"
        return
    assert ref is None and diags.items[0].summary == summary
    assert fragment in diags.items[0].detail


# -- unknown and sensitive --------------------------------------------------------------

U = Unknown()


@pytest.mark.parametrize("src", [
    "var.u + 1", "var.u == 1", "var.u < 1", "!var.u", "-var.u", '"a${var.u}"',
    "var.u ? 1 : 2", "[for x in var.u : x]", "var.u[*].a", "var.u.a", "var.u[0]",
    "[1][var.u]", "upper(var.u)", "{(var.u) = 1}", "true && var.u", "concat([1], var.u...)",
])
def test_unknown_operands_give_unknown_results(src):
    value, diags = eval_src(src, variables={"u": U})
    assert not diags and isinstance(value, Unknown)


def test_unknown_exceptions():
    assert ok("length([var.u, 1])", variables={"u": U}) == 2
    assert ok("true ? 1 : var.u", variables={"u": U}) == 1
    assert ok("false && var.u", variables={"u": U}) is False
    assert ok("true || var.u", variables={"u": U}) is True
    assert ok("var.u == null || true", variables={"u": U}) is True
    v = ok("[var.u, 2]", variables={"u": U})
    assert isinstance(v[0], Unknown) and v[1] == 2


S = Sensitive("secret")


@pytest.mark.parametrize("src, plain", [
    ('"k-${var.s}"', "k-secret"), ("upper(var.s)", "SECRET"), ("var.s == \"secret\"", True),
    ("length(var.s)", 6), ("var.n + 1", 2), ("var.b ? 1 : 2", 1),
    ("var.l[0]", "a"), ("var.m.k", "v"), ("[for x in var.l : x]", ["a"]),
    ("jsonencode({a = var.s})", '{"a":"secret"}'),
])
def test_sensitive_operands_give_sensitive_results(src, plain):
    variables = {"s": S, "n": Sensitive(1), "b": Sensitive(True), "l": Sensitive(["a"]),
                 "m": Sensitive({"k": "v"})}
    value = ok(src, variables=variables)
    assert isinstance(value, Sensitive) and value.value == plain


def test_sensitive_marks_stay_on_leaves():
    variables = {"obj": {"user": "u", "psk": Sensitive("p")}}
    assert ok("var.obj.user", variables=variables) == "u"
    assert ok("var.obj.psk", variables=variables) == Sensitive("p")
    v = ok("[var.obj.user, var.obj.psk]", variables=variables)
    assert v[0] == "u" and isinstance(v[1], Sensitive)
    assert ok("nonsensitive(var.obj.psk)", variables=variables) == "p"
    merged = ok('merge(var.obj, {x = 1})', variables=variables)
    assert not isinstance(merged, Sensitive) and isinstance(merged["psk"], Sensitive)


# -- constants, suggestions ---------------------------------------------------------------

def test_evaluate_constant_rejects_references_and_calls():
    _, d = evaluate_constant(parse_expr("[1, var.x]"))
    assert d.items[0].summary == "Variables not allowed"
    assert str(d.items[0].subject) == "main.tf:1,9"
    _, d = evaluate_constant(parse_expr('upper("x")'))
    assert d.items[0].summary == "Function calls not allowed"
    value, d = evaluate_constant(parse_expr("[for x in [1, 2] : x * 2]"))
    assert value == [2, 4] and not d


def test_did_you_mean():
    assert did_you_mean("bandwith", ["bandwidth", "name"]) == "bandwidth"
    assert did_you_mean("zzzzzz", ["bandwidth", "name"]) is None


@given(st.integers(min_value=-10**6, max_value=10**6),
       st.integers(min_value=-10**6, max_value=10**6))
def test_integer_arithmetic_matches_python(a, b):
    value, diags = evaluate(parse_expr("var.a + var.b * 2 - var.a"),
                            EvalContext(variables={"a": a, "b": b}))
    assert not diags and value == b * 2 and type(value) is int


@pytest.mark.parametrize("src, expected", [
    ("[1, 2] == tolist([1, 2])", False), ("tolist([1, 2]) == tolist([1, 2])", True),
    ("tomap({a = 1}) == {a = 1}", False), ("tolist([1]) == toset([1])", False),
    ("toset([1, 2]) == toset([2, 1])", True), ("[[1]] == [tolist([1])]", False),
    ("toset([{a = 1}, {a = 2}]) == toset([{a = 2}, {a = 1}])", True),
])
def test_equality_tells_tuples_from_lists_and_objects_from_maps(src, expected):
    value, diags = eval_src(src)
    assert not diags and value is expected


def test_equality_with_sensitive_operands_keeps_kinds_and_marks_the_result():
    value, diags = eval_src("sensitive(tolist([1])) == [1]")
    assert not diags and isinstance(value, Sensitive) and value.value is False
    value, diags = eval_src("tolist([sensitive(1)]) == tolist([1])")
    assert not diags and isinstance(value, Sensitive) and value.value is True


def test_type_is_a_console_only_function():
    from engine.config.hcl import parse_expression
    value, diags = eval_src("type(1)")
    assert [d.summary for d in diags] == ["Call to unknown function"]
    expr, _ = parse_expression("type(tolist([{a = 1}]))", "<console-input>")
    value, diags = evaluate(expr, EvalContext())
    assert not diags and str(value) == "list(\n    object({\n        a: number,\n    }),\n)"
