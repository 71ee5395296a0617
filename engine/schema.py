"""Schemas that providers declare for their configuration, resources and data sources.

An ``Attribute`` has a type constraint and flags (required / optional / computed /
force_new / sensitive), an optional default and validators. A ``Block`` groups attributes
and nested block types (``security_group_policy`` is a nested block with set nesting).
Pure data: decoding HCL bodies against a schema lives in engine/config/decode.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .values import (ConversionError, ListType, ListValue, MapType, SchemaObject, SetValue,
                     Type, is_wholly_known, strip_sensitive)

# A validator takes the (known, unmarked) value and returns an error message or None.
Validator = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Attribute:
    type: Type
    required: bool = False
    optional: bool = False
    computed: bool = False
    force_new: bool = False
    sensitive: bool = False
    default: Any = None
    validators: tuple = ()
    description: str = ""

    def __post_init__(self) -> None:
        if self.required and (self.optional or self.computed):
            raise ValueError("a required attribute cannot be optional or computed")
        if not (self.required or self.optional or self.computed):
            raise ValueError("an attribute must be required, optional or computed")

    @property
    def is_computed_only(self) -> bool:
        return self.computed and not self.optional and not self.required


LIST = "list"
SET = "set"
SINGLE = "single"


@dataclass(frozen=True)
class NestedBlock:
    block: "Block"
    nesting: str = LIST  # list | set | single
    min_items: int = 0
    max_items: int = 0  # 0 = unlimited
    force_new: bool = False


@dataclass(frozen=True)
class Block:
    attributes: dict = field(default_factory=dict)  # name -> Attribute
    block_types: dict = field(default_factory=dict)  # name -> NestedBlock
    description: str = ""

    def names(self) -> list[str]:
        return list(self.attributes) + list(self.block_types)

    def sensitive_paths(self, value: dict | None, prefix: tuple = ()) -> Iterator[tuple]:
        """Paths of attributes this schema marks sensitive, for a value of this block."""
        for name, attr in self.attributes.items():
            if attr.sensitive and value is not None and value.get(name) is not None:
                yield prefix + (name,)
        for name, nb in self.block_types.items():
            items = (value or {}).get(name)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        yield from nb.block.sensitive_paths(item, prefix + (name, i))

    def marked_sensitive_paths(self, value: Any, prefix: tuple = ()) -> Iterator[tuple]:
        """``sensitive_paths(unmark(value)[0])`` without unmarking (copying) all of
        ``value``: its marks are read through where the schema looks."""
        value = strip_sensitive(value)
        for name, attr in self.attributes.items():
            if attr.sensitive and value is not None and strip_sensitive(
                    value.get(name)) is not None:
                yield prefix + (name,)
        for name, nb in self.block_types.items():
            items = strip_sensitive((value or {}).get(name))
            if isinstance(items, list):
                for i, item in enumerate(items):
                    item = strip_sensitive(item)
                    if isinstance(item, dict):
                        yield from nb.block.marked_sensitive_paths(item, prefix + (name, i))

    def typed(self, value: Any) -> Any:
        """An object of this block (as state or a plan holds it) as a ``SchemaObject``,
        its collections carrying their schema types: a set attribute a ``SetValue``, a list
        a ``ListValue``, a map a ``MapValue``, so that expressions see them as Terraform
        does (``for_each = tencentcloud_vpc.main.dns_servers`` is a set of strings)."""
        if not isinstance(value, dict):
            return value
        out = SchemaObject(value)
        for name, attr in self.attributes.items():
            v = out.get(name)
            if isinstance(attr.type, (ListType, MapType)) and isinstance(
                    strip_sensitive(v), (list, dict)) and is_wholly_known(v):
                try:
                    out[name] = attr.type.convert(v)
                except ConversionError:
                    pass  # not this type after all: leave it as it is
        for name, nb in self.block_types.items():
            items = out.get(name)
            if isinstance(items, list):
                typed = [nb.block.typed(item) for item in items]
                out[name] = SetValue(typed) if nb.nesting == SET else ListValue(typed)
        return out

    def force_new_names(self) -> set[str]:
        return ({n for n, a in self.attributes.items() if a.force_new}
                | {n for n, b in self.block_types.items() if b.force_new})


@dataclass(frozen=True)
class ResourceSchema:
    block: Block
    version: int = 0
    id_attribute: str = "id"


@dataclass(frozen=True)
class ProviderSchema:
    provider: Block
    resources: dict = field(default_factory=dict)  # type name -> ResourceSchema
    data_sources: dict = field(default_factory=dict)  # type name -> ResourceSchema
