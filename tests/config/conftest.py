"""Fixtures for the configuration-language tests."""

from __future__ import annotations

import pytest
from cfg_helpers import write_module


@pytest.fixture
def module_dir(tmp_path):
    """Write files into a fresh module directory: module_dir({"main.tf": "..."}) -> path."""

    def make(files: dict) -> str:
        return write_module(tmp_path, files)

    return make
