"""The configured encryption: the ``encryption`` block's pydantic models, pbkdf2 key
providers and aes_gcm methods (cryptography). encryption.py loads this module only when
encryption is configured, so a run without it imports neither pydantic nor cryptography.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ..diagnostics import Diagnostics, SourceRange
from .encryption import (ENCRYPTION_VERSION, NONCE_SIZE, NONE, Encryption, EncryptionError,
                         TargetEncryption)

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY_REF = re.compile(rf"key_provider\.pbkdf2\.({_NAME})\Z")
_METHOD_REF = re.compile(rf"method\.(aes_gcm|unencrypted)\.({_NAME})\Z")

# --- configuration ------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pbkdf2Config(_Strict):
    passphrase: SecretStr
    key_length: int = Field(32, gt=0, le=512)
    iterations: int = Field(600_000, ge=200_000)
    salt_length: int = Field(32, gt=0, le=1024)
    hash_function: Literal["sha256", "sha512"] = "sha512"

    @field_validator("passphrase")
    @classmethod
    def _long_enough(cls, v: SecretStr) -> SecretStr:
        if len(v.get_secret_value()) < 16:
            raise ValueError("the passphrase must be at least 16 characters long")
        return v


class AesGcmConfig(_Strict):
    keys: str

    @field_validator("keys")
    @classmethod
    def _key_ref(cls, v: str) -> str:
        if not _KEY_REF.match(v):
            raise ValueError("keys must reference a key provider, e.g. key_provider.pbkdf2.NAME")
        return v


class UnencryptedConfig(_Strict):
    pass


class MethodsConfig(_Strict):
    aes_gcm: dict[str, AesGcmConfig] = {}
    unencrypted: dict[str, UnencryptedConfig] = {}


class KeyProvidersConfig(_Strict):
    pbkdf2: dict[str, Pbkdf2Config] = {}


def _method_ref(v: str | None) -> str | None:
    if v is not None and not _METHOD_REF.match(v):
        raise ValueError("method must reference a method, e.g. method.aes_gcm.NAME")
    return v


class FallbackConfig(_Strict):
    method: str

    _ref = field_validator("method")(classmethod(lambda cls, v: _method_ref(v)))


class TargetConfig(_Strict):
    method: str | None = None
    enforced: bool = False
    fallback: FallbackConfig | None = None

    _ref = field_validator("method")(classmethod(lambda cls, v: _method_ref(v)))


class EncryptionConfig(_Strict):
    key_provider: KeyProvidersConfig = KeyProvidersConfig()
    method: MethodsConfig = MethodsConfig()
    state: TargetConfig | None = None
    plan: TargetConfig | None = None
    remote_state_data_sources: dict | None = None  # accepted; vpnform has no such sources


# --- keys and methods ---------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _derive(passphrase: str, salt: bytes, iterations: int, hash_function: str,
            key_length: int) -> bytes:
    algorithm = hashes.SHA512() if hash_function == "sha512" else hashes.SHA256()
    return PBKDF2HMAC(algorithm=algorithm, length=key_length, salt=salt,
                      iterations=iterations).derive(passphrase.encode("utf-8"))


class _Pbkdf2:
    """A pbkdf2 key provider. Decryption uses the salt and parameters recorded in the file's
    meta; encryption, once per process, the salt of the file last read with the configured
    parameters, else a fresh one (PBKDF2 at 600k iterations costs most of a second)."""

    def __init__(self, addr: str, cfg: Pbkdf2Config):
        self.addr, self._cfg = addr, cfg
        self._enc: tuple[bytes, dict] | None = None

    def encryption_key(self) -> tuple[bytes, dict]:
        if self._enc is None:
            c = self._cfg
            salt = os.urandom(c.salt_length)
            key = _derive(c.passphrase.get_secret_value(), salt, c.iterations, c.hash_function,
                          c.key_length)
            self._enc = (key, {"salt": base64.b64encode(salt).decode(),
                               "iterations": c.iterations, "hash_function": c.hash_function,
                               "key_length": c.key_length})
        return self._enc

    def decryption_key(self, meta: Any) -> bytes | None:
        """The key for ``meta`` (None: the file has no meta for this provider)."""
        if not isinstance(meta, dict):
            return None
        try:
            salt = base64.b64decode(meta["salt"], validate=True)
            iterations, hash_function = int(meta["iterations"]), str(meta["hash_function"])
            key_length = int(meta["key_length"])
        except (KeyError, TypeError, ValueError):
            raise EncryptionError(f"the encryption metadata of {self.addr} is damaged") from None
        if hash_function not in ("sha256", "sha512") or not (0 < key_length <= 512) \
                or not (0 < iterations <= 10_000_000):
            raise EncryptionError(f"the encryption metadata of {self.addr} is invalid")
        key = _derive(self._cfg.passphrase.get_secret_value(), salt, iterations,
                      hash_function, key_length)
        c = self._cfg
        if self._enc is None and (len(salt), iterations, hash_function, key_length) == \
                (c.salt_length, c.iterations, c.hash_function, c.key_length):
            # The next write reuses this salt (and key): one PBKDF2 run per command instead
            # of two. Each encryption still has its own random nonce.
            self._enc = (key, {"salt": base64.b64encode(salt).decode(), "iterations": iterations,
                               "hash_function": hash_function, "key_length": key_length})
        return key


@dataclass
class Method:
    addr: str  # method.aes_gcm.NAME
    provider: _Pbkdf2 | None  # None: unencrypted

    @property
    def encrypts(self) -> bool:
        return self.provider is not None

    def encrypt(self, data: bytes) -> bytes:
        assert self.provider is not None
        key, meta = self.provider.encryption_key()
        nonce = os.urandom(NONCE_SIZE)
        sealed = nonce + AESGCM(key).encrypt(nonce, data, None)
        envelope = {"meta": {self.provider.addr: meta},
                    "encrypted_data": base64.b64encode(sealed).decode(),
                    "encryption_version": ENCRYPTION_VERSION}
        return json.dumps(envelope, separators=(",", ":")).encode()

    def decrypt(self, envelope: dict) -> bytes | None:
        """The plain bytes, or None when this method's key does not open the data."""
        assert self.provider is not None
        key = self.provider.decryption_key((envelope.get("meta") or {}).get(self.provider.addr))
        if key is None:
            return None
        try:
            sealed = base64.b64decode(envelope.get("encrypted_data") or "", validate=True)
        except ValueError:
            raise EncryptionError("the encrypted data is damaged (not base64)") from None
        if len(sealed) < NONCE_SIZE + 16:
            raise EncryptionError("the encrypted data is damaged (too short)")
        try:
            return AESGCM(key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], None)
        except InvalidTag:
            return None


def _nearest_range(loc: tuple, ranges: dict) -> SourceRange | None:
    for n in range(len(loc), 0, -1):
        r = ranges.get(tuple(str(x) for x in loc[:n]))
        if r is not None:
            return r
    return ranges.get(())


def _pydantic_diags(err: ValidationError, ranges: dict, diags: Diagnostics) -> None:
    for e in err.errors(include_input=False, include_url=False):
        loc = tuple(e["loc"])
        where = " ".join(str(x) for x in loc)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "this argument or block is not supported here"
            if len(loc) == 2 and loc[0] == "key_provider":
                msg = "unsupported key provider type; vpnform supports pbkdf2"
            elif len(loc) == 2 and loc[0] == "method":
                msg = "unsupported method type; vpnform supports aes_gcm and unencrypted"
        diags.error("Invalid encryption configuration", f"{where}: {msg}.",
                    _nearest_range(loc, ranges))


def _build(cfg: EncryptionConfig, ranges: dict, diags: Diagnostics) -> Encryption:
    providers = {f"key_provider.pbkdf2.{n}": _Pbkdf2(f"key_provider.pbkdf2.{n}", c)
                 for n, c in cfg.key_provider.pbkdf2.items()}
    methods: dict[str, Method] = {}
    for n, m in cfg.method.aes_gcm.items():
        provider = providers.get(m.keys)
        if provider is None:
            diags.error("Unknown key provider", f"method aes_gcm {n}: {m.keys} is not declared.",
                        _nearest_range(("method", "aes_gcm", n, "keys"), ranges))
            continue
        if provider._cfg.key_length not in (16, 24, 32):
            diags.error("Invalid key length",
                        f"method aes_gcm {n} needs a 16-, 24- or 32-byte key, but {m.keys} "
                        f"has key_length = {provider._cfg.key_length}.",
                        _nearest_range(("key_provider", "pbkdf2", m.keys.split(".")[-1]),
                                       ranges))
            continue
        methods[f"method.aes_gcm.{n}"] = Method(f"method.aes_gcm.{n}", provider)
    for n in cfg.method.unencrypted:
        methods[f"method.unencrypted.{n}"] = Method(f"method.unencrypted.{n}", None)

    def target(name: str, t: TargetConfig | None) -> TargetEncryption:
        if t is None:
            return TargetEncryption(name)

        def lookup(ref: str | None, loc: tuple) -> Method | None:
            if ref is None:
                return None
            if ref not in methods:
                diags.error("Unknown encryption method", f"{name}: {ref} is not declared.",
                            _nearest_range(loc, ranges))
            return methods.get(ref)
        primary = lookup(t.method, (name, "method"))
        fallback = lookup(t.fallback.method if t.fallback else None,
                          (name, "fallback", "method"))
        if t.enforced and (primary is None or not primary.encrypts):
            diags.error("Encryption enforced without an encrypting method",
                        f"{name} has enforced = true, so its method must be aes_gcm.",
                        _nearest_range((name,), ranges))
        return TargetEncryption(name, primary, fallback, t.enforced, configured=True)
    return Encryption(target("state", cfg.state), target("plan", cfg.plan))


def build(data: dict, ranges: dict, diags: Diagnostics) -> Encryption:
    """The Encryption the configuration ``data`` (the block's JSON shape) declares; its
    errors go to ``diags`` with the nearest of ``ranges``."""
    try:
        cfg = EncryptionConfig.model_validate(data)
    except ValidationError as err:
        _pydantic_diags(err, ranges, diags)
        return NONE
    return _build(cfg, ranges, diags)
