"""Modules through the CLI: nested module calls, count and for_each on module blocks, module
outputs, depends_on a module, providers passing and inheritance, sensitivity across module
boundaries, input variable conversion and validation, path.module, console and graph.

Each test writes a small configuration tree (root + modules/...) and runs the real binary
against the embedded emulated cloud; customer gateways are the cheap resource of choice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli import REGION, cloud, errors, plan_summary, position, resource_headers, run

HK = "ap-hongkong"
PROVIDER_SOURCE = "registry.terraform.io/tencentcloudstack/tencentcloud"
DEFAULT_PROVIDER = f'provider["{PROVIDER_SOURCE}"]'
HK_PROVIDER = f'provider["{PROVIDER_SOURCE}"].hk'
CGW = "tencentcloud_vpn_customer_gateway"

PROVIDERS_TF = """terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}
"""

# One customer gateway; its id, name and address as outputs.
CGW_MODULE = """variable "name" {
  type = string
}

variable "ip" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "this" {
  name              = var.name
  public_ip_address = var.ip
}

output "id" {
  value = tencentcloud_vpn_customer_gateway.this.id
}

output "name" {
  value = tencentcloud_vpn_customer_gateway.this.name
}

output "ip" {
  value = var.ip
}
"""


def tree(root: Path, files: dict[str, str], providers: str | None = PROVIDERS_TF) -> Path:
    """Write a configuration tree: {relative path: text}; providers.tf in the root."""
    root.mkdir(parents=True, exist_ok=True)
    if providers is not None:
        (root / "providers.tf").write_text(providers, encoding="utf-8")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def headers(text: str) -> dict[str, str]:
    out = {}
    for h in resource_headers(text):
        addr, rest = h.split(" ", 1)
        out[addr] = rest
    return out


def state_list(workdir) -> list[str]:
    res = run(workdir, "state", "list")
    assert res.code == 0, res
    return sorted(res.stdout.split())


def state_json(workdir) -> dict:
    return json.loads((Path(workdir) / "terraform.tfstate").read_text(encoding="utf-8"))


def state_resource(workdir, module: str | None, type_: str, name: str) -> dict:
    for r in state_json(workdir)["resources"]:
        if r.get("module") == module and r["type"] == type_ and r["name"] == name:
            return r
    raise AssertionError(f"{module} {type_}.{name} not in state")


def cgws(workdir, region: str = REGION) -> dict[str, dict]:
    """The customer gateways of ``region`` by name."""
    return {g["CustomerGatewayName"]: g
            for g in cloud(workdir, region, kinds=["customer_gateways"])["customer_gateways"]}


def outputs_json(workdir) -> dict:
    res = run(workdir, "output", "-json")
    assert res.code == 0, res
    return {k: v["value"] for k, v in json.loads(res.stdout).items()}


def apply_ok(workdir, *args: str):
    res = run(workdir, "apply", "-auto-approve", *args)
    assert res.code == 0, res
    assert errors(res.output) == [], res
    return res


def log_events(text: str) -> list[tuple[str, str]]:
    """(address, event) of the progress lines of an apply or destroy, in order."""
    return re.findall(r"^(\S+): (Creating\.\.\.|Creation complete|Destroying\.\.\.|"
                      r"Destruction complete)", text, flags=re.MULTILINE)


# --- nested modules ---------------------------------------------------------------------------

OUTER_MODULE = """variable "prefix" {
  type = string
}

variable "net" {
  type = number
}

resource "tencentcloud_vpn_customer_gateway" "outer" {
  name              = "${var.prefix}-outer"
  public_ip_address = "203.0.113.${var.net}"
}

module "b" {
  source = "../cgw"
  name   = "${var.prefix}-inner"
  ip     = "203.0.113.${var.net + 1}"
}

output "inner_id" {
  value = module.b.id
}
"""

NESTED_ROOT = """module "p" {
  source = "./modules/outer"
  prefix = "p"
  net    = 10
}

module "a" {
  source   = "./modules/outer"
  for_each = { x = 20, y = 30 }
  prefix   = each.key
  net      = each.value
}

output "p_inner_id" {
  value = module.p.inner_id
}

output "a_inner_ids" {
  value = { for k, m in module.a : k => m.inner_id }
}
"""

NESTED = sorted([
    f"module.p.{CGW}.outer",
    f"module.p.module.b.{CGW}.this",
    f'module.a["x"].{CGW}.outer',
    f'module.a["x"].module.b.{CGW}.this',
    f'module.a["y"].{CGW}.outer',
    f'module.a["y"].module.b.{CGW}.this',
])


@pytest.fixture
def nested(tmp_path):
    return tree(tmp_path / "w", {"main.tf": NESTED_ROOT, "modules/outer/main.tf": OUTER_MODULE,
                                 "modules/cgw/main.tf": CGW_MODULE})


def test_nested_modules_plan_apply_and_state(nested):
    plan = run(nested, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 6 to add, 0 to change, 0 to destroy."
    assert headers(plan.stdout) == {a: "will be created" for a in NESTED}, plan
    assert re.search(r'\+ name\s+= "x-inner"', plan.stdout), plan
    assert re.search(r'\+ public_ip_address = "203\.0\.113\.31"', plan.stdout), plan

    apply = apply_ok(nested)
    assert "Apply complete! Resources: 6 added, 0 changed, 0 destroyed." in apply.stdout
    assert f'module.a["y"].module.b.{CGW}.this: Creation complete' in apply.stdout
    assert state_list(nested) == NESTED
    mods = sorted(r.get("module") for r in state_json(nested)["resources"])
    assert mods == ['module.a["x"]', 'module.a["x"].module.b', 'module.a["y"]',
                    'module.a["y"].module.b', "module.p", "module.p.module.b"]

    gws = cgws(nested)
    assert {n: g["IpAddress"] for n, g in gws.items()} == {
        "p-outer": "203.0.113.10", "p-inner": "203.0.113.11",
        "x-outer": "203.0.113.20", "x-inner": "203.0.113.21",
        "y-outer": "203.0.113.30", "y-inner": "203.0.113.31"}
    outs = outputs_json(nested)
    assert outs["p_inner_id"] == gws["p-inner"]["CustomerGatewayId"]
    assert outs["a_inner_ids"] == {"x": gws["x-inner"]["CustomerGatewayId"],
                                   "y": gws["y-inner"]["CustomerGatewayId"]}

    shown = run(nested, "state", "show", f'module.a["x"].module.b.{CGW}.this')
    assert shown.code == 0, shown
    assert f'# module.a["x"].module.b.{CGW}.this:' in shown.stdout
    assert '"x-inner"' in shown.stdout

    assert run(nested, "plan", "-detailed-exitcode").code == 0

    # dropping one instance of the outer module removes its nested module's objects too
    (nested / "main.tf").write_text(NESTED_ROOT.replace("{ x = 20, y = 30 }", "{ x = 20 }"),
                                    encoding="utf-8")
    plan = run(nested, "plan")
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 2 to destroy.", plan
    assert headers(plan.stdout) == {f'module.a["y"].{CGW}.outer': "will be destroyed",
                                    f'module.a["y"].module.b.{CGW}.this': "will be destroyed"}
    assert (f'  # module.a["y"].module.b.{CGW}.this will be destroyed\n'
            '  # (because module.a["y"].module.b is not in configuration)\n') in plan.stdout \
        or (f'  # module.a["y"].module.b.{CGW}.this will be destroyed\n'
            '  # (because module.a["y"] is not in configuration)\n') in plan.stdout, plan


def test_graph_shows_module_addresses(nested):
    res = run(nested, "graph")
    assert res.code == 0, res
    nodes = set(re.findall(r'^\s*"([^"]+)" \[label=', res.stdout, flags=re.MULTILINE))
    assert {f"module.p.{CGW}.outer", f"module.p.module.b.{CGW}.this",
            f"module.a.{CGW}.outer", f"module.a.module.b.{CGW}.this"} <= nodes, res
    assert not any("[" in n for n in nodes), res  # configuration addresses: no instance keys


# --- count on a module ------------------------------------------------------------------------

COUNT_ROOT = """variable "n" {
  type    = number
  default = 2
}

module "m" {
  source = "./modules/cgw"
  count  = var.n
  name   = "m-${count.index}"
  ip     = "203.0.113.${count.index + 40}"
}

output "ids" {
  value = module.m[*].id
}

output "first_name" {
  value = module.m[0].name
}
"""


def test_count_on_a_module(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": COUNT_ROOT, "modules/cgw/main.tf": CGW_MODULE})
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert plan_summary(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."
    assert sorted(headers(plan.stdout)) == [f"module.m[0].{CGW}.this", f"module.m[1].{CGW}.this"]
    assert re.search(r'\+ first_name = "m-0"', plan.stdout), plan

    apply_ok(w)
    assert state_list(w) == [f"module.m[0].{CGW}.this", f"module.m[1].{CGW}.this"]
    assert sorted(r["module"] for r in state_json(w)["resources"]) == ["module.m[0]",
                                                                       "module.m[1]"]
    gws = cgws(w)
    assert sorted(gws) == ["m-0", "m-1"]
    assert gws["m-1"]["IpAddress"] == "203.0.113.41"
    outs = outputs_json(w)
    assert outs["ids"] == [gws["m-0"]["CustomerGatewayId"], gws["m-1"]["CustomerGatewayId"]]
    assert outs["first_name"] == "m-0"

    # reducing count destroys module.m[1]'s objects, and only those
    plan = run(w, "plan", "-var", "n=1", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    assert headers(plan.stdout) == {f"module.m[1].{CGW}.this": "will be destroyed"}
    assert (f"  # module.m[1].{CGW}.this will be destroyed\n"
            "  # (because module.m[1] is not in configuration)\n") in plan.stdout, plan
    apply = apply_ok(w, "-var", "n=1")
    assert "Apply complete! Resources: 0 added, 0 changed, 1 destroyed." in apply.stdout
    assert state_list(w) == [f"module.m[0].{CGW}.this"]
    assert sorted(cgws(w)) == ["m-0"]
    assert outputs_json(w)["ids"] == [gws["m-0"]["CustomerGatewayId"]]
    assert run(w, "plan", "-var", "n=1", "-detailed-exitcode").code == 0


# --- for_each over a set, module outputs in root resources and outputs --------------------------

FOREACH_ROOT = """resource "tencentcloud_vpc" "hub" {
  name       = "hub"
  cidr_block = "10.0.0.0/16"
}

resource "tencentcloud_vpn_gateway" "hub" {
  name      = "hub-gw"
  vpc_id    = tencentcloud_vpc.hub.id
  bandwidth = 5
  zone      = "ap-guangzhou-3"
}

module "m" {
  source   = "./modules/cgw"
  for_each = toset(["east", "west"])
  name     = each.key
  ip       = each.key == "east" ? "203.0.113.50" : "203.0.113.51"
}

resource "tencentcloud_vpn_connection" "east" {
  name                = "to-${module.m["east"].name}"
  vpc_id              = tencentcloud_vpc.hub.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.hub.id
  customer_gateway_id = module.m["east"].id
  pre_share_key       = "module-test-key"

  security_group_policy {
    local_cidr_block  = "10.0.1.0/24"
    remote_cidr_block = ["172.16.0.0/24"]
  }
}

output "east_ip" {
  value = module.m["east"].ip
}

output "names" {
  value = sort([for m in values(module.m) : m.name])
}

output "ids" {
  value = { for k, m in module.m : k => m.id }
}
"""


@pytest.fixture
def foreach(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": FOREACH_ROOT, "modules/cgw/main.tf": CGW_MODULE})
    return w


def test_for_each_set_of_strings_and_outputs_in_root_resources(foreach):
    plan = run(foreach, "plan")
    assert plan.code == 0, plan
    assert plan_summary(plan.stdout) == "Plan: 5 to add, 0 to change, 0 to destroy."
    assert sorted(headers(plan.stdout)) == sorted([
        "tencentcloud_vpc.hub", "tencentcloud_vpn_gateway.hub",
        "tencentcloud_vpn_connection.east",
        f'module.m["east"].{CGW}.this', f'module.m["west"].{CGW}.this'])
    conn = plan.stdout.split("# tencentcloud_vpn_connection.east will be created", 1)[1]
    assert re.search(r'\+ name\s+= "to-east"', conn), plan
    assert re.search(r"\+ customer_gateway_id\s+= \(known after apply\)", conn), plan
    assert re.search(r'\+ east_ip = "203\.0\.113\.50"', plan.stdout), plan

    apply = apply_ok(foreach)
    # the tunnel waits for the customer gateway it names through the module output
    ev = log_events(apply.stdout)
    done = ev.index((f'module.m["east"].{CGW}.this', "Creation complete"))
    assert done < ev.index(("tencentcloud_vpn_connection.east", "Creating...")), apply

    gws = cgws(foreach)
    assert sorted(gws) == ["east", "west"]
    conns = cloud(foreach, kinds=["vpn_connections"])["vpn_connections"]
    assert [(c["VpnConnectionName"], c["CustomerGatewayId"]) for c in conns] == [
        ("to-east", gws["east"]["CustomerGatewayId"])]
    outs = outputs_json(foreach)
    assert outs["east_ip"] == "203.0.113.50"
    assert outs["names"] == ["east", "west"]
    assert outs["ids"] == {k: g["CustomerGatewayId"] for k, g in gws.items()}
    assert state_resource(foreach, 'module.m["west"]', CGW, "this")["instances"][0][
        "attributes"]["public_ip_address"] == "203.0.113.51"
    assert run(foreach, "plan", "-detailed-exitcode").code == 0

    # console after apply: the module as an object of instances, and one instance's output
    con = run(foreach, "console",
              input='module.m["east"].id\nkeys(module.m)\nmodule.m["west"]\n')
    assert con.code == 0, con
    east_id = gws["east"]["CustomerGatewayId"]
    west_id = gws["west"]["CustomerGatewayId"]
    assert con.stdout == (
        f'"{east_id}"\n'
        '[\n  "east",\n  "west",\n]\n'
        '{\n'
        f'  "id" = "{west_id}"\n'
        '  "ip" = "203.0.113.51"\n'
        '  "name" = "west"\n'
        '}\n'), con
    con = run(foreach, "console", input="module.m\n")
    assert con.code == 0, con
    assert f'"east" = {{\n    "id" = "{east_id}"' in con.stdout, con
    assert f'"west" = {{\n    "id" = "{west_id}"' in con.stdout, con


# --- depends_on a module --------------------------------------------------------------------

TWO_MODULE = """resource "tencentcloud_vpn_customer_gateway" "a" {
  name              = "x-a"
  public_ip_address = "203.0.113.60"
}

resource "tencentcloud_vpn_customer_gateway" "b" {
  name              = "x-b"
  public_ip_address = "203.0.113.61"
}
"""

DEPENDS_ROOT = """module "x" {
  source = "./modules/two"
}

resource "tencentcloud_vpn_customer_gateway" "after" {
  name              = "after"
  public_ip_address = "203.0.113.62"

  depends_on = [module.x]
}

module "z" {
  source     = "./modules/cgw"
  name       = "z"
  ip         = "203.0.113.63"
  depends_on = [module.x]
}
"""


def test_depends_on_a_module_orders_apply_and_destroy(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": DEPENDS_ROOT, "modules/two/main.tf": TWO_MODULE,
                              "modules/cgw/main.tf": CGW_MODULE})
    apply = apply_ok(w)
    assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in apply.stdout
    ev = log_events(apply.stdout)
    x_done = [ev.index((f"module.x.{CGW}.{n}", "Creation complete")) for n in ("a", "b")]
    for dependent in (f"{CGW}.after", f"module.z.{CGW}.this"):
        start = ev.index((dependent, "Creating..."))
        assert max(x_done) < start, apply

    destroy = run(w, "destroy", "-auto-approve")
    assert destroy.code == 0, destroy
    assert "Destroy complete! Resources: 4 destroyed." in destroy.stdout
    ev = log_events(destroy.stdout)
    x_start = [ev.index((f"module.x.{CGW}.{n}", "Destroying...")) for n in ("a", "b")]
    for dependent in (f"{CGW}.after", f"module.z.{CGW}.this"):
        assert ev.index((dependent, "Destruction complete")) < min(x_start), destroy
    assert cgws(w) == {}


# --- providers: passing an aliased configuration, inheriting the default ----------------------

PROVIDERS_HK = PROVIDERS_TF + """
provider "tencentcloud" {
  alias  = "hk"
  region = "ap-hongkong"
}
"""

HK_ROOT = """module "hk" {
  source = "./modules/cgw"
  providers = {
    tencentcloud = tencentcloud.hk
  }
  name = "in-hk"
  ip   = "203.0.113.70"
}

module "gz" {
  source = "./modules/cgw"
  name   = "in-gz"
  ip     = "203.0.113.71"
}

module "outer" {
  source = "./modules/wrap"
  providers = {
    tencentcloud = tencentcloud.hk
  }
}
"""

# No providers argument: the nested call inherits whatever default configuration its
# caller has, which here is the root's tencentcloud.hk.
WRAP_MODULE = """module "inner" {
  source = "../cgw"
  name   = "wrapped"
  ip     = "203.0.113.72"
}
"""


def test_providers_map_passes_an_aliased_configuration(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": HK_ROOT, "modules/cgw/main.tf": CGW_MODULE,
                              "modules/wrap/main.tf": WRAP_MODULE}, providers=PROVIDERS_HK)
    apply = apply_ok(w)
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in apply.stdout
    assert sorted(cgws(w, HK)) == ["in-hk", "wrapped"]
    assert sorted(cgws(w, REGION)) == ["in-gz"]
    assert state_resource(w, "module.hk", CGW, "this")["provider"] == HK_PROVIDER
    assert state_resource(w, "module.outer.module.inner", CGW, "this")["provider"] == HK_PROVIDER
    assert state_resource(w, "module.gz", CGW, "this")["provider"] == DEFAULT_PROVIDER
    assert run(w, "plan", "-detailed-exitcode").code == 0

    destroy = run(w, "destroy", "-auto-approve")
    assert destroy.code == 0, destroy
    assert cgws(w, HK) == {} and cgws(w, REGION) == {}


PAIR_MODULE = """terraform {
  required_providers {
    tencentcloud = {
      source                = "tencentcloudstack/tencentcloud"
      configuration_aliases = [tencentcloud.peer]
    }
  }
}

resource "tencentcloud_vpn_customer_gateway" "near" {
  name              = "near"
  public_ip_address = "203.0.113.80"
}

resource "tencentcloud_vpn_customer_gateway" "far" {
  provider          = tencentcloud.peer
  name              = "far"
  public_ip_address = "203.0.113.81"
}
"""

PAIR_ROOT = """module "pair" {
  source = "./modules/pair"
  providers = {
    tencentcloud      = tencentcloud
    tencentcloud.peer = tencentcloud.hk
  }
}
"""


def test_configuration_aliases_in_a_child_module(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": PAIR_ROOT, "modules/pair/main.tf": PAIR_MODULE},
             providers=PROVIDERS_HK)
    apply_ok(w)
    assert sorted(cgws(w, REGION)) == ["near"]
    assert sorted(cgws(w, HK)) == ["far"]
    assert state_resource(w, "module.pair", CGW, "far")["provider"] == HK_PROVIDER
    assert state_resource(w, "module.pair", CGW, "near")["provider"] == DEFAULT_PROVIDER


# --- sensitivity across module boundaries ----------------------------------------------------

SECRET = "topsecret-42"

SENSITIVE_OUT_MODULE = """variable "label" {
  type = string
}

output "label" {
  value     = var.label
  sensitive = true
}
"""


def test_sensitive_module_output_stays_sensitive(tmp_path):
    root = f"""module "s" {{
  source = "./modules/s"
  label  = "{SECRET}"
}}

resource "tencentcloud_vpn_customer_gateway" "named" {{
  name              = module.s.label
  public_ip_address = "203.0.113.90"
}}

output "label" {{
  value     = module.s.label
  sensitive = true
}}
"""
    w = tree(tmp_path / "w", {"main.tf": root, "modules/s/main.tf": SENSITIVE_OUT_MODULE})
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert re.search(r"\+ name\s+= \(sensitive value\)", plan.stdout), plan
    assert re.search(r"\+ label = \(sensitive value\)", plan.stdout), plan
    assert SECRET not in plan.output
    apply = apply_ok(w)
    assert SECRET not in apply.output
    assert "label = <sensitive>" in apply.stdout
    assert sorted(cgws(w)) == [SECRET]  # the value itself reached the cloud
    assert json.loads(run(w, "output", "-json").stdout)["label"]["sensitive"] is True

    # a root output exposing it without sensitive = true is refused, as Terraform does
    (w / "main.tf").write_text(root.replace("  sensitive = true\n", ""), encoding="utf-8")
    bad = run(w, "plan")
    assert bad.code == 1, bad
    errs = errors(bad.stderr)
    assert [e.summary for e in errs] == ["Output refers to sensitive values"], bad
    assert errs[0].filename == "main.tf"
    assert errs[0].line == position(root, 'output "label"', "output")[0]


def test_sensitive_variable_passed_into_a_module_is_never_shown(tmp_path):
    root = f"""variable "secret" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

module "m" {{
  source = "./modules/cgw"
  name   = var.secret
  ip     = "203.0.113.91"
}}
"""
    w = tree(tmp_path / "w", {"main.tf": root, "modules/cgw/main.tf": CGW_MODULE})
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert re.search(r"\+ name\s+= \(sensitive value\)", plan.stdout), plan
    assert SECRET not in plan.output
    apply = apply_ok(w)
    assert SECRET not in apply.output
    assert sorted(cgws(w)) == [SECRET]
    show = run(w, "state", "show", f"module.m.{CGW}.this")
    assert show.code == 0, show
    assert SECRET not in show.output
    # a change of the secret: the update is shown, the values are not
    plan = run(w, "plan", "-var", "secret=another-secret-7")
    assert plan.code == 0, plan
    assert SECRET not in plan.output and "another-secret-7" not in plan.output
    assert "(sensitive value)" in plan.stdout


# --- input variables: conversion, type errors, validation --------------------------------------

NUM_MODULE = """variable "n" {
  type = number

  validation {
    condition     = var.n < 10
    error_message = "n must be below 10: the module carves at most ten ranges."
  }
}

variable "enabled" {
  type    = bool
  default = true
}

resource "tencentcloud_vpn_customer_gateway" "this" {
  count             = var.enabled ? 1 : 0
  name              = "n-${var.n + 1}"
  public_ip_address = "203.0.113.${100 + var.n}"
}
"""


def _num_root(n: str, enabled: str = '"true"') -> str:
    return f"""module "num" {{
  source  = "./modules/num"
  n       = {n}
  enabled = {enabled}
}}
"""


def test_module_variable_converts_string_to_number(tmp_path):
    w = tree(tmp_path / "w", {"main.tf": _num_root('"5"'), "modules/num/main.tf": NUM_MODULE})
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert headers(plan.stdout) == {f"module.num.{CGW}.this[0]": "will be created"}, plan
    assert re.search(r'\+ name\s+= "n-6"', plan.stdout), plan
    assert re.search(r'\+ public_ip_address = "203\.0\.113\.105"', plan.stdout), plan
    apply_ok(w)
    assert sorted(cgws(w)) == ["n-6"]


def test_module_variable_type_mismatch_points_at_the_argument(tmp_path):
    root = """module "m" {
  source = "./modules/cgw"
  name   = ["a", "b"]
  ip     = "203.0.113.110"
}
"""
    w = tree(tmp_path / "w", {"main.tf": root, "modules/cgw/main.tf": CGW_MODULE})
    res = run(w, "plan")
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert [e.summary for e in errs] == ["Invalid value for input variable"], res
    e = errs[0]
    assert (e.filename, e.line, e.col) == ("main.tf", *position(root, "name", '["a"')), res
    assert e.address == "module.m", res  # vpnform names the block by address
    assert "module.m.var.name" in e.detail and "string required" in e.detail, res
    assert "modules/cgw/main.tf:1,1" in e.detail, res
    assert cgws(w) == {}


def test_module_variable_validation_reports_the_error_message(tmp_path):
    root = _num_root("12")
    w = tree(tmp_path / "w", {"main.tf": root, "modules/num/main.tf": NUM_MODULE})
    res = run(w, "plan")
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert [e.summary for e in errs] == ["Invalid value for variable"], res
    e = errs[0]
    assert "n must be below 10: the module carves at most ten ranges." in e.detail, res
    assert (e.filename, e.line) == ("main.tf", position(root, "n       =", "12")[0]), res
    # Terraform names the validation block (4,3); vpnform its condition: either is the rule
    assert re.search(r"validation rule at modules/num/main\.tf:[45],", e.detail), res


# --- path.module ------------------------------------------------------------------------------

TPL_MODULE = """variable "site" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "this" {
  name              = templatefile("${path.module}/name.tftpl", { site = var.site })
  public_ip_address = trimspace(file("${path.module}/ip.txt"))
}

output "dir" {
  value = path.module
}

output "root" {
  value = path.root
}
"""


def _tpl_tree(tmp_path):
    return tree(tmp_path / "w", {
        "main.tf": 'module "t" {\n  source = "./modules/tpl"\n  site   = "sz"\n}\n\n'
                   'output "dir" {\n  value = module.t.dir\n}\n\n'
                   'output "root" {\n  value = module.t.root\n}\n',
        "modules/tpl/main.tf": TPL_MODULE,
        "modules/tpl/name.tftpl": "site-${site}",
        "modules/tpl/ip.txt": "203.0.113.120\n",
        # same names in the root: a wrong path.module would silently read these
        "name.tftpl": "root-${site}",
        "ip.txt": "203.0.113.121\n",
    })


def test_path_module_reads_files_of_the_module_directory(tmp_path):
    w = _tpl_tree(tmp_path)
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert re.search(r'\+ name\s+= "site-sz"', plan.stdout), plan
    assert re.search(r'\+ public_ip_address = "203\.0\.113\.120"', plan.stdout), plan
    apply_ok(w)
    assert {n: g["IpAddress"] for n, g in cgws(w).items()} == {"site-sz": "203.0.113.120"}
    # from another directory with -chdir: the same files
    other = run(tmp_path, "-chdir=w", "plan", "-detailed-exitcode")
    assert other.code == 0, other


def test_path_module_value_is_relative_to_the_root_module(tmp_path):
    w = _tpl_tree(tmp_path)
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert re.search(r'\+ dir\s+= "modules/tpl"\n', plan.stdout), plan
    assert re.search(r'\+ root\s+= "\."\n', plan.stdout), plan


def test_relative_file_path_in_a_child_module_is_relative_to_the_root(tmp_path):
    w = tree(tmp_path / "w", {
        "main.tf": 'module "t" {\n  source = "./modules/t"\n}\n\n'
                   'output "o" {\n  value = module.t.o\n}\n',
        "modules/t/main.tf": 'output "o" {\n  value = trimspace(file("x.txt"))\n}\n',
        "modules/t/x.txt": "module\n",
        "x.txt": "root\n",
    })
    plan = run(w, "plan")
    assert plan.code == 0, plan
    assert re.search(r'\+ o = "root"', plan.stdout), plan
