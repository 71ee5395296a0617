"""``tencentcloud_monitor_alarm_notice``: a Cloud Monitor notice template, with the
receivers and URL callbacks an alarm policy notifies (reference monitoring-alarms-cost.md
§3.2; CreateAlarmNotice / DescribeAlarmNotices / ModifyAlarmNotice / DeleteAlarmNotices)."""

from __future__ import annotations

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
NOTICE_TYPES = ("ALARM", "OK", "ALL")
LANGUAGES = ("zh-CN", "en-US")
WEEK = [1, 2, 3, 4, 5, 6, 7]

URL_BLOCK = NestedBlock(Block(attributes={
    "url": required(V.STRING),
    "is_valid": optional(V.NUMBER),
    "validation_code": optional(V.STRING),
    "start_time": optional(V.NUMBER),
    "end_time": optional(V.NUMBER),
    "weekday": optional(V.SetType(V.NUMBER)),
}), max_items=6)
USER_BLOCK = NestedBlock(Block(attributes={
    "receiver_type": required(V.STRING),
    "start_time": required(V.NUMBER),
    "end_time": required(V.NUMBER),
    "notice_way": required(V.SetType(V.STRING)),
    "user_ids": optional(V.SetType(V.NUMBER)),
    "group_ids": optional(V.SetType(V.NUMBER)),
}), max_items=5)


def describe_notice(ctx: Context, id: str) -> dict | None:
    body = ctx.client.call("DescribeAlarmNotices", Module=MODULE, PageNumber=1, PageSize=200,
                           Order="ASC", NoticeIds=[id])
    return next((n for n in body.get("Notices") or [] if n.get("Id") == id), None)


def _ints(v: Any) -> list[int] | None:
    v = known(v)
    return None if v is None else [int(x) for x in v]


def _urls_to_api(items: Any) -> list[dict]:
    out = []
    for u in known(items) or []:
        out.append({k: v for k, v in {
            "URL": u["url"], "IsValid": num(u.get("is_valid")),
            "ValidationCode": known(u.get("validation_code")),
            "StartTime": num(u.get("start_time")), "EndTime": num(u.get("end_time")),
            "Weekday": _ints(u.get("weekday"))}.items() if v is not None})
    return out


def _users_to_api(items: Any) -> list[dict]:
    out = []
    for u in known(items) or []:
        out.append({k: v for k, v in {
            "ReceiverType": u["receiver_type"], "StartTime": num(u.get("start_time")),
            "EndTime": num(u.get("end_time")), "NoticeWay": list(known(u["notice_way"]) or []),
            "UserIds": _ints(u.get("user_ids")),
            "GroupIds": _ints(u.get("group_ids"))}.items() if v is not None})
    return out


def _prior_item(prior: Any, i: int) -> dict:
    items = prior if isinstance(prior, list) else []
    return items[i] if i < len(items) and isinstance(items[i], dict) else {}


class MonitorAlarmNotice(ResourceType):
    type_name = "tencentcloud_monitor_alarm_notice"
    noun = "alarm notice template"
    block = Block(attributes={
        "id": ID,
        "name": required(V.STRING),
        "notice_type": required(V.STRING),
        "notice_language": required(V.STRING),
        "is_preset": computed(V.NUMBER),
        "policy_ids": computed(V.SetType(V.STRING)),
        "updated_at": computed(V.STRING),
        "updated_by": computed(V.STRING),
        "amp_consumer_id": computed(V.STRING),
    }, block_types={"url_notices": URL_BLOCK, "user_notices": USER_BLOCK})

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name = known(config.get("name"))
        if isinstance(name, str) and not 1 <= len(name) <= 60:
            d.error("Invalid notice template name",
                    "The name is too long or empty. Give it 1 to 60 characters.",
                    path=("name",))
        kind = known(config.get("notice_type"))
        if isinstance(kind, str) and kind not in NOTICE_TYPES:
            d.error("Invalid notice type", f"The notice type {kind!r} is unknown. Use one of "
                    f"{', '.join(NOTICE_TYPES)} (alarms, recoveries, or both).",
                    path=("notice_type",))
        lang = known(config.get("notice_language"))
        if isinstance(lang, str) and lang not in LANGUAGES:
            d.error("Invalid notice language", f"The language {lang!r} is not offered. Use one of "
                    f"{', '.join(LANGUAGES)}.", path=("notice_language",))
        return d

    def _params(self, planned: dict) -> dict:
        return {"Module": MODULE, "Name": planned["name"], "NoticeType": planned["notice_type"],
                "NoticeLanguage": planned["notice_language"],
                "URLNotices": _urls_to_api(planned.get("url_notices")) or None,
                "UserNotices": _users_to_api(planned.get("user_notices")) or None}

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        tags = [{"Key": TOKEN_TAG, "Value": token}] if token else None
        return ctx.client.call("CreateAlarmNotice", **self._params(planned),
                               Tags=tags)["NoticeId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        body = ctx.client.call("DescribeAlarmNotices", Module=MODULE, PageNumber=1,
                               PageSize=200, Order="ASC", Name=planned["name"])
        return next((n["Id"] for n in body.get("Notices") or []
                     if {"Key": TOKEN_TAG, "Value": token} in (n.get("Tags") or [])), None)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        n = describe_notice(ctx, prior["id"])
        if n is None:
            return None
        urls = []
        for i, u in enumerate(n.get("URLNotices") or []):
            p = _prior_item(prior.get("url_notices"), i)
            urls.append({
                "url": u["URL"],
                "is_valid": keep_null(p.get("is_valid"), u.get("IsValid"), 1),
                "validation_code": keep_null(p.get("validation_code"), u.get("ValidationCode")),
                "start_time": keep_null(p.get("start_time"), u.get("StartTime")),
                "end_time": keep_null(p.get("end_time"), u.get("EndTime"), 86399),
                "weekday": keep_null(p.get("weekday"), u.get("Weekday"), WEEK)})
        users = []
        for i, u in enumerate(n.get("UserNotices") or []):
            p = _prior_item(prior.get("user_notices"), i)
            users.append({
                "receiver_type": u["ReceiverType"], "start_time": u["StartTime"],
                "end_time": u["EndTime"], "notice_way": u.get("NoticeWay") or [],
                "user_ids": keep_null(p.get("user_ids"), u.get("UserIds")),
                "group_ids": keep_null(p.get("group_ids"), u.get("GroupIds"))})
        return {"id": n["Id"], "name": n["Name"], "notice_type": n["NoticeType"],
                "notice_language": n["NoticeLanguage"], "url_notices": urls,
                "user_notices": users, "is_preset": n.get("IsPreset", 0),
                "policy_ids": n.get("PolicyIds") or [], "updated_at": n.get("UpdatedAt", ""),
                "updated_by": n.get("UpdatedBy", ""),
                "amp_consumer_id": n.get("AMPConsumerId", "")}

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "name", "notice_type", "notice_language", "url_notices",
                   "user_notices"):
            ctx.client.call("ModifyAlarmNotice", NoticeId=prior["id"], **self._params(planned))

    def unknown_after_update(self, changed: set[str]) -> set[str]:
        return {"updated_at"} if changed else set()

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("DeleteAlarmNotices", Module=MODULE, NoticeIds=[prior["id"]])


RESOURCE = MonitorAlarmNotice()
