"""Workspaces: valid names, which workspace is current (TF_WORKSPACE over the recorded
selection), the local backend's Terraform layout, and the checks of creating and deleting
one, on the real local and pg backends."""

from __future__ import annotations

import os
import stat

import pytest

from engine.addrs import MANAGED, InstanceAddr, ProviderConfigAddr, ResourceAddr
from engine.state.backends.base import StateError, WorkspaceBackend
from engine.state.backends.local import LocalBackend
from engine.state.backends.pg import PgBackend, PgSettings
from engine.state.encryption import NONE, EncryptedBackend
from engine.state.model import InstanceObject, State
from engine.state import workspaces
from engine.state.workspaces import WorkspaceError


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("name", ["default", "staging", "prod-eu_2", "A", "0"])
def test_valid_names(name):
    assert workspaces.is_valid_name(name)
    workspaces.check_name(name)


@pytest.mark.parametrize("name", ["", "a/b", "..", ".", "a b", "a.b", "prod\n", "ü", "a%2f"])
def test_invalid_names(name):
    assert not workspaces.is_valid_name(name)
    with pytest.raises(WorkspaceError) as err:
        workspaces.check_name(name)
    assert err.value.summary == "Invalid workspace name"


def test_default_until_one_is_selected_and_the_selection_file_is_private(tmp_path):
    assert workspaces.selected(str(tmp_path), {}) == workspaces.Selection("default")
    workspaces.select(str(tmp_path), "staging")
    assert workspaces.selected(str(tmp_path), {}) == workspaces.Selection("staging")
    path = tmp_path / ".vpnform" / "environment"
    assert path.read_text() == "staging"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_tf_workspace_wins_and_an_empty_one_is_ignored(tmp_path):
    workspaces.select(str(tmp_path), "staging")
    assert workspaces.selected(str(tmp_path), {"TF_WORKSPACE": "ci"}) == \
        workspaces.Selection("ci", overridden=True)
    assert workspaces.selected(str(tmp_path), {"TF_WORKSPACE": ""}).name == "staging"


def test_an_invalid_tf_workspace_is_an_error_but_never_for_terraform_workspace(tmp_path):
    with pytest.raises(WorkspaceError) as err:
        workspaces.selected(str(tmp_path), {"TF_WORKSPACE": "../prod"})
    assert err.value.summary == "Invalid workspace name set using TF_WORKSPACE"
    assert workspaces.current_name(str(tmp_path), {"TF_WORKSPACE": "../prod"}) == "../prod"


def test_selecting_an_invalid_name_is_refused(tmp_path):
    with pytest.raises(WorkspaceError):
        workspaces.select(str(tmp_path), "a/b")
    assert not (tmp_path / ".vpnform" / "environment").exists()


def _state_with_vpc() -> State:
    state = State()
    addr = InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpc", "main"), None)
    state.set_instance(addr, ProviderConfigAddr("tencentcloud"),
                       InstanceObject(attributes={"id": "vpc-1", "name": "x"}))
    return state


def test_local_layout_is_terraforms(tmp_path):
    root = LocalBackend("terraform.tfstate", str(tmp_path))
    assert isinstance(root, WorkspaceBackend)
    assert root.workspaces() == ["default"]
    workspaces.create(root, "staging")
    workspaces.create(root, "alpha", _state_with_vpc())
    assert root.workspaces() == ["default", "alpha", "staging"]
    staging = tmp_path / "terraform.tfstate.d" / "staging"
    assert mode(staging.parent) == 0o700 and mode(staging) == 0o700
    assert mode(staging / "terraform.tfstate") == 0o600
    assert root.for_workspace("staging").read().empty
    assert not root.read()  # default untouched
    assert [str(a) for a in root.for_workspace("alpha").read().instance_addrs()] == \
        ["tencentcloud_vpc.main"]


def test_a_configured_path_is_the_default_workspaces_only(tmp_path):
    root = LocalBackend("states/main.tfstate", str(tmp_path))
    assert root.path == str(tmp_path / "states" / "main.tfstate")
    assert root.for_workspace("dev").path == str(
        tmp_path / "terraform.tfstate.d" / "dev" / "terraform.tfstate")
    assert root.for_workspace("dev").for_workspace("default").path == root.path


def test_create_refuses_an_existing_workspace(tmp_path):
    root = LocalBackend("terraform.tfstate", str(tmp_path))
    workspaces.create(root, "staging", _state_with_vpc())
    with pytest.raises(WorkspaceError, match='Workspace "staging" already exists'):
        workspaces.create(root, "staging")
    assert not root.for_workspace("staging").read().empty  # not overwritten


def test_delete_checks(tmp_path):
    root = LocalBackend("terraform.tfstate", str(tmp_path))
    workspaces.create(root, "empty")
    workspaces.create(root, "busy", _state_with_vpc())
    with pytest.raises(WorkspaceError, match="default"):
        workspaces.delete(root, "default", current="busy")
    with pytest.raises(WorkspaceError, match="doesn't exist"):
        workspaces.delete(root, "nope", current="default")
    with pytest.raises(WorkspaceError, match="is your active workspace"):
        workspaces.delete(root, "empty", current="empty")
    with pytest.raises(WorkspaceError) as err:
        workspaces.delete(root, "busy", current="default")
    assert err.value.summary == "Workspace is not empty"
    assert "  - tencentcloud_vpc.main\n" in err.value.detail
    assert root.workspaces() == ["default", "busy", "empty"]
    assert workspaces.delete(root, "empty", current="default") == []
    assert workspaces.delete(root, "busy", current="default", force=True) == \
        ["tencentcloud_vpc.main"]
    assert root.workspaces() == ["default"]
    assert not (tmp_path / "terraform.tfstate.d" / "busy").exists()
    with pytest.raises(StateError):
        root.delete_workspace("default")


def test_delete_waits_for_nobody_holding_the_workspace_lock(tmp_path):
    from engine.state.backends.base import LockError, LockInfo
    root = LocalBackend("terraform.tfstate", str(tmp_path))
    workspaces.create(root, "staging")
    holder = root.for_workspace("staging")
    lock_id = holder.lock(LockInfo(operation="apply"))
    try:
        with pytest.raises(LockError):
            workspaces.delete(root, "staging", current="default",
                              locking=workspaces.Locking(timeout=0))
        assert "staging" in root.workspaces()
    finally:
        holder.unlock(lock_id)


def test_encrypted_backend_stays_encrypted_per_workspace(tmp_path):
    root = EncryptedBackend(LocalBackend("terraform.tfstate", str(tmp_path)), lambda: NONE)
    other = root.for_workspace("staging")
    assert isinstance(other, EncryptedBackend) and other.workspace == "staging"
    workspaces.create(root, "staging")
    assert root.workspaces() == ["default", "staging"]


def test_pg_workspaces_are_rows(pg_conn_str):
    root = PgBackend(PgSettings(conn_str=pg_conn_str))
    try:
        assert root.workspaces() == ["default"]
        workspaces.create(root, "staging", _state_with_vpc())
        assert root.workspaces() == ["default", "staging"]
        assert root.read() is None
        with pytest.raises(WorkspaceError, match="not empty|tracking"):
            workspaces.delete(root, "staging", current="default")
        workspaces.delete(root, "staging", current="default", force=True)
        assert root.workspaces() == ["default"]
    finally:
        root.close()
