#!/usr/bin/env python3
"""Apply of N resources (issue #14): wall time, peak memory and ms/resource of the apply
path, from 1,000 to 10,000 resources, optionally A/B against another checkout.

For each size, the configuration of ``bench/vpn_config.py`` is planned once (warming the
parse cache) and then, in a fresh copy of that directory each time:

- ``apply (saved plan)``: ``apply PLANFILE`` — the apply path alone;
- ``apply -auto-approve``: plan included, parse cache warm.

Wall time on a shared machine is noisy; CPU seconds (user + system of the process) show
the work done, wall time what the waits (fsync, the emulator) add to it.

Runs against the embedded emulator with ``VPNFORM_EMULATOR_DELAY_SCALE=0``. With
``--baseline DIR`` (a checkout with its own .venv, e.g. /work/main) each step runs for
both trees, alternating, best of ``--repeat``; the two trees never share a directory.

    .venv/bin/python bench/apply_scale.py                          # 1000 4310 10000
    .venv/bin/python bench/apply_scale.py 1000 --baseline /work/main --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from child import measure  # noqa: E402
from vpn_config import generate  # noqa: E402


class RunFailed(Exception):
    pass


def run(vpnform: str, args: list[str], cwd: str, env: dict
        ) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one CLI run; exits
    on failure."""
    m = measure([vpnform, *args], cwd, env)
    if m.code != 0:
        errors = sorted({line.strip() for line in m.output.splitlines()
                         if "Error:" in line or "while running" in line})
        raise RunFailed(f"{vpnform} {' '.join(args)} failed: " + " | ".join(errors[:4]))
    return m.wall, m.cpu, m.rss, m.output


def prepared(tree: str, text: str, env: dict) -> str:
    """A directory holding the configuration, a saved plan of it and a warm parse cache."""
    d = tempfile.mkdtemp(prefix="vpnform-apply-bench-")
    with open(os.path.join(d, "main.tf"), "w") as fh:
        fh.write(text)
    run(os.path.join(tree, ".venv", "bin", "vpnform"),
        ["plan", "-input=false", "-out=bench.tfplan"], d, env)
    return d


def fresh_copy(src: str) -> str:
    d = tempfile.mkdtemp(prefix="vpnform-apply-run-")
    shutil.rmtree(d)
    shutil.copytree(src, d, symlinks=True)
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 4310, 10000])
    ap.add_argument("--baseline", help="another checkout with its own .venv (A/B)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per step and tree (best kept)")
    ap.add_argument("--steps", default="saved,auto", help="saved, auto or both (comma)")
    opts = ap.parse_args()
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0")
    trees = [("this", ROOT)] + ([("baseline", os.path.abspath(opts.baseline))]
                                if opts.baseline else [])
    steps = {"saved": ("apply (saved plan)", ["apply", "-input=false", "bench.tfplan"]),
             "auto": ("apply -auto-approve", ["apply", "-input=false", "-auto-approve"])}
    chosen = [steps[s] for s in opts.steps.split(",")]
    print(f"{'resources':>9} {'tree':<9} {'step':<20} {'wall s':>7} {'CPU s':>6} "
          f"{'peak MiB':>9} {'ms/resource':>11}")
    for size in opts.sizes:
        text, count = generate(size)
        bases = {name: prepared(tree, text, env) for name, tree in trees}
        try:
            for label, args in chosen:
                best: dict[str, tuple[float, float, float]] = {}
                for _ in range(opts.repeat):
                    for name, tree in trees:  # alternating, so load hits both alike
                        d = fresh_copy(bases[name])
                        try:
                            wall, cpu, rss, _ = run(os.path.join(tree, ".venv", "bin", "vpnform"),
                                               args, d, env)
                        except RunFailed as err:
                            print(f"{count:>9} {name:<9} {label:<20} FAILED: {err}", flush=True)
                            continue
                        finally:
                            shutil.rmtree(d, ignore_errors=True)
                        if name not in best or wall < best[name][0]:
                            best[name] = (wall, cpu, rss)
                for name in best:
                    wall, cpu, rss = best[name]
                    print(f"{count:>9} {name:<9} {label:<20} {wall:>7.2f} {cpu:>6.2f} "
                          f"{rss:>9.1f} {wall * 1000 / count:>11.2f}", flush=True)
        finally:
            for d in bases.values():
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
