"""Which state backend a working directory uses: the root module's ``backend`` block decoded
to literal arguments, the backend opened from them, and the record of it under ``.vpnform/``.

No block: the local backend on ``terraform.tfstate``. A type other than local or pg is an
error, never ignored. Arguments are literal values: as in Terraform, variables, locals and
function calls may not be used in a backend block.

The record (``.vpnform/backend.json``, mode 0600) holds the type and a digest of the
arguments, never the arguments themselves (``conn_str`` may carry a password). It lives in
vpnform's own work directory rather than ``.terraform/``, where Terraform keeps its own
``terraform.tfstate`` in another format: a Terraform run in the same directory must not
read ours, nor we its. Comparing the record with the configuration is how a later command
can tell that the backend changed and ``init`` is due.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from ...config.evaluate import evaluate_constant
from ...config.model import Backend
from ...diagnostics import Diagnostics
from ...private_files import WORK_DIR_NAME, atomic_write, private_dirs
from ...values import BOOL, STRING, ConversionError
from .base import StateBackend, StateError

SUPPORTED = ("local", "pg")
DEFAULT_STATE_FILE = "terraform.tfstate"
RECORD_NAME = "backend.json"

# Each type's arguments and their types.
ARGUMENTS = {
    "local": {"path": STRING},
    "pg": {"conn_str": STRING, "schema_name": STRING, "skip_schema_creation": BOOL,
           "skip_table_creation": BOOL, "skip_index_creation": BOOL},
}


class BackendConfigError(StateError):
    """The backend block is invalid or names an unsupported type (``diagnostics`` say where)."""

    def __init__(self, diagnostics: Diagnostics, files: dict | None = None):
        super().__init__("\n".join(f"{d.summary}: {d.detail}" for d in diagnostics.errors))
        self.diagnostics = diagnostics
        self.files = files or {}  # the configuration sources, for the diagnostics' snippets


@dataclass(frozen=True)
class BackendSpec:
    """A backend type and its literal arguments (only those given)."""

    type: str = "local"
    arguments: dict = field(default_factory=dict)

    def digest(self) -> str:
        data = json.dumps({"type": self.type, "arguments": self.arguments}, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


def decode_backend(block: Backend | None) -> tuple[BackendSpec, Diagnostics]:
    """The spec a ``backend`` block describes (no block: local); errors as diagnostics."""
    diags = Diagnostics()
    if block is None:
        return BackendSpec(), diags
    if block.type not in ARGUMENTS:
        diags.error("Unsupported backend type",
                    f'There is no backend type named "{block.type}". vpnform supports these '
                    f"backend types: {', '.join(f'{t!r}' for t in SUPPORTED)}.".replace("'", '"'),
                    block.range)
        return BackendSpec(block.type), diags
    allowed = ARGUMENTS[block.type]
    arguments = {}
    for name, attr in block.body.attributes.items():
        if name not in allowed:
            diags.error("Unsupported argument",
                        f'An argument named "{name}" is not expected here: the "{block.type}" '
                        f"backend takes {', '.join(sorted(allowed))}.", attr.name_range)
            continue
        value, d = evaluate_constant(attr.expr)
        diags.extend(d)
        if d.has_errors:
            continue
        if value is None:
            continue
        try:
            arguments[name] = allowed[name].convert(value)
        except ConversionError as err:
            diags.error("Incorrect attribute value type",
                        f'Inappropriate value for attribute "{name}": {err}.', attr.expr.range)
    for blk in block.body.blocks:
        diags.error("Unsupported block type",
                    f'Blocks of type "{blk.type}" are not expected in a "{block.type}" '
                    "backend.", blk.type_range)
    return BackendSpec(block.type, arguments), diags


def open_backend(spec: BackendSpec, workdir: str, environ: dict | None = None) -> StateBackend:
    """The backend ``spec`` describes; StateError if its arguments cannot work."""
    if spec.type == "local":
        from .local import LocalBackend

        return LocalBackend(spec.arguments.get("path") or DEFAULT_STATE_FILE, workdir)
    if spec.type == "pg":
        from .pg import PgBackend, PgSettings

        return PgBackend(PgSettings.from_arguments(spec.arguments, environ))
    raise StateError(f"unsupported backend type {spec.type!r}")


def record_path(workdir: str) -> str:
    return os.path.join(workdir, WORK_DIR_NAME, RECORD_NAME)


def record_backend(workdir: str, spec: BackendSpec) -> None:
    """Note the backend ``init`` configured: its type and the digest of its arguments."""
    private_dirs(os.path.join(workdir, WORK_DIR_NAME))
    data = {"version": 1, "type": spec.type, "digest": spec.digest()}
    atomic_write(record_path(workdir), (json.dumps(data, indent=2) + "\n").encode())


def recorded_backend(workdir: str) -> dict | None:
    """The record ``init`` left ({"type", "digest"}), or None if there is none."""
    try:
        with open(record_path(workdir), "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
