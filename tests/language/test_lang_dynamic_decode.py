"""decode_body expands dynamic blocks: nested ones, key/value, unknown for_each, ranges."""

from __future__ import annotations

from engine.config import hcl
from engine.config.decode import decode_body
from engine.config.evaluate import EvalContext
from engine.schema import LIST, Attribute, Block, NestedBlock
from engine.values import STRING, ListType, Unknown

SCHEMA = Block(attributes={"name": Attribute(STRING, optional=True)}, block_types={
    "policy": NestedBlock(Block(
        attributes={"local": Attribute(STRING, required=True)},
        block_types={"remote": NestedBlock(Block(attributes={
            "cidr": Attribute(STRING, required=True),
            "tag": Attribute(STRING, optional=True)}), LIST)}), LIST),
    "tags": NestedBlock(Block(attributes={"v": Attribute(ListType(STRING), optional=True)}),
                        LIST),
})


def decode(src: str, variables: dict | None = None):
    body, d = hcl.parse(src, "main.tf")
    assert not d.has_errors, d
    ctx = EvalContext(variables=variables or {}, declared_variables=set(variables or {}))
    return decode_body(body, SCHEMA, ctx, None)


NESTED = '''
dynamic "policy" {
  for_each = var.spd
  content {
    local = policy.key
    dynamic "remote" {
      for_each = policy.value
      iterator = r
      content {
        cidr = r.value
        tag  = "${policy.key}/${r.key}"
      }
    }
  }
}
policy {
  local = "literal"
}
'''


def test_nested_dynamic_blocks_are_like_literal_blocks():
    out = decode(NESTED, {"spd": {"b": ["10.0.2.0/24"], "a": ["10.0.1.0/24", "10.0.3.0/24"]}})
    assert not out.diagnostics, out.diagnostics
    assert out.value["policy"] == [
        {"local": "a", "remote": [{"cidr": "10.0.1.0/24", "tag": "a/0"},
                                  {"cidr": "10.0.3.0/24", "tag": "a/1"}]},
        {"local": "b", "remote": [{"cidr": "10.0.2.0/24", "tag": "b/0"}]},
        {"local": "literal", "remote": []},
    ]
    # attribute paths of generated blocks point at the content's expressions
    r = out.ranges[("policy", 0, "remote", 1, "cidr")]
    assert (r.start.line, r.start.column) == (10, 16)
    r = out.ranges[("policy", 1, "local")]
    assert (r.start.line, r.start.column) == (5, 13)
    assert out.ranges[("policy", 2)].start.line == 16


def test_unknown_for_each_makes_the_block_list_unknown():
    out = decode(NESTED, {"spd": Unknown()})
    assert not out.diagnostics.has_errors
    assert isinstance(out.value["policy"], Unknown)


def test_errors_carry_locations():
    out = decode('dynamic "policy" {\n  for_each = "x"\n  content { local = "a" }\n}\n'
                 'dynamic "polcy" {\n  for_each = []\n  content {}\n}\n'
                 'dynamic "name" {\n  for_each = []\n  content {}\n}\n')
    got = [(d.summary, d.subject.start.line, d.subject.start.column)
           for d in out.diagnostics]
    assert got == [("Invalid dynamic for_each value", 2, 14),
                   ("Unsupported block type", 5, 9),
                   ("Unsupported block type", 9, 9)]
    details = [d.detail for d in out.diagnostics]
    assert "Cannot use a string value in for_each" in details[0]
    assert 'Did you mean "policy"?' in details[1]
    assert "argument" in details[2]


def test_iterator_must_be_a_name_and_content_is_required():
    out = decode('dynamic "policy" {\n  for_each = []\n  iterator = "p"\n  content {}\n}\n'
                 'dynamic "policy" {\n  for_each = []\n}\n')
    assert [(d.summary, d.subject.start.line) for d in out.diagnostics] == [
        ("Invalid expression", 3), ("Missing content block", 6)]


def test_sensitive_for_each_marks_the_generated_values():
    from engine.values import Sensitive, contains_sensitive
    out = decode('dynamic "tags" {\n  for_each = var.t\n  content { v = [tags.value] }\n}\n',
                 {"t": Sensitive(["s1"])})
    assert not out.diagnostics, out.diagnostics
    assert contains_sensitive(out.value["tags"])
