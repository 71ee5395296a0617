"""Cost through the real CLI: ``plan`` prices each VPN gateway by the cloud's price inquiries
(730 hours a month) and shows the monthly change in text, ``-json`` and ``show -markdown``;
``vpnform cost`` breaks the state down. The figures are the guide's: 0.078, 0.088 and 0.12
USD an hour by region, so a postpaid gateway in ap-guangzhou costs 56.94 USD a month."""

from __future__ import annotations

import json
import re

import cmarkgfm
from cli import QUICKSTART, copy_config, readme_script, run, run_script, write_config
from test_e2e_served_cloud import served  # noqa: F401 - the served emulator fixture

REGIONS = {"gz": ("ap-guangzhou", 0.078, "56.94"), "hk": ("ap-hongkong", 0.088, "64.24"),
           "sg": ("ap-singapore", 0.12, "87.60")}


def _gateways(*specs: str) -> str:
    """One provider alias per region used, a VPC and a gateway per ``spec``: "gz",
    "gz:PREPAID:3", "hk:POSTPAID_BY_HOUR:1:10" (region key, charge, period, bandwidth)."""
    text = ""
    for key, (region, _, _) in REGIONS.items():
        text += f'provider "tencentcloud" {{\n  alias  = "{key}"\n  region = "{region}"\n}}\n'
    for spec in specs:
        parts = spec.split(":")
        key, charge, period, bw = parts + ["", "POSTPAID_BY_HOUR", "1", "5"][len(parts):]
        name = spec.replace(":", "_").lower()
        text += f'''
resource "tencentcloud_vpc" "{name}" {{
  provider   = tencentcloud.{key}
  name       = "vpc-{name}"
  cidr_block = "10.0.0.0/16"
}}

resource "tencentcloud_vpn_gateway" "{name}" {{
  provider       = tencentcloud.{key}
  name           = "gw-{name}"
  vpc_id         = tencentcloud_vpc.{name}.id
  bandwidth      = {bw}
  charge_type    = "{charge}"
  prepaid_period = {period}
}}
'''
    return text


def _cost_message(stdout: str) -> dict:
    msgs = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    costs = [m for m in msgs if m["type"] == "cost_estimate"]
    assert len(costs) == 1, stdout
    return costs[0]


def _by_name(cost: dict) -> dict:
    return {r["name"]: r for r in cost["resources"]}


def test_quickstart_plan_shows_the_guides_monthly_cost(quickstart):
    res = run(quickstart, "plan")
    assert res.code == 0, res
    tail = res.stdout.split("Plan: 7 to add, 0 to change, 0 to destroy.", 1)[1]
    assert "Monthly cost estimate (730 hours a month, USD):" in tail
    assert "+ tencentcloud_vpn_gateway.tom  +56.94 (0.00 -> 56.94)" in tail
    assert "730 hours × 0.078 = 56.94" in tail
    assert "Monthly cost change: +56.94 USD (0.00 USD -> 56.94 USD)" in tail
    # free objects (tunnel, customer gateway, VPC) are not billed lines (the tunnel's
    # security findings follow the cost, as warnings follow a plan)
    assert "tencentcloud_vpn_connection" not in tail.split("Monthly cost change:", 1)[0]


def test_hourly_price_by_region(tmp_path):
    wd = write_config(tmp_path / "regions", _gateways("gz", "hk", "sg"))
    res = run(wd, "plan", "-json")
    assert res.code == 0, res
    cost = _cost_message(res.stdout)
    by_name = _by_name(cost["cost"])
    for key, (region, hourly, monthly) in REGIONS.items():
        after = by_name[f"tencentcloud_vpn_gateway.{key}"]["after"]
        assert after["details"]["region"] == region
        assert float(after["hourlyCost"]) == hourly
        assert after["monthlyCost"] == monthly
        assert after["source"] == "InquiryPriceCreateVpnGateway"
    assert cost["cost"]["totalMonthlyCost"] == "208.78"  # 56.94 + 64.24 + 87.60
    assert cost["cost"]["diffTotalMonthlyCost"] == "208.78"
    assert cost["@message"] == "Monthly cost change: +208.78 USD (0.00 -> 208.78)"


def _cost_of(res) -> dict:
    return _cost_message(res.stdout)["cost"]


def test_delta_of_a_plan_that_adds_one_gateway_and_deletes_another(tmp_path):
    wd = write_config(tmp_path / "delta", _gateways("gz"))
    assert run(wd, "apply", "-auto-approve").code == 0
    write_config(wd, _gateways("hk"))
    res = run(wd, "plan")
    assert res.code == 0, res
    assert "+ tencentcloud_vpn_gateway.hk  +64.24 (0.00 -> 64.24)" in res.stdout, res
    assert "- tencentcloud_vpn_gateway.gz  -56.94 (56.94 -> 0.00)" in res.stdout, res
    assert "Monthly cost change: +7.30 USD (56.94 USD -> 64.24 USD)" in res.stdout, res
    cost = _cost_of(run(wd, "plan", "-json"))
    assert (cost["pastTotalMonthlyCost"], cost["totalMonthlyCost"],
            cost["diffTotalMonthlyCost"]) == ("56.94", "64.24", "7.30")
    assert {r["name"]: r["change"] for r in cost["resources"]} == {
        "tencentcloud_vpn_gateway.gz": "delete", "tencentcloud_vpn_gateway.hk": "create"}


def test_prepaid_is_priced_by_its_term_and_renewal(tmp_path):
    wd = write_config(tmp_path / "prepaid", _gateways("gz:PREPAID:3:10"))
    res = run(wd, "plan")
    assert res.code == 0, res
    # 3 months of 720 hours at 0.078 = 168.48 USD, i.e. 56.16 a month
    assert "+ tencentcloud_vpn_gateway.gz_prepaid_3_10  +56.16 (0.00 -> 56.16)" in res.stdout
    assert "prepaid term (3 months, 168.48 USD)" in res.stdout
    assert run(wd, "apply", "-auto-approve").code == 0
    res = run(wd, "cost")
    assert res.code == 0, res
    line = next(ln for ln in res.stdout.splitlines()
                if ln.startswith("tencentcloud_vpn_gateway.gz_prepaid_3_10"))
    assert line.split()[1:5] == ["ap-guangzhou", "10", "Mbps", "PREPAID"], line
    assert line.endswith("56.16"), line
    assert "Renewal of tencentcloud_vpn_gateway.gz_prepaid_3_10: 168.48 USD for 3 months" \
        in res.stdout
    doc = json.loads(run(wd, "cost", "-json").stdout)
    (gw,) = doc["resources"]
    assert gw["after"]["source"] == "InquiryPriceRenewVpnGateway"
    assert gw["after"]["details"]["term_price"] == 168.48


def test_cost_breaks_down_the_state(quickstart, tmp_path):
    assert run(quickstart, "cost").stdout.startswith("No priced resources in state")
    assert run(quickstart, "apply", "-auto-approve").code == 0
    res = run(quickstart, "cost")
    assert res.code == 0, res
    rows = [ln.split() for ln in res.stdout.splitlines()
            if ln.startswith("tencentcloud_vpn_gateway.tom")]
    assert rows == [["tencentcloud_vpn_gateway.tom", "ap-guangzhou", "5", "Mbps",
                     "POSTPAID_BY_HOUR", "730", "0.078", "56.94"]], res
    assert "Total: 56.94 USD a month" in res.stdout
    doc = json.loads(run(quickstart, "cost", "-json").stdout)
    assert (doc["totalMonthlyCost"], doc["totalHourlyCost"], doc["hoursPerMonth"]) == \
        ("56.94", "0.078", 730)
    assert doc["diffTotalMonthlyCost"] is None
    # a bandwidth change is priced at the new bandwidth in the next plan, and applied, in cost
    res = run(quickstart, "plan", "-var", "bandwidth=20")
    assert "~ tencentcloud_vpn_gateway.tom  +0.00 (56.94 -> 56.94)" in res.stdout, res
    assert "(postpaid, 20 Mbps)" in res.stdout, res


def test_unknown_bandwidth_is_cost_unknown_until_apply(tmp_path):
    wd = write_config(tmp_path / "unknown", '''
provider "tencentcloud" {
  region = "ap-guangzhou"
}
resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.0.0.0/16"
}
resource "tencentcloud_vpn_gateway" "g" {
  name      = "g"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = tencentcloud_vpc.v.id == "" ? 10 : 5
}
''')
    res = run(wd, "plan")
    assert res.code == 0, res
    assert "cost unknown until apply: bandwidth not known yet" in res.stdout, res
    assert "Monthly cost change: +0.00 USD (0.00 USD -> 0.00 USD)" in res.stdout, res
    assert "(1 object(s) not counted" in res.stdout, res
    cost = _cost_of(run(wd, "plan", "-json"))
    assert cost["unknownResources"] == ["tencentcloud_vpn_gateway.g"]
    assert cost["resources"][0]["diffMonthlyCost"] is None


def test_saved_plan_markdown_includes_cost(tmp_path):
    wd = write_config(tmp_path / "md", _gateways("gz"))
    assert run(wd, "apply", "-auto-approve").code == 0
    write_config(wd, _gateways("hk"))
    assert run(wd, "plan", "-out=cost.tfplan").code == 0
    md = run(wd, "show", "-markdown", "cost.tfplan")
    assert md.code == 0, md
    assert ("💰 **Monthly cost will increase by 7.30 USD 📈** (56.94 USD → 64.24 USD, "
            "730 hours a month)") in md.stdout, md
    assert "| `tencentcloud_vpn_gateway.gz` | delete | 56.94 | 0.00 | -56.94 |" in md.stdout
    assert "| `tencentcloud_vpn_gateway.hk` | create | 0.00 | 64.24 | +64.24 |" in md.stdout
    html = cmarkgfm.github_flavored_markdown_to_html(md.stdout)  # as GitHub renders it
    assert "<td><code>tencentcloud_vpn_gateway.hk</code></td>\n<td>create</td>" in html
    # the human view of the saved plan carries it too
    assert "Monthly cost change: +7.30 USD" in run(wd, "show", "cost.tfplan").stdout


def test_served_emulator_prices_through_the_sdk(tmp_path, served):  # noqa: F811
    url, sid, skey = served
    env = {"TENCENTCLOUD_ENDPOINT": url, "TENCENTCLOUD_SECRET_ID": sid,
           "TENCENTCLOUD_SECRET_KEY": skey}
    wd = copy_config(QUICKSTART, tmp_path / "served-qs")
    res = run(wd, "plan", env=env)
    assert res.code == 0, res
    assert "+ tencentcloud_vpn_gateway.tom  +56.94 (0.00 -> 56.94)" in res.stdout, res
    wd = write_config(tmp_path / "served-sg", _gateways("sg:PREPAID:2"))
    assert run(wd, "apply", "-auto-approve", env=env).code == 0
    doc = json.loads(run(wd, "cost", "-json", env=env).stdout)
    (gw,) = doc["resources"]
    # two months of a Singapore gateway, renewed: 0.12 × 720 × 2 = 172.80, 86.40 a month
    assert (gw["after"]["source"], gw["after"]["details"]["term_price"],
            gw["after"]["monthlyCost"]) == ("InquiryPriceRenewVpnGateway", 172.8, "86.40")


def test_readme_cost_section_runs_as_shown(tmp_path):
    copy_config(QUICKSTART, tmp_path / "examples" / "quickstart")
    res = run_script(readme_script("### Cost"), tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "Monthly cost change: +56.94 USD (0.00 USD -> 56.94 USD)" in res.stdout
    assert re.search(r"tencentcloud_vpn_gateway\.tom +ap-guangzhou +5 Mbps +POSTPAID_BY_HOUR"
                     r" +730 +0\.078 +56\.94", res.stdout), res.stdout
    assert '"totalMonthlyCost": "56.94"' in res.stdout
    assert "💰 **Monthly cost will not change** (56.94 USD → 56.94 USD" in res.stdout
    assert "Destroy complete! Resources: 7 destroyed." in res.stdout
