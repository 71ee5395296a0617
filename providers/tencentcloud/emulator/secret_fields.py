"""The API fields that hold secrets, and their redaction: one home for the call log and for
``vpnform cloud``'s printed answers. The cloud's own answer carries a tunnel's key (as the
real API does); nothing vpnform prints or logs does, unless the user asks for it."""

from __future__ import annotations

from typing import Any

SECRET_FIELDS = frozenset({"PreShareKey"})
REDACTED = "(sensitive)"


def redact_fields(value: Any) -> Any:
    """``value`` (an API request or response, nested dicts and lists) with every secret
    field's value replaced by ``(sensitive)``; the input is not changed."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_FIELDS and v not in (None, "") else
                    redact_fields(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_fields(v) for v in value]
    return value
