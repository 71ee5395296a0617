"""Encryption at rest through the CLI, with examples/quickstart: encrypted state, a saved
plan that applies in a second clone with the same passphrase (a CI job on a fresh runner),
and the clear failures without it."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from cli import REPO, diagnostics, run

PASS = "correct-horse-battery-staple"
PSK = "TomVPN-demo-key-2019"  # the quickstart's demo pre-shared key

ENCRYPTION_TF = '''
variable "passphrase" {
  type      = string
  sensitive = true
}

terraform {
  encryption {
    key_provider "pbkdf2" "main" {
      passphrase = var.passphrase
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method   = method.aes_gcm.main
      enforced = true
    }
    plan {
      method = method.aes_gcm.main
    }
  }
}
'''

ENV = {"TF_VAR_passphrase": PASS}


@pytest.fixture
def encrypted(quickstart):
    (quickstart / "encryption.tf").write_text(ENCRYPTION_TF)
    res = run(quickstart, "apply", "-auto-approve", env=ENV)
    assert res.code == 0, res
    return quickstart


def _no_secret_in(directory: Path) -> None:
    for path in [directory / "terraform.tfstate", directory / "terraform.tfstate.backup",
                 *directory.glob("*.tfplan")]:
        if path.exists():
            raw = path.read_bytes()
            assert PSK.encode() not in raw and PASS.encode() not in raw, path


def _second_clone(first: Path, dst: Path, plan: str) -> Path:
    """A fresh clone: the configuration, the state file and the plan; the cloud (the
    embedded emulator's database) is shared; no .vpnform/planfile.key."""
    dst.mkdir()
    for f in [*first.glob("*.tf"), first / "terraform.tfstate", first / plan]:
        shutil.copy(f, dst / f.name)
    (dst / ".vpnform").mkdir()
    shutil.copy(first / ".vpnform" / "cloud.db", dst / ".vpnform" / "cloud.db")
    return dst


def test_state_is_encrypted_and_readable_with_the_passphrase(encrypted):
    _no_secret_in(encrypted)
    assert b'"encryption_version":"v0"' in (encrypted / "terraform.tfstate").read_bytes()
    res = run(encrypted, "state", "list", env=ENV)
    assert res.code == 0 and "tencentcloud_vpn_connection.tom" in res.stdout, res
    res = run(encrypted, "plan", env=ENV)
    assert res.code == 0 and "No changes." in res.stdout, res


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(encrypted):
    before = (encrypted / "terraform.tfstate").read_bytes()
    res = run(encrypted, "apply", "-auto-approve", "-var", "bandwidth=20",
              env={"TF_VAR_passphrase": "a-wrong-passphrase-123"})
    assert res.code == 1, res
    assert "passphrase is wrong" in res.stderr, res
    assert "a-wrong-passphrase-123" not in res.output and PASS not in res.output
    assert (encrypted / "terraform.tfstate").read_bytes() == before


def test_short_passphrase_is_located(encrypted):
    res = run(encrypted, "plan", env={"TF_VAR_passphrase": "too-short"})
    assert res.code == 1, res
    d = diagnostics(res.stderr)[0]
    assert "at least 16 characters" in res.stderr and "encryption.tf" in res.stderr, res
    assert "too-short" not in res.output, d


def test_saved_plan_applies_in_a_second_clone_with_the_same_passphrase(encrypted, tmp_path):
    res = run(encrypted, "plan", "-var", "bandwidth=20", "-out=change.tfplan", env=ENV)
    assert res.code == 0, res
    _no_secret_in(encrypted)
    # show PLANFILE and show -json PLANFILE decrypt with the directory's configuration
    res = run(encrypted, "show", "change.tfplan", env=ENV)
    assert res.code == 0 and "1 to change" in res.stdout, res
    res = run(encrypted, "show", "-json", "change.tfplan", env=ENV)
    assert res.code == 0 and '"resource_changes"' in res.stdout and PSK not in res.stdout

    second = _second_clone(encrypted, tmp_path / "runner-2", "change.tfplan")
    res = run(second, "apply", "change.tfplan", env={"TF_VAR_passphrase": "another-runner-pass"})
    assert res.code == 1 and "Failed to load the saved plan" in res.stderr, res
    assert "passphrase is wrong" in res.stderr
    res = run(second, "apply", "change.tfplan", env=ENV)
    assert res.code == 0, res
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in res.stdout
    _no_secret_in(second)


def test_without_plan_encryption_a_plan_fails_clearly_in_another_clone(quickstart, tmp_path):
    res = run(quickstart, "plan", "-out=local.tfplan")
    assert res.code == 0, res
    assert PSK.encode() not in (quickstart / "local.tfplan").read_bytes()
    second = tmp_path / "runner-2"  # a fresh clone: configuration and plan, no .vpnform/
    second.mkdir()
    for f in [*quickstart.glob("*.tf"), quickstart / "local.tfplan"]:
        shutil.copy(f, second / f.name)
    res = run(second, "apply", "local.tfplan")
    assert res.code == 1, res
    assert "configure plan encryption" in res.stderr and "planfile.key" in res.stderr, res
    res = run(quickstart, "apply", "local.tfplan")  # where it was made, it still applies
    assert res.code == 0, res


def test_plain_state_is_refused_then_migrated_with_an_unencrypted_fallback(quickstart):
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    (quickstart / "encryption.tf").write_text(ENCRYPTION_TF)
    res = run(quickstart, "plan", env=ENV)
    assert res.code == 1 and "is not encrypted" in res.stderr, res
    assert "method.unencrypted" in res.stderr
    migrate = ENCRYPTION_TF.replace('''    state {
      method   = method.aes_gcm.main
      enforced = true
    }''', '''    method "unencrypted" "migrate" {}
    state {
      method = method.aes_gcm.main
      fallback {
        method = method.unencrypted.migrate
      }
    }''')
    (quickstart / "encryption.tf").write_text(migrate)
    res = run(quickstart, "apply", "-auto-approve", "-var", "bandwidth=10", env=ENV)
    assert res.code == 0, res
    _no_secret_in(quickstart)
    (quickstart / "encryption.tf").write_text(ENCRYPTION_TF)
    res = run(quickstart, "plan", env=ENV)
    assert res.code == 0, res


def test_tf_encryption_environment_variable(quickstart):
    env = {"TF_ENCRYPTION": f'''
        key_provider "pbkdf2" "main" {{
          passphrase = "{PASS}"
          iterations = 200000
        }}
        method "aes_gcm" "main" {{
          keys = key_provider.pbkdf2.main
        }}
        state {{
          method = method.aes_gcm.main
        }}'''}
    res = run(quickstart, "apply", "-auto-approve", env=env)
    assert res.code == 0, res
    _no_secret_in(quickstart)
    assert PASS not in res.output
    res = run(quickstart, "state", "list")
    assert res.code == 1 and "is encrypted" in res.stderr, res
    res = run(quickstart, "state", "list", env=env)
    assert res.code == 0 and "tencentcloud_vpc.tom" in res.stdout, res


def test_the_hand_written_hmac_sealing_is_gone():
    src = (REPO / "engine" / "plan" / "planfile.py").read_text()
    tree = ast.parse(src)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names}
    assert "hmac" not in imported and "hashlib" not in imported
    assert "_keystream" not in src and "AESGCM" in src


def test_an_encrypted_saved_plan_shows_as_json_and_markdown(encrypted):
    """Every reader of a saved plan decrypts it with the working directory's plan
    encryption: show -json and show -markdown alike."""
    res = run(encrypted, "plan", "-out=p.tfplan", "-var", "bandwidth=10", env=ENV)
    assert res.code == 0, res
    as_json = run(encrypted, "show", "-json", "p.tfplan", env=ENV)
    assert as_json.code == 0, as_json
    as_markdown = run(encrypted, "show", "-markdown", "p.tfplan", env=ENV)
    assert as_markdown.code == 0, as_markdown
    assert "1 to change" in as_markdown.stdout
    assert PSK not in as_markdown.output and PASS not in as_markdown.output
