"""``DataSource``: one data source type, declared as its filter arguments, the schema of
one result item, and a function listing the items through the API client;
``ValuesDataSource``: one whose result is a few top-level values, not a list."""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from typing import Any, Callable

from engine import values as V
from engine.private_files import write_private
from engine.schema import Attribute, Block, ResourceSchema

from ..resources.base import Context, computed, known, optional

RESULT_OUTPUT_FILE = optional(V.STRING, description="Write the result list as JSON to this "
                              "file (relative to the working directory).")


def sensitive(t: V.Type, description: str = "") -> Attribute:
    """A computed result field that must never be shown (a pre-shared key)."""
    return Attribute(t, computed=True, sensitive=True, description=description)


def object_type(block: Block) -> V.ObjectType:
    return V.ObjectType({name: a.type for name, a in block.attributes.items()})


def ids_hash(ids: list[str]) -> str:
    """The public provider's ID for a list read (helper.DataResourceIdsHash): the CRC-32 of
    the IDs joined with "-"."""
    return str(zlib.crc32("".join(f"{i}-" for i in ids).encode()))


def id_from(key: str) -> Callable[[Context, list[dict]], str]:
    """``id_of`` for a list read: the hash of the items' ``key``."""
    return lambda ctx, items: ids_hash([str(i[key]) for i in items])


def filters(config: dict, names: dict[str, str], *, tags: bool = True,
            booleans: tuple = ()) -> list[dict] | None:
    """API ``Filters`` for the known arguments: ``names`` maps argument -> filter name;
    boolean arguments become "TRUE"/"FALSE"; ``tags`` become one ``tag:KEY`` filter each."""
    out = []
    for attr, name in names.items():
        value = known(config.get(attr))
        if value is None or value == "":
            continue
        if attr in booleans:
            value = "TRUE" if value else "FALSE"
        out.append({"Name": name, "Values": [str(value)]})
    if tags:
        for key, value in sorted((known(config.get("tags")) or {}).items()):
            out.append({"Name": f"tag:{key}", "Values": [str(value)]})
    return out or None


def tag_map(tag_set: list | None) -> dict:
    return {t["Key"]: t.get("Value", "") for t in tag_set or []}


@dataclass(frozen=True)
class DataSource:
    type_name: str
    arguments: dict  # name -> Attribute: the filters the user may give
    result: str  # the computed list attribute
    element: Block  # one item of the result; its sensitive attributes are marked on read
    list_items: Callable[[Context, dict], list[dict]]
    # The computed ``id`` (for types without an ``id`` argument): from the context and items.
    id_of: Callable[[Context, list[dict]], str] | None = None
    description: str = ""

    @property
    def schema(self) -> ResourceSchema:
        attrs: dict[str, Attribute] = dict(self.arguments)
        if self.id_of is not None:
            attrs["id"] = computed(V.STRING, "An ID for this read.")
        attrs["result_output_file"] = RESULT_OUTPUT_FILE
        attrs[self.result] = computed(V.ListType(object_type(self.element)), self.description)
        return ResourceSchema(Block(attributes=attrs))

    def sensitive_paths(self, items: list[dict]) -> list[tuple]:
        names = [n for n, a in self.element.attributes.items() if a.sensitive]
        return [(self.result, i, n) for i in range(len(items)) for n in names
                if items[i].get(n) is not None]

    def read(self, ctx: Context, config: dict, workdir: str) -> dict:
        items = self.list_items(ctx, config)
        value: dict[str, Any] = {**config, self.result: items}
        if self.id_of is not None:
            value["id"] = self.id_of(ctx, items)
        path = known(config.get("result_output_file"))
        if path:
            self._write(os.path.join(workdir, path), items)
        return V.mark_paths(value, self.sensitive_paths(items))

    def _write(self, path: str, items: list[dict]) -> None:
        """The result list as the public provider writes it, owner-only as every file
        vpnform writes."""
        write_private(path, json.dumps(items, indent=2))


@dataclass(frozen=True)
class ValuesDataSource:
    type_name: str
    arguments: dict  # name -> Attribute
    results: dict  # name -> computed Attribute
    read_values: Callable[[Context, dict], dict]  # the results' values
    id_of: Callable[[Context, dict], str]

    @property
    def schema(self) -> ResourceSchema:
        attrs: dict[str, Attribute] = {**self.arguments,
                                       "id": computed(V.STRING, "An ID for this read."),
                                       "result_output_file": RESULT_OUTPUT_FILE, **self.results}
        return ResourceSchema(Block(attributes=attrs))

    def read(self, ctx: Context, config: dict, workdir: str) -> dict:
        got = self.read_values(ctx, config)
        path = known(config.get("result_output_file"))
        if path:
            write_private(os.path.join(workdir, path), json.dumps(got, indent=2))
        return {**config, **got, "id": self.id_of(ctx, config)}
