"""The served cloud's products: which API service answers a (service, version) pair.

A product is registered once with a factory that builds its service over an account's
store; the service answers ``call(action, params, region)`` with what goes inside
``Response`` (outputs or an ``Error``, plus ``RequestId``). The VPC API is registered here;
another product joins with one line, as Cloud Monitor does
(``PRODUCTS.register("monitor", "2018-07-24", ...)``).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Callable, Protocol

from .store import SqliteStore


class ApiService(Protocol):
    def call(self, action: str, params: dict | None, region: str) -> dict: ...


ServiceFactory = Callable[[SqliteStore], ApiService]


class UnknownProduct(Exception):
    """No product answers the request: ``code`` is ``NoSuchProduct`` or ``NoSuchVersion``."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ProductRegistry:
    """(service name, API version) -> the factory of its service."""

    def __init__(self) -> None:
        self._factories: dict[tuple[str, str], ServiceFactory] = {}

    def register(self, service: str, version: str, factory: ServiceFactory) -> None:
        self._factories[(service, version)] = factory

    def factory(self, service: str, version: str) -> ServiceFactory:
        """The factory of ``service`` at ``version``; UnknownProduct otherwise."""
        found = self._factories.get((service, version))
        if found is not None:
            return found
        versions = sorted(v for s, v in self._factories if s == service)
        if not versions:
            raise UnknownProduct("NoSuchProduct",
                                 f"The product `{service}` is not served here (served: "
                                 f"{', '.join(self.services()) or 'none'}).")
        raise UnknownProduct("NoSuchVersion",
                             f"The product `{service}` has no API version `{version}` (served: "
                             f"{', '.join(versions)}).")

    def services(self) -> list[str]:
        return sorted({s for s, _ in self._factories})


def _vpc(store: SqliteStore) -> ApiService:
    from .service import EmulatedVpcService
    return EmulatedVpcService(store)


class TagService:
    """The tag service (2018-08-13) as far as the VPN objects need it: ModifyResourceTags,
    answered by the VPC service over the same store (an object keeps its tags). The
    provider, like the public one, sends it to ``tag.<domain>``."""

    ACTIONS = frozenset({"ModifyResourceTags"})

    def __init__(self, store: SqliteStore):
        from .service import EmulatedVpcService
        self.vpc = EmulatedVpcService(store)

    def call(self, action: str, params: dict | None, region: str) -> dict:
        if action not in self.ACTIONS:
            return {"Error": {"Code": "InvalidAction",
                              "Message": f"The action `{action}` does not exist."},
                    "RequestId": str(uuid.uuid4())}
        return self.vpc.call(action, params, region)


def _monitor(store: SqliteStore) -> ApiService:
    from .monitor_service import EmulatedMonitorService
    return EmulatedMonitorService(store)


PRODUCTS = ProductRegistry()
PRODUCTS.register("vpc", "2017-03-12", _vpc)
PRODUCTS.register("tag", "2018-08-13", TagService)
PRODUCTS.register("monitor", "2018-07-24", _monitor)


class _MonitorBeside:
    """Cloud Monitor beside an embedded VPC service, built on its first call: a plan calls
    no monitor action, so it never loads the monitor's modules (startup time, issue #14)."""

    def __init__(self, vpc: Any):
        self._vpc = vpc
        self._service: Any = None
        self._lock = threading.Lock()

    def call(self, action: str, params: dict | None, region: str) -> dict:
        with self._lock:
            if self._service is None:
                from .monitor_service import EmulatedMonitorService
                self._service = EmulatedMonitorService.beside(self._vpc)
        return self._service.call(action, params, region)


def routes_beside(vpc: Any) -> dict[str, ApiService]:
    """action -> the service of another product that answers it, beside the embedded VPC
    service ``vpc`` (client.InProcessTransport's ``others``)."""
    from .actions import MONITOR_ACTIONS
    monitor = _MonitorBeside(vpc)
    return {action: monitor for action in MONITOR_ACTIONS}
