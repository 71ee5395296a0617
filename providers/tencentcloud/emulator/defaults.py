"""A fresh account's default network: what the real cloud gives every region before any call.

Each region of ``rules.REGIONS`` has a default VPC named ``Default-VPC`` (172.16.0.0/16,
``IsDefault`` true) with its default route table, and a default subnet in every zone
(172.16.0.0/20, 172.16.16.0/20, ...; ``IsDefault`` true). They are created the first time
a store sees the region, inside the transaction of that first call; the store records that
the region was set up, so a deleted default VPC stays deleted, as in the real cloud.
Unknown regions get nothing.
"""

from __future__ import annotations

import ipaddress
import threading
import weakref
from typing import Callable

from .. import rules
from .store import SqliteStore, Tx

DEFAULT_VPC_NAME = "Default-VPC"
DEFAULT_SUBNET_NAME = "Default-Subnet"
DEFAULT_VPC_CIDR = "172.16.0.0/16"
DEFAULT_SUBNET_PREFIX = 20

# (tx, action, params, region) -> the action's result; the service's own handlers, so the
# default objects are shaped exactly as created ones.
Handler = Callable[[Tx, str, dict, str], dict]

# store -> regions known to be set up in it (the cheap check after the first time)
_ready: "weakref.WeakKeyDictionary[SqliteStore, set[str]]" = weakref.WeakKeyDictionary()
_ready_lock = threading.Lock()


def _marker(region: str) -> str:
    return f"default-network:{region}"


def _known(store: SqliteStore, region: str) -> bool:
    with _ready_lock:
        return region in _ready.get(store, ())


def remember(store: SqliteStore, region: str) -> None:
    """Record that ``region`` is set up in ``store`` (call once its transaction committed)."""
    with _ready_lock:
        _ready.setdefault(store, set()).add(region)


def is_ready(store: SqliteStore, tx: Tx, region: str) -> bool:
    """Whether ``region`` needs nothing created (a read; cheap once it returned True)."""
    if _known(store, region):
        return True
    if region not in rules.REGIONS or tx.counter(_marker(region)) is not None:
        remember(store, region)
        return True
    return False


def ensure(store: SqliteStore, tx: Tx, region: str, handle: Handler) -> None:
    """Create ``region``'s default network in the write transaction ``tx`` unless the store
    set the region up before. Call ``remember`` after the transaction committed."""
    if _known(store, region) or region not in rules.REGIONS:
        return
    if tx.next_counter(_marker(region)) != 1:
        return  # set up before (perhaps by another process); maybe deleted since
    vpc = handle(tx, "CreateVpc", {"VpcName": DEFAULT_VPC_NAME, "CidrBlock": DEFAULT_VPC_CIDR},
                 region)["Vpc"]
    _mark_default(tx, "vpc", vpc["VpcId"])
    subnets = ipaddress.IPv4Network(DEFAULT_VPC_CIDR).subnets(new_prefix=DEFAULT_SUBNET_PREFIX)
    for zone, cidr in zip(rules.zones(region), subnets, strict=False):
        subnet = handle(tx, "CreateSubnet", {"VpcId": vpc["VpcId"], "Zone": zone,
                                             "SubnetName": DEFAULT_SUBNET_NAME,
                                             "CidrBlock": str(cidr)}, region)["Subnet"]
        _mark_default(tx, "subnet", subnet["SubnetId"])


def _mark_default(tx: Tx, kind: str, id: str) -> None:
    obj = tx.get(kind, id)
    assert obj is not None
    obj["IsDefault"] = True
    tx.put(kind, id, obj)
