"""The emulated VPC/VPN service: API 3.0 actions over the SQLite store.

``EmulatedVpcService(store).call(action, params, region)`` is the single entry and returns
exactly what the cloud puts inside ``Response``: the action's outputs plus ``RequestId``,
or ``{"Error": {"Code", "Message"}, "RequestId"}``. The actions themselves live in
``actions/``, one module per kind of object, each request a pydantic model; this module
keeps the entry, the faults and the call log. The product rules come from
``providers.tencentcloud.rules`` so plan-time checks and the service agree.

Environment (read at every call, so a test or benchmark may change it at any time):

- ``VPNFORM_EMULATOR_DELAY_SCALE`` (default 1): multiplies the simulated provisioning
  delays (a VPN gateway or connection is PENDING for ``gateway_delay`` /
  ``connection_delay`` seconds after its creation); 0 makes objects ready at once.
- ``VPNFORM_EMULATOR_READ_LATENCY`` (seconds, default 0): every ``Describe*`` action
  sleeps this long before it is carried out, as a round trip to a real API would take.
  The sleep holds no lock, so concurrent reads (the refresh's threads) overlap as they
  would against the real cloud; writes are not delayed by it.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

from .actions import ACTIONS
from .actions.common import ApiError
from . import defaults
from .chaos import FAULTS_ENV, LOST, FaultRates, ResponseLost
from .secret_fields import redact_fields
from .realiser import Realiser, RealiseError, RealiserRecords, RealiserStore, UnrealisableOption
from .store import SqliteStore, Tx

if TYPE_CHECKING:
    from .actions.request import Action  # pydantic: loaded with the first action called

DELAY_SCALE_ENV = "VPNFORM_EMULATOR_DELAY_SCALE"
READ_LATENCY_ENV = "VPNFORM_EMULATOR_READ_LATENCY"
# Actions that only read: carried out in a snapshot, beside other reads.
READ_ACTION_PREFIXES = ("Describe", "Inquiry", "Download")

__all__ = ["ApiError", "EmulatedVpcService"]


# --- the service --------------------------------------------------------------------------------

class EmulatedVpcService:
    """The emulated VPC service of one store. Thread-safe; processes sharing the store file
    see each other's writes."""

    def __init__(self, store: SqliteStore, *, gateway_delay: float = 0.3,
                 connection_delay: float = 0.2, delay_scale: float | None = None,
                 clock: Callable[[], float] = time.time, dataplane: Realiser | None = None,
                 read_latency: float | None = None, faults: FaultRates | None = None):
        self.store = store
        # The real network behind the objects (a realiser.Realiser), or None.
        self.dataplane = dataplane
        self.gateway_delay = gateway_delay
        self.connection_delay = connection_delay
        self.delay_scale = delay_scale
        # Seconds every Describe* waits (None: $VPNFORM_EMULATOR_READ_LATENCY, else 0).
        self.read_latency = read_latency
        self.clock = clock
        # Faults at a rate (chaos.py): given, or from $VPNFORM_EMULATOR_FAULTS (a bad value
        # raises ValueError here, so the caller can report it before any call).
        self.faults = faults if faults is not None else FaultRates.parse(
            os.environ.get(FAULTS_ENV))
        self._actions: Mapping[str, Action] = {}
        self._register()

    @classmethod
    def for_workdir(cls, workdir: str | os.PathLike, **kw: Any) -> "EmulatedVpcService":
        return cls(SqliteStore.for_workdir(workdir), **kw)

    # public API ------------------------------------------------------------------------------
    @property
    def actions(self) -> list[str]:
        return sorted(self._actions)

    @classmethod
    def action_names(cls) -> list[str]:
        """Every action the service answers, without opening a store."""
        probe = cls.__new__(cls)
        probe._register()
        return probe.actions

    def call(self, action: str, params: dict | None, region: str) -> dict:
        request_id = str(uuid.uuid4())
        params = dict(params or {})
        roll = self.faults.roll()
        latency = roll.delay + (self.effective_read_latency() if action.startswith("Describe") else 0.0)
        if latency > 0:
            time.sleep(latency)  # before any transaction: concurrent calls overlap
        outcome = None
        if action.startswith(READ_ACTION_PREFIXES):
            # A read runs beside other reads, unless it must write: an armed fault to take,
            # or the region's default network still to create.
            with self.store.snapshot() as tx:
                if not tx.faults_armed(action) and defaults.is_ready(self.store, tx, region):
                    outcome = self._carry_out(tx, action, params, region, roll,
                                              write=False)
            if outcome is not None:
                self.store.log_later(action, region, _redacted(params), outcome[0])
        if outcome is None:
            with self.store.transaction() as tx:
                defaults.ensure(self.store, tx, region, self._handle)
                outcome = self._carry_out(tx, action, params, region, roll,
                                          write=True)
                tx.log_call(action, region, _redacted(params), outcome[0])
            defaults.remember(self.store, region)
        code, result, lost = outcome
        if lost and code is None:
            # Carried out and committed; the caller never hears of it.
            raise ResponseLost(f"The answer to {action} (RequestId {request_id}) was lost.")
        if self.dataplane is not None and code is None:
            result = self.dataplane.describe_result(RealiserStore(self.store), action, result)
        return {**result, "RequestId": request_id}

    def _carry_out(self, tx: Tx, action: str, params: dict, region: str,
                   roll: Any, *, write: bool) -> tuple[str | None, dict, bool]:
        """One action in ``tx``: (error code or None, result, whether its answer is lost).
        ``write``: ``tx`` is a write transaction (armed faults are taken, the dataplane
        realises the action); otherwise a snapshot, with no fault armed for ``action``."""
        lost = roll.lost
        try:
            fault = tx.take_fault(action, region, params) if write else None
            if fault is not None and fault[0] == LOST:
                lost = True
            elif fault is not None:
                raise ApiError(*fault)
            if roll.error is not None:
                raise ApiError(*roll.error)
            spec = self._actions.get(action)
            if spec is None:
                raise ApiError("InvalidAction", f"The action `{action}` does not exist.")
            # the request's model checks the parameters (UnknownParameter, ...)
            if not write:
                return None, spec.run(self, tx, params, region), lost
            with tx.savepoint():
                result = spec.run(self, tx, params, region)
                if self.dataplane is not None:
                    # After the emulator's own rules passed; a failure rolls back.
                    self._realise(tx, action, params, result, region)
            return None, result, lost
        except ApiError as e:
            return e.code, {"Error": {"Code": e.code, "Message": e.message}}, lost
        except Exception as e:  # a bug in the emulator: report it as the cloud would
            message = f"Internal error: {type(e).__name__}: {e}"
            return "InternalError", {"Error": {"Code": "InternalError", "Message": message}}, lost

    def _handle(self, tx: Tx, action: str, params: dict, region: str) -> dict:
        """Run ``action``'s handler in ``tx`` (no faults, no log, no dataplane)."""
        return self._actions[action].run(self, tx, params, region)

    def attach_dataplane(self, dataplane: Realiser) -> None:
        """Make the objects real from now on (a Realiser, see realiser.py)."""
        self.dataplane = dataplane

    def _realise(self, tx: Tx, action: str, params: dict, result: dict, region: str) -> None:
        """The attached Realiser's turn (realiser.py); its errors become the cloud's."""
        try:
            self.dataplane.apply_action(RealiserRecords(tx), action, params, result, region)
        except UnrealisableOption as e:
            raise ApiError("InvalidParameterValue", str(e)) from None
        except RealiseError as e:
            raise ApiError("FailedOperation", f"The strongSwan dataplane could not carry out "
                           f"{action}: {str(e).rstrip('.')}.") from None

    def inject_fault(self, action: str, code: str, message: str | None = None, *,
                     count: int = 1, match: str | None = None, region: str | None = None) -> None:
        """Make the next ``count`` calls of ``action`` fail with ``code`` (``ResponseLost``: be
        carried out, but lose the answer). ``match``: only calls
        whose params, as ``json.dumps(params, sort_keys=True)``, contain this substring;
        ``region``: only calls in that region. Stored in the database, so any process using
        the same store sees it."""
        with self.store.transaction() as tx:
            tx.add_fault(action, code, message or f"Injected fault: {code}.", count, match, region)

    def clear_faults(self) -> None:
        with self.store.transaction() as tx:
            tx.clear_faults()

    def pending_faults(self) -> list[dict]:
        with self.store.transaction() as tx:
            return tx.pending_faults()

    def calls(self, action: str | None = None) -> list[dict]:
        """The recorded calls (action, region, params with PreShareKey redacted, error_code)."""
        self.store.flush_log(peers=True)
        with self.store.snapshot() as tx:
            return tx.calls(action)

    # the handlers' clock (actions.common.Context) --------------------------------------------
    def now(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock()))

    def ready(self, obj: dict) -> bool:
        return self.clock() >= obj.get("_ready_at", 0)

    def ready_at(self, kind: str) -> float:
        """When an object of ``kind`` created now leaves PENDING."""
        delay = self.gateway_delay if kind == "vpngw" else self.connection_delay
        return self.clock() + delay * self.effective_delay_scale()

    # helpers ---------------------------------------------------------------------------------
    def effective_delay_scale(self) -> float:
        """The factor of provisioning delays: the one given, else
        $VPNFORM_EMULATOR_DELAY_SCALE (1 when unset)."""
        if self.delay_scale is not None:
            return self.delay_scale
        try:
            return float(os.environ.get(DELAY_SCALE_ENV, "1"))
        except ValueError:
            return 1.0

    def effective_read_latency(self) -> float:
        """Seconds every Describe* waits: the one given, else $VPNFORM_EMULATOR_READ_LATENCY."""
        if self.read_latency is not None:
            return self.read_latency
        try:
            return max(0.0, float(os.environ.get(READ_LATENCY_ENV) or 0))
        except ValueError:
            return 0.0

    # registration ----------------------------------------------------------------------------
    def _register(self) -> None:
        self._actions = ACTIONS  # each action's module is imported on its first call


def _redacted(params: dict) -> str:
    return json.dumps(redact_fields(params), sort_keys=True)
