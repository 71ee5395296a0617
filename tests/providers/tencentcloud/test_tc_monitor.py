"""The emulated Cloud Monitor in process: GetMonitorData and DescribeBaseMetrics over a
store, on a clock the test moves. Without a dataplane the values are the emulator's
truth (no traffic, tunnel down); with a realiser that measures, rates come from its
counters. Errors are the cloud's codes."""

import os
import stat

import pytest
from tc_support import REGION, Api

from providers.tencentcloud.emulator import EmulatedVpcService
from providers.tencentcloud.emulator.monitor_service import EmulatedMonitorService

T0 = 1_800_000_000.0  # a multiple of 3600: bucket boundaries are easy to read


class Clock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def cloud(store, clock):
    """(vpc api, monitor api, monitor service, tunnel id, gateway id), created at T0."""
    vpc = Api(EmulatedVpcService(store, clock=clock, delay_scale=0))
    mon_svc = EmulatedMonitorService(store, clock=clock, min_interval=0)
    vpc_id = vpc.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = vpc.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="g",
                InternetMaxBandwidthOut=10)["VpnGateway"]["VpnGatewayId"]
    cgw = vpc.ok("CreateCustomerGateway", CustomerGatewayName="c",
                 IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    conn = vpc.ok("CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw, VpcId=vpc_id,
                  VpnConnectionName="t", PreShareKey="psk-12345678",
                  SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                            "RemoteCidrBlock": ["192.168.0.0/24"]}]
                  )["VpnConnection"]["VpnConnectionId"]
    return vpc, Api(mon_svc), mon_svc, conn, gw


def tunnel(conn, **extra):
    return {"Namespace": "QCE/VPNX",
            "Instances": [{"Dimensions": [{"Name": "vpnConnId", "Value": conn}]}], **extra}


def gateway(gw, **extra):
    return {"Namespace": "QCE/VPNGW",
            "Instances": [{"Dimensions": [{"Name": "vpnGwId", "Value": gw}]}], **extra}


def series(body):
    point = body["DataPoints"][0]
    return list(zip(point["Timestamps"], point["Values"]))


def test_without_a_dataplane_a_tunnel_carries_nothing_and_is_down(cloud, clock):
    _, mon, _, conn, gw = cloud
    clock.t = T0 + 600  # ten minutes after the tunnel was created
    out = series(mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60,
                        **tunnel(conn)))
    # zero traffic in every minute since the creation, not just now
    assert out == [(T0 + 60 * i, 0.0) for i in range(10)]
    assert series(mon.ok("GetMonitorData", MetricName="Disconnected", Period=60,
                         **tunnel(conn))) == [(T0 + 600, 1.0)]
    assert series(mon.ok("GetMonitorData", MetricName="PkgDrop", Period=60,
                         **tunnel(conn))) == [(T0 + 600, 100.0)]
    # no probe was sent: there is no latency to report
    assert series(mon.ok("GetMonitorData", MetricName="Delay", Period=60, **tunnel(conn))) == []
    usage = series(mon.ok("GetMonitorData", MetricName="VpnBandwidthUsageRate", Period=300,
                          **gateway(gw)))
    assert usage == [(T0, 0.0), (T0 + 300, 0.0)]


def test_the_answer_echoes_the_request_and_rounds_times_to_the_period(cloud, clock):
    _, mon, _, conn, _ = cloud
    clock.t = T0 + 1000
    body = mon.ok("GetMonitorData", MetricName="inbandwidth", Period=300, **tunnel(conn),
                  StartTime="2027-01-15T08:01:07+00:00", EndTime="2027-01-15T08:17:40+00:00")
    assert body["MetricName"] == "InBandwidth"  # metric names match in any letter case
    assert body["Period"] == 300 and body["Msg"] == ""
    assert body["StartTime"].startswith("2027-01-15T") and body["StartTime"].endswith(":00")
    from datetime import datetime
    assert datetime.fromisoformat(body["StartTime"]).timestamp() == \
        datetime.fromisoformat("2027-01-15T08:00:00+00:00").timestamp()
    assert datetime.fromisoformat(body["EndTime"]).timestamp() == \
        datetime.fromisoformat("2027-01-15T08:15:00+00:00").timestamp()
    assert body["DataPoints"][0]["Dimensions"] == [{"Name": "vpnConnId", "Value": conn}]


def test_an_unknown_instance_has_no_data_and_is_not_left_out(cloud):
    _, mon, _, conn, _ = cloud
    body = mon.ok("GetMonitorData", MetricName="Delay", Period=60, Namespace="QCE/VPNX",
                  Instances=[{"Dimensions": [{"Name": "vpnConnId", "Value": "vpnx-00000000"}]},
                             {"Dimensions": [{"Name": "vpnConnId", "Value": conn}]}])
    assert [p["Dimensions"][0]["Value"] for p in body["DataPoints"]] == ["vpnx-00000000", conn]
    assert body["DataPoints"][0]["Timestamps"] == [] and body["DataPoints"][0]["Values"] == []


@pytest.mark.parametrize("params, code", [
    ({"MetricName": "CpuUsage"}, "InvalidParameterValue"),
    ({"MetricName": "Delay", "Period": 10}, "InvalidParameterValue"),
    ({"MetricName": "Delay", "Namespace": "QCE/CVM"}, "InvalidParameterValue"),
    ({"MetricName": "Delay", "StartTime": "yesterday"}, "InvalidParameterValue"),
    ({"MetricName": "Delay", "StartTime": "2027-01-15T09:00:00+00:00",
      "EndTime": "2027-01-15T08:00:00+00:00"}, "InvalidParameterValue"),
    ({"MetricName": "Delay", "Period": 60, "StartTime": "2020-01-01T00:00:00+00:00",
      "EndTime": "2027-01-01T00:00:00+00:00"}, "InvalidParameterValue"),  # > 7200 points
    ({"MetricName": "Delay", "Period": "sixty"}, "InvalidParameter"),
    ({"MetricName": "Delay", "Color": "red"}, "UnknownParameter"),
])
def test_bad_requests_get_the_clouds_codes(cloud, params, code):
    _, mon, _, conn, _ = cloud
    assert mon.err("GetMonitorData", **{**tunnel(conn), **params}) == code


def test_a_wrong_dimension_and_missing_instances(cloud):
    _, mon, _, conn, gw = cloud
    wrong = {"Namespace": "QCE/VPNX", "Instances": [{"Dimensions": [{"Name": "vpnGwId",
                                                                      "Value": gw}]}]}
    assert mon.err("GetMonitorData", MetricName="Delay", **wrong) == "InvalidParameterValue"
    assert mon.err("GetMonitorData", Namespace="QCE/VPNX", MetricName="Delay") == \
        "MissingParameter"


def test_describe_base_metrics(cloud):
    _, mon, _, _, _ = cloud
    tunnel_metrics = mon.ok("DescribeBaseMetrics", Namespace="QCE/VPNX")["MetricSet"]
    assert [m["MetricName"] for m in tunnel_metrics] == [
        "InBandwidth", "OutBandwidth", "InPkg", "OutPkg", "PkgDrop", "Delay", "Disconnected"]
    delay = mon.ok("DescribeBaseMetrics", Namespace="QCE/VPNX", MetricName="delay")["MetricSet"]
    assert len(delay) == 1 and delay[0]["Unit"] == "ms"
    assert delay[0]["Period"] == [60, 300, 3600, 86400]
    assert delay[0]["Periods"][0] == {"Period": "60", "StatType": ["avg"]}
    assert delay[0]["Dimensions"] == [{"Dimensions": ["vpnConnId"]}]
    gw = mon.ok("DescribeBaseMetrics", Namespace="QCE/VPNGW")["MetricSet"]
    assert {m["MetricName"] for m in gw} == {"InBandwidth", "OutBandwidth", "Inpkg", "Outpkg",
                                             "VpnBandwidthUsageRate"}
    assert mon.err("DescribeBaseMetrics", Namespace="QCE/CVM") == "UnsupportedOperation"


class Counting:
    """A realiser that measures tunnels: the counters the test sets (sampler rate math)."""

    def __init__(self):
        self.counters = {"bytes_in": 0, "bytes_out": 0, "packets_in": 0, "packets_out": 0}
        self.probe = {"sent": 4, "received": 3, "rtts_ms": [2.0, 4.0, 6.0]}

    def measure_tunnel(self, gateway_id, conn_id, local, remote, probe_count):
        assert local == ["10.0.1.0/24"] and remote == ["192.168.0.0/24"]
        return {"connected": True, "counters": dict(self.counters),
                "probe": self.probe if probe_count else None}


def test_rates_come_from_counter_growth_between_readings(cloud, clock):
    _, mon, mon_svc, conn, gw = cloud
    dp = Counting()
    mon_svc.attach_dataplane(dp)
    clock.t = T0 + 60
    mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60, **tunnel(conn))
    mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60, **gateway(gw))
    # 7.5 MB out and 600 packets in over the next minute: 1 Mbps, 10 packets/s
    dp.counters.update(bytes_out=7_500_000, packets_in=600)
    clock.t = T0 + 120
    assert series(mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60,
                         **tunnel(conn))) == [(T0 + 60, 1.0)]
    assert series(mon.ok("GetMonitorData", MetricName="InPkg", Period=60,
                         **tunnel(conn))) == [(T0 + 60, 10.0)]
    assert series(mon.ok("GetMonitorData", MetricName="Disconnected", Period=60,
                         **tunnel(conn)))[-1] == (T0 + 120, 0.0)
    assert series(mon.ok("GetMonitorData", MetricName="PkgDrop", Period=60,
                         **tunnel(conn)))[-1] == (T0 + 120, 25.0)
    assert series(mon.ok("GetMonitorData", MetricName="Delay", Period=60,
                         **tunnel(conn)))[-1] == (T0 + 120, 4.0)
    # the gateway: its tunnels' sum, and 1 Mbps of its 10 Mbps is 10 %
    assert series(mon.ok("GetMonitorData", MetricName="VpnBandwidthUsageRate", Period=60,
                         **gateway(gw))) == [(T0 + 60, 10.0)]
    # a counter that went down was reset (a rekey): what it holds now is new traffic
    dp.counters.update(bytes_out=750_000)
    clock.t = T0 + 180
    assert series(mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60,
                         **tunnel(conn)))[-1] == (T0 + 120, 0.1)


def test_readings_are_taken_at_most_once_per_interval(store, cloud, clock):
    _, _, _, conn, _ = cloud
    dp = Counting()
    mon = Api(EmulatedMonitorService(store, clock=clock, min_interval=30, dataplane=dp))
    clock.t = T0 + 60
    mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60, **tunnel(conn))
    dp.counters.update(bytes_out=7_500_000)
    clock.t = T0 + 75  # 15 s later: not read again
    mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60, **tunnel(conn))
    clock.t = T0 + 120
    assert series(mon.ok("GetMonitorData", MetricName="OutBandwidth", Period=60,
                         **tunnel(conn))) == [(T0 + 60, 1.0)]


def test_history_is_bounded_by_retention(store, cloud, clock):
    _, mon, mon_svc, conn, _ = cloud
    clock.t = T0 + 120
    mon.ok("GetMonitorData", MetricName="Disconnected", Period=60, **tunnel(conn))
    clock.t = T0 + 32 * 86400  # past the 31 days minute points are kept
    mon.ok("GetMonitorData", MetricName="Disconnected", Period=60, **tunnel(conn))
    import sqlite3
    db = sqlite3.connect(mon_svc.samples.path)
    try:
        oldest = db.execute("SELECT MIN(ts) FROM buckets WHERE period = 60").fetchone()[0]
        hourly = db.execute("SELECT MIN(ts) FROM buckets WHERE period = 3600").fetchone()[0]
    finally:
        db.close()
    assert oldest >= clock.t - 31 * 86400
    assert hourly == T0  # hours are kept 93 days


def test_the_samples_file_is_private(cloud):
    _, _, mon_svc, _, _ = cloud
    mode = stat.S_IMODE(os.stat(mon_svc.samples.path).st_mode)
    assert mode == 0o600


def test_answers_for_the_region_asked(cloud):
    _, mon, _, conn, _ = cloud
    other = Api(cloud[2], region="ap-shanghai")
    body = other.ok("GetMonitorData", MetricName="Disconnected", Period=60, **tunnel(conn))
    assert body["DataPoints"][0]["Values"] == []  # the tunnel is in REGION, not here
    assert REGION != "ap-shanghai"


def test_concurrent_callers_share_the_readings(store, cloud, clock):
    from concurrent.futures import ThreadPoolExecutor
    _, _, _, conn, _ = cloud
    services = [EmulatedMonitorService(store, clock=clock, min_interval=0) for _ in range(4)]
    clock.t = T0 + 300

    def ask(n: int) -> dict:
        return services[n % 4].call("GetMonitorData", {**tunnel(conn), "MetricName": "InPkg",
                                                       "Period": 60}, REGION)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(ask, range(24)))
    assert all("Error" not in b for b in bodies), bodies
    # one reading at T0 + 300 however many asked: five zero minutes since the creation
    assert series(bodies[-1]) == [(T0 + 60 * i, 0.0) for i in range(5)]
