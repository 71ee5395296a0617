"""ModifyResourceTags: the tag service's action, served here so tags can change in place."""

from __future__ import annotations

import re

from ..store import Tx
from .common import (
    ApiError,
    PREFIX,
    Context,
    _obj_list,
    _str,
    get,
)



def modify_tags(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    resource = _str(p, "Resource", required=True)
    m = re.fullmatch(r"qcs::vpc:([a-z0-9-]+):uin/[0-9]*:([a-z]+)/([a-z0-9-]+)", resource)
    kind = m.group(2) if m else None
    if m is None or kind not in PREFIX or m.group(1) != region:
        raise ApiError("InvalidParameterValue.Malformed",
                       f"{resource!r} is not a resource name of this region.")
    obj = get(tx, kind, m.group(3), region)
    tags = {t["Key"]: t["Value"] for t in obj.get("TagSet") or []}
    for t in _obj_list(p, "ReplaceTags"):
        tags[_str(t, "TagKey", required=True)] = _str(t, "TagValue", default="")
    for t in _obj_list(p, "DeleteTags"):
        tags.pop(_str(t, "TagKey", required=True), None)
    obj["TagSet"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    tx.put(kind, m.group(3), obj)
    return {}


ACTIONS = {
    "ModifyResourceTags": (modify_tags, ("Resource", "ReplaceTags", "DeleteTags")),
}
