"""The emulated cloud's database is private whatever the umask (issue #9)."""

from __future__ import annotations

import os
import stat

import pytest

from providers.tencentcloud.emulator import SqliteStore


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_emulated_cloud_database_and_its_side_files_are_private(tmp_path, open_umask):
    """cloud.db holds every tunnel's pre-shared key; SQLite's -wal and -shm files hold
    pages of it while it is open."""
    store = SqliteStore.for_workdir(tmp_path)
    try:
        with store.transaction() as tx:
            tx.insert("vpn_connection", "vpnx-1", "ap-guangzhou", {"PreShareKey": "k" * 16})
        made = {name: _mode(tmp_path / ".vpnform" / name)
                for name in os.listdir(tmp_path / ".vpnform")}
    finally:
        store.close()
    assert {"cloud.db", "cloud.db-wal", "cloud.db-shm"} <= set(made), made
    assert set(made.values()) == {0o600}, made
    assert _mode(tmp_path / ".vpnform") == 0o700
