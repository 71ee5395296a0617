"""Files and directories only their owner can open: every file vpnform writes is 0600 and
every directory it creates 0700, whatever the umask. The engine and the providers alike
create files only through here.

The working directory's ``.vpnform/`` (and everything below it) is vpnform's own: found
looser than 0700, as older versions left it, it is tightened whenever vpnform creates
something in it. A user's own files and directories are never chmod-ed: ``fmt`` rewrites
a file in place and it keeps its mode, as with ``terraform fmt``.
"""

from __future__ import annotations

import os
import uuid

FILE_MODE = 0o600
DIR_MODE = 0o700
WORK_DIR_NAME = ".vpnform"


def private_dirs(path: str | os.PathLike) -> str:
    """``path`` as a directory: each missing component made 0700; the components at and
    below ``.vpnform`` that exist already are tightened to 0700."""
    path = os.path.abspath(os.fspath(path))
    missing = []
    probe = path
    while not os.path.isdir(probe):
        missing.append(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    owned = False
    for part in _components(probe):
        owned = owned or os.path.basename(part) == WORK_DIR_NAME
        if owned:
            _tighten(part, DIR_MODE)
    for part in reversed(missing):
        try:
            os.mkdir(part, DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            if not os.path.isdir(part):
                raise
        os.chmod(part, DIR_MODE)  # mkdir's mode is reduced by the umask, never widened
    return path


def _components(path: str) -> list[str]:
    out = []
    while True:
        out.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            return list(reversed(out))
        path = parent


def _tighten(path: str, mode: int) -> None:
    try:
        if os.stat(path).st_mode & 0o777 & ~mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


def open_private(path: str | os.PathLike, flags: int) -> int:
    """``os.open`` of a file that is, or becomes, mode 0600 exactly."""
    fd = os.open(path, flags | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: str | os.PathLike, data: bytes | str, *,
                  exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` (0600), replacing what it held; ``exclusive``: refuse an
    existing file (FileExistsError)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC))
    try:
        write_all(fd, raw)
    finally:
        os.close(fd)


def private_file(path: str | os.PathLike, *, create: bool = True) -> None:
    """Make ``path`` a 0600 file for a writer that creates files itself (SQLite): created
    empty when missing and ``create``; an existing one is tightened."""
    if create:
        os.close(open_private(path, os.O_RDWR | os.O_CREAT))
    else:
        _tighten(os.fspath(path), FILE_MODE)


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` (0600): temp file in the same directory, fsync, rename,
    fsync the directory. On any failure the old file is untouched and the temp file removed."""
    directory = os.path.dirname(path) or "."
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}-"
                                  f"{uuid.uuid4().hex[:8]}")
    fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(directory)


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
