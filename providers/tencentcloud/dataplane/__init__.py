"""The tencentcloud provider's real dataplane (``dataplane = "strongswan"``).

With it, the embedded emulated cloud builds what its objects describe in network
namespaces on this machine (providers.netlab): a router per VPC, a host per subnet, a
master/standby pair of strongSwan charons per VPN gateway with a supervisor process for
tunnel activation and failover, tunnels loaded over VICI, route-table entries as Linux
routes. Layout: ``topology``; the hooks (the emulator's Realiser): ``network.Dataplane``;
the daemon: ``supervisor``. The tunnel → strongSwan mapping is
``providers.tencentcloud.strongswan_tunnel``; VICI and SA status are ``providers.swankit``'s.
It reaches the emulated cloud only through emulator.realiser (never its store).

Public API:
    MODES, DEFAULT_MODE, ENV                     the setting and its environment variable
    Dataplane(workdir)                           attach to an EmulatedVpcService
    fail_gateway(workdir, gateway_id)            SIGKILL the gateway's active charon
    gateway_status(workdir, gateway_id)          active side, pids, failovers
    live_status(workdir, gateway_id, conn_id)    a tunnel's IKE/child SAs on the active
                                                 charon (``vpnform tunnel status``)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from typing import Any

MODES = ("none", "strongswan")
DEFAULT_MODE = "none"
ENV = "VPNFORM_DATAPLANE"


def __getattr__(name: str) -> Any:
    """``Dataplane`` and ``DataplaneError`` (network.py), imported on first use: the provider
    reads the settings above on every run, the dataplane itself only with "strongswan"
    (startup time, issue #14)."""
    if name in ("Dataplane", "DataplaneError"):
        from . import network
        return getattr(network, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["DEFAULT_MODE", "ENV", "MODES", "Dataplane", "DataplaneError", "FailedGateway",
           "fail_gateway", "gateway_status", "live_status"]


def _gateway_record(workdir: str, gateway_id: str) -> dict:
    from ..emulator.realiser import RealiserStore
    from .network import DataplaneError
    store = RealiserStore.for_workdir(workdir)
    if store is None:
        raise DataplaneError(f"no emulated cloud in {workdir}")
    try:
        with store.read() as records:
            rec = records.get("gateway", gateway_id)
    finally:
        store.close()
    if rec is None:
        raise DataplaneError(f"VPN gateway {gateway_id} has no strongSwan dataplane here "
                             "(is dataplane = \"strongswan\" set in the provider block?)")
    return rec


@dataclass
class FailedGateway:
    gateway_id: str
    side: str  # the side whose charon was killed
    namespace: str
    pid: int | None
    standby: str  # the side expected to take over

    def __str__(self) -> str:
        pid = f"pid {self.pid}" if self.pid else "not running"
        return (f"charon of side {self.side} ({self.namespace}, {pid}) killed; side "
                f"{self.standby} takes over")


def fail_gateway(workdir: str, gateway_id: str) -> FailedGateway:
    """Kill the gateway's active charon with SIGKILL, as a server crash would. The
    gateway's supervisor moves the public IP and the tunnels to the standby by itself."""
    from providers.netlab.lab import Lab

    from .topology import gateway_role, other_side
    rec = _gateway_record(workdir, gateway_id)
    side = rec["active"]
    charon = Lab(workdir).charon(gateway_role(gateway_id, side))
    pid = charon.pid() if charon.alive() else None
    charon.kill()
    return FailedGateway(gateway_id, side, charon.ns.name, pid, other_side(side))


def gateway_status(workdir: str, gateway_id: str) -> dict:
    """The gateway's dataplane as recorded, with liveness of its processes."""
    from providers.netlab.lab import Lab

    from .network import read_pid, supervisor_alive, supervisor_paths
    from .topology import gateway_role
    rec = _gateway_record(workdir, gateway_id)
    lab = Lab(workdir)
    sides = {}
    for side, info in rec["sides"].items():
        ch = lab.charon(gateway_role(gateway_id, side))
        sides[side] = {**info, "charon_pid": ch.pid() if ch.alive() else None,
                       "vici": ch.uri}
    pid = read_pid(supervisor_paths(lab, gateway_id)[0])
    return {"gateway_id": gateway_id, "public_ip": rec["public_ip"], "active": rec["active"],
            "failovers": rec.get("failovers", 0), "last_failover": rec.get("last_failover"),
            "sides": sides,
            "supervisor_pid": pid if supervisor_alive(pid, gateway_id) else None,
            "workdir": os.path.realpath(workdir)}


_EXPLAIN = {
    "authentication failed": "authentication failed: the peer did not accept this end's "
                             "pre-shared key, or sent one this end does not accept. The "
                             "PSKs on the two ends differ; set the same key on both.",
    "authentication failed (pre-shared key mismatch?)":
        "authentication failed: the peer's messages could not be decrypted, which in IKEv1 "
        "main mode means the pre-shared keys on the two ends differ.",
    "no proposal chosen": "no proposal chosen: the two ends share no encryption/integrity/"
                          "DH combination; make the IKE and IPsec options match.",
    "traffic selectors unacceptable": "the peer refused the traffic selectors: the SPD "
                                      "policy must mirror the peer's local/remote ranges.",
    "peer not responding": "the peer does not answer: check its public IP and that its "
                           "IPsec device is running.",
}


def _explain(cause: str) -> str:
    return _EXPLAIN.get(cause, f"the last negotiation failed: {cause}")


def live_status(workdir: str, gateway_id: str, conn_id: str) -> dict | None:
    """The tunnel as the gateway's active charon sees it, in ``vpnform tunnel status``'s
    shape; None when the gateway has no strongSwan dataplane here."""
    from providers.netlab.lab import Lab
    from providers.swankit.status import sa_status, tunnel_view
    from providers.swankit.vici import StrongSwanError

    from .network import DataplaneError
    from .topology import gateway_role
    try:
        rec = _gateway_record(workdir, gateway_id)
    except DataplaneError:
        return None
    side = rec["active"]
    charon = Lab(workdir).charon(gateway_role(gateway_id, side))
    out: dict = {"state": "DOWN", "local": rec["public_ip"], "remote": None,
                 "established_seconds": None, "algorithms": {}, "error": None, "children": [],
                 "gateway_side": side}
    try:
        with charon.client(timeout=3).session() as s:
            st = sa_status(s, conn_id)
    except StrongSwanError as err:
        out["error"] = f"the active charon (side {side}) does not answer: {err}"
        return out
    if not st.get("ike_sas"):
        from .supervisor import read_failure
        failure = read_failure(workdir, gateway_id, conn_id)
        if failure is not None:
            out["error"] = _explain(failure["cause"])
        else:
            out["error"] = ("no IKE SA: the tunnel is not negotiated yet; traffic from the "
                            "VPC to the peer range activates it")
        return out
    view = tunnel_view(st, conn_id, conn_id)
    out.update({k: v for k, v in view.items() if k not in ("name", "id", "error")})
    out["local"] = view["local"] or rec["public_ip"]
    return out
