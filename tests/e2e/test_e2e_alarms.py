"""Alarms from the command line on the applied quick start (embedded cloud, no real
dataplane, so the tunnel is down): a notice template with a loopback URL, a policy on the
tunnel's Disconnected metric and the tunnel bound to it are applied, planned again without
a change, and imported; reading the history (``vpnform cloud DescribeAlarmHistories``)
evaluates the policy, which raises the alarm and POSTs the cloud's callback, once."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from cli import run, write_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers" / "tencentcloud"))
from hook_support import HookReceiver  # noqa: E402

ALARMS = """
resource "tencentcloud_monitor_alarm_notice" "hook" {
  name            = "vpn-ops-webhook"
  notice_type     = "ALL"
  notice_language = "en-US"
  url_notices {
    url        = "%s"
    start_time = 0
    end_time   = 86399
    weekday    = [1, 2, 3, 4, 5, 6, 7]
  }
}

resource "tencentcloud_monitor_alarm_policy" "tunnel" {
  policy_name  = "vpn-tunnel-health"
  monitor_type = "MT_QCE"
  namespace    = "vpn_tunnel"
  conditions {
    is_union_rule = 0
    rules {
      metric_name      = "Disconnected"
      period           = 60
      operator         = "gt"
      value            = "0"
      continue_period  = 1
      notice_frequency = 0
      is_power_notice  = 0
    }
    rules {
      metric_name      = "PkgDrop"
      period           = 60
      operator         = "gt"
      value            = "5"
      continue_period  = 3
      notice_frequency = 3600
      is_power_notice  = 0
    }
  }
  notice_ids = [tencentcloud_monitor_alarm_notice.hook.id]
}

resource "tencentcloud_monitor_policy_binding_object" "tunnel" {
  policy_id = tencentcloud_monitor_alarm_policy.tunnel.id
  dimensions {
    dimensions_json = jsonencode({ vpnconnid = tencentcloud_vpn_connection.tom.id })
  }
}
"""


def _json(res) -> dict:
    assert res.code == 0, res
    return json.loads(res.stdout)


def test_a_down_tunnel_raises_the_alarm_and_calls_back_once(applied):
    with HookReceiver() as hook:
        write_config(applied, ALARMS % hook.url, name="alarms.tf")
        res = run(applied, "apply", "-auto-approve")
        assert res.code == 0 and "Resources: 3 added, 0 changed, 0 destroyed." in res.stdout, res
        assert run(applied, "plan", "-detailed-exitcode").code == 0
        conn = run(applied, "output", "-raw", "vpn_connection_id").stdout.strip()
        shown = run(applied, "state", "show", "tencentcloud_monitor_alarm_policy.tunnel").stdout
        policy_id = shown.split('id ')[1].split('"')[1]
        assert policy_id.startswith("policy-")

        body = _json(run(applied, "cloud", "DescribeAlarmHistories", "Module=monitor"))
        [h] = [x for x in body["Histories"] if x["MetricsInfo"][0]["MetricName"] ==
               "Disconnected"]
        assert h["AlarmStatus"] == "ALARM" and h["PolicyId"] == policy_id
        assert conn in h["AlarmObject"] and h["Namespace"] == "vpn_tunnel"
        [callback] = hook.wait(1)
        assert callback["alarmStatus"] == "1" and callback["alarmType"] == "metric"
        assert callback["recoverTime"] == "0"
        assert callback["alarmObjInfo"]["region"] == "gz"
        assert callback["alarmObjInfo"]["namespace"] == "qce/vpnx"
        assert callback["alarmObjInfo"]["dimensions"]["vpnconnid"] == conn
        info = callback["alarmPolicyInfo"]
        assert (info["policyId"], info["policyName"], info["policyType"]) == (
            policy_id, "vpn-tunnel-health", "vpn_tunnel")
        assert info["conditions"]["metricName"] == "Disconnected"
        assert info["conditions"]["calcType"] == ">" and info["conditions"]["currentValue"] == "1"
        assert hook.paths == ["/hooks/tencent-monitor"]
        # read again: the alarm goes on, no second callback
        again = _json(run(applied, "cloud", "DescribeAlarmHistories", "Module=monitor",
                          "AlarmStatus.0=ALARM"))
        assert again["TotalCount"] >= 1
        assert len(hook.bodies) == 1
    db = applied / ".vpnform" / "monitor.db"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_alarm_objects_import_change_and_destroy(applied):
    write_config(applied, ALARMS % "http://127.0.0.1:9/hook", name="alarms.tf")
    assert run(applied, "apply", "-auto-approve").code == 0
    shown = run(applied, "state", "show", "tencentcloud_monitor_alarm_policy.tunnel").stdout
    policy_id = shown.split('id ')[1].split('"')[1]
    assert run(applied, "state", "rm", "tencentcloud_monitor_alarm_policy.tunnel").code == 0
    imp = run(applied, "import", "tencentcloud_monitor_alarm_policy.tunnel", policy_id)
    assert imp.code == 0, imp
    assert run(applied, "plan", "-detailed-exitcode").code == 0
    # a change in place: the name and the threshold
    text = (ALARMS % "http://127.0.0.1:9/hook").replace('"vpn-tunnel-health"', '"renamed"')
    write_config(applied, text.replace('value            = "5"', 'value            = "9"'),
                 name="alarms.tf")
    res = run(applied, "apply", "-auto-approve")
    assert res.code == 0 and "0 added, 1 changed, 0 destroyed." in res.stdout, res
    policy = _json(run(applied, "cloud", "DescribeAlarmPolicy", "Module=monitor",
                       f"PolicyId={policy_id}"))["Policy"]
    assert policy["PolicyName"] == "renamed"
    assert policy["Condition"]["Rules"][1]["Value"] == "9"
    assert run(applied, "plan", "-detailed-exitcode").code == 0
    # a URL beyond this machine: the emulated cloud refuses it, by name
    write_config(applied, text.replace("http://127.0.0.1:9/hook", "https://ops.example.com/h"),
                 name="alarms.tf")
    bad = run(applied, "apply", "-auto-approve")
    assert bad.code == 1 and "only calls back to this machine" in bad.output, bad
    (applied / "alarms.tf").unlink()
    gone = run(applied, "apply", "-auto-approve")
    assert gone.code == 0 and "0 added, 0 changed, 3 destroyed." in gone.stdout, gone
    assert _json(run(applied, "cloud", "DescribeAlarmPolicies", "Module=monitor"))[
        "TotalCount"] == 0


def test_readme_alarms_section_runs_as_shown(tmp_path):
    from cli import QUICKSTART, REPO, copy_config, readme_script, run_script
    copy_config(QUICKSTART, tmp_path / "examples" / "quickstart")
    copy_config(REPO / "examples" / "alarms", tmp_path / "examples" / "alarms")
    with HookReceiver() as hook:
        script = (f"export TF_VAR_alarm_webhook_url={hook.url}\n" +
                  readme_script("### Alarms"))
        res = run_script(script, tmp_path)
        assert res.returncode == 0, (res.stdout, res.stderr)
        assert '"AlarmStatus": "ALARM"' in res.stdout
        assert '"PolicyName": "vpn-tunnel-health"' in res.stdout
        assert "only calls back to this machine" in res.stdout + res.stderr
        assert "0 added, 0 changed, 3 destroyed." in res.stdout
        [body] = hook.wait(1)
        assert body["alarmPolicyInfo"]["conditions"]["metricName"] == "Disconnected"
