"""The emulated cloud made real: namespaces, veths, routes and charons behind its objects.

``Dataplane(workdir)`` is attached to an ``EmulatedVpcService``; after an API action has
passed every rule of the emulator (inside the action's transaction, so a dataplane
failure rolls the action back), ``apply_action`` builds, changes or tears down the
network that action implies. What it builds is recorded in the store's ``dataplane``
table (records "vpc", "subnet", "gateway", "conn", "rtb") and in the lab record, so the
next short-lived ``vpnform`` process, and the gateway supervisors, find everything.

The functions below the class take an open store transaction and are shared with the
supervisor (failover switches routes and reloads charons with them).
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

from . import proposals, topology, vicictl
from .topology import gateway_role, host_role, vpc_role

SUPERVISOR_MODULE = "providers.tencentcloud.dataplane.supervisor"


class DataplaneError(Exception):
    """The real network could not be made to match the API action (message says why)."""


class Dataplane:
    """Hooks the emulated service calls; one per working directory."""

    mode = "strongswan"

    def __init__(self, workdir: str):
        self.workdir = os.path.realpath(workdir)
        self.lab = Lab(self.workdir)

    # -- the service's hooks -------------------------------------------------------------
    def apply_action(self, tx, action: str, params: dict, result: dict, region: str) -> None:
        """Realise a successful action. Raises DataplaneError (or ProposalError)."""
        handler = getattr(self, f"_on_{action}", None)
        if handler is None:
            return
        try:
            handler(tx, params, result)
        except (NetlabError, vicictl.ViciError, subprocess.SubprocessError, OSError) as err:
            raise DataplaneError(str(err)) from err

    def describe_result(self, store, action: str, result: dict) -> dict:
        """Live fields of a Describe answer (NetStatus of tunnels) from the charons."""
        if action != "DescribeVpnConnections" or "Error" in result:
            return result
        conns = result.get("VpnConnectionSet") or []
        by_gateway: dict[str, dict] = {}
        with store.snapshot() as tx:
            for c in conns:
                gid = c.get("VpnGatewayId")
                if gid and gid not in by_gateway:
                    by_gateway[gid] = tx.dp_get("gateway", gid) or {}
        installed: dict[str, dict] = {}
        for gid, rec in by_gateway.items():
            installed[gid] = {}
            if rec:
                try:
                    installed[gid] = vicictl.installed_children(
                        self.lab.charon(gateway_role(gid, rec["active"])).vici_path)
                except vicictl.ViciError:
                    pass
        for c in conns:
            up = bool(installed.get(c.get("VpnGatewayId"), {}).get(c.get("VpnConnectionId")))
            c["NetStatus"] = "AVAILABLE" if up else "UNAVAILABLE"
        return result

    def heal(self, store) -> list[str]:
        """Restart the supervisors of gateways whose namespaces still exist but whose
        supervisor is gone (killed, or its process table was cleared). Returns their IDs."""
        with store.snapshot() as tx:
            gateways = tx.dp_list("gateway")
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
            with store.transaction() as tx:
                cur = tx.dp_get("gateway", gid)
                if cur is not None:
                    tx.dp_put("gateway", gid, {**cur, "supervisor_pid": pid})
            healed.append(gid)
        return healed

    # -- VPC and subnets -------------------------------------------------------------------
    def _on_CreateVpc(self, tx, params: dict, result: dict) -> None:
        ensure_router(self.lab, tx, result["Vpc"]["VpcId"])

    def _on_DeleteVpc(self, tx, params: dict, result: dict) -> None:
        vpc_id = params["VpcId"]
        ns = self.lab.existing(vpc_role(vpc_id))
        if ns is not None:
            ns.delete()
        _forget_namespace(self.lab, vpc_role(vpc_id))
        for rid, rec in tx.dp_list("rtb").items():
            if rec.get("vpc_id") == vpc_id:
                tx.dp_delete("rtb", rid)
        tx.dp_delete("vpc", vpc_id)

    def _on_CreateSubnet(self, tx, params: dict, result: dict) -> None:
        subnet = result["Subnet"]
        try:
            ensure_subnet_host(self.lab, tx, subnet)
            sync_vpc_routing(self.lab, tx, subnet["VpcId"])
        except Exception:
            remove_subnet_host(self.lab, tx, subnet["SubnetId"])
            raise

    def _on_DeleteSubnet(self, tx, params: dict, result: dict) -> None:
        rec = tx.dp_get("subnet", params["SubnetId"])
        remove_subnet_host(self.lab, tx, params["SubnetId"])
        if rec:
            sync_vpc_routing(self.lab, tx, rec["vpc_id"])

    # -- route tables: every change re-syncs the VPC router --------------------------------
    def _sync_for_rtb(self, tx, rtb_id: str) -> None:
        rtb = tx.get("rtb", rtb_id)
        vpc_id = rtb["VpcId"] if rtb else (tx.dp_get("rtb", rtb_id) or {}).get("vpc_id")
        if vpc_id:
            sync_vpc_routing(self.lab, tx, vpc_id)

    def _on_CreateRouteTable(self, tx, params: dict, result: dict) -> None:
        self._sync_for_rtb(tx, result["RouteTable"]["RouteTableId"])

    def _on_DeleteRouteTable(self, tx, params: dict, result: dict) -> None:
        self._sync_for_rtb(tx, params["RouteTableId"])

    def _on_ReplaceRouteTableAssociation(self, tx, params: dict, result: dict) -> None:
        self._sync_for_rtb(tx, params["RouteTableId"])

    def _on_CreateRoutes(self, tx, params: dict, result: dict) -> None:
        self._sync_for_rtb(tx, params["RouteTableId"])

    _on_DeleteRoutes = _on_CreateRoutes
    _on_EnableRoutes = _on_CreateRoutes
    _on_DisableRoutes = _on_CreateRoutes

    # -- VPN gateways --------------------------------------------------------------------
    def _on_CreateVpnGateway(self, tx, params: dict, result: dict) -> None:
        gw = result["VpnGateway"]
        if not gw.get("VpcId"):
            return  # CCN gateways have no VPC to join
        try:
            build_gateway(self.lab, tx, gw)
        except Exception:
            remove_gateway(self.lab, tx, gw["VpnGatewayId"])
            raise

    def _on_DeleteVpnGateway(self, tx, params: dict, result: dict) -> None:
        remove_gateway(self.lab, tx, params["VpnGatewayId"])

    # -- VPN connections -----------------------------------------------------------------
    def _on_CreateVpnConnection(self, tx, params: dict, result: dict) -> None:
        conn = result["VpnConnection"]
        try:
            load_connection(self.lab, tx, conn["VpnConnectionId"])
        except Exception:
            try:  # the action is rolled back: leave no half-loaded tunnel in the charons
                unload_connection(self.lab, tx, conn["VpnConnectionId"], conn["VpnGatewayId"])
            except Exception:  # noqa: BLE001 - the original error is the one to report
                pass
            raise

    def _on_ModifyVpnConnectionAttribute(self, tx, params: dict, result: dict) -> None:
        load_connection(self.lab, tx, params["VpnConnectionId"])

    def _on_DeleteVpnConnection(self, tx, params: dict, result: dict) -> None:
        unload_connection(self.lab, tx, params["VpnConnectionId"], params["VpnGatewayId"])


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


def ensure_router(lab: Lab, tx, vpc_id: str) -> Namespace:
    """The VPC's router namespace (forwarding on), created if missing."""
    ns = lab.namespace(vpc_role(vpc_id))
    ns.sysctl("net.ipv4.ip_forward", "1")
    if tx.dp_get("vpc", vpc_id) is None:
        vpc = tx.get("vpc", vpc_id) or {}
        tx.dp_put("vpc", vpc_id, {"namespace": ns.name, "cidr": vpc.get("CidrBlock", "")})
    return ns


def ensure_subnet_host(lab: Lab, tx, subnet: dict) -> None:
    sid, vpc_id, cidr = subnet["SubnetId"], subnet["VpcId"], subnet["CidrBlock"]
    net = ipaddress.IPv4Network(cidr, strict=False)
    router = ensure_router(lab, tx, vpc_id)
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
    tx.dp_put("subnet", sid, {**info, "router_if": router_if})


def remove_subnet_host(lab: Lab, tx, subnet_id: str) -> None:
    ns = lab.existing(host_role(subnet_id))
    if ns is not None:
        ns.delete()  # the veth pair goes with it
    _forget_namespace(lab, host_role(subnet_id))
    lab.forget_host(host_role(subnet_id))
    tx.dp_delete("subnet", subnet_id)


# -- routing ----------------------------------------------------------------------------

def _json(cp: subprocess.CompletedProcess) -> list:
    if cp.returncode != 0 or not cp.stdout.strip():
        return []
    return json.loads(cp.stdout)


def _net(dst: str) -> str:
    return str(ipaddress.IPv4Network(dst, strict=False))


def route_table_number(tx, rtb_id: str, vpc_id: str) -> int:
    rec = tx.dp_get("rtb", rtb_id)
    if rec is None:
        rec = {"vpc_id": vpc_id,
               "table": tx.next_counter("dp_route_table", topology.FIRST_TABLE)}
        tx.dp_put("rtb", rtb_id, rec)
    return int(rec["table"])


def desired_routing(tx, vpc_id: str) -> tuple[dict[int, dict[str, str]], set[tuple[str, int]]]:
    """(table → {destination: next hop}, {(subnet CIDR, table)}) for the VPC's router:
    each VPN route goes to its gateway's active side; each subnet looks up its table."""
    tables: dict[int, dict[str, str]] = {}
    numbers: dict[str, int] = {}
    for rtb in tx.list("rtb", vpc_id=vpc_id):
        n = route_table_number(tx, rtb["RouteTableId"], vpc_id)
        numbers[rtb["RouteTableId"]] = n
        routes = tables.setdefault(n, {})
        # each route entry is a row of its own (older stores: inside the table)
        entries = (rtb.get("RouteSet") or []) + tx.list_by("route", "RouteTableId",
                                                           rtb["RouteTableId"])
        for r in entries:
            if r.get("GatewayType") != "VPN" or not r.get("Enabled", True):
                continue
            gw = tx.dp_get("gateway", r["GatewayId"])
            if gw is None:
                continue
            routes[_net(r["DestinationCidrBlock"])] = gw["sides"][gw["active"]]["lan_ip"]
    rules = {(_net(s["CidrBlock"]), numbers[s["RouteTableId"]])
             for s in tx.list("subnet", vpc_id=vpc_id) if s["RouteTableId"] in numbers}
    return tables, rules


def sync_vpc_routing(lab: Lab, tx, vpc_id: str) -> None:
    """Make the VPC router's tables and rules match the route tables (diff, not flush)."""
    router = lab.existing(vpc_role(vpc_id))
    if router is None:
        return
    tables, rules = desired_routing(tx, vpc_id)
    ours = {int(r["table"]) for r in tx.dp_list("rtb").values() if r.get("vpc_id") == vpc_id}
    for gone in [rid for rid, r in tx.dp_list("rtb").items()
                 if r.get("vpc_id") == vpc_id and tx.get("rtb", rid) is None]:
        tx.dp_delete("rtb", gone)
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


def build_gateway(lab: Lab, tx, gw: dict) -> dict:
    gid, vpc_id, public_ip = gw["VpnGatewayId"], gw["VpcId"], gw["PublicIpAddress"]
    vpc = tx.get("vpc", vpc_id) or {}
    router = ensure_router(lab, tx, vpc_id)
    index = tx.next_counter("dp_gateway_index", 0)
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
    tx.dp_put("gateway", gid, rec)
    rec["supervisor_pid"] = start_supervisor(lab, gid)
    tx.dp_put("gateway", gid, rec)
    return rec


def remove_gateway(lab: Lab, tx, gateway_id: str) -> None:
    stop_supervisor(lab, gateway_id)
    for side in topology.SIDES:
        role = gateway_role(gateway_id, side)
        lab.charon(role).stop()
        ns = lab.existing(role)
        if ns is not None:
            ns.delete()
        _forget_namespace(lab, role)
    for cid, rec in tx.dp_list("conn").items():
        if rec.get("gateway_id") == gateway_id:
            tx.dp_delete("conn", cid)
    tx.dp_delete("gateway", gateway_id)


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

def connection_config(tx, conn_id: str, *, allocate: bool = False) -> tuple[dict, dict, dict]:
    """(VICI connection, VICI shared secret, record) of a stored tunnel; reqids come from
    the record (``allocate``: give new children one, drop those of removed policies)."""
    conn = tx.get("vpnx", conn_id)
    if conn is None:
        raise DataplaneError(f"VPN connection {conn_id} does not exist")
    gw = tx.get("vpngw", conn["VpnGatewayId"]) or {}
    cgw = tx.get("cgw", conn["CustomerGatewayId"]) or {}
    rec = tx.dp_get("conn", conn_id) or {"gateway_id": conn["VpnGatewayId"], "reqids": {}}
    if allocate:
        names = [name for name, _, _ in proposals.children_of(conn)]
        reqids = {n: r for n, r in rec["reqids"].items() if n in names}
        for name in names:
            if name not in reqids:
                reqids[name] = tx.next_counter(f"dp_reqid:{conn['VpnGatewayId']}", 1)
        rec = {**rec, "reqids": reqids}
    model = proposals.connection(conn, gateway_ip=gw["PublicIpAddress"],
                                 customer_ip=cgw.get("IpAddress", ""), reqids=rec["reqids"])
    secret = proposals.shared_secret(conn, gateway_ip=gw["PublicIpAddress"],
                                     customer_ip=cgw.get("IpAddress", ""))
    return model, secret, rec


def load_connection(lab: Lab, tx, conn_id: str) -> None:
    """(Re)load a tunnel into both charons of its gateway (a dead one is skipped: the
    supervisor reloads it when it restarts it)."""
    conn = tx.get("vpnx", conn_id)
    problems = proposals.problems_of(conn) if conn else []
    if problems:
        raise proposals.ProposalError(problems)
    gw_rec = tx.dp_get("gateway", conn["VpnGatewayId"]) if conn else None
    if gw_rec is None:
        return
    model, secret, rec = connection_config(tx, conn_id, allocate=True)
    previous = rec.get("config_hash")
    rec["config_hash"] = hashlib.sha256(json.dumps([model, secret], sort_keys=True)
                                        .encode()).hexdigest()
    tx.dp_put("conn", conn_id, rec)
    for side in topology.SIDES:
        sync_anchors(lab, tx, gw_rec["gateway_id"], side)
        charon = lab.charon(gateway_role(gw_rec["gateway_id"], side))
        if charon.alive():
            vicictl.load(charon.vici_path, model, secret)
            if previous and previous != rec["config_hash"]:
                # A changed tunnel renegotiates: SAs of the old config would linger (and
                # share the child's reqid); traffic activates the new one.
                vicictl.terminate(charon.vici_path, conn_id)


def unload_connection(lab: Lab, tx, conn_id: str, gateway_id: str) -> None:
    for side in topology.SIDES:
        charon = lab.charon(gateway_role(gateway_id, side))
        if charon.alive():
            vicictl.unload(charon.vici_path, conn_id, f"psk-{conn_id}")
    tx.dp_delete("conn", conn_id)
    for side in topology.SIDES:
        sync_anchors(lab, tx, gateway_id, side)


def sync_anchors(lab: Lab, tx, gateway_id: str, side: str) -> None:
    """Give the gateway side one address inside each SPD local range of its tunnels (see
    topology.ts_anchor), on a veth pair of its own so no neighbour ever sees them."""
    ns = lab.existing(gateway_role(gateway_id, side))
    if ns is None:
        return
    want = set()
    for conn in tx.list_by("vpnx", "VpnGatewayId", gateway_id):
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


def load_all_connections(lab: Lab, tx, gateway_id: str, side: str) -> int:
    """Load every tunnel of the gateway into one side's charon (after a restart)."""
    charon = lab.charon(gateway_role(gateway_id, side))
    n = 0
    for conn in tx.list_by("vpnx", "VpnGatewayId", gateway_id):
        model, secret, _ = connection_config(tx, conn["VpnConnectionId"])
        vicictl.load(charon.vici_path, model, secret)
        n += 1
    return n


def children_by_reqid(tx, gateway_id: str) -> dict[int, tuple[str, str]]:
    """reqid → (connection name, child name) for the gateway's tunnels."""
    out = {}
    for cid, rec in tx.dp_list("conn").items():
        if rec.get("gateway_id") == gateway_id:
            for child, reqid in rec.get("reqids", {}).items():
                out[int(reqid)] = (cid, child)
    return out
