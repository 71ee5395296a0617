"""Cloud Monitor alarms on the served emulated cloud, through the official SDK's
MonitorClient: notice templates and alarm policies are created, read, changed and
deleted as the cloud does it, objects bound, and the background evaluator of
``vpnform cloud serve`` raises the alarm of a tunnel that is down and calls the notice's
URL back."""

import json
import os
import subprocess

import pytest
from hook_support import HookReceiver
from serve_support import REGION, Served, call
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.monitor.v20180724 import models
from test_tc_serve_monitor import TCCLI, monitor

RULE = {"MetricName": "Disconnected", "Period": 60, "Operator": "gt", "Value": "0",
        "ContinuePeriod": 1, "NoticeFrequency": 0, "IsPowerNotice": 0}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("alarms") / "data", "-rate-limit=0",
               env={"VPNFORM_ALARM_INTERVAL": "1"})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def conn(served):
    c = served.client()
    vpc = call(c, "CreateVpc", VpcName="al", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = call(c, "CreateVpnGateway", VpcId=vpc, VpnGatewayName="al-gw",
              InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
    cgw = call(c, "CreateCustomerGateway", CustomerGatewayName="al-idc",
               IpAddress="202.108.22.5")["CustomerGateway"]["CustomerGatewayId"]
    return call(c, "CreateVpnConnection", VpnGatewayId=gw, CustomerGatewayId=cgw, VpcId=vpc,
                VpnConnectionName="al-tunnel", PreShareKey="al-psk-1234",
                SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.1.0/24",
                                          "RemoteCidrBlock": ["192.168.0.0/24"]}]
                )["VpnConnection"]["VpnConnectionId"]


def sdk(client, action, **params) -> dict:
    req = getattr(models, f"{action}Request")()
    req.from_json_string(json.dumps(params))
    return json.loads(getattr(client, action)(req).to_json_string())


def test_notice_and_policy_crud_through_the_sdk(served):
    m = monitor(served)
    nid = sdk(m, "CreateAlarmNotice", Module="monitor", Name="ops", NoticeType="ALL",
              NoticeLanguage="en-US",
              URLNotices=[{"URL": "http://127.0.0.1:9/hook", "StartTime": 0,
                           "EndTime": 86399}])["NoticeId"]
    assert nid.startswith("notice-")
    created = sdk(m, "CreateAlarmPolicy", Module="monitor", PolicyName="crud",
                  MonitorType="MT_QCE", Namespace="vpn_tunnel", NoticeIds=[nid],
                  Condition={"IsUnionRule": 0, "Rules": [RULE]})
    pid = created["PolicyId"]
    assert pid.startswith("policy-") and created["OriginId"].isdigit()
    policy = sdk(m, "DescribeAlarmPolicy", Module="monitor", PolicyId=pid)["Policy"]
    assert policy["PolicyName"] == "crud" and policy["Enable"] == 1
    assert policy["Condition"]["Rules"][0]["Value"] == "0"
    assert policy["NoticeIds"] == [nid] and policy["Notices"][0]["PolicyIds"] == [pid]
    assert policy["InsertTime"] > 0
    sdk(m, "ModifyAlarmPolicyInfo", Module="monitor", PolicyId=pid, Key="NAME", Value="crud2")
    sdk(m, "ModifyAlarmPolicyStatus", Module="monitor", PolicyId=pid, Enable=0)
    sdk(m, "ModifyAlarmPolicyCondition", Module="monitor", PolicyId=pid,
        Condition={"IsUnionRule": 0, "Rules": [{**RULE, "MetricName": "PkgDrop",
                                                "Value": "5", "ContinuePeriod": 3}]})
    policy = sdk(m, "DescribeAlarmPolicy", Module="monitor", PolicyId=pid)["Policy"]
    assert (policy["PolicyName"], policy["Enable"]) == ("crud2", 0)
    assert policy["Condition"]["Rules"][0]["MetricName"] == "PkgDrop"
    listed = sdk(m, "DescribeAlarmPolicies", Module="monitor", PolicyName="crud2")
    assert [p["PolicyId"] for p in listed["Policies"]] == [pid]
    sdk(m, "BindingPolicyObject", Module="monitor", GroupId=0, PolicyId=pid,
        Dimensions=[{"Region": "gz", "Dimensions": '{"vpnconnid":"vpnx-abc"}'}])
    objs = sdk(m, "DescribeBindingPolicyObjectList", Module="monitor", GroupId=0,
               PolicyId=pid)
    assert objs["Total"] == 1 and objs["List"][0]["Dimensions"] == '{"vpnconnid":"vpnx-abc"}'
    sdk(m, "UnBindingPolicyObject", Module="monitor", GroupId=0, PolicyId=pid,
        UniqueId=[objs["List"][0]["UniqueId"]])
    assert sdk(m, "DescribeBindingPolicyObjectList", Module="monitor", GroupId=0,
               PolicyId=pid)["Total"] == 0
    sdk(m, "ModifyAlarmNotice", Module="monitor", NoticeId=nid, Name="ops2", NoticeType="OK",
        NoticeLanguage="zh-CN", URLNotices=[{"URL": "http://localhost:9/x"}])
    [notice] = sdk(m, "DescribeAlarmNotices", Module="monitor", PageNumber=1, PageSize=200,
                   Order="ASC", NoticeIds=[nid])["Notices"]
    assert (notice["Name"], notice["NoticeType"]) == ("ops2", "OK")
    assert notice["URLNotices"][0]["URL"] == "http://localhost:9/x"
    sdk(m, "DeleteAlarmPolicy", Module="monitor", PolicyIds=[pid])
    with pytest.raises(TencentCloudSDKException) as gone:
        sdk(m, "DescribeAlarmPolicy", Module="monitor", PolicyId=pid)
    assert gone.value.code == "ResourceNotFound"
    sdk(m, "DeleteAlarmNotices", Module="monitor", NoticeIds=[nid])
    assert sdk(m, "DescribeAlarmNotices", Module="monitor", PageNumber=1, PageSize=200,
               Order="ASC", NoticeIds=[nid])["Notices"] == []


def test_bad_requests_get_the_clouds_codes(served):
    m = monitor(served)
    with pytest.raises(TencentCloudSDKException) as e:
        sdk(m, "CreateAlarmPolicy", Module="monitor", PolicyName="x", MonitorType="MT_QCE",
            Namespace="cvm_device", Condition={"IsUnionRule": 0, "Rules": [RULE]})
    assert e.value.code == "UnsupportedOperation" and "vpn_tunnel" in e.value.message
    with pytest.raises(TencentCloudSDKException) as e:
        sdk(m, "CreateAlarmPolicy", Module="monitor", PolicyName="x", MonitorType="MT_QCE",
            Namespace="vpn_tunnel",
            Condition={"IsUnionRule": 0, "Rules": [{**RULE, "MetricName": "CpuUsage"}]})
    assert e.value.code == "InvalidParameterValue" and "CpuUsage" in e.value.message
    with pytest.raises(TencentCloudSDKException) as e:
        sdk(m, "CreateAlarmNotice", Module="monitor", Name="x", NoticeType="ALL",
            NoticeLanguage="en-US", URLNotices=[{"URL": "http://192.0.2.1/hook"}])
    assert e.value.code == "InvalidParameterValue"
    assert "only calls back to this machine" in e.value.message


def test_the_served_evaluator_raises_the_alarm_and_calls_back(served, conn):
    m = monitor(served)
    with HookReceiver() as hook:
        nid = sdk(m, "CreateAlarmNotice", Module="monitor", Name="hook", NoticeType="ALL",
                  NoticeLanguage="en-US", URLNotices=[{"URL": hook.url}])["NoticeId"]
        pid = sdk(m, "CreateAlarmPolicy", Module="monitor", PolicyName="down",
                  MonitorType="MT_QCE", Namespace="vpn_tunnel", NoticeIds=[nid],
                  Condition={"IsUnionRule": 0, "Rules": [RULE]})["PolicyId"]
        sdk(m, "BindingPolicyObject", Module="monitor", GroupId=0, PolicyId=pid,
            Dimensions=[{"Region": "gz", "Dimensions": json.dumps({"vpnconnid": conn})}])
        # no call reads the history: the background evaluator (every 1 s) finds it
        [body] = hook.wait(1, timeout=20)
        assert body["alarmStatus"] == "1"
        assert body["alarmPolicyInfo"]["policyName"] == "down"
        assert body["alarmObjInfo"]["dimensions"]["vpnconnid"] == conn
        history = sdk(m, "DescribeAlarmHistories", Module="monitor", PolicyIds=[pid])
        assert history["TotalCount"] == 1
        assert history["Histories"][0]["AlarmStatus"] == "ALARM"
        assert len(hook.bodies) == 1  # read again: no second callback
    assert "alarm evaluation: every 1 s" in served.stdout()


@pytest.mark.skipif(not TCCLI.exists(), reason="tccli is not installed in .venv")
def test_tccli_reads_the_alarm_policies_and_history(served, tmp_path):
    secret_id, secret_key = served.keys()
    env = {k: v for k, v in os.environ.items()
           if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
    env.update(HOME=str(tmp_path), TENCENTCLOUD_SECRET_ID=secret_id,
               TENCENTCLOUD_SECRET_KEY=secret_key)

    def tccli(action, *args):
        proc = subprocess.run([str(TCCLI), "monitor", action, "--region", REGION,
                               "--endpoint", served.url, "--Module", "monitor", *args],
                              capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return json.loads(proc.stdout)

    made = tccli("CreateAlarmPolicy", "--PolicyName", "by-tccli", "--MonitorType", "MT_QCE",
                 "--Namespace", "vpn_tunnel", "--Condition",
                 json.dumps({"IsUnionRule": 0, "Rules": [RULE]}))
    listed = tccli("DescribeAlarmPolicies", "--PolicyName", "by-tccli")
    assert [p["PolicyId"] for p in listed["Policies"]] == [made["PolicyId"]]
    assert "Histories" in tccli("DescribeAlarmHistories")
