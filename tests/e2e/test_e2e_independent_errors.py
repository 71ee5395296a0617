"""One run reports every independent error (issue #9).

A configuration holding several unrelated mistakes — a customer gateway address the product
refuses, a bandwidth that is no tier, an SPD peer range overlapping the VPC (a check across
objects) and an output reading an attribute that does not exist — gets all of them from one
``vpnform plan``, each once and located; ``vpnform validate`` reports all of those it checks
(everything but the cross-object SPD rule 4, which needs a plan).
"""

from __future__ import annotations

import pytest
from cli import errors, position, run, source_line, write_config

from test_e2e_diagnostics import ENV, PSK, config, spd

# The rule-matrix configuration with four unrelated mistakes.
CONFIG = config(bandwidth="7", cgw_ip="127.0.0.1",
                spd=spd(("10.10.1.0/24", ["172.16.0.0/16", "10.10.200.0/24"]))) + '''
output "vpc_zone" {
  value = tencentcloud_vpc.v.zone
}
'''

# summary -> (text on the line, token where the range starts)
EXPECTED = {
    "Invalid customer gateway address": ("public_ip_address", '"127.0.0.1"'),
    "Unsupported bandwidth": ("bandwidth = 7", "7"),
    "Invalid SPD policy": ("remote_cidr_block", '"10.10.200.0/24"'),
    "Unsupported attribute": ("tencentcloud_vpc.v.zone", ".zone"),
}
PLAN_ONLY = {"Invalid SPD policy"}


@pytest.mark.parametrize("verb", ["plan", "validate"])
def test_every_independent_error_in_one_run(tmp_path, verb):
    workdir = write_config(tmp_path / "cfg", CONFIG)
    res = run(workdir, verb, env=ENV)
    assert res.code == 1, res
    got = errors(res.stderr)
    want = {s: at for s, at in EXPECTED.items() if verb == "plan" or s not in PLAN_ONLY}
    assert sorted(d.summary for d in got) == sorted(want), res  # each exactly once
    for d in got:
        assert (d.filename, d.line, d.col) == ("main.tf", *position(CONFIG, *want[d.summary])), d
        assert d.source == source_line(CONFIG, d.line), d
    assert PSK not in res.output
    assert not (workdir / "terraform.tfstate").exists()
