""""Did you mean" for misspelled names everywhere a user writes one, worded as Terraform
words it and suggested as Terraform suggests (Levenshtein distance below 3): arguments and
block types of resources, nested blocks, data sources and provider blocks; resource and
data source types; variable, local and resource references."""

from __future__ import annotations

from cli import errors, position, run, write_config

MISSPELLED = """\
variable "bandwidth" {
  default = 5
}

locals {
  gw_name = "gw"
}

resource "tencentcloud_vpc" "v" {
  name      = "v"
  cidr_blok = "10.0.0.0/16"
}

resource "tencentcloud_vpn_gateway" "g" {
  name     = local.gw_nam
  vpc_id   = tencentcloud_vpc.vv.id
  bandwith = 5
  zone     = "ap-guangzhou-3"
}

resource "tencentcloud_vpn_gateway" "h" {
  name      = "h"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = var.bandwidht
  zone      = "ap-guangzhou-3"
}

resource "tencentcloud_vpn_conection" "c" {
  name = "x"
}

resource "tencentcloud_vpn_connection" "d" {
  name                = "d"
  vpc_id              = tencentcloud_vpc.v.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.h.id
  customer_gateway_id = "cgw-12345678"
  pre_share_key       = "not-a-real-key-0"
  security_group_polcy {
  }
  security_group_policy {
    local_cidr_blok   = "10.0.0.0/24"
    remote_cidr_block = ["10.1.0.0/24"]
  }
}

data "tencentcloud_vpc_instance" "x" {
  name = "v"
}

data "tencentcloud_vpc_instances" "y" {
  nam = "v"
}
"""

EXPECTED = [  # (summary, detail ending, the misspelled token)
    ("Unsupported argument",
     'An argument named "cidr_blok" is not expected here. Did you mean "cidr_block"?',
     "cidr_blok"),
    ("Reference to undeclared local value",
     'A local value with the name "gw_nam" has not been declared. Did you mean "gw_name"?',
     "local.gw_nam"),
    ("Reference to undeclared resource", 'Did you mean "v"?', "tencentcloud_vpc.vv"),
    ("Unsupported argument",
     'An argument named "bandwith" is not expected here. Did you mean "bandwidth"?',
     "bandwith"),
    ("Reference to undeclared input variable",
     'An input variable with the name "bandwidht" has not been declared. Did you mean '
     '"bandwidth"?', "var.bandwidht"),
    ("Invalid resource type", 'Did you mean "tencentcloud_vpn_connection"?',
     "tencentcloud_vpn_conection"),
    ("Unsupported block type",
     'Blocks of type "security_group_polcy" are not expected here. Did you mean '
     '"security_group_policy"?', "security_group_polcy"),
    ("Unsupported argument",
     'An argument named "local_cidr_blok" is not expected here. Did you mean '
     '"local_cidr_block"?', "local_cidr_blok"),
    ("Invalid data source", 'Did you mean "tencentcloud_vpc_instances"?',
     "tencentcloud_vpc_instance"),
    ("Unsupported argument", 'An argument named "nam" is not expected here. Did you mean '
     '"name"?', 'nam = "v"'),
]


def test_misspelled_names_in_configuration_get_a_suggestion(tmp_path):
    wd = write_config(tmp_path / "w", MISSPELLED)
    res = run(wd, "validate")
    assert res.code == 1, res
    found = errors(res.output)
    for summary, detail, token in EXPECTED:
        hits = [e for e in found if e.summary == summary and e.detail.endswith(detail)]
        assert len(hits) == 1, (summary, detail, res)
        line, _ = position(MISSPELLED, token, token)
        assert (hits[0].filename, hits[0].line) == ("main.tf", line), (hits[0], res)


def test_misspelled_provider_argument_gets_a_suggestion(tmp_path):
    wd = write_config(tmp_path / "w", 'provider "tencentcloud" {\n  regon = "ap-guangzhou"\n}\n')
    res = run(wd, "validate")
    assert res.code == 1, res
    [e] = errors(res.output)
    assert (e.summary, e.detail, e.line, e.col) == (
        "Unsupported argument",
        'An argument named "regon" is not expected here. Did you mean "region"?', 2, 3)


def test_misspelled_attribute_of_a_resource_gets_a_suggestion(tmp_path):
    wd = write_config(tmp_path / "w", """resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.0.0.0/16"
}

output "cidr" {
  value = tencentcloud_vpc.v.cidr_blok
}
""")
    res = run(wd, "validate")
    assert res.code == 1, res
    [e] = errors(res.output)
    assert (e.summary, e.detail, e.line) == (
        "Unsupported attribute",
        'This object has no argument, nested block, or exported attribute named "cidr_blok". '
        'Did you mean "cidr_block"?', 7)
