"""One working directory's lab: its simulated internet segment, hosts and charons.

Every namespace is named ``vf<lab id>-<role>`` (the lab id derives from the working
directory, so two directories never collide) and recorded in ``.vpnform/lab/lab.json``
with the processes started in it. ``down`` removes everything the record or the name
prefix shows, so a half-built or crashed lab is still cleaned up.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import json
import os
import shutil
from contextlib import contextmanager
from typing import Iterator

from engine.private_files import atomic_write, open_private, private_dirs

from .charon import Charon
from .errors import NetlabError
from .ns import Namespace, list_namespaces, short_name, veth

RECORD = "lab.json"


def lab_id(workdir: str) -> str:
    return hashlib.sha256(os.path.realpath(workdir).encode()).hexdigest()[:6]


class Lab:
    def __init__(self, workdir: str):
        self.workdir = os.path.realpath(workdir)
        self.id = lab_id(workdir)
        self.dir = os.path.join(self.workdir, ".vpnform", "lab")
        self.prefix = f"vf{self.id}-"

    # -- record --------------------------------------------------------------------------
    @contextmanager
    def _record(self) -> Iterator[dict]:
        private_dirs(self.dir)
        path = os.path.join(self.dir, RECORD)
        lock_fd = open_private(os.path.join(self.dir, ".lock"), os.O_RDWR | os.O_CREAT)
        with os.fdopen(lock_fd, "r+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with open(path) as fh:
                    data = json.load(fh)
            except (OSError, ValueError):
                data = {"namespaces": {}, "hosts": {}}
            yield data
            atomic_write(path, json.dumps(data, indent=2, sort_keys=True).encode())

    def read_record(self) -> dict:
        try:
            with open(os.path.join(self.dir, RECORD)) as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return {"namespaces": {}, "hosts": {}}

    def remember_host(self, role: str, info: dict) -> None:
        with self._record() as data:
            data["hosts"][role] = info

    def remember_process(self, name: str, pid: int) -> None:
        """A helper process outside the namespaces (e.g. a supervisor) that down() stops."""
        with self._record() as data:
            data.setdefault("processes", {})[name] = pid

    def forget_process(self, name: str) -> None:
        with self._record() as data:
            data.setdefault("processes", {}).pop(name, None)

    def forget_host(self, role: str) -> None:
        with self._record() as data:
            data["hosts"].pop(role, None)

    # -- namespaces ----------------------------------------------------------------------
    def namespace(self, role: str) -> Namespace:
        name = self.prefix + role
        if len(name) > 60:
            raise NetlabError(f"namespace name {name!r} is too long")
        ns = Namespace(name)
        if not ns.exists():
            ns.create()
        with self._record() as data:
            data["namespaces"][role] = name
        return ns

    def existing(self, role: str) -> Namespace | None:
        ns = Namespace(self.prefix + role)
        return ns if ns.exists() else None

    def internet(self) -> Namespace:
        """The simulated internet: a bridge in its own namespace."""
        inet = self.namespace("inet")
        if not inet.has_link("br0"):
            inet.ip("link", "add", "br0", "type", "bridge")
            inet.ip("link", "set", "br0", "up")
        return inet

    def attach_public(self, ns: Namespace, address: str, dev: str = "inet0") -> None:
        """Give ``ns`` a leg on the simulated internet holding ``address``/32."""
        inet = self.internet()
        port = short_name(self.id, ns.name, dev, prefix="p")
        if not ns.has_link(dev):
            veth(inet, port, ns, dev)
            inet.ip("link", "set", port, "master", "br0")
        self.set_public_address(ns, address, dev)

    @staticmethod
    def set_public_address(ns: Namespace, address: str, dev: str = "inet0") -> None:
        ipaddress.IPv4Address(address)
        if f"{address}/32" not in ns.addresses(dev):
            ns.ip("addr", "add", f"{address}/32", "dev", dev)
        ns.ip("route", "replace", "default", "dev", dev)
        # gratuitous ARP so peers re-learn where the address lives (failover moves it)
        ns.exec("ping", "-c", "1", "-W", "1", "-I", address, address, check=False)

    @staticmethod
    def drop_public_address(ns: Namespace, address: str, dev: str = "inet0") -> None:
        ns.ip("addr", "del", f"{address}/32", "dev", dev, check=False)

    def charon(self, role: str) -> Charon:
        return Charon(Namespace(self.prefix + role), os.path.join(self.dir, role))

    # -- inventory and teardown ----------------------------------------------------------
    def namespaces(self) -> list[str]:
        recorded = set(self.read_record().get("namespaces", {}).values())
        live = {n for n in list_namespaces() if n.startswith(self.prefix)}
        return sorted(recorded | live)

    def status(self) -> list[dict]:
        out = []
        live = set(list_namespaces())
        for name in self.namespaces():
            role = name[len(self.prefix):]
            ch = self.charon(role)
            out.append({"role": role, "namespace": name, "exists": name in live,
                        "charon_pid": ch.pid() if ch.alive() else None,
                        "vici": ch.uri if ch.alive() else None})
        return out

    def down(self) -> list[str]:
        """Stop every charon and remove every namespace of this lab. Returns what went."""
        removed = []
        for name, pid in self.read_record().get("processes", {}).items():
            _terminate(int(pid))
            removed.append(f"process {name} ({pid})")
        for name in self.namespaces():
            role = name[len(self.prefix):]
            self.charon(role).stop()
            Namespace(name).delete()
            removed.append(name)
        if os.path.isdir(self.dir):
            for role in os.listdir(self.dir):  # the short socket paths outside the lab dir
                sock = self.charon(role).vici_path
                if os.path.lexists(sock):
                    os.unlink(sock)
            shutil.rmtree(self.dir, ignore_errors=True)
        return removed


def _terminate(pid: int) -> None:
    import signal
    import time
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            if not os.path.exists(f"/proc/{pid}") or _zombie(pid):
                return
            time.sleep(0.05)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
