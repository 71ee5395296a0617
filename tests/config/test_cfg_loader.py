"""Loading a module directory into the static model."""

from __future__ import annotations

import pytest
from cfg_helpers import parse_expr

from engine.addrs import DATA, MANAGED, ResourceAddr
from engine.config.loader import load_module, type_from_expr
from engine.config.model import NO_DEFAULT
from engine.values import (
    ANY,
    BOOL,
    NUMBER,
    STRING,
    ConversionError,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
)

MAIN = '''\
terraform {
  required_version = ">= 1.5"
  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = ">= 1.81.0"
    }
  }
  backend "local" {
    path = "state/terraform.tfstate"
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

provider "tencentcloud" {
  alias  = "hk"
  region = "ap-hongkong"
}
'''

RESOURCES = '''\
locals {
  prefix = "vpn"
}

locals {
  cidrs = { sh = "10.1.0.0/16", bj = "10.2.0.0/16" }
}

resource "tencentcloud_vpc" "main" {
  for_each   = local.cidrs
  name       = "${local.prefix}-${each.key}"
  cidr_block = each.value
  provider   = tencentcloud.hk
  depends_on = [data.tencentcloud_images.all, tencentcloud_vpn_gateway.gw[0]]

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [tags["owner"], name]
    replace_triggered_by  = [tencentcloud_vpn_gateway.gw[0].id]
    precondition {
      condition     = length(local.cidrs) > 0
      error_message = "Need CIDRs."
    }
  }
}

resource "tencentcloud_vpn_gateway" "gw" {
  count = 2
  name  = "gw-${count.index}"
  lifecycle {
    ignore_changes = all
  }
}

data "tencentcloud_images" "all" {
}

output "vpc_ids" {
  value       = [for v in tencentcloud_vpc.main : v.id]
  description = "The VPCs"
  sensitive   = true
  depends_on  = [tencentcloud_vpn_gateway.gw]
}
'''

VARIABLES = '''\
variable "psk" {
  type        = string
  description = "Pre-shared key"
  sensitive   = true
}

variable "sites" {
  type = map(object({
    cidr = string
    peer = optional(string, "0.0.0.0")
  }))
  default = { sh = { cidr = "10.1.0.0/16" } }
  validation {
    condition     = length(var.sites) > 0
    error_message = "At least one site."
  }
}

variable "opt" {
  type     = number
  default  = null
  nullable = true
}
'''


@pytest.fixture
def module(module_dir):
    d = module_dir({"main.tf": MAIN, "resources.tf": RESOURCES, "variables.tf": VARIABLES,
                    "notes.txt": "ignored"})
    m, diags = load_module(d)
    assert not diags, [(x.summary, x.detail, str(x.subject)) for x in diags]
    return m


def test_files_and_terraform_block(module):
    assert sorted(module.files) == ["main.tf", "resources.tf", "variables.tf"]
    assert module.files["main.tf"] == MAIN
    assert module.required_version == ">= 1.5"
    rp = module.required_providers["tencentcloud"]
    assert (rp.source, rp.version) == ("tencentcloudstack/tencentcloud", ">= 1.81.0")
    assert module.backend.type == "local"
    assert "path" in module.backend.body.attributes
    assert set(module.providers) == {("tencentcloud", None), ("tencentcloud", "hk")}
    hk = module.providers[("tencentcloud", "hk")]
    assert "alias" not in hk.body.attributes and "region" in hk.body.attributes
    assert str(hk.range) == "main.tf:18,1"


def test_resources_and_meta_arguments(module):
    vpc = module.resources[ResourceAddr(MANAGED, "tencentcloud_vpc", "main")]
    assert sorted(vpc.body.attributes) == ["cidr_block", "name"]  # meta-arguments removed
    assert vpc.body.blocks == []
    assert vpc.for_each is not None and vpc.count is None
    assert (vpc.provider.name, vpc.provider.alias) == ("tencentcloud", "hk")
    assert [str(t) for t in vpc.depends_on] == ["data.tencentcloud_images.all",
                                                "tencentcloud_vpn_gateway.gw[0]"]
    lc = vpc.lifecycle
    assert lc.create_before_destroy and not lc.prevent_destroy
    assert lc.ignore_changes == ["tags", "name"]
    assert lc.ignore_changes_paths == [("tags", "owner"), ("name",)]
    assert [str(t) for e in lc.replace_triggered_by for t in e.traversals()] == [
        "tencentcloud_vpn_gateway.gw[0].id"]
    assert len(lc.preconditions) == 1
    assert str(vpc.range) == "resources.tf:9,1" and str(vpc.type_range) == "resources.tf:9,10"
    gw = module.resources[ResourceAddr(MANAGED, "tencentcloud_vpn_gateway", "gw")]
    assert gw.count is not None and gw.provider.name == "tencentcloud" and gw.provider.alias is None
    assert gw.lifecycle.ignore_changes == ["*"]
    assert ResourceAddr(DATA, "tencentcloud_images", "all") in module.resources
    assert module.provider_names() == {"tencentcloud"}


def test_locals_outputs_variables(module):
    assert sorted(module.locals) == ["cidrs", "prefix"]
    out = module.outputs["vpc_ids"]
    assert out.sensitive and out.description == "The VPCs"
    assert [str(t) for t in out.depends_on] == ["tencentcloud_vpn_gateway.gw"]
    psk = module.variables["psk"]
    assert psk.type == STRING and psk.sensitive and not psk.has_default
    assert psk.default is NO_DEFAULT and psk.description == "Pre-shared key"
    assert str(psk.range) == "variables.tf:1,1"
    sites = module.variables["sites"]
    assert sites.default == {"sh": {"cidr": "10.1.0.0/16", "peer": "0.0.0.0"}}
    assert len(sites.validations) == 1
    opt = module.variables["opt"]
    assert opt.has_default and opt.default is None


def test_default_provider_is_the_type_prefix(module_dir):
    m, d = load_module(module_dir({"a.tf": 'resource "strongswan_conn" "x" {\n}\n'}))
    assert not d
    res = next(iter(m.resources.values()))
    assert res.provider.name == "strongswan" and res.provider.alias is None


def test_diagnostic_filenames_are_relative(module_dir):
    d = module_dir({"b.tf": 'resouce "x" "y" {\n}\n'})
    _, diags = load_module(d)
    [diag] = diags.items
    assert str(diag.subject) == "b.tf:1,1"
    assert diag.detail == 'Blocks of type "resouce" are not expected here. Did you mean ' \
                          '"resource"?'


def test_errors_in_several_files_are_all_reported(module_dir):
    d = module_dir({"a.tf": "x = \n", "b.tf": 'variable "v" {\n  type = strng\n}\n'})
    m, diags = load_module(d)
    assert [(x.summary, str(x.subject)) for x in diags] == [
        ("Invalid expression", "a.tf:1,5"), ("Invalid type specification", "b.tf:2,10")]


def test_no_configuration_files_and_missing_directory(tmp_path, module_dir):
    _, diags = load_module(str(tmp_path / "nope"))
    assert diags.items[0].summary == "Failed to read module directory"
    m, diags = load_module(module_dir({"README.md": "x"}))
    assert m is not None and diags.items[0].summary == "No configuration files"


def test_parse_cache_dir(module_dir, tmp_path):
    d = module_dir({"main.tf": MAIN})
    cache = str(tmp_path / "cache")
    m1, _ = load_module(d, cache_dir=cache)
    m2, diags = load_module(d, cache_dir=cache)
    assert not diags and set(m2.providers) == set(m1.providers)


@pytest.mark.parametrize("src, expected", [
    ("string", STRING), ("number", NUMBER), ("bool", BOOL), ("any", ANY),
    ("list(string)", ListType(STRING)), ("set(number)", SetType(NUMBER)),
    ("map(list(bool))", MapType(ListType(BOOL))),
    ("tuple([string, number])", TupleType([STRING, NUMBER])),
    ("object({a = string, b = list(number)})",
     ObjectType({"a": STRING, "b": ListType(NUMBER)})),
    ('object({a = optional(string, "x"), b = optional(number)})',
     ObjectType({"a": STRING, "b": NUMBER}, frozenset({"a", "b"}), {"a": "x"})),
])
def test_type_expressions(src, expected):
    t, diags = type_from_expr(parse_expr(src))
    assert not diags and t == expected


def test_optional_attributes_get_defaults_on_conversion():
    t, _ = type_from_expr(parse_expr('list(object({a = string, b = optional(number, 5)}))'))
    assert t.convert([{"a": "x"}, {"a": "y", "b": 1}]) == [{"a": "x", "b": 5},
                                                          {"a": "y", "b": 1}]
    with pytest.raises(ConversionError):
        t.convert([{"b": 1}])


@pytest.mark.parametrize("src, detail", [
    ("strin", 'The keyword "strin" is not a valid type specification. Did you mean "string"?'),
    ("list", "The list type constructor requires one argument specifying the element type."),
    ("lst(string)", 'Keyword "lst" is not a valid type constructor. Did you mean "list"?'),
    ("optional(string)",
     'Keyword "optional" is valid only as a modifier for object type attributes.'),
    ("tuple(string)", "The tuple type constructor requires a list of element types."),
    ("list(string, number)", "The list type constructor requires one argument."),
    ("1 + 1", None),
])
def test_invalid_type_expressions(src, detail):
    t, diags = type_from_expr(parse_expr(src))
    assert t is None and diags.items[0].summary == "Invalid type specification"
    if detail:
        assert diags.items[0].detail == detail


def test_crlf_files_load_with_correct_positions(module_dir):
    d = module_dir({"main.tf": 'variable "v" {\r\n  type = strng\r\n}\r\n'})
    _, diags = load_module(d)
    assert [(x.summary, str(x.subject)) for x in diags] == [
        ("Invalid type specification", "main.tf:2,10")]
