"""Acceptance for teams (issue #11 §3): pipelines in separate clones on ONE PostgreSQL state
that the tests start themselves, and the served emulator as the shared cloud.

- 8 concurrent applies: one lock holder at a time (sampled from pg_locks and vpnform's
  lock-info table in a side thread), every waiter with -lock-timeout proceeds in turn, the
  serial rises by exactly one per apply and no update is lost;
- ``kill -9`` of the lock holder frees the lock: the next run takes it without
  force-unlock and converges;
- an encrypted state leaves no secret in any database row, is unreadable without the
  passphrase, readable after rotation with ``fallback``, then rewritten under the new key.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from cli import copy_config, finish, run, start, write_config

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "state"))
sys.path.insert(0, str(HERE.parent / "providers" / "tencentcloud"))
from pg_server import start_server  # noqa: E402
from serve_support import Served  # noqa: E402

PIPELINES = 8
STAGGER = 0.05  # seconds between two pipelines' starts (applies take well under a second now)
SCHEMA = "terraform_remote_state"

PROVIDER_TF = """
terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
  backend "pg" {}
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "shared" {
  name       = "team-shared"
  cidr_block = "172.16.0.0/16"
}
"""

PIPELINE_TF = """
resource "tencentcloud_vpc" "p{i}" {{
  name       = "pipeline-{i}"
  cidr_block = "10.{i}.0.0/16"
}}
"""


@pytest.fixture(scope="module")
def pg_server():
    yield from start_server()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    """One served emulator for every pipeline: the environment that points vpnform at it."""
    served = Served(tmp_path_factory.mktemp("cloud") / "data")
    try:
        sid, skey = served.keys()
        yield {"TENCENTCLOUD_ENDPOINT": served.url, "TENCENTCLOUD_SECRET_ID": sid,
               "TENCENTCLOUD_SECRET_KEY": skey}
    finally:
        served.stop()


def _rows(conn_str: str) -> dict[str, dict]:
    with psycopg.connect(conn_str) as conn:
        return {name: json.loads(data) for name, data in
                conn.execute(f'SELECT name, data FROM "{SCHEMA}".states').fetchall()}


def _vpcs(state: dict) -> set[str]:
    return {r["name"] for r in state["resources"]
            if r["mode"] == "managed" and r["type"] == "tencentcloud_vpc"}


class LockSampler(threading.Thread):
    """Samples, until stopped: how many PostgreSQL sessions hold the advisory lock on the
    state's row, which lock ID vpnform's lock-info record names, and how many pipeline
    processes are running."""

    def __init__(self, conn_str: str, period: float = 0.02):
        super().__init__(daemon=True)
        self.conn_str, self.period = conn_str, period
        with psycopg.connect(conn_str) as conn:
            self.key = conn.execute(f'SELECT id FROM "{SCHEMA}".states WHERE name = %s',
                                    ("default",)).fetchone()[0]
        # (sessions holding the state's lock, the lock ID vpnform's record names,
        #  pipeline processes running)
        self.samples: list[tuple[int, str | None, int]] = []
        self.procs: list = []  # the pipelines' processes, appended as they start
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.conn_str, autocommit=True) as conn:
                while not self.halt.is_set() and len(self.samples) < 100_000:
                    # the lock on the state's row (Terraform's key: states.id); a waiter
                    # may hold the creation lock (-1) for an instant, which is no turn
                    holders = conn.execute(
                        "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND granted AND objsubid = 1 AND database = (SELECT oid FROM "
                        "pg_database WHERE datname = current_database()) AND "
                        "(classid::bigint << 32 | objid::bigint) = %s", (self.key,)
                    ).fetchone()[0]
                    row = conn.execute(f'SELECT info FROM "{SCHEMA}".locks').fetchone()
                    running = sum(p.poll() is None for p in list(self.procs))
                    self.samples.append((holders, json.loads(row[0])["ID"] if row else None,
                                         running))
                    time.sleep(self.period)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)


def test_eight_concurrent_pipelines_share_one_pg_state(tmp_path, pg_server, cloud):
    conn_str = pg_server.new_database()
    env = {**cloud, "PG_CONN_STR": conn_str}
    base = tmp_path / "repo"
    write_config(base, PROVIDER_TF, "main.tf")
    assert run(base, "init", env=env).code == 0
    first = run(base, "apply", "-auto-approve", env=env)
    assert first.code == 0, first
    serial0 = _rows(conn_str)["default"]["serial"]

    clones = []
    for i in range(PIPELINES):  # each pipeline: a clone of the repository plus its change
        clone = copy_config(base, tmp_path / f"pipeline-{i}")
        write_config(clone, PIPELINE_TF.format(i=i), f"p{i}.tf")
        clones.append(clone)
    for res in [finish(start(c, "init", env=env)) for c in clones]:
        assert res.code == 0, res
    t0 = time.monotonic()

    sampler = LockSampler(conn_str)
    sampler.start()
    try:
        for i, c in enumerate(clones):
            # merges land a moment apart, as in a team; short enough that the applies run
            # together (lock waits are jittered, so the waiters do not retry in step)
            time.sleep(STAGGER if i else 0)
            sampler.procs.append(start(c, "apply", "-auto-approve", "-lock-timeout=120s",
                                       f"-target=tencentcloud_vpc.p{i}", env=env))
        results = [finish(p, timeout=150) for p in sampler.procs]
    finally:
        sampler.stop()
    held = sum(1 for h, _, _ in sampler.samples if h) / max(1, len(sampler.samples))
    print(f"8 concurrent applies: {time.monotonic() - t0:.1f}s, lock held {held:.0%} of it")
    assert sampler.error is None, sampler.error
    for res in results:
        assert res.code == 0, res
        assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in res.stdout, res
    assert not any("Error acquiring the state lock" in r.output for r in results)
    assert max(h for h, _, _ in sampler.samples) == 1, "two sessions held the lock at once"
    # each apply held the lock once, in its turn: 8 lock IDs, each seen in one stretch
    turns = [lock_id for h, lock_id, _ in sampler.samples if h == 1 and lock_id]
    stretches = [x for k, x in enumerate(turns) if k == 0 or turns[k - 1] != x]
    assert len(stretches) == len(set(stretches)) == PIPELINES, stretches
    # and they ran at once: while one held the lock, others were running (waiting on it)
    assert max(n for h, _, n in sampler.samples if h == 1) >= 3, "the runs never overlapped"

    final = _rows(conn_str)["default"]
    assert final["serial"] == serial0 + PIPELINES
    assert _vpcs(final) == {"shared", *(f"p{i}" for i in range(PIPELINES))}
    # the repository itself, merged with every change, has nothing left to do
    for i in range(PIPELINES):
        write_config(base, PIPELINE_TF.format(i=i), f"p{i}.tf")
    again = run(base, "plan", "-detailed-exitcode", env=env)
    assert again.code == 0 and "No changes." in again.stdout, again


def _wait_for_lock_info(conn_str: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(conn_str) as conn:
                row = conn.execute(f'SELECT info FROM "{SCHEMA}".locks').fetchone()
            if row:
                return json.loads(row[0])
        except psycopg.errors.UndefinedTable:
            pass
        time.sleep(0.05)
    raise AssertionError(f"no lock holder appeared in {timeout}s")


def _wait_for_no_advisory_lock(conn_str: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(conn_str, autocommit=True) as conn:
        while time.monotonic() < deadline:
            held = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                "AND granted").fetchone()[0]
            if not held:
                return
            time.sleep(0.05)
    raise AssertionError(f"the killed holder's lock was still held after {timeout}s")


def test_kill_9_of_the_lock_holder_frees_the_lock(quickstart, pg_server):
    conn_str = pg_server.new_database()
    env = {"PG_CONN_STR": conn_str}
    write_config(quickstart, 'terraform {\n  backend "pg" {}\n}\n', "backend.tf")
    assert run(quickstart, "init", env=env).code == 0
    # the emulator's provisioning delays at full scale: the apply holds the lock a while
    holder = start(quickstart, "apply", "-auto-approve", env=env, fast=False)
    try:
        info = _wait_for_lock_info(conn_str)
        assert info["Operation"] == "OperationTypeApply", info
        time.sleep(0.5)
        assert holder.poll() is None, "the apply finished before it could be killed"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=20)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate(timeout=20)
    assert holder.returncode == -signal.SIGKILL
    # PostgreSQL ends the killed process's session, and its advisory locks with it
    _wait_for_no_advisory_lock(conn_str)

    after = run(quickstart, "apply", "-auto-approve", env=env)  # no -lock-timeout: no wait
    assert after.code == 0, after
    assert "force-unlock" not in after.output
    again = run(quickstart, "plan", "-detailed-exitcode", env=env)
    assert again.code == 0 and "No changes." in again.stdout, again


PSK = "TomVPN-demo-key-2019"  # the quickstart's pre-shared key (a sensitive default)
OLD_PASS = "team-passphrase-2026-spring"
NEW_PASS = "team-passphrase-2026-autumn"
OLD_KEY, NEW_KEY = ("spring", OLD_PASS), ("autumn", NEW_PASS)


def _encryption(primary: tuple[str, str], fallback: tuple[str, str] | None = None) -> str:
    """TF_ENCRYPTION for pbkdf2 passphrases given as (key provider name, passphrase). As in
    OpenTofu, a key provider keeps its name across a rotation: the ciphertext's metadata is
    keyed by it."""
    def method(name: str, passphrase: str) -> str:
        return (f'key_provider "pbkdf2" "{name}" {{\n passphrase = "{passphrase}"\n'
                f' iterations = 200000\n}}\nmethod "aes_gcm" "{name}" {{\n'
                f' keys = key_provider.pbkdf2.{name}\n}}\n')
    text = method(*primary) + f"state {{\n method = method.aes_gcm.{primary[0]}\n"
    if fallback:
        text = method(*fallback) + text + (f" fallback {{\n method = method.aes_gcm."
                                           f"{fallback[0]}\n }}\n")
    return text + "}\n"


def _all_rows_text(conn_str: str) -> str:
    """Every row of every table in the state's schema, as text."""
    out = []
    with psycopg.connect(conn_str) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s", (SCHEMA,))]
        for t in tables:
            for row in conn.execute(f'SELECT * FROM "{SCHEMA}"."{t}"'):
                out.append(repr(row))
    return "\n".join(out)


def test_encrypted_pg_state_keeps_secrets_out_and_rotates(quickstart, pg_server):
    conn_str = pg_server.new_database()
    write_config(quickstart, 'terraform {\n  backend "pg" {}\n}\n', "backend.tf")
    old = {"PG_CONN_STR": conn_str, "TF_ENCRYPTION": _encryption(OLD_KEY)}
    assert run(quickstart, "init", env=old).code == 0
    res = run(quickstart, "apply", "-auto-approve", env=old)
    assert res.code == 0, res

    raw = _all_rows_text(conn_str)
    assert "tencentcloud_vpn_connection" not in raw  # the whole state is ciphertext
    for secret in (PSK, OLD_PASS):
        assert secret not in raw
    assert json.loads(_rows_raw(conn_str))["encryption_version"] == "v0"

    bare = run(quickstart, "plan", env={"PG_CONN_STR": conn_str})
    assert bare.code == 1 and "is encrypted" in bare.stderr, bare
    wrong = run(quickstart, "plan", env={"PG_CONN_STR": conn_str,
                                         "TF_ENCRYPTION": _encryption(NEW_KEY)})
    assert wrong.code == 1 and "passphrase is wrong" in wrong.stderr, wrong

    rotated = {"PG_CONN_STR": conn_str, "TF_ENCRYPTION": _encryption(NEW_KEY, OLD_KEY)}
    res = run(quickstart, "plan", "-detailed-exitcode", env=rotated)
    assert res.code == 0 and "No changes." in res.stdout, res
    before = _rows_raw(conn_str)
    res = run(quickstart, "apply", "-auto-approve", "-var", "bandwidth=10", env=rotated)
    assert res.code == 0, res
    assert _rows_raw(conn_str) != before
    # rewritten under the new key: the new passphrase alone reads it, the old one no more
    new = {"PG_CONN_STR": conn_str, "TF_ENCRYPTION": _encryption(NEW_KEY)}
    res = run(quickstart, "plan", "-detailed-exitcode", "-var", "bandwidth=10", env=new)
    assert res.code == 0 and "No changes." in res.stdout, res
    res = run(quickstart, "plan", env=old)
    assert res.code == 1 and "passphrase is wrong" in res.stderr, res
    raw = _all_rows_text(conn_str)
    for secret in (PSK, OLD_PASS, NEW_PASS):
        assert secret not in raw


def _rows_raw(conn_str: str) -> str:
    with psycopg.connect(conn_str) as conn:
        return conn.execute(f'SELECT data FROM "{SCHEMA}".states WHERE name = %s',
                            ("default",)).fetchone()[0]
