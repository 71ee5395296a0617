"""One object per working directory per process, shared by everyone who uses it there and
closed when the last of them lets go (the embedded emulator, the apply helper)."""

from __future__ import annotations

import os
import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class PerWorkdir(Generic[T]):
    def __init__(self, make: Callable[[str], T], close: Callable[[T], None],
                 usable: Callable[[T], bool] = lambda obj: True):
        self._make, self._close, self._usable = make, close, usable
        self._entries: dict[str, list] = {}  # realpath of the workdir -> [object, users]
        self._lock = threading.Lock()

    def acquire(self, workdir: str) -> T:
        """The object of ``workdir``, made now if there is none (or it is no longer
        ``usable``); release it when done."""
        key = os.path.realpath(workdir)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not self._usable(entry[0]):
                entry = self._entries[key] = [self._make(workdir), 0]
            entry[1] += 1
            return entry[0]

    def release(self, obj: T) -> None:
        """One user of ``obj`` is done: closed once none is left (or if it is not shared)."""
        with self._lock:
            for key, entry in list(self._entries.items()):
                if entry[0] is obj:
                    entry[1] -= 1
                    if entry[1] > 0:
                        return
                    del self._entries[key]
                    break
        self._close(obj)
