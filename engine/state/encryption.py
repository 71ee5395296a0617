"""State and plan encryption at rest, as OpenTofu 1.7+ does it.

Configuration: ``terraform { encryption { ... } }`` and/or the ``TF_ENCRYPTION`` variable
(the block's content in HCL or JSON; it merges over the file's block)::

    key_provider "pbkdf2" "NAME" { passphrase = var.x  key_length = 32
                                   iterations = 600000  salt_length = 32  hash_function = "sha512" }
    method "aes_gcm" "NAME"      { keys = key_provider.pbkdf2.NAME }
    method "unencrypted" "NAME"  {}
    state { method = method.aes_gcm.NAME  enforced = true
            fallback { method = method.unencrypted.NAME } }
    plan  { ... as state ... }

Encrypted files use OpenTofu's envelope (so OpenTofu can read them, and vpnform OpenTofu's)::

    {"meta": {"key_provider.pbkdf2.NAME": {"salt": B64, "iterations": N,
              "hash_function": "sha512", "key_length": 32}},
     "encrypted_data": B64(nonce(12) || AES-GCM ciphertext || tag(16)),
     "encryption_version": "v0"}

Encryption always uses the primary method; decryption tries the primary, then the fallback
(key rotation). Plain text is accepted only when an ``unencrypted`` method is the primary or
the fallback (migration). The passphrase never appears in a message: diagnostics name the
key provider, never its value.
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
from .backends.base import StateError

ENV_VAR = "TF_ENCRYPTION"
ENCRYPTION_VERSION = "v0"
NONCE_SIZE = 12

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY_REF = re.compile(rf"key_provider\.pbkdf2\.({_NAME})\Z")
_METHOD_REF = re.compile(rf"method\.(aes_gcm|unencrypted)\.({_NAME})\Z")
_REFERENCE_ATTRS = ("keys", "method")


class EncryptionError(StateError):
    """Encrypted data cannot be read or written. The message says what to do."""


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
class _Method:
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


def envelope_of(data: bytes) -> dict | None:
    """The parsed OpenTofu envelope if ``data`` is one, else None."""
    head = data.lstrip()[:1]
    # cheap tests first: a plain state file is not parsed twice
    if head != b"{" or b'"encryption_version"' not in data or b'"encrypted_data"' not in data:
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if isinstance(parsed, dict) and parsed.get("encryption_version"):
        return parsed
    return None


class TargetEncryption:
    """Encryption of one kind of file ("state" or "plan")."""

    def __init__(self, name: str, primary: _Method | None = None,
                 fallback: _Method | None = None, enforced: bool = False,
                 configured: bool = False):
        self.name, self.primary, self.fallback = name, primary, fallback
        self.enforced, self.configured = enforced, configured

    @property
    def active(self) -> bool:
        """Whether new files are written encrypted."""
        return self.primary is not None and self.primary.encrypts

    @property
    def accepts_plain(self) -> bool:
        return not self.configured or any(
            m is not None and not m.encrypts for m in (self.primary, self.fallback))

    def encrypt(self, data: bytes) -> bytes:
        if self.active:
            assert self.primary is not None
            return self.primary.encrypt(data)
        if self.enforced:
            method = self.primary.addr if self.primary else "none"
            raise EncryptionError(f"Encryption of {self.name} is enforced, so its method must "
                                  f"be an encrypting one (aes_gcm), not {method}.")
        return data

    def protect(self, data: bytes) -> bytes:
        """``data`` encrypted if this target encrypts and it is not encrypted yet."""
        if self.active and envelope_of(data) is None:
            return self.encrypt(data)
        return data

    def decrypt(self, data: bytes, source: str) -> bytes:
        envelope = envelope_of(data)
        if envelope is None:
            if self.accepts_plain:
                return data
            raise EncryptionError(
                f"{source} is not encrypted, but {self.name} encryption is configured, so "
                "plain text is refused. To migrate an existing plain-text "
                f"{self.name}, declare an unencrypted method as fallback for one run: "
                f'method "unencrypted" "migrate" {{}} and, in the {self.name} block, '
                "fallback { method = method.unencrypted.migrate }. Run apply (or refresh) "
                "once, then remove the fallback.")
        if envelope.get("encryption_version") != ENCRYPTION_VERSION:
            raise EncryptionError(f"{source} uses encryption version "
                                  f"{str(envelope.get('encryption_version'))[:20]!r}; this "
                                  f"vpnform reads version {ENCRYPTION_VERSION}.")
        methods = [m for m in (self.primary, self.fallback) if m is not None and m.encrypts]
        if not methods:
            raise EncryptionError(
                f"{source} is encrypted. Configure {self.name} encryption with its key "
                "(terraform { encryption { ... } } or the TF_ENCRYPTION environment variable) "
                "to read it.")
        for method in methods:
            plain = method.decrypt(envelope)
            if plain is not None:
                return plain
        tried = ", ".join(m.addr for m in methods)
        raise EncryptionError(
            f"{source} cannot be decrypted with the configured {self.name} encryption "
            f"({tried}): the passphrase is wrong, or the file was encrypted with another key. "
            "After a key rotation, declare the previous method as the fallback.")


@dataclass
class Encryption:
    """The working directory's encryption: one target for state, one for plans."""

    state: TargetEncryption
    plan: TargetEncryption


NONE = Encryption(TargetEncryption("state"), TargetEncryption("plan"))


# --- loading ------------------------------------------------------------------------------

def _traversal_text(expr: Any) -> str | None:
    from ..config import syntax as syn
    if not isinstance(expr, syn.ScopeTraversalExpr):
        return None
    parts = [expr.traversal.root]
    for step in expr.traversal.steps:
        if not isinstance(step, syn.GetAttr):
            return None
        parts.append(step.name)
    return ".".join(parts)


def _body_to_dict(body: Any, evaluate: Any, path: tuple, ranges: dict,
                  diags: Diagnostics) -> dict:
    """The HCL block as the JSON shape of the configuration; references stay text."""
    from ..values import is_wholly_known, unmark
    out: dict = {}
    for name, attr in body.attributes.items():
        ranges[path + (name,)] = attr.range
        if name in _REFERENCE_ATTRS:
            ref = _traversal_text(attr.expr)
            if ref is None:
                example = "key_provider.pbkdf2.NAME" if name == "keys" else "method.aes_gcm.NAME"
                diags.error("Invalid encryption reference",
                            f"{name} must be a reference such as {example}.", attr.range)
                continue
            out[name] = ref
            continue
        value, d = evaluate(attr.expr)
        if d.has_errors:
            diags.error("Invalid encryption configuration",
                        f"{name} can use only input variables and locals known before any "
                        "resource is read.", attr.range)
            continue
        plain = unmark(value)[0]
        if not is_wholly_known(plain):
            diags.error("Invalid encryption configuration",
                        f"{name} must be known before planning: use only input variables and "
                        "locals.", attr.range)
            continue
        out[name] = plain
    for blk in body.blocks:
        keys = (blk.type, *blk.labels)
        for n in range(1, len(keys) + 1):
            ranges.setdefault(path + keys[:n], blk.range)
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if keys[-1] in node:
            diags.error("Duplicate encryption block", f"{' '.join(keys)} is declared twice.",
                        blk.range)
            continue
        node[keys[-1]] = _body_to_dict(blk.body, evaluate, path + keys, ranges, diags)
    return out


def _unwrap_refs(data: Any) -> Any:
    """JSON form: ``"${method.aes_gcm.x}"`` is the reference ``method.aes_gcm.x``."""
    if isinstance(data, dict):
        return {k: (_unwrap_refs(v) if k not in _REFERENCE_ATTRS or not isinstance(v, str)
                    else re.sub(r"^\$\{(.*)\}$", r"\1", v.strip()))
                for k, v in data.items()}
    if isinstance(data, list):
        return [_unwrap_refs(v) for v in data]
    return data


def _env_to_dict(text: str, ranges: dict, diags: Diagnostics) -> dict | None:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            diags.error("Invalid TF_ENCRYPTION", f"It is not valid JSON: {exc.msg} at line "
                        f"{exc.lineno} column {exc.colno}.")
            return None
        if not isinstance(data, dict):
            diags.error("Invalid TF_ENCRYPTION", "It must be a JSON object.")
            return None
        return _unwrap_refs(data)
    from ..config import hcl
    body, d = hcl.parse(text, ENV_VAR)
    if body is None or d.has_errors:
        where = next((str(x.subject) for x in d if getattr(x, "subject", None)), "")
        diags.error("Invalid TF_ENCRYPTION",
                    f"It is neither valid HCL nor JSON (syntax error at {where or 'unknown'}).")
        return None
    return _body_to_dict(body, _env_evaluate, (), ranges, diags)


def _env_evaluate(expr: Any) -> tuple:
    from ..config import syntax as syn
    d = Diagnostics()
    if isinstance(expr, syn.LiteralExpr):
        return expr.value, d
    if isinstance(expr, syn.TemplateExpr) and all(isinstance(p, syn.LiteralExpr)
                                                  for p in expr.parts):
        return "".join(str(p.value) for p in expr.parts), d
    d.error("Invalid TF_ENCRYPTION", "only literal values are allowed")
    return None, d


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


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
    methods: dict[str, _Method] = {}
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
        methods[f"method.aes_gcm.{n}"] = _Method(f"method.aes_gcm.{n}", provider)
    for n in cfg.method.unencrypted:
        methods[f"method.unencrypted.{n}"] = _Method(f"method.unencrypted.{n}", None)

    def target(name: str, t: TargetConfig | None) -> TargetEncryption:
        if t is None:
            return TargetEncryption(name)

        def lookup(ref: str | None, loc: tuple) -> _Method | None:
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


def load_encryption(block: Any, evaluate: Any, environ: dict | None = None
                    ) -> tuple[Encryption, Diagnostics]:
    """The encryption from the root module's ``encryption`` syntax block (None: none) with
    ``evaluate(expr) -> (value, diags)`` for its expressions, and ``TF_ENCRYPTION`` from
    ``environ`` merged over it. Errors come back as diagnostics with their source range."""
    diags = Diagnostics()
    ranges: dict = {}
    data: dict = {}
    if block is not None:
        ranges[()] = block.range
        data = _body_to_dict(block.body, evaluate, (), ranges, diags)
    env_text = (environ if environ is not None else os.environ).get(ENV_VAR, "")
    if env_text.strip():
        env_data = _env_to_dict(env_text, ranges, diags)
        if env_data is not None:
            data = _merge(data, env_data)
    if diags.has_errors or not data:
        return NONE, diags
    try:
        cfg = EncryptionConfig.model_validate(data)
    except ValidationError as err:
        _pydantic_diags(err, ranges, diags)
        return NONE, diags
    enc = _build(cfg, ranges, diags)
    return (NONE if diags.has_errors else enc), diags


# --- the seam with the backends -----------------------------------------------------------

class EncryptedBackend:
    """A state backend whose stored bytes are encrypted: every call of ``inner`` runs inside
    ``codec.encrypted_at_rest``, so the backend's bytes <-> State step (``codec``) encrypts
    and decrypts. ``resolve`` gives the Encryption when first needed (configuration errors
    surface as EncryptionError, a StateError, where the backend is first used)."""

    def __init__(self, inner: Any, resolve: Any):
        self.inner = inner
        self._resolve = resolve
        self._target: TargetEncryption | None = None

    def _state_target(self) -> TargetEncryption:
        if self._target is None:
            self._target = self._resolve().state
        return self._target

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr) or name in ("lock", "unlock", "force_unlock"):
            return attr
        from . import codec

        def call(*args: Any, **kwargs: Any) -> Any:
            with codec.encrypted_at_rest(self._state_target()):
                return attr(*args, **kwargs)
        return call

    # the StateBackend protocol, spelled out so isinstance checks hold
    def lock(self, info: Any) -> str:
        return self.inner.lock(info)

    def unlock(self, lock_id: str) -> None:
        self.inner.unlock(lock_id)

    def force_unlock(self, lock_id: str) -> None:
        self.inner.force_unlock(lock_id)

    def read(self) -> Any:
        return self.__getattr__("read")()

    def write(self, state: Any, force: bool = False) -> None:
        if force:
            self.__getattr__("write")(state, force=True)
        else:  # a backend without ``force`` still works for every other write
            self.__getattr__("write")(state)

    def begin_journal(self, state: Any) -> None:
        self.__getattr__("begin_journal")(state)

    def record(self, entry: Any, flush: bool = True) -> None:
        self.__getattr__("record")(entry, flush)

    def end_journal(self, final: Any) -> None:
        self.__getattr__("end_journal")(final)

    # the workspace methods (backends/base.py WorkspaceBackend)
    @property
    def workspace(self) -> str:
        return self.inner.workspace

    def workspaces(self) -> list[str]:
        return self.inner.workspaces()

    def delete_workspace(self, name: str) -> None:
        self.inner.delete_workspace(name)

    def for_workspace(self, name: str) -> "EncryptedBackend":
        """Another workspace of the same backend, encrypted the same way."""
        return EncryptedBackend(self.inner.for_workspace(name), self._resolve)
