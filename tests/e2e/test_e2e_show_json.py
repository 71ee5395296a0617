"""``vpnform show -json`` of the state and of saved plans, in Terraform's JSON formats: every
document is validated against schemas written from Terraform's documentation
(schemas/plan.schema.json, schemas/state.schema.json). Sensitive values are null unless
``-show-sensitive``; the pre-shared key is in no other output in any encoding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli import QUICKSTART_ADDRESSES, REPO, run, write_config
from test_e2e_secrets import PSK, _forms

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

SCHEMAS = Path(__file__).parent / "schemas"
ENV = {"TF_VAR_psk": PSK}


def _validators():
    docs = {name: json.loads((SCHEMAS / name).read_text()) for name in
            ("plan.schema.json", "state.schema.json")}
    registry = referencing.Registry().with_resources(
        (d["$id"], referencing.Resource.from_contents(d)) for d in docs.values())
    cls = jsonschema.Draft202012Validator
    for d in docs.values():
        cls.check_schema(d)
    return (cls(docs["plan.schema.json"], registry=registry),
            cls(docs["state.schema.json"], registry=registry))


PLAN_SCHEMA, STATE_SCHEMA = _validators()


def _valid(validator, doc: dict) -> dict:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return doc


def _no_psk(text: str) -> None:
    for form in _forms(PSK):
        assert form.decode("latin-1") not in text, f"the PSK is in the output as {form!r}"


def show_plan(workdir, *plan_args: str, env=ENV, show_sensitive: bool = False,
              code: int = 0) -> dict:
    res = run(workdir, "plan", "-out=x.tfplan", *plan_args, env=env)
    assert res.code == code, res
    args = ["show", "-json"] + (["-show-sensitive"] if show_sensitive else []) + ["x.tfplan"]
    shown = run(workdir, *args, env=env)
    assert shown.code == 0, shown
    assert shown.stdout.count("\n") == 1, "one line of JSON"
    if not show_sensitive:
        _no_psk(shown.output)
    return _valid(PLAN_SCHEMA, json.loads(shown.stdout))


def show_state(workdir, show_sensitive: bool = False) -> dict:
    args = ["show", "-json"] + (["-show-sensitive"] if show_sensitive else [])
    shown = run(workdir, *args, env=ENV)
    assert shown.code == 0, shown
    if not show_sensitive:
        _no_psk(shown.output)
    return _valid(STATE_SCHEMA, json.loads(shown.stdout))


def changes(doc: dict) -> dict[str, dict]:
    return {rc["address"]: rc for rc in doc["resource_changes"]}


def state_resources(values: dict) -> dict[str, dict]:
    out = {}

    def walk(module: dict) -> None:
        for r in module.get("resources", []):
            out[r["address"]] = r
        for child in module.get("child_modules", []):
            walk(child)

    walk(values["root_module"])
    return out


CONN = "tencentcloud_vpn_connection.tom"


@pytest.fixture
def applied(quickstart):
    """The quick start applied with the test PSK (so later plans keep it)."""
    res = run(quickstart, "apply", "-auto-approve", env=ENV)
    assert res.code == 0, res
    return quickstart


# --- plans ----------------------------------------------------------------------------------


def test_create_plan(quickstart):
    doc = show_plan(quickstart)
    assert doc["format_version"] == "1.2" and doc["terraform_version"] == "0.1.0"
    rcs = changes(doc)
    assert sorted(rcs) == QUICKSTART_ADDRESSES
    assert {tuple(rc["change"]["actions"]) for rc in rcs.values()} == {("create",)}
    conn = rcs[CONN]
    assert conn["provider_name"] == "registry.terraform.io/tencentcloudstack/tencentcloud"
    assert conn["change"]["before"] is None and conn["change"]["before_sensitive"] is False
    # redacted: the key is there as null, and marked sensitive at that path
    assert "pre_share_key" in conn["change"]["after"]
    assert conn["change"]["after"]["pre_share_key"] is None
    assert conn["change"]["after_sensitive"]["pre_share_key"] is True
    assert conn["change"]["after_unknown"]["id"] is True
    assert "id" not in conn["change"]["after"]  # unknown: left out, as Terraform does
    assert doc["variables"]["psk"] == {"value": None}
    assert doc["variables"]["bandwidth"] == {"value": 5}
    planned = state_resources(doc["planned_values"])
    assert sorted(planned) == QUICKSTART_ADDRESSES
    assert planned[CONN]["values"]["pre_share_key"] is None
    assert planned[CONN]["sensitive_values"]["pre_share_key"] is True
    assert doc["prior_state"]["values"]["root_module"] == {}
    assert doc["output_changes"]["vpn_connection_id"]["after_unknown"] is True
    cfg = {r["address"]: r for r in doc["configuration"]["root_module"]["resources"]}
    assert cfg[CONN]["expressions"]["pre_share_key"] == {"references": ["var.psk"]}
    assert cfg[CONN]["expressions"]["vpn_gateway_id"] == {
        "references": ["tencentcloud_vpn_gateway.tom.id", "tencentcloud_vpn_gateway.tom"]}
    assert cfg[CONN]["expressions"]["security_group_policy"][0]["remote_cidr_block"] == {
        "references": ["var.idc_cidr"]}
    assert cfg["tencentcloud_vpc.tom"]["expressions"]["name"] == {"constant_value": "TomVPC"}
    assert doc["configuration"]["root_module"]["variables"]["psk"]["sensitive"] is True
    assert doc["configuration"]["provider_config"]["tencentcloud"]["expressions"] == {
        "region": {"constant_value": "ap-guangzhou"}}
    assert doc["errored"] is False and doc["applyable"] is True


def test_show_sensitive_includes_the_key(quickstart):
    doc = show_plan(quickstart, show_sensitive=True)
    conn = changes(doc)[CONN]
    assert conn["change"]["after"]["pre_share_key"] == PSK
    assert conn["change"]["after_sensitive"]["pre_share_key"] is True
    assert doc["variables"]["psk"] == {"value": PSK}
    # and the redacted form of the same file still hides it
    shown = run(quickstart, "show", "-json", "x.tfplan", env=ENV)
    _no_psk(shown.output)


def test_plan_file_holds_the_json_sealed(quickstart):
    show_plan(quickstart)
    data = (quickstart / "x.tfplan").read_bytes()
    for form in _forms(PSK):
        assert form not in data
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        doc = json.loads(z.read("tfplan.json"))
    assert set(doc["json"]) == {"sealed"} and set(doc["json_redacted"]) == {"sealed"}


def test_update_plan(applied):
    doc = show_plan(applied, "-var", "bandwidth=10")
    acted = {a: rc for a, rc in changes(doc).items() if rc["change"]["actions"] != ["no-op"]}
    assert list(acted) == ["tencentcloud_vpn_gateway.tom"]
    ch = acted["tencentcloud_vpn_gateway.tom"]["change"]
    assert ch["actions"] == ["update"]
    assert (ch["before"]["bandwidth"], ch["after"]["bandwidth"]) == (5, 10)
    assert ch["before"]["id"] == ch["after"]["id"]
    conn = changes(doc)[CONN]["change"]
    assert conn["actions"] == ["no-op"]
    assert conn["before"]["pre_share_key"] is None and conn["before_sensitive"]["pre_share_key"]
    prior = state_resources(doc["prior_state"]["values"])
    assert sorted(prior) == QUICKSTART_ADDRESSES
    assert prior[CONN]["values"]["pre_share_key"] is None
    assert prior[CONN]["sensitive_values"]["pre_share_key"] is True
    assert doc["prior_state"]["values"]["outputs"]["vpn_connection_id"]["value"].startswith(
        "vpnx-")


def test_replace_plans(applied):
    doc = show_plan(applied, "-replace=tencentcloud_vpn_customer_gateway.idc",
                    "-var", "idc_cidr=10.0.2.0/24")
    rcs = changes(doc)
    cgw = rcs["tencentcloud_vpn_customer_gateway.idc"]
    assert cgw["change"]["actions"] == ["delete", "create"]
    assert cgw["action_reason"] == "replace_by_request"
    doc = show_plan(applied, "-var", "idc_public_ip=203.0.113.9")
    cgw = changes(doc)["tencentcloud_vpn_customer_gateway.idc"]
    assert cgw["change"]["actions"] == ["delete", "create"]
    assert cgw["action_reason"] == "replace_because_cannot_update"
    assert ["public_ip_address"] in cgw["change"]["replace_paths"]


def test_destroy_plan(applied):
    doc = show_plan(applied, "-destroy")
    rcs = changes(doc)
    assert sorted(rcs) == QUICKSTART_ADDRESSES
    for rc in rcs.values():
        assert rc["change"]["actions"] == ["delete"]
        assert rc["change"]["after"] is None and rc["change"]["after_sensitive"] is False
    assert rcs[CONN]["change"]["before"]["pre_share_key"] is None
    assert doc["planned_values"]["root_module"] == {}


def test_module_instances(tmp_path):
    work = tmp_path / "multi-site"
    shutil.copytree(REPO / "examples" / "multi-site", work, ignore=shutil.ignore_patterns(
        ".terraform*", ".vpnform", "terraform.tfstate*", "*.tfplan"))
    doc = show_plan(work, env=None)
    rcs = changes(doc)
    assert len(rcs) == 12
    entry = rcs['module.site["sh"].tencentcloud_route_table_entry.to_idc["10.1.0.0/24"]']
    assert entry["module_address"] == 'module.site["sh"]'
    assert entry["index"] == "10.1.0.0/24" and entry["name"] == "to_idc"
    children = {c["address"]: c for c in doc["planned_values"]["root_module"]["child_modules"]}
    assert sorted(children) == ['module.site["bj"]', 'module.site["sh"]']
    assert all(r["address"].startswith('module.site["sh"].')
               for r in children['module.site["sh"]']["resources"])
    call = doc["configuration"]["root_module"]["module_calls"]["site"]
    assert call["source"].startswith("./")
    assert call["for_each_expression"] == {"references": ["var.sites"]}
    assert call["module"]["resources"]


def test_deferred_data_read(quickstart):
    write_config(quickstart, """
data "tencentcloud_vpc_subnets" "of_tom" {
  vpc_id     = tencentcloud_vpc.tom.id
  depends_on = [tencentcloud_subnet.a]
}

data "tencentcloud_vpn_customer_gateway_vendors" "all" {}
""", name="lookup.tf")
    doc = show_plan(quickstart)
    read = changes(doc)["data.tencentcloud_vpc_subnets.of_tom"]
    assert read["mode"] == "data" and read["change"]["actions"] == ["read"]
    assert read["action_reason"] == "read_because_config_unknown"
    # read during plan: a value in planned and prior values, not a change
    assert "data.tencentcloud_vpn_customer_gateway_vendors.all" not in changes(doc)
    planned = state_resources(doc["planned_values"])
    assert planned["data.tencentcloud_vpn_customer_gateway_vendors.all"]["mode"] == "data"
    cfg = {r["address"]: r for r in doc["configuration"]["root_module"]["resources"]}
    assert cfg["data.tencentcloud_vpc_subnets.of_tom"]["depends_on"] == [
        "tencentcloud_subnet.a"]


def test_show_text_of_a_plan_file_still_works(quickstart):
    show_plan(quickstart)
    res = run(quickstart, "show", "x.tfplan", env=ENV)
    assert res.code == 0 and "Plan: 7 to add" in res.stdout, res


# --- state ----------------------------------------------------------------------------------


def test_state(applied):
    doc = show_state(applied)
    assert doc["format_version"] == "1.0" and doc["terraform_version"] == "0.1.0"
    res = state_resources(doc["values"])
    assert sorted(res) == QUICKSTART_ADDRESSES
    conn = res[CONN]
    assert conn["values"]["pre_share_key"] is None
    assert conn["sensitive_values"]["pre_share_key"] is True
    assert conn["values"]["id"].startswith("vpnx-")
    assert "tencentcloud_vpn_gateway.tom" in conn["depends_on"]
    assert doc["values"]["outputs"]["vpn_connection_id"] == {
        "sensitive": False, "value": conn["values"]["id"], "type": "string"}
    shown = show_state(applied, show_sensitive=True)
    assert state_resources(shown["values"])[CONN]["values"]["pre_share_key"] == PSK


def test_no_state(tmp_path):
    doc = show_state(tmp_path)
    assert doc == {"format_version": "1.0"}


def test_show_sensitive_needs_json(applied):
    res = run(applied, "show", "-show-sensitive")
    assert res.code == 1 and "-show-sensitive" in res.stderr, res


def test_drift_moved_and_forgotten_objects(applied):
    """resource_drift for a change made outside vpnform, previous_address for a moved
    object, a forget action for a removed block: all in Terraform's plan format."""
    gw = json.loads(run(applied, "console", input="tencentcloud_vpn_gateway.tom.id\n",
                        env=ENV).stdout.strip())
    assert run(applied, "cloud", "ResetVpnGatewayInternetMaxBandwidth", f"VpnGatewayId={gw}",
               "InternetMaxBandwidthOut=10").code == 0
    main = applied / "main.tf"
    text = main.read_text()
    text = text.replace('"tencentcloud_vpn_customer_gateway" "idc"',
                        '"tencentcloud_vpn_customer_gateway" "site"')
    text = text.replace("tencentcloud_vpn_customer_gateway.idc.id",
                        "tencentcloud_vpn_customer_gateway.site.id")
    start = text.index('resource "tencentcloud_route_table_entry" "to_idc"')
    text = text[:start] + text[text.index("\n}\n", start) + 3:]
    main.write_text(text)
    write_config(applied, "moved {\n  from = tencentcloud_vpn_customer_gateway.idc\n"
                 "  to   = tencentcloud_vpn_customer_gateway.site\n}\n\n"
                 "removed {\n  from = tencentcloud_route_table_entry.to_idc\n\n"
                 "  lifecycle {\n    destroy = false\n  }\n}\n", name="moves.tf")
    doc = show_plan(applied)
    got = changes(doc)
    assert got["tencentcloud_vpn_customer_gateway.site"]["previous_address"] == \
        "tencentcloud_vpn_customer_gateway.idc"
    assert got["tencentcloud_route_table_entry.to_idc"]["change"]["actions"] == ["forget"]
    assert got["tencentcloud_vpn_gateway.tom"]["change"]["actions"] == ["update"]
    [drift] = doc["resource_drift"]
    assert drift["address"] == "tencentcloud_vpn_gateway.tom"
    assert drift["change"]["actions"] == ["update"]
    assert (drift["change"]["before"]["bandwidth"], drift["change"]["after"]["bandwidth"]) == (5, 10)
