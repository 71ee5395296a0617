"""Compact pickling for slotted dataclasses: an instance pickles as ``cls(*fields)``.

A slotted dataclass pickles by default as ``copyreg.__newobj__`` plus a state of
``(None, {slot: value})``: a dict of field names per object, written out and built again
for every node. The parse cache (engine/config/hcl.py) holds hundreds of thousands of syntax
nodes and source positions, and that per-object state was most of its size and of the time
to load it. Reducing to the constructor's positional arguments stores only the values.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import TypeVar

T = TypeVar("T", bound=type)


def by_fields(cls: T) -> T:
    """Class decorator (put it above ``@dataclass``): pickle instances as ``cls(*fields)``.

    Every field must be an ``__init__`` argument taken positionally, in declaration order.
    """
    names = []
    for f in fields(cls):
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: by_fields needs positional init fields")
        names.append(f.name)
    if len(names) == 1:
        get_one = attrgetter(names[0])

        def __reduce__(self):  # noqa: N807 - the pickle protocol's name
            return cls, (get_one(self),)
    else:
        get_all = attrgetter(*names)

        def __reduce__(self):  # noqa: N807
            return cls, get_all(self)
    cls.__reduce__ = __reduce__  # type: ignore[attr-defined]
    return cls


def all_by_fields(namespace: dict) -> None:
    """Apply ``by_fields`` to every dataclass defined in a module's namespace."""
    from dataclasses import is_dataclass
    module = namespace["__name__"]
    for value in list(namespace.values()):
        if isinstance(value, type) and is_dataclass(value) and value.__module__ == module:
            by_fields(value)
