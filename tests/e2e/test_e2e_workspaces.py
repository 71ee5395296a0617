"""Workspaces end to end: two workspaces of the quick start hold independent states on the
local backend and on PostgreSQL, ``terraform.workspace`` names resources per workspace,
TF_WORKSPACE selects, and delete refuses a workspace that still manages objects."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys

import psycopg
import pytest
from cli import QUICKSTART, errors, plan_summary, readme_script, run, run_script, write_config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "state"))
from pg_server import start_server  # noqa: E402

PER_WORKSPACE = 'output "workspace" {\n  value = terraform.workspace\n}\n'


@pytest.fixture(scope="module")
def pg_server():
    yield from start_server()


def name_vpc_per_workspace(workdir) -> None:
    main = workdir / "main.tf"
    text = main.read_text()
    assert 'name       = "TomVPC"' in text
    main.write_text(text.replace('name       = "TomVPC"',
                                 'name       = "TomVPC-${terraform.workspace}"'))
    write_config(workdir, PER_WORKSPACE, "workspace.tf")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_workspaces_on_the_local_backend(quickstart):
    name_vpc_per_workspace(quickstart)
    assert run(quickstart, "init").code == 0
    show = run(quickstart, "workspace", "show")
    assert (show.code, show.stdout) == (0, "default\n")
    assert run(quickstart, "apply", "-auto-approve").code == 0
    default_state = (quickstart / "terraform.tfstate").read_bytes()

    new = run(quickstart, "workspace", "new", "staging")
    assert new.code == 0, new
    assert new.stdout.startswith('Created and switched to workspace "staging"!')
    again = run(quickstart, "workspace", "new", "staging")
    assert again.code == 1 and 'Workspace "staging" already exists' in again.stderr
    listed = run(quickstart, "workspace", "list")
    assert listed.stdout == "  default\n* staging\n\n"

    plan = run(quickstart, "plan", "-out=staging.plan")
    assert plan_summary(plan.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy.", plan
    assert '"TomVPC-staging"' in plan.stdout
    # a plan reviewed for staging is never applied to another workspace's state
    elsewhere = run(quickstart, "apply", "staging.plan", env={"TF_WORKSPACE": "default"})
    assert [e.summary for e in errors(elsewhere.stderr)] == ["Saved plan is for another workspace"]
    apply = run(quickstart, "apply", "staging.plan")
    assert apply.code == 0, apply
    assert 'workspace = "staging"' in apply.stdout
    console = run(quickstart, "console", input="terraform.workspace\n")
    assert console.stdout.strip() == '"staging"', console
    assert (quickstart / "terraform.tfstate").read_bytes() == default_state
    staging_dir = quickstart / "terraform.tfstate.d" / "staging"
    staging_state = json.loads((staging_dir / "terraform.tfstate").read_text())
    vpcs = [r for r in staging_state["resources"] if r["type"] == "tencentcloud_vpc"]
    assert vpcs[0]["instances"][0]["attributes"]["name"] == "TomVPC-staging"
    assert mode(staging_dir.parent) == mode(staging_dir) == 0o700
    assert mode(staging_dir / "terraform.tfstate") == 0o600
    assert mode(quickstart / ".vpnform" / "environment") == 0o600

    # TF_WORKSPACE wins over the selection; select is refused while it is set
    out = run(quickstart, "output", "-raw", "workspace", env={"TF_WORKSPACE": "default"})
    assert out.stdout == "default"
    refused = run(quickstart, "workspace", "select", "default", env={"TF_WORKSPACE": "staging"})
    assert refused.code == 1 and "TF_WORKSPACE" in refused.stderr
    listed = run(quickstart, "workspace", "list", env={"TF_WORKSPACE": "default"})
    assert listed.stdout.startswith("* default\n  staging\n")
    assert "overridden using the TF_WORKSPACE" in listed.stdout
    missing = run(quickstart, "plan", env={"TF_WORKSPACE": "nope"})
    assert missing.code == 1
    assert [e.summary for e in errors(missing.stderr)] == ["Workspace does not exist"]

    # delete: never the current one, never one that still manages objects (without -force)
    current = run(quickstart, "workspace", "delete", "staging")
    assert current.code == 1 and "is your active workspace" in current.stderr
    assert run(quickstart, "workspace", "select", "default").stdout == \
        'Switched to workspace "default".\n'
    busy = run(quickstart, "workspace", "delete", "staging")
    assert busy.code == 1
    assert [e.summary for e in errors(busy.stderr)] == ["Workspace is not empty"]
    assert "- tencentcloud_vpc.tom" in busy.stderr
    assert run(quickstart, "destroy", "-auto-approve", env={"TF_WORKSPACE": "staging"}).code == 0
    deleted = run(quickstart, "workspace", "delete", "staging")
    assert deleted.code == 0 and deleted.stdout == 'Deleted workspace "staging"!\n'
    assert not staging_dir.exists()
    assert run(quickstart, "workspace", "list").stdout == "* default\n\n"
    assert run(quickstart, "plan", "-detailed-exitcode").code == 0  # default intact


def test_workspaces_on_pg(quickstart, pg_server, tmp_path):
    conn_str = pg_server.new_database()
    name_vpc_per_workspace(quickstart)
    write_config(quickstart, f'terraform {{\n  backend "pg" {{\n    conn_str = "{conn_str}"\n'
                             "  }\n}\n", "backend.tf")
    # A pipeline's first run: TF_WORKSPACE names a workspace init creates.
    ci = {"TF_WORKSPACE": "staging"}
    assert run(quickstart, "init", env=ci).code == 0
    assert run(quickstart, "apply", "-auto-approve", env=ci).code == 0
    assert run(quickstart, "apply", "-auto-approve").code == 0  # default
    with psycopg.connect(conn_str) as conn:
        rows = dict(conn.execute(
            "SELECT name, data FROM terraform_remote_state.states").fetchall())
    assert sorted(rows) == ["default", "staging"]
    names = {ws: [r for r in json.loads(data)["resources"] if r["type"] == "tencentcloud_vpc"]
             [0]["instances"][0]["attributes"]["name"] for ws, data in rows.items()}
    assert names == {"default": "TomVPC-default", "staging": "TomVPC-staging"}
    assert not (quickstart / "terraform.tfstate").exists()
    assert not (quickstart / "terraform.tfstate.d").exists()

    # A second clone sees the workspaces the first one made.
    clone = tmp_path / "clone"
    clone.mkdir()
    for f in quickstart.glob("*.tf"):
        (clone / f.name).write_text(f.read_text())
    assert run(clone, "init").code == 0
    assert run(clone, "workspace", "list").stdout == "* default\n  staging\n\n"
    assert run(clone, "workspace", "select", "staging").code == 0
    # (the clone has its own embedded cloud: it reads staging's state without refreshing)
    assert run(clone, "output", "-raw", "workspace").stdout == "staging"
    assert run(clone, "plan", "-refresh=false", "-detailed-exitcode").code == 0
    busy = run(clone, "workspace", "delete", "-force", "staging", env={"TF_WORKSPACE": "default"})
    assert busy.code == 0 and 'WARNING: "staging" was non-empty.' in busy.stdout
    assert run(quickstart, "workspace", "list").stdout == "* default\n\n"


def test_readme_workspaces_section_runs_as_shown(tmp_path):
    shutil.copytree(QUICKSTART, tmp_path / "examples" / "quickstart",
                    ignore=shutil.ignore_patterns(".vpnform", "terraform.tfstate*"))
    res = run_script(readme_script("#### Workspaces"), tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "* default\n  staging\n" in res.stdout
    assert "Workspace is not empty" in res.stderr
    assert 'Deleted workspace "staging"!' in res.stdout
