"""Two IPsec sites on a simulated internet, for the strongSwan provider's live tests
(a unique module name, imported by the tests of this directory).

    hosta 10.10.0.10 ── 10.10.0.1 gwa 198.18.0.10 ══ inet ══ 202.108.22.5 gwb 10.20.0.1 ── hostb 10.20.0.10

Each gateway namespace runs its own charon (kernel-libipsec, own VICI socket); the hosts
route through their gateway. ``down`` removes everything and checks that nothing is left.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.providers import ApplyRequest, PlanRequest
from engine.values import unmark
from providers.netlab.errors import NetlabError, require_lab_support
from providers.netlab.lab import Lab
from providers.netlab.ns import list_namespaces, veth
from providers.strongswan.provider import StrongSwanProvider

TYPE = "strongswan_connection"

# netlab's Charon.start() lets go of the Popen of the charon it leaves running, so Python
# warns "subprocess … is still running" when that object is collected. Live test modules
# set this mark (pytestmark); the charon itself is stopped by Lab.down().
CHARON_POPEN_WARNING = pytest.mark.filterwarnings(
    "ignore:subprocess [0-9]+ is still running:ResourceWarning")

# Aggressive Mode PSK is refused by a strongSwan responder unless this is set.
AGGRESSIVE_PSK_SETTING = """
# added by the strongSwan provider tests: accept IKEv1 Aggressive Mode with a PSK
charon {
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
}
"""


def lab_support_problem() -> str | None:
    """Why the live tests cannot run here, or None."""
    try:
        require_lab_support()
    except NetlabError as err:
        return f"strongSwan live tests need the lab: {err}"
    return None


@dataclass(frozen=True)
class Site:
    role: str
    public_ip: str
    lan_gw: str
    lan_net: str
    host_ip: str


SITE_A = Site("gwa", "198.18.0.10", "10.10.0.1", "10.10.0.0/24", "10.10.0.10")
SITE_B = Site("gwb", "202.108.22.5", "10.20.0.1", "10.20.0.0/24", "10.20.0.10")


class TwoSites:
    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.lab = Lab(str(workdir))
        self.pids: list[int] = []

    def build(self, hosts: bool = True) -> "TwoSites":
        for site in (SITE_A, SITE_B):
            gw = self.lab.namespace(site.role)
            self.lab.attach_public(gw, site.public_ip)
            if hosts:
                host = self.lab.namespace("host" + site.role[-1])
                veth(gw, "lan0", host, "eth0")
                gw.ip("addr", "add", f"{site.lan_gw}/24", "dev", "lan0")
                host.ip("addr", "add", f"{site.host_ip}/24", "dev", "eth0")
                host.ip("route", "add", "default", "via", site.lan_gw)
                gw.sysctl("net.ipv4.ip_forward", "1")
            charon = self.lab.charon(site.role)
            charon.start()
            with open(charon.conf_path, "a") as fh:
                fh.write(AGGRESSIVE_PSK_SETTING)
            with charon.session() as s:
                s.reload_settings()
            pid = charon.pid()
            if pid is not None:
                self.pids.append(pid)
        return self

    def charon(self, role: str):
        return self.lab.charon(role)

    def socket_uri(self, role: str, relative: bool = False) -> str:
        path = self.lab.charon(role).link_path
        if relative:
            return "unix://" + os.path.relpath(path, self.workdir)
        return "unix://" + path

    def provider(self, role: str, relative: bool = False) -> StrongSwanProvider:
        p = StrongSwanProvider(workdir=str(self.workdir))
        diags = p.configure({"vici_socket": self.socket_uri(role, relative)})
        assert not diags.has_errors, list(diags)
        return p

    def wait_installed(self, name: str, roles=("gwa", "gwb"), timeout: float = 5.0) -> bool:
        """Wait until connection ``name`` has an installed CHILD_SA on every gateway in
        ``roles`` (an IKEv1 responder installs its SA only on Quick Mode's last message)."""
        from providers.swankit import status
        deadline = time.monotonic() + timeout
        while True:
            ready = True
            for role in roles:
                with self.charon(role).session() as s:
                    st = status.sa_status(s, name)
                ready = ready and any(c["state"] == "INSTALLED" for sa in st["ike_sas"]
                                      for c in sa["children"])
            if ready:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def ping(self, from_site: Site, to_site: Site, count: int = 1, wait: int = 2) -> bool:
        host = self.lab.existing("host" + from_site.role[-1])
        assert host is not None
        res = host.exec("ping", "-c", str(count), "-i", "0.2", "-W", str(wait), to_site.host_ip,
                        check=False, timeout=10)
        return res.returncode == 0

    def down(self) -> None:
        """Remove the lab, then check no namespace of it and no charon it started remain."""
        self.lab.down()
        left = [n for n in list_namespaces() if n.startswith(self.lab.prefix)]
        alive = [pid for pid in self.pids if _is_charon(pid)]
        assert not left, f"namespaces left behind: {left}"
        assert not alive, f"charon processes left behind: {alive}"


def _is_charon(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"charon" in fh.read()
    except OSError:
        return False


# ---------------------------------------------------------------------------------------
# driving the provider the way the engine does


def blank_config(**values) -> dict:
    cfg = {n: None for n in StrongSwanProvider().schema().resources[TYPE].block.attributes}
    cfg["child"] = []
    cfg.update(values)
    return cfg


def child(name: str = "net", **values) -> dict:
    c = {n: None for n in ("name", "local_ts", "remote_ts", "esp_proposals", "start_action",
                           "dpd_action", "close_action", "life_time", "rekey_time",
                           "rekey_bytes", "reqid")}
    c["name"] = name
    c.update(values)
    return c


def site_config(conn_name: str, me: Site, peer: Site, psk: str = "vpnform-test-psk-1", *,
                child_values: dict | None = None, **values) -> dict:
    """A connection from ``me`` to ``peer`` protecting their LANs (``values`` override)."""
    c = child("net", local_ts=[me.lan_net], remote_ts=[peer.lan_net])
    c.update(child_values or {})
    base = dict(name=conn_name, local_addrs=[me.public_ip], remote_addrs=[peer.public_ip],
                psk=psk, child=[c])
    base.update(values)
    return blank_config(**base)


def same_value(a, b) -> bool:
    return unmark(a)[0] == unmark(b)[0]


class Driver:
    """validate → plan → apply through the Provider protocol, asserting no errors."""

    def __init__(self, provider: StrongSwanProvider):
        self.p = provider

    def plan(self, prior, config):
        d = self.p.validate(TYPE, config)
        assert not d.has_errors, list(d)
        return self.p.plan(PlanRequest(TYPE, f"{TYPE}.x", prior, config))

    def apply(self, prior, config):
        planned = self.plan(prior, config)
        assert not planned.diagnostics.has_errors, list(planned.diagnostics)
        res = self.p.apply(ApplyRequest(TYPE, f"{TYPE}.x", prior, planned.planned, config))
        return planned, res

    def create(self, config):
        _, res = self.apply(None, config)
        assert not res.diagnostics.has_errors, list(res.diagnostics)
        assert res.new is not None
        return res.new

    def update(self, prior, config):
        planned, res = self.apply(prior, config)
        assert not planned.requires_replace, planned.requires_replace
        assert not res.diagnostics.has_errors, list(res.diagnostics)
        return res.new

    def delete(self, prior):
        res = self.p.apply(ApplyRequest(TYPE, f"{TYPE}.x", prior, None, None))
        assert not res.diagnostics.has_errors, list(res.diagnostics)
        assert res.new is None

    def read(self, value):
        res = self.p.read(TYPE, value)
        assert not res.diagnostics.has_errors, list(res.diagnostics)
        return res.value

    def no_drift(self, state, config) -> bool:
        """Would a plan after refresh be a no-op?"""
        refreshed = self.read(state)
        if refreshed is None:
            return False
        planned = self.plan(refreshed, config)
        return not planned.requires_replace and same_value(planned.planned, refreshed)
