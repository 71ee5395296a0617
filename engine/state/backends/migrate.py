"""Copying state from one backend to another, as ``init -migrate-state`` does: every
workspace, each source and destination locked for its copy, a non-empty destination replaced
only when the user confirms it (``-force-copy`` answers yes to every question).

The questions are Terraform's. Asking them is the caller's: ``confirm(question, description)``
returns the answer, or raises MigrationError when it cannot ask (``-input=false``).
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from ..model import State
from .base import LockInfo, StateBackend, StateError, lock_with_timeout

DEFAULT_WORKSPACE = "default"

Confirm = Callable[[str, str], bool]


class MigrationError(StateError):
    """The migration stopped: the user said no to every workspace, or could not be asked."""


def workspace_names(backend: StateBackend) -> list[str]:
    """The backend's workspaces, ``default`` first (a backend without workspaces: only it)."""
    listed = getattr(backend, "workspaces", None)
    names = list(listed()) if callable(listed) else [DEFAULT_WORKSPACE]
    return [DEFAULT_WORKSPACE] + sorted(n for n in names if n != DEFAULT_WORKSPACE)


def backend_of_workspace(backend: StateBackend, name: str) -> StateBackend:
    return backend if name == DEFAULT_WORKSPACE else backend.for_workspace(name)


def is_empty(state: State | None) -> bool:
    return state is None or (not state.resources and not state.outputs)


@contextlib.contextmanager
def _locked(backend: StateBackend, what: str, lock: bool, timeout: float) -> Iterator[None]:
    if not lock:
        yield
        return
    info = LockInfo(operation="init", info=what, path=getattr(backend, "path", ""))
    lock_id = lock_with_timeout(backend, info, timeout)
    try:
        yield
    finally:
        backend.unlock(lock_id)


def _overwrite_description(src_type: str, dst_type: str, src: State, dst: State) -> str:
    return (f'Pre-existing state was found while migrating the previous "{src_type}" backend '
            f'to the newly configured "{dst_type}" backend. An existing non-empty state '
            "already exists in the new backend.\n\n"
            f'Previous (type "{src_type}"): lineage {src.lineage}, serial {src.serial}\n'
            f'New      (type "{dst_type}"): lineage {dst.lineage}, serial {dst.serial}\n\n'
            "Do you want to overwrite the state in the new backend with the previous state? "
            'Enter "yes" to copy and "no" to start with the existing state in the newly '
            f'configured "{dst_type}" backend.')


def _copy_description(src_type: str, dst_type: str) -> str:
    return (f'Pre-existing state was found while migrating the previous "{src_type}" backend '
            f'to the newly configured "{dst_type}" backend. No existing state was found in '
            f'the newly configured "{dst_type}" backend. Do you want to copy this state to '
            f'the new "{dst_type}" backend? Enter "yes" to copy and "no" to start with an '
            "empty state.")


COPY_QUESTION = "Do you want to copy existing state to the new backend?"


def migrate_state(source: StateBackend, dest: StateBackend, src_type: str, dst_type: str,
                  confirm: Confirm, force_copy: bool = False, lock: bool = True,
                  lock_timeout: float = 0.0) -> list[str]:
    """Copy every non-empty workspace of ``source`` into ``dest``; the names copied.
    ``source`` and ``dest`` already apply the state encryption, if any."""
    names = workspace_names(source)
    ask = (lambda q, d: True) if force_copy else confirm
    if len(names) > 1 and not ask(
            f'Do you want to migrate all workspaces to "{dst_type}"?',
            f'Both the existing "{src_type}" backend and the newly configured "{dst_type}" '
            "backend support workspaces. When migrating between backends, vpnform will copy "
            "all workspaces (with the same names): "
            f"{', '.join(names)}. A workspace whose state already exists in the "
            "destination is only replaced if you confirm it.\n\n"
            'If you answer "yes", vpnform will migrate all states. If you answer "no", '
            "vpnform will abort."):
        raise MigrationError("Migration aborted by user.")
    copied = []
    for name in names:
        src, dst = backend_of_workspace(source, name), backend_of_workspace(dest, name)
        if src_type == dst_type == "local" and src.path == dst.path:
            continue  # a named workspace's file does not depend on the path: nothing to copy
        with _locked(src, "migration source state", lock, lock_timeout), \
                _locked(dst, "migration destination state", lock, lock_timeout):
            state = src.read()
            if is_empty(state):
                continue
            existing = dst.read()
            force = existing is not None  # an empty state of another lineage is replaced too
            if not is_empty(existing):
                if existing.lineage == state.lineage and existing.serial == state.serial:
                    continue  # copied before
                if not ask(COPY_QUESTION,
                           _overwrite_description(src_type, dst_type, state, existing)):
                    continue
            elif len(names) == 1 and not ask(COPY_QUESTION,
                                             _copy_description(src_type, dst_type)):
                continue
            dst.write(state.deepcopy(), force=force)
            copied.append(name)
    return copied
