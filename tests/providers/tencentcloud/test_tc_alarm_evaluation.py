"""Alarm evaluation in process, over a real store and a real HTTP receiver, on a clock
the test moves: a tunnel-down policy fires once (history ALARM, one callback), stays
quiet while the tunnel stays down, and recovers once (history OK, one recovery
callback) when a realiser that measures reports the tunnel up."""

import pytest
from hook_support import HookReceiver
from tc_support import Api

from providers.tencentcloud.emulator import EmulatedVpcService
from providers.tencentcloud.emulator.monitor_service import EmulatedMonitorService

T0 = 1_800_000_000.0


class Clock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Link:
    """A realiser whose tunnel is up or down as the test says."""

    def __init__(self):
        self.connected = False

    def measure_tunnel(self, gateway_id, conn_id, local, remote, probe_count):
        return {"connected": self.connected, "counters": {}, "probe": None}


@pytest.fixture
def cloud(store):
    clock = Clock(T0)
    vpc = Api(EmulatedVpcService(store, clock=clock, delay_scale=0))
    svc = EmulatedMonitorService(store, clock=clock, min_interval=0)
    vpc_id = vpc.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = vpc.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="g",
                InternetMaxBandwidthOut=10)["VpnGateway"]["VpnGatewayId"]
    cgw = vpc.ok("CreateCustomerGateway", CustomerGatewayName="c",
                 IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    conn = vpc.ok("CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw, VpcId=vpc_id,
                  VpnConnectionName="tom", PreShareKey="psk-12345678",
                  SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                            "RemoteCidrBlock": ["192.168.0.0/24"]}]
                  )["VpnConnection"]["VpnConnectionId"]
    return Api(svc), svc, clock, conn


def policy(mon, conn, url, notice_type="ALL", continue_period=2):
    nid = mon.ok("CreateAlarmNotice", Module="monitor", Name="hook", NoticeType=notice_type,
                 NoticeLanguage="en-US", URLNotices=[{"URL": url}])["NoticeId"]
    pid = mon.ok("CreateAlarmPolicy", Module="monitor", PolicyName="tunnel-down",
                 MonitorType="MT_QCE", Namespace="vpn_tunnel", NoticeIds=[nid],
                 Condition={"IsUnionRule": 0, "Rules": [
                     {"MetricName": "Disconnected", "Period": 60, "Operator": "gt",
                      "Value": "0", "ContinuePeriod": continue_period}]})["PolicyId"]
    mon.ok("BindingPolicyObject", Module="monitor", GroupId=0, PolicyId=pid,
           Dimensions=[{"Region": "gz", "Dimensions": f'{{"vpnconnid":"{conn}"}}'}])
    return pid


def histories(mon):
    return mon.ok("DescribeAlarmHistories", Module="monitor")["Histories"]


def test_fires_once_then_recovers_once(cloud):
    mon, svc, clock, conn = cloud
    link = Link()
    svc.attach_dataplane(link)
    with HookReceiver() as hook:
        pid = policy(mon, conn, hook.url)
        clock.t = T0 + 10
        assert histories(mon) == []  # one period down of the two needed
        clock.t = T0 + 70
        [h] = histories(mon)
        assert h["AlarmStatus"] == "ALARM" and h["PolicyId"] == pid
        assert h["AlarmObject"] == f"tom({conn})"
        assert h["MetricsInfo"][0]["MetricName"] == "Disconnected"
        assert h["FirstOccurTime"] == int(T0 + 70)
        [raised] = hook.wait(1)
        assert raised["alarmStatus"] == "1"
        assert raised["alarmObjInfo"]["dimensions"]["vpnconnid"] == conn
        assert raised["alarmPolicyInfo"]["policyId"] == pid
        clock.t = T0 + 130  # still down: no second callback, the same alarm goes on
        assert [x["AlarmStatus"] for x in histories(mon)] == ["ALARM"]
        assert svc.evaluate_alarms() == 0
        link.connected = True
        clock.t = T0 + 190
        [h] = histories(mon)
        assert h["AlarmStatus"] == "OK"
        bodies = hook.wait(2)
        assert [b["alarmStatus"] for b in bodies] == ["1", "0"]
        assert bodies[1]["recoverTime"] != "0" and bodies[1]["durationTime"] == 120
        clock.t = T0 + 250
        assert svc.evaluate_alarms() == 0 and len(hook.bodies) == 2


def test_notice_type_alarm_sends_no_recovery_and_a_disabled_policy_is_quiet(cloud):
    mon, svc, clock, conn = cloud
    link = Link()
    svc.attach_dataplane(link)
    with HookReceiver() as hook:
        pid = policy(mon, conn, hook.url, notice_type="ALARM", continue_period=1)
        clock.t = T0 + 10
        assert svc.evaluate_alarms() == 1
        link.connected = True
        clock.t = T0 + 70
        assert svc.evaluate_alarms() == 0
        assert [b["alarmStatus"] for b in hook.bodies] == ["1"]
        assert histories(mon)[0]["AlarmStatus"] == "OK"
        mon.ok("ModifyAlarmPolicyStatus", Module="monitor", PolicyId=pid, Enable=0)
        link.connected = False
        clock.t = T0 + 130
        assert svc.evaluate_alarms() == 0 and len(histories(mon)) == 1


def test_a_callback_beyond_this_machine_is_refused(cloud):
    mon, *_ = cloud
    body = mon.CreateAlarmNotice(Module="monitor", Name="hook", NoticeType="ALL",
                                 NoticeLanguage="en-US",
                                 URLNotices=[{"URL": "https://ops.example.com/hook"}])
    assert body["Error"]["Code"] == "InvalidParameterValue"
    assert "only calls back to this machine" in body["Error"]["Message"]


def test_the_history_of_a_deleted_policy_says_so(cloud):
    mon, svc, clock, conn = cloud
    with HookReceiver() as hook:
        pid = policy(mon, conn, hook.url, continue_period=1)
        clock.t = T0 + 10
        [h] = histories(mon)
        assert (h["AlarmStatus"], h["PolicyExists"]) == ("ALARM", 1)
        mon.ok("DeleteAlarmPolicy", Module="monitor", PolicyIds=[pid])
        [h] = histories(mon)
        assert h["PolicyExists"] == 0
        assert mon.err("DescribeAlarmPolicy", Module="monitor", PolicyId=pid) == \
            "ResourceNotFound"
