"""Adopting objects made outside vpnform: the ``import`` verb, ``import`` blocks, and
``plan -generate-config-out``, with the real executable against the emulated cloud.

Every object imported here is made through the cloud's API alone (``vpnform cloud``),
as someone clicking in the console would."""

from __future__ import annotations

import json
import re

from cli import errors, plan_summary, position, resource_headers, run, write_config

VPC_TF = """resource "tencentcloud_vpc" "legacy" {
  name       = "legacy"
  cidr_block = "10.8.0.0/16"
}
"""


def _create_vpc(workdir, name="legacy", cidr="10.8.0.0/16") -> str:
    res = run(workdir, "cloud", "CreateVpc", f"VpcName={name}", f"CidrBlock={cidr}")
    assert res.code == 0, res
    return json.loads(res.stdout)["Vpc"]["VpcId"]


def _create_cgw(workdir, name="idc", ip="202.108.22.5") -> str:
    res = run(workdir, "cloud", "CreateCustomerGateway", f"CustomerGatewayName={name}",
              f"IpAddress={ip}")
    assert res.code == 0, res
    return json.loads(res.stdout)["CustomerGateway"]["CustomerGatewayId"]


def _state(workdir) -> dict:
    return json.loads((workdir / "terraform.tfstate").read_text())


def _no_changes(workdir, *args) -> None:
    res = run(workdir, "plan", "-detailed-exitcode", *args)
    assert res.code == 0, res
    assert "No changes. Your infrastructure matches the configuration." in res.stdout, res


# --- the verb ---------------------------------------------------------------------------

def test_import_verb_adopts_an_object_and_the_next_plan_is_empty(tmp_path):
    wd = write_config(tmp_path / "w", VPC_TF)
    vpc = _create_vpc(wd)
    res = run(wd, "import", "tencentcloud_vpc.legacy", vpc)
    assert res.code == 0, res
    assert res.stdout == (
        f'tencentcloud_vpc.legacy: Importing from ID "{vpc}"...\n'
        "tencentcloud_vpc.legacy: Import prepared!\n"
        "  Prepared tencentcloud_vpc for import\n"
        f"tencentcloud_vpc.legacy: Refreshing state... [id={vpc}]\n"
        "\n"
        "Import successful!\n"
        "\n"
        "The resources that were imported are shown above. These resources are now in\n"
        "your vpnform state and will henceforth be managed by vpnform.\n"), res
    [resource] = _state(wd)["resources"]
    assert (resource["type"], resource["name"]) == ("tencentcloud_vpc", "legacy")
    assert resource["instances"][0]["attributes"]["id"] == vpc
    assert not (wd / ".terraform.tfstate.journal").exists()
    _no_changes(wd)

    # the same address again: already managed
    res = run(wd, "import", "tencentcloud_vpc.legacy", vpc)
    assert res.code == 1, res
    [e] = errors(res.output)
    assert e.summary == "Resource already managed by vpnform"
    assert "already managing a remote object for tencentcloud_vpc.legacy" in e.detail


def test_import_verb_into_a_module_instance_and_a_for_each_instance(tmp_path):
    wd = tmp_path / "w"
    write_config(wd, """
variable "sites" {
  default = { sh = "202.108.22.5", bj = "203.0.113.7" }
}

module "site" {
  source   = "./site"
  for_each = var.sites
  ip       = each.value
}

resource "tencentcloud_vpc" "hub" {
  for_each   = toset(["a", "b"])
  name       = "hub-${each.key}"
  cidr_block = "10.8.0.0/16"
}
""")
    write_config(wd / "site", """
variable "ip" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "idc"
  public_ip_address = var.ip
}
""")
    cgw = _create_cgw(wd, "idc", "202.108.22.5")
    vpc = _create_vpc(wd, "hub-a")
    addr = 'module.site["sh"].tencentcloud_vpn_customer_gateway.idc'
    res = run(wd, "import", addr, cgw)
    assert res.code == 0 and "Import successful!" in res.stdout, res
    res = run(wd, "import", 'tencentcloud_vpc.hub["a"]', vpc)
    assert res.code == 0, res
    res = run(wd, "state", "list")
    assert sorted(res.stdout.split()) == [addr, 'tencentcloud_vpc.hub["a"]'], res
    # only what was not imported is left to create
    res = run(wd, "plan")
    assert res.code == 0, res
    assert sorted(resource_headers(res.stdout)) == [
        'module.site["bj"].tencentcloud_vpn_customer_gateway.idc will be created',
        'tencentcloud_vpc.hub["b"] will be created'], res

    # an instance key the configuration does not produce
    res = run(wd, "import", 'tencentcloud_vpc.hub["zz"]', vpc)
    assert res.code == 1, res
    [e] = errors(res.output)
    assert e.summary == "Configuration for import target does not exist"
    assert '["a"], ["b"]' in e.detail
    res = run(wd, "import", 'module.site["gz"].tencentcloud_vpn_customer_gateway.idc', cgw)
    assert res.code == 1 and "no module instance module.site[\"gz\"]" in res.output, res


def test_import_verb_errors(tmp_path):
    wd = write_config(tmp_path / "w", VPC_TF)
    vpc = _create_vpc(wd)

    res = run(wd, "import", "tencentcloud_vpc.other", vpc)
    assert res.code == 1, res
    assert res.stderr.startswith(
        'Error: resource address "tencentcloud_vpc.other" does not exist in the '
        "configuration.\n\nBefore importing this resource, please create its configuration "
        'in the root module. For example:\n\nresource "tencentcloud_vpc" "other" {\n'
        "  # (resource arguments)\n}"), res

    res = run(wd, "import", "tencentcloud_vpc.legacy", "vpc-00000000")
    assert res.code == 1, res
    [e] = errors(res.output)
    assert e.summary == "Cannot import non-existent remote object"
    assert ('While attempting to import an existing object to "tencentcloud_vpc.legacy", the '
            "provider detected that no object exists with the given id.") in e.detail, e

    res = run(wd, "import", "tencentcloud_vpc.legacy")
    assert res.code == 1 and "The import command expects two arguments." in res.stderr, res
    res = run(wd, "import", "data.tencentcloud_vpcs.x", vpc)
    assert res.code == 1 and "Importing into a data resource is not allowed" in res.output
    assert not (wd / "terraform.tfstate").exists() or _state(wd)["resources"] == []


# --- import blocks ----------------------------------------------------------------------

def test_import_block_plans_imports_applies_and_then_is_a_no_op(tmp_path):
    wd = tmp_path / "w"
    wd.mkdir()
    vpc = _create_vpc(wd)
    write_config(wd, f"""
variable "legacy_vpc" {{
  type    = string
  default = "{vpc}"
}}

locals {{
  vpc_id = var.legacy_vpc
}}

import {{
  to = tencentcloud_vpc.legacy
  id = local.vpc_id
}}

{VPC_TF}""")
    res = run(wd, "plan", "-detailed-exitcode")
    assert res.code == 2, res
    assert resource_headers(res.stdout) == ["tencentcloud_vpc.legacy will be imported"]
    assert plan_summary(res.stdout) == "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."
    assert '    resource "tencentcloud_vpc" "legacy" {\n' in res.stdout
    assert f'        id                            = "{vpc}"\n' in res.stdout, res
    # nothing is written by plan
    assert not (wd / "terraform.tfstate").exists()

    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0, res
    assert f"tencentcloud_vpc.legacy: Importing... [id={vpc}]" in res.stdout
    assert f"tencentcloud_vpc.legacy: Import complete [id={vpc}]" in res.stdout
    assert "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed." \
        in res.stdout, res
    # the import block stays: the object is in state, so it is a no-op
    _no_changes(wd)


def test_import_block_with_a_difference_updates_after_importing(tmp_path):
    wd = tmp_path / "w"
    wd.mkdir()
    vpc = _create_vpc(wd)
    write_config(wd, f'import {{\n  to = tencentcloud_vpc.legacy\n  id = "{vpc}"\n}}\n\n'
                 + VPC_TF.replace('"legacy"\n', '"renamed"\n'))
    res = run(wd, "plan")
    assert res.code == 0, res
    assert (f"  # tencentcloud_vpc.legacy will be updated in-place\n"
            f'  # (imported from "{vpc}")\n'
            '  ~ resource "tencentcloud_vpc" "legacy" {\n') in res.stdout, res
    assert '      ~ name = "legacy" -> "renamed"' in res.stdout
    assert plan_summary(res.stdout) == "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."
    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Resources: 1 imported, 0 added, 1 changed, 0 destroyed." in res.stdout, res
    res = run(wd, "cloud", "DescribeVpcs", "VpcIds.0=" + vpc)
    assert json.loads(res.stdout)["VpcSet"][0]["VpcName"] == "renamed"
    _no_changes(wd)


def test_import_blocks_with_for_each_into_module_instances(tmp_path):
    wd = tmp_path / "w"
    wd.mkdir()
    ids = {"sh": _create_cgw(wd, "idc", "202.108.22.5"), "bj": _create_cgw(wd, "idc",
                                                                          "203.0.113.7")}
    write_config(wd, f"""
locals {{
  sites = {{ sh = "202.108.22.5", bj = "203.0.113.7" }}
  cgws  = {{ sh = "{ids['sh']}", bj = "{ids['bj']}" }}
}}

import {{
  for_each = local.cgws
  to       = module.site[each.key].tencentcloud_vpn_customer_gateway.idc
  id       = each.value
}}

module "site" {{
  source   = "./site"
  for_each = local.sites
  ip       = each.value
}}
""")
    write_config(wd / "site", """
variable "ip" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "idc"
  public_ip_address = var.ip
}
""")
    res = run(wd, "plan")
    assert res.code == 0, res
    assert sorted(resource_headers(res.stdout)) == [
        'module.site["bj"].tencentcloud_vpn_customer_gateway.idc will be imported',
        'module.site["sh"].tencentcloud_vpn_customer_gateway.idc will be imported'], res
    assert plan_summary(res.stdout) == "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."
    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0 and "2 imported, 0 added" in res.stdout, res
    _no_changes(wd)


def _block(to: str, id: str) -> str:
    return f'import {{\n  to = {to}\n  id = "{id}"\n}}\n\n'


def _plan_error(wd, text: str):
    write_config(wd, text)
    res = run(wd, "plan")
    assert res.code == 1, res
    [e] = errors(res.output)
    return e


def test_import_block_errors_name_the_block(tmp_path):
    wd = tmp_path / "w"
    wd.mkdir()
    vpc = _create_vpc(wd)

    text = _block("tencentcloud_vpc.missing", vpc) + VPC_TF
    e = _plan_error(wd, text)
    assert e.summary == "Configuration for import target does not exist"
    assert (e.filename, e.line, e.col) == ("main.tf", *position(text, "missing", "tencentcloud"))
    assert e.detail.startswith("The configuration for the given import target "
                               "tencentcloud_vpc.missing does not exist. If you wish to "
                               "automatically generate config for this resource, use the "
                               "-generate-config-out option within vpnform plan.")

    text = _block("tencentcloud_vpc.legacy", vpc) + _block("tencentcloud_vpc.legacy", "x") \
        + VPC_TF
    e = _plan_error(wd, text)
    assert e.summary == 'Duplicate import configuration for "tencentcloud_vpc.legacy"'
    assert (e.line, e.col) == position(text, "tencentcloud_vpc.legacy", "tencentcloud", 1)
    assert "already declared at main.tf:2,8" in e.detail

    text = _block("data.tencentcloud_vpcs.all", "x") + VPC_TF
    e = _plan_error(wd, text)
    assert (e.summary, e.detail) == ("Invalid import address",
                                     "Only managed resources can be imported.")
    assert (e.line, e.col) == (2, 8)

    text = _block("tencentcloud_vpc.legacy", "vpc-00000000") + VPC_TF
    e = _plan_error(wd, text)
    assert e.summary == "Cannot import non-existent remote object"
    assert (e.line, e.col) == (1, 1)
    assert '"tencentcloud_vpc.legacy"' in e.detail

    text = 'import {\n  to = tencentcloud_vpc.legacy\n  id = tencentcloud_vpc.other.id\n}\n\n' \
        + VPC_TF + VPC_TF.replace('"legacy" {', '"other" {')
    e = _plan_error(wd, text)
    assert e.summary == "Invalid import id argument"
    assert (e.line, e.col) == (3, 8)


def test_import_block_only_in_the_root_module(tmp_path):
    wd = tmp_path / "w"
    write_config(wd, 'module "m" {\n  source = "./m"\n}\n')
    write_config(wd / "m", VPC_TF + '\nimport {\n  to = tencentcloud_vpc.legacy\n'
                 '  id = "vpc-1"\n}\n')
    res = run(wd, "validate")
    assert res.code == 1, res
    [e] = errors(res.output)
    assert e.summary == "Invalid import configuration"
    assert e.detail == ('An import block was detected in "m". Import blocks are only '
                        "allowed in the root module.")
    assert (e.filename, e.line, e.col) == ("m/main.tf", 6, 1)


# --- generated configuration ------------------------------------------------------------

def test_generate_config_out_round_trips(tmp_path):
    wd = tmp_path / "w"
    wd.mkdir()
    vpc = _create_vpc(wd)
    cgw = _create_cgw(wd)
    write_config(wd, f'import {{\n  to = tencentcloud_vpc.legacy\n  id = "{vpc}"\n}}\n\n'
                 f'import {{\n  to = tencentcloud_vpn_customer_gateway.idc\n  id = "{cgw}"\n}}\n')
    res = run(wd, "plan", "-generate-config-out=generated.tf")
    assert res.code == 0, res
    assert sorted(resource_headers(res.stdout)) == [
        "tencentcloud_vpc.legacy will be imported",
        "tencentcloud_vpn_customer_gateway.idc will be imported"], res
    assert plan_summary(res.stdout) == "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."
    assert res.stdout.rstrip().endswith(
        "vpnform has generated configuration and written it to generated.tf. Please review "
        "the configuration and edit it as necessary before adding it to version control."), res
    generated = (wd / "generated.tf").read_text()
    assert generated == f"""# __generated__ by vpnform
# Please review these resources and move them into your main configuration files.

# __generated__ by vpnform from "{vpc}"
resource "tencentcloud_vpc" "legacy" {{
  cidr_block  = "10.8.0.0/16"
  dns_servers = ["183.60.83.19", "183.60.82.98"]
  name        = "legacy"
  tags        = null
}}

# __generated__ by vpnform from "{cgw}"
resource "tencentcloud_vpn_customer_gateway" "idc" {{
  bgp_asn           = null
  name              = "idc"
  public_ip_address = "202.108.22.5"
  tags              = null
}}
"""
    # canonical style: fmt has nothing to change
    res = run(wd, "fmt", "-check")
    assert res.code == 0, res
    # refused when the file exists (and it is left alone)
    res = run(wd, "plan", "-generate-config-out=generated.tf")
    assert res.code == 1, res
    assert errors(res.output)[0].summary == "Target generated file already exists"
    assert (wd / "generated.tf").read_text() == generated

    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0 and "2 imported, 0 added, 0 changed, 0 destroyed" in res.stdout, res
    _no_changes(wd)


def test_generated_config_never_holds_a_pre_shared_key(applied):
    """A tunnel's PSK is sensitive: it is written as null with a comment, as Terraform
    writes sensitive arguments, never in clear."""
    res = run(applied, "console", input="tencentcloud_vpn_connection.tom.id\n")
    conn = json.loads(res.stdout)
    (applied / "import.tf").write_text(
        f'import {{\n  to = tencentcloud_vpn_connection.copy\n  id = "{conn}"\n}}\n')
    res = run(applied, "plan", "-generate-config-out=gen.tf")
    text = (applied / "gen.tf").read_text()
    assert re.search(r"^  pre_share_key +\= null # sensitive$", text, re.MULTILINE), text
    state = _state(applied)
    psk = next(r for r in state["resources"] if r["type"] == "tencentcloud_vpn_connection"
               )["instances"][0]["attributes"]["pre_share_key"]
    assert psk not in text and psk not in res.output
    assert "  security_group_policy {\n" in text
    # the plan itself fails until the key is filled in: it is required
    assert res.code == 1, res


def test_readme_import_commands_run_as_written(tmp_path):
    from cli import readme_script, run_script
    res = run_script(readme_script("### Adopting existing objects: import"), tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy." in res.stdout
    assert "Resources: 1 imported, 0 added, 0 changed, 0 destroyed." in res.stdout
    assert "Resource already managed by vpnform" in res.stderr
    assert "null # sensitive" not in (tmp_path / "legacy" / "generated.tf").read_text()
