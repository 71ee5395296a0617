"""kill -9 at random moments of a 200-resource apply and destroy: every next run converges,
with no object in the cloud that state does not hold, none lost and none made twice
(issue #9). The full drill (20 kills at 500 resources) is bench/crash_drill.py; this is
the same drill, bounded (about two minutes)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _drill_module():
    spec = importlib.util.spec_from_file_location(
        "crash_drill", os.path.join(ROOT, "bench", "crash_drill.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_drill"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("faults", [None, "internal=0.02,throttle=0.02,lost=0.02,seed=5"],
                         ids=["no-faults", "with-faults"])
def test_killed_applies_and_destroys_converge_with_no_orphans(faults):
    drill = _drill_module()
    assert drill.count_resources(drill.generate(200)) >= 200
    lines: list[str] = []
    rounds = drill.drill(200, kills=4, seed=11, faults=faults, delay_scale="1",
                         log=lines.append)
    report = "\n".join(lines)
    assert sum(r.killed for r in rounds) >= 2, report  # kills landed mid-run
    for r in rounds:
        assert r.converged, report
        assert r.audit.orphans == [], report
        assert r.audit.lost == [], report
        assert r.audit.duplicates == [], report


def test_the_audit_sees_an_orphan(tmp_path):
    """The drill's comparison is not blind: an object made behind vpnform's back shows."""
    from cli import copy_config, QUICKSTART, run
    from providers.tencentcloud.cli import call
    drill = _drill_module()
    work = copy_config(QUICKSTART, tmp_path / "q")
    assert run(work, "apply", "-auto-approve").code == 0
    body = call(str(work), "CreateCustomerGateway",
                {"CustomerGatewayName": "stray", "IpAddress": "203.0.113.77"}, "ap-guangzhou")
    assert "Error" not in body, body
    found = drill.audit(str(work), dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0"))
    assert found.orphans == [
        f"tencentcloud_vpn_customer_gateway {body['CustomerGateway']['CustomerGatewayId']}"]
    assert not found.lost and not found.duplicates
