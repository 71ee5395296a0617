"""The emulated Cloud Monitor product (``monitor``, 2018-07-24): GetMonitorData and
DescribeBaseMetrics over one account's store, for the tunnels (QCE/VPNX) and gateways
(QCE/VPNGW) in it, and the alarm actions (actions/alarms.py; objects in alarm_store.py,
evaluated by alarm_evaluator.py).

``EmulatedMonitorService(store).call(action, params, region)`` answers as the VPC
service does (outputs plus ``RequestId``, or an ``Error``). Samples live in
``monitor.db`` beside the store (samples.py); sampler.py takes the readings, from the
real dataplane when a realiser that measures tunnels is attached (``dataplane=``, or the
VPC service's, via ``attach_dataplane``).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Callable

from .actions.common import ApiError
from .actions import MONITOR_ACTIONS as ACTIONS
from .alarm_store import AlarmStore
from .metrics import GATEWAY_NS
from .sampler import Sampler
from .samples import SampleStore
from .store import SqliteStore, Tx


class EmulatedMonitorService:
    def __init__(self, store: SqliteStore, *, dataplane: Any = None,
                 clock: Callable[[], float] = time.time, min_interval: float = 5.0):
        self.store = store
        self.dataplane = dataplane
        self.clock = clock
        self.min_interval = min_interval
        self._vpc: Any = None
        self._sampler: Sampler | None = None
        self._alarms: AlarmStore | None = None
        self._lock = threading.Lock()

    @property
    def sampler(self) -> Sampler:
        """Opened on first use, so a run that never asks for metrics makes no file."""
        with self._lock:
            if self._sampler is None:
                samples = SampleStore(self.store.path.with_name("monitor.db"))
                self._sampler = Sampler(samples, self._realiser, self.clock, self.min_interval)
            return self._sampler

    @property
    def samples(self) -> SampleStore:
        return self.sampler.samples

    @property
    def alarms(self) -> AlarmStore:
        """The alarm objects, in the samples' file (opened on first use)."""
        with self._lock:
            if self._alarms is None:
                self._alarms = AlarmStore(self.store.path.with_name("monitor.db"))
            return self._alarms

    def evaluate_alarms(self) -> int:
        """Evaluate the alarm policies now (alarm_evaluator.py); callbacks answered."""
        from .alarm_evaluator import evaluate
        return evaluate(self)

    @classmethod
    def beside(cls, vpc: Any, **kw: Any) -> "EmulatedMonitorService":
        """The monitor of an EmulatedVpcService's store, measuring through whatever
        dataplane that service has attached (now or later)."""
        found = cls(vpc.store, **kw)
        found._vpc = vpc
        return found

    def routes(self) -> dict[str, "EmulatedMonitorService"]:
        """action -> this service, for client.InProcessTransport's ``others``."""
        return {a: self for a in ACTIONS}

    @classmethod
    def action_names(cls) -> list[str]:
        return sorted(ACTIONS)

    def attach_dataplane(self, dataplane: Any) -> None:
        self.dataplane = dataplane

    def _realiser(self) -> Any:
        if self.dataplane is None and self._vpc is not None:
            return self._vpc.dataplane
        return self.dataplane

    def call(self, action: str, params: dict | None, region: str) -> dict:
        request_id = str(uuid.uuid4())
        spec = ACTIONS.get(action)
        try:
            if spec is None:
                raise ApiError("InvalidAction", f"The action `{action}` does not exist.")
            with self.store.snapshot() as tx:
                result = spec.run(self, tx, dict(params or {}), region)
        except ApiError as e:
            result = {"Error": {"Code": e.code, "Message": e.message}}
        except Exception as e:  # a bug in the emulator: report it as the cloud would
            result = {"Error": {"Code": "InternalError",
                                "Message": f"Internal error: {type(e).__name__}: {e}"}}
        return {**result, "RequestId": request_id}

    # the handlers' context ---------------------------------------------------------------
    def sample(self, tx: Tx, namespace: str, ids: list[str], region: str) -> None:
        """Take a reading of each instance of ``namespace`` that exists in ``region``."""
        for id_ in ids:
            if namespace == GATEWAY_NS:
                gw = tx.get("vpngw", id_, region)
                if gw is not None:
                    conns = tx.list_by("vpnx", "VpnGatewayId", id_, region)
                    self.sampler.gateway(gw, conns)
            else:
                conn = tx.get("vpnx", id_, region)
                if conn is not None:
                    self.sampler.tunnel(conn)
