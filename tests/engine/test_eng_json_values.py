"""The value helpers of the JSON documents: unknowns left out, sensitive parts null unless
asked for, and Terraform's after_unknown / *_sensitive shapes; references as Terraform
lists them."""

from __future__ import annotations

from engine.config.hcl import parse_expression
from engine.plan.json_plan import constant_value, references
from engine.state.json_state import json_value, scrub, sensitive_shape, unknown_shape
from engine.values import UNKNOWN, Sensitive

VALUE = {"name": "x", "psk": Sensitive("s3cret-psk"), "id": UNKNOWN,
         "policy": [{"local": "10.0.0.0/24", "remote": [Sensitive("10.1.0.0/24"), "b"]}],
         "tags": None}


def test_json_value_redacts_and_leaves_out_unknowns():
    assert json_value(VALUE) == {"name": "x", "psk": None, "tags": None,
                                 "policy": [{"local": "10.0.0.0/24", "remote": [None, "b"]}]}
    assert json_value(VALUE, show_sensitive=True)["psk"] == "s3cret-psk"
    assert json_value([UNKNOWN, 1]) == [None, 1]
    assert json_value(Sensitive(UNKNOWN), show_sensitive=True) is None


def test_shapes():
    assert unknown_shape(VALUE) == {"id": True, "policy": [{"remote": [False, False]}]}
    assert sensitive_shape(VALUE) == {"psk": True, "policy": [{"remote": [True, False]}]}
    assert sensitive_shape(Sensitive({"a": 1})) is True
    assert sensitive_shape("x") is False and unknown_shape(UNKNOWN) is True


def test_scrub_replaces_known_secrets_in_every_string():
    doc = {"a": ["name-s3cret-psk", 1], "s3cret-psk": None}
    assert scrub(doc, {"s3cret-psk"}) == {"a": ["name-(sensitive value)", 1],
                                         "(sensitive value)": None}


def _expr(text):
    expr, diags = parse_expression(text, "t.tf")
    assert not diags.has_errors, diags
    return expr


def test_references_as_terraform_lists_them():
    assert references(_expr("tencentcloud_vpc.tom.id")) == ["tencentcloud_vpc.tom.id",
                                                            "tencentcloud_vpc.tom"]
    assert references(_expr('module.site["sh"].tunnel_id')) == [
        'module.site["sh"].tunnel_id', 'module.site["sh"]', "module.site"]
    assert references(_expr("data.x_y.z[0].list[1].id")) == [
        "data.x_y.z[0].list[1].id", "data.x_y.z[0].list[1]", "data.x_y.z[0].list",
        "data.x_y.z[0]", "data.x_y.z"]
    assert references(_expr("var.a.b")) == ["var.a.b", "var.a"]
    assert references(_expr("[for s in var.sites : s.cidr]")) == ["var.sites"]


def test_constant_values():
    assert constant_value(_expr('{a = "x", b = [1, -2, true]}')) == {"a": "x",
                                                                     "b": [1, -2, True]}
    assert constant_value(_expr('"plain"')) == "plain"
