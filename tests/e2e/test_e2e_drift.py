"""Drift: objects changed outside vpnform, through the emulated cloud's API from a second
client (`vpnform cloud`), are shown under "Objects have changed outside of vpnform" —
only what really changed — before the plan that restores the configuration;
`-refresh-only` records reality instead; `-refresh=false` does not read at all."""

from __future__ import annotations

import json
import re

import pytest
from cli import plan_summary, resource_headers, run

NOTE = "Note: Objects have changed outside of vpnform"


def _console(w, expr: str) -> str:
    return json.loads(run(w, "console", input=expr + "\n").stdout.strip())


@pytest.fixture
def drifted(applied):
    """The applied quick start, then a second client raises the gateway's bandwidth to 10
    and deletes the route entry."""
    gw = _console(applied, "tencentcloud_vpn_gateway.tom.id")
    rtb = _console(applied, "tencentcloud_route_table.tom.id")
    entry = _console(applied, "tencentcloud_route_table_entry.to_idc.route_entry_id")
    res = run(applied, "cloud", "ResetVpnGatewayInternetMaxBandwidth", f"VpnGatewayId={gw}",
              "InternetMaxBandwidthOut=10")
    assert res.code == 0, res
    res = run(applied, "cloud", "DeleteRoutes", f"RouteTableId={rtb}",
              f"Routes.0.RouteId={entry}")
    assert res.code == 0, res
    return applied


def _drift_section(text: str) -> str:
    assert NOTE in text, text
    return text.split(NOTE, 1)[1].split("─" * 77, 1)[0]


def _plan_section(text: str) -> str:
    return text.split("─" * 77, 1)[1] if NOTE in text else text


def test_no_drift_after_apply(applied):
    res = run(applied, "plan", "-detailed-exitcode")
    assert res.code == 0, res
    assert NOTE not in res.stdout


def test_plan_shows_exactly_the_two_drifts_then_the_two_restoring_actions(drifted):
    res = run(drifted, "plan", "-detailed-exitcode")
    assert res.code == 2, res
    drift = _drift_section(res.stdout)
    assert re.findall(r"^  # (\S+ .+)$", drift, flags=re.MULTILINE) == [
        "tencentcloud_route_table_entry.to_idc has been deleted",
        "tencentcloud_vpn_gateway.tom has changed"]
    # only the attribute that changed is shown for the gateway (plus its identifiers)
    gateway = drift.split("tencentcloud_vpn_gateway.tom has changed", 1)[1]
    assert re.findall(r"^\s+~ (\w+) =", gateway, flags=re.MULTILINE) == ["bandwidth"]
    assert re.search(r"~ bandwidth = 5 -> 10$", gateway, flags=re.MULTILINE), gateway
    assert "unchanged attributes hidden" in gateway
    assert 'which may have affected this plan' in res.stdout

    actions = _plan_section(res.stdout)
    assert resource_headers(actions) == [
        "tencentcloud_route_table_entry.to_idc will be created",
        "tencentcloud_vpn_gateway.tom will be updated in-place"]
    assert re.search(r"~ bandwidth = 10 -> 5$", actions, flags=re.MULTILINE), actions
    assert plan_summary(res.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."


def test_refresh_false_does_not_read(drifted):
    res = run(drifted, "plan", "-refresh=false", "-detailed-exitcode")
    assert res.code == 0, res
    assert NOTE not in res.stdout
    assert "No changes." in res.stdout


def test_refresh_only_records_reality_and_the_next_plan_shows_the_opposite(drifted):
    res = run(drifted, "plan", "-refresh-only", "-detailed-exitcode")
    assert res.code == 2, res
    drift = _drift_section(res.stdout)
    assert "tencentcloud_vpn_gateway.tom has changed" in drift
    assert "tencentcloud_route_table_entry.to_idc has been deleted" in drift
    assert "This is a refresh-only plan, so vpnform will not take any actions" in res.stdout
    assert "will be created" not in res.stdout and plan_summary(res.stdout) is None

    # Refused without confirmation; nothing recorded.
    res = run(drifted, "apply", "-refresh-only", input="no\n")
    assert res.code == 1 and "Apply cancelled." in res.stdout, res
    assert "tencentcloud_route_table_entry.to_idc" in run(drifted, "state", "list").stdout

    res = run(drifted, "apply", "-refresh-only", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." in res.stdout
    listed = run(drifted, "state", "list").stdout.split()
    assert "tencentcloud_route_table_entry.to_idc" not in listed
    gw = run(drifted, "state", "show", "tencentcloud_vpn_gateway.tom").stdout
    assert re.search(r"^\s+bandwidth\s+= 10$", gw, flags=re.MULTILINE), gw

    # Reality is recorded: no drift any more, and the plan undoes the outside changes.
    res = run(drifted, "plan", "-detailed-exitcode")
    assert res.code == 2, res
    assert NOTE not in res.stdout
    assert resource_headers(res.stdout) == [
        "tencentcloud_route_table_entry.to_idc will be created",
        "tencentcloud_vpn_gateway.tom will be updated in-place"]
    assert re.search(r"~ bandwidth = 10 -> 5$", res.stdout, flags=re.MULTILINE), res
    res = run(drifted, "plan", "-refresh-only", "-detailed-exitcode")
    assert res.code == 0, res
    assert "No changes. Your infrastructure still matches the configuration." in res.stdout


def test_saved_refresh_only_plan_applies(drifted):
    res = run(drifted, "plan", "-refresh-only", "-out=r.tfplan")
    assert res.code == 0, res
    res = run(drifted, "apply", "r.tfplan")
    assert res.code == 0, res
    assert "tencentcloud_route_table_entry.to_idc" not in run(drifted, "state", "list").stdout


def test_refresh_only_flag_conflicts(applied):
    res = run(applied, "plan", "-refresh-only", "-refresh=false")
    assert res.code == 1 and "-refresh-only" in res.stderr, res
    res = run(applied, "plan", "-refresh-only", "-destroy")
    assert res.code == 1 and "-refresh-only" in res.stderr, res


def test_refresh_verb_records_reality_without_asking(drifted):
    res = run(drifted, "refresh", "-json")
    assert res.code == 0, res
    messages = [json.loads(line) for line in res.stdout.splitlines()]
    assert messages[0]["type"] == "version"
    drift = [m["change"]["resource"]["addr"] for m in messages if m["type"] == "resource_drift"]
    # refresh-only reports everything read back, the route table's own list of routes too
    assert sorted(drift) == ["tencentcloud_route_table.tom",
                             "tencentcloud_route_table_entry.to_idc",
                             "tencentcloud_vpn_gateway.tom"]
    assert "tencentcloud_route_table_entry.to_idc" not in run(drifted, "state", "list").stdout
