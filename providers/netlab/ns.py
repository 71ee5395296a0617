"""Network namespaces and the veth links between them, through iproute2."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import subprocess

from .errors import NetlabError


def run(args: list[str], *, check: bool = True, timeout: float = 30,
        input: str | None = None) -> subprocess.CompletedProcess:
    try:
        res = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input)
    except FileNotFoundError as err:
        raise NetlabError(f"{args[0]} is not installed: {err}") from None
    except subprocess.TimeoutExpired:
        raise NetlabError(f"{' '.join(args)} did not finish within {timeout:.0f} s") from None
    if check and res.returncode != 0:
        raise NetlabError(f"{' '.join(args)} failed: {(res.stderr or res.stdout).strip()}")
    return res


def short_name(*parts: str, prefix: str = "v") -> str:
    """An interface name (at most 15 characters) derived from ``parts``."""
    return prefix + hashlib.sha256("/".join(parts).encode()).hexdigest()[:10]


def first_host(cidr: str) -> str:
    """The first usable address of a range (the network address of a /31 or /32)."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    return str(next(net.hosts())) if net.num_addresses > 2 else str(net.network_address)


def list_namespaces() -> list[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


class Namespace:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Namespace({self.name!r})"

    def exists(self) -> bool:
        return self.name in list_namespaces()

    def create(self) -> "Namespace":
        if not self.exists():
            run(["ip", "netns", "add", self.name])
        self.ip("link", "set", "lo", "up")
        return self

    def delete(self) -> None:
        for pid in self.pids():
            run(["kill", "-9", str(pid)], check=False)
        if self.exists():
            run(["ip", "netns", "del", self.name], check=False)

    def pids(self) -> list[int]:
        out = run(["ip", "netns", "pids", self.name], check=False).stdout
        return [int(p) for p in out.split() if p.isdigit()]

    def ip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(["ip", "-n", self.name, *args], check=check)

    def exec(self, *args: str, check: bool = True, timeout: float = 30,
             input: str | None = None) -> subprocess.CompletedProcess:
        return run(["ip", "netns", "exec", self.name, *args], check=check, timeout=timeout,
                   input=input)

    def sysctl(self, key: str, value: str) -> None:
        self.exec("sysctl", "-qw", f"{key}={value}")

    def ping(self, target: str, count: int) -> dict:
        """Ping ``target`` from this namespace: {"target", "sent", "received", "rtts_ms"}."""
        res = self.exec("ping", "-c", str(count), "-i", "0.2", "-W", "2", target, check=False,
                        timeout=10 + 3 * count)
        rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", res.stdout)]
        m = re.search(r"(\d+) packets transmitted, (\d+) received", res.stdout)
        return {"target": target, "sent": int(m.group(1)) if m else count,
                "received": int(m.group(2)) if m else len(rtts), "rtts_ms": rtts}

    def has_link(self, name: str) -> bool:
        return self.ip("link", "show", name, check=False).returncode == 0

    def addresses(self, dev: str) -> list[str]:
        out = self.ip("-o", "-4", "addr", "show", "dev", dev, check=False).stdout
        return [line.split()[3] for line in out.splitlines() if len(line.split()) > 3]


def veth(a: Namespace, a_name: str, b: Namespace, b_name: str) -> None:
    """A veth pair with one end in each namespace (created inside ``a``: never in the
    machine's own namespace)."""
    if a.has_link(a_name):
        return
    a.ip("link", "add", a_name, "type", "veth", "peer", "name", b_name, "netns", b.name)
    a.ip("link", "set", a_name, "up")
    b.ip("link", "set", b_name, "up")
