"""``vpnform cost``: what the objects recorded in state cost a month, priced by their
providers (``estimate_cost``), as Infracost's ``breakdown`` shows a project."""

from __future__ import annotations

import json
import os

from ..operations import RunOptions, load_configuration, read_state, setup_providers
from ..plan.cost import CostReport, cost_json, state_cost
from ..providers import HOURS_PER_MONTH
from .args import BOOL, NO_COLOR, VAR, VAR_FILE, Flag, Verb, command, parse
from .views import Console, print_diagnostics

COST = Verb(
    "cost", "Show what the resources in state cost a month",
    description=f"""
        Breaks down the monthly cost of the objects recorded in state: each priced object
        (for tencentcloud, each VPN gateway) with its region, bandwidth, charge type, hours
        a month ({HOURS_PER_MONTH}, as Infracost counts), hourly and monthly price, and the
        total. Prices come from the provider's price inquiries, so against the real cloud
        they are the real prices; a prepaid gateway is priced by its renewal. Tunnels and
        customer gateways are free.""",
    flags={"json": Flag(BOOL, "Print the breakdown as JSON (Infracost's money fields: "
                        "decimal strings, null when unknown)."),
           "var": VAR, "var-file": VAR_FILE, "no-color": NO_COLOR})


@command(COST)
def cmd_cost(argv: list[str], console: Console) -> int:
    args = parse(argv, COST)
    if args.get("no-color"):
        console.color = False
    workdir = os.getcwd()
    opts = RunOptions(workdir=workdir, var_sources=list(args.var_sources),
                      input_enabled=False)
    config, variables, diags = load_configuration(opts)
    console.add_secrets_from(variables)
    if config is None or diags.has_errors:
        print_diagnostics(console, diags, config.files if config else {})
        return 1
    state = read_state(workdir, config)  # OperationFailed becomes diagnostics in main.py
    console.add_state_secrets(state)
    report = CostReport()
    if state is not None and not state.empty:
        providers, d = setup_providers(config, variables, workdir, state)
        try:
            if d.has_errors:
                print_diagnostics(console, d, config.files)
                return 1
            report = state_cost(state, providers)
        finally:
            providers.close()
    if args.get("json"):
        console.print(json.dumps(cost_json(report, breakdown=True), indent=2))
        return 0
    console.print("\n".join(breakdown_lines(report, console)))
    return 0


def _charge(details: dict) -> str:
    charge = str(details.get("charge_type") or "")
    period = details.get("prepaid_period")
    if charge == "PREPAID" and period:
        return f"PREPAID {period} month{'s' if period != 1 else ''}"
    return charge


def breakdown_lines(report: CostReport, console: Console) -> list[str]:
    cur = report.currency
    if not report.resources:
        return ["No priced resources in state: the monthly cost is 0.00."]
    head = ["Name", "Region", "Bandwidth", "Charge type", "Hours/month", f"Hourly {cur}",
            f"Monthly {cur}"]
    rows = []
    for r in report.resources:
        e = r.after
        bw = e.details.get("bandwidth")
        if e.unknown is not None:
            rows.append([r.address, str(e.details.get("region", "")),
                         f"{bw} Mbps" if bw is not None else "?", _charge(e.details), "", "",
                         f"unknown ({e.unknown})"])
            continue
        hours = str(HOURS_PER_MONTH) if e.details.get("charge_type") != "PREPAID" else \
            f"{HOURS_PER_MONTH} (prepaid)"
        rows.append([r.address, str(e.details.get("region", "")),
                     f"{bw} Mbps" if bw is not None else "", _charge(e.details), hours,
                     f"{e.hourly:.4f}".rstrip("0").rstrip(".") if e.hourly is not None else "",
                     f"{e.monthly:.2f}" if e.monthly is not None else ""])
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i >= 4 else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [f"Monthly cost of the resources in state ({HOURS_PER_MONTH} hours a month):", "",
           console.bold(line(head))]
    out += [line(r) for r in rows]
    renewals = [(r.address, r.after.details) for r in report.resources
                if r.after.source == "InquiryPriceRenewVpnGateway"]
    out += ["", console.bold(f"Total: {report.monthly:.2f} {cur} a month")]
    if report.unknown:
        out.append(f"({len(report.unknown)} object(s) not counted: cost unknown)")
    for address, details in renewals:
        period = details.get("prepaid_period")
        out.append(f"Renewal of {address}: {details.get('term_price', 0):.2f} {cur} for "
                   f"{period} month{'s' if period != 1 else ''}")
    sources = sorted({r.after.source for r in report.resources if r.after.source})
    if sources:
        out.append(f"Prices from {', '.join(sources)}.")
    return out
