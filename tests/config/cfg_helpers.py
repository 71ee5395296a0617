"""Helpers for the configuration-language tests: a small fake provider schema and
shortcuts to parse and evaluate snippets."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from engine.addrs import ResourceAddr
from engine.config import hcl
from engine.config.evaluate import (
    NOT_DECLARED,
    EvalContext,
    InstanceList,
    InstanceMap,
    LazyLocals,
    evaluate,
)
from engine.config.model import Module
from engine.diagnostics import Diagnostics
from engine.schema import SET, SINGLE, Attribute, Block, NestedBlock
from engine.values import BOOL, NUMBER, STRING, ListType, MapType, SetType, Unknown


def _cidr(v: Any) -> str | None:
    try:
        ipaddress.ip_network(v, strict=False)
    except ValueError:
        return f'"{v}" is not a valid CIDR block'
    return None


FAKE_SCHEMAS = {
    "tencentcloud_vpc": Block(attributes={
        "name": Attribute(STRING, required=True),
        "cidr_block": Attribute(STRING, required=True, force_new=True, validators=(_cidr,)),
        "is_multicast": Attribute(BOOL, optional=True),
        "tags": Attribute(MapType(STRING), optional=True),
        "id": Attribute(STRING, computed=True),
        "create_time": Attribute(STRING, computed=True),
    }),
    "tencentcloud_vpn_gateway": Block(attributes={
        "name": Attribute(STRING, required=True),
        "bandwidth": Attribute(NUMBER, optional=True, default=5),
        "vpc_id": Attribute(STRING, optional=True),
        "public_ip_address": Attribute(STRING, computed=True),
        "id": Attribute(STRING, computed=True),
    }),
    "tencentcloud_vpn_connection": Block(
        attributes={
            "name": Attribute(STRING, required=True),
            "vpn_gateway_id": Attribute(STRING, required=True),
            "customer_gateway_id": Attribute(STRING, required=True),
            "pre_share_key": Attribute(STRING, required=True, sensitive=True),
            "id": Attribute(STRING, computed=True),
        },
        block_types={
            "security_group_policy": NestedBlock(Block(attributes={
                "local_cidr_block": Attribute(STRING, required=True),
                "remote_cidr_block": Attribute(SetType(STRING), required=True),
            }), nesting=SET, max_items=2),
            "ike_options": NestedBlock(Block(attributes={
                "proto": Attribute(STRING, optional=True),
                "dh_group": Attribute(STRING, optional=True),
            }), nesting=SINGLE),
        }),
}


def fake_instance(schema: Block) -> dict:
    """A planned value: computed attributes unknown, everything else unknown too."""
    value: dict = {name: Unknown(attr.type) for name, attr in schema.attributes.items()}
    for name, nb in schema.block_types.items():
        value[name] = None if nb.nesting == SINGLE else []
    return value


def write_module(root, files: dict) -> str:
    d = os.path.join(str(root), "mod")
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return d


def parse_body(src: str, filename: str = "main.tf"):
    body, diags = hcl.parse(src, filename)
    assert not diags.has_errors, [(d.summary, d.detail, str(d.subject)) for d in diags]
    return body


def parse_expr(src: str, filename: str = "main.tf"):
    """The expression of ``x = <src>``."""
    body = parse_body(f"x = {src}\n", filename)
    return body.attributes["x"].expr


def eval_src(src: str, ctx: EvalContext | None = None, **ctx_args) -> tuple[Any, Diagnostics]:
    return evaluate(parse_expr(src), ctx or EvalContext(**ctx_args))


def module_context(module: Module, variables: dict) -> EvalContext:
    """An EvalContext over a loaded module with fake (unknown) resource values."""

    def resource_value(addr: ResourceAddr) -> Any:
        res = module.resources.get(addr)
        if res is None:
            return NOT_DECLARED
        schema = FAKE_SCHEMAS.get(addr.type)
        one = fake_instance(schema) if schema else {}
        if res.count is not None:
            return InstanceList([one, one])
        if res.for_each is not None:
            return InstanceMap({"a": one})
        return one

    ctx = EvalContext(variables=variables, resource_value=resource_value,
                      declared_variables=set(module.variables),
                      declared_resources=set(module.resources),
                      path_module=module.source_dir, path_root=module.source_dir)
    LazyLocals({n: loc.expr for n, loc in module.locals.items()},
               {n: loc.range for n, loc in module.locals.items()}).bind(ctx)
    return ctx


__all__ = ["FAKE_SCHEMAS", "ListType", "module_context", "write_module", "parse_body",
           "parse_expr", "eval_src", "fake_instance"]
