"""Choosing what a run touches, through the CLI: -target (plan, apply, destroy, saved
plans; resources, instances, modules, module instances), -replace, and taint / untaint
(by hand, and left by a create that failed after the object existed)."""

from __future__ import annotations

import json

from cli import (
    resource_headers,
    QUICKSTART_ADDRESSES,
    REPO,
    arm_fault,
    cloud,
    copy_config,
    diagnostics,
    errors,
    plan_summary,
    run,
)

VPC = "tencentcloud_vpc.tom"
RTB = "tencentcloud_route_table.tom"
SUBNET = "tencentcloud_subnet.a"
GW = "tencentcloud_vpn_gateway.tom"
CGW = "tencentcloud_vpn_customer_gateway.idc"
CONN = "tencentcloud_vpn_connection.tom"
ROUTE = "tencentcloud_route_table_entry.to_idc"
NEW_IP = "203.0.113.9"
MULTI_SITE = REPO / "examples" / "multi-site"

TARGETING_DETAIL = (
    "You are creating a plan with the -target option, which means that the result of this "
    "plan may not represent all of the changes requested by the current configuration.")
INCOMPLETE_DETAIL = (
    "The plan was created with the -target option in effect, so some changes requested in "
    "the configuration may have been ignored and the output values may not be fully "
    "updated. Run the following command to verify that no other changes are pending:")




def warnings(text: str) -> dict[str, str]:
    """{summary: detail (lines joined by spaces)} of the warnings printed."""
    return {d.summary: " ".join(d.detail.split()) for d in diagnostics(text)
            if d.severity == "Warning"}


def state_list(workdir, *prefix: str) -> list[str]:
    res = run(workdir, "state", "list", *prefix)
    assert res.code == 0, res
    return res.stdout.split()


def state_json(workdir) -> dict:
    return json.loads((workdir / "terraform.tfstate").read_text())


def instance(workdir, rtype: str, name: str) -> dict:
    """The state file's one instance of a root resource without count/for_each."""
    [r] = [r for r in state_json(workdir)["resources"]
           if r["type"] == rtype and r["name"] == name and "module" not in r]
    [inst] = r["instances"]
    return inst


def rid(workdir, address: str) -> str:
    rtype, name = address.split(".")
    return instance(workdir, rtype, name)["attributes"]["id"]


def plan_no_changes(workdir, *args: str):
    res = run(workdir, "plan", "-detailed-exitcode", *args)
    assert res.code == 0, res
    assert "No changes. Your infrastructure matches the configuration." in res.stdout, res
    return res


# --- -target ---------------------------------------------------------------------------------

def test_target_plans_the_resource_and_its_dependencies_only(quickstart):
    plan = run(quickstart, "plan", "-detailed-exitcode", f"-target={SUBNET}")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"{RTB} will be created", f"{SUBNET} will be created", f"{VPC} will be created"]
    assert plan_summary(plan.stdout) == "Plan: 3 to add, 0 to change, 0 to destroy."
    w = warnings(plan.output)
    assert list(w) == ["Resource targeting is in effect"], plan
    assert w["Resource targeting is in effect"].startswith(TARGETING_DETAIL)


def test_target_apply_then_a_full_plan_shows_the_rest(quickstart):
    # -lint=off: the quickstart's tunnel has security findings, not the subject here
    res = run(quickstart, "apply", "-auto-approve", f"-target={CONN}", "-lint=off")
    assert res.code == 0, res
    # the tunnel and everything it depends on; not the route, which depends on the gateway
    assert resource_headers(res.stdout) == [
        f"{RTB} will be created", f"{SUBNET} will be created", f"{VPC} will be created",
        f"{CONN} will be created", f"{CGW} will be created", f"{GW} will be created"]
    assert "Apply complete! Resources: 6 added, 0 changed, 0 destroyed." in res.stdout
    w = warnings(res.output)
    assert set(w) == {"Resource targeting is in effect", "Applied changes may be incomplete"}
    assert w["Applied changes may be incomplete"].startswith(INCOMPLETE_DETAIL)
    assert "vpnform plan" in w["Applied changes may be incomplete"]

    assert state_list(quickstart) == sorted(set(QUICKSTART_ADDRESSES) - {ROUTE})
    inv = cloud(quickstart)
    assert len(inv["vpn_connections"]) == 1 and len(inv["vpn_gateways"]) == 1
    rtb_id = rid(quickstart, RTB)
    [rtb] = [t for t in inv["route_tables"] if t["RouteTableId"] == rtb_id]
    assert not [r for r in rtb["RouteSet"] if r.get("GatewayType") == "VPN"], rtb

    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{ROUTE} will be created"]
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."
    assert "Resource targeting is in effect" not in plan.output
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Applied changes may be incomplete" not in res.output
    assert state_list(quickstart) == QUICKSTART_ADDRESSES


def test_target_leaves_other_pending_changes_for_later(applied):
    change = ["-var", "bandwidth=10", "-var", f"idc_public_ip={NEW_IP}"]
    old_cgw = rid(applied, CGW)
    plan = run(applied, "plan", "-detailed-exitcode", f"-target={GW}", *change)
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{GW} will be updated in-place"]
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."

    res = run(applied, "apply", "-auto-approve", f"-target={GW}", *change)
    assert res.code == 0, res
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in res.stdout
    assert instance(applied, "tencentcloud_vpn_gateway", "tom")["attributes"]["bandwidth"] == 10
    assert rid(applied, CGW) == old_cgw
    [cgw] = cloud(applied, kinds=["customer_gateways"])["customer_gateways"]
    assert cgw["IpAddress"] == "202.108.22.5"

    plan = run(applied, "plan", "-detailed-exitcode", *change)
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} must be replaced",
                                             f"{CGW} must be replaced"]
    assert plan_summary(plan.stdout) == "Plan: 2 to add, 0 to change, 2 to destroy."


def test_target_saved_plan_applies_only_the_target(quickstart):
    plan = run(quickstart, "plan", f"-target={CGW}", "-out=cgw.tfplan")
    assert plan.code == 0, plan
    assert resource_headers(plan.stdout) == [f"{CGW} will be created"]
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."
    assert "Resource targeting is in effect" in warnings(plan.output)
    assert 'vpnform apply "cgw.tfplan"' in plan.stdout

    res = run(quickstart, "apply", "cgw.tfplan")
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in res.stdout
    assert "Applied changes may be incomplete" in warnings(res.output)
    assert state_list(quickstart) == [CGW]
    inv = cloud(quickstart)
    assert len(inv["customer_gateways"]) == 1
    assert inv["vpcs"] == [] and inv["vpn_gateways"] == [] and inv["vpn_connections"] == []

    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 6 to add, 0 to change, 0 to destroy."
    assert f"{CGW} will be created" not in resource_headers(plan.stdout)


def test_destroy_target_destroys_the_target_and_its_dependents(applied):
    res = run(applied, "destroy", "-auto-approve", f"-target={GW}")
    assert res.code == 0, res
    assert resource_headers(res.stdout) == [
        f"{ROUTE} will be destroyed", f"{CONN} will be destroyed", f"{GW} will be destroyed"]
    assert plan_summary(res.stdout) == "Plan: 0 to add, 0 to change, 3 to destroy."
    assert "Destroy complete! Resources: 3 destroyed." in res.stdout
    assert "Resource targeting is in effect" in warnings(res.output)
    assert state_list(applied) == [RTB, SUBNET, VPC, CGW]
    inv = cloud(applied)
    assert inv["vpn_gateways"] == [] and inv["vpn_connections"] == []
    assert len(inv["vpcs"]) == len(inv["customer_gateways"]) == len(inv["subnets"]) == 1

    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"{ROUTE} will be created", f"{CONN} will be created", f"{GW} will be created"]


def test_plan_destroy_target_lists_only_the_target_and_dependents(applied):
    plan = run(applied, "plan", "-destroy", "-detailed-exitcode", f"-target={CGW}")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} will be destroyed",
                                             f"{CGW} will be destroyed"]
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 2 to destroy."


def _multi_site(tmp_path):
    wd = tmp_path / "multi-site"
    copy_config(MULTI_SITE, wd)
    copy_config(MULTI_SITE / "modules" / "site", wd / "modules" / "site")
    return wd


HUB = ["tencentcloud_route_table.hub will be created", "tencentcloud_vpc.hub will be created",
       "tencentcloud_vpn_gateway.hub will be created"]


def site_headers(key: str, lans: list[str]) -> list[str]:
    m = f'module.site["{key}"]'
    return ([f'{m}.tencentcloud_route_table_entry.to_idc["{lan}"] will be created'
             for lan in lans]
            + [f"{m}.tencentcloud_subnet.site will be created",
               f"{m}.tencentcloud_vpn_connection.tunnel will be created",
               f"{m}.tencentcloud_vpn_customer_gateway.idc will be created"])


SH = ["10.1.0.0/24", "10.1.1.0/24"]
BJ = ["10.2.0.0/24"]


def test_target_module_instance_then_the_rest(tmp_path):
    wd = _multi_site(tmp_path)
    res = run(wd, "apply", "-auto-approve", '-target=module.site["bj"]')
    assert res.code == 0, res
    assert resource_headers(res.stdout) == HUB + site_headers("bj", BJ)
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in res.stdout
    assert "Applied changes may be incomplete" in warnings(res.output)
    assert state_list(wd, 'module.site["sh"]') == []
    assert len(state_list(wd, 'module.site["bj"]')) == 4
    inv = cloud(wd)
    assert [g["CustomerGatewayName"] for g in inv["customer_gateways"]] == ["bj-idc"]

    plan = run(wd, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == site_headers("sh", SH)
    assert plan_summary(plan.stdout) == "Plan: 5 to add, 0 to change, 0 to destroy."


def test_target_whole_module_and_one_instance_inside_one(tmp_path):
    wd = _multi_site(tmp_path)
    plan = run(wd, "plan", "-detailed-exitcode", "-target=module.site")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == HUB + site_headers("bj", BJ) + site_headers("sh", SH)
    assert plan_summary(plan.stdout) == "Plan: 12 to add, 0 to change, 0 to destroy."

    lan = 'module.site["sh"].tencentcloud_route_table_entry.to_idc["10.1.1.0/24"]'
    plan = run(wd, "plan", "-detailed-exitcode", f"-target={lan}")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == HUB + [f"{lan} will be created"]
    res = run(wd, "apply", "-auto-approve", f"-target={lan}")
    assert res.code == 0, res
    assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in res.stdout
    assert state_list(wd, 'module.site["sh"]') == [lan]


def test_target_of_an_unknown_address_is_a_usage_error(quickstart):
    res = run(quickstart, "plan", "-target=not an address")
    assert res.code == 1, res
    assert "Invalid -target address" in res.output


# --- -replace --------------------------------------------------------------------------------

def test_replace_plans_and_applies_a_replacement_as_requested(applied):
    old = rid(applied, CONN)
    plan = run(applied, "plan", "-detailed-exitcode", f"-replace={CONN}")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} will be replaced, as requested"]
    assert '-/+ resource "tencentcloud_vpn_connection" "tom" {' in plan.stdout
    assert "-/+ destroy and then create replacement" in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 0 to change, 1 to destroy."
    assert f'~ vpn_connection_id = "{old}" -> (known after apply)' in plan.stdout

    res = run(applied, "apply", "-auto-approve", f"-replace={CONN}")
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 0 changed, 1 destroyed." in res.stdout
    new = rid(applied, CONN)
    assert new != old
    assert f'vpn_connection_id = "{new}"' in res.stdout
    assert [c["VpnConnectionId"] for c in cloud(applied, kinds=["vpn_connections"])[
        "vpn_connections"]] == [new]
    assert state_list(applied) == QUICKSTART_ADDRESSES
    plan_no_changes(applied)


def test_replace_saved_plan(applied):
    old = rid(applied, CGW)
    plan = run(applied, "plan", f"-replace={CGW}", "-out=r.tfplan")
    assert plan.code == 0, plan
    # the tunnel refers to the customer gateway's id, which becomes unknown: replaced too
    assert resource_headers(plan.stdout) == [f"{CONN} must be replaced",
                                             f"{CGW} will be replaced, as requested"]
    res = run(applied, "apply", "r.tfplan")
    assert res.code == 0, res
    assert "Apply complete! Resources: 2 added, 0 changed, 2 destroyed." in res.stdout
    assert rid(applied, CGW) != old
    plan_no_changes(applied)


def test_replace_with_create_before_destroy_creates_first(applied):
    path = applied / "main.tf"
    opening = 'resource "tencentcloud_vpn_connection" "tom" {\n'
    path.write_text(path.read_text().replace(
        opening, opening + "  lifecycle {\n    create_before_destroy = true\n  }\n\n"))
    old = rid(applied, CONN)
    plan = run(applied, "plan", "-detailed-exitcode", f"-replace={CONN}")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} will be replaced, as requested"]
    assert '+/- resource "tencentcloud_vpn_connection" "tom" {' in plan.stdout
    assert "+/- create replacement and then destroy" in plan.stdout
    res = run(applied, "apply", "-auto-approve", f"-replace={CONN}")
    assert res.code == 0, res
    lines = res.stdout.splitlines()
    created = next(i for i, ln in enumerate(lines)
                   if ln.startswith(f"{CONN}: Creation complete after"))
    destroying = next(i for i, ln in enumerate(lines)
                      if ln.startswith(f"{CONN}: Destroying... [id={old}]"))
    assert created < destroying, res
    assert rid(applied, CONN) != old


# --- taint / untaint -------------------------------------------------------------------------

def test_taint_then_plan_and_apply_replace_it(applied):
    old = rid(applied, CONN)
    serial = state_json(applied)["serial"]
    res = run(applied, "taint", CONN)
    assert res.code == 0, res
    assert res.stdout.strip() == f"Resource instance {CONN} has been marked as tainted."
    assert instance(applied, "tencentcloud_vpn_connection", "tom")["status"] == "tainted"
    assert state_json(applied)["serial"] == serial + 1
    show = run(applied, "state", "show", CONN)
    assert show.code == 0, show
    assert show.stdout.splitlines()[0] == f"# {CONN}: (tainted)"
    # nothing remote was touched
    assert [c["VpnConnectionId"] for c in cloud(applied, kinds=["vpn_connections"])[
        "vpn_connections"]] == [old]

    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CONN} is tainted, so must be replaced"]
    assert '-/+ resource "tencentcloud_vpn_connection" "tom" {' in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 0 to change, 1 to destroy."

    res = run(applied, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 0 changed, 1 destroyed." in res.stdout
    inst = instance(applied, "tencentcloud_vpn_connection", "tom")
    assert inst["attributes"]["id"] != old
    assert inst.get("status") in (None, "", "ready")
    assert [c["VpnConnectionId"] for c in cloud(applied, kinds=["vpn_connections"])[
        "vpn_connections"]] == [inst["attributes"]["id"]]
    assert "(tainted)" not in run(applied, "state", "show", CONN).stdout
    plan_no_changes(applied)


def test_untaint_clears_the_mark(applied):
    assert run(applied, "taint", GW).code == 0
    res = run(applied, "untaint", GW)
    assert res.code == 0, res
    assert res.stdout.strip() == f"Resource instance {GW} has been successfully untainted."
    assert instance(applied, "tencentcloud_vpn_gateway", "tom").get("status") != "tainted"
    plan_no_changes(applied)

    again = run(applied, "untaint", GW)
    assert again.code == 1, again
    [d] = errors(again.output)
    assert d.summary == "Resource instance is not tainted"
    assert " ".join(d.detail.split()) == (
        f"Resource instance {GW} is not currently tainted, and so it cannot be untainted.")


def test_taint_of_a_missing_address_is_an_error(applied):
    before = (applied / "terraform.tfstate").read_text()
    res = run(applied, "taint", "tencentcloud_vpc.nope")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "No such resource instance"
    assert " ".join(d.detail.split()).startswith(
        "There is no resource instance in the state with the address tencentcloud_vpc.nope.")
    assert (applied / "terraform.tfstate").read_text() == before

    res = run(applied, "taint", "-allow-missing", "tencentcloud_vpc.nope")
    assert res.code == 0, res
    assert "tencentcloud_vpc.nope was not found" in res.output
    assert "-allow-missing" in res.output
    assert (applied / "terraform.tfstate").read_text() == before

    res = run(applied, "untaint", "-allow-missing", "tencentcloud_vpc.nope")
    assert res.code == 0, res


def test_taint_without_state_is_an_error(quickstart):
    res = run(quickstart, "taint", CONN)
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "No such resource instance"


def test_taint_needs_a_resource_instance_address(applied):
    res = run(applied, "taint")
    assert res.code == 1, res
    res = run(applied, "taint", "data.tencentcloud_vpcs.all")
    assert res.code == 1, res
    assert "only managed resources" in res.output


def test_failed_create_after_the_object_exists_leaves_it_tainted(quickstart):
    # The gateway is created, still PENDING, then its wait for AVAILABLE fails (not a
    # transient InternalError, which is retried): it exists, so it is recorded tainted.
    arm_fault(quickstart, "DescribeVpnGateways", "FailedOperation", "describe broke", count=1)
    res = run(quickstart, "apply", "-auto-approve", env={"VPNFORM_EMULATOR_DELAY_SCALE": "0.1"})
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Error creating VPN gateway" and d.address == GW, res
    assert GW in state_list(quickstart)
    inst = instance(quickstart, "tencentcloud_vpn_gateway", "tom")
    assert inst["status"] == "tainted"
    tainted_id = inst["attributes"]["id"]
    assert [g["VpnGatewayId"] for g in cloud(quickstart, kinds=["vpn_gateways"])[
        "vpn_gateways"]] == [tainted_id]

    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"{ROUTE} will be created", f"{CONN} will be created",
        f"{GW} is tainted, so must be replaced"]
    assert plan_summary(plan.stdout) == "Plan: 3 to add, 0 to change, 1 to destroy."

    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 3 added, 0 changed, 1 destroyed." in res.stdout
    new = instance(quickstart, "tencentcloud_vpn_gateway", "tom")
    assert new["attributes"]["id"] != tainted_id and new.get("status") != "tainted"
    assert [g["VpnGatewayId"] for g in cloud(quickstart, kinds=["vpn_gateways"])[
        "vpn_gateways"]] == [new["attributes"]["id"]]
    assert state_list(quickstart) == QUICKSTART_ADDRESSES
    plan_no_changes(quickstart)


def test_targeting_warning_follows_the_plan(applied):
    """As Terraform prints it: the plan, its summary, then the warning, then the note."""
    res = run(applied, "plan", f"-target={GW}", "-var", "bandwidth=10")
    assert res.code == 0, res
    out = res.stdout + res.stderr if "Warning" not in res.stdout else res.stdout
    summary = out.index("Plan: 0 to add, 1 to change, 0 to destroy.")
    warning = out.index("Warning: Resource targeting is in effect")
    note = out.index("Note: You didn't use the -out option")
    assert summary < warning < note, out
