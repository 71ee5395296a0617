"""The embedded emulated cloud: the VPC/VPN API service over a SQLite store."""

from .service import EmulatedVpcService
from .store import SqliteStore, store_path

__all__ = ["EmulatedVpcService", "SqliteStore", "store_path"]
