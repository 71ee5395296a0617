"""``moved`` and ``removed`` blocks through the CLI: the plan text, then the state (re-addressed
or forgotten) and the emulated cloud (untouched by a move or a forget)."""

from __future__ import annotations

import json
import re

from cli import (
    resource_headers,
    QUICKSTART_ADDRESSES,
    cloud,
    errors,
    plan_summary,
    position,
    run,
    write_config,
)

CGW = "tencentcloud_vpn_customer_gateway.idc"
CONN = "tencentcloud_vpn_connection.tom"
ROUTE = "tencentcloud_route_table_entry.to_idc"

FORGET_HEADER = "will no longer be managed by vpnform, but will not be destroyed"




def state_list(workdir, *prefix: str) -> list[str]:
    res = run(workdir, "state", "list", *prefix)
    assert res.code == 0, res
    return res.stdout.split()


def state_json(workdir) -> dict:
    return json.loads((workdir / "terraform.tfstate").read_text())


def state_ids(workdir) -> dict[str, str]:
    """{address: id} from the state file."""
    out = {}
    for r in state_json(workdir)["resources"]:
        base = (r["module"] + "." if r.get("module") else "") + f"{r['type']}.{r['name']}"
        for inst in r["instances"]:
            key = inst.get("index_key")
            addr = base if key is None else f"{base}[{json.dumps(key)}]"
            out[addr] = inst["attributes"]["id"]
    return out


def cgw_ids(workdir) -> list[str]:
    return sorted(g["CustomerGatewayId"] for g in cloud(workdir, kinds=["customer_gateways"])[
        "customer_gateways"])


def apply_ok(workdir, summary: str, *args: str):
    res = run(workdir, "apply", "-auto-approve", *args)
    assert res.code == 0, res
    assert f"Apply complete! Resources: {summary}." in res.stdout, res
    return res


def plan_no_changes(workdir):
    res = run(workdir, "plan", "-detailed-exitcode")
    assert res.code == 0, res
    assert "No changes. Your infrastructure matches the configuration." in res.stdout, res
    return res


def edit(workdir, *pairs: tuple[str, str], append: str = "") -> str:
    path = workdir / "main.tf"
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    text += append
    path.write_text(text)
    return text


def drop_block(text: str, opening: str) -> str:
    """``text`` without the top-level block that starts with the line ``opening``."""
    start = text.index(opening)
    end = text.index("\n}\n", start) + 3
    return text[:start] + text[end:]


# --- moved -----------------------------------------------------------------------------------

RENAME = """
moved {
  from = tencentcloud_vpn_customer_gateway.idc
  to   = tencentcloud_vpn_customer_gateway.site
}
"""


def test_moved_resource_rename_keeps_the_object(applied):
    before = state_ids(applied)
    edit(applied, ('"tencentcloud_vpn_customer_gateway" "idc"',
                   '"tencentcloud_vpn_customer_gateway" "site"'),
         ("tencentcloud_vpn_customer_gateway.idc.id", "tencentcloud_vpn_customer_gateway.site.id"),
         append=RENAME)
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan  # a move is a change to the state, as Terraform counts it
    assert resource_headers(plan.stdout) == [
        f"{CGW} has moved to tencentcloud_vpn_customer_gateway.site"]
    assert '    resource "tencentcloud_vpn_customer_gateway" "site" {' in plan.stdout
    assert f'id   = "{before[CGW]}"' in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    assert "must be replaced" not in plan.stdout and "destroy and then" not in plan.stdout

    apply_ok(applied, "0 added, 0 changed, 0 destroyed")
    after = state_ids(applied)
    assert after["tencentcloud_vpn_customer_gateway.site"] == before[CGW]
    assert CGW not in after
    assert state_list(applied) == sorted(
        [a for a in QUICKSTART_ADDRESSES if a != CGW] + ["tencentcloud_vpn_customer_gateway.site"])
    assert {a: i for a, i in after.items() if a != "tencentcloud_vpn_customer_gateway.site"} == {
        a: i for a, i in before.items() if a != CGW}
    assert cgw_ids(applied) == [before[CGW]]
    show = run(applied, "state", "show", "tencentcloud_vpn_customer_gateway.site")
    assert show.code == 0 and f'"{before[CGW]}"' in show.stdout, show
    # the moved block stays; the move is done, so nothing is left to plan
    plan_no_changes(applied)


def test_moved_and_changed_shows_both(applied):
    before = state_ids(applied)
    edit(applied, ('"tencentcloud_vpn_customer_gateway" "idc"',
                   '"tencentcloud_vpn_customer_gateway" "site"'),
         ("tencentcloud_vpn_customer_gateway.idc.id", "tencentcloud_vpn_customer_gateway.site.id"),
         ('"TomVPNUserGw"', '"SiteGw"'), append=RENAME)
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        "tencentcloud_vpn_customer_gateway.site will be updated in-place"]
    assert f"  # (moved from {CGW})\n" in plan.stdout
    assert re.search(r'~ name +\= "TomVPNUserGw" -> "SiteGw"$', plan.stdout, re.MULTILINE)
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."
    apply_ok(applied, "0 added, 1 changed, 0 destroyed")
    assert state_ids(applied)["tencentcloud_vpn_customer_gateway.site"] == before[CGW]
    [g] = cloud(applied, kinds=["customer_gateways"])["customer_gateways"]
    assert (g["CustomerGatewayId"], g["CustomerGatewayName"]) == (before[CGW], "SiteGw")
    plan_no_changes(applied)


def test_moved_to_an_instance_key(applied):
    before = state_ids(applied)
    edit(applied, ('  name              = "TomVPNUserGw"',
                   '  for_each          = { main = var.idc_public_ip }\n'
                   '  name              = "TomVPNUserGw"'),
         ("public_ip_address = var.idc_public_ip", "public_ip_address = each.value"),
         ("tencentcloud_vpn_customer_gateway.idc.id",
          'tencentcloud_vpn_customer_gateway.idc["main"].id'),
         append='\nmoved {\n  from = tencentcloud_vpn_customer_gateway.idc\n'
                '  to   = tencentcloud_vpn_customer_gateway.idc["main"]\n}\n')
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f'{CGW} has moved to {CGW}["main"]']
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    apply_ok(applied, "0 added, 0 changed, 0 destroyed")
    after = state_ids(applied)
    assert after[f'{CGW}["main"]'] == before[CGW] and CGW not in after
    assert cgw_ids(applied) == [before[CGW]]
    plan_no_changes(applied)


COUNTED = """\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "site" {
  count             = 2
  name              = "site-${count.index}"
  public_ip_address = ["203.0.113.1", "203.0.113.2"][count.index]
}
"""

KEYED = """\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "site" {
  for_each          = { sh = 0, bj = 1 }
  name              = "site-${each.value}"
  public_ip_address = ["203.0.113.1", "203.0.113.2"][each.value]
}

moved {
  from = tencentcloud_vpn_customer_gateway.site[0]
  to   = tencentcloud_vpn_customer_gateway.site["sh"]
}

moved {
  from = tencentcloud_vpn_customer_gateway.site[1]
  to   = tencentcloud_vpn_customer_gateway.site["bj"]
}
"""


def test_moved_count_index_to_for_each_key(tmp_path):
    wd = write_config(tmp_path / "sites", COUNTED)
    apply_ok(wd, "2 added, 0 changed, 0 destroyed")
    before = state_ids(wd)
    write_config(wd, KEYED)
    plan = run(wd, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    site = "tencentcloud_vpn_customer_gateway.site"
    assert resource_headers(plan.stdout) == [
        f'{site}[1] has moved to {site}["bj"]', f'{site}[0] has moved to {site}["sh"]']
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    apply_ok(wd, "0 added, 0 changed, 0 destroyed")
    assert state_ids(wd) == {f'{site}["bj"]': before[f"{site}[1]"],
                             f'{site}["sh"]': before[f"{site}[0]"]}
    assert cgw_ids(wd) == sorted(before.values())
    state = state_json(wd)
    [r] = state["resources"]
    assert sorted(i["index_key"] for i in r["instances"]) == ["bj", "sh"]
    plan_no_changes(wd)


MODULE_SITE = """\
variable "ip" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "this" {
  name              = "idc-gw"
  public_ip_address = var.ip
}

output "id" {
  value = tencentcloud_vpn_customer_gateway.this.id
}
"""


def _module_root(call: str, extra: str = "") -> str:
    return (f'provider "tencentcloud" {{\n  region = "ap-guangzhou"\n}}\n\n'
            f'module "{call}" {{\n  source = "./modules/site"\n  ip     = "203.0.113.1"\n}}\n'
            + extra)


def test_moved_module_rename(tmp_path):
    wd = write_config(tmp_path / "mod", _module_root("old"))
    write_config(wd / "modules" / "site", MODULE_SITE)
    apply_ok(wd, "1 added, 0 changed, 0 destroyed")
    [old_id] = state_ids(wd).values()

    write_config(wd, _module_root("new", "\nmoved {\n  from = module.old\n  to   = module.new\n}\n"))
    plan = run(wd, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        "module.old.tencentcloud_vpn_customer_gateway.this has moved to "
        "module.new.tencentcloud_vpn_customer_gateway.this"]
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    apply_ok(wd, "0 added, 0 changed, 0 destroyed")
    assert state_list(wd) == ["module.new.tencentcloud_vpn_customer_gateway.this"]
    assert state_ids(wd) == {"module.new.tencentcloud_vpn_customer_gateway.this": old_id}
    assert [r["module"] for r in state_json(wd)["resources"]] == ["module.new"]
    assert cgw_ids(wd) == [old_id]
    plan_no_changes(wd)


def test_without_moved_a_rename_replaces(applied):
    """The control: the same rename without the moved block destroys and creates."""
    edit(applied, ('"tencentcloud_vpn_customer_gateway" "idc"',
                   '"tencentcloud_vpn_customer_gateway" "site"'),
         ("tencentcloud_vpn_customer_gateway.idc.id", "tencentcloud_vpn_customer_gateway.site.id"))
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert f"{CGW} will be destroyed" in resource_headers(plan.stdout)
    assert "tencentcloud_vpn_customer_gateway.site will be created" in resource_headers(
        plan.stdout)


# --- removed ---------------------------------------------------------------------------------

FORGET_ROUTE = """
removed {
  from = tencentcloud_route_table_entry.to_idc

  lifecycle {
    destroy = false
  }
}
"""


def _route_in_cloud(workdir, rtb_id: str) -> list[dict]:
    [rtb] = [t for t in cloud(workdir, kinds=["route_tables"])["route_tables"]
             if t["RouteTableId"] == rtb_id]
    return [r for r in rtb["RouteSet"] if r.get("DestinationCidrBlock") == "10.0.1.0/24"]


def test_removed_destroy_false_forgets_and_leaves_the_object(applied):
    ids = state_ids(applied)
    rtb_id = ids["tencentcloud_route_table.tom"]
    assert len(_route_in_cloud(applied, rtb_id)) == 1
    text = drop_block((applied / "main.tf").read_text(),
                      'resource "tencentcloud_route_table_entry" "to_idc" {')
    write_config(applied, text + FORGET_ROUTE)

    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{ROUTE} {FORGET_HEADER}"]
    # as Terraform 1.11 shows a forget: one-space indent, no legend line, no count in the
    # summary, and a warning listing what will no longer be managed
    assert "\n # (destroy = false is set in the configuration)\n" in plan.stdout
    assert '\n . resource "tencentcloud_route_table_entry" "to_idc" {' in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    assert ("Warning: Some objects will no longer be managed by vpnform\n\n"
            "If you apply this plan, vpnform will discard its tracking information for\n"
            "the following objects, but it will not delete them:\n"
            f" - {ROUTE}\n") in plan.stdout
    assert "will be destroyed" not in plan.stdout

    res = apply_ok(applied, "0 added, 0 changed, 0 destroyed")
    assert "Destroying..." not in res.stdout
    assert state_list(applied) == [a for a in QUICKSTART_ADDRESSES if a != ROUTE]
    assert ROUTE not in state_ids(applied)
    assert [r for r in state_json(applied)["resources"]
            if r["type"] == "tencentcloud_route_table_entry"] == []
    # still in the cloud, no longer managed
    [route] = _route_in_cloud(applied, rtb_id)
    assert ids[ROUTE].startswith(str(route["RouteId"]))
    plan_no_changes(applied)
    # the removed block can go once applied
    write_config(applied, text)
    plan_no_changes(applied)


def test_removed_destroy_true_destroys(applied):
    ids = state_ids(applied)
    rtb_id = ids["tencentcloud_route_table.tom"]
    text = drop_block((applied / "main.tf").read_text(),
                      'resource "tencentcloud_route_table_entry" "to_idc" {')
    write_config(applied, text + FORGET_ROUTE.replace("destroy = false", "destroy = true"))
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{ROUTE} will be destroyed"]
    assert f"  # (because {ROUTE} is not in configuration)\n" in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    apply_ok(applied, "0 added, 0 changed, 1 destroyed")
    assert ROUTE not in state_list(applied)
    assert _route_in_cloud(applied, rtb_id) == []
    plan_no_changes(applied)


def test_removed_while_the_resource_block_still_exists_is_an_error(applied):
    before = (applied / "terraform.tfstate").read_text()
    text = edit(applied, append=FORGET_ROUTE)
    res = run(applied, "plan")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Removed resource block still exists", res
    assert d.filename == "main.tf"
    assert (d.line, d.col) == position(text, "removed {", "removed"), res
    assert ROUTE in d.detail
    assert plan_summary(res.stdout) is None
    assert (applied / "terraform.tfstate").read_text() == before


def test_removed_module_destroy_false_forgets_all_its_objects(tmp_path):
    wd = write_config(tmp_path / "mod", _module_root("old"))
    write_config(wd / "modules" / "site", MODULE_SITE)
    apply_ok(wd, "1 added, 0 changed, 0 destroyed")
    [old_id] = state_ids(wd).values()
    write_config(wd, 'provider "tencentcloud" {\n  region = "ap-guangzhou"\n}\n\n'
                     "removed {\n  from = module.old\n\n  lifecycle {\n    destroy = false\n"
                     "  }\n}\n")
    plan = run(wd, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"module.old.tencentcloud_vpn_customer_gateway.this {FORGET_HEADER}"]
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 0 to destroy."
    apply_ok(wd, "0 added, 0 changed, 0 destroyed")
    assert state_list(wd) == []
    assert cgw_ids(wd) == [old_id]
