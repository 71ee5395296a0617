"""Fixtures for the engine-core unit tests (fake provider in eng_fakes.py)."""

from __future__ import annotations

import pytest
from eng_fakes import Env, FakeProvider


@pytest.fixture
def env(tmp_path):
    """A working directory with a fresh fake provider and no state yet."""
    return Env(tmp_path)


@pytest.fixture
def slow_env(tmp_path):
    """Like ``env``, but each apply call takes a little while (to observe parallelism)."""
    return Env(tmp_path, FakeProvider(delay=0.03))


# The planner breaks cycles in the action graph at an edge chosen through set iteration,
# so its result can depend on PYTHONHASHSEED. These runs fix the seed per process.
DTC_SCRIPT = r"""
import json, sys, tempfile
from eng_fakes import Env
env = Env(tempfile.mkdtemp())
cfg = '''
resource "fake_thing" "b" {
  name = "b"
  zone = "z1"
}
resource "fake_thing" "a" {
  name      = "a"
  parent_id = fake_thing.b.id
}
'''
env.converge(cfg)
p = env.plan_ok(cfg.replace('"z1"', '"z2"'))
ops = [str(o) for o in p.operations]
edges = sorted([str(x), str(y)] for x, y in p.edges)
state, diags = env.apply(p)
objs = {str(a): o.attributes for a, _, o in state.instances()}
print(json.dumps({
    "ops": ops, "edges": edges, "state": sorted(objs),
    "a_parent_is_new_b": "fake_thing.b" in objs and "fake_thing.a" in objs
        and objs["fake_thing.a"]["parent_id"] == objs["fake_thing.b"]["id"],
    "cloud_matches_state": sorted(env.fake.objects) == sorted(o["id"] for o in objs.values()),
}))
"""


@pytest.fixture(scope="session")
def replace_under_hash_seeds():
    """seed -> outcome of: B (force_new change, destroy-then-create) while A, which refers
    to B's id, is updated in place. Each seed runs in its own interpreter."""
    import json
    import os
    import subprocess
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    out = {}
    for seed in (0, 4, 8):
        proc = subprocess.run([sys.executable, "-c", DTC_SCRIPT], cwd=here, text=True,
                              capture_output=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)})
        assert proc.returncode == 0, proc.stderr
        out[seed] = json.loads(proc.stdout)
    return out
