"""The emulated cloud's store schema: a store an earlier vpnform made is brought up to date
with its objects kept, and each JSON field's index holds only the objects that have it."""

from __future__ import annotations

import sqlite3

from tc_support import Api

from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
from providers.tencentcloud.emulator.store import FORMER_INDEXES, PAGE_SIZE, store_path


def _indexes(path) -> dict[str, int]:
    """Index name -> its entries (a partial index has fewer than the table's rows)."""
    c = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='objects' "
            "AND name NOT LIKE 'sqlite_%'")]
        return {n: c.execute(f"SELECT COUNT(*) FROM objects INDEXED BY {n} "
                             f"WHERE {_where(c, n)}").fetchone()[0] for n in names}
    finally:
        c.close()


def _where(c: sqlite3.Connection, name: str) -> str:
    sql = c.execute("SELECT sql FROM sqlite_master WHERE name=?", (name,)).fetchone()[0]
    return sql.split(" WHERE ", 1)[1] if " WHERE " in sql else "1"


def _two_tunnels(api: Api) -> str:
    vpc = api.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = api.ok("CreateVpnGateway", VpcId=vpc, VpnGatewayName="g", InternetMaxBandwidthOut=5,
                Zone="ap-guangzhou-3")["VpnGateway"]["VpnGatewayId"]
    for i in range(2):
        cgw = api.ok("CreateCustomerGateway", CustomerGatewayName=f"c{i}",
                     IpAddress=f"203.0.113.{i + 1}")["CustomerGateway"]["CustomerGatewayId"]
        api.ok("CreateVpnConnection", VpcId=vpc, VpnGatewayId=gw, CustomerGatewayId=cgw,
               VpnConnectionName=f"t{i}", PreShareKey="not-a-real-key-1",
               SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.0.0/16",
                                         "RemoteCidrBlock": [f"192.168.{i}.0/24"]}])
    return gw


def test_a_field_index_holds_only_the_objects_that_have_the_field(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    gw = _two_tunnels(Api(EmulatedVpcService(store)))
    store.close()
    counts = _indexes(store_path(tmp_path))
    assert counts["objects_by_id"] > 2  # every object (the default network's too)
    # the two customer gateways and the two tunnels: not the VPC, subnets, gateway...
    assert counts["objects_by_cgw_set"] == 4
    assert not set(FORMER_INDEXES) & set(counts)
    store = SqliteStore.for_workdir(tmp_path)
    with store.snapshot() as tx:
        assert len(tx.list_by("vpnx", "VpnGatewayId", gw)) == 2
    store.close()


def test_a_store_made_by_an_earlier_vpnform_gets_the_new_indexes_and_keeps_its_objects(
        tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    gw = _two_tunnels(Api(EmulatedVpcService(store)))
    store.close()
    c = sqlite3.connect(str(store_path(tmp_path)))  # as an earlier vpnform left it
    for name in [n for n in _indexes(store_path(tmp_path)) if n.endswith("_set")]:
        c.execute(f"DROP INDEX {name}")
    c.execute("CREATE INDEX objects_by_vpngw ON objects (kind, json_extract(data, "
              "'$.VpnGatewayId'))")
    c.commit()
    c.close()
    store = SqliteStore.for_workdir(tmp_path)
    api = Api(EmulatedVpcService(store))
    conns = api.ok("DescribeVpnConnections", Filters=[
        {"Name": "vpn-gateway-id", "Values": [gw]}])["VpnConnectionSet"]
    assert sorted(x["VpnConnectionName"] for x in conns) == ["t0", "t1"]
    store.close()
    names = set(_indexes(store_path(tmp_path)))
    assert "objects_by_vpngw_set" in names and "objects_by_vpngw" not in names


def _page_size_and_sequence(path) -> tuple[int, list]:
    c = sqlite3.connect(str(path))
    try:
        has_seq = c.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'"
                            ).fetchone()
        seq = c.execute("SELECT name FROM sqlite_sequence").fetchall() if has_seq else []
        return c.execute("PRAGMA page_size").fetchone()[0], [r[0] for r in seq]
    finally:
        c.close()


def test_a_new_store_has_small_pages_and_its_call_log_no_sequence_table_row(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    _two_tunnels(Api(EmulatedVpcService(store)))
    store.close()
    page_size, sequences = _page_size_and_sequence(store_path(tmp_path))
    assert page_size == PAGE_SIZE == 1024
    assert "calls" not in sequences  # a commit writes no sqlite_sequence page for the log
    store = SqliteStore.for_workdir(tmp_path)
    calls = EmulatedVpcService(store).calls("CreateVpnConnection")
    assert [c["params"]["VpnConnectionName"] for c in calls] == ["t0", "t1"]
    store.close()


def test_a_store_made_with_large_pages_keeps_them_and_its_objects(tmp_path):
    path = store_path(tmp_path)
    path.parent.mkdir(mode=0o700)
    c = sqlite3.connect(str(path))  # as an earlier vpnform made it: 4 KiB pages
    c.execute("PRAGMA page_size=4096")
    c.execute("PRAGMA journal_mode=WAL")
    c.close()
    store = SqliteStore.for_workdir(tmp_path)
    gw = _two_tunnels(Api(EmulatedVpcService(store)))
    store.close()
    assert _page_size_and_sequence(path)[0] == 4096
    store = SqliteStore.for_workdir(tmp_path)
    with store.snapshot() as tx:
        assert len(tx.list_by("vpnx", "VpnGatewayId", gw)) == 2
    store.close()
