"""The emulated cloud's store under concurrent use: reads never wait for a writer, writes
stay whole, armed faults still fire on reads, the call log keeps every call in order, and
close() closes every connection."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from tc_support import REGION, Api

from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore


def test_reads_go_on_while_another_process_holds_the_write_lock(tmp_path):
    mine = SqliteStore.for_workdir(tmp_path, busy_timeout=5.0)
    mine.LOG_BATCH = 1  # every read tries to write the call log out at once
    other = SqliteStore.for_workdir(tmp_path)  # another process's connection to the file
    svc = EmulatedVpcService(mine)
    api = Api(svc)
    vpc = api.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]
    holding, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        with other.transaction() as tx:
            tx.put("vpc", vpc["VpcId"], {**tx.get("vpc", vpc["VpcId"]), "VpcName": "uncommitted"})
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=hold_write_lock)
    writer.start()
    try:
        assert holding.wait(10)
        start = time.monotonic()
        for _ in range(20):
            [got] = api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["VpcSet"]
            assert got["VpcName"] == "v"  # the last committed state, never a half-done write
        assert time.monotonic() - start < 2.0
    finally:
        release.set()
        writer.join(10)
    assert api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["VpcSet"][0]["VpcName"] == "uncommitted"
    assert len(svc.calls("DescribeVpcs")) == 20 + 1  # logged once the lock was free
    other.close()
    mine.close()


def test_a_snapshot_cannot_write(store):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        with store.snapshot() as tx:
            tx.insert("vpc", "vpc-00000000", REGION, {})
    with store.snapshot() as tx:
        assert tx.get("vpc", "vpc-00000000") is None


def test_a_fault_armed_on_a_read_fires_once(svc):
    api = Api(svc)
    api.ok("DescribeVpcs")
    svc.inject_fault("DescribeVpcs", "RequestLimitExceeded", count=1)
    assert api.err("DescribeVpcs") == "RequestLimitExceeded"
    api.ok("DescribeVpcs")
    assert svc.pending_faults() == []
    assert [c["error_code"] for c in svc.calls("DescribeVpcs")] == [
        None, "RequestLimitExceeded", None]


def test_the_call_log_holds_every_call_in_order(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    svc = EmulatedVpcService(store)
    api = Api(svc)
    vpc = api.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    api.ok("DescribeVpcs", VpcIds=[vpc])
    api.ok("ModifyVpcAttribute", VpcId=vpc, VpcName="w")
    api.ok("DescribeSubnets")
    assert [c["action"] for c in svc.calls()] == [
        "CreateVpc", "DescribeVpcs", "ModifyVpcAttribute", "DescribeSubnets"]

    def reads(n: int) -> None:
        for _ in range(n):
            api.ok("DescribeVpcs", VpcIds=[vpc])

    threads = [threading.Thread(target=reads, args=(50,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(svc.calls("DescribeVpcs")) == 1 + 200
    # another process reading the file after close() sees every call
    api.ok("DescribeVpcs", VpcIds=[vpc])
    store.close()
    with sqlite3.connect(tmp_path / ".vpnform" / "cloud.db") as db:
        assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 4 + 200 + 1


def _open_files(path) -> int:
    fds = f"/proc/{os.getpid()}/fd"
    return sum(1 for fd in os.listdir(fds)
               if os.path.realpath(os.path.join(fds, fd)) == os.path.realpath(path))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_close_closes_the_connections_of_every_thread(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    svc = EmulatedVpcService(store)
    barrier = threading.Barrier(4)

    def work() -> None:
        with store.snapshot():
            barrier.wait(10)  # four connections open at once
        svc.call("DescribeVpcs", {}, REGION)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db = tmp_path / ".vpnform" / "cloud.db"
    assert _open_files(db) >= 4
    store.close()
    assert _open_files(db) == 0
    with pytest.raises(sqlite3.ProgrammingError):
        svc.call("DescribeVpcs", {}, REGION)
