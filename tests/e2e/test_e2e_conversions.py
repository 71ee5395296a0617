"""Type conversions of count, for_each, typed variables and arguments, side by side with
Terraform 1.11.

conversions/terraform_cases.json records what ``terraform plan`` did for each case
(conversions/record_cases.py, run by hand; these tests never run terraform). Each case is
replayed on ``vpnform plan`` (in-process, for speed) with a ``tencentcloud_vpc`` in place of
``terraform_data``: the same instances must be planned, or the same error reported (same
summary, and Terraform's reason in the detail); a converted value must be the same JSON.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from engine.cli.main import main

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "conversions", "terraform_cases.json"), encoding="utf-8") as _f:
    CASES = json.load(_f)["cases"]


def cases(*kinds: str) -> list:
    """The cases of ``kinds``; a known difference from Terraform is an expected failure."""
    return [pytest.param(c, id=c["name"], marks=pytest.mark.xfail(
        reason=c["vpnform_differs"], strict=True)) if "vpnform_differs" in c else
            pytest.param(c, id=c["name"]) for c in CASES if c["kind"] in kinds]

VPC_ARGS = '  name       = "v"\n  cidr_block = "10.0.0.0/16"\n'


def variable_block(name: str, type_: str | None, default: str | None) -> str:
    inner = f"  type = {type_}\n" if type_ is not None else ""
    inner += f"  default = {default}\n" if default is not None else ""
    return f'variable "{name}" {{\n{inner}}}\n'


def plan(tmp_path, monkeypatch, capsys, case: dict, body: str, *extra: str):
    var = case.get("variable")
    src = case.get("source", {})
    text = variable_block(var["name"], var.get("type"), src.get("default")) if var else ""
    (tmp_path / "main.tf").write_text(text + body)
    for k in list(os.environ):
        if k.startswith("TF_VAR_"):
            monkeypatch.delenv(k)
    args = ["plan", "-no-color", "-input=false", *extra]
    if "var" in src:
        args.append(f"-var={var['name']}={src['var']}")
    if "env" in src:
        monkeypatch.setenv(f"TF_VAR_{var['name']}", src["env"])
    if "tfvars" in src:
        (tmp_path / "terraform.tfvars").write_text(f"{var['name']} = {src['tfvars']}\n")
    if "tfvars_json" in src:
        (tmp_path / "terraform.tfvars.json").write_text(
            json.dumps({var["name"]: src["tfvars_json"]}))
    monkeypatch.chdir(tmp_path)
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


def assert_same_error(case: dict, rc: int, out: str, err: str) -> None:
    tf = case["terraform"]
    assert rc == 1, out + err
    text = re.sub(r"\s+", " ", err.replace("│", " "))
    assert f"Error: {tf['summary']}" in text, err
    # Terraform's detail word for word (a range is shown by its start only)
    detail = re.sub(r"(main\.tf:\d+,\d+)-\d+", r"\1", tf["detail"])
    assert detail in text, err


@pytest.mark.parametrize("case", cases("count", "for_each"))
def test_count_and_for_each_as_terraform(case, tmp_path, monkeypatch, capsys):
    body = (f'resource "tencentcloud_vpc" "r" {{\n  {case["kind"]} = {case["expr"]}\n'
            f"{VPC_ARGS}}}\n")
    rc, out, err = plan(tmp_path, monkeypatch, capsys, case, body)
    tf = case["terraform"]
    if tf["rc"] == 0:
        assert rc == 0, out + err
        planned = sorted(re.findall(r"# tencentcloud_vpc\.r(\S*) will be created", out))
        assert planned == tf["instances"], out
    else:
        assert_same_error(case, rc, out, err)


@pytest.mark.parametrize("case", cases("value"))
def test_typed_values_as_terraform(case, tmp_path, monkeypatch, capsys):
    probe = dict(case, variable={"name": "probe", "type": case["type"]})
    rc, out, err = plan(tmp_path, monkeypatch, capsys, probe,
                        'output "v" {\n  value = var.probe\n}\n', "-out=p.tfplan")
    tf = case["terraform"]
    if tf["rc"] != 0:
        assert_same_error(case, rc, out, err)
        return
    assert rc == 0, out + err
    rc = main(["show", "-json", "p.tfplan"])
    shown, err = capsys.readouterr()
    assert rc == 0, err
    changes = json.loads(shown)["output_changes"]
    assert (changes["v"]["after"] if "v" in changes else None) == tf["json"]


def test_untyped_command_line_values_convert_to_argument_types(tmp_path, monkeypatch, capsys):
    """-var values of untyped variables are strings; count and each argument convert them
    to the type they need (number, bool), as Terraform converts them."""
    (tmp_path / "main.tf").write_text("""variable "n" {}
variable "multicast" {}
variable "bandwidth" {}

resource "tencentcloud_vpc" "v" {
  count        = var.n
  name         = "v${count.index}"
  cidr_block   = "10.${count.index}.0.0/16"
  is_multicast = var.multicast
}

resource "tencentcloud_vpn_gateway" "g" {
  name      = "g"
  vpc_id    = tencentcloud_vpc.v[0].id
  bandwidth = var.bandwidth
  zone      = "ap-guangzhou-3"
}
""")
    monkeypatch.chdir(tmp_path)
    rc = main(["plan", "-no-color", "-var", "n=2", "-var", "multicast=1", "-var",
               "bandwidth=10"])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    assert sorted(re.findall(r"# (\S+) will be created", out)) == [
        "tencentcloud_vpc.v[0]", "tencentcloud_vpc.v[1]", "tencentcloud_vpn_gateway.g"]
    assert len(re.findall(r"^ +\+ is_multicast += true$", out, re.MULTILINE)) == 2, out
    assert re.search(r"^ +\+ bandwidth += 10$", out, re.MULTILINE), out


def test_for_each_over_a_set_attribute_of_a_resource(tmp_path, monkeypatch, capsys):
    """A resource's set attribute is a set of strings to for_each, planned or applied (a
    tuple of the same strings is refused, as Terraform refuses it)."""
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    (tmp_path / "main.tf").write_text("""resource "tencentcloud_vpc" "v" {
  name        = "v"
  cidr_block  = "10.0.0.0/16"
  dns_servers = ["8.8.8.8", "1.1.1.1"]
}

resource "tencentcloud_vpn_customer_gateway" "c" {
  for_each          = tencentcloud_vpc.v.dns_servers
  name              = "c"
  public_ip_address = "202.108.22.5"
}
""")
    monkeypatch.chdir(tmp_path)
    rc = main(["apply", "-no-color", "-auto-approve"])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    assert sorted(re.findall(r"# (\S+) will be created", out)) == [
        'tencentcloud_vpc.v', 'tencentcloud_vpn_customer_gateway.c["1.1.1.1"]',
        'tencentcloud_vpn_customer_gateway.c["8.8.8.8"]']
    rc = main(["plan", "-no-color", "-detailed-exitcode"])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
