"""Alarm rules judged against samples (pure: made-up series), and the callback body and
URL checks: what decides whether a user's alarm fires, recovers, and where it calls."""

import pytest

from providers.tencentcloud.emulator import metrics
from providers.tencentcloud.emulator.alarm_callbacks import loopback_problem, payload
from providers.tencentcloud.emulator.alarm_rules import judge, rule_problem

NOW = 1_000_000_020.0  # 20 s into a minute
B = metrics.bucket(NOW, 60)
DOWN = {"MetricName": "Disconnected", "Period": 60, "Operator": "gt", "Value": "0",
        "ContinuePeriod": 2}
LOSS = {"MetricName": "PkgDrop", "Period": 60, "Operator": "gt", "Value": "5",
        "ContinuePeriod": 3}


def test_fires_only_after_the_continuous_periods():
    assert not judge(DOWN, [(B, 1.0)], NOW).breached  # one period of two
    j = judge(DOWN, [(B - 60, 1.0), (B, 1.0)], NOW)
    assert j.breached and j.holds_now and j.value == 1.0
    # a gap is not continuous
    assert not judge(DOWN, [(B - 120, 1.0), (B, 1.0)], NOW).breached


def test_loss_above_n_percent_for_m_periods():
    assert judge(LOSS, [(B - 120, 10.0), (B - 60, 50.0), (B, 6.0)], NOW).breached
    assert not judge(LOSS, [(B - 120, 10.0), (B - 60, 5.0), (B, 6.0)], NOW).breached  # 5 !> 5


def test_recovery_reads_the_newest_period_and_stale_data_changes_nothing():
    up = judge(DOWN, [(B - 60, 1.0), (B, 0.0)], NOW)
    assert not up.breached and up.holds_now is False
    stale = judge(DOWN, [(B - 600, 0.0)], NOW)
    assert stale.holds_now is None and not stale.breached


@pytest.mark.parametrize("rule, words", [
    ({**DOWN, "MetricName": "CpuUsage"}, "not a metric of vpn_tunnel"),
    ({**DOWN, "Period": 30}, "`Period` 30"),
    ({**DOWN, "Operator": "day_wave"}, "`Operator` 'day_wave'"),
    ({**DOWN, "Value": "high"}, "not a number"),
    ({**DOWN, "ContinuePeriod": 0}, "`ContinuePeriod`"),
    ({**DOWN, "NoticeFrequency": 5}, "`NoticeFrequency`"),
])
def test_a_rule_that_cannot_be_evaluated_is_named(rule, words):
    assert words in rule_problem("vpn_tunnel", rule)


def test_callback_urls_must_be_loopback():
    assert loopback_problem("http://127.0.0.1:8080/hook") is None
    assert loopback_problem("http://localhost/hook") is None
    assert loopback_problem("http://[::1]:9/x") is None
    assert "only calls back to this machine" in loopback_problem("https://ops.example.com/h")
    assert "only calls back to this machine" in loopback_problem("http://10.0.0.1/h")
    assert "http:// or https://" in loopback_problem("ftp://127.0.0.1/h")


def test_callback_body_in_the_cloud_format():
    policy = {"PolicyId": "policy-1", "PolicyName": "tunnel-down", "Namespace": "vpn_tunnel"}
    rule = {**DOWN, "NoticeFrequency": 0}
    common = dict(policy=policy, rule=rule, metric=metrics.find("QCE/VPNX", "Disconnected"),
                  qce_namespace="QCE/VPNX", region_code="gz", dimension_key="vpnconnid",
                  instance="vpnx-1", instance_name="tom", type_name="VPN - tunnel",
                  value=1.0, first=NOW - 100)
    raised = payload(raised=True, now=NOW, **common)
    assert raised["alarmStatus"] == "1" and raised["alarmType"] == "metric"
    assert raised["recoverTime"] == "0" and raised["durationTime"] == 100
    assert raised["alarmObjInfo"]["namespace"] == "qce/vpnx"
    assert raised["alarmObjInfo"]["dimensions"] == {"vpnconnid": "vpnx-1", "objId": "vpnx-1",
                                                    "objName": "tom(vpnx-1)"}
    cond = raised["alarmPolicyInfo"]["conditions"]
    assert cond["calcType"] == ">" and cond["calcValue"] == "0" and cond["currentValue"] == "1"
    assert cond["period"] == "60" and cond["periodNum"] == "2"
    assert cond["alarmNotifyType"] == "singleAlarm"
    recovered = payload(raised=False, now=NOW, **common)
    assert recovered["alarmStatus"] == "0" and recovered["recoverTime"] != "0"
