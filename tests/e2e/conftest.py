"""Fixtures for the end-to-end CLI tests."""

from __future__ import annotations

import pytest
from cli import QUICKSTART, copy_config, run


@pytest.fixture
def quickstart(tmp_path):
    """A fresh copy of examples/quickstart (configuration files only: no state, no cloud)."""
    return copy_config(QUICKSTART, tmp_path / "quickstart")


@pytest.fixture
def applied(quickstart):
    """The quick start, applied (7 resources in state and in the emulated cloud)."""
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in res.stdout, res
    return quickstart
