#!/usr/bin/env python3
"""Startup of small plans (issue #14): how long the quick verbs take, and what importing costs.

In a fresh copy of examples/quickstart (after ``vpnform init``, the embedded emulator with
no simulated delay), runs ``vpnform VERB`` in a new process ``--runs`` times (default 5)
for plan, validate, version, -help and fmt, and prints per verb the median wall time and
the median CPU time (user + system; steadier than wall time on a loaded machine). Then:

- ``import``: a process that only imports the CLI module (engine.cli.main), as above;
- the import breakdown of ``vpnform plan`` (``python -X importtime``), summed by top-level
  package (self time of every module under it), largest first.

``--python`` picks the interpreter; ``--other`` adds a second one (another worktree's
.venv) for an A/B: the two take turns, run by run. Compiled bytecode goes to a temp
``PYTHONPYCACHEPREFIX`` warmed by one untimed run, so the figures are those of an
installed vpnform, not of compiling it.

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --other /work/main/.venv/bin/python --runs 7
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICKSTART = os.path.join(ROOT, "examples", "quickstart")
VERBS = {"plan": ["plan", "-no-color"], "validate": ["validate"], "version": ["version"],
         "-help": ["-help"], "fmt": ["fmt", "-check"]}
IMPORT = ["-c", "import engine.cli.main"]


def _env(pycache: str) -> dict:
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0", PYTHONPYCACHEPREFIX=pycache,
               TF_IN_AUTOMATION="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed(argv: list[str], cwd: str, env: dict) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``argv``."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=120)
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode not in (0, 3):  # fmt -check answers 3 for an unformatted file
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): "
                         f"{proc.stderr.decode()[-400:]}")
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    return wall, cpu


def _import_breakdown(python: str, cwd: str, env: dict) -> list[tuple[str, float]]:
    """Self import time (s) per top-level package in ``vpnform plan``."""
    proc = subprocess.run([python, "-X", "importtime", "-m", "engine.cli.main", "plan",
                           "-no-color"], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    by_package: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \| +(\S+)", line)
        if m:
            name = m.group(2)
            top = ".".join(name.split(".")[:2]) if name.startswith(("engine", "providers")) \
                else name.split(".")[0]
            by_package[top] += int(m.group(1)) / 1e6
    return sorted(by_package.items(), key=lambda kv: -kv[1])


def _workdir(python: str, env: dict) -> str:
    work = tempfile.mkdtemp(prefix="vpnform-startup-")
    dest = os.path.join(work, "quickstart")
    shutil.copytree(QUICKSTART, dest)
    subprocess.run([python, "-m", "engine.cli.main", "init"], cwd=dest, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    return dest


def measure(pythons: list[str], runs: int) -> dict:
    """{python: {verb: (median wall, median cpu), "breakdown": [...]}}; the interpreters take
    turns run by run, so a change in the machine's load falls on each alike."""
    setups = {}
    for python in pythons:
        env = _env(tempfile.mkdtemp(prefix="vpnform-pycache-"))
        setups[python] = (env, _workdir(python, env))
    figures: dict = {p: {} for p in pythons}
    try:
        for name, args in [*VERBS.items(), ("import", None)]:
            samples: dict = {p: [] for p in pythons}
            for turn in range(runs + 1):
                for python in pythons:
                    env, cwd = setups[python]
                    argv = ([python, *IMPORT] if args is None
                            else [python, "-m", "engine.cli.main", *args])
                    sample = _timed(argv, cwd, env)
                    if turn:  # the first turn warms bytecode, parse cache and page cache
                        samples[python].append(sample)
            for python in pythons:
                figures[python][name] = (statistics.median(w for w, _ in samples[python]),
                                         statistics.median(c for _, c in samples[python]))
        for python in pythons:
            env, cwd = setups[python]
            figures[python]["breakdown"] = _import_breakdown(python, cwd, env)
    finally:
        for env, cwd in setups.values():
            shutil.rmtree(os.path.dirname(cwd), ignore_errors=True)
            shutil.rmtree(env["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter with vpnform installed")
    ap.add_argument("--other", help="a second interpreter to compare with (A/B)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=15, help="packages shown in the breakdown")
    args = ap.parse_args()
    pythons = [args.python] + ([args.other] if args.other else [])
    results = measure(pythons, args.runs)
    print(f"median of {args.runs} runs; wall / cpu (user+sys) in seconds; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'':10}" + "".join(f"{p[-40:]:>44}" for p in pythons))
    for name in [*VERBS, "import"]:
        print(f"{name:10}" + "".join(f"{results[p][name][0]:>30.3f} / {results[p][name][1]:.3f}"
                                     for p in pythons))
    for p in pythons:
        print(f"\nimport time of `vpnform plan` by package (self, s), {p}:")
        breakdown = results[p]["breakdown"]
        print(f"  total {sum(s for _, s in breakdown):.3f}")
        for pkg, secs in breakdown[:args.top]:
            print(f"  {pkg:40} {secs:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
