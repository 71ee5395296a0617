"""The embedded emulated cloud: the VPC/VPN API service over a SQLite store."""

from .realiser import Realiser, RealiseError, RealiserRecords, RealiserStore, UnrealisableOption
from .service import EmulatedVpcService
from .store import SqliteStore, store_path

__all__ = ["EmulatedVpcService", "Realiser", "RealiseError", "RealiserRecords", "RealiserStore",
           "SqliteStore", "UnrealisableOption", "store_path"]
