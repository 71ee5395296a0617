# Alarms on the quick start's tunnel: copy this file into examples/quickstart and apply.
# The tunnel's Disconnected metric (1 = down) or its probe loss above 5 % for 3 minutes
# raises an alarm; the notice template POSTs the cloud's callback to a URL on this
# machine when the alarm is raised and again when it recovers.

variable "alarm_webhook_url" {
  type        = string
  description = "Where alarm callbacks are POSTed (the emulated cloud calls loopback URLs only)."
  default     = "http://127.0.0.1:8080/hooks/tencent-monitor"
}

resource "tencentcloud_monitor_alarm_notice" "vpn_hook" {
  name            = "vpn-ops-webhook"
  notice_type     = "ALL" # alarm + recovery callbacks
  notice_language = "en-US"
  url_notices {
    url        = var.alarm_webhook_url
    start_time = 0
    end_time   = 86399
    weekday    = [1, 2, 3, 4, 5, 6, 7]
  }
}

resource "tencentcloud_monitor_alarm_policy" "vpn_tunnel" {
  policy_name  = "vpn-tunnel-health"
  monitor_type = "MT_QCE"
  namespace    = "vpn_tunnel" # alarm policy type, not QCE/VPNX
  conditions {
    is_union_rule = 0 # any rule raises the alarm
    rules {
      metric_name      = "PkgDrop"
      period           = 60
      operator         = "gt"
      value            = "5"
      continue_period  = 3
      notice_frequency = 3600
      is_power_notice  = 0
    }
    rules {
      metric_name      = "Disconnected"
      period           = 60
      operator         = "gt"
      value            = "0"
      continue_period  = 1
      notice_frequency = 0
      is_power_notice  = 0
    }
  }
  notice_ids = [tencentcloud_monitor_alarm_notice.vpn_hook.id]
}

resource "tencentcloud_monitor_policy_binding_object" "tunnel" {
  policy_id = tencentcloud_monitor_alarm_policy.vpn_tunnel.id
  dimensions {
    dimensions_json = jsonencode({ vpnconnid = tencentcloud_vpn_connection.tom.id })
  }
}
