"""Saved plan files (``plan -out=FILE``): what apply needs to carry out exactly that plan.

A zip holding ``tfplan.json``: the configuration snapshot (every *.tf file of every
module), input variables, the prior state's lineage and serial, the plan options and the
planned action of every instance. Apply re-derives the changes from the snapshot and refuses
the file if the state or configuration has moved on since. The plan's ``show -json``
document is kept twice: in full (for ``-show-sensitive``) and redacted.

Secrets at rest, two ways:

- with plan encryption configured (``terraform { encryption { plan { method = ... } } }`` or
  TF_ENCRYPTION), the whole zip is encrypted in OpenTofu's envelope
  (engine/state/encryption.py), so any clone with the same passphrase can apply it (CI);
- otherwise sensitive variable values, the configuration snapshot (a default may be a
  secret) and both JSON documents are sealed with AES-GCM under a key kept in the planning
  directory's ``.vpnform/planfile.key`` (0600): such a plan applies only there.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ..private_files import WORK_DIR_NAME, private_dirs, write_private
from ..state.encryption import NONE as NO_ENCRYPTION
from ..state.encryption import EncryptionError, TargetEncryption, envelope_of
from ..values import Sensitive, unmark
from .model import Plan
from .render import render_plan
from .review_notes import ReviewNotes, notes_from_json, notes_json

FORMAT = "vpnform-plan-2"
KEY_FILE = "planfile.key"
_AAD = b"vpnform saved plan"
_NONCE = 12


class PlanFileError(Exception):
    pass


@dataclass
class SavedPlan:
    config_files: dict  # filename -> text
    config_digest: str
    variables: dict  # name -> value (Sensitive re-applied)
    state_lineage: str
    state_serial: int
    destroy: bool
    refresh: bool
    refresh_only: bool = False
    targets: list = field(default_factory=list)  # -target addresses
    replace: list = field(default_factory=list)  # canonical instance addresses
    actions: dict = field(default_factory=dict)  # canonical address -> action value
    workspace: str | None = None  # the workspace it was made in (None: not recorded)


def _key_path(workdir: str) -> str:
    return os.path.join(workdir, WORK_DIR_NAME, KEY_FILE)


def _new_or_existing_key(workdir: str) -> bytes:
    d = private_dirs(os.path.join(workdir, WORK_DIR_NAME))
    path = os.path.join(d, KEY_FILE)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        key = secrets.token_bytes(32)  # an AES-256 key
        write_private(path, key, exclusive=True)
        return key


def _existing_key(workdir: str) -> bytes:
    try:
        with open(_key_path(workdir), "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise PlanFileError(
            "The saved plan's secrets are sealed with a key kept in the directory where the "
            f"plan was made (.vpnform/{KEY_FILE}), and this directory ({workdir}) does not "
            "have it. To carry plans between machines or CI jobs, configure plan encryption "
            "with a passphrase both sides know: terraform { encryption { key_provider "
            '"pbkdf2" ... method "aes_gcm" ... plan { method = ... } } } or the '
            "TF_ENCRYPTION environment variable; then create the plan again.") from None


def _aes_gcm(key: bytes) -> Any:
    """AES-GCM under ``key``. cryptography is imported here, when a saved plan is written or
    read, so that a plan without ``-out`` does not load it (startup time, issue #14)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM(key)


def seal(key: bytes, value: Any) -> str:
    """``value`` (JSON data) encrypted with AES-GCM under ``key``: base64(nonce || ct || tag)."""
    nonce = secrets.token_bytes(_NONCE)
    ct = _aes_gcm(key).encrypt(nonce, json.dumps(value).encode(), _AAD)
    return base64.b64encode(nonce + ct).decode()


def unseal(key: bytes, blob: str) -> Any:
    from cryptography.exceptions import InvalidTag
    try:
        raw = base64.b64decode(blob, validate=True)
        plain = _aes_gcm(key).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
    except (ValueError, TypeError):
        raise PlanFileError("The saved plan's encrypted values are damaged. Create the plan "
                            "again.") from None
    except InvalidTag:
        raise PlanFileError("The saved plan's secrets cannot be decrypted with this working "
                            f"directory's key (.vpnform/{KEY_FILE}): the plan was made in "
                            "another directory, or the file was altered. Create the plan "
                            "again here, or configure plan encryption to carry plans between "
                            "directories.") from None
    return json.loads(plain)


class _Sealer:
    """Seals values inside the plan document: AES-GCM under the local key, or nothing when
    the whole file is encrypted."""

    def __init__(self, key: bytes | None):
        self.key = key

    def seal(self, value: Any) -> dict:
        if self.key is None:
            return {"plain": value}
        return {"sealed": seal(self.key, value)}


def _unseal(entry: dict, workdir: str) -> Any:
    if "plain" in entry:
        return entry["plain"]
    if not isinstance(entry.get("sealed"), str):
        raise PlanFileError("The saved plan's encrypted values are damaged. Create the plan "
                            "again.")
    return unseal(_existing_key(workdir), entry["sealed"])


def write_plan_file(path: str, plan: Plan, files: dict, workdir: str, refresh: bool,
                    replace: list, json_docs: tuple[dict, dict] | None = None,
                    encryption: TargetEncryption | None = None,
                    notes: ReviewNotes | None = None, rendered: str | None = None) -> None:
    """``json_docs``: the plan's ``show -json`` documents (full, redacted), both sealed:
    the full one holds secrets, and both describe the infrastructure. ``encryption``: the
    plan encryption configured (the whole file is encrypted when it is on). ``notes``: the
    plan's warnings and provider targets, for ``show -markdown`` in a later job.
    ``rendered``: the plan's human text without colour, when the caller has it already."""
    encryption = encryption or NO_ENCRYPTION.plan
    sealer = _Sealer(None if encryption.active else _new_or_existing_key(workdir))
    variables = {}
    for name, value in plan.variables.items():
        plain, marks = unmark(value)
        if marks:
            variables[name] = sealer.seal(plain)
        else:
            variables[name] = {"value": plain}
    doc = {
        "format": FORMAT,
        "config_digest": plan.config_digest,
        # the snapshot may hold secrets (a variable's default): sealed like them
        "config_files": sealer.seal(files),
        "variables": variables,
        "workspace": plan.workspace,
        "state_lineage": plan.state_lineage,
        "state_serial": plan.state_serial,
        "destroy": plan.destroy,
        "refresh": refresh,
        "refresh_only": plan.refresh_only,
        "targets": list(plan.targets),
        "replace": [str(a) for a in replace],
        "actions": {str(a): c.action.value for a, c in plan.changes.items()},
        # the human rendering (secrets already redacted), for `show PLANFILE`
        "rendered": rendered if rendered is not None else render_plan(plan, color=False),
    }
    if json_docs is not None:
        doc["json"] = sealer.seal(json_docs[0])
        doc["json_redacted"] = sealer.seal(json_docs[1])
    if notes is not None:
        doc["review_notes"] = sealer.seal(notes_json(notes))
    buf = io.BytesIO()
    # the fastest level: most of the document is sealed (ciphertext does not compress)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("tfplan.json", json.dumps(doc, indent=1, sort_keys=True))
    try:
        data = encryption.encrypt(buf.getvalue())
    except EncryptionError as err:
        raise PlanFileError(str(err)) from None
    write_private(path, data)


def is_plan_file(path: str) -> bool:
    """A saved plan: a zip, or one encrypted in OpenTofu's envelope."""
    if not os.path.isfile(path):
        return False
    if zipfile.is_zipfile(path):
        return True
    try:
        with open(path, "rb") as fh:
            return envelope_of(fh.read()) is not None
    except OSError:
        return False


def _load_doc(path: str, encryption: TargetEncryption | None) -> dict:
    """The plan document, the file decrypted with ``encryption`` when it is encrypted."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise PlanFileError(f"The file {path} cannot be read: {err.strerror or err}.") from None
    target = encryption or NO_ENCRYPTION.plan
    try:
        raw = target.decrypt(raw, f"The plan file {path}")
    except EncryptionError as err:
        raise PlanFileError(str(err)) from None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            doc = json.loads(zf.read("tfplan.json"))
    except (KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise PlanFileError(f"The file {path} is not a vpnform plan file: {err}.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanFileError(f"The file {path} was written by an incompatible version. Create "
                            "the plan again.")
    return doc


def read_plan_file(path: str, workdir: str,
                   encryption: TargetEncryption | None = None) -> SavedPlan:
    doc = _load_doc(path, encryption)
    variables = {}
    for name, entry in doc["variables"].items():
        if "value" in entry:
            variables[name] = entry["value"]
        else:
            variables[name] = Sensitive(_unseal(entry, workdir))
    files = _unseal(doc["config_files"], workdir)
    return SavedPlan(
        config_files=files, config_digest=doc["config_digest"],
        variables=variables, state_lineage=doc["state_lineage"],
        state_serial=doc["state_serial"], destroy=doc["destroy"], refresh=doc["refresh"],
        refresh_only=doc.get("refresh_only", False), targets=doc.get("targets", []),
        replace=doc.get("replace", []), actions=doc["actions"],
        workspace=doc.get("workspace"))


def read_plan_json(path: str, workdir: str, show_sensitive: bool,
                   encryption: TargetEncryption | None = None) -> dict:
    """The ``show -json`` document saved with the plan: redacted unless ``show_sensitive``."""
    doc = _load_doc(path, encryption)
    entry = doc.get("json" if show_sensitive else "json_redacted")
    if not isinstance(entry, dict):
        raise PlanFileError(f"The plan file {path} holds no JSON form of the plan (it was "
                            "written by an earlier version of vpnform). Create the plan again.")
    return _unseal(entry, workdir)


def read_review_notes(path: str, workdir: str,
                      encryption: TargetEncryption | None = None) -> ReviewNotes | None:
    """The plan's warnings and provider targets, None in a file written without them."""
    entry = _load_doc(path, encryption).get("review_notes")
    if not isinstance(entry, dict):
        return None
    try:
        return notes_from_json(_unseal(entry, workdir))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PlanFileError(f"The plan file {path} has damaged review notes. Create the plan "
                            "again.") from None


def read_rendered(path: str, encryption: TargetEncryption | None = None) -> str:
    try:
        return _load_doc(path, encryption)["rendered"]
    except KeyError:
        raise PlanFileError(f"The file {path} is not a vpnform plan file.") from None
