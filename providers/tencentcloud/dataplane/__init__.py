"""The tencentcloud provider's real dataplane (``dataplane = "strongswan"``).

With it, the embedded emulated cloud builds what its objects describe in network
namespaces on this machine (providers.netlab): a router per VPC, a host per subnet, a
master/standby pair of strongSwan charons per VPN gateway with a supervisor process for
tunnel activation and failover, tunnels loaded over VICI, route-table entries as Linux
routes. Layout: ``topology``; option mapping: ``proposals``; the IDC side's file:
``swanctl_render``; the hooks: ``network.Dataplane``; the daemon: ``supervisor``.

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

from .network import Dataplane, DataplaneError

MODES = ("none", "strongswan")
DEFAULT_MODE = "none"
ENV = "VPNFORM_DATAPLANE"

__all__ = ["DEFAULT_MODE", "ENV", "MODES", "Dataplane", "DataplaneError", "FailedGateway",
           "fail_gateway", "gateway_status", "live_status"]


def _gateway_record(workdir: str, gateway_id: str) -> dict:
    from ..emulator.store import SqliteStore, store_path
    if not store_path(workdir).exists():
        raise DataplaneError(f"no emulated cloud in {workdir}")
    store = SqliteStore.for_workdir(workdir)
    try:
        with store.snapshot() as tx:
            rec = tx.dp_get("gateway", gateway_id)
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


def _t(v) -> str:
    return v.decode(errors="replace") if isinstance(v, bytes) else ("" if v is None else str(v))


def _n(v) -> int | None:
    try:
        return int(_t(v))
    except ValueError:
        return None


def live_status(workdir: str, gateway_id: str, conn_id: str) -> dict | None:
    """The tunnel as the gateway's active charon sees it, in ``vpnform tunnel status``'s
    shape; None when the gateway has no strongSwan dataplane here."""
    from providers.netlab.lab import Lab

    from . import vicictl
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
        with vicictl.session(charon.vici_path, timeout=3) as s:
            sas = [ike for item in s.list_sas({"ike": conn_id}) for ike in item.values()]
    except vicictl.ViciError as err:
        out["error"] = f"the active charon (side {side}) does not answer: {err}"
        return out
    if not sas:
        out["error"] = ("no IKE SA: the tunnel is not negotiated yet; traffic from the VPC "
                        "to the peer range activates it")
        return out
    ike = next((i for i in sas if _t(i.get("state")) == "ESTABLISHED"), sas[0])
    out.update({
        "state": "ESTABLISHED" if _t(ike.get("state")) == "ESTABLISHED" else "CONNECTING",
        "ike_version": "IKEV" + _t(ike.get("version")),
        "local": _t(ike.get("local-host")) or rec["public_ip"],
        "remote": _t(ike.get("remote-host")) or None,
        "established_seconds": _n(ike.get("established")),
        "algorithms": {"encryption": _t(ike.get("encr-alg")) + (
            f"-{_t(ike.get('encr-keysize'))}" if ike.get("encr-keysize") else ""),
            "integrity": _t(ike.get("integ-alg")) or None,
            "prf": _t(ike.get("prf-alg")) or None, "dh_group": _t(ike.get("dh-group")) or None},
    })
    for child in (ike.get("child-sas") or {}).values():
        out["children"].append({
            "name": _t(child.get("name")), "state": _t(child.get("state")),
            "protocol": _t(child.get("protocol")),
            "encryption": _t(child.get("encr-alg")) + (
                f"-{_t(child.get('encr-keysize'))}" if child.get("encr-keysize") else ""),
            "integrity": _t(child.get("integ-alg")) or None,
            "local_ts": [_t(t) for t in child.get("local-ts") or []],
            "remote_ts": [_t(t) for t in child.get("remote-ts") or []],
            "installed_seconds": _n(child.get("install-time")),
            "bytes_in": _n(child.get("bytes-in")), "bytes_out": _n(child.get("bytes-out")),
            "packets_in": _n(child.get("packets-in")),
            "packets_out": _n(child.get("packets-out"))})
    return out
