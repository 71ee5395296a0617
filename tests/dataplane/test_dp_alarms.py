"""Acceptance of alarms on the real tunnel: the quick start applied with dataplane =
"strongswan" and an alarm policy on the tunnel's Disconnected metric, notifying a loopback
URL. Up: no alarm. The IDC's charon stopped and ``vpnform lab fail-gateway`` run: the
alarm is raised and its callback arrives. The IDC restored and the tunnel up again: the
recovery callback arrives, once each. Needs root, charon and swanctl; about two minutes
(recovery is judged on the next one-minute period)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from dp_support import first_reply, lab_support_problem, vpnform
from test_dp_live import IDC_HOST, STRONGSWAN, Cloud, swanctl_load
from test_dp_monitor import site  # noqa: F401 - the fixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers" / "tencentcloud"))
from hook_support import HookReceiver  # noqa: E402

pytestmark = [
    pytest.mark.skipif(bool(lab_support_problem()), reason=lab_support_problem() or ""),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),  # the IDC charon's Popen
]

ALARMS = """
resource "tencentcloud_monitor_alarm_notice" "hook" {
  name            = "vpn-ops-webhook"
  notice_type     = "ALL"
  notice_language = "en-US"
  url_notices {
    url = "%s"
  }
}

resource "tencentcloud_monitor_alarm_policy" "down" {
  policy_name  = "tunnel-down"
  monitor_type = "MT_QCE"
  namespace    = "vpn_tunnel"
  conditions {
    is_union_rule = 0
    rules {
      metric_name     = "Disconnected"
      period          = 60
      operator        = "gt"
      value           = "0"
      continue_period = 1
    }
  }
  notice_ids = [tencentcloud_monitor_alarm_notice.hook.id]
}

resource "tencentcloud_monitor_policy_binding_object" "tunnel" {
  policy_id = tencentcloud_monitor_alarm_policy.down.id
  dimensions {
    dimensions_json = jsonencode({ vpnconnid = tencentcloud_vpn_connection.tom.id })
  }
}
"""


def histories(workdir) -> list[dict]:
    res = vpnform(workdir, "cloud", "DescribeAlarmHistories", "Module=monitor")
    assert res.returncode == 0, res
    return json.loads(res.stdout)["Histories"]


def poll_status(workdir, status: str, timeout: float) -> list[dict]:
    """The history once its alarm has ``status`` (reading it evaluates the policy)."""
    deadline = time.monotonic() + timeout
    while True:
        found = histories(workdir)
        if found and found[0]["AlarmStatus"] == status or time.monotonic() > deadline:
            return found
        time.sleep(2)


def test_alarm_fires_on_a_stopped_idc_and_recovers(site):  # noqa: F811
    workdir, lab, idc = site
    with HookReceiver() as hook:
        (workdir / "alarms.tf").write_text(ALARMS % hook.url)
        res = vpnform(workdir, "apply", "-auto-approve", "-no-color")
        assert res.returncode == 0 and "3 added" in res.stdout, res
        cloud = Cloud(workdir)
        try:
            conn = cloud.call("DescribeVpnConnections")["VpnConnectionSet"][0]
            config = cloud.call("DownloadCustomerGatewayConfiguration",
                                VpnGatewayId=conn["VpnGatewayId"],
                                VpnConnectionId=conn["VpnConnectionId"],
                                CustomerGatewayVendor=STRONGSWAN,
                                InterfaceName="eth0")["CustomerGatewayConfiguration"]
        finally:
            cloud.close()
        (workdir / "idc-swanctl.conf").write_text(config)
        swanctl_load(workdir / "idc-swanctl.conf", idc)
        host = next(h for h in lab.read_record()["hosts"].values()
                    if h.get("kind") == "subnet-host")
        assert first_reply(host["namespace"], IDC_HOST) is not None, "the tunnel never came up"

        # Up: nothing raised, nothing called.
        assert histories(workdir) == [] and hook.bodies == []

        # The IDC side stops and the cloud's active charon fails: the tunnel is down.
        t_down = time.monotonic()
        idc.stop()
        failed = vpnform(workdir, "lab", "fail-gateway", "tencentcloud_vpn_gateway.tom",
                         "-no-color")
        assert failed.returncode == 0, failed
        raised = poll_status(workdir, "ALARM", timeout=40)
        assert raised and raised[0]["AlarmStatus"] == "ALARM", raised
        [body] = hook.wait(1, timeout=10)
        print(f"\nalarm raised and called back {time.monotonic() - t_down:.1f} s after the "
              "IDC stopped")
        assert body["alarmStatus"] == "1"
        assert body["alarmObjInfo"]["dimensions"]["vpnconnid"] == conn["VpnConnectionId"]
        assert body["alarmPolicyInfo"]["conditions"]["currentValue"] == "1"

        # Restored: the IDC's charon again, the tunnel up again; recovery on a later period.
        t_up = time.monotonic()
        idc.start()
        swanctl_load(workdir / "idc-swanctl.conf", idc)
        assert first_reply(host["namespace"], IDC_HOST) is not None, "no tunnel after restore"
        recovered = poll_status(workdir, "OK", timeout=100)
        assert recovered and recovered[0]["AlarmStatus"] == "OK", recovered
        bodies = hook.wait(2, timeout=10)
        print(f"recovery called back {time.monotonic() - t_up:.1f} s after the restore")
        assert [b["alarmStatus"] for b in bodies] == ["1", "0"]
        assert bodies[1]["recoverTime"] != "0"
        assert len(histories(workdir)) == 1 and len(hook.bodies) == 2  # once each
