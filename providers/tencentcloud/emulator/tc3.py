"""TC3-HMAC-SHA256, the server side: parse a request's ``Authorization`` header and verify
its signature over the raw body bytes, in the order the cloud checks (reference
tencent-vpc-api.md §1.3): malformed header, unknown SecretId, clock skew, signature.

Only verification lives here; the keys come from the caller (``accounts.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping

ALGORITHM = "TC3-HMAC-SHA256"
MAX_SKEW = 300  # seconds either way, as the real API allows
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

_AUTH = re.compile(
    r"^TC3-HMAC-SHA256\s+Credential=(?P<id>[^/,\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<service>[a-z0-9_-]+)/tc3_request\s*,\s*SignedHeaders=(?P<headers>[a-z0-9;_-]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]{64})\s*$")


class AuthFailure(Exception):
    """A request the cloud refuses before any action runs: ``code`` as the cloud sends it."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Authorization:
    """A parsed ``Authorization: TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``."""

    secret_id: str
    date: str  # the credential scope's date, YYYY-MM-DD (UTC)
    service: str  # the credential scope's service, e.g. ``vpc``
    signed_headers: tuple[str, ...]
    signature: str


@dataclass(frozen=True)
class SignedRequest:
    """What the signature covers: method, raw query string, headers (lower-case names),
    and the raw body bytes."""

    method: str
    query: str
    headers: Mapping[str, str]
    body: bytes


def parse_authorization(value: str | None) -> Authorization:
    """Raises AuthFailure(``AuthFailure.InvalidAuthorization``) for anything but a TC3 header
    that signs at least ``host`` (the SDK signs ``content-type;host``)."""
    match = _AUTH.match(value or "")
    if match is None:
        raise AuthFailure("AuthFailure.InvalidAuthorization",
                          "The `Authorization` header is missing or is not a valid "
                          "TC3-HMAC-SHA256 authorization (Credential=SecretId/Date/Service/"
                          "tc3_request, SignedHeaders=..., Signature=...).")
    headers = tuple(match["headers"].split(";"))
    if "host" not in headers or any(h == "" for h in headers):
        raise AuthFailure("AuthFailure.InvalidAuthorization",
                          "`SignedHeaders` must list `host` (e.g. content-type;host).")
    return Authorization(match["id"], match["date"], match["service"], headers,
                         match["signature"].lower())


def canonical_request(req: SignedRequest, signed_headers: tuple[str, ...]) -> str:
    """The canonical request of §1.3: header names and values lower-cased and trimmed; the
    payload hash over the raw bytes (empty for GET, or the literal UNSIGNED-PAYLOAD)."""
    if req.headers.get("x-tc-content-sha256", "").strip() == UNSIGNED_PAYLOAD:
        payload = UNSIGNED_PAYLOAD.encode()
    elif req.method == "GET":
        payload = b""
    else:
        payload = req.body
    header_lines = "".join(f"{h}:{req.headers.get(h, '').strip().lower()}\n"
                           for h in sorted(signed_headers))
    return "\n".join([req.method, "/", req.query if req.method == "GET" else "", header_lines,
                      ";".join(sorted(signed_headers)), hashlib.sha256(payload).hexdigest()])


def string_to_sign(timestamp: int, date: str, service: str, canonical: str) -> str:
    return "\n".join([ALGORITHM, str(timestamp), f"{date}/{service}/tc3_request",
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def signature(secret_key: str, date: str, service: str, to_sign: str) -> str:
    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()
    k_signing = mac(mac(mac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(k_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(req: SignedRequest, secret_key_of: Callable[[str], str | None],
           now: float) -> Authorization:
    """The request's Authorization, once its signature is proven; raises AuthFailure with the
    first failed check's code otherwise. ``secret_key_of(secret_id)``: the key, or None for
    an unknown SecretId."""
    auth = parse_authorization(req.headers.get("authorization"))
    secret_key = secret_key_of(auth.secret_id)
    if secret_key is None:
        raise AuthFailure("AuthFailure.SecretIdNotFound",
                          "The SecretId is not found; check that it is correct and enabled.")
    raw_ts = req.headers.get("x-tc-timestamp", "").strip()
    if not raw_ts.isdigit():
        raise AuthFailure("AuthFailure.InvalidAuthorization",
                          "The `X-TC-Timestamp` header must be the request time in Unix "
                          "seconds.")
    timestamp = int(raw_ts)
    if abs(now - timestamp) > MAX_SKEW:
        raise AuthFailure("AuthFailure.SignatureExpire",
                          f"The request's timestamp is more than {MAX_SKEW} seconds from the "
                          "server's time; check the client's clock.")
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    if auth.date != date:
        raise AuthFailure("AuthFailure.SignatureFailure",
                          f"The credential scope's date {auth.date} is not the UTC date of "
                          f"`X-TC-Timestamp` ({date}).")
    expected = signature(secret_key, auth.date, auth.service,
                         string_to_sign(timestamp, auth.date, auth.service,
                                        canonical_request(req, auth.signed_headers)))
    if not hmac.compare_digest(expected, auth.signature):
        raise AuthFailure("AuthFailure.SignatureFailure",
                          "The request's signature does not match: check the SecretKey and "
                          "that the body is sent as signed.")
    return auth
