"""README.md must stay true: the usage commands it shows, and the demo recipe of the
Makefile, run here as written (in a copy of examples/quickstart) and succeed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

from cli import QUICKSTART, REPO, VPNFORM, copy_config, readme_script, run_script


def _usage_commands() -> list[tuple[str, int]]:
    """(command, expected exit code) from the first ```sh block after '## Using vpnform'."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Using vpnform", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    out = []
    for line in block.splitlines():
        command, _, comment = line.partition("  #")
        command = command.strip()
        if not command:
            continue
        m = re.search(r"exit code (\d+)", comment)
        out.append((command, int(m.group(1)) if m else 0))
    return out


def _run_shell(command: str, cwd, env) -> subprocess.CompletedProcess:
    """Run as a user would, with the venv's bin directory on PATH (as after activating it)."""
    env = dict(env, PATH=os.path.dirname(VPNFORM) + os.pathsep + env.get("PATH", ""))
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TF_VAR_", "VPNFORM_", "TENCENTCLOUD_"))}
    env["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
    return env


def test_readme_usage_commands_run_as_shown(tmp_path):
    commands = _usage_commands()
    assert commands[0][0] == "cd examples/quickstart"
    assert len(commands) > 10
    workdir = copy_config(QUICKSTART, tmp_path / "examples" / "quickstart")
    for command, expected in commands[1:]:
        res = _run_shell(command, workdir, _env())
        assert res.returncode == expected, (command, res.stdout, res.stderr)
        assert "Traceback" not in res.stdout + res.stderr, command
    assert (workdir / "graph.dot").read_text().startswith("digraph")


def test_make_demo_recipe_applies_then_finds_no_changes(tmp_path):
    """The `demo` target's commands, with the venv's vpnform, in a copy of the example."""
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    commands = [line.strip() for line in recipe if line.startswith("\t")]
    assert [c.split()[2] for c in commands] == ["init", "plan", "apply", "plan"]
    workdir = copy_config(QUICKSTART, tmp_path / "quickstart")
    outputs = []
    for command in commands:
        command = command.replace("$(VPNFORM)", shlex.quote(VPNFORM)).replace(
            "$(EXAMPLE)", str(workdir))
        res = _run_shell(command, tmp_path, _env())
        assert res.returncode == 0, (command, res.stdout, res.stderr)
        outputs.append(res.stdout)
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in outputs[2]
    assert re.search(r'^vpn_gateway_public_ip = "198\.1[89]\.\d+\.\d+"$', outputs[2], re.M)
    assert re.search(r'^vpn_connection_id = "vpnx-[a-z0-9]{8}"$', outputs[2], re.M)
    assert "No changes." in outputs[3]


def test_readme_multi_site_section_runs_as_shown(tmp_path):
    """README's modules block, in a copy of examples/multi-site (module directory and
    terraform.tfvars included)."""
    shutil.copytree(REPO / "examples" / "multi-site", tmp_path / "examples" / "multi-site",
                    ignore=shutil.ignore_patterns(".vpnform", "terraform.tfstate*"))
    res = run_script(readme_script("### Modules and many sites: `examples/multi-site`"),
                     tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "Apply complete! Resources: 12 added, 0 changed, 0 destroyed." in res.stdout
    assert 'module.site["sh"].tencentcloud_vpn_connection.tunnel\n' in res.stdout
    assert "Plan: 4 to add, 0 to change, 0 to destroy." in res.stdout
    assert re.findall(r"# (module\.\S+) will be created", res.stdout)[-4:] == [
        'module.site["gz"].tencentcloud_route_table_entry.to_idc["10.3.0.0/24"]',
        'module.site["gz"].tencentcloud_subnet.site',
        'module.site["gz"].tencentcloud_vpn_connection.tunnel',
        'module.site["gz"].tencentcloud_vpn_customer_gateway.idc']
    assert "Destroy complete! Resources: 12 destroyed." in res.stdout


def test_readme_flaky_cloud_section_runs_as_shown(tmp_path):
    shutil.copytree(QUICKSTART, tmp_path / "examples" / "quickstart",
                    ignore=shutil.ignore_patterns(".vpnform", "terraform.tfstate*"))
    res = run_script(readme_script("### Crashes, lost answers and a flaky cloud"), tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in res.stdout
    assert "Destroy complete! Resources: 7 destroyed." in res.stdout
    assert "Invalid fault injection setting" in res.stdout + res.stderr


def test_readme_shows_the_multi_site_reachability_matrix_as_it_is(tmp_path):
    """The matrix README prints for examples/multi-site is what the command prints."""
    text = (REPO / "README.md").read_text()
    shown = text.split("`graph -type=reachability` plans", 1)[1].split("```text\n", 1)[1]
    shown = shown.split("```", 1)[0]
    workdir = tmp_path / "multi-site"
    shutil.copytree(REPO / "examples" / "multi-site", workdir,
                    ignore=shutil.ignore_patterns(".vpnform", "terraform.tfstate*"))
    res = run_script("vpnform graph -type=reachability -format=table", workdir)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert res.stdout == shown
