"""What the lab needs from this machine, and the one error it raises."""

from __future__ import annotations

import os
import shutil

CHARON = "/usr/lib/ipsec/charon"
INSTALL_HINT = ("apt-get install strongswan-charon strongswan-swanctl libcharon-extra-plugins "
                "libstrongswan-extra-plugins iproute2 iputils-ping")


class NetlabError(Exception):
    """A lab operation failed; the message says what to do."""


def require_lab_support() -> None:
    """Raise NetlabError unless this process can build namespaces and run charons."""
    if os.geteuid() != 0:
        raise NetlabError("The lab needs root: it creates network namespaces and runs "
                          "strongSwan's charon in them. Run the command as root.")
    missing = [tool for tool in ("ip", "ping", "unshare", "mount") if shutil.which(tool) is None]
    if not os.path.exists(CHARON):
        missing.append(CHARON)
    if missing:
        raise NetlabError(f"The lab needs {', '.join(missing)}, which this machine does not "
                          f"have. Install them with: {INSTALL_HINT}")
    if not os.path.exists("/dev/net/tun"):
        raise NetlabError("The lab needs /dev/net/tun (strongSwan's userspace IPsec runs over "
                          "a TUN device), which this machine does not have.")
