"""The served cloud's front door, HTTP aside: from a request's method, target, headers and
raw body to the ``Response`` it gets, as API 3.0 answers it (reference tencent-vpc-api.md
§1). Checks run in the cloud's order: signature (tc3.py), action and version, product
(products.py), region, rate limit (throttle.py), parameters; then the account's own service
answers.

Each account's store and services are opened on its first call and closed by ``close()``.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from .. import rules
from .accounts import Account, Accounts, account_dir
from .chaos import ResponseLost
from .products import PRODUCTS, ApiService, ProductRegistry, UnknownProduct
from .store import SqliteStore
from .tc3 import AuthFailure, SignedRequest, verify
from .throttle import RateLimiter

MAX_BODY = 10 * 1024 * 1024  # bytes; larger requests get RequestSizeLimitExceeded
_CLOUD_HOST = re.compile(r"^(?P<service>[a-z0-9-]+)(\.[a-z0-9-]+)?\.tencentcloudapi\.com$")


class RequestRefused(Exception):
    """A request answered with an error envelope before (or instead of) any service call."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Outcome:
    """What one request gets: ``body`` (the JSON document, ``{"Response": ...}``) or, when
    the answer is lost (fault injection), ``lost``; and what the request log records."""

    body: dict | None
    lost: bool = False
    account: str = "-"
    region: str = "-"
    action: str = "-"
    code: str | None = None


def nested_params(pairs: list[tuple[str, str]]) -> dict:
    """Flattened parameters (``Filters.0.Values.1=x``, as GET and form bodies carry them)
    as the nested document a JSON body would hold. Values stay strings: numeric strings are
    the service's business."""
    root: dict = {}
    for key, value in pairs:
        parts = key.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise RequestRefused("InvalidParameter",
                                     f"The parameter `{key}` conflicts with another one.")
        if isinstance(node.get(parts[-1]), dict):
            raise RequestRefused("InvalidParameter",
                                 f"The parameter `{key}` conflicts with another one.")
        node[parts[-1]] = value

    def listify(node):
        if not isinstance(node, dict):
            return node
        items = {k: listify(v) for k, v in node.items()}
        if items and all(k.isdigit() for k in items):
            indices = sorted(items, key=int)
            if [int(i) for i in indices] != list(range(len(indices))):
                raise RequestRefused("InvalidParameter",
                                     "List parameters must be numbered 0, 1, 2, ... without gaps.")
            return [items[i] for i in indices]
        return items

    return listify(root)


class AccountCloud:
    """One account's store and the services over it (one per product, made on first use)."""

    def __init__(self, account: Account, data_dir: Path):
        self.account = account
        self.store = SqliteStore(account_dir(data_dir, account) / "cloud.db")
        self._services: dict[tuple[str, str], ApiService] = {}
        self._lock = threading.Lock()

    def service(self, registry: ProductRegistry, name: str, version: str) -> ApiService:
        factory = registry.factory(name, version)
        with self._lock:
            found = self._services.get((name, version))
            if found is None:
                found = self._services[(name, version)] = factory(self.store)
            return found

    def close(self) -> None:
        self.store.close()


class CloudGateway:
    """Answers signed API requests for a set of accounts, each with its own cloud."""

    def __init__(self, accounts: Accounts, data_dir: str | Path, *, rate_limit: float,
                 registry: ProductRegistry = PRODUCTS, clock: Callable[[], float] = time.time):
        self.data_dir = Path(data_dir)
        self.registry = registry
        self.limiter = RateLimiter(rate_limit)
        self.clock = clock
        self._by_secret_id = accounts.by_secret_id()
        self._clouds: dict[str, AccountCloud] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _cloud(self, account: Account) -> AccountCloud:
        with self._lock:
            if self._closed:
                raise RequestRefused("ServiceUnavailable", "The server is shutting down.")
            cloud = self._clouds.get(account.name)
            if cloud is None:
                cloud = self._clouds[account.name] = AccountCloud(account, self.data_dir)
            return cloud

    def services_of(self, name: str, version: str) -> list[ApiService]:
        """The service of product ``name`` at ``version`` of every account."""
        return [self._cloud(a).service(self.registry, name, version)
                for a in list(self._by_secret_id.values())]

    def _secret_key(self, secret_id: str) -> str | None:
        account = self._by_secret_id.get(secret_id)
        return account.secret_key if account is not None else None

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Outcome:
        """The outcome of one request. ``target`` is the request line's target: a path with
        its query, or an absolute URI (proxy form). ``headers`` have lower-case names."""
        out = Outcome(body=None, action=headers.get("x-tc-action", "-") or "-",
                      region=headers.get("x-tc-region", "-") or "-")
        request_id = str(uuid.uuid4())
        try:
            result = self._answer(method, target, headers, body, out)
        except (AuthFailure, RequestRefused, UnknownProduct) as err:
            out.code = err.code
            out.body = {"Response": {"Error": {"Code": err.code, "Message": err.message},
                                     "RequestId": request_id}}
            return out
        except ResponseLost:
            out.lost, out.code = True, "ResponseLost"
            return out
        except Exception as err:  # a fault of the server itself (e.g. a store it cannot open)
            out.code = "InternalError"
            out.body = {"Response": {"Error": {"Code": "InternalError", "Message":
                                               f"Internal error: {type(err).__name__}."},
                                     "RequestId": request_id}}
            return out
        error = result.get("Error")
        out.code = error.get("Code") if isinstance(error, dict) else None
        out.body = {"Response": result}
        return out

    @staticmethod
    def refusal(headers: dict[str, str], code: str, message: str) -> Outcome:
        """The outcome of a request refused before it is read (e.g. a body too large)."""
        return Outcome(body={"Response": {"Error": {"Code": code, "Message": message},
                                          "RequestId": str(uuid.uuid4())}},
                       action=headers.get("x-tc-action", "-") or "-",
                       region=headers.get("x-tc-region", "-") or "-", code=code)

    def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes,
                out: Outcome) -> dict:
        split = urlsplit(target)
        if "host" not in headers and split.netloc:  # proxy form without a Host header
            headers = {**headers, "host": split.netloc}
        auth = verify(SignedRequest(method, split.query, headers, body), self._secret_key,
                      self.clock())
        account = self._by_secret_id[auth.secret_id]
        out.account = account.name
        host = headers.get("host", "").rsplit(":", 1)[0].lower()
        by_host = _CLOUD_HOST.match(host)
        if by_host is not None and by_host["service"] != auth.service:
            raise AuthFailure("AuthFailure.SignatureFailure",
                              f"The credential scope names the service `{auth.service}`, but "
                              f"the request went to `{host}`.")
        action = headers.get("x-tc-action", "").strip()
        version = headers.get("x-tc-version", "").strip()
        if not action:
            raise RequestRefused("MissingParameter",
                                 "The request is missing the required header `X-TC-Action`.")
        if not version:
            raise RequestRefused("MissingParameter",
                                 "The request is missing the required header `X-TC-Version`.")
        self.registry.factory(auth.service, version)  # NoSuchProduct / NoSuchVersion
        region = headers.get("x-tc-region", "").strip()
        if not region:
            raise RequestRefused("MissingParameter",
                                 "The request is missing the required header `X-TC-Region`.")
        if region not in rules.REGIONS:
            raise RequestRefused("UnsupportedRegion",
                                 f"The region `{region}` is not supported.")
        if not self.limiter.allow((account.name, auth.service, action)):
            raise RequestRefused("RequestLimitExceeded",
                                 f"Your request rate for `{action}` exceeds the limit of "
                                 f"{self.limiter.rate:g} calls per second. Try again later.")
        params = self._params(method, split.query, headers, body)
        service = self._cloud(account).service(self.registry, auth.service, version)
        return service.call(action, params, region)

    @staticmethod
    def _params(method: str, query: str, headers: dict[str, str], body: bytes) -> dict:
        if method == "GET":
            return nested_params(parse_qsl(query, keep_blank_values=True))
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            return nested_params(parse_qsl(body.decode("utf-8", "replace"),
                                           keep_blank_values=True))
        if not body.strip():
            return {}
        try:
            params = json.loads(body)
        except ValueError:
            raise RequestRefused("InvalidParameter",
                                 "The request body is not valid JSON.") from None
        if not isinstance(params, dict):
            raise RequestRefused("InvalidParameter",
                                 "The request body must be a JSON object of parameters.")
        return params

    # --- the web console's way in (console/) ----------------------------------------------
    def accounts(self) -> list[Account]:
        return list(self._by_secret_id.values())

    def signed_in(self, secret_id: str, secret_key: str) -> Account | None:
        """The account whose keys these are (the key compared in constant time), or None."""
        account = self._by_secret_id.get(secret_id)
        if account is None:
            return None
        return account if hmac.compare_digest(account.secret_key.encode(),
                                              secret_key.encode()) else None

    def call_as(self, account: Account, service: str, version: str, action: str,
                params: dict, region: str) -> dict:
        """``action`` answered in-process for ``account`` by the same service a signed
        request reaches (no signature, no rate limit): what goes inside ``Response``."""
        if region not in rules.REGIONS:
            raise RequestRefused("UnsupportedRegion", f"The region `{region}` is not supported.")
        found = self._cloud(account).service(self.registry, service, version)
        return found.call(action, params, region)

    def close(self) -> None:
        """Close every account's store; later requests get ServiceUnavailable."""
        with self._lock:
            self._closed = True
            clouds, self._clouds = list(self._clouds.values()), {}
        for cloud in clouds:
            cloud.close()
