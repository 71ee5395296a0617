"""The emulated cloud made real: namespaces, veths, routes and charons behind its objects.

``Dataplane(workdir)`` is the emulator's Realiser (emulator/realiser.py), attached to an
``EmulatedVpcService``; after an API action has passed every rule of the emulator
(inside the action's transaction, so a dataplane failure rolls the action back),
``apply_action`` builds, changes or tears down the network that action implies. What it
builds is recorded as the realiser's records (kinds "vpc", "subnet", "gateway", "conn",
"rtb") and in the lab record, so the next short-lived ``vpnform`` process, and the
gateway supervisors, find everything.

The functions below the class take the realiser's ``RealiserRecords`` of one
transaction and are shared with the supervisor (failover switches routes and reloads
charons with them).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from engine.private_files import open_private, private_dirs
from providers.netlab.errors import NetlabError
from providers.netlab.lab import Lab
from providers.netlab.ns import Namespace, list_namespaces, short_name, veth
from providers.swankit import status
from providers.swankit.vici import StrongSwanError, ViciClient
from providers.tencentcloud import strongswan_tunnel as tunnel
from providers.tencentcloud.emulator.realiser import (RealiseError, RealiserRecords,
                                                      RealiserStore, UnrealisableOption)

from . import topology
from .topology import gateway_role, host_role, vpc_role

SUPERVISOR_MODULE = "providers.tencentcloud.dataplane.supervisor"


class DataplaneError(RealiseError):
    """The real network could not be made to match the API action (message says why)."""


def charon_client(lab: Lab, gateway_id: str, side: str, timeout: float = 10.0) -> ViciClient:
    """The VICI client of one side's charon of a gateway."""
    return lab.charon(gateway_role(gateway_id, side)).client(timeout)


class Dataplane:
    """The emulator's Realiser: hooks the emulated service calls; one per working directory."""

    mode = "strongswan"

    def __init__(self, workdir: str):
        self.workdir = os.path.realpath(workdir)
        self.lab = Lab(self.workdir)

    # -- the service's hooks -------------------------------------------------------------
    def apply_action(self, records: RealiserRecords, action: str, params: dict, result: dict,
                     region: str) -> None:
        """Realise a successful action. Raises DataplaneError (or UnrealisableOption)."""
        handler = getattr(self, f"_on_{action}", None)
        if handler is None:
            return
        try:
            handler(records, params, result)
        except tunnel.ProposalError as err:
            raise UnrealisableOption(str(err)) from err
        except (NetlabError, StrongSwanError, subprocess.SubprocessError, OSError) as err:
            raise DataplaneError(str(err)) from err

    def describe_result(self, store: RealiserStore, action: str, result: dict) -> dict:
        """Live fields of a Describe answer (NetStatus of tunnels) from the charons."""
        if action != "DescribeVpnConnections" or "Error" in result:
            return result
        conns = result.get("VpnConnectionSet") or []
        by_gateway: dict[str, dict] = {}
        with store.read() as records:
            for c in conns:
                gid = c.get("VpnGatewayId")
                if gid and gid not in by_gateway:
                    by_gateway[gid] = records.get("gateway", gid) or {}
        installed: dict[str, dict] = {}
        for gid, rec in by_gateway.items():
            installed[gid] = {}
            if rec:
                try:
                    installed[gid] = installed_children(
                        charon_client(self.lab, gid, rec["active"], timeout=3.0))
                except StrongSwanError:
                    pass
        for c in conns:
            up = bool(installed.get(c.get("VpnGatewayId"), {}).get(c.get("VpnConnectionId")))
            c["NetStatus"] = "AVAILABLE" if up else "UNAVAILABLE"
        return result

    def measure_tunnel(self, gateway_id: str, conn_id: str, local_cidrs: list[str],
                       remote_cidrs: list[str], probe_count: int) -> dict | None:
        """Cloud Monitor's reading of a tunnel (measure.measure_tunnel)."""
        from .measure import measure_tunnel
        return measure_tunnel(self.workdir, gateway_id, conn_id, local_cidrs, remote_cidrs,
                              probe_count)

    def heal(self, store: RealiserStore) -> list[str]:
        """Restart the supervisors of gateways whose namespaces still exist but whose
        supervisor is gone (killed, or its process table was cleared). Returns their IDs."""
        with store.read() as records:
            gateways = records.all("gateway")
        if not gateways:
            return []
        live = set(list_namespaces())
        healed = []
        for gid, rec in gateways.items():
            if supervisor_alive(read_pid(supervisor_paths(self.lab, gid)[0]), gid):
                continue
            if not any(s["namespace"] in live for s in rec["sides"].values()):
                continue
            pid = start_supervisor(self.lab, gid)
            with store.write() as records:
                cur = records.get("gateway", gid)
                if cur is not None:
                    records.put("gateway", gid, {**cur, "supervisor_pid": pid})
            healed.append(gid)
        return healed

    # -- VPC and subnets -------------------------------------------------------------------
    def _on_CreateVpc(self, records, params: dict, result: dict) -> None:
        ensure_router(self.lab, records, result["Vpc"]["VpcId"])

    def _on_DeleteVpc(self, records, params: dict, result: dict) -> None:
        vpc_id = params["VpcId"]
        ns = self.lab.existing(vpc_role(vpc_id))
        if ns is not None:
            ns.delete()
        _forget_namespace(self.lab, vpc_role(vpc_id))
        for rid, rec in records.all("rtb").items():
            if rec.get("vpc_id") == vpc_id:
                records.delete("rtb", rid)
        records.delete("vpc", vpc_id)

    def _on_CreateSubnet(self, records, params: dict, result: dict) -> None:
        subnet = result["Subnet"]
        try:
            ensure_subnet_host(self.lab, records, subnet)
            sync_vpc_routing(self.lab, records, subnet["VpcId"])
        except Exception:
            remove_subnet_host(self.lab, records, subnet["SubnetId"])
            raise

    def _on_DeleteSubnet(self, records, params: dict, result: dict) -> None:
        rec = records.get("subnet", params["SubnetId"])
        remove_subnet_host(self.lab, records, params["SubnetId"])
        if rec:
            sync_vpc_routing(self.lab, records, rec["vpc_id"])

    # -- route tables: every change re-syncs the VPC router --------------------------------
    def _sync_for_rtb(self, records, rtb_id: str) -> None:
        rtb = records.object("rtb", rtb_id)
        vpc_id = rtb["VpcId"] if rtb else (records.get("rtb", rtb_id) or {}).get("vpc_id")
        if vpc_id:
            sync_vpc_routing(self.lab, records, vpc_id)

    def _on_CreateRouteTable(self, records, params: dict, result: dict) -> None:
        self._sync_for_rtb(records, result["RouteTable"]["RouteTableId"])

    def _on_DeleteRouteTable(self, records, params: dict, result: dict) -> None:
        self._sync_for_rtb(records, params["RouteTableId"])

    def _on_ReplaceRouteTableAssociation(self, records, params: dict, result: dict) -> None:
        self._sync_for_rtb(records, params["RouteTableId"])

    def _on_CreateRoutes(self, records, params: dict, result: dict) -> None:
        self._sync_for_rtb(records, params["RouteTableId"])

    _on_DeleteRoutes = _on_CreateRoutes
    _on_EnableRoutes = _on_CreateRoutes
    _on_DisableRoutes = _on_CreateRoutes

    # -- VPN gateways --------------------------------------------------------------------
    def _on_CreateVpnGateway(self, records, params: dict, result: dict) -> None:
        gw = result["VpnGateway"]
        if not gw.get("VpcId"):
            return  # CCN gateways have no VPC to join
        try:
            build_gateway(self.lab, records, gw)
        except Exception:
            remove_gateway(self.lab, records, gw["VpnGatewayId"])
            raise

    def _on_DeleteVpnGateway(self, records, params: dict, result: dict) -> None:
        remove_gateway(self.lab, records, params["VpnGatewayId"])

    # -- VPN connections -----------------------------------------------------------------
    def _on_CreateVpnConnection(self, records, params: dict, result: dict) -> None:
        conn = result["VpnConnection"]
        try:
            load_connection(self.lab, records, conn["VpnConnectionId"])
        except Exception:
            try:  # the action is rolled back: leave no half-loaded tunnel in the charons
                unload_connection(self.lab, records, conn["VpnConnectionId"], conn["VpnGatewayId"])
            except Exception:  # noqa: BLE001 - the original error is the one to report
                pass
            raise

    def _on_ModifyVpnConnectionAttribute(self, records, params: dict, result: dict) -> None:
        load_connection(self.lab, records, params["VpnConnectionId"])

    def _on_DeleteVpnConnection(self, records, params: dict, result: dict) -> None:
        unload_connection(self.lab, records, params["VpnConnectionId"], params["VpnGatewayId"])

    def _on_ResetVpnConnection(self, records, params: dict, result: dict) -> None:
        # The tunnel's SAs go; its trap policies stay, so the next traffic renegotiates.
        for side in topology.SIDES:
            charon = self.lab.charon(gateway_role(params["VpnGatewayId"], side))
            if charon.alive():
                charon.client(timeout=10.0).terminate_conn(params["VpnConnectionId"])


# --- shared building blocks (the supervisor uses them too) ---------------------------------

def _forget_namespace(lab: Lab, role: str) -> None:
    forget = getattr(lab, "forget_namespace", None)
    if forget is not None:
        forget(role)
        return
    with lab._record() as data:  # noqa: SLF001 - netlab has no public forget yet
        data.get("namespaces", {}).pop(role, None)


def _addr(ns: Namespace, dev: str, cidr: str) -> None:
    if cidr not in ns.addresses(dev):
        ns.ip("addr", "add", cidr, "dev", dev)


def ensure_router(lab: Lab, records, vpc_id: str) -> Namespace:
    """The VPC's router namespace (forwarding on), created if missing."""
    ns = lab.namespace(vpc_role(vpc_id))
    ns.sysctl("net.ipv4.ip_forward", "1")
    if records.get("vpc", vpc_id) is None:
        vpc = records.object("vpc", vpc_id) or {}
        records.put("vpc", vpc_id, {"namespace": ns.name, "cidr": vpc.get("CidrBlock", "")})
    return ns


def ensure_subnet_host(lab: Lab, records, subnet: dict) -> None:
    sid, vpc_id, cidr = subnet["SubnetId"], subnet["VpcId"], subnet["CidrBlock"]
    net = ipaddress.IPv4Network(cidr, strict=False)
    router = ensure_router(lab, records, vpc_id)
    host = lab.namespace(host_role(sid))
    router_if = topology.ifname(lab.id, sid, prefix="s")
    veth(router, router_if, host, "eth0")
    gateway_ip, host_ip = topology.subnet_gateway(cidr), topology.subnet_host(cidr)
    _addr(router, router_if, f"{gateway_ip}/{net.prefixlen}")
    _addr(host, "eth0", f"{host_ip}/{net.prefixlen}")
    host.ip("route", "replace", "default", "via", gateway_ip)
    info = {"kind": "subnet-host", "subnet_id": sid, "vpc_id": vpc_id, "cidr": str(net),
            "address": host_ip, "gateway": gateway_ip, "namespace": host.name}
    lab.remember_host(host_role(sid), info)
    records.put("subnet", sid, {**info, "router_if": router_if})


def remove_subnet_host(lab: Lab, records, subnet_id: str) -> None:
    ns = lab.existing(host_role(subnet_id))
    if ns is not None:
        ns.delete()  # the veth pair goes with it
    _forget_namespace(lab, host_role(subnet_id))
    lab.forget_host(host_role(subnet_id))
    records.delete("subnet", subnet_id)


# -- routing ----------------------------------------------------------------------------

def _json(cp: subprocess.CompletedProcess) -> list:
    if cp.returncode != 0 or not cp.stdout.strip():
        return []
    return json.loads(cp.stdout)


def _net(dst: str) -> str:
    return str(ipaddress.IPv4Network(dst, strict=False))


def route_table_number(records, rtb_id: str, vpc_id: str) -> int:
    rec = records.get("rtb", rtb_id)
    if rec is None:
        rec = {"vpc_id": vpc_id,
               "table": records.next_number("dp_route_table", topology.FIRST_TABLE)}
        records.put("rtb", rtb_id, rec)
    return int(rec["table"])


def desired_routing(records, vpc_id: str) -> tuple[dict[int, dict[str, str]], set[tuple[str, int]]]:
    """(table → {destination: next hop}, {(subnet CIDR, table)}) for the VPC's router:
    each VPN route goes to its gateway's active side; each subnet looks up its table."""
    tables: dict[int, dict[str, str]] = {}
    numbers: dict[str, int] = {}
    for rtb in records.objects("rtb", vpc_id=vpc_id):
        n = route_table_number(records, rtb["RouteTableId"], vpc_id)
        numbers[rtb["RouteTableId"]] = n
        routes = tables.setdefault(n, {})
        # each route entry is a row of its own (older stores: inside the table)
        entries = (rtb.get("RouteSet") or []) + records.objects_by("route", "RouteTableId",
                                                                   rtb["RouteTableId"])
        for r in entries:
            if r.get("GatewayType") != "VPN" or not r.get("Enabled", True):
                continue
            gw = records.get("gateway", r["GatewayId"])
            if gw is None:
                continue
            routes[_net(r["DestinationCidrBlock"])] = gw["sides"][gw["active"]]["lan_ip"]
    rules = {(_net(s["CidrBlock"]), numbers[s["RouteTableId"]])
             for s in records.objects("subnet", vpc_id=vpc_id) if s["RouteTableId"] in numbers}
    return tables, rules


def sync_vpc_routing(lab: Lab, records, vpc_id: str) -> None:
    """Make the VPC router's tables and rules match the route tables (diff, not flush)."""
    router = lab.existing(vpc_role(vpc_id))
    if router is None:
        return
    tables, rules = desired_routing(records, vpc_id)
    ours = {int(r["table"]) for r in records.all("rtb").values() if r.get("vpc_id") == vpc_id}
    for gone in [rid for rid, r in records.all("rtb").items()
                 if r.get("vpc_id") == vpc_id and records.object("rtb", rid) is None]:
        records.delete("rtb", gone)
    for table in sorted(ours | set(tables)):
        want = tables.get(table, {})
        have = {_net(r["dst"]): r.get("gateway")
                for r in _json(router.ip("-j", "route", "show", "table", str(table),
                                         check=False)) if r.get("dst") not in (None, "default")}
        for dst in have.keys() - want.keys():
            router.ip("route", "del", dst, "table", str(table), check=False)
        for dst, via in want.items():
            if have.get(dst) != via:
                router.ip("route", "replace", dst, "via", via, "table", str(table))
    have_rules = set()
    for r in _json(router.ip("-j", "rule", "show", check=False)):
        if r.get("priority") != topology.RULE_PRIORITY:
            continue
        src = r.get("src", "all")
        src = _net(f"{src}/{r['srclen']}" if "srclen" in r else src) if src != "all" else src
        have_rules.add((src, int(r["table"])))
    for src, table in have_rules - rules:
        router.ip("rule", "del", "from", src, "lookup", str(table), "priority",
                  str(topology.RULE_PRIORITY), check=False)
    for src, table in rules - have_rules:
        router.ip("rule", "add", "from", src, "lookup", str(table), "priority",
                  str(topology.RULE_PRIORITY))


# -- gateways ---------------------------------------------------------------------------

def _internet_leg(lab: Lab, ns: Namespace, dev: str = "inet0") -> None:
    """A leg on the simulated internet holding no address (the standby's, until failover);
    named as netlab's attach_public names it, so both recognise the link."""
    inet = lab.internet()
    port = short_name(lab.id, ns.name, dev, prefix="p")
    if not ns.has_link(dev):
        veth(inet, port, ns, dev)
        inet.ip("link", "set", port, "master", "br0")


def build_gateway(lab: Lab, records, gw: dict) -> dict:
    gid, vpc_id, public_ip = gw["VpnGatewayId"], gw["VpcId"], gw["PublicIpAddress"]
    vpc = records.object("vpc", vpc_id) or {}
    router = ensure_router(lab, records, vpc_id)
    index = records.next_number("dp_gateway_index", 0)
    rec: dict[str, Any] = {"gateway_id": gid, "vpc_id": vpc_id, "vpc_cidr": vpc["CidrBlock"],
                           "public_ip": public_ip, "index": index, "active": "a",
                           "sides": {}, "failovers": 0, "supervisor_pid": None}
    for side in topology.SIDES:
        role = gateway_role(gid, side)
        ns = lab.namespace(role)
        link = topology.transit_link(index, side)
        router_if = topology.ifname(lab.id, gid, side, prefix="g")
        veth(router, router_if, ns, "lan0")
        _addr(router, router_if, f"{link['router_ip']}/{link['prefix']}")
        _addr(ns, "lan0", f"{link['lan_ip']}/{link['prefix']}")
        ns.sysctl("net.ipv4.ip_forward", "1")
        ns.ip("route", "replace", vpc["CidrBlock"], "via", link["router_ip"])
        if side == "a":
            lab.attach_public(ns, public_ip)
        else:
            _internet_leg(lab, ns)
        lab.charon(role).start()
        rec["sides"][side] = {"role": role, "namespace": ns.name, "lan_ip": link["lan_ip"],
                              "router_ip": link["router_ip"], "router_if": router_if}
    records.put("gateway", gid, rec)
    rec["supervisor_pid"] = start_supervisor(lab, gid)
    records.put("gateway", gid, rec)
    return rec


def remove_gateway(lab: Lab, records, gateway_id: str) -> None:
    stop_supervisor(lab, gateway_id)
    for side in topology.SIDES:
        role = gateway_role(gateway_id, side)
        lab.charon(role).stop()
        ns = lab.existing(role)
        if ns is not None:
            ns.delete()
        _forget_namespace(lab, role)
    for cid, rec in records.all("conn").items():
        if rec.get("gateway_id") == gateway_id:
            records.delete("conn", cid)
    records.delete("gateway", gateway_id)


# -- the supervisor process -------------------------------------------------------------

def supervisor_paths(lab: Lab, gateway_id: str) -> tuple[str, str]:
    base = os.path.join(lab.dir, f"supervisor-{gateway_id}")
    return base + ".pid", base + ".log"


def _package_root() -> str:
    import providers
    return os.path.dirname(os.path.dirname(os.path.abspath(providers.__file__)))


def start_supervisor(lab: Lab, gateway_id: str, timeout: float = 15.0) -> int:
    """Start the gateway's supervisor, detached (its own session, re-parented to init) so
    it outlives this process; wait until it has written its pid file."""
    pid_path, log_path = supervisor_paths(lab, gateway_id)
    private_dirs(lab.dir)
    try:
        os.unlink(pid_path)
    except FileNotFoundError:
        pass
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH"))
                                        if p)
    with os.fdopen(open_private(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab") as log:
        subprocess.run(["setsid", "-f", sys.executable, "-m", SUPERVISOR_MODULE,
                        "--workdir", lab.workdir, "--gateway", gateway_id],
                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, check=True,
                       timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = read_pid(pid_path)
        if pid is not None:
            lab.remember_process(f"supervisor-{gateway_id}", pid)
            return pid
        time.sleep(0.02)
    raise DataplaneError(f"the supervisor of {gateway_id} did not start within "
                         f"{timeout:.0f} s; see {log_path}")


def read_pid(path: str) -> int | None:
    try:
        with open(path) as fh:
            return int(fh.read().strip())
    except (OSError, ValueError):
        return None


def supervisor_alive(pid: int | None, gateway_id: str) -> bool:
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read()
    except OSError:
        return False
    return SUPERVISOR_MODULE.encode() in cmd and gateway_id.encode() in cmd


def stop_supervisor(lab: Lab, gateway_id: str, timeout: float = 5.0) -> None:
    pid_path, _ = supervisor_paths(lab, gateway_id)
    pid = read_pid(pid_path)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not supervisor_alive(pid, gateway_id):
            break
        assert pid is not None
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and supervisor_alive(pid, gateway_id):
            time.sleep(0.02)
    lab.forget_process(f"supervisor-{gateway_id}")
    try:
        os.unlink(pid_path)
    except FileNotFoundError:
        pass


# -- connections ------------------------------------------------------------------------

def connection_config(records, conn_id: str, *, allocate: bool = False) -> tuple[dict, dict, dict]:
    """(VICI connection, VICI shared secret, record) of a stored tunnel; reqids come from
    the record (``allocate``: give new children one, drop those of removed policies)."""
    conn = records.object("vpnx", conn_id)
    if conn is None:
        raise DataplaneError(f"VPN connection {conn_id} does not exist")
    gw = records.object("vpngw", conn["VpnGatewayId"]) or {}
    cgw = records.object("cgw", conn["CustomerGatewayId"]) or {}
    rec = records.get("conn", conn_id) or {"gateway_id": conn["VpnGatewayId"], "reqids": {}}
    if allocate:
        names = [name for name, _, _ in tunnel.children_of(conn)]
        reqids = {n: r for n, r in rec["reqids"].items() if n in names}
        for name in names:
            if name not in reqids:
                reqids[name] = records.next_number(f"dp_reqid:{conn['VpnGatewayId']}", 1)
        rec = {**rec, "reqids": reqids}
    model = tunnel.connection(conn, gateway_ip=gw["PublicIpAddress"],
                                 customer_ip=cgw.get("IpAddress", ""), reqids=rec["reqids"])
    secret = tunnel.shared_secret(conn, gateway_ip=gw["PublicIpAddress"],
                                     customer_ip=cgw.get("IpAddress", ""))
    return model, secret, rec


def load_connection(lab: Lab, records, conn_id: str) -> None:
    """(Re)load a tunnel into both charons of its gateway (a dead one is skipped: the
    supervisor reloads it when it restarts it)."""
    conn = records.object("vpnx", conn_id)
    problems = tunnel.problems_of(conn) if conn else []
    if problems:
        raise tunnel.ProposalError(problems)
    gw_rec = records.get("gateway", conn["VpnGatewayId"]) if conn else None
    if gw_rec is None:
        return
    model, secret, rec = connection_config(records, conn_id, allocate=True)
    previous = rec.get("config_hash")
    rec["config_hash"] = hashlib.sha256(json.dumps([model, secret], sort_keys=True)
                                        .encode()).hexdigest()
    records.put("conn", conn_id, rec)
    for side in topology.SIDES:
        sync_anchors(lab, records, gw_rec["gateway_id"], side)
        charon = lab.charon(gateway_role(gw_rec["gateway_id"], side))
        if charon.alive():
            client = charon.client(timeout=10.0)
            load(client, model, secret)
            if previous and previous != rec["config_hash"]:
                # A changed tunnel renegotiates: SAs of the old config would linger (and
                # share the child's reqid); traffic activates the new one.
                client.terminate_conn(conn_id)


def unload_connection(lab: Lab, records, conn_id: str, gateway_id: str) -> None:
    for side in topology.SIDES:
        charon = lab.charon(gateway_role(gateway_id, side))
        if charon.alive():
            charon.client(timeout=10.0).forget(conn_id, f"psk-{conn_id}")
    records.delete("conn", conn_id)
    for side in topology.SIDES:
        sync_anchors(lab, records, gateway_id, side)


def sync_anchors(lab: Lab, records, gateway_id: str, side: str) -> None:
    """Give the gateway side one address inside each SPD local range of its tunnels (see
    topology.ts_anchor), on a veth pair of its own so no neighbour ever sees them."""
    ns = lab.existing(gateway_role(gateway_id, side))
    if ns is None:
        return
    want = set()
    for conn in records.objects_by("vpnx", "VpnGatewayId", gateway_id):
        for s in conn.get("SecurityPolicyDatabaseSet") or []:
            anchor = topology.ts_anchor(s["LocalCidrBlock"])
            if anchor:
                want.add(f"{anchor}/32")
    dev, peer = topology.ANCHOR_DEVS
    if not ns.has_link(dev):
        if not want:
            return
        ns.ip("link", "add", dev, "type", "veth", "peer", "name", peer)
        ns.ip("link", "set", dev, "up")
        ns.ip("link", "set", peer, "up")
    have = set(ns.addresses(dev))
    for cidr in have - want:
        ns.ip("addr", "del", cidr, "dev", dev, check=False)
    for cidr in want - have:
        ns.ip("addr", "add", cidr, "dev", dev)


def load_all_connections(lab: Lab, records, gateway_id: str, side: str) -> int:
    """Load every tunnel of the gateway into one side's charon (after a restart)."""
    client = charon_client(lab, gateway_id, side)
    n = 0
    for conn in records.objects_by("vpnx", "VpnGatewayId", gateway_id):
        model, secret, _ = connection_config(records, conn["VpnConnectionId"])
        load(client, model, secret)
        n += 1
    return n


def children_by_reqid(records, gateway_id: str) -> dict[int, tuple[str, str]]:
    """reqid → (connection name, child name) for the gateway's tunnels."""
    out = {}
    for cid, rec in records.all("conn").items():
        if rec.get("gateway_id") == gateway_id:
            for child, reqid in rec.get("reqids", {}).items():
                out[int(reqid)] = (cid, child)
    return out


# -- charon calls -----------------------------------------------------------------------

def load(client: ViciClient, model: dict, secret: dict) -> None:
    """Load (or replace) one connection (``{name: body}``) and its PSK (a load-shared
    message)."""
    client.load_shared(secret["id"], secret["data"], secret["owners"])
    client.load_conn(model, secrets=(secret["data"],))


def installed_children(client: ViciClient) -> dict[str, dict]:
    """IKE SA name → {child name: counters} of the children INSTALLED in that charon now."""
    return status.installed_children(client.list_sas())


def close_if_childless(client: ViciClient, conn_name: str) -> bool:
    """Close the connection's IKE SAs when none carries an installed child: a failed child
    negotiation inside a live IKE SA (e.g. TS_UNACCEPTABLE after the peer changed its
    config) is otherwise retried forever against the peer's stale view of the tunnel."""
    try:
        if installed_children(client).get(conn_name):
            return False
        client.terminate_conn(conn_name)
        return True
    except StrongSwanError:
        return False


def initiate(vici_path: str, conn_name: str, child_name: str,
             timeout: float = 10.0) -> tuple[str, str | None]:
    """Initiate one child and wait for the outcome (bounded). Returns ('', None) on
    success, else (charon's error, the cause in plain words when charon's log tells it,
    e.g. "authentication failed")."""
    try:
        with ViciClient(vici_path, timeout=timeout + 5).session() as s:
            outcome = status.initiate(s, conn_name, child_name, timeout, init_limits=False)
    except StrongSwanError as err:
        return str(err), "negotiation failed"
    if outcome.ok:
        return "", None
    return (outcome.error or "failed",
            status.classify_failure(outcome.log) or "negotiation failed")
