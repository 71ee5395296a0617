"""What Cloud Monitor reads of a real tunnel: the ESP byte and packet counters of its
installed child SAs on the gateway's active charon (VICI list-sas), whether it is up,
and a ping through it from the VPC subnet's lab host to the peer range (bounded: a few
echo requests, 0.2 s apart, 2 s timeout)."""

from __future__ import annotations

import ipaddress

COUNTERS = ("bytes_in", "bytes_out", "packets_in", "packets_out")


def subnet_host(workdir: str, local_cidrs: list[str]) -> dict | None:
    """The lab host of a VPC subnet inside one of the SPD's local ranges."""
    from providers.netlab.lab import Lab
    hosts = Lab(workdir).read_record().get("hosts", {})
    for info in hosts.values():
        if info.get("kind") != "subnet-host" or not info.get("cidr"):
            continue
        sub = ipaddress.IPv4Network(info["cidr"], strict=False)
        for local in local_cidrs:
            net = ipaddress.IPv4Network(local, strict=False)
            if sub.subnet_of(net) or net.subnet_of(sub):
                return info
    return None


def measure_tunnel(workdir: str, gateway_id: str, conn_id: str, local_cidrs: list[str],
                   remote_cidrs: list[str], probe_count: int) -> dict | None:
    """{"connected", "counters": {bytes_in, bytes_out, packets_in, packets_out},
    "probe": {"target", "sent", "received", "rtts_ms"} or None}; None when the gateway
    has no strongSwan dataplane here. The probe is sent only while the tunnel is up (so
    measuring never activates it) and when ``probe_count`` > 0."""
    from . import live_status
    live = live_status(workdir, gateway_id, conn_id)
    if live is None:
        return None
    installed = [c for c in live.get("children") or [] if c.get("state") == "INSTALLED"]
    counters = {k: sum(int(c.get(k) or 0) for c in installed) for k in COUNTERS}
    probe = None
    if installed and probe_count > 0 and local_cidrs and remote_cidrs:
        host = subnet_host(workdir, local_cidrs)
        if host is not None:
            from providers.netlab.ns import Namespace, first_host
            probe = Namespace(host["namespace"]).ping(first_host(remote_cidrs[0]), probe_count)
    return {"connected": bool(installed), "counters": counters, "probe": probe}
