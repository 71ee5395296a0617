"""The quick start end to end: init → plan → apply → plan, in-place updates, replacements,
destroy, and the inspection verbs (graph, version, state, output)."""

from __future__ import annotations

import ipaddress
import json
import re

from cli import QUICKSTART_ADDRESSES, cloud, cloud_is_empty, errors, plan_summary, resource_headers, run

PUBLIC_POOL = ipaddress.ip_network("198.18.0.0/15")


def _outputs(text: str) -> dict[str, str]:
    return dict(re.findall(r'^(\w+) = "([^"]*)"$', text, flags=re.MULTILINE))


def test_quickstart_init_plan_apply_plan(quickstart):
    init = run(quickstart, "init")
    assert init.code == 0, init
    assert "vpnform has been successfully initialized!" in init.stdout
    assert init.stderr == ""

    before = run(quickstart, "plan", "-detailed-exitcode")
    assert before.code == 2, before
    assert plan_summary(before.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."
    assert sorted(h.split()[0] for h in resource_headers(before.stdout)) == QUICKSTART_ADDRESSES
    assert not (quickstart / "terraform.tfstate").exists()  # plan never writes state

    apply = run(quickstart, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in apply.stdout
    tail = apply.stdout.split("Apply complete!", 1)[1]
    assert "\nOutputs:\n" in tail
    outs = _outputs(tail)
    assert set(outs) == {"vpn_gateway_public_ip", "vpn_connection_id"}, apply
    assert ipaddress.ip_address(outs["vpn_gateway_public_ip"]) in PUBLIC_POOL
    assert re.fullmatch(r"vpnx-[a-z0-9]{8}", outs["vpn_connection_id"]), outs

    after = run(quickstart, "plan", "-detailed-exitcode")
    assert after.code == 0, after
    assert "No changes." in after.stdout
    assert plan_summary(after.stdout) is None

    # What the user was told is what the cloud holds.
    inv = cloud(quickstart)
    assert [g["PublicIpAddress"] for g in inv["vpn_gateways"]] == [outs["vpn_gateway_public_ip"]]
    assert [c["VpnConnectionId"] for c in inv["vpn_connections"]] == [outs["vpn_connection_id"]]
    assert len(inv["vpcs"]) == 1 and len(inv["customer_gateways"]) == 1


def test_reapply_without_changes_succeeds(applied):
    """Regression: a refresh used to leave the PSK marked Sensitive in the prior state, and
    every later apply/destroy failed with "Failed to load state: cannot store a value of
    type Sensitive"."""
    again = run(applied, "apply", "-auto-approve")
    assert "No changes." in again.stdout, again
    assert errors(again.stderr) == [], again
    assert again.code == 0, again


# --- criterion 2: bandwidth 5 -> 10 --------------------------------------------------------

def _assert_bandwidth_plan(text: str, gw_id: str) -> None:
    assert resource_headers(text) == ["tencentcloud_vpn_gateway.tom will be updated in-place"]
    assert plan_summary(text) == "Plan: 0 to add, 1 to change, 0 to destroy."
    body = text.split('~ resource "tencentcloud_vpn_gateway" "tom" {', 1)[1].split("\n    }", 1)[0]
    changed = [ln.strip() for ln in body.splitlines() if ln.strip().startswith(("~", "+", "-"))]
    assert changed == ["~ bandwidth = 5 -> 10"], body
    assert f'id        = "{gw_id}"' in body


def test_bandwidth_change_plans_one_in_place_update(applied):
    gw_id = cloud(applied)["vpn_gateways"][0]["VpnGatewayId"]
    res = run(applied, "plan", "-var", "bandwidth=10", "-detailed-exitcode")
    assert res.code == 2, res
    _assert_bandwidth_plan(res.stdout, gw_id)


def test_bandwidth_change_applies_in_place(applied):
    gw_id = cloud(applied)["vpn_gateways"][0]["VpnGatewayId"]
    res = run(applied, "apply", "-auto-approve", "-var", "bandwidth=10")
    assert res.code == 0, res
    _assert_bandwidth_plan(res.stdout, gw_id)
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in res.stdout
    gws = cloud(applied)["vpn_gateways"]
    assert [(g["VpnGatewayId"], g["InternetMaxBandwidthOut"]) for g in gws] == [(gw_id, 10)]


def test_bandwidth_change_applies_in_place_without_refresh(applied):
    """The same update with -refresh=false: planned from state alone, applied in place."""
    gw_id = cloud(applied)["vpn_gateways"][0]["VpnGatewayId"]
    res = run(applied, "apply", "-auto-approve", "-refresh=false", "-var", "bandwidth=10")
    assert res.code == 0, res
    _assert_bandwidth_plan(res.stdout, gw_id)
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in res.stdout
    gws = cloud(applied)["vpn_gateways"]
    assert [(g["VpnGatewayId"], g["InternetMaxBandwidthOut"]) for g in gws] == [(gw_id, 10)]


# --- criterion 3: customer gateway IP change -> replacement ---------------------------------

NEW_IP = "203.0.113.10"


def _assert_cgw_replacement_plan(text: str) -> None:
    assert sorted(resource_headers(text)) == [
        "tencentcloud_vpn_connection.tom must be replaced",
        "tencentcloud_vpn_customer_gateway.idc must be replaced",
    ], text
    assert plan_summary(text) == "Plan: 2 to add, 0 to change, 2 to destroy."
    assert re.search(r'~ public_ip_address = "202\.108\.22\.5" -> "203\.0\.113\.10"\s+'
                     r'# forces replacement', text), text
    assert re.search(r"~ customer_gateway_id\s+= \"cgw-[a-z0-9]{8}\" -> \(known after apply\)"
                     r"\s+# forces replacement", text), text


def _assert_cgw_replaced_in_cloud(workdir, old_cgw: str, old_conn: str) -> None:
    inv = cloud(workdir)
    cgws = inv["customer_gateways"]
    assert [c["IpAddress"] for c in cgws] == [NEW_IP], cgws
    conns = inv["vpn_connections"]
    assert len(conns) == 1, conns
    assert conns[0]["CustomerGatewayId"] == cgws[0]["CustomerGatewayId"] != old_cgw
    assert conns[0]["VpnConnectionId"] != old_conn


def test_customer_gateway_ip_change_plans_replacement(applied):
    res = run(applied, "plan", "-var", f"idc_public_ip={NEW_IP}", "-detailed-exitcode")
    assert res.code == 2, res
    _assert_cgw_replacement_plan(res.stdout)


def test_customer_gateway_ip_change_applies_replacement(applied):
    inv = cloud(applied)
    old_cgw = inv["customer_gateways"][0]["CustomerGatewayId"]
    old_conn = inv["vpn_connections"][0]["VpnConnectionId"]
    res = run(applied, "apply", "-auto-approve", "-var", f"idc_public_ip={NEW_IP}")
    assert res.code == 0, res
    _assert_cgw_replacement_plan(res.stdout)
    assert "Apply complete! Resources: 2 added, 0 changed, 2 destroyed." in res.stdout
    _assert_cgw_replaced_in_cloud(applied, old_cgw, old_conn)


# --- criterion 10: destroy -----------------------------------------------------------------

def _assert_destroyed(workdir, res) -> None:
    assert res.code == 0, res
    assert "Destroy complete! Resources: 7 destroyed." in res.stdout
    assert cloud_is_empty(workdir) == {}
    listed = run(workdir, "state", "list")
    assert listed.code == 0 and listed.stdout == "" and listed.stderr == "", listed
    show = run(workdir, "show")
    assert show.code == 0 and show.stdout.strip() == "No state.", show


def test_destroy_removes_everything(applied):
    _assert_destroyed(applied, run(applied, "destroy", "-auto-approve"))


def test_destroy_without_refresh_removes_everything(applied):
    _assert_destroyed(applied, run(applied, "destroy", "-auto-approve", "-refresh=false"))


# --- criterion 14: inspection verbs -------------------------------------------------------

def test_graph_prints_dot_with_the_dependency_edges(quickstart):
    res = run(quickstart, "graph")
    assert res.code == 0, res
    dot = res.stdout
    assert dot.lstrip().startswith("digraph") and dot.rstrip().endswith("}")
    for a, b in [("tencentcloud_route_table.tom", "tencentcloud_vpc.tom"),
                 ("tencentcloud_subnet.a", "tencentcloud_route_table.tom"),
                 ("tencentcloud_vpn_gateway.tom", "tencentcloud_vpc.tom"),
                 ("tencentcloud_vpn_connection.tom", "tencentcloud_vpn_gateway.tom"),
                 ("tencentcloud_vpn_connection.tom", "tencentcloud_vpn_customer_gateway.idc"),
                 ("tencentcloud_vpn_connection.tom", "tencentcloud_subnet.a"),
                 ("tencentcloud_route_table_entry.to_idc", "tencentcloud_vpn_gateway.tom")]:
        assert f'"{a}" -> "{b}"' in dot, (a, b, dot)
    # The customer gateway depends on nothing.
    assert '"tencentcloud_vpn_customer_gateway.idc" ->' not in dot


def test_version(tmp_path):
    res = run(tmp_path, "version")
    assert res.code == 0 and re.fullmatch(r"vpnform v\d+\.\d+\.\d+\n", res.stdout), res
    assert run(tmp_path, "-version").stdout == res.stdout


def test_state_show_output_raw(applied):
    conn_id = cloud(applied)["vpn_connections"][0]["VpnConnectionId"]
    show = run(applied, "state", "show", "tencentcloud_vpn_connection.tom")
    assert show.code == 0, show
    assert show.stdout.startswith("# tencentcloud_vpn_connection.tom:\n")
    assert re.search(r"^  pre_share_key\s+= \(sensitive value\)$", show.stdout,
                     flags=re.MULTILINE), show
    assert "TomVPN-demo-key-2019" not in show.output
    assert f'id                         = "{conn_id}"' in show.stdout

    raw = run(applied, "output", "-raw", "vpn_connection_id")
    assert raw.code == 0 and raw.stdout == conn_id and raw.stderr == "", raw

    missing = run(applied, "state", "show", "tencentcloud_vpc.nope")
    assert missing.code == 1
    assert [d.summary for d in errors(missing.stderr)] == [
        "No instance found for the given address"]


def test_output_json_single_value(applied):
    ip = cloud(applied)["vpn_gateways"][0]["PublicIpAddress"]
    one = run(applied, "output", "-json", "vpn_gateway_public_ip")
    assert one.code == 0 and json.loads(one.stdout) == ip, one


def test_output_json_is_valid_json(applied):
    res = run(applied, "output", "-json")
    assert res.code == 0, res
    doc = json.loads(res.stdout)
    assert set(doc) == {"vpn_gateway_public_ip", "vpn_connection_id"}
    assert doc["vpn_connection_id"]["sensitive"] is False
    assert doc["vpn_connection_id"]["type"] == "string"
    assert re.fullmatch(r"vpnx-[a-z0-9]{8}", doc["vpn_connection_id"]["value"])


def test_chdir_global_option(quickstart):
    res = run(quickstart.parent, f"-chdir={quickstart.name}", "plan", "-detailed-exitcode")
    assert res.code == 2, res
    assert plan_summary(res.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."
    bad = run(quickstart.parent, "-chdir=does-not-exist", "plan")
    assert bad.code == 1 and "Error handling -chdir option" in bad.stderr, bad
