"""Fixtures for the state tests: a real PostgreSQL for the pg backend."""

from __future__ import annotations

import pytest
from pg_server import start_server


@pytest.fixture(scope="session")
def pg_server():
    yield from start_server()


@pytest.fixture
def pg_conn_str(pg_server):
    """The conn_str of a fresh, empty database on the session's server."""
    return pg_server.new_database()
