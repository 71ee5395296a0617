"""Workspaces: the current one of a working directory (which is selected, valid names),
and creating and deleting one in a backend with Terraform's checks.

As in Terraform, ``TF_WORKSPACE`` (when set and not empty) wins; otherwise the name
``workspace select`` recorded in ``.vpnform/environment`` (0600; Terraform keeps
``.terraform/environment``); otherwise ``default``, which always exists. Which workspaces
exist is the backend's to say (``workspaces()``, see backends/base.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..addrs import MANAGED
from ..private_files import WORK_DIR_NAME, atomic_write, private_dirs
from .backends.base import LockInfo, WorkspaceBackend, lock_with_timeout
from .model import State

DEFAULT_WORKSPACE = "default"
ENV_VAR = "TF_WORKSPACE"
ENVIRONMENT_FILE = "environment"

_VALID_NAME = re.compile(r"[A-Za-z0-9_-]+")


class WorkspaceError(Exception):
    """A workspace name that is not allowed, or a selection that cannot be read or made.
    ``summary`` is a short fixed phrase, the message full sentences."""

    def __init__(self, summary: str, detail: str):
        super().__init__(detail)
        self.summary = summary
        self.detail = detail


def is_valid_name(name: str) -> bool:
    """Letters, digits, ``-`` and ``_``; not empty. Such a name is safe as a directory
    name and in a URL, as Terraform requires."""
    return bool(_VALID_NAME.fullmatch(name))


def check_name(name: str) -> None:
    """WorkspaceError unless ``name`` is a valid workspace name."""
    if not is_valid_name(name):
        raise WorkspaceError(
            "Invalid workspace name",
            f"The workspace name {name!r} is not allowed. The name must contain only "
            "letters, digits, - and _, and no path separators.".replace("'", '"'))


@dataclass(frozen=True)
class Selection:
    """The current workspace, and whether TF_WORKSPACE chose it (``overridden``)."""

    name: str
    overridden: bool = False


def environment_path(workdir: str) -> str:
    return os.path.join(workdir, WORK_DIR_NAME, ENVIRONMENT_FILE)


def _recorded(workdir: str) -> str:
    try:
        with open(environment_path(workdir), encoding="utf-8") as f:
            return f.read().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def selected(workdir: str, environ: dict | None = None) -> Selection:
    """The current workspace of ``workdir``. WorkspaceError when TF_WORKSPACE or the
    recorded selection is not a valid name."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_VAR, "")
    if override:
        if not is_valid_name(override):
            raise WorkspaceError(
                "Invalid workspace name set using TF_WORKSPACE",
                f"The workspace name {override!r} in the TF_WORKSPACE environment variable "
                "is not allowed: it must contain only letters, digits, - and _."
                .replace("'", '"'))
        return Selection(override, overridden=True)
    name = _recorded(workdir)
    if not name:
        return Selection(DEFAULT_WORKSPACE)
    if not is_valid_name(name):
        raise WorkspaceError(
            "Invalid selected workspace",
            f"{environment_path(workdir)} names the workspace {name!r}, which is not a valid "
            'workspace name. Run "vpnform workspace select NAME" to choose one.'
            .replace("'", '"'))
    return Selection(name)


def current_name(workdir: str, environ: dict | None = None) -> str:
    """The current workspace's name, as ``terraform.workspace`` shows it. Never raises: an
    invalid selection is reported by the commands that use the state."""
    try:
        return selected(workdir, environ).name
    except WorkspaceError:
        env = os.environ if environ is None else environ
        return env.get(ENV_VAR) or _recorded(workdir) or DEFAULT_WORKSPACE


def select(workdir: str, name: str) -> None:
    """Record ``name`` as the selected workspace (``.vpnform/environment``, 0600)."""
    check_name(name)
    private_dirs(os.path.join(workdir, WORK_DIR_NAME))
    atomic_write(environment_path(workdir), name.encode("utf-8"))


@dataclass(frozen=True)
class Locking:
    """``-lock`` and ``-lock-timeout`` (seconds) of a workspace command."""

    enabled: bool = True
    timeout: float = 0.0


def _locked_call(backend: WorkspaceBackend, operation: str, locking: Locking, fn):
    if not locking.enabled:
        return fn()
    lock_id = lock_with_timeout(backend, LockInfo(operation=operation), locking.timeout)
    try:
        return fn()
    finally:
        backend.unlock(lock_id)


def missing_error(name: str) -> WorkspaceError:
    """Selecting or deleting a workspace that does not exist."""
    return WorkspaceError(
        "Workspace does not exist",
        f'Workspace "{name}" doesn\'t exist.\n\nYou can create this workspace with the "new" '
        'subcommand or include the "-or-create" flag with the "select" subcommand.')


def create(root: WorkspaceBackend, name: str, state: State | None = None,
           locking: Locking = Locking()) -> None:
    """Create workspace ``name`` in the backend of ``root``, holding ``state`` (the state
    ``-state=PATH`` copies in) or an empty state, so it exists for every clone that shares
    the backend. WorkspaceError when the name is invalid or taken; LockError, StateError."""
    check_name(name)
    if name in root.workspaces():
        raise WorkspaceError("Workspace already exists", f'Workspace "{name}" already exists.')
    backend = root.for_workspace(name)
    _locked_call(backend, "workspace new", locking,
                 lambda: backend.write(state if state is not None else State()))


def managed_objects(state: State | None) -> list[str]:
    """The managed objects ``state`` tracks (deposed and in-flight creates too), by address."""
    if state is None:
        return []
    out = [str(addr) for addr, _rs, _obj in state.instances() if addr.resource.mode == MANAGED]
    out += [f"{addr} (deposed object {dkey})" for addr, dkey, _rs, _obj
            in state.deposed_objects() if addr.resource.mode == MANAGED]
    out += [f"{addr} (create in progress)" for addr in sorted(state.in_flight, key=str)]
    return out


def delete(root: WorkspaceBackend, name: str, current: str, force: bool = False,
           locking: Locking = Locking()) -> list[str]:
    """Delete workspace ``name`` and its state; returns the objects its state still
    tracked (only with ``force``). Refused (WorkspaceError) for ``default``, the current
    workspace, a workspace that does not exist, and, without ``force``, one whose state
    tracks objects: they would be left in the cloud with nothing managing them."""
    check_name(name)
    if name == DEFAULT_WORKSPACE:
        raise WorkspaceError("Cannot delete the default workspace",
                             'The "default" workspace always exists and cannot be deleted.')
    if name not in root.workspaces():
        raise missing_error(name)
    if name == current:
        raise WorkspaceError(
            "Cannot delete the active workspace",
            f'Workspace "{name}" is your active workspace.\n\nYou cannot delete the '
            "currently active workspace. Please switch to another workspace and try again.")
    backend = root.for_workspace(name)

    def check() -> list[str]:
        tracked = managed_objects(backend.read())
        if tracked and not force:
            raise WorkspaceError(
                "Workspace is not empty",
                f'Workspace "{name}" is currently tracking the following resource '
                "instances:\n" + "".join(f"  - {a}\n" for a in tracked) +
                "\nDeleting this workspace would cause vpnform to lose track of any "
                "associated remote objects, which would then require you to delete them "
                "manually outside of vpnform. You should destroy these objects with vpnform "
                "before deleting the workspace.\n\nIf you want to delete this workspace "
                "anyway, and have vpnform forget about these managed objects, use the -force "
                "option to disable this safety check.")
        return tracked
    tracked = _locked_call(backend, "workspace delete", locking, check)
    root.delete_workspace(name)
    return tracked
