"""One VPN gateway's supervisor: tunnel activation and master/standby failover.

    python -m providers.tencentcloud.dataplane.supervisor --workdir W --gateway ID

Started detached when the gateway is created (``network.start_supervisor``); exits by
itself when the gateway's record leaves the store (the gateway was deleted) or the lab
is gone, and is stopped by the gateway's deletion and by ``lab down``.

Activation: charon's userspace IPsec does not negotiate on a trap policy; when traffic
hits one it logs "could not find an outbound IPsec SA for reqid {N}". The supervisor
listens to the active charon's VICI ``log`` events and initiates the child whose reqid
is N (one initiation in flight per child, at most one attempt per child per second).

Failover: when the active charon dies, the supervisor moves the public IP to the
standby (drop on the old side's inet0, add on the new side's with a gratuitous ARP),
records the standby as active, points the VPC router's VPN routes at it, initiates every
child there, and restarts the dead charon as the new standby with all tunnels loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time

from engine.private_files import atomic_write
from providers.netlab.lab import Lab
from providers.netlab.ns import Namespace
from providers.swankit.vici import StrongSwanError, decode
from providers.tencentcloud.emulator.realiser import RealiserStore

from . import network, topology

NO_SA = re.compile(r"could not find an outbound IPsec SA for reqid \{?(\d+)\}?")
RECORD_WAIT = 60.0  # the creating transaction commits the record after starting us
TICK = 0.2  # event wait; also how often the charon's liveness is checked
RECHECK = 1.0  # how often the gateway's record is read again
RETRY_INTERVAL = 1.0  # at most one initiation of a child per second


def log(msg: str) -> None:
    now = time.time()
    print(f"{time.strftime('%H:%M:%S', time.localtime(now))}.{int(now * 1000) % 1000:03d} "
          f"{msg}", flush=True)


class Supervisor:
    def __init__(self, workdir: str, gateway_id: str):
        self.workdir = os.path.realpath(workdir)
        self.gateway_id = gateway_id
        self.lab = Lab(self.workdir)
        self.store: RealiserStore | None = None  # opened once the pid file is written
        self._inflight: set[str] = set()
        self._last_try: dict[str, float] = {}
        self._lock = threading.Lock()
        self._children: set[int] = set()
        self._reqid_map: dict[int, tuple[str, str]] = {}
        self._reqid_read = -1e9

    # -- store -----------------------------------------------------------------------------
    def record(self) -> dict | None:
        with self.store.read() as records:
            return records.get("gateway", self.gateway_id)

    def reqids(self) -> dict[int, tuple[str, str]]:
        with self.store.read() as records:
            return network.children_by_reqid(records, self.gateway_id)

    def charon(self, side: str):
        return self.lab.charon(topology.gateway_role(self.gateway_id, side))

    def gone(self) -> bool:
        return not os.path.isdir(self.lab.dir)

    # -- main loop -------------------------------------------------------------------------
    def run(self) -> int:
        pid_path, _ = network.supervisor_paths(self.lab, self.gateway_id)
        atomic_write(pid_path, str(os.getpid()).encode())
        log(f"supervisor of {self.gateway_id} started (pid {os.getpid()})")
        self.store = RealiserStore.for_workdir(self.workdir)
        if self.store is None:
            log("no emulated cloud in the working directory; exiting")
            return 1
        deadline = time.monotonic() + RECORD_WAIT
        while self.record() is None:
            if time.monotonic() > deadline or self.gone():
                log("the gateway was never recorded; exiting")
                return 1
            time.sleep(0.05)
        while True:
            _reap(self._children)
            rec = self.record()
            if rec is None or self.gone():
                log("the gateway is gone; exiting")
                return 0
            charon = self.charon(rec["active"])
            if not charon.alive():
                self.failover(rec)
                continue
            self.watch(rec["active"], charon)

    def watch(self, side: str, charon) -> None:
        """Serve the active charon's log events until it dies, the gateway record changes
        (deleted, or another side made active) or the lab goes away. One VICI session for
        the whole time: re-registering would lose events and litter charon's log."""
        next_check = time.monotonic() + RECHECK
        try:
            with charon.client(timeout=5).session() as s:
                for kind, event in s.listen(["log"], timeout=TICK):
                    if kind is not None:
                        m = NO_SA.search(str(decode(event.get("msg", b""))))
                        if m:
                            self.activate(side, int(m.group(1)))
                    if not charon.alive():
                        return
                    if time.monotonic() > next_check:
                        next_check = time.monotonic() + RECHECK
                        _reap(self._children)
                        rec = self.record()
                        if rec is None or rec["active"] != side or self.gone():
                            return
        except StrongSwanError:
            time.sleep(TICK)  # charon gone or restarting: the caller sees which

    # -- activation ------------------------------------------------------------------------
    def activate(self, side: str, reqid: int) -> None:
        # Every dropped packet logs: read the reqid map at most a few times a second.
        now = time.monotonic()
        if reqid not in self._reqid_map and now - self._reqid_read > 0.2 \
                or now - self._reqid_read > RECHECK:
            self._reqid_map, self._reqid_read = self.reqids(), now
        child = self._reqid_map.get(reqid)
        if child is None:
            return
        self.initiate(side, *child)

    def initiate(self, side: str, conn: str, child: str) -> None:
        key = f"{side}/{child}"
        now = time.monotonic()
        with self._lock:
            if key in self._inflight or now - self._last_try.get(key, -1e9) < RETRY_INTERVAL:
                return
            self._inflight.add(key)
            self._last_try[key] = now
        threading.Thread(target=self._initiate, args=(key, side, conn, child),
                         daemon=True).start()

    def _initiate(self, key: str, side: str, conn: str, child: str) -> None:
        try:
            log(f"initiating {child} on side {side}")
            charon = self.charon(side)
            err, cause = network.initiate(charon.vici_path, conn, child)
            log(f"{child} on side {side}: " + ("established" if not err else f"failed: {err}"))
            record_failure(self.workdir, self.gateway_id, conn, cause, err)
            if err and network.close_if_childless(charon.client(timeout=10.0), conn):
                log(f"closed {conn}'s IKE SA on side {side}: the next try starts afresh")
        finally:
            with self._lock:
                self._inflight.discard(key)

    # -- failover --------------------------------------------------------------------------
    def failover(self, rec: dict) -> None:
        old, new = rec["active"], topology.other_side(rec["active"])
        log(f"charon of side {old} is down: failing over to side {new}")
        standby = self.charon(new)
        if not standby.alive():
            if not self.restart(new):
                time.sleep(1.0)  # neither side runs: retry on the next turn
                return
        ip = rec["public_ip"]
        old_ns = Namespace(rec["sides"][old]["namespace"])
        new_ns = Namespace(rec["sides"][new]["namespace"])
        if old_ns.exists():
            Lab.drop_public_address(old_ns, ip)
        Lab.set_public_address(new_ns, ip)
        threading.Thread(target=_announce, args=(new_ns.name, ip), daemon=True).start()
        with self.store.write() as records:
            cur = records.get("gateway", self.gateway_id)
            if cur is None:
                return
            cur["active"] = new
            cur["failovers"] = int(cur.get("failovers") or 0) + 1
            cur["last_failover"] = {"from": old, "to": new, "at": time.time()}
            records.put("gateway", self.gateway_id, cur)
            network.sync_vpc_routing(self.lab, records, cur["vpc_id"])
        log(f"side {new} holds {ip} and the VPC routes")
        for conn, child in sorted(set(self.reqids().values())):
            self.initiate(new, conn, child)
        threading.Thread(target=self.restart, args=(old,), daemon=True).start()

    def restart(self, side: str) -> bool:
        """Start a side's charon again and load every tunnel of the gateway into it."""
        if not Namespace(self.lab.prefix + topology.gateway_role(self.gateway_id, side)).exists():
            return False
        try:
            charon = self.charon(side)
            charon.start()
            pid = charon.pid()
            if pid:
                self._children.add(pid)
            with self.store.read() as records:
                n = network.load_all_connections(self.lab, records, self.gateway_id, side)
            log(f"charon of side {side} restarted with {n} tunnel(s)")
            return True
        except Exception as err:  # noqa: BLE001 - keep supervising; retried on next failover
            log(f"could not restart the charon of side {side}: {err}")
            return False


def failure_path(workdir: str, gateway_id: str, conn: str) -> str:
    from providers.netlab.lab import Lab
    return os.path.join(Lab(workdir).dir, f"failure-{gateway_id}-{conn}.json")


def record_failure(workdir: str, gateway_id: str, conn: str, cause: str | None,
                   error: str) -> None:
    """Remember why the last negotiation of ``conn`` failed (None: it succeeded), for
    ``vpnform tunnel status``."""
    path = failure_path(workdir, gateway_id, conn)
    try:
        if cause is None:
            if os.path.exists(path):
                os.unlink(path)
            return
        atomic_write(path, json.dumps({"cause": cause, "error": error,
                                       "at": time.time()}).encode())
    except OSError:
        pass  # the lab directory is gone: nothing to report to


def read_failure(workdir: str, gateway_id: str, conn: str) -> dict | None:
    try:
        with open(failure_path(workdir, gateway_id, conn)) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _announce(ns_name: str, ip: str) -> None:
    import subprocess
    for delay in (0.0, 1.2):  # again after the peers' ARP lock time
        time.sleep(delay)
        subprocess.run(["ip", "netns", "exec", ns_name, sys.executable, "-m",
                        "providers.tencentcloud.dataplane.garp", "inet0", ip],
                       capture_output=True, timeout=10, check=False)


def _reap(pids: set[int]) -> None:
    """Charons this supervisor restarted are its children: collect them when they die.
    (Only those: waiting for any child would steal subprocess.run's exit statuses.)"""
    for pid in list(pids):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            pids.discard(pid)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=f"python -m {network.SUPERVISOR_MODULE}",
                                 description="Activation and failover of one VPN gateway.")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--gateway", required=True)
    args = ap.parse_args(argv)
    return Supervisor(args.workdir, args.gateway).run()


if __name__ == "__main__":
    sys.exit(main())
