#!/usr/bin/env python3
"""Parse of a large configuration file (issue #14): seconds and peak memory, cold and cached.

For each size (default 6,900 and 10,000 resources) writes bench/vpn_config.py's
configuration to a temp directory, then in a fresh process per measurement:

- ``cold``: hcl.parse of main.tf with no cache (the parse a cold ``plan`` does), writing
  the parse cache entry afterwards (as a cold ``plan`` does);
- ``cached``: hcl.parse of the same text from that cache entry (a warm ``plan``).

Each prints the CPU seconds (user + system) of the call and the process's peak RSS in MiB
(after importing the engine: the baseline of an import is printed as ``import``).
``--python`` is the interpreter whose installed engine is measured (default: this one);
``--other`` adds a second one (e.g. another worktree's .venv) for an A/B, run in turn.

    .venv/bin/python bench/cold_parse.py
    .venv/bin/python bench/cold_parse.py --other /work/main/.venv/bin/python --sizes 10000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vpn_config import generate  # noqa: E402

CHILD = r'''
import json, os, resource, sys, time
from engine.config import hcl
path, cache, mode = sys.argv[1:4]
with open(path, encoding="utf-8") as f:
    text = f.read()
imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if mode == "import":
    print(json.dumps({"cpu": 0.0, "peak": imported, "blocks": 0}))
    sys.exit()
t = os.times()
body, diags = hcl.parse(text, "main.tf", cache)
u = os.times()
print(json.dumps({"cpu": (u.user - t.user) + (u.system - t.system),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "blocks": len(body.blocks) if body is not None else -1}))
'''


def measure(python: str, path: str, cache: str, mode: str) -> dict:
    out = subprocess.run([python, "-c", CHILD, path, cache, mode], capture_output=True,
                         text=True, timeout=1800, cwd=os.path.dirname(path))
    if out.returncode != 0:
        raise SystemExit(f"{python} {mode} failed: {out.stderr[-800:]}")
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--other", help="a second interpreter, measured in turn")
    ap.add_argument("--sizes", default="6900,10000")
    args = ap.parse_args()
    pythons = [args.python] + ([args.other] if args.other else [])
    print(f"{'resources':>9} {'mode':<7} {'interpreter':<40} {'cpu s':>7} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory(prefix="cold-parse-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            text, count = generate(size)
            d = os.path.join(tmp, str(size))
            os.makedirs(d)
            path = os.path.join(d, "main.tf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            for mode in ("import", "cold", "cached"):
                for i, py in enumerate(pythons):
                    cache = os.path.join(d, f"cache-{i}")
                    r = measure(py, path, cache, mode)
                    print(f"{count:>9} {mode:<7} {py[-40:]:<40} {r['cpu']:>7.2f} "
                          f"{r['peak']:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
