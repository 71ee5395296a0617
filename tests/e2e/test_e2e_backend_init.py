"""init and backend changes end to end: -migrate-state local -> pg -> local on a real
PostgreSQL (the resources survive: plan shows no changes), -reconfigure, -backend-config
from a file and KEY=VALUE, a changed block making plan ask for init, a replaced destination
only when confirmed, and a conn_str password never shown nor recorded."""

from __future__ import annotations

import json
import os
import stat
import sys

import psycopg
import pytest
from cli import errors, plan_summary, run, write_config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "state"))
from pg_server import start_server  # noqa: E402

PASSWORD = "s3cr3t-Pa55word"
INIT_REQUIRED = 'Backend initialization required, please run "vpnform init"'
NO_CHANGES = "No changes. Your infrastructure matches the configuration."


@pytest.fixture(scope="module")
def pg_server():
    yield from start_server()


def with_password(conn_str: str) -> str:
    # The test server trusts loopback, so any password connects: what matters is where it shows.
    return conn_str.replace("postgres://postgres@", f"postgres://postgres:{PASSWORD}@")


def backend_block(type_: str, body: str = "") -> str:
    return f'terraform {{\n  backend "{type_}" {{\n{body}  }}\n}}\n'


def state_rows(conn_str: str) -> dict:
    with psycopg.connect(conn_str) as conn:
        rows = conn.execute("SELECT name, data FROM terraform_remote_state.states").fetchall()
    return {name: json.loads(data) for name, data in rows}


def assert_no_changes(workdir) -> None:
    plan = run(workdir, "plan", "-detailed-exitcode")
    assert plan.code == 0 and NO_CHANGES in plan.stdout, plan


def test_local_to_pg_and_back_keeps_every_resource(quickstart, pg_server):
    conn_str = with_password(pg_server.new_database())
    assert run(quickstart, "init").code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0
    local = json.loads((quickstart / "terraform.tfstate").read_text())
    assert run(quickstart, "workspace", "new", "staging").code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0
    assert run(quickstart, "workspace", "select", "default").code == 0

    # A partial pg block: the connection string comes from -backend-config.
    write_config(quickstart, backend_block("pg"), "backend.tf")
    plan = run(quickstart, "plan")
    assert plan.code == 1, plan
    (err,) = errors(plan.output)
    assert err.summary == INIT_REQUIRED
    assert (err.filename, err.line) == ("backend.tf", 2)
    assert 'Reason: Initial configuration of the requested backend "pg"' in err.detail

    init = run(quickstart, "init", "-migrate-state", f"-backend-config=conn_str={conn_str}",
               input="yes\n")
    assert init.code == 0, init
    assert 'Do you want to migrate all workspaces to "pg"?' in init.stdout
    assert 'Successfully configured the backend "pg"!' in init.stdout
    rows = state_rows(conn_str)
    assert sorted(rows) == ["default", "staging"]
    assert rows["default"]["lineage"] == local["lineage"]
    assert len(rows["default"]["resources"]) == len(local["resources"]) == 7
    assert len(rows["staging"]["resources"]) == 7
    # Later commands reach the same database without the flag; nothing shows the password.
    assert_no_changes(quickstart)
    record = quickstart / ".vpnform" / "backend.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert stat.S_IMODE((quickstart / ".vpnform").stat().st_mode) == 0o700
    assert PASSWORD not in record.read_text()
    assert PASSWORD not in init.output + plan.output

    # Back to local: the block removed; the local file (older serial) is replaced on -force-copy.
    (quickstart / "backend.tf").unlink()
    plan = run(quickstart, "plan")
    assert errors(plan.output)[0].summary == INIT_REQUIRED
    assert 'Reason: Unsetting the previously set backend "pg"' in plan.output
    init = run(quickstart, "init", "-migrate-state", "-force-copy")
    assert init.code == 0, init
    back = json.loads((quickstart / "terraform.tfstate").read_text())
    assert back["lineage"] == local["lineage"] and back["serial"] > local["serial"]
    assert_no_changes(quickstart)


def test_a_changed_block_needs_migrate_state_or_reconfigure(quickstart):
    write_config(quickstart, backend_block("local", '    path = "a.tfstate"\n'), "backend.tf")
    assert run(quickstart, "init").code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0
    write_config(quickstart, backend_block("local", '    path = "b.tfstate"\n'), "backend.tf")

    plan = run(quickstart, "plan")
    assert plan.code == 1
    assert "Reason: Backend configuration block has changed" in plan.output
    listed = run(quickstart, "state", "list")  # every verb that reads state
    (err,) = errors(listed.output)
    assert (err.summary, err.filename, err.line) == (INIT_REQUIRED, "backend.tf", 2)
    init = run(quickstart, "init")
    assert init.code == 1
    (err,) = errors(init.output)
    assert err.summary == "Backend configuration changed"
    assert '"vpnform init -migrate-state"' in err.detail
    assert '"vpnform init -reconfigure"' in err.detail
    no_input = run(quickstart, "init", "-migrate-state", "-input=false")
    assert no_input.code == 1
    assert errors(no_input.output)[0].summary == ("Can't ask approval for state migration "
                                                  "when interactive input is disabled.")
    assert not (quickstart / "b.tfstate").exists()

    # -reconfigure: the new, empty state; nothing copied, the old file untouched.
    before = (quickstart / "a.tfstate").read_bytes()
    init = run(quickstart, "init", "-reconfigure")
    assert init.code == 0, init
    plan = run(quickstart, "plan")
    assert plan_summary(plan.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."
    assert (quickstart / "a.tfstate").read_bytes() == before


def test_a_non_empty_destination_is_replaced_only_when_confirmed(quickstart):
    assert run(quickstart, "apply", "-auto-approve").code == 0
    other = {"version": 4, "terraform_version": "1.11.4", "serial": 9,
             "lineage": "00000000-0000-4000-8000-000000000000",
             "outputs": {"note": {"value": "other", "type": "string"}}, "resources": []}
    (quickstart / "other.tfstate").write_text(json.dumps(other))
    write_config(quickstart, backend_block("local", '    path = "other.tfstate"\n'),
                 "backend.tf")
    kept = run(quickstart, "init", "-migrate-state", input="no\n")
    assert kept.code == 0, kept
    assert ("An existing non-empty state already exists in the new backend."
            in " ".join(kept.stdout.split()))
    assert json.loads((quickstart / "other.tfstate").read_text())["lineage"] == other["lineage"]

    # Back to the local default without copying, then the same move again, answered yes.
    (quickstart / "backend.tf").unlink()
    assert run(quickstart, "init", "-reconfigure").code == 0
    write_config(quickstart, backend_block("local", '    path = "other.tfstate"\n'),
                 "backend.tf")
    replaced = run(quickstart, "init", "-migrate-state", input="yes\n")
    assert replaced.code == 0, replaced
    moved = json.loads((quickstart / "other.tfstate").read_text())
    assert moved["lineage"] != other["lineage"] and len(moved["resources"]) == 7
    assert_no_changes(quickstart)


def test_backend_config_file_and_key_value_merge_in_order(quickstart):
    write_config(quickstart, backend_block("local"), "backend.tf")
    (quickstart / "team.hcl").write_text('path = "team.tfstate"\nbucket = "b"\n')
    bad = run(quickstart, "init", "-backend-config=team.hcl", "-backend-config=region=x")
    assert bad.code == 1
    file_err, flag_err = errors(bad.output)
    assert (file_err.summary, file_err.filename, file_err.line) == (
        "Unsupported argument", "team.hcl", 2)
    assert 'named "bucket"' in file_err.detail
    assert flag_err.summary == "Invalid backend configuration argument"
    assert '"region"' in flag_err.detail

    (quickstart / "team.hcl").write_text('path = "team.tfstate"\n')
    init = run(quickstart, "init", "-backend-config=team.hcl", "-backend-config=path=final.tfstate")
    assert init.code == 0, init
    assert run(quickstart, "apply", "-auto-approve").code == 0
    assert (quickstart / "final.tfstate").exists()
    assert not (quickstart / "team.tfstate").exists()
    assert not (quickstart / "terraform.tfstate").exists()
    assert_no_changes(quickstart)
    assert run(quickstart, "init").code == 0  # re-init without the flags keeps them
    assert_no_changes(quickstart)
    # A change to the block is a change even where a -backend-config value overrides it.
    write_config(quickstart, backend_block("local", '    path = "block.tfstate"\n'),
                 "backend.tf")
    assert errors(run(quickstart, "plan").output)[0].summary == INIT_REQUIRED


def test_a_bad_conn_str_is_never_echoed(quickstart):
    write_config(quickstart, backend_block("pg"), "backend.tf")
    # libpq quotes the piece it cannot parse: here, the password itself.
    init = run(quickstart, "init", f"-backend-config=conn_str=host=127.0.0.1 {PASSWORD}")
    assert init.code == 1
    assert errors(init.output)[0].summary == "Failed to configure the backend"
    assert PASSWORD not in init.output
    assert not (quickstart / ".vpnform" / "backend.json").exists()


def test_an_encrypted_state_stays_encrypted_when_migrated(quickstart, pg_server):
    from test_e2e_encryption import ENCRYPTION_TF, ENV, PSK
    conn_str = pg_server.new_database()
    write_config(quickstart, ENCRYPTION_TF, "encryption.tf")
    assert run(quickstart, "apply", "-auto-approve", env=ENV).code == 0
    write_config(quickstart, backend_block("pg", f'    conn_str = "{conn_str}"\n'),
                 "backend.tf")
    init = run(quickstart, "init", "-force-copy", env=ENV)
    assert init.code == 0, init
    with psycopg.connect(conn_str) as conn:
        (data,) = conn.execute("SELECT data FROM terraform_remote_state.states").fetchone()
    assert '"encryption_version":"v0"' in data and PSK not in data
    plan = run(quickstart, "plan", "-detailed-exitcode", env=ENV)
    assert plan.code == 0 and NO_CHANGES in plan.stdout, plan
