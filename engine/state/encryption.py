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
key provider, never its value. The key providers and methods themselves (pydantic,
cryptography) are in encryption_methods.py, loaded only when encryption is configured.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostics
from .backends.base import StateError

if TYPE_CHECKING:
    from .encryption_methods import Method

ENV_VAR = "TF_ENCRYPTION"
ENCRYPTION_VERSION = "v0"
NONCE_SIZE = 12

_REFERENCE_ATTRS = ("keys", "method")


class EncryptionError(StateError):
    """Encrypted data cannot be read or written. The message says what to do."""


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

    def __init__(self, name: str, primary: Method | None = None,
                 fallback: Method | None = None, enforced: bool = False,
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
    # The one seam to pydantic and cryptography: loaded only when encryption is configured.
    from .encryption_methods import build
    enc = build(data, ranges, diags)
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
