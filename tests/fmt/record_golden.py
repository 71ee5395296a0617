"""Regenerate tests/fmt/fixtures/*.golden with the real Terraform (maintainers only).

    python tests/fmt/record_golden.py [path/to/terraform]

For each fixture input (*.tf, *.tfvars) the golden is what ``terraform fmt FILE`` writes
into the file (a copy in a temporary directory), i.e. exactly what ``vpnform fmt FILE``
must write. (``terraform fmt -`` differs only in appending a newline to output that lacks
one; see test_stdin_appends_newline.) The tests never run Terraform.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli")
DIFF_INPUTS = ["align_mixed.tf", "comments_hash.tf", "crlf.tf", "no_trailing_newline.tf"]


def inputs() -> list[str]:
    return sorted(f for f in os.listdir(HERE) if f.endswith((".tf", ".tfvars")))


def record(terraform: str = "terraform") -> None:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    for name in inputs():
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, name)
            shutil.copyfile(os.path.join(HERE, name), copy)
            proc = subprocess.run([terraform, "fmt", "-list=false", "-no-color", copy],
                                  capture_output=True, env=env)
            if proc.returncode != 0:
                raise SystemExit(f"{name}: terraform fmt failed:\n{proc.stderr.decode()}")
            with open(copy, "rb") as f:
                data = f.read()
        with open(os.path.join(HERE, name + ".golden"), "wb") as f:
            f.write(data)
        print(f"recorded {name}.golden")
    # `fmt -check -diff .` over a few fixtures (test_cli_check_diff_matches_terraform)
    with tempfile.TemporaryDirectory() as tmp:
        for name in DIFF_INPUTS:
            shutil.copyfile(os.path.join(HERE, name), os.path.join(tmp, name))
        proc = subprocess.run([terraform, "fmt", "-no-color", "-check", "-diff", "."],
                              capture_output=True, env=env, cwd=tmp)
        assert proc.returncode == 3, proc.stderr.decode()
    with open(os.path.join(CLI, "check_diff.out"), "wb") as f:
        f.write(proc.stdout)
    print("recorded cli/check_diff.out")


if __name__ == "__main__":
    record(sys.argv[1] if len(sys.argv) > 1 else "terraform")
