"""engine/private_files.py: 0600 files and 0700 directories whatever the umask; only
vpnform's own ``.vpnform/`` is ever tightened."""

from __future__ import annotations

import os
import stat

import pytest

from engine.private_files import private_dirs, private_file, write_private


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_directories_are_made_0700_and_only_vpnform_s_own_are_tightened(tmp_path, open_umask):
    work = tmp_path / "work"
    work.mkdir(0o755)
    (work / ".vpnform").mkdir(0o755)  # as an older vpnform left it
    made = private_dirs(work / ".vpnform" / "ast-cache" / "ab")
    assert made == str(work / ".vpnform" / "ast-cache" / "ab")
    assert _mode(work) == 0o755  # the user's working directory is theirs
    for rel in (".vpnform", ".vpnform/ast-cache", ".vpnform/ast-cache/ab"):
        assert _mode(work / rel) == 0o700, rel
    elsewhere = private_dirs(tmp_path / "state" / "dir")
    assert _mode(elsewhere) == 0o700 and _mode(tmp_path / "state") == 0o700
    (tmp_path / "mine").mkdir(0o755)
    private_dirs(tmp_path / "mine")
    assert _mode(tmp_path / "mine") == 0o755  # existing, and not vpnform's: untouched


def test_files_are_0600_new_or_rewritten(tmp_path, open_umask):
    path = tmp_path / "plan.tfplan"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)
    write_private(path, b"new")
    assert (path.read_bytes(), _mode(path)) == (b"new", 0o600)
    write_private(tmp_path / "new.tf", "text")
    assert _mode(tmp_path / "new.tf") == 0o600
    with pytest.raises(FileExistsError):
        write_private(path, b"again", exclusive=True)
    assert path.read_bytes() == b"new"


def test_a_file_another_writer_creates_is_prepared_or_tightened(tmp_path, open_umask):
    db = tmp_path / "cloud.db"
    private_file(db)
    assert db.exists() and _mode(db) == 0o600
    wal = tmp_path / "cloud.db-wal"
    private_file(wal, create=False)
    assert not wal.exists()
    wal.write_bytes(b"x")
    os.chmod(wal, 0o644)
    private_file(wal, create=False)
    assert _mode(wal) == 0o600

