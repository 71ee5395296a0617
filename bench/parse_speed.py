#!/usr/bin/env python3
"""Parse seconds of bench/vpn_config.py's configuration with python-hcl2 (hcl_parser.py)
and with tree-sitter-hcl (hcl_treesitter.py), at 6,900 and 10,000 resources, in one run.

Each figure is the best of ``--repeat`` parses of the whole file (no parse cache), in
process CPU seconds (the machine's other work counts less than in wall-clock time); the
two trees are compared once, node for node, so the figures are for the same result.

    .venv/bin/python bench/parse_speed.py [--repeat 3] [sizes...]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vpn_config import generate  # noqa: E402

from engine.config import hcl_parser, hcl_treesitter  # noqa: E402


def _best(parse, text: str, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        gc.disable()  # as hcl.parse does while building
        t0 = time.process_time()
        result = parse(text, "main.tf")
        best = min(best, time.process_time() - t0)
        gc.enable()
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[6900, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    hcl_parser._parser()  # build (or load) the Lark parser outside the timing
    print(f"{'resources':>9} {'bytes':>10} {'python-hcl2 s':>14} {'tree-sitter s':>14} {'ratio':>6}")
    for n in args.sizes:
        text, count = generate(n)
        lark_s, slow = _best(hcl_parser.parse_file, text, args.repeat)
        ts_s, fast = _best(hcl_treesitter.parse_file, text, args.repeat)
        if fast is None:
            sys.exit(f"{count}: tree-sitter declined the configuration")
        if hcl_treesitter.dump(fast[0]) != hcl_treesitter.dump(slow[0]):
            sys.exit(f"{count}: the two parsers read different trees")
        print(f"{count:>9,} {len(text.encode()):>10,} {lark_s:>14.2f} {ts_s:>14.2f} "
              f"{lark_s / ts_s:>5.1f}x")


if __name__ == "__main__":
    main()
