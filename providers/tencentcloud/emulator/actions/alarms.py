"""Cloud Monitor alarm actions (2018-07-24): notice templates, alarm policies, the objects
bound to them, and the alarm history (reference monitoring-alarms-cost.md §1.4–1.10).
Served by monitor_service.EmulatedMonitorService beside the metric actions; the objects
live in alarm_store.AlarmStore. Policies of type ``vpn_tunnel`` are evaluated
(alarm_evaluator.py); DescribeAlarmHistories evaluates them before it answers.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from ..alarm_callbacks import clock_text, loopback_problem
from ...monitor_regions import REGION_NAMES
from ..alarm_rules import POLICY_TYPES, bound_instance, rule_problem
from ..store import Tx
from .common import ApiError
from .request import Int, Part, Request, Str, Tag, actions, tag_set

MODULE = "monitor"
MAX_URL_NOTICES = 6


# --- request parts ----------------------------------------------------------------------------

class AlarmPolicyFilter(Part):
    Type: Str
    Dimensions: Str | None = None


class AlarmPolicyRule(Part):
    MetricName: Str | None = None
    Period: Int | None = None
    Operator: Str | None = None
    Value: Str | None = None
    ContinuePeriod: Int = 1
    NoticeFrequency: Int = 0
    IsPowerNotice: Int = 0
    Filter: AlarmPolicyFilter | None = None
    Description: Str | None = None
    Unit: Str | None = None
    RuleType: Str = "STATIC"


class AlarmPolicyCondition(Part):
    IsUnionRule: Int
    Rules: list[AlarmPolicyRule]
    ComplexExpression: Str | None = None


class AlarmPolicyEventCondition(Part):
    Rules: list[AlarmPolicyRule] = []


class UrlNotice(Part):
    URL: Str
    IsValid: Int | None = None
    ValidationCode: Str | None = None
    StartTime: Int = 0
    EndTime: Int = 86399
    Weekday: list[Int] = [1, 2, 3, 4, 5, 6, 7]


class UserNotice(Part):
    ReceiverType: Str
    StartTime: Int
    EndTime: Int
    NoticeWay: list[Str]
    UserIds: list[Int] = []
    GroupIds: list[Int] = []
    Weekday: list[Int] = []


class BindingDimension(Part):
    Region: Str
    Dimensions: Str
    RegionId: Int | None = None
    EventDimensions: Str | None = None


# --- requests ---------------------------------------------------------------------------------

class _Module(Request):
    Module: Str


class CreateAlarmNoticeRequest(_Module):
    Name: Str
    NoticeType: Str
    NoticeLanguage: Str
    UserNotices: list[UserNotice] = []
    URLNotices: list[UrlNotice] = []
    CLSNotices: list[dict] = []
    Tags: list[Tag] = []
    IsLoginFree: Int | None = None
    TimeZoneName: Str | None = None


class ModifyAlarmNoticeRequest(CreateAlarmNoticeRequest):
    NoticeId: Str
    PolicyIds: list[Str] = []


class DescribeAlarmNoticesRequest(_Module):
    PageNumber: Int = 1
    PageSize: Int = 20
    Order: Str = "ASC"
    OwnerUid: Int | None = None
    Name: Str | None = None
    ReceiverType: Str | None = None
    UserIds: list[Int] = []
    GroupIds: list[Int] = []
    NoticeIds: list[Str] = []
    Tags: list[Tag] = []


class DeleteAlarmNoticesRequest(_Module):
    NoticeIds: list[Str]
    NoticeBindPolicys: list[dict] = []


class CreateAlarmPolicyRequest(_Module):
    PolicyName: Str
    MonitorType: Str
    Namespace: Str
    Remark: Str = ""
    Enable: Int = 1
    ProjectId: Int = -1
    ConditionTemplateId: Int | None = None
    Condition: AlarmPolicyCondition | None = None
    EventCondition: AlarmPolicyEventCondition | None = None
    NoticeIds: list[Str] = []
    TriggerTasks: list[dict] = []
    Filter: AlarmPolicyFilter | None = None
    GroupBy: list[Str] = []
    IsBindAll: Int = 0
    Tags: list[Tag] = []


class DescribeAlarmPolicyRequest(_Module):
    PolicyId: Str


class DescribeAlarmPoliciesRequest(_Module):
    PageNumber: Int = 1
    PageSize: Int = 20
    PolicyName: Str | None = None
    MonitorTypes: list[Str] = []
    Namespaces: list[Str] = []
    NoticeIds: list[Str] = []
    Enable: list[Int] = []
    Field: Str | None = None
    Order: Str | None = None


class ModifyAlarmPolicyConditionRequest(_Module):
    PolicyId: Str
    ConditionTemplateId: Int | None = None
    Condition: AlarmPolicyCondition | None = None
    EventCondition: AlarmPolicyEventCondition | None = None
    Filter: AlarmPolicyFilter | None = None
    GroupBy: list[Str] | None = None


class ModifyAlarmPolicyInfoRequest(_Module):
    PolicyId: Str
    Key: Str
    Value: Str


class ModifyAlarmPolicyStatusRequest(_Module):
    PolicyId: Str
    Enable: Int


class ModifyAlarmPolicyNoticeRequest(_Module):
    PolicyId: Str | None = None
    PolicyIds: list[Str] = []
    NoticeIds: list[Str] = []


class DeleteAlarmPolicyRequest(_Module):
    PolicyIds: list[Str]


class BindingPolicyObjectRequest(_Module):
    GroupId: Int | None = None
    PolicyId: Str | None = None
    InstanceGroupId: Int | None = None
    Dimensions: list[BindingDimension] = []


class DescribeBindingPolicyObjectListRequest(_Module):
    GroupId: Int
    PolicyId: Str | None = None
    Limit: Int = 20
    Offset: Int = 0


class UnBindingPolicyObjectRequest(_Module):
    GroupId: Int
    UniqueId: list[Str]
    PolicyId: Str | None = None
    InstanceGroupId: Int | None = None


class UnBindingAllPolicyObjectRequest(_Module):
    GroupId: Int
    PolicyId: Str | None = None


class DescribeAlarmHistoriesRequest(_Module):
    PageNumber: Int = 1
    PageSize: Int = 20
    Order: Str = "DESC"
    StartTime: Int | None = None
    EndTime: Int | None = None
    MonitorTypes: list[Str] = []
    AlarmObject: Str | None = None
    AlarmStatus: list[Str] = []
    PolicyIds: list[Str] = []
    PolicyName: Str | None = None
    MetricNames: list[Str] = []


# --- helpers ----------------------------------------------------------------------------------

def _bad(message: str) -> ApiError:
    return ApiError("InvalidParameterValue", message)


def _module(req: Any) -> None:
    if req.Module != MODULE:
        raise _bad(f"`Module` must be {MODULE!r}, not {req.Module!r}.")


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _page(items: list, number: int, size: int, most: int) -> list:
    if number < 1:
        raise _bad("`PageNumber` starts at 1.")
    if not 1 <= size <= most:
        raise _bad(f"`PageSize` must be from 1 to {most}.")
    return items[(number - 1) * size:number * size]


def _policy_or_404(w: Any, policy_id: str | None) -> dict:
    found = w.policy(policy_id) if policy_id else None
    if found is None:
        raise ApiError("ResourceNotFound", f"The alarm policy {policy_id!r} does not exist.")
    return found


def _check_notice_ids(w: Any, ids: list[str]) -> None:
    for nid in ids:
        if w.notice(nid) is None:
            raise ApiError("ResourceNotFound", f"The notice template {nid!r} does not exist.")


def _rule(r: AlarmPolicyRule) -> dict:
    out = r.model_dump(exclude_none=True)
    out.setdefault("Filter", {"Type": "", "Dimensions": ""})
    return out


def _condition(namespace: str, cond: AlarmPolicyCondition | None) -> dict:
    if cond is None:
        return {"IsUnionRule": 0, "Rules": []}
    if cond.IsUnionRule not in (0, 1):
        raise _bad("`Condition.IsUnionRule` must be 0 (any rule) or 1 (all rules); "
                   "composite expressions are not evaluated here.")
    rules = [_rule(r) for r in cond.Rules]
    for i, rule in enumerate(rules):
        problem = rule_problem(namespace, rule)
        if problem:
            raise _bad(f"`Condition.Rules.{i}`: {problem}")
    return {"IsUnionRule": cond.IsUnionRule, "Rules": rules}


def _namespace(req: Any) -> None:
    if req.MonitorType != "MT_QCE":
        raise _bad(f"`MonitorType` must be 'MT_QCE', not {req.MonitorType!r}.")
    if req.Namespace not in POLICY_TYPES:
        raise ApiError("UnsupportedOperation",
                       f"The alarm policy type {req.Namespace!r} is not served here (served: "
                       f"{', '.join(POLICY_TYPES)}).")


def _notice(req: CreateAlarmNoticeRequest, id: str, policy_ids: list[str]) -> dict:
    if not req.Name or len(req.Name) > 60:
        raise _bad("`Name` must be 1 to 60 characters.")
    if req.NoticeType not in ("ALARM", "OK", "ALL"):
        raise _bad(f"`NoticeType` must be ALARM, OK or ALL, not {req.NoticeType!r}.")
    if req.NoticeLanguage not in ("zh-CN", "en-US"):
        raise _bad(f"`NoticeLanguage` must be zh-CN or en-US, not {req.NoticeLanguage!r}.")
    if len(req.URLNotices) > MAX_URL_NOTICES:
        raise _bad(f"At most {MAX_URL_NOTICES} `URLNotices`.")
    urls = []
    for i, u in enumerate(req.URLNotices):
        if len(u.URL) > 256:
            raise _bad(f"`URLNotices.{i}.URL` is longer than 256 characters.")
        problem = loopback_problem(u.URL)
        if problem:
            raise _bad(f"`URLNotices.{i}.URL`: {problem}")
        urls.append({"URL": u.URL, "IsValid": 1, "ValidationCode": u.ValidationCode or "",
                     "StartTime": u.StartTime, "EndTime": u.EndTime, "Weekday": u.Weekday})
    return {"Id": id, "Name": req.Name, "UpdatedAt": clock_text(time.time()),
            "UpdatedBy": "", "NoticeType": req.NoticeType,
            "UserNotices": [n.model_dump() for n in req.UserNotices], "URLNotices": urls,
            "IsPreset": 0, "NoticeLanguage": req.NoticeLanguage, "PolicyIds": policy_ids,
            "AMPConsumerId": "", "CLSNotices": list(req.CLSNotices),
            "Tags": tag_set(req.Tags)}


def _policy_out(w: Any, policy: dict) -> dict:
    """The policy as DescribeAlarmPolicy answers it: notices inline, bound object count."""
    notices = [n for n in (w.notice(i) for i in policy["NoticeIds"]) if n is not None]
    notices = [{**n, "PolicyIds": _policies_of(w, n["Id"])} for n in notices]
    return {**policy, "Notices": notices, "UseSum": len(w.bindings(policy["PolicyId"]))}


def _policies_of(w: Any, notice_id: str) -> list[str]:
    return [p["PolicyId"] for p in w.policies() if notice_id in p["NoticeIds"]]


# --- notices ----------------------------------------------------------------------------------

def create_alarm_notice(ctx: Any, tx: Tx, req: CreateAlarmNoticeRequest, region: str) -> dict:
    _module(req)
    notice = _notice(req, _new_id("notice"), [])
    with ctx.alarms.writing() as w:
        w.put_notice(notice)
    return {"NoticeId": notice["Id"]}


def modify_alarm_notice(ctx: Any, tx: Tx, req: ModifyAlarmNoticeRequest, region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        if w.notice(req.NoticeId) is None:
            raise ApiError("ResourceNotFound",
                           f"The notice template {req.NoticeId!r} does not exist.")
        w.put_notice(_notice(req, req.NoticeId, []))
    return {}


def describe_alarm_notices(ctx: Any, tx: Tx, req: DescribeAlarmNoticesRequest,
                           region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        found = [{**n, "PolicyIds": _policies_of(w, n["Id"])} for n in w.notices()
                 if (not req.NoticeIds or n["Id"] in req.NoticeIds)
                 and (req.Name is None or req.Name in n["Name"])]
    found.sort(key=lambda n: n["UpdatedAt"], reverse=req.Order == "DESC")
    return {"TotalCount": len(found), "Notices": _page(found, req.PageNumber, req.PageSize, 200)}


def delete_alarm_notices(ctx: Any, tx: Tx, req: DeleteAlarmNoticesRequest, region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        for nid in req.NoticeIds:
            if w.notice(nid) is None:
                raise ApiError("ResourceNotFound", f"The notice template {nid!r} does not exist.")
        for nid in req.NoticeIds:
            w.delete_notice(nid)
            for p in w.policies():  # a policy no longer notifies a deleted template
                if nid in p["NoticeIds"]:
                    w.put_policy({**p, "NoticeIds": [i for i in p["NoticeIds"] if i != nid]})
    return {}


# --- policies ---------------------------------------------------------------------------------

def create_alarm_policy(ctx: Any, tx: Tx, req: CreateAlarmPolicyRequest, region: str) -> dict:
    _module(req)
    _namespace(req)
    if not req.PolicyName or len(req.PolicyName) > 60:
        raise _bad("`PolicyName` must be 1 to 60 characters.")
    if len(req.Remark) > 100:
        raise _bad("`Remark` is longer than 100 characters.")
    if req.Enable not in (0, 1):
        raise _bad("`Enable` must be 0 or 1.")
    if req.IsBindAll:
        raise ApiError("UnsupportedOperation", "`IsBindAll` is not supported for "
                       f"{req.Namespace} here; bind the tunnels with BindingPolicyObject.")
    condition = _condition(req.Namespace, req.Condition)
    now = int(ctx.clock())
    with ctx.alarms.writing() as w:
        _check_notice_ids(w, req.NoticeIds)
        policy = {
            "PolicyId": _new_id("policy"), "PolicyName": req.PolicyName, "Remark": req.Remark,
            "MonitorType": req.MonitorType, "Enable": req.Enable, "ProjectId": req.ProjectId,
            "ProjectName": "", "Namespace": req.Namespace,
            "NamespaceShowName": POLICY_TYPES[req.Namespace][2],
            "ConditionTemplateId": str(req.ConditionTemplateId or 0),
            "Condition": condition, "EventCondition": {"Rules": []},
            "NoticeIds": list(req.NoticeIds), "TriggerTasks": list(req.TriggerTasks),
            "LastEditUin": "", "UpdateTime": now, "InsertTime": now, "Region": [],
            "RuleType": "STATIC", "OriginId": str(w.next_origin_id()), "TagInstances": [],
            "Filter": None, "GroupBy": [], "IsBindAll": 0, "Tags": tag_set(req.Tags)}
        w.put_policy(policy)
    return {"PolicyId": policy["PolicyId"], "OriginId": policy["OriginId"]}


def describe_alarm_policy(ctx: Any, tx: Tx, req: DescribeAlarmPolicyRequest,
                          region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        return {"Policy": _policy_out(w, _policy_or_404(w, req.PolicyId))}


def describe_alarm_policies(ctx: Any, tx: Tx, req: DescribeAlarmPoliciesRequest,
                            region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        found = [_policy_out(w, p) for p in w.policies()
                 if (req.PolicyName is None or req.PolicyName in p["PolicyName"])
                 and (not req.MonitorTypes or p["MonitorType"] in req.MonitorTypes)
                 and (not req.Namespaces or p["Namespace"] in req.Namespaces)
                 and (not req.NoticeIds or set(req.NoticeIds) & set(p["NoticeIds"]))
                 and (not req.Enable or p["Enable"] in req.Enable)]
    if req.Field:
        found.sort(key=lambda p: str(p.get(req.Field, "")), reverse=req.Order == "DESC")
    return {"TotalCount": len(found),
            "Policies": _page(found, req.PageNumber, req.PageSize, 100)}


def _modify(ctx: Any, policy_id: str, change) -> dict:
    with ctx.alarms.writing() as w:
        policy = _policy_or_404(w, policy_id)
        w.put_policy({**change(w, policy), "UpdateTime": int(ctx.clock())})
    return {}


def modify_alarm_policy_condition(ctx: Any, tx: Tx, req: ModifyAlarmPolicyConditionRequest,
                                  region: str) -> dict:
    _module(req)

    def change(w, p):
        out = dict(p)
        if req.Condition is not None:
            out["Condition"] = _condition(p["Namespace"], req.Condition)
        if req.GroupBy is not None:
            out["GroupBy"] = list(req.GroupBy)
        return out
    return _modify(ctx, req.PolicyId, change)


def modify_alarm_policy_info(ctx: Any, tx: Tx, req: ModifyAlarmPolicyInfoRequest,
                             region: str) -> dict:
    _module(req)
    if req.Key not in ("NAME", "REMARK"):
        raise _bad(f"`Key` must be NAME or REMARK, not {req.Key!r}.")
    if req.Key == "NAME" and not 1 <= len(req.Value) <= 60:
        raise _bad("The policy name must be 1 to 60 characters.")
    if req.Key == "REMARK" and len(req.Value) > 100:
        raise _bad("The remark is longer than 100 characters.")
    field = {"NAME": "PolicyName", "REMARK": "Remark"}[req.Key]
    return _modify(ctx, req.PolicyId, lambda w, p: {**p, field: req.Value})


def modify_alarm_policy_status(ctx: Any, tx: Tx, req: ModifyAlarmPolicyStatusRequest,
                               region: str) -> dict:
    _module(req)
    if req.Enable not in (0, 1):
        raise _bad("`Enable` must be 0 or 1.")
    return _modify(ctx, req.PolicyId, lambda w, p: {**p, "Enable": req.Enable})


def modify_alarm_policy_notice(ctx: Any, tx: Tx, req: ModifyAlarmPolicyNoticeRequest,
                               region: str) -> dict:
    _module(req)
    ids = req.PolicyIds or ([req.PolicyId] if req.PolicyId else [])
    if not ids:
        raise ApiError("MissingParameter", "Give `PolicyId` or `PolicyIds`.")
    with ctx.alarms.writing() as w:
        _check_notice_ids(w, req.NoticeIds)
        for pid in ids:
            p = _policy_or_404(w, pid)
            w.put_policy({**p, "NoticeIds": list(req.NoticeIds),
                          "UpdateTime": int(ctx.clock())})
    return {}


def delete_alarm_policy(ctx: Any, tx: Tx, req: DeleteAlarmPolicyRequest, region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        for pid in req.PolicyIds:
            _policy_or_404(w, pid)
        for pid in req.PolicyIds:
            w.delete_policy(pid)
    return {}


# --- bound objects ----------------------------------------------------------------------------

def _policy_of(w: Any, policy_id: str | None, group_id: int | None) -> dict:
    if policy_id:
        return _policy_or_404(w, policy_id)
    found = next((p for p in w.policies() if group_id and int(p["OriginId"]) == group_id),
                 None)
    if found is None:
        raise ApiError("ResourceNotFound", f"No alarm policy has the ID {group_id!r}.")
    return found


def binding_policy_object(ctx: Any, tx: Tx, req: BindingPolicyObjectRequest,
                          region: str) -> dict:
    _module(req)
    if not req.Dimensions:
        raise ApiError("MissingParameter", "`Dimensions` must name the objects to bind.")
    with ctx.alarms.writing() as w:
        policy = _policy_of(w, req.PolicyId, req.GroupId)
        key = POLICY_TYPES[policy["Namespace"]][1]
        for i, d in enumerate(req.Dimensions):
            if d.Region not in REGION_NAMES:
                raise _bad(f"`Dimensions.{i}.Region` {d.Region!r} is not a region code such "
                           "as gz.")
            if bound_instance(d.Dimensions, key) is None:
                raise _bad(f"`Dimensions.{i}.Dimensions` must be a JSON object with "
                           f"{key!r} (e.g. {{\"{key}\":\"vpnx-…\"}}).")
            unique = hashlib.md5(f"{policy['PolicyId']}|{d.Region}|{d.Dimensions}".encode(),
                                 usedforsecurity=False).hexdigest()
            w.bind(unique, policy["PolicyId"], d.Region, d.Dimensions)
    return {}


def describe_binding_policy_object_list(ctx: Any, tx: Tx,
                                        req: DescribeBindingPolicyObjectListRequest,
                                        region: str) -> dict:
    _module(req)
    if not 1 <= req.Limit <= 100:
        raise _bad("`Limit` must be from 1 to 100.")
    with ctx.alarms.writing() as w:
        policy = _policy_of(w, req.PolicyId, req.GroupId)
        found = w.bindings(policy["PolicyId"])
    items = [{**b, "IsShielded": 0} for b in found]
    return {"List": items[req.Offset:req.Offset + req.Limit], "Total": len(items),
            "NoShieldedSum": len(items)}


def un_binding_policy_object(ctx: Any, tx: Tx, req: UnBindingPolicyObjectRequest,
                             region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        w.unbind(_policy_of(w, req.PolicyId, req.GroupId)["PolicyId"], list(req.UniqueId))
    return {}


def un_binding_all_policy_object(ctx: Any, tx: Tx, req: UnBindingAllPolicyObjectRequest,
                                 region: str) -> dict:
    _module(req)
    with ctx.alarms.writing() as w:
        w.unbind(_policy_of(w, req.PolicyId, req.GroupId)["PolicyId"])
    return {}


# --- history ----------------------------------------------------------------------------------

def describe_alarm_histories(ctx: Any, tx: Tx, req: DescribeAlarmHistoriesRequest,
                             region: str) -> dict:
    """The one reader of the alarm history; evaluates the policies first."""
    _module(req)
    if not 1 <= req.PageSize <= 100:
        raise _bad("`PageSize` must be from 1 to 100.")
    bad = set(req.AlarmStatus) - {"ALARM", "OK", "NO_CONF", "NO_DATA"}
    if bad:
        raise _bad(f"`AlarmStatus` {sorted(bad)} is not one of ALARM, OK, NO_CONF, NO_DATA.")
    ctx.evaluate_alarms()
    now = int(ctx.clock())
    end = req.EndTime if req.EndTime is not None else now
    start = req.StartTime if req.StartTime is not None else end - 86400
    with ctx.alarms.writing() as w:
        existing = {p["PolicyId"] for p in w.policies()}
        found = [{**h, "PolicyExists": int(h["PolicyId"] in existing)}
                 for h in w.histories() if start <= h["FirstOccurTime"] <= end
                 and (not req.MonitorTypes or h["MonitorType"] in req.MonitorTypes)
                 and (req.AlarmObject is None or req.AlarmObject in h["AlarmObject"])
                 and (not req.AlarmStatus or h["AlarmStatus"] in req.AlarmStatus)
                 and (not req.PolicyIds or h["PolicyId"] in req.PolicyIds)
                 and (req.PolicyName is None or req.PolicyName in h["PolicyName"])
                 and (not req.MetricNames or h["MetricsInfo"][0]["MetricName"]
                      in req.MetricNames)]
    if req.Order == "ASC":
        found.reverse()
    return {"TotalCount": len(found),
            "Histories": _page(found, req.PageNumber, req.PageSize, 100)}


ACTIONS = actions({
    CreateAlarmNoticeRequest: create_alarm_notice,
    ModifyAlarmNoticeRequest: modify_alarm_notice,
    DescribeAlarmNoticesRequest: describe_alarm_notices,
    DeleteAlarmNoticesRequest: delete_alarm_notices,
    CreateAlarmPolicyRequest: create_alarm_policy,
    DescribeAlarmPolicyRequest: describe_alarm_policy,
    DescribeAlarmPoliciesRequest: describe_alarm_policies,
    ModifyAlarmPolicyConditionRequest: modify_alarm_policy_condition,
    ModifyAlarmPolicyInfoRequest: modify_alarm_policy_info,
    ModifyAlarmPolicyStatusRequest: modify_alarm_policy_status,
    ModifyAlarmPolicyNoticeRequest: modify_alarm_policy_notice,
    DeleteAlarmPolicyRequest: delete_alarm_policy,
    BindingPolicyObjectRequest: binding_policy_object,
    DescribeBindingPolicyObjectListRequest: describe_binding_policy_object_list,
    UnBindingPolicyObjectRequest: un_binding_policy_object,
    UnBindingAllPolicyObjectRequest: un_binding_all_policy_object,
    DescribeAlarmHistoriesRequest: describe_alarm_histories,
})
