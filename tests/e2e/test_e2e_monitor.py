"""Monitoring from the command line on the applied quick start (embedded cloud, no real
dataplane): ``vpnform cloud GetMonitorData`` and ``vpnform tunnel monitor`` as a
terminal chart and as PNG/SVG pictures."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET

from cli import run

TUNNEL = "tencentcloud_vpn_connection.tom"


def _conn_id(workdir) -> str:
    res = run(workdir, "output", "-raw", "vpn_connection_id")
    assert res.code == 0, res
    return res.stdout.strip()


def test_cloud_get_monitor_data_is_honest_without_a_dataplane(applied):
    conn = _conn_id(applied)
    args = ["cloud", "GetMonitorData", "Namespace=QCE/VPNX", "Period=60",
            "Instances.0.Dimensions.0.Name=vpnConnId", f"Instances.0.Dimensions.0.Value={conn}"]
    down = run(applied, *args, "MetricName=Disconnected")
    assert down.code == 0, down
    body = json.loads(down.stdout)
    assert body["MetricName"] == "Disconnected" and body["Msg"] == ""
    assert body["DataPoints"][0]["Values"] == [1.0]  # never activated: down
    traffic = json.loads(run(applied, *args, "MetricName=OutPkg").stdout)
    assert traffic["DataPoints"][0]["Values"] and \
        set(traffic["DataPoints"][0]["Values"]) == {0.0}
    bad = run(applied, *args, "MetricName=Cpu")
    assert bad.code == 1
    assert json.loads(bad.stderr)["Error"]["Code"] == "InvalidParameterValue"
    metrics = json.loads(run(applied, "cloud", "DescribeBaseMetrics",
                             "Namespace=QCE/VPNGW").stdout)["MetricSet"]
    assert "VpnBandwidthUsageRate" in [m["MetricName"] for m in metrics]
    # the samples sit beside the cloud's store, owner-only
    db = applied / ".vpnform" / "monitor.db"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_tunnel_monitor_prints_a_chart_in_the_terminal(applied):
    res = run(applied, "tunnel", "monitor", "-metric=Disconnected,OutBandwidth",
              "-since=30m", "-no-color", no_color=False)
    assert res.code == 0, res
    out = res.stdout
    assert f"{TUNNEL} (vpnx-" in out.splitlines()[0]
    assert "Disconnected (0/1)" in out and "OutBandwidth (Mbps)" in out
    assert "time" in out and "┤" in out and "└" in out  # the axes
    assert "\x1b[" not in out  # -no-color: no escape codes
    # the address may be given, and an unknown metric is refused by name
    named = run(applied, "tunnel", "monitor", TUNNEL, "-metric=Delay", "-no-color",
                no_color=False)
    assert named.code == 0 and "Delay: no samples" in named.stdout, named
    bad = run(applied, "tunnel", "monitor", "-metric=Cpu", "-no-color", no_color=False)
    assert bad.code == 1 and "Cpu is not a tunnel metric" in bad.output, bad


def test_tunnel_monitor_writes_png_and_svg_pictures(applied):
    res = run(applied, "tunnel", "monitor", "-out=chart.png", "-period=300")
    assert res.code == 0, res
    png = (applied / "chart.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 600 and height >= 600  # seven stacked charts
    assert stat.S_IMODE(os.stat(applied / "chart.png").st_mode) == 0o600
    res = run(applied, "tunnel", "monitor", "-out=chart.svg", "-metric=PkgDrop")
    assert res.code == 0, res
    root = ET.parse(applied / "chart.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "PkgDrop (%)" in (applied / "chart.svg").read_text()
    bad = run(applied, "tunnel", "monitor", "-out=chart.gif")
    assert bad.code == 1 and ".svg or .png" in bad.output, bad
    bad = run(applied, "tunnel", "monitor", "-period=7")
    assert bad.code == 1 and "The period 7 is not supported" in bad.output, bad
    assert "60, 300, 3600, 86400" in bad.output


def test_readme_monitoring_section_runs_as_shown(tmp_path):
    from cli import QUICKSTART, copy_config, readme_script, run_script
    copy_config(QUICKSTART, tmp_path / "examples" / "quickstart")
    res = run_script(readme_script("### Monitoring"), tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert '"MetricName": "Delay"' in res.stdout and '"Unit": "ms"' in res.stdout
    assert '"MetricName": "Disconnected"' in res.stdout
    assert "OutBandwidth (Mbps)" in res.stdout
    pictures = tmp_path / "examples" / "quickstart"
    assert (pictures / "tunnel.png").read_bytes()[:4] == b"\x89PNG"
    assert (pictures / "tunnel.svg").read_text().lstrip().startswith("<?xml")
    assert "CpuUsage is not a tunnel metric" in res.stdout + res.stderr


def test_tunnel_monitor_against_a_served_cloud(quickstart, tmp_path):
    """The provider reads the metrics over HTTP (the SDK transport sends GetMonitorData to
    the monitor product), as it would from the real cloud."""
    import re
    import signal
    import subprocess

    from cli import VPNFORM, make_env
    data = tmp_path / "served-data"
    proc = subprocess.Popen([VPNFORM, "cloud", "serve", "-listen=127.0.0.1:0", f"-data={data}"],
                            cwd=str(tmp_path), env=make_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+)", proc.stdout.readline()).group(1)
        creds = json.loads((data / "credentials.json").read_text())["accounts"][0]
        env = {"TENCENTCLOUD_ENDPOINT": url, "TENCENTCLOUD_SECRET_ID": creds["secret_id"],
               "TENCENTCLOUD_SECRET_KEY": creds["secret_key"]}
        assert run(quickstart, "apply", "-auto-approve", env=env).code == 0
        res = run(quickstart, "tunnel", "monitor", "-metric=Disconnected", "-no-color",
                  env=env, no_color=False)
        assert res.code == 0, res
        assert "Disconnected (0/1)" in res.stdout and "┤" in res.stdout
        assert not (quickstart / ".vpnform" / "monitor.db").exists()  # the served cloud's
        assert (data / "accounts" / "default" / "monitor.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
