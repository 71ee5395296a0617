"""The benchmarks' generated VPN configuration (bench/vpn_config.py, used by
bench/vs_terraform.py) stays valid as the product's rules evolve: it validates and plans
with neither errors nor warnings (a warning repeated for each of 10,000 resources would
swamp what the benchmark measures).

About 700 resources: a full region (its 20 customer gateways, 10 tunnels on each, 20 tunnels
on each VPN gateway: every per-region limit reached) and the start of a second region.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from cli import diagnostics, plan_summary, run, write_config

REPO = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location("vpnform_bench_vpn_config",
                                                  REPO / "bench" / "vpn_config.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_generated_configuration_validates_and_plans_cleanly(tmp_path):
    gen = load_generator()
    text, count = gen.generate(700)
    assert 700 <= count < 710
    assert text.count('provider "tencentcloud"') == 2  # a full region spills into a second
    workdir = write_config(tmp_path / "bench", text)

    res = run(workdir, "validate")
    assert res.code == 0, res
    assert diagnostics(res.output) == [], res

    res = run(workdir, "plan", timeout=240)
    assert res.code == 0, res
    assert diagnostics(res.output) == [], res
    assert plan_summary(res.stdout) == f"Plan: {count} to add, 0 to change, 0 to destroy."
