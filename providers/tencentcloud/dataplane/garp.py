"""Announce that an IPv4 address now lives on this host (gratuitous ARP), so the peers on
the simulated internet re-learn its MAC at once after a failover moved it.

    ip netns exec <ns> python -m providers.tencentcloud.dataplane.garp <dev> <address>
"""

from __future__ import annotations

import socket
import struct
import sys


def frame(mac: bytes, ip: str, op: int) -> bytes:
    addr = socket.inet_aton(ip)
    target_mac = b"\x00" * 6 if op == 1 else b"\xff" * 6
    return (b"\xff" * 6 + mac + struct.pack("!H", 0x0806)
            + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + addr + target_mac + addr)


def announce(dev: str, ip: str) -> None:
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((dev, 0))
        mac = s.getsockname()[4]
        for op in (1, 2):  # a request and a reply: Linux peers take either
            s.send(frame(mac, ip, op))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: garp DEV ADDRESS", file=sys.stderr)
        return 2
    announce(argv[0], argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
