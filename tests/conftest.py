"""Fixtures shared by every test package."""

import os

import pytest


@pytest.fixture
def open_umask():
    """umask 000 for the test: a file vpnform creates keeps only the mode vpnform gives it."""
    old = os.umask(0)
    yield
    os.umask(old)
