"""The tencentcloud data sources: filter arguments in, a computed result list out, read
through the provider's API client (Describe* actions), as the public provider names them.

``SCHEMAS`` (type name -> ResourceSchema) and ``read_data_source`` are what the provider
uses; each data source is a ``DataSource`` in ``vpn.py`` (VPN gateways, customer
gateways, tunnels, gateway routes, vendors) or ``vpc.py`` (VPCs, subnets, route tables).
"""

from __future__ import annotations

from ..resources.base import Context
from . import vpc, vpn
from .base import DataSource, ValuesDataSource

DATA_SOURCES: dict[str, DataSource | ValuesDataSource] = {ds.type_name: ds for ds in vpn.ALL + vpc.ALL}
SCHEMAS = {name: ds.schema for name, ds in DATA_SOURCES.items()}
READERS = DATA_SOURCES  # kept for callers that test membership


def read_data_source(ctx: Context, type_name: str, config: dict, workdir: str) -> dict:
    """The data source's value (sensitive result fields marked), after writing
    ``result_output_file`` if one is given."""
    return DATA_SOURCES[type_name].read(ctx, config, workdir)
