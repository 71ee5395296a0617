"""ModifyResourceTags: the tag service's action, served here so tags can change in place."""

from __future__ import annotations

import re

from ..store import Tx
from .common import PREFIX, ApiError, Context, get
from .request import Part, Request, Str, actions

RESOURCE_NAME = re.compile(r"qcs::vpc:([a-z0-9-]+):uin/[0-9]*:([a-z]+)/([a-z0-9-]+)")


class TagChange(Part):
    TagKey: Str
    TagValue: Str = ""


class ModifyResourceTagsRequest(Request):
    Resource: Str
    ReplaceTags: list[TagChange] = []
    DeleteTags: list[TagChange] = []


def modify_tags(ctx: Context, tx: Tx, req: ModifyResourceTagsRequest, region: str) -> dict:
    m = RESOURCE_NAME.fullmatch(req.Resource)
    kind = m.group(2) if m else None
    if m is None or kind not in PREFIX or m.group(1) != region:
        raise ApiError("InvalidParameterValue.Malformed",
                       f"{req.Resource!r} is not a resource name of this region.")
    obj = get(tx, kind, m.group(3), region)
    tags = {t["Key"]: t["Value"] for t in obj.get("TagSet") or []}
    for t in req.ReplaceTags:
        tags[t.TagKey] = t.TagValue
    for t in req.DeleteTags:
        tags.pop(t.TagKey, None)
    obj["TagSet"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    tx.put(kind, m.group(3), obj)
    return {}


ACTIONS = actions({ModifyResourceTagsRequest: modify_tags})
