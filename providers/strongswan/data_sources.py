"""The ``strongswan_sas`` data source: the live IKE/CHILD SAs of the configured charon (of one
connection when ``connection`` is set), shaped as status.sa_status describes."""

from __future__ import annotations

from typing import Any

from engine import values as V
from engine.schema import Attribute, Block, ResourceSchema

from providers.swankit import status

SAS = "strongswan_sas"

SCHEMAS = {
    SAS: ResourceSchema(Block(attributes={
        "id": Attribute(V.STRING, computed=True),
        "connection": Attribute(V.STRING, optional=True,
                                description="Only this connection's SAs (default: all)."),
        "sas": Attribute(V.ListType(V.ANY), computed=True,
                         description="Per connection: state, established, ike_sas (see "
                         "providers/swankit/status.py for the fields)."),
    })),
}


def read(type_name: str, session: Any, config: dict) -> dict:
    name = config.get("connection")
    if name:
        sas = [status.sa_status(session, name)]
    else:
        sas = status.all_sa_status(session)
    return {"id": name or "all", "connection": name, "sas": sas}
