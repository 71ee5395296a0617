"""One measured child process for the bench scripts: wall seconds, CPU seconds (user +
system, from ``os.wait4``), peak RSS and output, killed with its whole process group after
a timeout. Its output goes to a file, never a pipe that could fill."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass


@dataclass
class Measured:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: float  # peak resident set, MiB
    code: int
    output: str


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended meanwhile
        pass


def measure(argv: list[str], cwd: str, env: dict[str, str] | None = None,
            timeout: float = 1800.0) -> Measured:
    """Run ``argv`` in ``cwd`` to its end (or ``timeout`` seconds) and measure it."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.monotonic() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code,
                    output)
