"""The VPC API client: one call seam over an injected transport, with bounded retries.

Exceptions (all from ``CloudError``):

- ``CloudApiError(code, message, request_id)``: the cloud answered with an error envelope.
- ``CloudTransportError``: the request did not get an answer (connection, protocol).

Transports turn ``(action, params, region)`` into the ``Response`` body:
``InProcessTransport`` (the embedded emulator, here) and ``SdkTransport`` (HTTP through the
official SDK to a served emulator or the real cloud, in sdk_transport.py).

The retry rules live here alone: ``RetryPolicy()`` for the embedded emulator, and
``RetryPolicy.public_provider()`` (the public Terraform provider's codes and time budgets)
over HTTP.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

from engine.values import loads_json


class CloudError(Exception):
    """Base of the client's errors."""


class CloudApiError(CloudError):
    """The cloud answered with ``{"Error": {"Code", "Message"}}``."""

    def __init__(self, code: str, message: str, request_id: str = ""):
        rid = f" (RequestId {request_id})" if request_id else ""
        super().__init__(f"[{code}] {message}{rid}")
        self.code = code
        self.message = message
        self.request_id = request_id

    @property
    def is_not_found(self) -> bool:
        return self.code == "ResourceNotFound" or self.code.endswith(".NotFound")


class CloudTransportError(CloudError):
    """No answer from the cloud: the request may or may not have been carried out."""


class CloudUnreachable(CloudTransportError):
    """The request never reached the cloud (the connection was refused, the host has no
    address): nothing was carried out, so any call may be sent again, but only for
    ``UNREACHABLE_BUDGET`` seconds — a mistyped endpoint is reported at once, not after the
    public provider's minutes of retries."""


# Seconds a call keeps trying an endpoint that refuses connections (a served emulator
# being restarted comes back within this).
UNREACHABLE_BUDGET = 10.0


class Transport(Protocol):
    def send(self, action: str, params: dict, region: str) -> dict:
        """The ``Response`` body for one call; raise CloudTransportError when unanswered."""
        ...


class _NotPlain(Exception):
    """A value the direct copy leaves to JSON."""


_PLAIN_INT = 2 ** 63  # integers within this bound are copied directly; others go via JSON
_PLAIN_DEPTH = 50  # deeper values go through JSON (which refuses those beyond its limit)


def _copy_plain(v: Any, depth: int) -> Any:
    t = type(v)
    if t is str or t is bool or v is None:
        return v
    if t is int:
        if -_PLAIN_INT < v < _PLAIN_INT:
            return v
        raise _NotPlain
    if t is float:
        if math.isfinite(v):
            return v  # JSON writes a float's repr, which reads back as the same float
        raise _NotPlain
    if depth >= _PLAIN_DEPTH:
        raise _NotPlain
    # (strings, booleans and None, most of an answer, are taken without a call)
    if t is dict:
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                raise _NotPlain
            tx = type(x)
            out[k] = x if tx is str or tx is bool or x is None else _copy_plain(x, depth + 1)
        return out
    if t is list:
        return [x if type(x) is str or type(x) is bool or x is None
                else _copy_plain(x, depth + 1) for x in v]
    raise _NotPlain


def wire_copy(value: Any) -> Any:
    """``value`` as it reads back from the wire (JSON written and read), sharing no mutable
    object with it: plain dicts (string keys), lists, strings, booleans, None and ordinary
    finite numbers are copied directly; anything else goes through JSON (a tuple comes back
    a list, a non-finite number is refused, ...)."""
    try:
        return _copy_plain(value, 0)
    except _NotPlain:
        return loads_json(json.dumps(value))


class InProcessTransport:
    """Calls the embedded emulator directly. Params and results are copied as they would
    read back from the wire (``wire_copy``), so no Python object is shared between client
    and service."""

    def __init__(self, service: Any, others: dict[str, Any] | None = None):
        self.service = service
        # action -> the service of another product that answers it (Cloud Monitor's)
        self.others = dict(others or {})

    def send(self, action: str, params: dict, region: str) -> dict:
        try:
            # every number read back as on the wire: a non-finite one is refused
            wire = wire_copy(params)
            service = self.others.get(action, self.service)
            return wire_copy(service.call(action, wire, region))
        except CloudError:
            raise
        except Exception as e:  # a lost answer, or the store failed (disk, locking)
            raise CloudTransportError(f"{action}: {type(e).__name__}: {e}") from e


# Codes the public provider retries for every call (its ``retryError``).
RETRYABLE_CODES = frozenset({"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded",
                             "RequestLimitExceeded.IPLimitExceeded",
                             "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
                             "ResourceBusy", "ResourceUnavailable", "ClientError.NetworkError",
                             "ClientError.HttpStatusCodeError"})
# Worth another try only when deleting: a dependent may be going away in parallel.
RETRYABLE_ON_DELETE = frozenset({"ResourceInUse"})
# A failure that leaves it unknown whether a write was carried out. Repeated for calls
# that are safe to repeat; a create is never repeated blindly (the resource layer looks
# for the object by its creation token first).
AMBIGUOUS_CODES = frozenset({"InternalError", "ServiceUnavailable"})
# Calls that may be sent again with the same effect: reads, and writes that set a value
# or remove an object (a repeated delete answers "not found", which counts as done).
REPEATABLE_PREFIXES = ("Describe", "Inquiry", "Download", "Get", "Modify", "Delete", "Reset",
                       "Enable", "Disable", "Replace", "Set")


# The public provider's time budgets for one call and its retries, in minutes, and the
# environment variables that change them.
READ_RETRY_TIMEOUT_ENV = "TENCENTCLOUD_READ_RETRY_TIMEOUT"
WRITE_RETRY_TIMEOUT_ENV = "TENCENTCLOUD_WRITE_RETRY_TIMEOUT"
DEFAULT_READ_RETRY_MINUTES = 3
DEFAULT_WRITE_RETRY_MINUTES = 5
READ_PREFIXES = ("Describe", "Inquiry", "Download", "Get")  # Get: GetMonitorData


def is_read(action: str) -> bool:
    return action.startswith(READ_PREFIXES)


@dataclass(frozen=True)
class RetryPolicy:
    # Eight tries over about nine seconds: a cloud failing one call in ten still answers
    # (the chance that all eight fail is 1 in 10^8), and a fault that persists is reported
    # soon enough for someone waiting at a terminal.
    attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 2.0
    factor: float = 3.0
    # Seconds a read / a write may spend retrying (None: ``attempts`` alone bounds it).
    read_budget: float | None = None
    write_budget: float | None = None
    # Codes retried for every call on top of RETRYABLE_CODES.
    extra_codes: frozenset = frozenset()

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * (self.factor ** attempt))

    def may_retry(self, attempt: int, elapsed: float, *, read: bool) -> bool:
        """Whether try number ``attempt`` (0-based) may be followed by another, ``elapsed``
        seconds after the first began."""
        if attempt + 1 >= self.attempts:
            return False
        budget = self.read_budget if read else self.write_budget
        return budget is None or elapsed + self.delay(attempt) <= budget

    @classmethod
    def public_provider(cls, environ: Mapping[str, str] | None = None) -> "RetryPolicy":
        """The public Terraform provider's rules, for the cloud over HTTP: every call is
        retried within 3 minutes (reads) or 5 minutes (writes), or the minutes in
        TENCENTCLOUD_READ_RETRY_TIMEOUT / _WRITE_RETRY_TIMEOUT, waiting 0.5 s doubling up
        to 10 s between tries (Terraform's ``resource.Retry``). ``ResourceInUse`` is
        retried for every call, as that provider does. Raises ValueError for a bad
        setting."""
        env = os.environ if environ is None else environ
        read = _minutes(env, READ_RETRY_TIMEOUT_ENV, DEFAULT_READ_RETRY_MINUTES)
        write = _minutes(env, WRITE_RETRY_TIMEOUT_ENV, DEFAULT_WRITE_RETRY_MINUTES)
        return cls(attempts=1_000_000, base_delay=0.5, max_delay=10.0, factor=2.0,
                   read_budget=read * 60.0, write_budget=write * 60.0,
                   extra_codes=frozenset({"ResourceInUse"}))


def _minutes(env: Mapping[str, str], name: str, default: int) -> float:
    text = env.get(name, "").strip()
    if not text:
        return float(default)
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not (0 <= minutes <= 24 * 60):
        raise ValueError(f"{name} is {text!r}, which is not a number of minutes between 0 "
                         "and 1440.")
    return minutes


NO_RETRY = RetryPolicy(attempts=1)


def is_repeatable(action: str) -> bool:
    return action.startswith(REPEATABLE_PREFIXES)


class VpcClient:
    """``call(action, **params)`` returns the response body (``RequestId`` included) or
    raises ``CloudApiError`` / ``CloudTransportError``. ``None`` params are omitted, as the
    official SDK omits them."""

    def __init__(self, transport: Transport, region: str, *, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.transport = transport
        self.region = region
        self.retry = retry
        self.sleep = sleep
        self.clock = clock

    def call(self, action: str, *, extra_retry_codes: frozenset = frozenset(),
             **params: Any) -> dict:
        params = {k: v for k, v in params.items() if v is not None}
        retry_codes = RETRYABLE_CODES | self.retry.extra_codes | extra_retry_codes
        repeatable = is_repeatable(action)
        read = is_read(action)
        started = self.clock()
        if repeatable:
            retry_codes |= AMBIGUOUS_CODES
        if action.startswith("Delete"):
            retry_codes |= RETRYABLE_ON_DELETE
        attempt = 0
        while True:
            try:
                body = self.transport.send(action, params, self.region)
            except CloudUnreachable:
                # nothing was sent: safe to repeat any call, for a short while
                elapsed = self.clock() - started
                if (elapsed + self.retry.delay(attempt) > UNREACHABLE_BUDGET
                        or not self.retry.may_retry(attempt, elapsed, read=read)):
                    raise
            except CloudTransportError:
                # Only repeatable calls are sent again: a lost answer to a create may hide
                # an object (see resources/base.py for how creates recover).
                if not repeatable or not self.retry.may_retry(
                        attempt, self.clock() - started, read=read):
                    raise
            else:
                err = body.get("Error")
                if not err:
                    return body
                code, message = str(err.get("Code", "")), str(err.get("Message", ""))
                if code not in retry_codes or not self.retry.may_retry(
                        attempt, self.clock() - started, read=read):
                    raise CloudApiError(code, message, str(body.get("RequestId", "")))
            self.sleep(self.retry.delay(attempt))
            attempt += 1

    def describe_all(self, action: str, set_key: str, **params: Any) -> list[dict]:
        """Every item of a paged Describe (pages of 100)."""
        out: list[dict] = []
        offset = 0
        while True:
            body = self.call(action, Offset=offset, Limit=100, **params)
            page = body.get(set_key) or []
            out.extend(page)
            total = body.get("TotalCount")
            offset += len(page)
            if not page or (total is not None and offset >= int(total)):
                return out
