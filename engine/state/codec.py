"""State <-> Terraform's v4 JSON layout (the ``terraform.tfstate`` format), and journal entries.

``encode_state``/``decode_state`` convert between ``State`` and the v4 dict; ``dumps_state``/
``loads_state`` add the bytes (indent 2, trailing newline, like Terraform). Instance objects
go through ``encode_instance``/``decode_instance`` both in the state file and in the
backends' journal, so replaying a journal is the same code path as reading a file.

Layout choices mirror Terraform 1.11: resources sorted by (module, mode, type, name) as
plain strings (so ``data`` sorts before ``managed``), instances by key (no key, then ints,
then strings); attribute objects with sorted keys; ``<``, ``>``, ``&`` escaped as Go does.
Deposed objects (an instance's ``deposed`` key) follow the current instances of their
resource. Not kept on decode: an instance's ``private`` blob. Refused on decode: pre-0.12
``attributes_flat``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import re
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any, Iterator

from ..addrs import (DATA, MANAGED, AddressError, InstanceAddr, InstanceKey, ProviderConfigAddr,
                     ResourceAddr, module_str, parse_instance)
from ..gc_paused import made_for_the_run
from ..values import loads_json
from .backends.base import JournalEntry, StateError
from .model import (READY, STATE_TERRAFORM_VERSION, TAINTED, InstanceObject, OutputValue,
                    PendingCreate, ResourceState, State)

STATE_VERSION = 4

# The state encryption in force (engine/state/encryption.py): set by ``encrypted_at_rest``
# around a backend's calls, so every backend's bytes <-> State step is encrypted without the
# backend knowing. None: plain text.
_AT_REST: contextvars.ContextVar = contextvars.ContextVar("vpnform_state_encryption",
                                                          default=None)


@contextlib.contextmanager
def encrypted_at_rest(target: Any) -> Iterator[None]:
    """Within this block, state bytes made and read by this module go through ``target``
    (an ``encryption.TargetEncryption``)."""
    token = _AT_REST.set(target)
    try:
        yield
    finally:
        _AT_REST.reset(token)


def seal_bytes(data: bytes) -> bytes:
    """``data`` (state or journal bytes) as stored: encrypted when encryption is on."""
    target = _AT_REST.get()
    return data if target is None else target.encrypt(data)


def protect_bytes(data: bytes) -> bytes:
    """Bytes kept aside (a backup): encrypted if encryption is on and they are not yet."""
    target = _AT_REST.get()
    return data if target is None else target.protect(data)


def open_bytes(data: bytes, source: str) -> bytes:
    """Stored bytes as plain text: decrypted, or refused when plain text is not allowed.
    Without encryption configured, an encrypted file is refused with a clear message."""
    from .encryption import NONE  # encryption imports this package's base
    target = _AT_REST.get() or NONE.state
    return target.decrypt(data, source)

_EACH_TO_V4 = {"": None, "count": "list", "for_each": "map"}
_EACH_FROM_V4 = {None: "", "list": "count", "map": "for_each"}


class MapKey(str):
    """A string attribute-path step that is a map key (v4 ``index`` step), not an attribute
    name (``get_attr``). Equal to and hashed like the plain string, so paths still compare."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"MapKey({str.__repr__(self)})"


# --- values and types ---------------------------------------------------------------------

def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON data with object keys sorted (as cty writes them)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StateError(f"cannot store the non-finite number {value!r} at {where}")
        return value
    if isinstance(value, dict):
        out = {}
        for k in sorted(value):
            if not isinstance(k, str):
                raise StateError(f"cannot store the non-string object key {k!r} at {where}")
            out[k] = _plain(value[k], where)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    raise StateError(f"cannot store a value of type {type(value).__name__} at {where}: state "
                     "holds only known, unmarked JSON values (this is a bug in the caller)")


def infer_type(value: Any) -> Any:
    """Terraform's JSON type syntax for a value: "string", "number", "bool",
    ["tuple", [...]] for lists, ["object", {...}] for objects, "dynamic" for null."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return ["tuple", [infer_type(v) for v in value]]
    if isinstance(value, dict):
        return ["object", {k: infer_type(value[k]) for k in sorted(value)}]
    return "dynamic"


# --- attribute paths ----------------------------------------------------------------------

def encode_path(path: tuple) -> list:
    steps = []
    for step in path:
        if isinstance(step, MapKey):
            steps.append({"type": "index", "value": {"value": str(step), "type": "string"}})
        elif isinstance(step, str):
            steps.append({"type": "get_attr", "value": step})
        elif isinstance(step, int) and not isinstance(step, bool):
            steps.append({"type": "index", "value": {"value": step, "type": "number"}})
        else:
            raise StateError(f"unsupported attribute path step {step!r} in {path!r}")
    return steps


def decode_path(steps: Any, where: str) -> tuple:
    if not isinstance(steps, list):
        raise StateError(f"{where}: a sensitive attribute path must be a list of steps")
    out: list = []
    for step in steps:
        kind = step.get("type") if isinstance(step, dict) else None
        value = step.get("value") if isinstance(step, dict) else None
        if kind == "get_attr" and isinstance(value, str):
            out.append(value)
        elif kind == "index" and isinstance(value, dict):
            key, ktype = value.get("value"), value.get("type")
            if ktype == "string" and isinstance(key, str):
                out.append(MapKey(key))
            elif ktype == "number" and isinstance(key, (int, float)) and not isinstance(key, bool) \
                    and float(key).is_integer():
                out.append(int(key))
            else:
                raise StateError(f"{where}: unsupported index step {step!r}")
        else:
            raise StateError(f"{where}: unsupported attribute path step {step!r}")
    return tuple(out)


# --- instances ----------------------------------------------------------------------------

def encode_instance(key: InstanceKey, obj: InstanceObject, where: str = "instance",
                    deposed: str = "") -> dict:
    """One v4 ``instances[]`` element, keys in Terraform's order (``deposed``: the key of a
    deposed object)."""
    out: dict = {}
    if key is not None:
        out["index_key"] = key
    if obj.status == TAINTED:
        out["status"] = "tainted"
    elif obj.status != READY:
        raise StateError(f"unknown instance status {obj.status!r} at {where}")
    if deposed:
        out["deposed"] = deposed
    out["schema_version"] = obj.schema_version
    out["attributes"] = _plain(obj.attributes, where)
    out["sensitive_attributes"] = [encode_path(tuple(p)) for p in obj.sensitive_paths]
    if obj.dependencies:
        out["dependencies"] = list(obj.dependencies)
    if obj.create_before_destroy:
        out["create_before_destroy"] = True
    return out


def decode_instance(data: Any, where: str = "instance") -> tuple[InstanceKey, InstanceObject]:
    """Inverse of ``encode_instance``: (instance key, object)."""
    if not isinstance(data, dict):
        raise StateError(f"{where}: an instance must be a JSON object")
    if not isinstance(data.get("deposed", ""), str):
        raise StateError(f"{where}: 'deposed' must be a string key")
    if "attributes" not in data:
        if "attributes_flat" in data:
            raise StateError(f"{where}: uses pre-0.12 'attributes_flat'; upgrade the state "
                             "with Terraform 0.12 or later first.")
        raise StateError(f"{where}: has no 'attributes'")
    key = data.get("index_key")
    if key is not None and (isinstance(key, bool) or not isinstance(key, (int, str))):
        raise StateError(f"{where}: index_key must be a number or a string, not {key!r}")
    status = data.get("status") or READY
    if status not in (READY, TAINTED):
        raise StateError(f"{where}: unknown status {status!r}")
    attrs = data["attributes"]
    if attrs is None:
        attrs = {}
    if not isinstance(attrs, dict):
        raise StateError(f"{where}: 'attributes' must be a JSON object")
    schema_version = data.get("schema_version", 0)
    if not isinstance(schema_version, int) or isinstance(schema_version, bool):
        raise StateError(f"{where}: schema_version must be an integer")
    sens = data.get("sensitive_attributes") or []
    deps = data.get("dependencies") or []
    if not isinstance(sens, list):
        raise StateError(f"{where}: sensitive_attributes must be a list")
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise StateError(f"{where}: dependencies must be a list of addresses")
    obj = InstanceObject(
        attributes=attrs,
        sensitive_paths=[decode_path(p, where) for p in sens],
        dependencies=list(deps),
        status=status,
        schema_version=schema_version,
        create_before_destroy=bool(data.get("create_before_destroy", False)),
    )
    return key, obj


def _instance_sort_key(key: InstanceKey) -> tuple:
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


def _resource_sort_key(addr: ResourceAddr) -> tuple:
    return (module_str(addr.module), addr.mode, addr.type, addr.name)


# --- state --------------------------------------------------------------------------------

def encode_state(state: State) -> dict:
    """The v4 dict for ``state`` (plain JSON data, keys in Terraform's order)."""
    outputs = {}
    for name in sorted(state.outputs):
        ov: OutputValue = state.outputs[name]
        value = _plain(ov.value, f"output {name!r}")
        entry: dict = {"value": value,
                       "type": ov.type if ov.type is not None else infer_type(value)}
        if ov.sensitive:
            entry["sensitive"] = True
        outputs[name] = entry
    resources = []
    for raddr in sorted(state.resources, key=_resource_sort_key):
        rs: ResourceState = state.resources[raddr]
        res: dict = {}
        if raddr.module:
            res["module"] = module_str(raddr.module)
        res["mode"] = raddr.mode
        res["type"] = raddr.type
        res["name"] = raddr.name
        if rs.each_mode not in _EACH_TO_V4:
            raise StateError(f"unknown each mode {rs.each_mode!r} for {raddr}")
        each = _EACH_TO_V4[rs.each_mode]
        if each:
            res["each"] = each
        res["provider"] = rs.provider.state_str()
        res["instances"] = [encode_instance(k, rs.instances[k], str(InstanceAddr(raddr, k)))
                            for k in sorted(rs.instances, key=_instance_sort_key)]
        res["instances"] += [
            encode_instance(k, rs.deposed[(k, d)], str(InstanceAddr(raddr, k)), d)
            for k, d in sorted(rs.deposed, key=lambda kd: (_instance_sort_key(kd[0]), kd[1]))]
        resources.append(res)
    return {
        "version": STATE_VERSION,
        "terraform_version": state.terraform_version,
        "serial": state.serial,
        "lineage": state.lineage,
        "outputs": outputs,
        "resources": resources,
        "check_results": None,
    }


def _check_version(data: dict, source: str) -> None:
    version = data.get("version")
    if version == STATE_VERSION:
        return
    if isinstance(version, int) and not isinstance(version, bool) and 0 <= version < 4:
        raise StateError(f"{source} uses state format version {version}, written by Terraform "
                         "before 0.12. vpnform reads only version 4: upgrade it by running "
                         "'terraform refresh' once with Terraform 0.12 or later.")
    if isinstance(version, int) and not isinstance(version, bool) and version > 4:
        raise StateError(f"{source} uses state format version {version}, newer than the "
                         "version 4 this vpnform understands. Upgrade vpnform.")
    raise StateError(f"{source} is not a Terraform state file: it has no valid 'version' "
                     f"(found {version!r}). Check the path, or restore it from its .backup copy.")


_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?\Z")


def _check_terraform_version(stamp: Any, source: str) -> None:
    """Refuse a state written by a Terraform of a newer major version than the one vpnform
    writes for. Within one major version Terraform promises that states stay compatible,
    and Terraform 1.11.4 itself reads a state stamped 1.12.0 (or 1.99.0) and rewrites the
    stamp: so does vpnform. A 2.x state may mean something 1.x cannot know; it is left
    untouched."""
    if stamp in (None, ""):
        return
    m = _SEMVER.match(stamp) if isinstance(stamp, str) else None
    if m is None:
        raise StateError(f"{source} has an invalid terraform_version {str(stamp)[:40]!r}: "
                         "expected a version such as \"1.11.0\". Fix it by hand or restore "
                         "the file from its .backup copy.")
    ours = _SEMVER.match(STATE_TERRAFORM_VERSION)
    assert ours is not None
    if int(m.group(1)) > int(ours.group(1)):
        raise StateError(f"{source}: state snapshot was created by Terraform v{stamp}, which "
                         f"is newer than current v{STATE_TERRAFORM_VERSION} (the Terraform "
                         f"version whose state this vpnform writes). Upgrade to a vpnform that "
                         f"works with Terraform v{stamp} states, or use Terraform v{stamp} or "
                         "greater, to work with this state.")


def _module_path(text: str, where: str) -> tuple:
    try:
        return parse_instance(f"{text}.x.y").resource.module
    except AddressError as exc:
        raise StateError(f"{where}: invalid module address {text!r}: {exc}") from None


def decode_state(data: Any, source: str = "the state") -> State:
    """The ``State`` for a v4 dict. Raises StateError saying what is wrong and where."""
    try:
        return _decode_state(data, source)
    except RecursionError:
        raise StateError(f"{source} cannot be read: its values are nested too deeply. Fix it "
                         "by hand or restore it from its .backup copy.") from None


def _decode_state(data: Any, source: str) -> State:
    if not isinstance(data, dict):
        raise StateError(f"{source} is not a Terraform state file: expected a JSON object.")
    _check_version(data, source)
    lineage, serial = data.get("lineage"), data.get("serial", 0)
    if not isinstance(lineage, str) or not lineage:
        raise StateError(f"{source} has no lineage.")
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise StateError(f"{source} has an invalid serial {serial!r}.")
    _check_terraform_version(data.get("terraform_version"), source)
    state = State(lineage=lineage, serial=serial,
                  terraform_version=str(data.get("terraform_version") or ""))
    outputs = data.get("outputs") or {}
    if not isinstance(outputs, dict):
        raise StateError(f"{source}: 'outputs' must be a JSON object.")
    for name, out in outputs.items():
        if not isinstance(out, dict) or "value" not in out:
            raise StateError(f"{source}: output {name!r} has no value.")
        state.outputs[name] = OutputValue(out["value"], bool(out.get("sensitive", False)),
                                          out.get("type"))
    resources = data.get("resources") or []
    if not isinstance(resources, list):
        raise StateError(f"{source}: 'resources' must be a list.")
    for i, res in enumerate(resources):
        where = f"{source}: resources[{i}]"
        if not isinstance(res, dict):
            raise StateError(f"{where} must be a JSON object.")
        mode, rtype, rname = res.get("mode"), res.get("type"), res.get("name")
        if mode not in (MANAGED, DATA):
            raise StateError(f"{where} has invalid mode {mode!r} (expected managed or data).")
        if not isinstance(rtype, str) or not isinstance(rname, str) or not rtype or not rname:
            raise StateError(f"{where} needs a type and a name.")
        module = _module_path(res["module"], where) if res.get("module") else ()
        raddr = ResourceAddr(mode, rtype, rname, module)
        where = f"{source}: {raddr}"
        if raddr in state.resources:
            raise StateError(f"{where} appears twice in the resources list.")
        try:
            provider = ProviderConfigAddr.parse_state_str(str(res.get("provider", "")))
        except AddressError as exc:
            raise StateError(f"{where}: {exc}") from None
        each = res.get("each")
        if each not in _EACH_FROM_V4:
            raise StateError(f"{where}: invalid 'each' {each!r} (expected list or map).")
        rs = ResourceState(raddr, provider, {}, _EACH_FROM_V4[each])
        instances = res.get("instances") or []
        if not isinstance(instances, list):
            raise StateError(f"{where}: 'instances' must be a list.")
        for j, inst in enumerate(instances):
            key, obj = decode_instance(inst, f"{where} instances[{j}]")
            if isinstance(inst, dict) and inst.get("deposed"):
                rs.deposed[(key, inst["deposed"])] = obj
                continue
            if key in rs.instances:
                raise StateError(f"{where}: instance key {key!r} appears twice.")
            rs.instances[key] = obj
        state.resources[raddr] = rs
    return state


# Go's encoding/json escapes these inside strings; doing the same keeps our files
# byte-comparable with Terraform's. They only ever occur inside JSON strings.
_GO_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
               ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _go_escape(text: str) -> str:
    for raw, esc in _GO_ESCAPES:
        if raw in text:
            text = text.replace(raw, esc)
    return text


def _dumps_indented(data: Any) -> bytes:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` with Go's escapes and a trailing
    newline, as UTF-8: about twice as fast as the stdlib, which falls back to its
    pure-Python generator encoder whenever ``indent`` is given.

    The text is built in pieces that are joined and encoded every few thousand, so that
    writing a large state holds its bytes, not millions of small strings (a state of
    10,000 resources is 14 MB of text; its pieces were ~100 MB more at the apply's peak).
    """
    out: list[str] = []
    app = out.append
    esc = encode_basestring
    done: list[bytes] = []

    def flush() -> None:
        done.append(_go_escape("".join(out)).encode("utf-8"))
        out.clear()

    def enc(v: Any, ind: str) -> None:
        t = type(v)
        if t is str:
            app(esc(v))
        elif t is dict:
            if not v:
                app("{}")
                return
            inner = ind + "  "
            sep = "{\n" + inner
            for k, x in v.items():
                if type(k) is not str:
                    raise ValueError(f"object key {k!r} is not a string")
                app(sep)
                app(esc(k))
                app(": ")
                enc(x, inner)
                sep = ",\n" + inner
                if len(out) > 4096:
                    flush()
            app("\n" + ind + "}")
        elif t is list or t is tuple:
            if not v:
                app("[]")
                return
            inner = ind + "  "
            sep = "[\n" + inner
            for x in v:
                app(sep)
                enc(x, inner)
                sep = ",\n" + inner
                if len(out) > 4096:
                    flush()
            app("\n" + ind + "]")
        elif v is None:
            app("null")
        elif v is True:
            app("true")
        elif v is False:
            app("false")
        elif t is int:
            app(int.__repr__(v))
        elif t is float:
            if not math.isfinite(v):
                raise ValueError(f"out of range float value {v!r}")
            app(float.__repr__(v))
        else:
            raise ValueError(f"cannot encode a value of type {t.__name__}")

    enc(data, "")
    app("\n")
    flush()
    # ``enc`` refers to itself (a cycle through its closure, which holds ``done``): break
    # it, or the pieces live on beside the joined bytes until the cyclic GC runs (14 MB
    # more while a state of 10,000 resources was written).
    enc = None  # type: ignore[assignment]  # noqa: F841
    text = b"".join(done)
    done.clear()
    return text


def dumps_v4(data: dict) -> bytes:
    """Bytes for an already encoded v4 dict: indent 2, trailing newline, Go's escapes;
    encrypted when state encryption is on (``encrypted_at_rest``)."""
    try:
        plain = _dumps_indented(data)
    except (ValueError, UnicodeEncodeError) as exc:
        raise StateError(f"cannot encode the state: {exc}") from None
    return seal_bytes(plain)


def loads_v4(data: bytes, source: str = "the state file") -> Any:
    """The JSON data of stored state bytes (decrypted when encryption is on), undecoded."""
    return loads_json(open_bytes(bytes(data), source))


def dumps_state(state: State) -> bytes:
    """The state file's bytes: v4 JSON, indent 2, trailing newline."""
    return dumps_v4(encode_state(state))


def loads_state(data: bytes | str, source: str = "the state file") -> State:
    """Parse state file bytes. Raises StateError naming ``source`` and the remedy."""
    # A state lives to the end of the run that reads it: inside a verb its objects are
    # frozen as made (engine/gc_paused.py), never walked by a collection.
    with made_for_the_run():
        state = _loads_state(data, source)
    return state


def _loads_state(data: bytes | str, source: str) -> State:
    try:
        if isinstance(data, str):
            data = data.encode("utf-8")
        text = open_bytes(bytes(data), source).decode("utf-8")
        parsed = loads_json(text)
    except UnicodeDecodeError as exc:
        raise StateError(f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start}). "
                         "Restore it from its .backup copy.") from None
    except json.JSONDecodeError as exc:
        raise StateError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column "
                         f"{exc.colno}. Fix it by hand or restore it from its .backup copy."
                         ) from None
    except ValueError as exc:  # a number vpnform refuses, or nesting too deep
        raise StateError(f"{source} cannot be read: {exc}. Fix it by hand or restore it from "
                         "its .backup copy.") from None
    return decode_state(parsed, source)


# --- journal entries ----------------------------------------------------------------------

def journal_entry(addr: InstanceAddr, provider: ProviderConfigAddr, obj: InstanceObject | None,
                  each_mode: str | None = None, deposed: str = "") -> JournalEntry:
    """The journal entry recording that ``addr`` now holds ``obj`` (None: removed).
    ``each_mode`` defaults from the key's type (int: count, str: for_each)."""
    if each_mode is None:
        each_mode = ("count" if isinstance(addr.key, int)
                     else "for_each" if isinstance(addr.key, str) else "")
    payload = None if obj is None else encode_instance(addr.key, obj, str(addr))
    return JournalEntry(str(addr), provider.state_str(), payload, each_mode, deposed=deposed)


def pending_entry(addr: InstanceAddr, provider: ProviderConfigAddr, token: str | None = None,
                  planned: dict | None = None, each_mode: str = "",
                  dependencies: list | tuple = ()) -> JournalEntry:
    """The journal entry recording that a create at ``addr`` is about to be attempted with
    idempotency ``token``, from the wholly known value ``planned``."""
    return JournalEntry(str(addr), provider.state_str(), None, each_mode, pending=True,
                        token=token, planned=planned, dependencies=tuple(dependencies))


def pending_entries(state: State) -> list[JournalEntry]:
    """The pending entries that re-announce ``state``'s creates still in flight."""
    return [JournalEntry(address, p.provider, None, p.each_mode, pending=True,
                         token=p.token, planned=p.planned, dependencies=tuple(p.dependencies))
            for address, p in sorted(state.in_flight.items())]


def apply_journal_entry(state: State, entry: JournalEntry) -> None:
    """Replay one entry onto ``state`` (in place), decoding as the state file is decoded."""
    if entry.pending:
        state.in_flight[entry.address] = PendingCreate(entry.provider, entry.token,
                                                       entry.planned, entry.each_mode,
                                                       list(entry.dependencies))
        return
    state.in_flight.pop(entry.address, None)
    try:
        addr = parse_instance(entry.address)
        provider = ProviderConfigAddr.parse_state_str(entry.provider)
    except AddressError as exc:
        raise StateError(f"journal entry for {entry.address!r}: {exc}") from None
    if entry.each_mode not in _EACH_TO_V4:
        raise StateError(f"journal entry for {entry.address}: bad each mode {entry.each_mode!r}")
    if entry.deposed:
        obj = None if entry.object is None else decode_instance(
            entry.object, f"journal entry for {entry.address}")[1]
        state.set_deposed(addr, provider, entry.deposed, obj)
        return
    if entry.object is None:
        state.set_instance(addr, provider, None)
        return
    key, obj = decode_instance(entry.object, f"journal entry for {entry.address}")
    if key != addr.key:
        raise StateError(f"journal entry for {entry.address}: index_key {key!r} does not "
                         "match the address")
    state.set_instance(addr, provider, obj, entry.each_mode)


def encode_journal_entry(entry: JournalEntry) -> dict:
    """The JSON object of one journal line."""
    out: dict = {"address": entry.address, "provider": entry.provider}
    each = _EACH_TO_V4.get(entry.each_mode)
    if each:
        out["each"] = each
    out["object"] = entry.object
    if entry.deposed:
        out["deposed"] = entry.deposed
    if entry.pending:
        out["pending"] = True
        if entry.token is not None:
            out["token"] = entry.token
        if entry.planned is not None:
            out["planned"] = entry.planned
        if entry.dependencies:
            out["dependencies"] = list(entry.dependencies)
    return out


def journal_line(data: Any) -> bytes:
    """One journal line for JSON ``data`` (encrypted when state encryption is on),
    with its newline. An encrypted line is a compact envelope: it has no newline inside."""
    plain = json.dumps(data, separators=(",", ":"), ensure_ascii=False,
                       allow_nan=False).encode("utf-8")
    return seal_bytes(plain) + b"\n"


def read_journal_line(line: bytes, source: str) -> Any:
    """The JSON data of one journal line (without its newline), decrypted as needed."""
    return loads_json(open_bytes(line, source))


def decode_journal_entry(data: Any) -> JournalEntry:
    if not isinstance(data, dict) or not isinstance(data.get("address"), str) \
            or not isinstance(data.get("provider"), str) or "object" not in data:
        raise StateError(f"malformed journal entry {data!r}")
    each = data.get("each")
    if each not in _EACH_FROM_V4:
        raise StateError(f"journal entry for {data['address']}: invalid 'each' {each!r}")
    obj = data["object"]
    if obj is not None and not isinstance(obj, dict):
        raise StateError(f"journal entry for {data['address']}: object must be a JSON object")
    token, planned = data.get("token"), data.get("planned")
    if token is not None and not isinstance(token, str):
        raise StateError(f"journal entry for {data['address']}: token must be a string")
    if planned is not None and not isinstance(planned, dict):
        raise StateError(f"journal entry for {data['address']}: planned must be an object")
    deposed = data.get("deposed", "")
    if not isinstance(deposed, str):
        raise StateError(f"journal entry for {data['address']}: deposed must be a string")
    deps = data.get("dependencies", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise StateError(f"journal entry for {data['address']}: dependencies must be a list "
                         "of addresses")
    return JournalEntry(data["address"], data["provider"], obj, _EACH_FROM_V4[each],
                        pending=bool(data.get("pending", False)), token=token, planned=planned,
                        dependencies=tuple(deps), deposed=deposed)
