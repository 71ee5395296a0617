#!/usr/bin/env python3
"""No-change plan with refresh on (issue #14): wall, CPU and peak RSS, A/B between builds.

Applies bench/vpn_config.py's configuration of about N resources in a fresh directory
(or reuses ``--workdir``), then runs ``vpnform plan -detailed-exitcode`` (exit 0: no
changes) with each given vpnform executable in turn, ``--repeat`` rounds alternating, and
prints every run and each executable's best. The embedded emulator has no simulated delay
(VPNFORM_EMULATOR_DELAY_SCALE=0).

    .venv/bin/python bench/no_change_plan.py 6900
    .venv/bin/python bench/no_change_plan.py 6900 --vpnform /work/main/.venv/bin/vpnform \\
        --vpnform .venv/bin/vpnform --repeat 3 --workdir /tmp/n6900
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from child import measure  # noqa: E402
from vpn_config import generate  # noqa: E402

ROOT = os.path.dirname(HERE)
ENV = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0")


def run(vpnform: str, args: list[str], cwd: str) -> tuple[float, float, float, int, str]:
    """Wall s, CPU s (user + system), peak RSS MiB, exit code and output tail of one run."""
    m = measure([vpnform, *args], cwd, ENV)
    return m.wall, m.cpu, m.rss, m.code, m.output[-3000:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="about how many resources")
    ap.add_argument("--vpnform", action="append",
                    help="a vpnform executable (repeat for an A/B; default .venv/bin/vpnform)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", help="an applied directory to reuse (created if missing)")
    args = ap.parse_args()
    tools = args.vpnform or [os.path.join(ROOT, ".venv", "bin", "vpnform")]
    d = args.workdir or tempfile.mkdtemp(prefix=f"vpnform-nochange-{args.n}-")
    try:
        if not os.path.exists(os.path.join(d, "terraform.tfstate")):
            os.makedirs(d, exist_ok=True)
            text, count = generate(args.n)
            with open(os.path.join(d, "main.tf"), "w") as fh:
                fh.write(text)
            wall, _, _, rc, out = run(tools[-1], ["apply", "-auto-approve", "-input=false"], d)
            if rc != 0:
                print(out)
                return 1
            print(f"applied {count} resources in {wall:.1f} s in {d}")
        print(f"{'vpnform':<40} {'round':>5} {'wall s':>7} {'cpu s':>7} {'peak MiB':>8}")
        best: dict[str, tuple[float, float, float]] = {}
        for r in range(args.repeat):
            for tool in tools:
                wall, cpu, rss, rc, out = run(tool, ["plan", "-input=false",
                                                     "-detailed-exitcode"], d)
                if rc != 0:  # 2: the refresh found drift or the plan has changes
                    print(out)
                    return 1
                print(f"{tool:<40} {r + 1:>5} {wall:>7.2f} {cpu:>7.2f} {rss:>8.0f}")
                b = best.get(tool)
                best[tool] = (min(wall, b[0]), min(cpu, b[1]), min(rss, b[2])) if b else (
                    wall, cpu, rss)
        for tool, (wall, cpu, rss) in best.items():
            print(f"{'best: ' + tool:<46} {wall:>7.2f} {cpu:>7.2f} {rss:>8.0f}")
        return 0
    finally:
        if not args.workdir:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
