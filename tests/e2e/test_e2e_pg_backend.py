"""The backend block end to end: the quick start on a real PostgreSQL (pg backend), a
named local state file, unsupported types and non-literal arguments refused at init, the
lock holder named, and Terraform itself reading vpnform's pg state."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time

import psycopg
import pytest
from cli import REPO, errors, plan_summary, run, write_config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "state"))
from pg_server import start_server  # noqa: E402


@pytest.fixture(scope="session")
def pg_server():
    yield from start_server()


@pytest.fixture
def pg_conn_str(pg_server):
    return pg_server.new_database()


def pg_backend_block(conn_str: str, extra: str = "") -> str:
    return f'terraform {{\n  backend "pg" {{\n    conn_str = "{conn_str}"\n{extra}  }}\n}}\n'


def state_rows(conn_str: str, schema: str = "terraform_remote_state") -> dict:
    with psycopg.connect(conn_str) as conn:
        return dict(conn.execute(f'SELECT name, data FROM "{schema}".states').fetchall())


def test_quickstart_on_pg_state(quickstart, pg_conn_str):
    write_config(quickstart, pg_backend_block(pg_conn_str), "backend.tf")
    init = run(quickstart, "init")
    assert init.code == 0, init
    assert 'Successfully configured the backend "pg"!' in init.stdout
    record = quickstart / ".vpnform" / "backend.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert json.loads(record.read_text())["type"] == "pg"
    assert pg_conn_str not in record.read_text()  # a conn_str may hold a password

    apply = run(quickstart, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in apply.stdout
    assert not (quickstart / "terraform.tfstate").exists()
    rows = state_rows(pg_conn_str)
    assert list(rows) == ["default"]
    stored = json.loads(rows["default"])
    assert len([r for r in stored["resources"] if r["mode"] == "managed"]) == 7
    assert stored["serial"] >= 1

    again = run(quickstart, "plan", "-detailed-exitcode")
    assert again.code == 0, again
    assert "No changes." in again.stdout
    listed = run(quickstart, "state", "list")
    assert listed.code == 0 and "tencentcloud_vpc.tom" in listed.stdout.split(), listed
    assert not (quickstart / "terraform.tfstate").exists()


def test_pg_conn_str_from_environment_and_schema_name(quickstart, pg_conn_str):
    write_config(quickstart, 'terraform {\n  backend "pg" {\n    schema_name = "team_a"\n'
                 "  }\n}\n", "backend.tf")
    init = run(quickstart, "init", env={"PG_CONN_STR": pg_conn_str})
    assert init.code == 0, init
    apply = run(quickstart, "apply", "-auto-approve", env={"PG_CONN_STR": pg_conn_str})
    assert apply.code == 0, apply
    assert list(state_rows(pg_conn_str, "team_a")) == ["default"]
    missing = run(quickstart, "plan", env={"PG_CONN_STR": None})
    assert missing.code == 1
    assert "conn_str" in errors(missing.output)[0].detail


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from engine.state.backends.pg import PgBackend, PgSettings
    from engine.state.backends.base import LockInfo
    b = PgBackend(PgSettings({conn!r}))
    lock_id = b.lock(LockInfo(operation="OperationTypeApply", who="alice@runner-3"))
    print(lock_id, flush=True)
    time.sleep({hold})
    b.unlock(lock_id)
""")


@contextlib.contextmanager
def lock_holder(conn_str: str, hold: float = 60.0):
    """Another process holding the pg lock for ``hold`` seconds; yields its lock ID."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER.format(repo=str(REPO), conn=conn_str,
                                                                 hold=hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock_id = proc.stdout.readline().strip()
        assert lock_id, proc.stderr.read()
        yield lock_id
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=20)


def test_a_held_lock_names_its_holder_and_lock_timeout_waits(quickstart, pg_conn_str):
    write_config(quickstart, pg_backend_block(pg_conn_str), "backend.tf")
    assert run(quickstart, "init").code == 0
    with lock_holder(pg_conn_str) as lock_id:
        res = run(quickstart, "plan")
        assert res.code == 1, res
        assert "Error acquiring the state lock" in res.output
        assert "alice@runner-3" in res.output and lock_id in res.output
        assert "OperationTypeApply" in res.output
    with lock_holder(pg_conn_str, hold=2.0):
        start = time.monotonic()
        waited = run(quickstart, "plan", "-lock-timeout=30s")
        assert waited.code == 0, waited
        assert time.monotonic() - start > 1.0
        assert plan_summary(waited.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."


def test_unreachable_database_fails_init_without_showing_the_password(quickstart, pg_server):
    conn_str = f"postgres://u:s3cr3t-pw@127.0.0.1:{pg_server.port + 1}/db?sslmode=disable"
    write_config(quickstart, pg_backend_block(conn_str), "backend.tf")
    init = run(quickstart, "init")
    assert init.code == 1, init
    (err,) = errors(init.output)
    assert err.summary == "Failed to configure the backend"
    assert "s3cr3t-pw" not in init.output
    assert "successfully initialized" not in init.output


def test_unsupported_backend_type_is_an_error_at_init(quickstart):
    write_config(quickstart, 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n',
                 "backend.tf")
    init = run(quickstart, "init")
    assert init.code == 1, init
    (err,) = errors(init.output)
    assert err.summary == "Unsupported backend type"
    assert '"s3"' in err.detail and '"local", "pg"' in err.detail
    assert "successfully initialized" not in init.output
    plan = run(quickstart, "plan")
    assert plan.code == 1 and errors(plan.output)[0].summary == "Unsupported backend type"
    assert not (quickstart / "terraform.tfstate").exists()


def test_backend_arguments_must_be_literal(quickstart):
    write_config(quickstart, 'variable "p" {\n  default = "x"\n}\nterraform {\n  backend "local" '
                 '{\n    path = "${var.p}.tfstate"\n  }\n}\n', "backend.tf")
    init = run(quickstart, "init")
    assert init.code == 1, init
    (err,) = errors(init.output)
    assert err.summary == "Variables not allowed" and err.line == 6


def test_local_backend_path(quickstart):
    write_config(quickstart, 'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n',
                 "backend.tf")
    init = run(quickstart, "init")
    assert init.code == 0 and 'Successfully configured the backend "local"!' in init.stdout
    apply = run(quickstart, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert not (quickstart / "terraform.tfstate").exists()
    assert json.loads((quickstart / "x.tfstate").read_text())["serial"] >= 1
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0


def _terraform_env(tmp_path) -> dict:
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PG_"))}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), CHECKPOINT_DISABLE="1",
               TF_IN_AUTOMATION="1", TF_DATA_DIR=str(tmp_path / "tfdata"))
    return env


def test_terraform_and_vpnform_share_one_pg_state(quickstart, pg_conn_str, tmp_path):
    """Terraform's own pg backend pulls the state vpnform wrote (same layout, same row),
    and vpnform reads the state Terraform writes."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    # Terraform initialises first, on the empty database: with a state in place its init
    # would want the state's providers from the registry, which is not reachable here.
    tf_dir = tmp_path / "tf"
    tf_dir.mkdir()
    (tf_dir / "main.tf").write_text(pg_backend_block(pg_conn_str))
    env = _terraform_env(tmp_path)
    try:
        init = subprocess.run([terraform, "init", "-input=false", "-no-color"], cwd=tf_dir,
                              env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("terraform init did not finish in 120 s")
    if init.returncode != 0:
        pytest.skip(f"terraform's pg backend is unusable here: {init.stderr[-500:]}")
    write_config(quickstart, pg_backend_block(pg_conn_str), "backend.tf")
    assert run(quickstart, "init").code == 0
    apply = run(quickstart, "apply", "-auto-approve")
    assert apply.code == 0, apply
    pull = subprocess.run([terraform, "state", "pull"], cwd=tf_dir, env=env,
                          capture_output=True, text=True, timeout=120)
    assert pull.returncode == 0, pull.stderr
    pulled = json.loads(pull.stdout)
    ours = json.loads(state_rows(pg_conn_str)["default"])
    assert (pulled["lineage"], pulled["serial"]) == (ours["lineage"], ours["serial"])
    assert sorted(f'{r["type"]}.{r["name"]}' for r in pulled["resources"]
                  if r["mode"] == "managed") == sorted(
        f'{r["type"]}.{r["name"]}' for r in ours["resources"] if r["mode"] == "managed")
    listed = subprocess.run([terraform, "state", "list"], cwd=tf_dir, env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "tencentcloud_vpc.tom" in listed.stdout.split()
    # One lock for both tools: Terraform cannot write while vpnform holds it.
    (tmp_path / "pulled.tfstate").write_text(pull.stdout)
    with lock_holder(pg_conn_str):
        push = subprocess.run([terraform, "state", "push", "-no-color",
                               str(tmp_path / "pulled.tfstate")], cwd=tf_dir, env=env,
                              capture_output=True, text=True, timeout=120)
        assert push.returncode != 0
        assert "Error acquiring the state lock" in push.stderr, push.stderr
    # Terraform writes (a newer serial, with an output of its own); vpnform reads it
    written = dict(pulled, serial=pulled["serial"] + 1,
                   outputs={**pulled["outputs"],
                            "written_by_terraform": {"value": "hello", "type": "string"}})
    (tmp_path / "written.tfstate").write_text(json.dumps(written))
    push = subprocess.run([terraform, "state", "push", "-no-color",
                           str(tmp_path / "written.tfstate")], cwd=tf_dir, env=env,
                          capture_output=True, text=True, timeout=120)
    assert push.returncode == 0, push.stderr
    out = run(quickstart, "output", "-raw", "written_by_terraform")
    assert (out.code, out.stdout) == (0, "hello"), out
    assert json.loads(state_rows(pg_conn_str)["default"])["serial"] > pulled["serial"]
    listed = run(quickstart, "state", "list")
    assert "tencentcloud_vpc.tom" in listed.stdout.split(), listed


def test_unreadable_configuration_never_falls_back_to_local_state(quickstart, pg_conn_str):
    write_config(quickstart, pg_backend_block(pg_conn_str), "backend.tf")
    assert run(quickstart, "init").code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0
    with open(quickstart / "backend.tf", "a") as f:
        f.write('resource "x" {\n')  # the file holding the backend block no longer parses
    listed = run(quickstart, "state", "list")
    assert listed.code == 1, listed
    assert 'configured the "pg" backend' in listed.output
    assert not (quickstart / "terraform.tfstate").exists()


def test_encrypted_state_on_pg_leaves_no_secret_in_the_database(quickstart, pg_conn_str):
    """With state encryption on, the pg row and its journal rows are envelopes: the tunnel's
    pre-shared key is nowhere in the database, and the state reads back with the
    passphrase only."""
    from test_e2e_encryption import ENCRYPTION_TF, ENV, PASS, PSK
    write_config(quickstart, pg_backend_block(pg_conn_str), "backend.tf")
    write_config(quickstart, ENCRYPTION_TF, "encryption.tf")
    assert run(quickstart, "init", env=ENV).code == 0
    apply = run(quickstart, "apply", "-auto-approve", env=ENV)
    assert apply.code == 0, apply
    with psycopg.connect(pg_conn_str) as conn:
        dump = "\n".join(str(row) for table in ("states", "journal", "locks")
                         for row in conn.execute(
                             f'SELECT * FROM "terraform_remote_state".{table}').fetchall())
    assert '"encryption_version":"v0"' in state_rows(pg_conn_str)["default"]
    assert PSK not in dump and PASS not in dump
    assert run(quickstart, "state", "list", env=ENV).code == 0
    wrong = run(quickstart, "state", "list", env={"TF_VAR_passphrase": "x" * 24})
    assert wrong.code != 0 and PSK not in wrong.output, wrong
