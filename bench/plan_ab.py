#!/usr/bin/env python3
"""A/B of `vpnform plan` (create) between two installations, on bench/vpn_config.py's
configuration of N resources: cold (a fresh directory, no parse cache) and warm (the
parse cache filled by the cold run), wall seconds and peak RSS, best of R alternating
runs, so that both sides see the same load on a shared machine.

    .venv/bin/python bench/plan_ab.py --baseline /work/main/.venv/bin/vpnform 6900 10000
    .venv/bin/python bench/plan_ab.py --out 4310          # also write a plan file (-out)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from vpn_config import generate  # noqa: E402


def run(vpnform: str, cwd: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one successful CLI run."""
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0")
    start = time.monotonic()
    proc = subprocess.Popen([vpnform, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stdout.write(out.decode(errors="replace")[-3000:])
        raise SystemExit(f"{vpnform} {' '.join(args)} exited {code}")
    return wall, usage.ru_maxrss / 1024


def measure(vpnform: str, text: str, args: list[str]) -> dict:
    d = tempfile.mkdtemp(prefix="vpnform-plan-ab-")
    try:
        with open(os.path.join(d, "main.tf"), "w") as fh:
            fh.write(text)
        cold = run(vpnform, d, args)
        warm = run(vpnform, d, args)
        return {"cold": cold, "warm": warm}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=[6900, 10000])
    p.add_argument("--candidate", default=os.path.join(ROOT, ".venv", "bin", "vpnform"))
    p.add_argument("--baseline", help="another installation's vpnform, run alternately")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", action="store_true", help="plan -out=bench.tfplan")
    a = p.parse_args()
    args = ["plan", "-input=false", "-no-color"] + (["-out=bench.tfplan"] if a.out else [])
    sides = [("candidate", a.candidate)] + ([("baseline", a.baseline)] if a.baseline else [])
    print(f"vpnform {' '.join(args)}; best of {a.repeat}")
    print(f"{'resources':>9} {'side':<10} {'cold s':>7} {'cold MiB':>9} {'warm s':>7} "
          f"{'warm MiB':>9}")
    for n in a.sizes:
        text, count = generate(n)
        best: dict = {name: None for name, _ in sides}
        for _ in range(a.repeat):
            for name, exe in sides:
                m = measure(exe, text, args)
                b = best[name]
                best[name] = m if b is None else {
                    k: (min(b[k][0], m[k][0]), min(b[k][1], m[k][1])) for k in m}
        for name, _ in sides:
            m = best[name]
            print(f"{count:>9} {name:<10} {m['cold'][0]:>7.2f} {m['cold'][1]:>9.0f} "
                  f"{m['warm'][0]:>7.2f} {m['warm'][1]:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
