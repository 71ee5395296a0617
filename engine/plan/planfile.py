"""Saved plan files (``plan -out=FILE``): what apply needs to carry out exactly that plan.

A zip holding ``tfplan.json``: the configuration snapshot (every *.tf file of every
module), input variables, the prior state's lineage and serial, the plan options and the
planned action of every instance. Sensitive variable values and the configuration
snapshot (a default may be a secret) are encrypted (HMAC-SHA256 keystream + tag) with a
key kept in ``.vpnform/planfile.key`` (0600), so no secret is on disk in plain text
inside the plan. Apply re-derives the changes from the snapshot and refuses
the file if the state or configuration has moved on since. The plan's ``show -json``
document is kept twice, both sealed: in full (for ``-show-sensitive``) and redacted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ..private_files import WORK_DIR_NAME, private_dirs, write_private
from ..values import Sensitive, unmark
from .model import Plan
from .render import render_plan

FORMAT = "vpnform-plan-1"
KEY_FILE = "planfile.key"


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


def _key(workdir: str) -> bytes:
    d = private_dirs(os.path.join(workdir, WORK_DIR_NAME))
    path = os.path.join(d, KEY_FILE)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        write_private(path, key, exclusive=True)
        return key


def _keystream(key: bytes, nonce: bytes, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hmac.new(key, b"enc" + nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:n])


def seal(key: bytes, value: Any) -> str:
    plain = json.dumps(value).encode()
    nonce = secrets.token_bytes(16)
    ct = bytes(a ^ b for a, b in zip(plain, _keystream(key, nonce, len(plain))))
    tag = hmac.new(key, b"tag" + nonce + ct, hashlib.sha256).digest()
    return base64.b64encode(nonce + tag + ct).decode()


def unseal(key: bytes, blob: str) -> Any:
    try:
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, TypeError):
        raise PlanFileError("The saved plan's encrypted values are damaged. Create the plan "
                            "again.") from None
    nonce, tag, ct = raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(key, b"tag" + nonce + ct, hashlib.sha256).digest()):
        raise PlanFileError("The saved plan's encrypted values cannot be decrypted with this "
                            "working directory's key (.vpnform/planfile.key). Create the plan "
                            "again in this directory.")
    return json.loads(bytes(a ^ b for a, b in zip(ct, _keystream(key, nonce, len(ct)))))


def write_plan_file(path: str, plan: Plan, files: dict, workdir: str, refresh: bool,
                    replace: list, json_docs: tuple[dict, dict] | None = None) -> None:
    """``json_docs``: the plan's ``show -json`` documents (full, redacted), both sealed:
    the full one holds secrets, and both describe the infrastructure."""
    key = _key(workdir)
    variables = {}
    for name, value in plan.variables.items():
        plain, marks = unmark(value)
        if marks:
            variables[name] = {"sealed": seal(key, plain)}
        else:
            variables[name] = {"value": plain}
    doc = {
        "format": FORMAT,
        "config_digest": plan.config_digest,
        # the snapshot may hold secrets (a variable's default): sealed like them
        "config_files": {"sealed": seal(key, files)},
        "variables": variables,
        "state_lineage": plan.state_lineage,
        "state_serial": plan.state_serial,
        "destroy": plan.destroy,
        "refresh": refresh,
        "refresh_only": plan.refresh_only,
        "targets": list(plan.targets),
        "replace": [str(a) for a in replace],
        "actions": {str(a): c.action.value for a, c in plan.changes.items()},
        # the human rendering (secrets already redacted), for `show PLANFILE`
        "rendered": render_plan(plan, color=False),
    }
    if json_docs is not None:
        doc["json"] = {"sealed": seal(key, json_docs[0])}
        doc["json_redacted"] = {"sealed": seal(key, json_docs[1])}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("tfplan.json", json.dumps(doc, indent=1, sort_keys=True))
    write_private(path, buf.getvalue())


def is_plan_file(path: str) -> bool:
    return os.path.isfile(path) and zipfile.is_zipfile(path)


def read_plan_file(path: str, workdir: str) -> SavedPlan:
    try:
        with zipfile.ZipFile(path) as zf:
            doc = json.loads(zf.read("tfplan.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise PlanFileError(f"The file {path} is not a vpnform plan file: {err}.") from None
    if doc.get("format") != FORMAT:
        raise PlanFileError(f"The file {path} was written by an incompatible version.")
    key = None
    variables = {}
    for name, entry in doc["variables"].items():
        if "sealed" in entry:
            key = key or _key(workdir)
            variables[name] = Sensitive(unseal(key, entry["sealed"]))
        else:
            variables[name] = entry["value"]
    files = doc["config_files"]
    if "sealed" in files:
        files = unseal(key or _key(workdir), files["sealed"])
    return SavedPlan(
        config_files=files, config_digest=doc["config_digest"],
        variables=variables, state_lineage=doc["state_lineage"],
        state_serial=doc["state_serial"], destroy=doc["destroy"], refresh=doc["refresh"],
        refresh_only=doc.get("refresh_only", False), targets=doc.get("targets", []),
        replace=doc.get("replace", []), actions=doc["actions"])


def read_plan_json(path: str, workdir: str, show_sensitive: bool) -> dict:
    """The ``show -json`` document saved with the plan: redacted unless ``show_sensitive``."""
    try:
        with zipfile.ZipFile(path) as zf:
            doc = json.loads(zf.read("tfplan.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise PlanFileError(f"The file {path} is not a vpnform plan file: {err}.") from None
    entry = doc.get("json" if show_sensitive else "json_redacted")
    if not isinstance(entry, dict) or "sealed" not in entry:
        raise PlanFileError(f"The plan file {path} holds no JSON form of the plan (it was "
                            "written by an earlier version of vpnform). Create the plan again.")
    return unseal(_key(workdir), entry["sealed"])


def read_rendered(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read("tfplan.json"))["rendered"]
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise PlanFileError(f"The file {path} is not a vpnform plan file: {err}.") from None
