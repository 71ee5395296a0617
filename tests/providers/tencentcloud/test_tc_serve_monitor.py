"""Cloud Monitor on the served emulated cloud, through the official SDK's MonitorClient
(tencentcloud-sdk-python-monitor) and through tccli: the tunnel the guide creates has no
traffic and is down, and a bad metric is the cloud's error."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from serve_support import REGION, Served, call
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.monitor.v20180724 import models, monitor_client

TCCLI = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "tccli"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("monitor") / "data", "-rate-limit=0")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def tunnel(served):
    """(VPN connection ID, VPN gateway ID) made through the VPC SDK."""
    c = served.client()
    vpc = call(c, "CreateVpc", VpcName="mon", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = call(c, "CreateVpnGateway", VpcId=vpc, VpnGatewayName="mon-gw",
              InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
    cgw = call(c, "CreateCustomerGateway", CustomerGatewayName="mon-idc",
               IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    conn = call(c, "CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw, VpcId=vpc,
                VpnConnectionName="mon-tunnel", PreShareKey="mon-psk-1234",
                SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                          "RemoteCidrBlock": ["192.168.0.0/24"]}]
                )["VpnConnection"]["VpnConnectionId"]
    return conn, gw


def monitor(served) -> monitor_client.MonitorClient:
    secret_id, secret_key = served.keys()
    hp = HttpProfile(endpoint=served.endpoint, protocol="http", reqTimeout=30)
    return monitor_client.MonitorClient(credential.Credential(secret_id, secret_key), REGION,
                                        ClientProfile(httpProfile=hp))


def get_monitor_data(client, **params) -> dict:
    req = models.GetMonitorDataRequest()
    req.from_json_string(json.dumps(params))
    return json.loads(client.GetMonitorData(req).to_json_string())


def instances(name, value):
    return [{"Dimensions": [{"Name": name, "Value": value}]}]


def test_get_monitor_data_through_the_sdk(served, tunnel):
    conn, gw = tunnel
    client = monitor(served)
    down = get_monitor_data(client, Namespace="QCE/VPNX", MetricName="Disconnected", Period=60,
                            Instances=instances("vpnConnId", conn))
    assert down["MetricName"] == "Disconnected" and down["Period"] == 60
    assert down["DataPoints"][0]["Values"][-1] == 1.0
    assert down["DataPoints"][0]["Dimensions"] == [{"Name": "vpnConnId", "Value": conn}]
    traffic = get_monitor_data(client, Namespace="QCE/VPNX", MetricName="InBandwidth",
                               Period=60, Instances=instances("vpnConnId", conn))
    assert set(traffic["DataPoints"][0]["Values"]) == {0.0}
    usage = get_monitor_data(client, Namespace="QCE/VPNGW", MetricName="VpnBandwidthUsageRate",
                             Period=300, SpecifyStatistics=2,
                             Instances=instances("vpnGwId", gw))
    assert set(usage["DataPoints"][0]["MaxValues"]) == {0.0}
    assert "action=GetMonitorData" in served.stderr()


def test_describe_base_metrics_and_errors_through_the_sdk(served, tunnel):
    client = monitor(served)
    req = models.DescribeBaseMetricsRequest()
    req.from_json_string(json.dumps({"Namespace": "QCE/VPNX", "MetricName": "PkgDrop"}))
    found = json.loads(client.DescribeBaseMetrics(req).to_json_string())["MetricSet"]
    assert [(m["MetricName"], m["Unit"]) for m in found] == [("PkgDrop", "%")]
    with pytest.raises(TencentCloudSDKException) as err:
        get_monitor_data(client, Namespace="QCE/VPNX", MetricName="CpuUsage",
                         Instances=instances("vpnConnId", tunnel[0]))
    assert err.value.code == "InvalidParameterValue"
    assert "CpuUsage" in err.value.message


@pytest.mark.skipif(not TCCLI.exists(), reason="tccli is not installed in .venv")
def test_tccli_monitor_get_monitor_data(served, tunnel, tmp_path):
    secret_id, secret_key = served.keys()
    env = {k: v for k, v in os.environ.items()
           if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
    env.update(HOME=str(tmp_path), TENCENTCLOUD_SECRET_ID=secret_id,
               TENCENTCLOUD_SECRET_KEY=secret_key)
    argv = [str(TCCLI), "monitor", "GetMonitorData", "--region", REGION,
            "--endpoint", served.url, "--Namespace", "QCE/VPNX", "--MetricName", "PkgDrop",
            "--Period", "60", "--Instances", json.dumps(instances("vpnConnId", tunnel[0]))]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    body = json.loads(proc.stdout)
    assert body["MetricName"] == "PkgDrop"
    assert body["DataPoints"][0]["Values"][-1] == 100.0  # a tunnel that is down drops all
