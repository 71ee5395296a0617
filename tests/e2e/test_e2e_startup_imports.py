"""Issue #14: a verb imports only what it uses. What a user notices is startup time; what is
asserted here is its cause: which heavy packages a run loads (time itself is measured by
bench/startup.py, not by a test).

Each run is a fresh interpreter that runs the CLI's ``main`` as the ``vpnform`` script
would, then reports the loaded modules among the heavy optional ones."""

from __future__ import annotations

import json
import subprocess

import pytest
from cli import PYTHON, make_env, run

# Heavy packages and the verbs that need them: the cloud SDK (HTTP transport), charts,
# PostgreSQL state, encryption, the HCL parsers (a parse-cache miss), pydantic (the emulator's
# requests, encryption settings), PyYAML (yamlencode, yamldecode), the strongSwan dataplane
# and the monitor; networkx, which no verb needs any more (engine/graph/digraph.py).
HEAVY = ("networkx", "tencentcloud.", "tccli", "matplotlib", "plotext", "psycopg", "cryptography", "hcl2",
         "lark", "tree_sitter", "pydantic", "deepdiff", "yaml", "providers.tencentcloud.dataplane.",
         "providers.tencentcloud.emulator.monitor_service",
         "providers.tencentcloud.emulator.actions.alarms")

_REPORT = """
import json, sys
from engine.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
heavy = %r
loaded = sorted(m for m in sys.modules if m.startswith(heavy))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _loaded(workdir, *argv: str) -> set[str]:
    """The heavy modules a ``vpnform ARGV`` run in ``workdir`` loads."""
    proc = subprocess.run([PYTHON, "-c", _REPORT % (HEAVY,), *argv], cwd=str(workdir),
                          env=make_env(), capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), proc.stdout + proc.stderr
    return {m.split(".")[0] if not m.startswith("providers") else m
            for m in report["loaded"]}


@pytest.mark.parametrize("argv, needed", [(("version",), set()), (("-help",), set()),
                                          (("fmt", "-check"),
                                           {"hcl2", "lark", "tree_sitter", "tree_sitter_hcl"})])
def test_quick_verbs_load_only_what_they_use(quickstart, argv, needed):
    """fmt parses every file (no parse cache): the parser, and nothing else heavy."""
    assert _loaded(quickstart, *argv) == needed


def test_plan_of_the_quickstart_loads_only_what_it_uses(quickstart):
    """After init, with the parse cache warm: no SDK, charts, PostgreSQL, encryption, parser
    or dataplane. pydantic is the emulator's: the plan asks it two questions (the customer
    gateway's address and the gateway's price)."""
    assert run(quickstart, "init").code == 0
    assert run(quickstart, "validate").code == 0  # fills the parse cache
    assert _loaded(quickstart, "validate") == set()
    assert _loaded(quickstart, "plan", "-no-color") == {"pydantic", "pydantic_core"}


def test_encryption_loads_its_libraries_when_configured(quickstart):
    """The other side: the seams still load what a configured feature needs."""
    (quickstart / "encryption.tf").write_text(
        'terraform {\n  encryption {\n    key_provider "pbkdf2" "k" {\n'
        '      passphrase = "a passphrase of some length"\n    }\n'
        '    method "aes_gcm" "m" {\n      keys = key_provider.pbkdf2.k\n    }\n'
        '    state {\n      method = method.aes_gcm.m\n    }\n  }\n}\n')
    assert run(quickstart, "init").code == 0
    assert "cryptography" in _loaded(quickstart, "plan", "-no-color")
