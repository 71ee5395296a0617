"""Identifier and cryptographic functions with Terraform's behaviour: uuid, uuidv5, bcrypt,
rsadecrypt.

uuid() and bcrypt() are impure (a new value at every call): unknown while
``ctx.impure_unknown`` is set (planning), as Terraform plans them.
"""

from __future__ import annotations

import os
import uuid as _uuid
from typing import Any

import bcrypt as _bcrypt

from ..values import NUMBER, STRING, Unknown
from .functions import FunctionError, Param, builtin

_NAMESPACES = {"dns": _uuid.NAMESPACE_DNS, "url": _uuid.NAMESPACE_URL,
               "oid": _uuid.NAMESPACE_OID, "x500": _uuid.NAMESPACE_X500}
_HEX = "0123456789abcdefABCDEF"


@builtin("uuid", needs_context=True, return_type=STRING)
def fn_uuid(ctx: Any) -> Any:
    """128 random bits written as a UUID (no version bits set, as Terraform's)."""
    if getattr(ctx, "impure_unknown", False):
        return Unknown(STRING)
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _parse_uuid(s: str) -> _uuid.UUID:
    """A namespace UUID in any form Terraform accepts; ValueError with its reason."""
    n = len(s.encode())
    if n == 32:
        if not all(c in _HEX for c in s):
            raise ValueError("invalid UUID format")
        return _uuid.UUID(hex=s)
    if n == 36 + 9:
        if s[:9].lower() != "urn:uuid:":
            raise ValueError(f'invalid urn prefix: "{s[:9]}"')
        s = s[9:]
    elif n == 36 + 2:
        s = s[1:]  # the braces themselves are not checked
    elif n != 36:
        raise ValueError(f"invalid UUID length: {n}")
    if len(s) < 36 or any(s[i] != "-" for i in (8, 13, 18, 23)):
        raise ValueError("invalid UUID format")
    digits = s[:36].replace("-", "")
    if len(digits) != 32 or not all(c in _HEX for c in digits):
        raise ValueError("invalid UUID format")
    return _uuid.UUID(hex=digits)


@builtin("uuidv5", Param("namespace", STRING), Param("name", STRING), return_type=STRING)
def fn_uuidv5(namespace: str, name: str) -> Any:
    """The name-based (SHA-1) UUID of ``name`` in ``namespace`` (dns, url, oid, x500 or a
    UUID)."""
    ns = _NAMESPACES.get(namespace)
    if ns is None:
        try:
            ns = _parse_uuid(namespace)
        except ValueError as e:
            raise FunctionError(f"uuidv5() doesn't support namespace {namespace} ({e})") from None
    return str(_uuid.uuid5(ns, name))


_DEFAULT_COST = 10


@builtin("bcrypt", Param("str", STRING), variadic=Param("cost", NUMBER), needs_context=True,
         return_type=STRING)
def fn_bcrypt(ctx: Any, text: str, *cost: Any) -> Any:
    """The bcrypt hash of ``text`` ($2a$, cost 10 unless given)."""
    if len(cost) > 1:
        raise FunctionError("bcrypt() takes no more than two arguments")
    rounds = _DEFAULT_COST
    if cost:
        c = cost[0]
        if isinstance(c, float) and not c.is_integer() or not -2 ** 63 <= c < 2 ** 63:
            raise FunctionError("value must be a whole number, between -9223372036854775808 and "
                                "9223372036854775807")
        rounds = int(c) if c >= 4 else _DEFAULT_COST
    if rounds > 31:
        # "occured" (sic): Terraform's message
        raise FunctionError(f"error occured generating password crypto/bcrypt: cost {rounds} is "
                            "outside allowed range (4,31)")
    data = text.encode()
    if len(data) > 72:
        raise FunctionError("error occured generating password bcrypt: password length exceeds "
                            "72 bytes")
    if getattr(ctx, "impure_unknown", False):
        return Unknown(STRING)
    return _bcrypt.hashpw(data, _bcrypt.gensalt(rounds=rounds, prefix=b"2a")).decode()


@builtin("rsadecrypt", Param("ciphertext", STRING), Param("privatekey", STRING),
         return_type=STRING)
def fn_rsadecrypt(ciphertext: str, private_key: str) -> Any:
    """``ciphertext`` (base64, RSA PKCS #1 v1.5) decrypted with the PEM ``private_key``."""
    import base64
    import binascii

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    try:
        data = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError):
        # the input is never quoted back: it may be a secret's ciphertext
        raise FunctionError("failed to decode input: cipher text must be base64-encoded",
                            0) from None
    try:
        key = serialization.load_pem_private_key(private_key.encode(), password=None)
    except (ValueError, TypeError):
        raise FunctionError("invalid private key: ssh: no key found", 1) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise FunctionError("invalid private key: the key is not an RSA key", 1)
    try:
        plain = key.decrypt(data, padding.PKCS1v15())
    except ValueError:
        raise FunctionError("failed to decrypt: crypto/rsa: decryption error") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the decrypted text is not valid UTF-8") from None
