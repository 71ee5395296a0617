"""examples/gitops: run-locally.sh runs the pipeline's steps in two clones against a real
PostgreSQL (started by the tests) and the served emulator it starts itself; the GitHub
Actions and GitLab CI pipelines parse, and every vpnform command in them is a real verb
with real flags."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from cli import REPO, VPNFORM, make_env

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "state"))
from pg_server import start_server  # noqa: E402

GITOPS = REPO / "examples" / "gitops"
PIPELINES = [GITOPS / "github" / "workflows" / "vpnform.yml", GITOPS / "gitlab" / ".gitlab-ci.yml"]
PSK = "gitops-demo-psk-not-for-prod-7f3a"


@pytest.fixture(scope="module")
def pg_server():
    yield from start_server()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_locally_plans_in_one_clone_and_applies_in_another(tmp_path, pg_server):
    conn_str = pg_server.new_database()
    work = tmp_path / "work"
    env = make_env({"PG_CONN_STR": conn_str, "VPNFORM": VPNFORM, "WORK_DIR": str(work),
                    "TF_VAR_psk": PSK})
    res = subprocess.run(["bash", str(GITOPS / "run-locally.sh")], env=env, cwd=str(tmp_path),
                         capture_output=True, text=True, timeout=240)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert "Traceback" not in out and PSK not in out

    comment = (work / "runner-1" / "plan-comment.md").read_text()
    assert comment.startswith("### vpnform plan: 7 to add, 0 to change, 0 to destroy\n")
    assert re.search(r"Provider tencentcloud: served emulator at http://127\.0\.0\.1:\d+",
                     comment), comment
    assert "#### Warnings and errors\n\nNone." in comment
    assert PSK not in comment
    # runner 2 applied the saved plan, then found nothing left to do
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in res.stdout
    assert "No changes." in res.stdout.rsplit("=== runner 2: the infrastructure", 1)[1]

    # the state is in PostgreSQL, encrypted; no runner kept a state file or the secret
    with psycopg.connect(conn_str) as conn:
        [(data,)] = conn.execute("SELECT data FROM terraform_remote_state.states").fetchall()
    assert json.loads(data)["encryption_version"] == "v0" and PSK not in data
    for runner in ("runner-1", "runner-2"):
        assert not (work / runner / "terraform.tfstate").exists()
        assert PSK.encode() not in (work / runner / "tfplan").read_bytes()
    # the emulator the script started is stopped
    pid = int(re.search(r"emulator at \S+ \(PID (\d+)\)", res.stdout).group(1))
    assert not _pid_alive(pid)


# --- the pipeline files ------------------------------------------------------------------

def _shell_lines(doc) -> list[str]:
    """Every line of shell in a GitHub workflow (``run:``) or GitLab CI file (``script:``,
    ``before_script:``, ``after_script:``), continuation lines joined."""
    scripts: list[str] = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("run", "script", "before_script",
                                               "after_script"):
            scripts.append(node)

    walk(doc)
    lines = []
    for script in scripts:
        for line in script.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def _vpnform_commands(lines: list[str]) -> list[list[str]]:
    """The argument lists of every ``vpnform ...`` command in the shell lines (a command
    may follow ``&&``, ``;``, ``|`` or ``$(``; output redirections are dropped)."""
    out = []
    for line in lines:
        for part in re.split(r"&&|\|\||;|\||\$\(", line):
            if not re.search(r"(^|\s)vpnform\s", part):
                continue  # other tools' commands (a jq filter may hold a | of its own)
            words = shlex.split(part.replace(")", " "), posix=True)
            while words and "=" in words[0] and not words[0].startswith("-"):
                words = words[1:]  # VAR=value prefixes
            if words and words[0] == "vpnform":
                args = []
                for w in words[1:]:
                    if w.startswith((">", "2>", "<")):
                        break
                    if w == "&":
                        break
                    args.append(w)
                out.append(args)
    return out


@pytest.mark.parametrize("path", PIPELINES, ids=["github", "gitlab"])
def test_pipeline_parses_and_uses_real_commands(path: Path):
    yaml = pytest.importorskip("yaml")
    sys.path.insert(0, str(REPO))
    from engine.cli.args import parse
    from engine.cli.main import all_verbs

    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict)
    commands = _vpnform_commands(_shell_lines(doc))
    verbs = all_verbs()
    used = set()
    for argv in commands:
        fn = verbs.get(argv[0])
        assert fn is not None, f"{path.name}: vpnform {argv[0]} is no verb"
        verb, rest = fn.verb.subcommand(argv[1:])
        parse(rest, verb)  # raises UsageError on an unknown flag or a bad value
        used.add(verb.name)
    # the pipeline's steps: review on a merge request, apply the saved plan on merge
    assert {"init", "plan", "show", "apply", "cloud serve"} <= used, used
    flat = [" ".join(a) for a in commands]
    assert any(c.startswith("plan ") and "-out=" in c for c in flat), flat
    assert any(c.startswith("show -markdown ") for c in flat), flat
    assert any(re.fullmatch(r"apply .*\S+\.?tfplan\S*", c) or c.endswith("tfplan")
               for c in flat if c.startswith("apply")), flat
