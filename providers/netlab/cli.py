"""``vpnform lab``: a simulated IDC site on this machine, for trying tunnels end to end.

    vpnform lab up [-public-ip=202.108.22.5] [-lan=10.0.1.0/24]
    vpnform lab status [-json]
    vpnform lab fail-gateway ADDRESS      (kill the active charon of a VPN gateway)
    vpnform lab down

The IDC site is an IPsec gateway namespace holding the customer gateway's public IP on
the lab's simulated internet, running a charon (VICI socket
.vpnform/lab/idc-gw/charon.vici, for the strongswan provider or plain swanctl), and an
IDC LAN host with the first address of the IDC range. Nothing is linked to the machine's
own network.
"""

from __future__ import annotations

import ipaddress
import json
import os

from engine.cli.plugin import (ADDRESSES, BOOL, NO_COLOR, VALUE, Diagnostics, Flag,
                               GatewayFailover, UsageError, Verb, command, instance_provider,
                               parse, print_diagnostics, state_instance, usage_text)

from .errors import NetlabError, require_lab_support
from .lab import Lab
from .ns import veth

LAB_UP = Verb(
    "lab up", "Build the simulated IDC site", usage="[options]",
    description="""
        Builds the simulated IDC site: an IPsec gateway namespace holding the customer
        gateway's public IP on the lab's simulated internet, running a charon, and an IDC
        LAN host with the first address of the LAN. Nothing is linked to the machine's own
        network.""",
    flags={"public-ip": Flag(VALUE, "The IDC gateway's public IP. Defaults to "
                             "202.108.22.5.", "=IP"),
           "lan": Flag(VALUE, "The IDC LAN. Defaults to 10.0.1.0/24.", "=CIDR"),
           "no-color": NO_COLOR})
LAB_STATUS = Verb(
    "lab status", "List the lab's namespaces, charons and hosts",
    description="Lists the lab's namespaces, charons and hosts.",
    flags={"json": Flag(BOOL, "Print the lab's record as JSON."), "no-color": NO_COLOR})
LAB_FAIL = Verb(
    "lab fail-gateway", "Kill the active charon of a VPN gateway (failover)",
    usage="ADDRESS", completes=ADDRESSES,
    description="""
        Kills the active charon of the VPN gateway at ADDRESS, such as
        tencentcloud_vpn_gateway.tom, so that its standby takes over.""",
    flags={"no-color": NO_COLOR})
LAB_DOWN = Verb(
    "lab down", "Remove every namespace and process the lab made", usage="",
    description="Removes every namespace and process the lab made.",
    flags={"no-color": NO_COLOR})
LAB = Verb(
    "lab", "A simulated IDC site on this machine (up, down, status, fail-gateway)",
    usage="<subcommand> [options]",
    description="""
        A simulated IDC site on this machine, for trying tunnels end to end. It needs root
        (network namespaces) and strongSwan.""",
    subcommands={"up": LAB_UP, "status": LAB_STATUS, "fail-gateway": LAB_FAIL,
                 "down": LAB_DOWN})

DEFAULT_PUBLIC_IP = "202.108.22.5"
DEFAULT_LAN = "10.0.1.0/24"


@command(LAB)
def cmd_lab(argv: list[str], console) -> int:
    if not argv or argv[0] not in LAB.subcommands:
        console.print(usage_text(LAB), err=bool(argv))
        return 1 if argv else 0
    sub, rest = argv[0], argv[1:]
    args = parse(rest, LAB.subcommands[sub])
    lab = Lab(os.getcwd())
    try:
        require_lab_support()
        if sub == "up":
            return _up(console, lab, args.get("public-ip") or DEFAULT_PUBLIC_IP,
                       args.get("lan") or DEFAULT_LAN)
        if sub == "down":
            removed = lab.down()
            console.print("Removed: " + (", ".join(removed) if removed else "nothing (no lab "
                                                                             "here)"))
            return 0
        if sub == "status":
            return _status(console, lab, bool(args.get("json")))
        if len(args.positional) != 1:
            raise UsageError("lab fail-gateway needs the VPN gateway's address, e.g. "
                             "vpnform lab fail-gateway tencentcloud_vpn_gateway.tom")
        return _fail_gateway(console, lab, args.positional[0])
    except NetlabError as err:
        d = Diagnostics()
        d.error("Lab not available" if sub == "up" else f"lab {sub} failed", str(err))
        print_diagnostics(console, d)
        return 1


def _up(console, lab: Lab, public_ip: str, lan: str) -> int:
    try:
        ipaddress.IPv4Address(public_ip)
        net = ipaddress.IPv4Network(lan, strict=True)
    except ValueError as err:
        raise UsageError(f"lab up: {err}") from None
    hosts = list(net.hosts())
    if len(hosts) < 2:
        raise UsageError(f"lab up: {lan} is too small for a gateway and a host")
    host_ip, gw_lan_ip = hosts[0], hosts[-1]
    gw = lab.namespace("idc-gw")
    host = lab.namespace("idc-lan")
    lab.attach_public(gw, public_ip)
    veth(gw, "lan0", host, "eth0")
    if f"{gw_lan_ip}/{net.prefixlen}" not in gw.addresses("lan0"):
        gw.ip("addr", "add", f"{gw_lan_ip}/{net.prefixlen}", "dev", "lan0")
    if f"{host_ip}/{net.prefixlen}" not in host.addresses("eth0"):
        host.ip("addr", "add", f"{host_ip}/{net.prefixlen}", "dev", "eth0")
    host.ip("route", "replace", "default", "via", str(gw_lan_ip))
    gw.sysctl("net.ipv4.ip_forward", "1")
    charon = lab.charon("idc-gw")
    charon.start()
    lab.remember_host("idc-lan", {"kind": "idc-host", "namespace": host.name,
                                  "address": str(host_ip), "cidr": str(net)})
    lab.remember_host("idc-gw", {"kind": "idc-gateway", "namespace": gw.name,
                                 "public_ip": public_ip, "vici": charon.uri})
    rel_vici = os.path.relpath(charon.link_path, lab.workdir)
    console.print(f"Lab {lab.id} is up:")
    console.print(f"  IDC gateway  {gw.name}: public IP {public_ip} on the simulated internet,"
                  f" LAN {gw_lan_ip}/{net.prefixlen}")
    console.print(f"  charon       VICI socket unix://{rel_vici}")
    console.print(f"  IDC host     {host.name}: {host_ip}")
    console.print("Point the strongswan provider at it with  vici_socket = "
                  f"\"unix://{rel_vici}\"")
    return 0


def _status(console, lab: Lab, as_json: bool) -> int:
    rows = lab.status()
    record = lab.read_record()
    if as_json:
        console.print(json.dumps({"lab": lab.id, "namespaces": rows,
                                  "hosts": record.get("hosts", {}),
                                  "processes": record.get("processes", {})}, indent=2))
        return 0
    if not rows:
        console.print("No lab here. Build one with: vpnform lab up")
        return 0
    console.print(f"Lab {lab.id} ({lab.dir})")
    for r in rows:
        charon = f"charon pid {r['charon_pid']}" if r["charon_pid"] else "no charon"
        console.print(f"  {r['namespace']:<32} {'up' if r['exists'] else 'missing':<8} "
                      f"{charon}")
    for name, info in sorted(record.get("hosts", {}).items()):
        if info.get("address"):
            console.print(f"  host {name:<27} {info['address']}")
    for name, pid in sorted(record.get("processes", {}).items()):
        console.print(f"  process {name:<24} pid {pid}")
    return 0


def _fail_gateway(console, lab: Lab, address: str) -> int:
    """Through the provider that manages the gateway (engine.providers.GatewayFailover):
    the lab knows namespaces and charons, not whose gateway they make."""
    inst = state_instance(lab.workdir, address)
    provider = instance_provider(lab.workdir, inst) if inst is not None else None
    if not isinstance(provider, GatewayFailover):
        raise UsageError(f"{address} is not a tencentcloud_vpn_gateway in the state.")
    try:
        info, d = provider.fail_gateway(inst.type, inst.attributes)
    finally:
        provider.close()
    print_diagnostics(console, d)
    if info is None:
        return 1
    console.print(f"Killed the active charon of {address} ({inst.attributes['id']}): "
                  f"{info}. The standby takes over the public IP; watch with "
                  "vpnform tunnel status.")
    return 0
