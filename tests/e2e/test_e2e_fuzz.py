"""A bounded run of the bad-input fuzzer (bench/fuzz.py, whose full run prints the figures in
BENCHMARKS.md): a few hundred mutated example configurations and bad state files, each run
in-process through the CLI entry function, must end without an internal error."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIG_CASES = 200
STATE_CASES = 60


def load_fuzzer():
    spec = importlib.util.spec_from_file_location("vpnform_bench_fuzz", REPO / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fuzzed_inputs_end_in_diagnostics_not_internal_errors(monkeypatch):
    for name in list(os.environ):  # as tests/e2e/cli.py: nothing leaks in from the shell
        if name.startswith(("TF_VAR_", "TENCENTCLOUD_", "VPNFORM_", "TF_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    fuzz = load_fuzzer()

    outcomes = fuzz.run_all(seed=9, n_config=CONFIG_CASES, n_state=STATE_CASES)

    assert len(outcomes) == CONFIG_CASES + STATE_CASES
    failed = [o for o in outcomes if o.internal or o.code is None]  # None: stopped, hung
    assert not failed, "\n\n".join(
        f"{o.case.name}: vpnform {' '.join(o.case.argv)} -> {o.code}\n{o.output[-2000:]}"
        for o in failed)
    # the cases are errors a user made: most end in a diagnostic (exit 1), none in a crash
    assert sum(o.code == 1 for o in outcomes) > len(outcomes) // 3
