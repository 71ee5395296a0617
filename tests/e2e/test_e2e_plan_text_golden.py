"""The plan text of a generated VPN configuration stays what it was, byte for byte: a
create plan, then (after apply) a plan that updates, replaces and destroys objects.

The golden files were recorded from main before the renderer was reworked for speed (set
VPNFORM_RECORD_GOLDEN=1 to record them again after an intended change of the text). The
second plan shows IDs and times the emulator picks at random: they are masked the same way
(same length) on both sides, so the layout is still compared exactly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cli import run, write_config
from test_e2e_bench_vpn_config import load_generator

GOLDEN = Path(__file__).parent / "golden"
RECORD = os.environ.get("VPNFORM_RECORD_GOLDEN") == "1"


def _mask(text: str) -> str:
    """Emulator-chosen IDs (``vpngw-djo54msb``), times and numbers, kept to their length."""
    text = re.sub(r'"[^"\n]*"', lambda m: re.sub("[0-9a-z]", "x", m.group())
                  if re.search(r"\d|[a-z]-[0-9a-z]{8}", m.group()) else m.group(), text)
    return re.sub(r"\d", "9", text)


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if RECORD:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _changed(text: str) -> str:
    """Updates in place (route table names, route status), replacements (route priority)."""
    text = re.sub(r'(  name     = ")(vpc_\d+_\d+)"', r'\1\2-renamed"', text)
    return (text.replace('priority               = 100', 'priority               = 0')
            .replace('"ENABLE"', '"DISABLE"'))


def test_plan_text_of_a_generated_configuration_is_unchanged(tmp_path):
    gen = load_generator()
    text, count = gen.generate(60)
    workdir = write_config(tmp_path / "golden", text)
    assert run(workdir, "init").code == 0

    res = run(workdir, "plan", timeout=240)
    assert res.code == 0, res
    _check("plan_create_60.txt", res.stdout)

    res = run(workdir, "apply", "-auto-approve", timeout=240)
    assert res.code == 0, res
    # fewer resources (the last tunnels are destroyed), the rest changed
    smaller, _ = gen.generate(50)
    write_config(workdir, _changed(smaller))
    res = run(workdir, "plan", timeout=240)
    assert res.code == 0, res
    assert "to add" in res.stdout and "will be updated in-place" in res.stdout
    assert "must be replaced" in res.stdout and "will be destroyed" in res.stdout
    _check("plan_change_50.txt", _mask(res.stdout))
