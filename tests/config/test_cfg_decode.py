"""Decoding a body against a schema: value shape, attribute-path ranges, diagnostics."""

from __future__ import annotations

import pytest
from cfg_helpers import FAKE_SCHEMAS, parse_body

from engine.config.decode import body_traversals, decode_body
from engine.config.evaluate import EvalContext
from engine.schema import SINGLE, Attribute, Block, NestedBlock
from engine.values import NUMBER, STRING, ListType, Sensitive, Unknown

CONN = '''\
resource "tencentcloud_vpn_connection" "c" {
  name                = "c-${var.site}"
  vpn_gateway_id      = var.gw
  customer_gateway_id = "cgw-1"
  pre_share_key       = var.psk
  security_group_policy {
    local_cidr_block  = "10.0.0.0/16"
    remote_cidr_block = ["192.168.0.0/24", "192.168.1.0/24"]
  }
  security_group_policy {
    local_cidr_block  = "10.1.0.0/16"
    remote_cidr_block = ["192.168.2.0/24"]
  }
  ike_options {
    proto = "ikev2"
  }
}
'''


def decode(src: str, schema: Block, **ctx):
    blk = parse_body(src).blocks[0]
    return decode_body(blk.body, schema, EvalContext(**ctx), blk.range), blk


def test_value_shape_and_ranges():
    variables = {"site": "sh", "gw": Unknown(STRING), "psk": Sensitive("k")}
    dec, blk = decode(CONN, FAKE_SCHEMAS["tencentcloud_vpn_connection"], variables=variables)
    assert not dec.diagnostics
    v = dec.value
    assert v["name"] == "c-sh"
    assert isinstance(v["vpn_gateway_id"], Unknown)  # unknown passes through conversion
    assert v["pre_share_key"] == Sensitive("k")  # and so do marks
    assert v["id"] is None  # every schema attribute is present
    assert [p["local_cidr_block"] for p in v["security_group_policy"]] == [
        "10.0.0.0/16", "10.1.0.0/16"]
    assert v["ike_options"] == {"proto": "ikev2", "dh_group": None}
    r = dec.ranges
    assert str(r[("name",)]) == "main.tf:2,25"
    assert str(r[("security_group_policy", 0)]) == "main.tf:6,3"
    assert str(r[("security_group_policy", 1)]) == "main.tf:10,3"
    assert str(r[("security_group_policy", 1, "local_cidr_block")]) == "main.tf:11,25"
    assert str(r[("security_group_policy", 0, "remote_cidr_block", 1)]) == "main.tf:8,44"
    assert str(r[("ike_options", "proto")]) == "main.tf:15,13"
    # unknown paths fall back to their nearest ancestor
    assert str(dec.range_for(("security_group_policy", 1, "remote_cidr_block", 7))) == \
        "main.tf:12,25"
    assert dec.range_for(("nothing",)) is None


def test_absent_blocks_decode_empty():
    src = 'resource "x" "y" {\n  name = "n"\n  vpn_gateway_id = "g"\n' \
          '  customer_gateway_id = "c"\n  pre_share_key = "k"\n}\n'
    dec, _ = decode(src, FAKE_SCHEMAS["tencentcloud_vpn_connection"])
    assert not dec.diagnostics
    assert dec.value["security_group_policy"] == [] and dec.value["ike_options"] is None


GW = FAKE_SCHEMAS["tencentcloud_vpn_gateway"]


@pytest.mark.parametrize("body, summary, detail, where", [
    ('name = "g"\n  bandwith = 5', "Unsupported argument",
     'An argument named "bandwith" is not expected here. Did you mean "bandwidth"?', "3,3"),
    ('bandwidth = 5', "Missing required argument",
     'The argument "name" is required, but no definition was found.', "1,1"),
    ('name = "g"\n  bandwidth = "fast"', "Incorrect attribute value type",
     'Inappropriate value for attribute "bandwidth": a number is required.', "3,15"),
    # as Terraform words it: a string that is no number, a value of another kind
    ('name = "g"\n  bandwidth = [1]', "Incorrect attribute value type",
     'Inappropriate value for attribute "bandwidth": number required.', "3,15"),
    ('name = "g"\n  public_ip_address = "1.2.3.4"', "Value for unconfigurable attribute",
     'Can\'t configure a value for "public_ip_address": its value will be decided '
     "automatically based on the result of applying this configuration.", "3,3"),
    ('name = "g"\n  tags {\n  }', "Unsupported block type",
     'Blocks of type "tags" are not expected here.', "3,3"),
    ('name = "g"\n  bandwidth {\n  }', "Unsupported block type",
     'Blocks of type "bandwidth" are not expected here. Did you mean to define argument '
     '"bandwidth"? If so, use the equals sign to assign it a value.', "3,3"),
    ('name = null', "Missing required argument",
     'The argument "name" is required, but no definition was found: its value is null.', "2,10"),
    ('name = var.nope', "Reference to undeclared input variable", None, "2,10"),
])
def test_decode_diagnostics(body, summary, detail, where):
    dec, _ = decode(f'resource "tencentcloud_vpn_gateway" "gw" {{\n  {body}\n}}\n', GW)
    d = dec.diagnostics.errors[0]
    assert d.summary == summary
    if detail:
        assert d.detail == detail
    assert f"{d.subject.start.line},{d.subject.start.column}" == where


def test_blocks_given_as_arguments_and_block_limits():
    src = '''\
resource "tencentcloud_vpn_connection" "c" {
  name = "c"
  vpn_gateway_id = "g"
  customer_gateway_id = "c"
  pre_share_key = "k"
  security_group_policy = []
  ike_options {
  }
  ike_options {
  }
  ike_options "x" {
  }
}
'''
    dec, _ = decode(src, FAKE_SCHEMAS["tencentcloud_vpn_connection"])
    got = [(d.summary, str(d.subject), d.detail) for d in dec.diagnostics]
    assert got == [
        ("Unsupported argument", "main.tf:6,3",
         'An argument named "security_group_policy" is not expected here. Did you mean to '
         'define a block of type "security_group_policy"?'),
        ("Duplicate ike_options block", "main.tf:9,3",
         'Only one "ike_options" block is allowed. Another was defined at main.tf:7,3.'),
        ("Extraneous label for ike_options", "main.tf:11,15",
         "No labels are expected for ike_options blocks."),
    ]


def test_min_and_max_items():
    schema = Block(block_types={"rule": NestedBlock(
        Block(attributes={"n": Attribute(NUMBER, optional=True)}), min_items=1, max_items=1)})
    dec, _ = decode('x "y" {\n}\n', schema)
    assert [(d.summary, d.detail, str(d.subject)) for d in dec.diagnostics] == [
        ("Insufficient rule blocks", 'At least 1 "rule" blocks are required.', "main.tf:1,1")]
    dec, _ = decode('x "y" {\n  rule {\n  }\n  rule {\n  }\n}\n', schema)
    assert [(d.summary, str(d.subject)) for d in dec.diagnostics] == [
        ("Too many rule blocks", "main.tf:4,3")]


def test_validators_run_on_known_unmarked_values_only():
    seen = []

    def check(v):
        seen.append(v)
        return None if v in ("ok", ["ok"]) else "must be ok"

    schema = Block(attributes={"a": Attribute(STRING, optional=True, validators=(check,)),
                               "l": Attribute(ListType(STRING), optional=True,
                                              validators=(check,))})
    dec, _ = decode('x "y" {\n  a = var.s\n  l = [var.s]\n}\n', schema,
                    variables={"s": Sensitive("ok")})
    assert not dec.diagnostics and seen == ["ok", ["ok"]]
    dec, _ = decode('x "y" {\n  a = var.u\n}\n', schema, variables={"u": Unknown()})
    assert not dec.diagnostics and len(seen) == 2  # not called for unknown
    dec, _ = decode('x "y" {\n  a = "bad"\n}\n', schema)
    d = dec.diagnostics.items[0]
    assert (d.summary, d.detail, str(d.subject), d.attribute_path) == (
        "Invalid value for argument", "must be ok.", "main.tf:2,7", ("a",))


def test_single_nested_block_value_and_sensitive_nested_attributes():
    schema = Block(block_types={"opts": NestedBlock(Block(attributes={
        "key": Attribute(STRING, required=True, sensitive=True)}), nesting=SINGLE)})
    dec, _ = decode('x "y" {\n  opts {\n    key = var.k\n  }\n}\n', schema,
                    variables={"k": Sensitive("s")})
    assert dec.value == {"opts": {"key": Sensitive("s")}}
    assert str(dec.ranges[("opts", "key")]) == "main.tf:3,11"
    dec, _ = decode('x "y" {\n  opts {\n  }\n}\n', schema)
    d = dec.diagnostics.items[0]
    assert (d.summary, str(d.subject)) == ("Missing required argument", "main.tf:2,3")


def test_body_traversals_walks_nested_blocks():
    blk = parse_body(CONN).blocks[0]
    assert [str(t) for t in body_traversals(blk.body)] == ["var.site", "var.gw", "var.psk"]
