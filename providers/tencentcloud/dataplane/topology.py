"""Names and addresses of the emulated cloud's real network (pure: no I/O).

Layout of one working directory's lab (roles; netlab prefixes them ``vf<lab id>-``):

    vpc-<vpc id>             the VPC router: forwards between subnets and gateways
    host-<subnet id>         one host per subnet at the subnet's 10th address; the router
                             holds the subnet's first address as the host's gateway
    gw-<gateway id>-a / -b   the VPN gateway's master and standby, each with a charon, a
                             leg on the simulated internet (inet0) and a veth to the router
                             (lan0); only the active one holds the public IP

Router <-> gateway links are /30s carved from 100.64.0.0/10 (shared address space, never
a VPC range): gateway number n, side a uses the n*2-th /30, side b the next one.
"""

from __future__ import annotations

import hashlib
import ipaddress

TRANSIT = ipaddress.IPv4Network("100.64.0.0/10")
SIDES = ("a", "b")
HOST_INDEX = 10  # the subnet host sits at the subnet's 10th address
ANCHOR_DEVS = ("tsa0", "tsb0")  # a veth pair inside each gateway, holding ts_anchor()s
RULE_PRIORITY = 10000  # priority of the router's "from <subnet> lookup <table>" rules
FIRST_TABLE = 1000  # Linux routing table of the first route table (charon uses 220)


def vpc_role(vpc_id: str) -> str:
    return f"vpc-{vpc_id}"


def host_role(subnet_id: str) -> str:
    return f"host-{subnet_id}"


def gateway_role(gateway_id: str, side: str) -> str:
    return f"gw-{gateway_id}-{side}"


def other_side(side: str) -> str:
    return "b" if side == "a" else "a"


def ifname(*parts: str, prefix: str) -> str:
    """A stable interface name (at most 15 characters) for the link named by ``parts``."""
    return prefix + hashlib.sha256("/".join(parts).encode()).hexdigest()[:10]


def subnet_gateway(cidr: str) -> str:
    """The router's address in a subnet: its first host."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    return str(net.network_address + 1)


def subnet_host(cidr: str) -> str:
    """The subnet host's address: the 10th host, or the last one of a tiny subnet."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    last = net.num_addresses - 2
    return str(net.network_address + max(2, min(HOST_INDEX, last)))


def ts_anchor(cidr: str) -> str | None:
    """An address inside an SPD local range for the gateway to hold: charon's userspace
    IPsec installs a policy's route only with a source address inside the local traffic
    selector. The range's last host; None for a /31 or /32 (no spare address)."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.prefixlen > 30:
        return None
    return str(net.broadcast_address - 1)


def transit_link(index: int, side: str) -> dict:
    """The /30 between the VPC router and gateway side ``side`` of gateway number ``index``."""
    n = index * 2 + SIDES.index(side)
    base = int(TRANSIT.network_address) + 4 * n
    if base + 4 > int(TRANSIT.broadcast_address):
        raise ValueError("no transit addresses left")
    return {"router_ip": str(ipaddress.IPv4Address(base + 1)),
            "lan_ip": str(ipaddress.IPv4Address(base + 2)), "prefix": 30}
