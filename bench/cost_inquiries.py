"""What pricing a plan costs: N gateways in 15 shapes (3 regions × 5 bandwidths) planned
against the embedded emulator, then priced twice (the second time from the run's cache).
Prints the plan time, the pricing time, how many price inquiries were asked, and the total.

    .venv/bin/python bench/cost_inquiries.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

REGIONS = ("ap-guangzhou", "ap-hongkong", "ap-singapore")
BANDWIDTHS = (5, 10, 20, 50, 100)


def config(n: int) -> str:
    text = "".join(f'provider "tencentcloud" {{\n  alias  = "r{i}"\n  region = "{r}"\n}}\n'
                   for i, r in enumerate(REGIONS))
    for k in range(n):
        region = k % len(REGIONS)
        bw = BANDWIDTHS[(k // len(REGIONS)) % len(BANDWIDTHS)]
        text += f'''
resource "tencentcloud_vpc" "v{k}" {{
  provider   = tencentcloud.r{region}
  name       = "v{k}"
  cidr_block = "10.{k % 250}.0.0/16"
}}
resource "tencentcloud_vpn_gateway" "g{k}" {{
  provider  = tencentcloud.r{region}
  name      = "g{k}"
  vpc_id    = tencentcloud_vpc.v{k}.id
  bandwidth = {bw}
}}
'''
    return text


def main(n: int) -> None:
    os.environ["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    from engine.operations import RunOptions, load_configuration, setup_providers
    from engine.plan.cost import plan_cost
    from engine.plan.planner import PlanOptions, plan

    with tempfile.TemporaryDirectory() as wd:
        with open(os.path.join(wd, "main.tf"), "w") as fh:
            fh.write(config(n))
        cfg, variables, diags = load_configuration(
            RunOptions(workdir=wd, var_sources=[], input_enabled=False))
        assert cfg is not None and not diags.has_errors, diags
        providers, diags = setup_providers(cfg, variables, wd, None)
        try:
            started = time.perf_counter()
            the_plan, diags = plan(cfg, None, variables, providers, PlanOptions(), wd)
            planned = time.perf_counter() - started
            assert the_plan is not None, diags
            started = time.perf_counter()
            report = plan_cost(the_plan, providers)
            priced = time.perf_counter() - started
            started = time.perf_counter()
            plan_cost(the_plan, providers)
            again = time.perf_counter() - started
            asked = sum(p._pricer.inquiries() for p in providers.providers.values()
                        if getattr(p, "_pricer", None) is not None)
        finally:
            providers.close()
    assert report is not None
    print(f"N={n} gateways: plan {planned * 1000:.0f} ms; pricing {priced * 1000:.1f} ms with "
          f"{asked} inquiries; again {again * 1000:.2f} ms (cached); "
          f"total {report.monthly:.2f} {report.currency}/month")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
