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

