"""Cloud Monitor on a real tunnel: the quick start applied with dataplane = "strongswan",
an IDC charon configured from the downloaded file. Monitoring a tunnel that is down does
not activate it; once up, the ESP counters of the child SAs show a ping's packets, and
the probe through the tunnel gives a real latency. Needs root, charon and swanctl."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from dp_support import (
    first_reply,
    lab_processes,
    lab_support_problem,
    quickstart_with_dataplane,
    vpnform,
)
from test_dp_live import IDC_HOST, STRONGSWAN, Cloud, build_idc_site, swanctl_load

pytestmark = [
    pytest.mark.skipif(bool(lab_support_problem()), reason=lab_support_problem() or ""),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),  # the IDC charon's Popen
]

PINGS = 40
PAYLOAD = 1200  # bytes of each echo request (well under the tunnel's MTU)


@pytest.fixture
def site(request, tmp_path):
    from providers.netlab.lab import Lab
    workdir = quickstart_with_dataplane(tmp_path / "quickstart")
    lab = Lab(str(workdir))

    def teardown():
        try:
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
    request.addfinalizer(teardown)
    idc = build_idc_site(lab)
    assert vpnform(workdir, "init", "-no-color").returncode == 0
    res = vpnform(workdir, "apply", "-auto-approve", "-no-color")
    assert res.returncode == 0, res
    return workdir, lab, idc


def test_monitoring_reads_the_real_tunnel(site):
    from providers.tencentcloud.dataplane import Dataplane
    from providers.tencentcloud.emulator.monitor_service import EmulatedMonitorService
    workdir, lab, idc = site
    cloud = Cloud(workdir)
    monitor = EmulatedMonitorService(cloud.svc.store, dataplane=Dataplane(str(workdir)),
                                     min_interval=0)

    def latest(metric: str, stat: int = 2, ns: str = "QCE/VPNX") -> float | None:
        dimension = {"Name": "vpnConnId", "Value": conn_id} if ns == "QCE/VPNX" else \
            {"Name": "vpnGwId", "Value": gw_id}
        body = monitor.call("GetMonitorData", {
            "Namespace": ns, "MetricName": metric, "Period": 60, "SpecifyStatistics": stat,
            "Instances": [{"Dimensions": [dimension]}]}, "ap-guangzhou")
        assert "Error" not in body, body
        values = body["DataPoints"][0][{1: "AvgValues", 2: "MaxValues", 4: "MinValues"}[stat]]
        return values[-1] if values else None

    try:
        conn = cloud.call("DescribeVpnConnections")["VpnConnectionSet"][0]
        gw_id, conn_id = conn["VpnGatewayId"], conn["VpnConnectionId"]
        config = cloud.call("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw_id,
                            VpnConnectionId=conn_id, CustomerGatewayVendor=STRONGSWAN,
                            InterfaceName="eth0")["CustomerGatewayConfiguration"]
        (workdir / "idc-swanctl.conf").write_text(config)
        swanctl_load(workdir / "idc-swanctl.conf", idc)

        # Down, and monitoring it sends nothing that would bring it up.
        assert latest("Disconnected") == 1.0
        assert latest("PkgDrop") == 100.0
        conn = cloud.call("DescribeVpnConnections")["VpnConnectionSet"][0]
        assert conn["NetStatus"] == "UNAVAILABLE"

        host = next(h for h in lab.read_record()["hosts"].values()
                    if h.get("kind") == "subnet-host")
        assert first_reply(host["namespace"], IDC_HOST) is not None, "the tunnel never came up"
        # the minute's readings: down before the activation, up since (min of the minute)
        assert latest("Disconnected", stat=4) == 0.0
        assert latest("PkgDrop", stat=4) == 0.0
        t = time.monotonic()
        delay = latest("Delay")
        print(f"\nprobe latency {delay:.3f} ms; a GetMonitorData with its reading took "
              f"{time.monotonic() - t:.2f} s")
        assert delay > 0.0  # ms of a real echo through the tunnel

        # Big echoes, so the ping's bytes dwarf the probes' (3 x 84 bytes per reading).
        before_mbps = latest("OutBandwidth")
        assert latest("OutBandwidth", ns="QCE/VPNGW") is None  # the gateway's first reading
        before = time.time()
        ping = subprocess.run(["ip", "netns", "exec", host["namespace"], "ping", "-n", "-q",
                               "-c", str(PINGS), "-i", "0.2", "-s", str(PAYLOAD), "-W", "1",
                               IDC_HOST], capture_output=True, text=True, timeout=60)
        assert f"{PINGS} received" in ping.stdout, ping.stdout
        out_mbps = latest("OutBandwidth")  # a reading now: the interval since the last
        gw_mbps = latest("OutBandwidth", ns="QCE/VPNGW")
        monitor.sampler.min_interval = 3600  # and no other reading for the metrics below
        usage = latest("VpnBandwidthUsageRate", ns="QCE/VPNGW")
        in_mbps = latest("InBandwidth")
        out_pps = latest("OutPkg")
        elapsed = time.time() - before + 1.0  # the interval the rates were taken over, at most
        print(f"after {PINGS} pings of {PAYLOAD} bytes: out {out_mbps:.4f} Mbps, in "
              f"{in_mbps:.4f} Mbps, out {out_pps:.1f} pkt/s (max of the minute; "
              f"{before_mbps:.4f} Mbps before)")
        # The echo requests left through the tunnel and the replies came back: at least
        # PINGS x PAYLOAD bytes each way (ESP adds more) over the interval.
        for mbps in (out_mbps, in_mbps, gw_mbps):
            assert mbps * 1e6 / 8 * elapsed >= PINGS * PAYLOAD, (mbps, elapsed)
        assert out_mbps > 2 * before_mbps
        assert out_pps > 0
        # the gateway's bandwidth cap is the quick start's 5 Mbps
        assert usage == pytest.approx(100 * max(gw_mbps, latest("InBandwidth", ns="QCE/VPNGW"))
                                      / 5, rel=1e-3)
    finally:
        cloud.close()
