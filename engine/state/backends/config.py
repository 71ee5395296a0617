"""Which state backend a working directory uses: the root module's ``backend`` block decoded
to literal arguments, ``init -backend-config`` values merged over them, the backend opened
from them, and the record of it under ``.vpnform/``.

No block: the local backend on ``terraform.tfstate``. A type other than local or pg is an
error, never ignored. Arguments are literal values: as in Terraform, variables, locals and
function calls may not be used in a backend block.

The record (``.vpnform/backend.json``, mode 0600 in a 0700 directory) holds the type, a
digest and the arguments ``init`` configured, the ``-backend-config`` ones apart, so later
commands reach the same backend without repeating the flags and ``init -migrate-state`` can
still reach the previous backend. A password in ``conn_str`` is never written there (nor
shown): the record keeps the connection string without it. A password given only to ``init``
(``-backend-config=conn_str=...``) therefore does not outlive ``init``: later commands take
it, as any libpq client does, from ``PGPASSWORD`` or ``~/.pgpass``, or take the whole string
from ``PG_CONN_STR`` (never recorded). Terraform, by contrast, stores the merged arguments in
``.terraform/terraform.tfstate`` in plain text, mode 0644.

The record lives in vpnform's own work directory rather than ``.terraform/``, where Terraform
keeps its own record in another format: a Terraform run in the same directory must not read
ours, nor we its. Comparing the record with the configuration is how every command that reads
state (through ``configured_backend``) tells that the backend changed and ``init`` is due.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from ...config import hcl
from ...config.evaluate import evaluate_constant
from ...config.model import Backend
from ...diagnostics import Diagnostic, Diagnostics, Severity, SourceRange
from ...private_files import WORK_DIR_NAME, atomic_write, private_dirs
from ...values import BOOL, STRING, ConversionError
from .base import StateBackend, StateError

SUPPORTED = ("local", "pg")
DEFAULT_STATE_FILE = "terraform.tfstate"
RECORD_NAME = "backend.json"
RECORD_VERSION = 2

# Each type's arguments and their types.
ARGUMENTS = {
    "local": {"path": STRING},
    "pg": {"conn_str": STRING, "schema_name": STRING, "skip_schema_creation": BOOL,
           "skip_table_creation": BOOL, "skip_index_creation": BOOL},
}


class BackendConfigError(Exception):
    """The backend block is invalid, names an unsupported type, or changed since ``init``
    (``diagnostics`` say where). Not a StateError: no verb turns it into "Failed to load
    state"; the CLI prints its diagnostics, with file and line, whatever the verb."""

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
        """The digest of the arguments as written (how version-1 records compare)."""
        return _digest(self.type, self.arguments)

    def recordable(self) -> dict:
        """The arguments as recorded: a pg ``conn_str`` without its password."""
        return recordable_arguments(self.type, self.arguments)

    def record_digest(self) -> str:
        """The digest recorded and compared: a changed password alone is no new backend."""
        return _digest(self.type, self.recordable())

    def merged(self, overrides: dict) -> "BackendSpec":
        """This spec with ``-backend-config`` values over its arguments."""
        return BackendSpec(self.type, {**self.arguments, **overrides})


def _digest(type_: str, arguments: dict) -> str:
    data = json.dumps({"type": type_, "arguments": arguments}, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def recordable_arguments(type_: str, arguments: dict) -> dict:
    """``arguments`` fit to write down: without the password of a pg ``conn_str`` (an
    unparseable one is left out whole: it could not connect anyway)."""
    out = dict(arguments)
    if type_ == "pg" and out.get("conn_str"):
        from .pg import conn_str_without_password

        try:
            out["conn_str"] = conn_str_without_password(out["conn_str"])
        except StateError:
            out.pop("conn_str")
    return out


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


def parse_backend_config(items: list[str], backend_type: str, workdir: str
                         ) -> tuple[dict, Diagnostics, dict]:
    """``-backend-config`` values in command-line order, each ``KEY=VALUE`` or the path of
    an HCL file of ``key = value`` lines, later ones winning; the files read (for the
    diagnostics' snippets). Unknown keys are errors naming the key and where it came from."""
    diags, values, files = Diagnostics(), {}, {}
    allowed = ARGUMENTS.get(backend_type, {})
    for item in items:
        if "=" in item:
            key, text = item.split("=", 1)
            key = key.strip()
            if key not in allowed:
                diags.error("Invalid backend configuration argument",
                            f'The backend configuration argument "{key}" given on the command '
                            f'line is not expected for the "{backend_type}" backend type, '
                            f"which takes {', '.join(sorted(allowed))}.")
                continue
            try:
                values[key] = allowed[key].convert(text)
            except ConversionError as err:
                diags.error("Invalid backend configuration argument",
                            f'The value given on the command line for "{key}" is not valid: '
                            f"{err}.")
            continue
        values.update(_read_backend_config_file(item, allowed, backend_type, workdir, diags,
                                                files))
    return values, diags, files


def _read_backend_config_file(path: str, allowed: dict, backend_type: str, workdir: str,
                              diags: Diagnostics, files: dict) -> dict:
    try:
        with open(os.path.join(workdir, path), "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        diags.error("Failed to read file",
                    f'The backend configuration file "{path}" given on the command line '
                    f"could not be read: {getattr(err, 'strerror', None) or err}.")
        return {}
    files[path] = text
    body, d = hcl.parse(text, path)
    diags.extend(d)
    if body is None:
        return {}
    values = {}
    for blk in body.blocks:
        diags.error("Unsupported block type",
                    f'Blocks of type "{blk.type}" are not expected in a backend configuration '
                    "file: it may only set arguments (name = value).", blk.type_range)
    for name, attr in body.attributes.items():
        if name not in allowed:
            diags.error("Unsupported argument",
                        f'An argument named "{name}" is not expected here: the '
                        f'"{backend_type}" backend takes {", ".join(sorted(allowed))}.',
                        attr.name_range)
            continue
        value, dd = evaluate_constant(attr.expr)
        diags.extend(dd)
        if dd.has_errors or value is None:
            continue
        try:
            values[name] = allowed[name].convert(value)
        except ConversionError as err:
            diags.error("Incorrect attribute value type",
                        f'Inappropriate value for attribute "{name}": {err}.', attr.expr.range)
    return values


def open_backend(spec: BackendSpec, workdir: str, environ: dict | None = None) -> StateBackend:
    """The backend ``spec`` describes; StateError if its arguments cannot work."""
    if spec.type == "local":
        from .local import LocalBackend

        return LocalBackend(spec.arguments.get("path") or DEFAULT_STATE_FILE, workdir)
    if spec.type == "pg":
        from .pg import PgBackend, PgSettings

        return PgBackend(PgSettings.from_arguments(spec.arguments, environ))
    raise StateError(f"unsupported backend type {spec.type!r}")


def same_location(a: BackendSpec, b: BackendSpec, workdir: str,
                  environ: dict | None = None) -> bool:
    """Whether two specs store state in the same place (nothing to migrate between them)."""
    if a.type != b.type:
        return False
    if a.type == "local":
        def where(spec: BackendSpec) -> str:
            return os.path.abspath(os.path.join(workdir, spec.arguments.get("path")
                                                or DEFAULT_STATE_FILE))
        return where(a) == where(b)
    from .pg import PgSettings, conn_str_without_password

    try:
        x, y = (PgSettings.from_arguments(s.arguments, environ) for s in (a, b))
        return (conn_str_without_password(x.conn_str), x.schema_name) == \
            (conn_str_without_password(y.conn_str), y.schema_name)
    except StateError:
        return False


def record_path(workdir: str) -> str:
    return os.path.join(workdir, WORK_DIR_NAME, RECORD_NAME)


def record_backend(workdir: str, block_spec: BackendSpec, overrides: dict,
                   has_block: bool) -> None:
    """Note the backend ``init`` configured: its type, the digests of the block's arguments
    and of the merged ones, whether a block named it, and the merged arguments
    (``-backend-config`` values apart too), passwords left out."""
    private_dirs(os.path.join(workdir, WORK_DIR_NAME))
    spec = block_spec.merged(overrides)
    data = {"version": RECORD_VERSION, "type": spec.type, "digest": spec.record_digest(),
            "block_digest": block_spec.record_digest(), "block": has_block,
            "arguments": spec.recordable(),
            "backend_config": recordable_arguments(spec.type, overrides)}
    atomic_write(record_path(workdir), (json.dumps(data, indent=2) + "\n").encode())


def recorded_backend(workdir: str) -> dict | None:
    """The record ``init`` left, or None if there is none."""
    try:
        with open(record_path(workdir), "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("type"), str) else None


def recorded_overrides(record: dict | None, backend_type: str) -> dict:
    """The ``-backend-config`` values ``init`` recorded for a backend of ``backend_type``."""
    if not record or record.get("type") != backend_type:
        return {}
    values = record.get("backend_config")
    return dict(values) if isinstance(values, dict) else {}


def recorded_block(record: dict | None) -> bool:
    """Whether the recorded backend came from a ``backend`` block (not the implicit local
    default); version-1 records said so only through their digest."""
    if not record:
        return False
    if "block" in record:
        return bool(record["block"])
    return record.get("type") != "local" or record.get("digest") != BackendSpec().digest()


def previous_spec(record: dict | None) -> BackendSpec | None:
    """The backend ``init`` last configured, as recorded (no record: the implicit local
    one); None when a version-1 record did not keep its arguments."""
    if not recorded_block(record):
        return BackendSpec()
    if not isinstance(record.get("arguments"), dict):
        return None
    return BackendSpec(record["type"], dict(record["arguments"]))


def change_reason(record: dict | None, block_spec: BackendSpec, overrides: dict,
                  has_block: bool) -> str | None:
    """Why the configured backend (the block's ``block_spec`` with ``overrides``) is not
    the one ``init`` recorded, in Terraform's words; None when it is. A changed block is a
    change even where a recorded -backend-config value hides it, as in Terraform."""
    spec = block_spec.merged(overrides)
    was_block = recorded_block(record)
    if not has_block:
        return f'Unsetting the previously set backend "{record["type"]}"' if was_block else None
    if not was_block:
        return f'Initial configuration of the requested backend "{spec.type}"'
    if record["type"] != spec.type:
        return f'Backend type changed from "{record["type"]}" to "{spec.type}"'
    if "arguments" not in record:  # version 1: the digest of the arguments as written
        same = record.get("digest") == spec.digest()
    else:
        same = (record.get("digest") == spec.record_digest()
                and record.get("block_digest") == block_spec.record_digest())
    return None if same else "Backend configuration block has changed"


def init_required(reason: str, subject: SourceRange | None) -> Diagnostic:
    """Terraform's diagnostic for a command run before ``init`` took in a backend change."""
    return Diagnostic(
        Severity.ERROR, 'Backend initialization required, please run "vpnform init"',
        f"Reason: {reason}\n\n"
        'The "backend" is the interface that vpnform uses to store state, perform '
        "operations, etc. If this message is showing up, it means that the vpnform "
        "configuration you're using is using a custom configuration for the vpnform "
        "backend.\n\n"
        "Changes to backend configurations require reinitialization. This allows vpnform "
        'to set up the new configuration, copy existing state, etc. Please run "vpnform '
        'init" with either the "-reconfigure" or "-migrate-state" flags to use the current '
        "configuration.\n\n"
        "If the change reason above is incorrect, please verify your configuration hasn't "
        "changed and try again. At this point, no changes to your existing configuration "
        "or state have been made.", subject)


def configured_backend(workdir: str, block: Backend | None, files: dict) -> BackendSpec:
    """The backend a command other than ``init`` uses: the block's arguments with the
    recorded ``-backend-config`` values over them. Raises BackendConfigError for an
    invalid block, or when it is not the backend ``init`` recorded."""
    spec, diags = decode_backend(block)
    if diags.has_errors:
        raise BackendConfigError(diags, files)
    record = recorded_backend(workdir)
    overrides = recorded_overrides(record, spec.type)
    reason = change_reason(record, spec, overrides, block is not None)
    if reason is not None:
        diags.append(init_required(reason, block.range if block else None))
        raise BackendConfigError(diags, files)
    return spec.merged(overrides)
