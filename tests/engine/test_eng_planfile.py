"""Saved plan files: sensitive values sealed with AES-GCM, tamper detection, no secret on disk."""

from __future__ import annotations

import base64
import json
import os
import stat
import zipfile

import pytest
from eng_fakes import Env
from hypothesis import given
from hypothesis import strategies as st

from engine.config.variables import collect_variable_values
from engine.plan.planfile import PlanFileError, read_plan_file, read_rendered, seal, unseal, write_plan_file
from engine.values import Sensitive

KEY = bytes(range(32))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@given(JSON_VALUES)
def test_seal_unseal_round_trip(value):
    assert unseal(KEY, seal(KEY, value)) == value


def test_sealing_is_randomised_and_hides_the_value():
    a, b = seal(KEY, "hunter2"), seal(KEY, "hunter2")
    assert a != b
    assert b"hunter2" not in base64.b64decode(a)


def _flip(blob: str, index: int) -> str:
    raw = bytearray(base64.b64decode(blob))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("index", [0, 20, -1])  # nonce, tag, ciphertext
def test_tampering_with_a_sealed_value_is_detected(index):
    with pytest.raises(PlanFileError, match="cannot be decrypted"):
        unseal(KEY, _flip(seal(KEY, "hunter2"), index))


def test_a_different_key_cannot_unseal():
    with pytest.raises(PlanFileError):
        unseal(bytes(32), seal(KEY, "hunter2"))


def test_corrupted_sealed_value_is_a_plan_file_error():
    with pytest.raises(PlanFileError):
        unseal(KEY, "!!!not-base64")


CFG = '''
variable "pw" {
  type      = string
  sensitive = true
}
variable "region" {
  type = string
}
resource "fake_thing" "a" {
  name  = "a-${var.region}"
  label = var.pw
}
'''


def _saved(env: Env, tmp_path):
    module = env.load(CFG)
    variables, diags = collect_variable_values(
        module, cli_vars=[("var", "pw=hunter2-top-secret"), ("var", "region=plain-region-x")])
    assert not diags
    p = env.plan_ok(None, variables)
    path = str(tmp_path / "saved.tfplan")
    write_plan_file(path, p, module.files, env.root, refresh=True, replace=[])
    return p, path


def _document(path: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("tfplan.json").decode()


def test_saved_plan_round_trip(env: Env, tmp_path):
    p, path = _saved(env, tmp_path)
    saved = read_plan_file(path, env.root)
    assert isinstance(saved.variables["pw"], Sensitive)
    assert saved.variables["pw"].value == "hunter2-top-secret"
    assert saved.variables["region"] == "plain-region-x"
    assert saved.config_digest == p.config_digest
    assert saved.config_files == env.module.files
    assert saved.actions == {"fake_thing.a": "create"}
    assert (saved.destroy, saved.refresh, saved.replace) == (False, True, [])
    assert "+ resource \"fake_thing\" \"a\"" in read_rendered(path)


def test_sensitive_variable_is_not_in_the_file_in_plain_text(env: Env, tmp_path):
    _, path = _saved(env, tmp_path)
    with open(path, "rb") as fh:
        raw = fh.read()
    doc = _document(path)
    assert b"hunter2" not in raw
    assert "hunter2" not in doc  # not even after decompression
    assert "plain-region-x" in doc  # while a non-sensitive value is there, as a control
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = os.path.join(env.root, ".vpnform", "planfile.key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_tampered_plan_file_is_refused(env: Env, tmp_path):
    _, path = _saved(env, tmp_path)
    doc = json.loads(_document(path))
    doc["variables"]["pw"]["sealed"] = _flip(doc["variables"]["pw"]["sealed"], -1)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tfplan.json", json.dumps(doc))
    with pytest.raises(PlanFileError, match="cannot be decrypted"):
        read_plan_file(path, env.root)


def test_plan_file_from_another_working_directory_is_refused(env: Env, tmp_path):
    _, path = _saved(env, tmp_path)
    other = tmp_path / "elsewhere"
    other.mkdir()
    with pytest.raises(PlanFileError, match="planfile.key") as err:
        read_plan_file(path, str(other))
    assert "configure plan encryption" in str(err.value)


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_a_file_that_is_not_a_plan_is_refused(tmp_path, content):
    path = tmp_path / "x.tfplan"
    path.write_bytes(content)
    with pytest.raises(PlanFileError, match="is not a vpnform plan file"):
        read_plan_file(str(path), str(tmp_path))


def test_incompatible_format_is_refused(tmp_path):
    path = tmp_path / "x.tfplan"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tfplan.json", json.dumps({"format": "vpnform-plan-0"}))
    with pytest.raises(PlanFileError, match="incompatible version"):
        read_plan_file(str(path), str(tmp_path))


def test_later_saved_plan_does_not_carry_a_sensitive_value(env: Env, tmp_path):
    p, _ = _saved(env, tmp_path)
    env.apply(p)
    variables = p.variables
    p2 = env.plan_ok(CFG.replace('label = var.pw', 'label = var.pw\n  size  = 5'), variables)
    path = str(tmp_path / "second.tfplan")
    write_plan_file(path, p2, env.module.files, env.root, refresh=True, replace=[])
    assert "hunter2" not in _document(path)


class _Targets:
    """A ProviderSet's targets(), as the plan command has it."""

    def targets(self):
        return [("fake", "the fake cloud at http://127.0.0.1:9 (key hunter2-top-secret)")]


def test_review_notes_travel_redacted_with_their_source_range(env: Env, tmp_path):
    from engine.diagnostics import Diagnostics, Pos, SourceRange
    from engine.plan.planfile import read_review_notes
    from engine.plan.review_notes import notes_of

    p, path = _saved(env, tmp_path)
    assert read_review_notes(path, env.root) is None  # written without notes
    warnings = Diagnostics()
    where = SourceRange("main.tf", Pos(10, 3, 120), Pos(10, 9, 126))
    warnings.warning("Weak key", 'The key "hunter2-top-secret" is short.', where,
                     address="fake_thing.a")
    write_plan_file(path, p, env.module.files, env.root, refresh=True, replace=[],
                    notes=notes_of(p, _Targets(), warnings))
    assert "hunter2" not in _document(path)
    notes = read_review_notes(path, env.root)
    assert notes.targets == ["Provider fake: the fake cloud at http://127.0.0.1:9 "
                             "(key (sensitive value))"]
    [d] = list(notes.diagnostics)
    assert (d.summary, d.detail) == ("Weak key", "The key (sensitive value) is short.")
    assert (d.subject, d.address, d.is_error) == (where, "fake_thing.a", False)
