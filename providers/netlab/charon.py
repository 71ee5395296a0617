"""A strongSwan charon running inside a network namespace, driven over its own VICI socket.

Each charon gets its own strongswan.conf (through ``STRONGSWAN_CONF``), its own VICI
socket and log file in its directory, and a private mount namespace with a fresh /run so
several charons never share a pid file. The kernel here has no ESP, so charon uses the
userspace IPsec plugin (kernel-libipsec) over a TUN device and UDP-encapsulated ESP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from typing import Any, Iterator

from engine.private_files import open_private, private_dirs, private_file, write_private
from providers.swankit.vici import StrongSwanError, ViciClient

from .errors import CHARON, NetlabError
from .ns import Namespace

CONF_TEMPLATE = """\
# written by vpnform: one charon of the lab
charon {{
  load_modular = yes
  install_routes = yes
  retransmit_tries = 3
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  # The product offers IKEv1 aggressive mode with PSK; strongSwan refuses it as responder
  # unless told to (aggressive mode sends a hash of the PSK in clear: a lab, not security).
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  plugins {{
    include /etc/strongswan.d/charon/*.conf
    kernel-libipsec {{
      load = yes
    }}
    vici {{
      load = yes
      socket = unix://{vici}
    }}
    stroke {{
      load = no
    }}
  }}
  filelog {{
    main {{
      path = {log}
      time_format = %H:%M:%S
      flush_line = yes
      default = 1
    }}
  }}
  syslog {{
    daemon {{
      default = -1
    }}
  }}
}}
"""


# Handles of charons started by this process. They run on after the Charon object (and
# usually after this process) is gone; holding the Popen avoids "subprocess is still
# running" warnings when it would be garbage-collected.
_DETACHED: list[subprocess.Popen] = []


class Charon:
    def __init__(self, ns: Namespace, directory: str):
        self.ns = ns
        self.dir = directory
        self.conf_path = os.path.join(directory, "strongswan.conf")
        # A unix socket path may be at most 107 bytes, and working directories can be
        # deep: charon binds a short path under SOCKET_DIR, and the lab directory holds
        # a symlink to it (charon.vici) that users and configurations refer to.
        self.link_path = os.path.join(directory, "charon.vici")
        self.vici_path = short_socket_path(directory)
        self.log_path = os.path.join(directory, "charon.log")
        self.pid_path = os.path.join(directory, "charon.pid")

    @property
    def uri(self) -> str:
        return f"unix://{self.link_path}"

    def pid(self) -> int | None:
        try:
            with open(self.pid_path) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                return b"charon" in fh.read()
        except OSError:
            return False

    def start(self, timeout: float = 15.0) -> None:
        if self.alive():
            return
        private_dirs(self.dir)
        write_private(self.conf_path, CONF_TEMPLATE.format(vici=self.vici_path, log=self.log_path))
        private_file(self.log_path)  # charon appends to it and keeps its mode
        for stale in (self.vici_path, self.link_path, self.pid_path):
            try:
                os.unlink(stale)
            except FileNotFoundError:
                pass
        private_dirs(SOCKET_DIR)
        os.symlink(self.vici_path, self.link_path)
        env = dict(os.environ, STRONGSWAN_CONF=self.conf_path)
        out = os.fdopen(open_private(os.path.join(self.dir, "charon.stdout"),
                                     os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab")
        # exec chain: ip netns exec -> unshare -> sh -> charon keeps one pid throughout.
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns.name, "unshare", "--mount", "--propagation",
             "private", "sh", "-c", f"mount -t tmpfs vpnform-run /run && exec {CHARON}"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        out.close()
        _DETACHED.append(proc)  # charon outlives this object: keep the handle (no warning)
        write_private(self.pid_path, str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise NetlabError(f"charon in {self.ns.name} exited at start (code "
                                  f"{proc.returncode}); see {self.log_path}")
            if self._vici_answers():
                return
            time.sleep(0.05)
        raise NetlabError(f"charon in {self.ns.name} did not open {self.vici_path} within "
                          f"{timeout:.0f} s; see {self.log_path}")

    def _vici_answers(self) -> bool:
        if not os.path.exists(self.vici_path):
            return False
        try:
            self.client().version()
            return True
        except StrongSwanError:
            return False

    def stop(self, timeout: float = 5.0) -> None:
        pid = self.pid()
        if pid is None or not self.alive():
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.alive():
                _reap(pid)
                time.sleep(0.05)
            if not self.alive():
                break
        _reap(pid)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        pid = self.pid()
        if pid is not None and self.alive():
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.alive() and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.02)

    def client(self, timeout: float = 30.0) -> ViciClient:
        """The VICI client of this charon."""
        return ViciClient(self.vici_path, timeout=timeout)

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A raw ``vici.Session``; failures raise swankit's StrongSwanError."""
        with self.client().session() as s:
            yield s


# Not under /run: each charon mounts a private tmpfs over /run (its own pid file).
SOCKET_DIR = "/tmp/vpnform-vici"


def short_socket_path(directory: str) -> str:
    """A VICI socket path short enough for AF_UNIX, unique per charon directory."""
    import hashlib
    digest = hashlib.sha256(os.path.realpath(directory).encode()).hexdigest()[:16]
    return os.path.join(SOCKET_DIR, f"{digest}.vici")


def _reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it has ended: through our own handle when this
    process started it (so the handle knows, and is dropped), else directly."""
    for proc in list(_DETACHED):
        if proc.pid == pid:
            if proc.poll() is not None:
                _DETACHED.remove(proc)
            return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
