#!/usr/bin/env python3
"""CPU seconds of the whole-plan passes of one `vpnform plan` in a working directory (already
initialised; for a no-change plan, already applied): the provider's cross-object checks
(check_plan: cross_checks and reachability), its lint (lint_plan), the action graph and the
rendering of the plan text, and the whole command; for one or two source trees, run
alternately so that both see the same load. Best of R for each figure.

A tree without its own .venv runs on this interpreter with PYTHONPATH set to the tree (an
older commit unpacked with `git archive`, say).

    .venv/bin/python bench/plan_passes.py --baseline /tmp/base --repeat 3 /tmp/w
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Run inside the tree's interpreter: the CLI with each pass wrapped to add up its CPU time
# (time.process_time: every thread of the process), written as "name seconds" lines.
_PROBE = r'''
import os, sys, time
from engine.cli.main import main
from engine.cli import commands_run
from engine.plan import planner
import providers.tencentcloud.cross_checks as cross_checks
import providers.tencentcloud.reachability as reachability
total = {}
def wrap(owner, name, label):
    f = getattr(owner, name)
    def timed(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            total[label] = total.get(label, 0.0) + time.process_time() - t
    setattr(owner, name, timed)
wrap(commands_run, "render_plan", "render")
wrap(planner._Planner, "check_plan", "check_plan")
wrap(cross_checks, "check_plan", "  cross_checks")
wrap(reachability, "check_reachability", "  reachability")
wrap(planner._Planner, "lint_plan", "lint_plan")
wrap(planner, "action_graph", "action_graph")
start = time.process_time()
sys.argv = ["vpnform", "plan", "-input=false"]
out, sys.stdout = sys.stdout, open(os.devnull, "w")
try:
    code = main()
finally:
    sys.stdout = out
total["command"] = time.process_time() - start
for k, v in total.items():
    print(k, v)
'''


def run(tree: str, workdir: str) -> dict[str, float]:
    own = os.path.join(tree, ".venv", "bin", "python")
    python = own if os.path.exists(own) else sys.executable
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0")
    if not os.path.exists(own):
        env["PYTHONPATH"] = tree
    proc = subprocess.run([python, "-c", _PROBE], cwd=workdir, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: exited {proc.returncode}\n{proc.stderr[-3000:]}")
    out = {}
    for line in proc.stdout.splitlines():
        name, _, value = line.rpartition(" ")
        out[name] = float(value)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workdir")
    p.add_argument("--candidate", default=ROOT, help="source tree")
    p.add_argument("--baseline", help="another source tree, run alternately")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    trees = [t for t in (args.baseline, args.candidate) if t]
    best: list[dict[str, float]] = [{} for _ in trees]
    for _ in range(args.repeat):
        for i, tree in enumerate(trees):
            for k, v in run(tree, args.workdir).items():
                best[i][k] = min(v, best[i].get(k, v))
    names = list(best[-1])
    print(f"{'CPU s, best of ' + str(args.repeat):24s}" + "".join(
        f"{label:>12s}" for label in (["baseline", "candidate", "ratio"] if args.baseline
                                      else ["candidate"])))
    for k in names:
        row = "".join(f"{b.get(k, float('nan')):12.3f}" for b in best)
        if args.baseline and best[0].get(k):
            row += f"{best[1][k] / best[0][k]:12.2f}"
        print(f"{k:24s}{row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
