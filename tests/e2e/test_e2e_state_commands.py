"""state pull / push / mv / rm and force-unlock end to end, on the local backend and on a
real PostgreSQL (pg backend): what is stored after each command, what the next plan
proposes, the refusals that leave the state intact, and stale locks of killed holders."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap

import psycopg
import pytest
from cli import QUICKSTART_ADDRESSES, REPO, errors, make_env, plan_summary, run, write_config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "state"))
from pg_server import start_server  # noqa: E402

PSK = "TomVPN-demo-key-2019"  # the quick start's default pre-shared key (a secret)


@pytest.fixture(scope="module")
def pg_server():
    yield from start_server()


@pytest.fixture(params=["local", "pg"])
def workdir(request, quickstart):
    """The quick start, initialised on the local or the pg backend and applied."""
    if request.param == "pg":
        conn_str = request.getfixturevalue("pg_server").new_database()
        write_config(quickstart, f'terraform {{\n  backend "pg" {{\n    conn_str = '
                     f'"{conn_str}"\n  }}\n}}\n', "backend.tf")
    assert run(quickstart, "init").code == 0
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    return quickstart


def pull(workdir) -> dict:
    res = run(workdir, "state", "pull")
    assert res.code == 0, res
    assert res.stdout.endswith("}\n\n"), res  # as Terraform prints it
    return json.loads(res.stdout)


def stored(workdir) -> str:
    """The stored state as the backend holds it (no vpnform run: the pg row, or the file)."""
    backend = workdir / "backend.tf"
    if not backend.exists():
        return (workdir / "terraform.tfstate").read_text()
    conn_str = re.search(r'conn_str = "([^"]+)"', backend.read_text()).group(1)
    with psycopg.connect(conn_str) as conn:
        return conn.execute("SELECT data FROM terraform_remote_state.states "
                            "WHERE name = 'default'").fetchone()[0]


def write_state(path, doc: dict) -> str:
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return str(path)


def test_pull_then_push_round_trip(workdir, tmp_path):
    doc = pull(workdir)
    assert doc["version"] == 4 and doc["serial"] >= 1 and doc["lineage"]
    managed = sorted(f'{r["type"]}.{r["name"]}' for r in doc["resources"]
                     if r["mode"] == "managed")
    assert managed == QUICKSTART_ADDRESSES
    # state pull is the explicit way to the raw state: the secret is in it, as in Terraform
    assert PSK in json.dumps(doc)

    same = run(workdir, "state", "push", write_state(tmp_path / "same.tfstate", doc))
    assert same.code == 0 and same.output == "", same
    assert pull(workdir) == doc  # nothing changed, not even the serial

    edited = json.loads(json.dumps(doc))
    edited["serial"] += 3
    del edited["outputs"]["vpn_gateway_public_ip"]
    pushed = run(workdir, "state", "push", "-", input=json.dumps(edited))
    assert pushed.code == 0, pushed
    after = pull(workdir)
    assert after["serial"] == doc["serial"] + 3 and after["lineage"] == doc["lineage"]
    assert "vpn_gateway_public_ip" not in after["outputs"]
    assert after["resources"] == doc["resources"]
    out = run(workdir, "output", "-json")
    assert "vpn_gateway_public_ip" not in json.loads(out.stdout)


def test_push_refusals_leave_the_stored_state_intact(workdir, tmp_path):
    raw = stored(workdir)
    doc = json.loads(raw)
    older = dict(doc, serial=doc["serial"] - 1)
    other = dict(doc, lineage="00000000-0000-0000-0000-000000000000")
    changed = json.loads(json.dumps(doc))
    del changed["outputs"]["vpn_gateway_public_ip"]
    cases = [
        (older, f"cannot import state with serial {doc['serial'] - 1} over newer state "
                 f"with serial {doc['serial']}"),
        (other, 'cannot import state with lineage \'00000000-0000-0000-0000-000000000000\' '
                "over unrelated state"),
        (changed, f"cannot overwrite existing state with serial {doc['serial']} with a "
                  "different state that has the same serial"),
    ]
    for n, (bad, message) in enumerate(cases):
        res = run(workdir, "state", "push", write_state(tmp_path / f"bad{n}.tfstate", bad))
        assert res.code == 1, res
        diag = errors(res.output)[0]
        assert diag.summary == "Failed to write state" and message in diag.detail, res
        assert PSK not in res.output
        assert stored(workdir) == raw
    missing = run(workdir, "state", "push", str(tmp_path / "nope.tfstate"))
    assert missing.code == 1 and "No such file or directory" in missing.output, missing
    garbage = run(workdir, "state", "push", "-", input="{")
    assert garbage.code == 1 and errors(garbage.output)[0].summary == \
        "Error reading source state", garbage
    assert stored(workdir) == raw

    # -force overrides the serial and lineage checks; the serial still rises
    forced = run(workdir, "state", "push", "-force", str(tmp_path / "bad1.tfstate"))
    assert forced.code == 0, forced
    now = json.loads(stored(workdir))
    assert now["lineage"] == other["lineage"] and now["serial"] == doc["serial"] + 1
    assert run(workdir, "plan", "-detailed-exitcode").code == 0  # same objects: no changes


def test_mv_then_plan_with_the_renamed_config_shows_no_change(workdir):
    raw = stored(workdir)
    before = json.loads(raw)
    dry = run(workdir, "state", "mv", "-dry-run", "tencentcloud_vpc.tom", "tencentcloud_vpc.main")
    assert dry.code == 0 and dry.stdout == \
        'Would move "tencentcloud_vpc.tom" to "tencentcloud_vpc.main"\n', dry
    assert stored(workdir) == raw

    taken = run(workdir, "state", "mv", "tencentcloud_vpc.tom", "tencentcloud_vpc.tom")
    assert taken.code == 1 and "already a resource at that address" in taken.output, taken
    wrong = run(workdir, "state", "mv", "tencentcloud_vpc.tom", "tencentcloud_subnet.x")
    assert wrong.code == 1 and "resource types don't match" in wrong.output, wrong
    assert stored(workdir) == raw

    res = run(workdir, "state", "mv", "tencentcloud_vpc.tom", "tencentcloud_vpc.main")
    assert res.code == 0, res
    assert res.stdout == ('Move "tencentcloud_vpc.tom" to "tencentcloud_vpc.main"\n'
                          "Successfully moved 1 object(s).\n")
    assert json.loads(stored(workdir))["serial"] == before["serial"] + 1
    listed = run(workdir, "state", "list").stdout.split()
    assert "tencentcloud_vpc.main" in listed and "tencentcloud_vpc.tom" not in listed

    main_tf = workdir / "main.tf"
    text = main_tf.read_text()
    assert '"tencentcloud_vpc" "tom"' in text
    main_tf.write_text(text.replace('"tencentcloud_vpc" "tom"', '"tencentcloud_vpc" "main"')
                       .replace("tencentcloud_vpc.tom.", "tencentcloud_vpc.main."))
    plan = run(workdir, "plan", "-detailed-exitcode")
    assert plan.code == 0, plan
    assert "No changes." in plan.stdout


def test_rm_then_plan_proposes_create(workdir):
    raw = stored(workdir)
    before = json.loads(raw)
    nothing = run(workdir, "state", "rm", "tencentcloud_vpn_connection.tom",
                  "tencentcloud_vpn_connection.nope")
    assert nothing.code == 1, nothing
    assert errors(nothing.output)[0].summary == "Invalid target address"
    assert stored(workdir) == raw  # one address matching nothing: nothing removed

    dry = run(workdir, "state", "rm", "-dry-run", "tencentcloud_vpn_connection.tom")
    assert dry.code == 0 and dry.stdout == "Would remove tencentcloud_vpn_connection.tom\n"
    assert stored(workdir) == raw

    res = run(workdir, "state", "rm", "tencentcloud_vpn_connection.tom",
              "tencentcloud_route_table_entry.to_idc")
    assert res.code == 0, res
    assert res.stdout == ("Removed tencentcloud_route_table_entry.to_idc\n"
                          "Removed tencentcloud_vpn_connection.tom\n"
                          "Successfully removed 2 resource instance(s).\n")
    assert PSK not in res.output
    assert json.loads(stored(workdir))["serial"] == before["serial"] + 1
    plan = run(workdir, "plan")
    assert plan.code == 0, plan
    assert "# tencentcloud_vpn_connection.tom will be created" in plan.stdout
    assert "# tencentcloud_route_table_entry.to_idc will be created" in plan.stdout
    assert plan_summary(plan.stdout) == "Plan: 2 to add, 0 to change, 0 to destroy."


HOLDER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {repo!r})
    from engine.operations import backend_for
    from engine.state.backends.base import LockInfo
    b = backend_for(os.getcwd())
    print(b.lock(LockInfo(operation="OperationTypeApply", who="bob@runner-7")), flush=True)
    time.sleep(60)
""")


@contextlib.contextmanager
def lock_holder(workdir):
    """Another process holding the workdir's state lock (through its backend); yields the
    process and its lock ID."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER.format(repo=str(REPO))],
                            cwd=str(workdir), env=make_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lock_id = proc.stdout.readline().strip()
        assert lock_id, proc.stderr.read()
        yield proc, lock_id
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=20)


def test_force_unlock_after_the_holder_was_killed(workdir):
    raw = stored(workdir)
    with lock_holder(workdir) as (proc, lock_id):
        held = run(workdir, "state", "rm", "tencentcloud_vpn_connection.tom")
        assert held.code == 1, held
        assert "Error acquiring the state lock" in held.output
        assert "bob@runner-7" in held.output and lock_id in held.output
        alive = run(workdir, "force-unlock", "-force", lock_id)
        assert alive.code == 1 and "still running" in alive.output, alive
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
    assert stored(workdir) == raw

    wrong = run(workdir, "force-unlock", "-force", "not-the-id")
    assert wrong.code == 1 and "does not match" in wrong.output, wrong
    cancelled = run(workdir, "force-unlock", lock_id, input="no\n")
    assert cancelled.code == 1, cancelled
    assert "Do you really want to force-unlock?" in cancelled.stdout
    assert "force-unlock cancelled." in cancelled.output
    unlocked = run(workdir, "force-unlock", lock_id, input="yes\n")
    assert unlocked.code == 0, unlocked
    assert "vpnform state has been successfully unlocked!" in unlocked.stdout
    again = run(workdir, "force-unlock", "-force", lock_id)
    assert again.code == 1 and "not locked" in again.output, again

    res = run(workdir, "state", "rm", "tencentcloud_vpn_connection.tom")
    assert res.code == 0, res
    if not (workdir / "backend.tf").exists():
        assert not (workdir / ".terraform.tfstate.lock.info").exists()


def test_pull_decrypts_and_push_stores_encrypted_on_pg(quickstart, pg_server, tmp_path):
    """With state encryption on, state pull prints the plain v4 state (with the passphrase
    only) and state push stores it encrypted again: no secret reaches the database."""
    from test_e2e_encryption import ENCRYPTION_TF, ENV, PASS
    conn_str = pg_server.new_database()
    write_config(quickstart, f'terraform {{\n  backend "pg" {{\n    conn_str = "{conn_str}"'
                 "\n  }\n}\n", "backend.tf")
    write_config(quickstart, ENCRYPTION_TF, "encryption.tf")
    assert run(quickstart, "init", env=ENV).code == 0
    assert run(quickstart, "apply", "-auto-approve", env=ENV).code == 0
    pulled = run(quickstart, "state", "pull", env=ENV)
    assert pulled.code == 0, pulled
    doc = json.loads(pulled.stdout)
    assert PSK in pulled.stdout and doc["version"] == 4
    assert PSK not in stored(quickstart) and '"encryption_version":"v0"' in stored(quickstart)
    wrong = run(quickstart, "state", "pull", env={"TF_VAR_passphrase": "x" * 24})
    assert wrong.code == 1 and PSK not in wrong.output, wrong

    doc["serial"] += 1
    del doc["outputs"]["vpn_gateway_public_ip"]
    pushed = run(quickstart, "state", "push", write_state(tmp_path / "p.tfstate", doc), env=ENV)
    assert pushed.code == 0, pushed
    row = stored(quickstart)
    assert PSK not in row and PASS not in row and '"encryption_version":"v0"' in row
    after = json.loads(run(quickstart, "state", "pull", env=ENV).stdout)
    assert "vpn_gateway_public_ip" not in after["outputs"]
    assert after["serial"] == doc["serial"]


def test_a_failed_write_leaves_the_old_state_and_no_lock(quickstart, pg_server):
    """The database refuses the update (a trigger stands in for a full disk): state rm
    and state mv fail, the stored row is the old one, and the lock is released."""
    conn_str = pg_server.new_database()
    write_config(quickstart, f'terraform {{\n  backend "pg" {{\n    conn_str = "{conn_str}"'
                 "\n  }\n}\n", "backend.tf")
    assert run(quickstart, "init").code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0
    raw = stored(quickstart)
    with psycopg.connect(conn_str, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on "
                     "device'; END $$")
        conn.execute("CREATE TRIGGER refuse BEFORE UPDATE ON terraform_remote_state.states "
                     "FOR EACH ROW EXECUTE FUNCTION refuse()")
    for argv in (["rm", "tencentcloud_vpn_connection.tom"],
                 ["mv", "tencentcloud_vpc.tom", "tencentcloud_vpc.main"]):
        res = run(quickstart, "state", *argv)
        assert res.code == 1, res
        diag = errors(res.output)[0]
        assert diag.summary == "Failed to write state", res
        assert "No space left on device" in diag.detail and "previous state is intact" in \
            diag.detail
        assert PSK not in res.output
        assert stored(quickstart) == raw
    with psycopg.connect(conn_str, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse ON terraform_remote_state.states")
    res = run(quickstart, "state", "rm", "tencentcloud_vpn_connection.tom")  # not locked
    assert res.code == 0, res
