#!/usr/bin/env python3
"""Planning CPU after the configuration is loaded: `vpnform plan` (create) of
bench/vpn_config.py's configuration of N resources with the parse cache warm (the second
plan in a directory), CPU seconds (user+sys of this process) from the end of
``Run.load`` to the end of the command (plan, checks, rendering), best of R; for one or
two source trees, run alternately so that both see the same load.

    .venv/bin/python bench/plan_cpu.py --baseline /work/main 1000 6900
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from vpn_config import generate  # noqa: E402

# Run inside the tree's own interpreter: the CLI with Run.load wrapped to note the CPU time
# at its end, and the CPU time at exit written to the file named by argv[1].
_PROBE = r'''
import atexit, os, sys, time
from engine import operations
from engine.cli.main import main
marks = {}
load = operations.Run.load
def timed_load(self, *a, **k):
    try:
        return load(self, *a, **k)
    finally:
        marks["loaded"] = time.process_time()
operations.Run.load = timed_load
out = sys.argv[1]
def report():
    with open(out, "w") as fh:
        fh.write(f"{marks['loaded']} {time.process_time()}\n")
atexit.register(report)
sys.argv = ["vpnform", "plan", "-no-color", "-input=false"]
sys.exit(main())
'''


def planning_cpu(tree: str, workdir: str) -> tuple[float, float]:
    """(CPU seconds to the end of the load, CPU seconds after it) of one warm plan."""
    marks = os.path.join(workdir, ".cpu")
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0")
    proc = subprocess.run([os.path.join(tree, ".venv", "bin", "python"), "-c", _PROBE, marks],
                          cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 2):  # 2: -detailed-exitcode style "changes present"
        raise SystemExit(f"{tree}: plan exited {proc.returncode}\n{proc.stderr[-3000:]}")
    with open(marks) as fh:
        loaded, end = (float(x) for x in fh.read().split())
    return loaded, end - loaded


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=[1000, 6900])
    p.add_argument("--candidate", default=ROOT, help="source tree with a .venv")
    p.add_argument("--baseline", help="another source tree with a .venv, run alternately")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    trees = {"candidate": a.candidate}
    if a.baseline:
        trees = {"baseline": a.baseline, **trees}
    for size in a.sizes:
        text, count = generate(size)
        dirs = {}
        try:
            for name, tree in trees.items():
                d = dirs[name] = tempfile.mkdtemp(prefix=f"vpnform-plan-cpu-{name}-")
                with open(os.path.join(d, "main.tf"), "w") as fh:
                    fh.write(text)
                planning_cpu(tree, d)  # the cold plan fills the parse cache
            best: dict[str, tuple[float, float]] = {}
            for _ in range(a.repeat):
                for name, tree in trees.items():
                    load, after = planning_cpu(tree, dirs[name])
                    if name not in best or after < best[name][1]:
                        best[name] = (load, after)
            line = f"{count} resources:"
            for name, (load, after) in best.items():
                line += f"  {name} load {load:.2f} s, after load {after:.2f} s CPU;"
            if "baseline" in best:
                line += f"  after load x{best['candidate'][1] / best['baseline'][1]:.2f}"
            print(line, flush=True)
        finally:
            for d in dirs.values():
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
