"""The lifecycle arguments through the CLI: ignore_changes, replace_triggered_by,
create_before_destroy and prevent_destroy — each one's plan text, then the state and the
emulated cloud after apply."""

from __future__ import annotations

import json

from cli import (
    QUICKSTART_ADDRESSES,
    cloud,
    errors,
    plan_summary,
    position,
    resource_headers,
    run,
    write_config,
)

GW = "tencentcloud_vpn_gateway.tom"
CGW = "tencentcloud_vpn_customer_gateway.idc"
CONN = "tencentcloud_vpn_connection.tom"
ROUTE = "tencentcloud_route_table_entry.to_idc"
NEW_IP = "203.0.113.9"


def with_lifecycle(workdir, header: str, body: str) -> str:
    """Put ``lifecycle { BODY }`` into the resource block whose first line is ``header``
    (``tencentcloud_vpn_gateway" "tom``) of the working directory's main.tf."""
    path = workdir / "main.tf"
    text = path.read_text()
    opening = f'resource "{header}" {{\n'
    assert opening in text, header
    text = text.replace(opening, opening + f"  lifecycle {{\n    {body}\n  }}\n\n", 1)
    path.write_text(text)
    return text


def apply_ok(workdir, *args: str, summary: str | None = None):
    res = run(workdir, "apply", "-auto-approve", *args)
    assert res.code == 0, res
    if summary is not None:
        assert f"Apply complete! Resources: {summary}." in res.stdout, res
    return res


def plan_no_changes(workdir, *args: str):
    res = run(workdir, "plan", "-detailed-exitcode", *args)
    assert res.code == 0, res
    assert "No changes. Your infrastructure matches the configuration." in res.stdout, res
    return res


def state_json(workdir) -> dict:
    return json.loads((workdir / "terraform.tfstate").read_text())


def state_attrs(workdir, address: str) -> dict:
    """The attributes the state file records for one (count/for_each-less, or keyed)
    resource instance, by its full address."""
    base, _, key = address.partition("[")
    rtype, name = base.split(".")[-2:]
    for r in state_json(workdir)["resources"]:
        if r["type"] == rtype and r["name"] == name:
            for inst in r["instances"]:
                want = json.loads(key[:-1]) if key else None
                if inst.get("index_key") == want:
                    return inst["attributes"]
    raise AssertionError(f"{address} not in the state file")


def state_list(workdir, *prefix: str) -> list[str]:
    res = run(workdir, "state", "list", *prefix)
    assert res.code == 0, res
    return res.stdout.split()


def log_index(text: str, line_start: str) -> int:
    """Index of the first line of ``text`` starting with ``line_start``."""
    for i, line in enumerate(text.splitlines()):
        if line.startswith(line_start):
            return i
    raise AssertionError(f"no line starting with {line_start!r} in:\n{text}")


def gateway_in_cloud(workdir) -> dict:
    [gw] = cloud(workdir, kinds=["vpn_gateways"])["vpn_gateways"]
    return gw


# --- ignore_changes --------------------------------------------------------------------------

def test_ignore_changes_list_plans_nothing_for_an_ignored_argument(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_vpn_gateway" "tom', "ignore_changes = [bandwidth]")
    apply_ok(quickstart, "-var", "bandwidth=10", summary="7 added, 0 changed, 0 destroyed")
    # created with the configured value: ignore_changes only matters once the object exists
    assert state_attrs(quickstart, GW)["bandwidth"] == 10
    assert gateway_in_cloud(quickstart)["InternetMaxBandwidthOut"] == 10

    plan_no_changes(quickstart, "-var", "bandwidth=20")
    apply_ok(quickstart, "-var", "bandwidth=20", summary="0 added, 0 changed, 0 destroyed")
    assert state_attrs(quickstart, GW)["bandwidth"] == 10
    assert gateway_in_cloud(quickstart)["InternetMaxBandwidthOut"] == 10
    show = run(quickstart, "state", "show", GW)
    assert show.code == 0, show
    assert [ln.split() for ln in show.stdout.splitlines() if "bandwidth" in ln] == [
        ["bandwidth", "=", "10"]]


def test_ignore_changes_list_still_plans_the_other_arguments(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_vpn_gateway" "tom',
                          "ignore_changes = [bandwidth]")
    apply_ok(quickstart)
    (quickstart / "main.tf").write_text(text.replace('"TomVPNGw"', '"TomVPNGw2"'))
    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", "bandwidth=10")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{GW} will be updated in-place"]
    assert '~ name' in plan.stdout and '"TomVPNGw" -> "TomVPNGw2"' in plan.stdout, plan
    # the ignored argument is not shown as changing
    assert not [ln for ln in plan.stdout.splitlines() if "bandwidth" in ln], plan
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 1 to change, 0 to destroy."


def test_ignore_changes_list_applies_the_other_arguments(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_vpn_gateway" "tom',
                          "ignore_changes = [bandwidth]")
    apply_ok(quickstart)
    (quickstart / "main.tf").write_text(text.replace('"TomVPNGw"', '"TomVPNGw2"'))
    apply_ok(quickstart, "-var", "bandwidth=10", summary="0 added, 1 changed, 0 destroyed")
    gw = gateway_in_cloud(quickstart)
    assert (gw["VpnGatewayName"], gw["InternetMaxBandwidthOut"]) == ("TomVPNGw2", 5)
    assert state_attrs(quickstart, GW)["name"] == "TomVPNGw2"
    assert state_attrs(quickstart, GW)["bandwidth"] == 5


def test_ignore_changes_all_ignores_updates_and_replacements(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                          "ignore_changes = all")
    apply_ok(quickstart)
    cgw_id = state_attrs(quickstart, CGW)["id"]
    # a new name (in place) and a new address (forces replacement): both ignored
    (quickstart / "main.tf").write_text(text.replace('"TomVPNUserGw"', '"Renamed"'))
    plan_no_changes(quickstart, "-var", f"idc_public_ip={NEW_IP}")
    apply_ok(quickstart, "-var", f"idc_public_ip={NEW_IP}",
             summary="0 added, 0 changed, 0 destroyed")
    attrs = state_attrs(quickstart, CGW)
    assert (attrs["id"], attrs["name"], attrs["public_ip_address"]) == (
        cgw_id, "TomVPNUserGw", "202.108.22.5")
    [cgw] = cloud(quickstart, kinds=["customer_gateways"])["customer_gateways"]
    assert (cgw["CustomerGatewayId"], cgw["IpAddress"]) == (cgw_id, "202.108.22.5")


def test_without_ignore_changes_the_same_change_is_planned(applied):
    """The control for the tests above: the quick start as shipped does plan the change."""
    plan = run(applied, "plan", "-detailed-exitcode", "-var", "bandwidth=20")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{GW} will be updated in-place"]


# --- replace_triggered_by --------------------------------------------------------------------

def test_replace_triggered_by_a_resource_replaces_when_it_changes(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_route_table_entry" "to_idc',
                   f"replace_triggered_by = [{GW}]")
    apply_ok(quickstart)
    old_route = state_attrs(quickstart, ROUTE)["id"]
    plan_no_changes(quickstart)  # nothing changes: nothing is triggered

    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", "bandwidth=10")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"{ROUTE} will be replaced due to changes in replace_triggered_by",
        f"{GW} will be updated in-place",
    ]
    assert '-/+ resource "tencentcloud_route_table_entry" "to_idc" {' in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 1 to change, 1 to destroy."

    apply_ok(quickstart, "-var", "bandwidth=10", summary="1 added, 1 changed, 1 destroyed")
    new_route = state_attrs(quickstart, ROUTE)["id"]
    assert new_route != old_route
    assert state_list(quickstart) == QUICKSTART_ADDRESSES
    rtb_id = state_attrs(quickstart, "tencentcloud_route_table.tom")["id"]
    [rtb] = [t for t in cloud(quickstart, kinds=["route_tables"])["route_tables"]
             if t["RouteTableId"] == rtb_id]
    vpn_routes = [r for r in rtb["RouteSet"] if r.get("GatewayType") == "VPN"]
    assert len(vpn_routes) == 1, rtb
    plan_no_changes(quickstart, "-var", "bandwidth=10")


def test_replace_triggered_by_an_attribute_only_that_attribute_triggers(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_route_table_entry" "to_idc',
                          f"replace_triggered_by = [{GW}.bandwidth]")
    apply_ok(quickstart)
    old_route = state_attrs(quickstart, ROUTE)["id"]

    # the gateway changes, but not its bandwidth: the route stays
    (quickstart / "main.tf").write_text(text.replace('"TomVPNGw"', '"TomVPNGw2"'))
    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{GW} will be updated in-place"]
    apply_ok(quickstart, summary="0 added, 1 changed, 0 destroyed")
    assert state_attrs(quickstart, ROUTE)["id"] == old_route

    # the bandwidth changes: the route is replaced
    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", "bandwidth=20")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        f"{ROUTE} will be replaced due to changes in replace_triggered_by",
        f"{GW} will be updated in-place",
    ]
    apply_ok(quickstart, "-var", "bandwidth=20", summary="1 added, 1 changed, 1 destroyed")
    assert state_attrs(quickstart, ROUTE)["id"] != old_route


SITES = """\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "names" {
  type    = map(string)
  default = { a = "site-a", b = "site-b" }
}

resource "tencentcloud_vpn_customer_gateway" "site" {
  for_each          = { a = "203.0.113.1", b = "203.0.113.2" }
  name              = var.names[each.key]
  public_ip_address = each.value
}

resource "tencentcloud_vpn_customer_gateway" "backup" {
  for_each          = { a = "198.51.100.1", b = "198.51.100.2" }
  name              = "backup-${each.key}"
  public_ip_address = each.value

  lifecycle {
    replace_triggered_by = [tencentcloud_vpn_customer_gateway.site[each.key]]
  }
}
"""


def test_replace_triggered_by_each_key_replaces_only_the_matching_instance(tmp_path):
    wd = write_config(tmp_path / "sites", SITES)
    apply_ok(wd, summary="4 added, 0 changed, 0 destroyed")
    before = {k: state_attrs(wd, f'tencentcloud_vpn_customer_gateway.backup["{k}"]')["id"]
              for k in "ab"}
    plan_no_changes(wd)

    names = '-var=names={a="site-a2",b="site-b"}'
    plan = run(wd, "plan", "-detailed-exitcode", names)
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [
        'tencentcloud_vpn_customer_gateway.backup["a"] will be replaced due to changes in '
        "replace_triggered_by",
        'tencentcloud_vpn_customer_gateway.site["a"] will be updated in-place',
    ]
    assert plan_summary(plan.stdout) == "Plan: 1 to add, 1 to change, 1 to destroy."

    apply_ok(wd, names, summary="1 added, 1 changed, 1 destroyed")
    after = {k: state_attrs(wd, f'tencentcloud_vpn_customer_gateway.backup["{k}"]')["id"]
             for k in "ab"}
    assert after["a"] != before["a"] and after["b"] == before["b"]
    ids = {g["CustomerGatewayId"] for g in cloud(wd, kinds=["customer_gateways"])[
        "customer_gateways"]}
    assert len(ids) == 4 and after["a"] in ids and before["a"] not in ids
    plan_no_changes(wd, names)


# --- create_before_destroy -------------------------------------------------------------------

def test_create_before_destroy_creates_the_replacement_first(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                   "create_before_destroy = true")
    apply_ok(quickstart)
    old_cgw = state_attrs(quickstart, CGW)["id"]

    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", f"idc_public_ip={NEW_IP}")
    assert plan.code == 2, plan
    assert "+/- create replacement and then destroy" in plan.stdout
    assert "-/+ destroy and then create replacement" in plan.stdout  # the tunnel
    assert resource_headers(plan.stdout) == [f"{CONN} must be replaced", f"{CGW} must be replaced"]
    assert '+/- resource "tencentcloud_vpn_customer_gateway" "idc" {' in plan.stdout
    assert '-/+ resource "tencentcloud_vpn_connection" "tom" {' in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 2 to add, 0 to change, 2 to destroy."

    res = apply_ok(quickstart, "-var", f"idc_public_ip={NEW_IP}",
                   summary="2 added, 0 changed, 2 destroyed")
    new_cgw = state_attrs(quickstart, CGW)["id"]
    assert new_cgw != old_cgw
    created = log_index(res.stdout, f"{CGW}: Creation complete after")
    assert f"[id={new_cgw}]" in res.stdout.splitlines()[created]
    destroying = log_index(res.stdout, f"{CGW}: Destroying... [id={old_cgw}]")
    assert created < destroying < log_index(res.stdout, f"{CGW}: Destruction complete after")

    [cgw] = cloud(quickstart, kinds=["customer_gateways"])["customer_gateways"]
    assert (cgw["CustomerGatewayId"], cgw["IpAddress"]) == (new_cgw, NEW_IP)
    [conn] = cloud(quickstart, kinds=["vpn_connections"])["vpn_connections"]
    assert conn["CustomerGatewayId"] == new_cgw
    assert state_list(quickstart) == QUICKSTART_ADDRESSES
    plan_no_changes(quickstart, "-var", f"idc_public_ip={NEW_IP}")


def test_create_before_destroy_old_object_outlives_the_dependent_replacement(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                   "create_before_destroy = true")
    apply_ok(quickstart)
    old_cgw = state_attrs(quickstart, CGW)["id"]
    # -parallelism=1: one order, whatever the timing
    res = apply_ok(quickstart, "-parallelism=1", "-var", f"idc_public_ip={NEW_IP}",
                   summary="2 added, 0 changed, 2 destroyed")
    assert (log_index(res.stdout, f"{CONN}: Creation complete after")
            < log_index(res.stdout, f"{CGW}: Destroying... [id={old_cgw}]")), res


def test_create_before_destroy_propagates_to_what_the_resource_depends_on(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_vpn_connection" "tom',
                   "create_before_destroy = true")
    apply_ok(quickstart)
    old = {a: state_attrs(quickstart, a)["id"] for a in (CGW, CONN)}
    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", f"idc_public_ip={NEW_IP}")
    assert plan.code == 2, plan
    # the customer gateway has no lifecycle block, yet is replaced new-first too
    assert '+/- resource "tencentcloud_vpn_customer_gateway" "idc" {' in plan.stdout
    assert '+/- resource "tencentcloud_vpn_connection" "tom" {' in plan.stdout
    assert "-/+" not in plan.stdout
    assert resource_headers(plan.stdout) == [f"{CONN} must be replaced", f"{CGW} must be replaced"]
    assert plan_summary(plan.stdout) == "Plan: 2 to add, 0 to change, 2 to destroy."

    res = apply_ok(quickstart, "-var", f"idc_public_ip={NEW_IP}",
                   summary="2 added, 0 changed, 2 destroyed")
    new = {a: state_attrs(quickstart, a)["id"] for a in (CGW, CONN)}
    for a in (CGW, CONN):
        assert new[a] != old[a]
        assert (log_index(res.stdout, f"{a}: Creation complete after")
                < log_index(res.stdout, f"{a}: Destroying... [id={old[a]}]")), res
    # both old objects outlived the new tunnel's creation
    assert (log_index(res.stdout, f"{CONN}: Creation complete after")
            < log_index(res.stdout, f"{CGW}: Destroying... [id={old[CGW]}]")), res
    inv = cloud(quickstart, kinds=["customer_gateways", "vpn_connections"])
    assert [g["CustomerGatewayId"] for g in inv["customer_gateways"]] == [new[CGW]]
    assert [c["VpnConnectionId"] for c in inv["vpn_connections"]] == [new[CONN]]
    plan_no_changes(quickstart, "-var", f"idc_public_ip={NEW_IP}")


# --- prevent_destroy -------------------------------------------------------------------------

def _assert_prevent_destroy_error(res, text: str) -> None:
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.summary == "Instance cannot be destroyed", res
    assert d.filename == "main.tf", res
    assert (d.line, d.col) == position(text, 'resource "tencentcloud_vpn_customer_gateway"',
                                       "resource"), res
    assert d.address == CGW, res
    assert d.detail.startswith(f"Resource {CGW} has lifecycle.prevent_destroy set, but the "
                               "plan calls for this resource to be destroyed."), res


def test_prevent_destroy_refuses_a_replacement(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                          "prevent_destroy = true")
    apply_ok(quickstart)
    cgw_id = state_attrs(quickstart, CGW)["id"]
    serial = state_json(quickstart)["serial"]

    plan = run(quickstart, "plan", "-var", f"idc_public_ip={NEW_IP}")
    _assert_prevent_destroy_error(plan, text)
    assert plan_summary(plan.stdout) is None
    res = run(quickstart, "apply", "-auto-approve", "-var", f"idc_public_ip={NEW_IP}")
    _assert_prevent_destroy_error(res, text)
    assert "Apply complete!" not in res.stdout

    # nothing was touched
    assert state_json(quickstart)["serial"] == serial
    assert state_attrs(quickstart, CGW)["id"] == cgw_id
    [cgw] = cloud(quickstart, kinds=["customer_gateways"])["customer_gateways"]
    assert (cgw["CustomerGatewayId"], cgw["IpAddress"]) == (cgw_id, "202.108.22.5")


def test_prevent_destroy_refuses_destroy_but_allows_in_place_updates(quickstart):
    text = with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                          "prevent_destroy = true")
    apply_ok(quickstart)
    res = run(quickstart, "destroy", "-auto-approve")
    _assert_prevent_destroy_error(res, text)
    assert state_list(quickstart) == QUICKSTART_ADDRESSES
    assert len(cloud(quickstart, kinds=["customer_gateways"])["customer_gateways"]) == 1

    # an in-place change of the protected resource is fine
    (quickstart / "main.tf").write_text(text.replace('"TomVPNUserGw"', '"Renamed"'))
    plan = run(quickstart, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert resource_headers(plan.stdout) == [f"{CGW} will be updated in-place"]
    apply_ok(quickstart, summary="0 added, 1 changed, 0 destroyed")
    assert state_attrs(quickstart, CGW)["name"] == "Renamed"


def test_prevent_destroy_does_not_stop_destroying_other_resources_with_target(quickstart):
    with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                   "prevent_destroy = true")
    apply_ok(quickstart)
    res = run(quickstart, "apply", "-destroy", "-auto-approve", f"-target={ROUTE}")
    assert res.code == 0, res
    assert "Destroy complete! Resources: 1 destroyed." in res.stdout, res
    assert ROUTE not in state_list(quickstart)
    assert CGW in state_list(quickstart)


def test_create_before_destroy_old_object_that_cannot_be_deleted_stays_deposed(quickstart):
    """The replacement is made, but deleting the old object fails (or the run dies right
    then): the old object is never lost. It stays in state as a deposed object, as in
    Terraform, the next plan destroys it, and the next apply converges."""
    from cli import arm_fault, clear_faults
    with_lifecycle(quickstart, 'tencentcloud_vpn_customer_gateway" "idc',
                   "create_before_destroy = true")
    apply_ok(quickstart)
    old_cgw = state_attrs(quickstart, CGW)["id"]
    arm_fault(quickstart, "DeleteCustomerGateway", "UnsupportedOperation", "not now", count=99)
    res = run(quickstart, "apply", "-auto-approve", "-var", f"idc_public_ip={NEW_IP}")
    assert res.code == 1, res
    assert "Replaced object not deleted" in res.stderr and "deposed object" in res.stderr
    state = json.loads((quickstart / "terraform.tfstate").read_text())
    [cgw] = [r for r in state["resources"] if r["type"] == "tencentcloud_vpn_customer_gateway"]
    deposed = [i for i in cgw["instances"] if i.get("deposed")]
    assert [i["attributes"]["id"] for i in deposed] == [old_cgw]
    key = deposed[0]["deposed"]
    clear_faults(quickstart)

    plan = run(quickstart, "plan", "-detailed-exitcode", "-var", f"idc_public_ip={NEW_IP}")
    assert plan.code == 2, plan
    assert (f"# {CGW} (deposed object {key}) will be destroyed\n"
            "  # (left over from a partially-failed replacement of this instance)\n"
            '  - resource "tencentcloud_vpn_customer_gateway" "idc" {') in plan.stdout, plan
    shown = run(quickstart, "plan", "-out=d.tfplan", "-var", f"idc_public_ip={NEW_IP}")
    assert shown.code == 0, shown
    doc = json.loads(run(quickstart, "show", "-json", "d.tfplan").stdout)
    [gone] = [c for c in doc["resource_changes"] if c.get("deposed")]
    assert (gone["address"], gone["deposed"], gone["change"]["actions"]) == (CGW, key, ["delete"])
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 1 to destroy."
    done = run(quickstart, "apply", "d.tfplan")  # the saved plan applies as shown
    assert done.code == 0, done
    assert "Apply complete! Resources: 0 added, 0 changed, 1 destroyed." in done.stdout
    assert f"{CGW} (deposed object {key}): Destruction complete after" in done.stdout
    [left] = cloud(quickstart, kinds=["customer_gateways"])["customer_gateways"]
    assert left["IpAddress"] == NEW_IP
    plan_no_changes(quickstart, "-var", f"idc_public_ip={NEW_IP}")
