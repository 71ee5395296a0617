"""The backend record's pure logic: what is recorded of a conn_str, what a driver message
may show of it, and why a configured backend is not the recorded one."""

from __future__ import annotations

import json

import pytest

from engine.state.backends.base import StateError
from engine.state.backends.config import (BackendSpec, change_reason, record_backend,
                                          recorded_backend)
from engine.state.backends.pg import conn_str_without_password, scrub

PASSWORD = "pa55-w0rd"


@pytest.mark.parametrize("conn_str", [
    f"postgres://alice:{PASSWORD}@db.example.com:5433/vpn?sslmode=require",
    f"host=db.example.com port=5433 user=alice password={PASSWORD} dbname=vpn sslmode=require",
    f"postgres://alice@db.example.com:5433/vpn?sslmode=require&password={PASSWORD}",
])
def test_the_recorded_conn_str_keeps_everything_but_the_password(conn_str):
    kept = conn_str_without_password(conn_str)
    assert PASSWORD not in kept
    for part in ("alice", "db.example.com", "5433", "vpn", "sslmode=require"):
        assert part in kept


def test_an_unparseable_conn_str_is_refused_without_echoing_it():
    with pytest.raises(StateError) as err:
        conn_str_without_password(f"host=db {PASSWORD}")
    assert PASSWORD not in str(err.value)


def test_scrub_hides_the_password_and_what_libpq_quotes_of_a_bad_string():
    good = f"postgres://alice:{PASSWORD}@db/vpn"
    assert scrub(f'auth failed for "alice" with {PASSWORD}', good) == \
        'auth failed for "alice" with ***'
    bad = f"host=db {PASSWORD}"
    assert PASSWORD not in scrub(f'missing "=" after "{PASSWORD}" in connection info string',
                                 bad)


def test_change_reasons(tmp_path):
    pg = BackendSpec("pg", {"conn_str": f"postgres://alice:{PASSWORD}@db/vpn"})
    assert change_reason(None, BackendSpec(), {}, has_block=False) is None
    assert change_reason(None, pg, {}, has_block=True) == \
        'Initial configuration of the requested backend "pg"'
    record_backend(str(tmp_path), pg, {"schema_name": "team_a"}, has_block=True)
    record = recorded_backend(str(tmp_path))
    assert PASSWORD not in json.dumps(record)
    assert change_reason(record, pg, {"schema_name": "team_a"}, True) is None
    # Another password is the same backend; another host or schema is not.
    other_pw = BackendSpec("pg", {"conn_str": "postgres://alice:x@db/vpn"})
    assert change_reason(record, other_pw, {"schema_name": "team_a"}, True) is None
    moved = BackendSpec("pg", {"conn_str": "postgres://alice@db2/vpn"})
    assert change_reason(record, moved, {"schema_name": "team_a"}, True) == \
        "Backend configuration block has changed"
    assert change_reason(record, pg, {"schema_name": "team_b"}, True) == \
        "Backend configuration block has changed"
    assert change_reason(record, BackendSpec("local"), {}, True) == \
        'Backend type changed from "pg" to "local"'
    assert change_reason(record, BackendSpec(), {}, False) == \
        'Unsetting the previously set backend "pg"'
