"""Addresses as value types: one canonical string form that parses back.

``module.site["sh"].tencentcloud_vpn_connection.conn[0]`` <-> InstanceAddr. Addresses are
frozen, hashable and sortable; use them as dict keys instead of concatenating strings.
"""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError, dataclass
from operator import itemgetter
from typing import Any, Union

InstanceKey = Union[None, int, str]  # None: no count/for_each; int: count; str: for_each

MANAGED = "managed"
DATA = "data"


def _key_str(key: InstanceKey) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key) + "]"


def _key_sort(key: InstanceKey) -> tuple:
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


class _TupleAddr(tuple):
    """An address is a tuple of its fields: hashing and equality are those of a tuple (C:
    no Python call per dict lookup, and addresses key the planner's dicts and the action
    graph), with no per-object ``__dict__``. ``_tuple_dataclass`` gives each subclass the
    face of a frozen dataclass (fields by name, ``dataclasses.fields``/``replace``, the
    dataclass ``repr``, ``FrozenInstanceError``). Pickles carry the fields, never a hash
    (string hashes differ between processes). Ordered by ``sort_key`` only."""

    __slots__ = ()

    def __reduce_ex__(self, protocol):
        return (type(self), tuple(self))

    def __repr__(self) -> str:
        return (type(self).__qualname__ + "(" + ", ".join(
            f"{name}={value!r}" for name, value in zip(self.__match_args__, self)) + ")")

    __str__ = object.__str__  # (each subclass has its own; never tuple's repr)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __lt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __gt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return other.sort_key() < self.sort_key()

    def __le__(self, other):
        return NotImplemented

    def __ge__(self, other):
        return NotImplemented


def _tuple_dataclass(cls: type) -> type:
    """Fields of a ``_TupleAddr`` subclass, from its annotations (in order, with their
    defaults), read from its tuple items; its dataclass description is that of a frozen
    dataclass with the same fields."""
    names = list(cls.__annotations__)
    spec = dataclass(frozen=True)(type(cls.__name__, (), {
        "__annotations__": dict(cls.__annotations__),
        **{n: cls.__dict__[n] for n in names if n in cls.__dict__}}))
    for i, n in enumerate(names):
        setattr(cls, n, property(itemgetter(i), doc=f"The address's {n}."))
    cls.__dataclass_fields__ = spec.__dataclass_fields__
    cls.__dataclass_params__ = spec.__dataclass_params__
    cls.__match_args__ = tuple(names)
    return cls


@_tuple_dataclass
class ModuleInstanceStep(_TupleAddr):
    __slots__ = ()
    name: str
    key: InstanceKey = None

    def __new__(cls, name: str, key: InstanceKey = None):
        return tuple.__new__(cls, (name, key))

    def __str__(self) -> str:
        return f"module.{self.name}{_key_str(self.key)}"

    def sort_key(self) -> tuple:
        return (self.name, _key_sort(self.key))


ModulePath = tuple  # tuple[ModuleInstanceStep, ...]; () is the root module


def module_str(path: ModulePath) -> str:
    return ".".join([str(s) for s in path]) if path else ""


@_tuple_dataclass
class ResourceAddr(_TupleAddr):
    """A resource (all its instances): ``[module.x.]type.name`` or ``data.type.name``."""

    __slots__ = ()
    mode: str
    type: str
    name: str
    module: ModulePath = ()

    def __new__(cls, mode: str, type: str, name: str, module: ModulePath = ()):
        return tuple.__new__(cls, (mode, type, name, module))

    def __str__(self) -> str:
        base = f"{self.type}.{self.name}" if self.mode == MANAGED else f"data.{self.type}.{self.name}"
        prefix = module_str(self.module)
        return f"{prefix}.{base}" if prefix else base

    def instance(self, key: InstanceKey = None) -> "InstanceAddr":
        return InstanceAddr(self, key)

    def sort_key(self) -> tuple:
        mode, type_, name, module = self
        return (tuple([(s.name, _key_sort(s.key)) for s in module]) if module else (),
                mode != MANAGED, type_, name)


@_tuple_dataclass
class InstanceAddr(_TupleAddr):
    """One instance of a resource: ``type.name``, ``type.name[0]`` or ``type.name["k"]``."""

    __slots__ = ()
    resource: ResourceAddr
    key: InstanceKey = None

    def __new__(cls, resource: ResourceAddr, key: InstanceKey = None):
        return tuple.__new__(cls, (resource, key))

    def __str__(self) -> str:
        return f"{self.resource}{_key_str(self.key)}"

    def sort_key(self) -> tuple:
        return (self[0].sort_key(), _key_sort(self[1]))


@dataclass(frozen=True)
class ProviderConfigAddr:
    """A provider configuration: ``provider["registry.terraform.io/ns/name"]`` or with alias."""

    name: str  # local name, e.g. "tencentcloud"
    alias: str | None = None
    namespace: str = "tencentcloudstack"

    def __str__(self) -> str:
        """The form used in configuration: ``tencentcloud`` or ``tencentcloud.hk``."""
        return f"{self.name}.{self.alias}" if self.alias else self.name

    @property
    def source(self) -> str:
        return f"registry.terraform.io/{self.namespace}/{self.name}"

    def state_str(self) -> str:
        """The form Terraform writes into state: ``provider["registry…/name"].alias``."""
        s = f'provider["{self.source}"]'
        return f"{s}.{self.alias}" if self.alias else s

    @classmethod
    def parse_state_str(cls, text: str) -> "ProviderConfigAddr":
        m = re.fullmatch(r'provider\["registry\.terraform\.io/([^/"]+)/([^"]+)"\](?:\.(\w+))?',
                         text.strip())
        if not m:
            raise AddressError(f"invalid provider address {text!r}")
        return cls(m.group(2), m.group(3), m.group(1))


class AddressError(ValueError):
    pass


_STEP = re.compile(r'(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|\[(?P<int>\d+)\]|'
                   r'\[(?P<str>"(?:[^"\\]|\\.)*")\]')


def _tokens(text: str) -> list[tuple[str, object]]:
    """Names separated by single dots, each optionally followed by one ``[key]``."""
    out: list[tuple[str, object]] = []
    text = text.strip()
    pos = 0
    expect_name = True
    while pos < len(text):
        m = _STEP.match(text, pos)
        if expect_name:
            if not m or not m.group("name"):
                raise AddressError(f"invalid address {text!r}: a name is expected at "
                                   f"character {pos + 1}")
            out.append(("name", m.group("name")))
            expect_name = False
            pos = m.end()
            continue
        if m and m.group("name") is None:
            if out[-1][0] == "key":
                raise AddressError(f"invalid address {text!r}: two index keys in a row")
            out.append(("key", int(m.group("int")) if m.group("int") is not None
                        else json.loads(m.group("str"))))
            pos = m.end()
            continue
        if text[pos] == ".":
            expect_name = True
            pos += 1
            continue
        raise AddressError(f"invalid address {text!r}: unexpected {text[pos]!r} at character "
                           f"{pos + 1}")
    if expect_name:
        raise AddressError(f"invalid address {text!r}: it ends where a name is expected")
    return out


def _module_steps(toks: list, text: str) -> tuple[list[ModuleInstanceStep], int]:
    """The leading ``module.NAME[key]`` steps of a token list, and where they end."""
    i = 0
    module: list[ModuleInstanceStep] = []
    while i < len(toks) and toks[i] == ("name", "module"):
        if i + 1 >= len(toks) or toks[i + 1][0] != "name":
            raise AddressError(f"invalid address {text!r}: module name expected")
        name = str(toks[i + 1][1])
        i += 2
        key: InstanceKey = None
        if i < len(toks) and toks[i][0] == "key":
            key = toks[i][1]  # type: ignore[assignment]
            i += 1
        module.append(ModuleInstanceStep(name, key))
    return module, i


def parse_instance(text: str) -> InstanceAddr:
    """Parse ``[module.a["k"].]… [data.]type.name[key]``. A resource without key parses to key None."""
    toks = _tokens(text)
    module, i = _module_steps(toks, text)
    mode = MANAGED
    if i < len(toks) and toks[i] == ("name", "data"):
        mode = DATA
        i += 1
    if i + 1 >= len(toks) or toks[i][0] != "name" or toks[i + 1][0] != "name":
        raise AddressError(f"invalid address {text!r}: expected TYPE.NAME")
    rtype, rname = str(toks[i][1]), str(toks[i + 1][1])
    i += 2
    key = None
    if i < len(toks):
        if toks[i][0] != "key" or i + 1 != len(toks):
            raise AddressError(f"invalid address {text!r}: unexpected text after {rtype}.{rname}")
        key = toks[i][1]  # type: ignore[assignment]
    return InstanceAddr(ResourceAddr(mode, rtype, rname, tuple(module)), key)


def parse_resource(text: str) -> ResourceAddr:
    inst = parse_instance(text)
    if inst.key is not None:
        raise AddressError(f"{text!r} is a resource instance address, not a resource address")
    return inst.resource


@dataclass(frozen=True)
class Target:
    """A ``-target`` address: a module (instance), a resource, or one resource instance.
    A module step written without a key matches every instance of that module."""

    module: ModulePath
    resource: ResourceAddr | None = None  # None: everything in the module
    key: InstanceKey = None
    keyed: bool = False

    def __str__(self) -> str:
        if self.resource is None:
            return module_str(self.module)
        return str(self.resource) + (_key_str(self.key) if self.keyed else "")

    def _module_matches(self, path: ModulePath, whole: bool) -> bool:
        if len(path) < len(self.module) or (not whole and len(path) != len(self.module)):
            return False
        return all(t.name == p.name and (t.key is None or t.key == p.key)
                   for t, p in zip(self.module, path))

    def matches(self, addr: InstanceAddr) -> bool:
        r = addr.resource
        if self.resource is None:
            return self._module_matches(r.module, whole=True)
        if (r.mode, r.type, r.name) != (self.resource.mode, self.resource.type,
                                        self.resource.name):
            return False
        if not self._module_matches(r.module, whole=False):
            return False
        return not self.keyed or addr.key == self.key

    def matches_config(self, caddr: ResourceAddr) -> bool:
        """Whether any instance of the configuration resource ``caddr`` may match."""
        if self.resource is None:
            return (len(caddr.module) >= len(self.module) and all(
                t.name == c.name for t, c in zip(self.module, caddr.module)))
        return ((caddr.mode, caddr.type, caddr.name) == (self.resource.mode, self.resource.type,
                                                         self.resource.name)
                and [s.name for s in caddr.module] == [s.name for s in self.module])


def parse_target(text: str) -> Target:
    """``module.a["k"]``, ``module.a.type.name``, ``type.name[0]``, ``data.type.name``."""
    toks = _tokens(text)
    module, i = _module_steps(toks, text)
    if i == len(toks):
        if not module:
            raise AddressError(f"invalid address {text!r}")
        return Target(tuple(module))
    inst = parse_instance(text)
    # the module steps are followed by a resource, so a final key is the instance's
    return Target(inst.resource.module, inst.resource, inst.key, toks[-1][0] == "key")
