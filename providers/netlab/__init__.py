"""Simulated hosts on this machine: network namespaces, veth links and strongSwan charons.

Used by ``vpnform lab`` (a simulated IDC site), by the emulated cloud's real dataplane
(one charon per VPN gateway) and by tests. Every namespace made here is linked only to
other namespaces made here — never to the machine's own network namespace — and every
namespace and process is recorded in the lab record under ``.vpnform/lab/`` so that
``lab down`` removes them all.
"""

from .errors import NetlabError, require_lab_support

__all__ = ["NetlabError", "require_lab_support"]
