"""``tencentcloud_monitor_alarm_policy``: a Cloud Monitor alarm policy: metric rules on
an alarm policy type (``vpn_tunnel``) and the notice templates it notifies (reference
monitoring-alarms-cost.md §3.1; CreateAlarmPolicy / DescribeAlarmPolicy, one Modify call
per changed group, DeleteAlarmPolicy). The objects it watches are bound by
``tencentcloud_monitor_policy_binding_object``."""

from __future__ import annotations

import time
from typing import Any

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block, NestedBlock

from .base import (
    ID,
    TOKEN_TAG,
    Context,
    ResourceType,
    changed,
    computed,
    keep_null,
    known,
    num,
    optional,
    required,
)

MODULE = "monitor"
OPERATORS = ("gt", "ge", "lt", "le", "eq", "ne")

RULE_BLOCK = NestedBlock(Block(attributes={
    "metric_name": optional(V.STRING),
    "period": optional(V.NUMBER),
    "operator": optional(V.STRING),
    "value": optional(V.STRING),
    "continue_period": optional(V.NUMBER),
    "notice_frequency": optional(V.NUMBER),
    "is_power_notice": optional(V.NUMBER),
    "description": optional(V.STRING),
    "unit": optional(V.STRING),
    "rule_type": optional(V.STRING),
}))
CONDITIONS_BLOCK = NestedBlock(Block(attributes={
    "is_union_rule": optional(V.NUMBER),
}, block_types={"rules": RULE_BLOCK}), max_items=1)


def describe_policy(ctx: Context, id: str) -> dict | None:
    body = ctx.client.call("DescribeAlarmPolicy", Module=MODULE, PolicyId=id)
    return body.get("Policy")


def _rule_to_api(r: dict) -> dict:
    out = {"MetricName": known(r.get("metric_name")), "Period": num(r.get("period")),
           "Operator": known(r.get("operator")), "Value": known(r.get("value")),
           "ContinuePeriod": num(r.get("continue_period")),
           "NoticeFrequency": num(r.get("notice_frequency")),
           "IsPowerNotice": num(r.get("is_power_notice")),
           "RuleType": known(r.get("rule_type"))}
    return {k: v for k, v in out.items() if v is not None}


def _condition_to_api(conditions: Any) -> dict | None:
    items = known(conditions) or []
    if not items:
        return None
    c = items[0]
    return {"IsUnionRule": num(c.get("is_union_rule")) or 0,
            "Rules": [_rule_to_api(r) for r in known(c.get("rules")) or []]}


def _rule_from_api(r: dict, p: dict | None) -> dict:
    """The rule as read; ``p`` is the prior rule (None: none, as after an import, when
    every value the cloud has is read)."""
    if p is None:
        p = {"continue_period": 0, "notice_frequency": 0, "is_power_notice": 0}
    return {"metric_name": r.get("MetricName"), "period": r.get("Period"),
            "operator": r.get("Operator"), "value": r.get("Value"),
            "continue_period": keep_null(p.get("continue_period"), r.get("ContinuePeriod"), 1),
            "notice_frequency": keep_null(p.get("notice_frequency"), r.get("NoticeFrequency")),
            "is_power_notice": keep_null(p.get("is_power_notice"), r.get("IsPowerNotice")),
            "description": keep_null(p.get("description"), r.get("Description")),
            "unit": keep_null(p.get("unit"), r.get("Unit")),
            "rule_type": keep_null(p.get("rule_type"), r.get("RuleType"), "STATIC")}


def _clock(ts: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(ts))) if ts else ""


class MonitorAlarmPolicy(ResourceType):
    type_name = "tencentcloud_monitor_alarm_policy"
    noun = "alarm policy"
    block = Block(attributes={
        "id": ID,
        "policy_name": required(V.STRING),
        "monitor_type": required(V.STRING, force_new=True),
        "namespace": required(V.STRING, force_new=True),
        "remark": optional(V.STRING),
        "enable": optional(V.NUMBER, default=1),
        "project_id": optional(V.NUMBER, default=-1, force_new=True),
        "notice_ids": optional(V.ListType(V.STRING)),
        "create_time": computed(V.STRING),
        "update_time": computed(V.STRING),
    }, block_types={"conditions": CONDITIONS_BLOCK})

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name = known(config.get("policy_name"))
        if isinstance(name, str) and not 1 <= len(name) <= 60:
            d.error("Invalid alarm policy name",
                    "The name is too long or empty. Give policy_name 1 to 60 characters.",
                    path=("policy_name",))
        remark = known(config.get("remark"))
        if isinstance(remark, str) and len(remark) > 100:
            d.error("Invalid remark",
                    "The remark is too long. Shorten remark to at most 100 characters.",
                    path=("remark",))
        enable = num(config.get("enable"))
        if enable not in (None, 0, 1):
            d.error("Invalid enable", "Set enable to 1 (the policy is on) or 0 (off).", path=("enable",))
        conditions = known(config.get("conditions"))
        if isinstance(conditions, list) and conditions:
            c = conditions[0]
            union = num(c.get("is_union_rule"))
            if union not in (None, 0, 1):
                d.error("Invalid is_union_rule", "Set is_union_rule to 0 (any rule raises "
                        "the alarm) or 1 (all rules must hold).",
                        path=("conditions", 0, "is_union_rule"))
            for i, r in enumerate(known(c.get("rules")) or []):
                op = known(r.get("operator"))
                if isinstance(op, str) and op not in OPERATORS:
                    d.error("Invalid operator", f"The operator {op!r} is not one Cloud Monitor "
                            f"knows. Use one of {', '.join(OPERATORS)}.",
                            path=("conditions", 0, "rules", i, "operator"))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        project = num(planned.get("project_id"))
        body = ctx.client.call(
            "CreateAlarmPolicy", Module=MODULE, PolicyName=planned["policy_name"],
            MonitorType=planned["monitor_type"], Namespace=planned["namespace"],
            Remark=known(planned.get("remark")), Enable=num(planned.get("enable")),
            ProjectId=None if project == -1 else project,
            Condition=_condition_to_api(planned.get("conditions")),
            NoticeIds=known(planned.get("notice_ids")),
            Tags=[{"Key": TOKEN_TAG, "Value": token}] if token else None)
        return body["PolicyId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        body = ctx.client.call("DescribeAlarmPolicies", Module=MODULE, PageNumber=1,
                               PageSize=100, PolicyName=planned["policy_name"])
        return next((p["PolicyId"] for p in body.get("Policies") or []
                     if {"Key": TOKEN_TAG, "Value": token} in (p.get("Tags") or [])), None)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        p = describe_policy(ctx, prior["id"])
        if p is None:
            return None
        cond = p.get("Condition") or {}
        prior_cond = (prior.get("conditions") or [None])[0]
        prior_rules = (prior_cond or {}).get("rules") or []
        rules = [_rule_from_api(r, prior_rules[i] if i < len(prior_rules) else None)
                 for i, r in enumerate(cond.get("Rules") or [])]
        union = cond.get("IsUnionRule")
        conditions = [{"is_union_rule": union if prior_cond is None else
                       keep_null(prior_cond.get("is_union_rule"), union),
                       "rules": rules}] if rules else []
        return {"id": p["PolicyId"], "policy_name": p["PolicyName"],
                "monitor_type": p["MonitorType"], "namespace": p["Namespace"],
                "remark": keep_null(prior.get("remark"), p.get("Remark")),
                "enable": p.get("Enable", 1), "project_id": p.get("ProjectId", -1),
                "notice_ids": keep_null(prior.get("notice_ids"), p.get("NoticeIds")),
                "conditions": conditions, "create_time": _clock(p.get("InsertTime")),
                "update_time": _clock(p.get("UpdateTime"))}

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        pid = prior["id"]
        if changed(prior, planned, "policy_name"):
            ctx.client.call("ModifyAlarmPolicyInfo", Module=MODULE, PolicyId=pid, Key="NAME",
                            Value=planned["policy_name"])
        if changed(prior, planned, "remark"):
            ctx.client.call("ModifyAlarmPolicyInfo", Module=MODULE, PolicyId=pid, Key="REMARK",
                            Value=known(planned.get("remark")) or "")
        if changed(prior, planned, "enable"):
            ctx.client.call("ModifyAlarmPolicyStatus", Module=MODULE, PolicyId=pid,
                            Enable=num(planned.get("enable")))
        if changed(prior, planned, "conditions"):
            ctx.client.call("ModifyAlarmPolicyCondition", Module=MODULE, PolicyId=pid,
                            Condition=_condition_to_api(planned.get("conditions")) or
                            {"IsUnionRule": 0, "Rules": []})
        if changed(prior, planned, "notice_ids"):
            ctx.client.call("ModifyAlarmPolicyNotice", Module=MODULE, PolicyId=pid,
                            NoticeIds=known(planned.get("notice_ids")) or [])

    def unknown_after_update(self, changed: set[str]) -> set[str]:
        return {"update_time"} if changed else set()

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("DeleteAlarmPolicy", Module=MODULE, PolicyIds=[prior["id"]])


RESOURCE = MonitorAlarmPolicy()
