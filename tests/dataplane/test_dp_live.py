"""The quick start on a real dataplane, through the ``vpnform`` CLI: apply with
``dataplane = "strongswan"``, an IDC site configured only from the downloaded swanctl.conf,
activation by the first ping, NetStatus, failover with no vpnform command, and a teardown
that leaves no namespace and no process. Needs root, charon and swanctl (else skipped)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from dp_support import (
    GOLDEN_DIR,
    first_reply,
    lab_processes,
    lab_support_problem,
    namespaces_with_prefix,
    ping_ok,
    quickstart_with_dataplane,
    vpnform,
)

pytestmark = [
    pytest.mark.skipif(bool(lab_support_problem()), reason=lab_support_problem() or ""),
    # netlab starts the IDC charon with a Popen it does not keep: not a leak, a daemon
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

IDC_PUBLIC_IP = "202.108.22.5"  # the quick start's customer gateway
IDC_LAN = "10.0.1.0/24"
IDC_HOST = "10.0.1.1"  # the guide pings 10.0.1.1
IDC_GW_LAN = "10.0.1.254"
STRONGSWAN = {"Platform": "strongswan", "SoftwareVersion": "5.9", "VendorName": "strongswan"}


def build_idc_site(lab):
    """The IDC: a gateway namespace holding the customer gateway's public IP, a charon,
    and a LAN host behind it. Nothing of vpnform runs here."""
    from providers.netlab.ns import veth
    gw, host = lab.namespace("idc-gw"), lab.namespace("idc-lan")
    lab.attach_public(gw, IDC_PUBLIC_IP)
    veth(gw, "lan0", host, "eth0")
    gw.ip("addr", "add", f"{IDC_GW_LAN}/24", "dev", "lan0")
    host.ip("addr", "add", f"{IDC_HOST}/24", "dev", "eth0")
    host.ip("route", "replace", "default", "via", IDC_GW_LAN)
    gw.sysctl("net.ipv4.ip_forward", "1")
    charon = lab.charon("idc-gw")
    charon.start()
    return charon


def swanctl_load(path, charon) -> str:
    res = subprocess.run(["swanctl", "--load-all", "--file", str(path), "--uri", charon.uri],
                         capture_output=True, text=True, timeout=30, check=False)
    assert res.returncode == 0 and "successfully loaded 1 connections" in res.stdout, res
    return res.stdout


class Cloud:
    """The working directory's emulated cloud, read from this process (Describe calls only)."""

    def __init__(self, workdir):
        from providers.tencentcloud.dataplane import Dataplane
        from providers.tencentcloud.emulator import EmulatedVpcService
        self.svc = EmulatedVpcService.for_workdir(workdir, dataplane=Dataplane(str(workdir)))

    def call(self, action, **params):
        body = self.svc.call(action, params, "ap-guangzhou")
        assert "Error" not in body, body
        return body

    def close(self):
        self.svc.store.close()


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    from providers.netlab.lab import Lab
    workdir = quickstart_with_dataplane(tmp_path_factory.mktemp("dp") / "quickstart")
    lab = Lab(str(workdir))
    state = {"destroyed": False}

    def teardown():
        keep = os.environ.get("VPNFORM_DP_KEEP_LOGS")  # a directory to copy the lab's logs to
        if keep and os.path.isdir(lab.dir):
            shutil.copytree(lab.dir, os.path.join(keep, f"{workdir.name}-{int(time.time())}"),
                            dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.vici"))
        try:
            if not state["destroyed"]:
                vpnform(workdir, "destroy", "-auto-approve", "-no-color")
        finally:
            try:
                lab.down()
            finally:
                for pid, _ in lab_processes(str(workdir)):  # only ours, by pid
                    try:
                        os.kill(pid, 9)
                    except ProcessLookupError:
                        pass
    request.addfinalizer(teardown)  # before anything is built: a half-built lab goes too
    idc = build_idc_site(lab)
    res = vpnform(workdir, "init", "-no-color")
    assert res.returncode == 0, res
    return {"workdir": workdir, "lab": lab, "idc": idc, "state": state}


def test_quickstart_activation_failover_and_teardown(site):
    from providers.tencentcloud.dataplane import fail_gateway, gateway_status
    from providers.tencentcloud.dataplane.network import installed_children
    from providers.tencentcloud.dataplane.topology import gateway_role
    workdir, lab, idc = site["workdir"], site["lab"], site["idc"]

    res = vpnform(workdir, "apply", "-auto-approve", "-no-color")
    apply_end = time.time()
    assert res.returncode == 0, res
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in res.stdout

    cloud = Cloud(workdir)
    try:
        conn = cloud.call("DescribeVpnConnections")["VpnConnectionSet"][0]
        gw_id, conn_id = conn["VpnGatewayId"], conn["VpnConnectionId"]
        assert conn["NetStatus"] == "UNAVAILABLE"  # not activated yet
        subnet_host = next(h for h in lab.read_record()["hosts"].values()
                           if h.get("kind") == "subnet-host")
        assert subnet_host["address"] == "192.168.1.10"

        # The IDC side: the downloaded file, loaded with plain swanctl (and the richer
        # golden file first, to prove that one loads as well).
        swanctl_load(GOLDEN_DIR / "two-policies.swanctl.conf", idc)
        config = cloud.call("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw_id,
                            VpnConnectionId=conn_id, CustomerGatewayVendor=STRONGSWAN,
                            InterfaceName="eth0")["CustomerGatewayConfiguration"]
        conf_path = workdir / "idc-swanctl.conf"
        conf_path.write_text(config)
        swanctl_load(conf_path, idc)

        # Activation: the first ping from the VPC subnet's host brings the tunnel up.
        reply = first_reply(subnet_host["namespace"], IDC_HOST)
        assert reply is not None, "the tunnel never came up"
        activation = reply - apply_end
        print(f"\nactivation: first ping reply {activation:.2f} s after apply ended")
        received, out = ping_ok(subnet_host["namespace"], IDC_HOST)
        assert received == 3, out

        conn = cloud.call("DescribeVpnConnections", VpnConnectionIds=[conn_id])[
            "VpnConnectionSet"][0]
        assert conn["NetStatus"] == "AVAILABLE"
        cloud_side = lab.charon(gateway_role(gw_id, "a"))
        before = {"cloud": installed_children(cloud_side.client())[conn_id],
                  "idc": installed_children(idc.client())[conn_id]}
        assert ping_ok(subnet_host["namespace"], IDC_HOST)[0] == 3
        after = {"cloud": installed_children(cloud_side.client())[conn_id],
                 "idc": installed_children(idc.client())[conn_id]}
        for side in ("cloud", "idc"):
            for counter in ("bytes_in", "bytes_out"):
                a = sum(c[counter] for c in after[side].values())
                b = sum(c[counter] for c in before[side].values())
                assert a > b > 0, (side, counter, before, after)

        # A reset (ResetVpnConnection) closes the tunnel's SAs; the next traffic
        # renegotiates it: a new IKE SA.
        def ike_ids() -> set:
            return {v["uniqueid"] for sa in cloud_side.client().list_sas(conn_id)
                    for v in sa.values()}
        old_ids = ike_ids()
        assert old_ids
        cloud.call("ResetVpnConnection", VpnGatewayId=gw_id, VpnConnectionId=conn_id)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and installed_children(cloud_side.client()).get(conn_id):
            time.sleep(0.1)
        assert not installed_children(cloud_side.client()).get(conn_id)
        assert first_reply(subnet_host["namespace"], IDC_HOST) is not None, "no renegotiation"
        assert ike_ids() and not ike_ids() & old_ids

        # Failover: kill the master's charon; no vpnform command from here on.
        failed = fail_gateway(str(workdir), gw_id)
        t_fail = time.time()
        assert failed.side == "a" and failed.pid
        reply = first_reply(subnet_host["namespace"], IDC_HOST)
        assert reply is not None, "the tunnel did not come back after the failover"
        print(f"failover: first ping reply {reply - t_fail:.2f} s after the master's charon "
              "was killed")
        assert ping_ok(subnet_host["namespace"], IDC_HOST)[0] == 3
        status = gateway_status(str(workdir), gw_id)
        assert status["active"] == "b" and status["failovers"] == 1
        assert status["supervisor_pid"]
        a_ns = lab.existing(gateway_role(gw_id, "a"))
        b_ns = lab.existing(gateway_role(gw_id, "b"))
        assert f"{status['public_ip']}/32" in b_ns.addresses("inet0")
        assert f"{status['public_ip']}/32" not in a_ns.addresses("inet0")
        conn = cloud.call("DescribeVpnConnections", VpnConnectionIds=[conn_id])[
            "VpnConnectionSet"][0]
        assert conn["NetStatus"] == "AVAILABLE"
        deadline = time.monotonic() + 10  # the dead master comes back as the standby
        while time.monotonic() < deadline and not status["sides"]["a"]["charon_pid"]:
            time.sleep(0.1)
            status = gateway_status(str(workdir), gw_id)
        assert status["sides"]["a"]["charon_pid"], status
        # A supervisor that dies is restarted by the next vpnform run in the directory.
        os.kill(status["supervisor_pid"], 9)
        assert vpnform(workdir, "plan", "-no-color", "-detailed-exitcode").returncode == 0
        healed = gateway_status(str(workdir), gw_id)["supervisor_pid"]
        assert healed and healed != status["supervisor_pid"]
    finally:
        cloud.close()

    # Teardown: destroy, then lab down, leave no namespace and no process.
    res = vpnform(workdir, "destroy", "-auto-approve", "-no-color")
    assert res.returncode == 0, res
    site["state"]["destroyed"] = True
    assert not any(gw_id in n for n in namespaces_with_prefix(lab.prefix))
    lab.down()
    assert namespaces_with_prefix(lab.prefix) == []
    deadline = time.monotonic() + 5
    while lab_processes(str(workdir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lab_processes(str(workdir)) == []


def test_unsupported_algorithm_is_refused_at_plan_time(tmp_path):
    workdir = quickstart_with_dataplane(tmp_path / "qs")
    main = workdir / "main.tf"
    main.write_text(main.read_text().replace(
        '  pre_share_key       = var.psk\n',
        '  pre_share_key       = var.psk\n  ike_proto_encry_algorithm = "AES256GCM128"\n'))
    assert vpnform(workdir, "init", "-no-color").returncode == 0
    res = vpnform(workdir, "plan", "-no-color")
    assert res.returncode == 1, res
    out = res.stdout + res.stderr
    assert "Algorithm not supported by the dataplane" in out
    assert "main.tf" in out and "AES256GCM128" in out
    assert not (workdir / ".vpnform" / "lab").exists()  # plan built nothing


def test_gratuitous_arp_moves_the_address(tmp_path):
    """What failover relies on: after the public IP moves, the peers' ARP entry follows."""
    import sys

    from providers.netlab.lab import Lab
    from providers.tencentcloud.dataplane.network import _internet_leg
    lab = Lab(str(tmp_path))
    try:
        old, peer, new = lab.namespace("old"), lab.namespace("peer"), lab.namespace("new")
        lab.attach_public(old, "198.18.5.5")
        lab.attach_public(peer, "198.18.5.6")
        _internet_leg(lab, new)
        peer.exec("ping", "-c", "1", "-W", "1", "198.18.5.5")
        mac = new.ip("link", "show", "inet0").stdout.split("link/ether")[1].split()[0]
        assert mac not in peer.ip("neigh").stdout
        Lab.drop_public_address(old, "198.18.5.5")
        new.ip("addr", "add", "198.18.5.5/32", "dev", "inet0")
        new.exec(sys.executable, "-m", "providers.tencentcloud.dataplane.garp", "inet0",
                 "198.18.5.5")
        assert f"198.18.5.5 dev inet0 lladdr {mac}" in peer.ip("neigh").stdout
    finally:
        lab.down()
