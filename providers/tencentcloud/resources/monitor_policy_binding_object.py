"""``tencentcloud_monitor_policy_binding_object``: the objects an alarm policy watches,
bound by their dimensions (``{"vpnconnid": "vpnx-…"}`` for a tunnel) in a region
(reference monitoring-alarms-cost.md §3.3; BindingPolicyObject,
DescribeBindingPolicyObjectList, UnBindingAllPolicyObject). Its ID is the policy's."""

from __future__ import annotations

import json
from typing import Any

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import SET, Block, NestedBlock

from ..client import CloudApiError
from ..monitor_regions import REGION_CODES, REGION_NAMES
from .base import ID, Context, ResourceType, known, optional, required

MODULE = "monitor"

DIMENSIONS_BLOCK = NestedBlock(Block(attributes={
    "dimensions_json": required(V.STRING, force_new=True),
    "region": optional(V.STRING, force_new=True),
}), nesting=SET, min_items=1, force_new=True)


def _same_json(a: str, b: str) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except (TypeError, ValueError):
        return a == b


class MonitorPolicyBindingObject(ResourceType):
    type_name = "tencentcloud_monitor_policy_binding_object"
    noun = "alarm policy binding"
    block = Block(attributes={
        "id": ID,
        "policy_id": required(V.STRING, force_new=True),
    }, block_types={"dimensions": DIMENSIONS_BLOCK})

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        for i, item in enumerate(known(config.get("dimensions")) or []):
            text = known(item.get("dimensions_json"))
            if isinstance(text, str):
                try:
                    ok = isinstance(json.loads(text), dict)
                except ValueError:
                    ok = False
                if not ok:
                    d.error("Invalid dimensions_json", "The dimensions are not a JSON object. "
                            'Write them with jsonencode({ vpnconnid = "vpnx-…" }).',
                            path=("dimensions", i, "dimensions_json"))
            region = known(item.get("region"))
            if isinstance(region, str) and region not in REGION_CODES:
                d.error("Invalid region", f"Cloud Monitor does not bind objects in region "
                        f"{region!r}. Choose one of {', '.join(REGION_CODES)}.",
                        path=("dimensions", i, "region"))
        return d

    def _code(self, ctx: Context, item: dict) -> str:
        region = known(item.get("region")) or ctx.region
        if region not in REGION_CODES:
            raise CloudApiError("UnsupportedOperation",
                                f"Cloud Monitor does not bind objects in region {region}.")
        return REGION_CODES[region]

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        pid = planned["policy_id"]
        ctx.client.call("DescribeAlarmPolicy", Module=MODULE, PolicyId=pid)  # it must exist
        ctx.client.call("BindingPolicyObject", Module=MODULE, GroupId=0, PolicyId=pid,
                        Dimensions=[{"Region": self._code(ctx, d),
                                     "Dimensions": d["dimensions_json"]}
                                    for d in known(planned.get("dimensions")) or []])
        return pid

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        return planned["policy_id"] if self._bound(ctx, planned["policy_id"]) else None

    def _bound(self, ctx: Context, pid: str) -> list[dict]:
        out: list[dict] = []
        for _ in range(100):  # pages of 100: at most 10 000 objects
            body = ctx.client.call("DescribeBindingPolicyObjectList", Module=MODULE, GroupId=0,
                                   PolicyId=pid, Limit=100, Offset=len(out))
            page = body.get("List") or []
            out += page
            if not page or len(out) >= (body.get("Total") or 0):
                break
        return out

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        pid = prior.get("policy_id") or prior["id"]
        try:
            bound = self._bound(ctx, pid)
        except CloudApiError as e:
            if e.is_not_found:
                return None
            raise
        if not bound:
            return None
        priors: list[Any] = list(prior.get("dimensions") or [])
        items = []
        for b in bound:
            match = next((p for p in priors if isinstance(p, dict)
                          and _same_json(p.get("dimensions_json"), b["Dimensions"])), None)
            region = REGION_NAMES.get(b.get("Region"), b.get("Region"))
            items.append({"dimensions_json": match["dimensions_json"] if match
                          else b["Dimensions"],
                          "region": None if match and match.get("region") is None
                          and region == ctx.region else region})
        return {"id": pid, "policy_id": pid, "dimensions": items}

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("UnBindingAllPolicyObject", Module=MODULE, GroupId=0,
                        PolicyId=prior["id"])


RESOURCE = MonitorPolicyBindingObject()
