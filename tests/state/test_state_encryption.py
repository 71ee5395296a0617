"""State encryption at rest (OpenTofu's pbkdf2 + aes_gcm): configuration, envelope format,
rotation, refusal of plain text and migration, through the local backend."""

from __future__ import annotations

import base64
import json
import os
import textwrap

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from engine.addrs import ProviderConfigAddr, parse_instance
from engine.operations import load_config_dir, load_encryption_config
from engine.state import codec
from engine.state.backends.local import LocalBackend
from engine.state.encryption import (EncryptedBackend, EncryptionError, load_encryption)
from engine.state.model import InstanceObject, State

PASS = "correct-horse-battery-staple"
OTHER = "another-long-passphrase-42"
PSK = "TomVPN-psk-secret-0451"
ITER = 200_000  # OpenTofu's minimum: keeps the tests quick


def enc_hcl(state: str = "method = method.aes_gcm.main", passphrase: str = PASS,
            extra: str = "") -> str:
    return textwrap.dedent(f'''
        key_provider "pbkdf2" "main" {{
          passphrase = "{passphrase}"
          iterations = {ITER}
        }}
        method "aes_gcm" "main" {{
          keys = key_provider.pbkdf2.main
        }}
        {extra}
        state {{
          {state}
        }}
        ''')


def encryption(text: str):
    enc, diags = load_encryption(None, None, {"TF_ENCRYPTION": text})
    assert not diags.has_errors, [str(d) for d in diags]
    return enc


def file_encryption(tmp_path, block_text: str, environ: dict | None = None,
                    variables: dict | None = None):
    """Load ``terraform { encryption { ... } }`` from a real configuration directory,
    evaluated with the root module's variables (as plan and apply do)."""
    src = f"terraform {{\n  encryption {{\n{block_text}\n  }}\n}}\n"
    (tmp_path / "main.tf").write_text(src)
    config, d = load_config_dir(str(tmp_path))
    assert config is not None and not d.has_errors, [str(x) for x in d]
    return load_encryption_config(config, variables or {}, str(tmp_path), environ or {})


def sample_state() -> State:
    st = State()
    addr = parse_instance("tencentcloud_vpn_connection.tom")
    provider = ProviderConfigAddr.parse_state_str(
        'provider["registry.terraform.io/tencentcloudstack/tencentcloud"]')
    st.set_instance(addr, provider, InstanceObject(attributes={"id": "vpnx-1",
                                                               "pre_share_key": PSK}))
    return st


def backend(tmp_path, enc) -> EncryptedBackend:
    return EncryptedBackend(LocalBackend("terraform.tfstate", str(tmp_path)), lambda: enc)


def test_round_trip_and_no_secret_on_disk(tmp_path):
    enc = encryption(enc_hcl())
    b = backend(tmp_path, enc)
    b.write(sample_state())
    raw = (tmp_path / "terraform.tfstate").read_bytes()
    assert PSK.encode() not in raw and PASS.encode() not in raw
    got = backend(tmp_path, encryption(enc_hcl())).read()
    attrs = got.resources[next(iter(got.resources))].instances[None].attributes
    assert attrs["pre_share_key"] == PSK


def test_envelope_is_opentofus_and_opens_with_the_standard_primitives(tmp_path):
    """The file follows OpenTofu's format: meta per key provider (salt, iterations,
    hash_function, key_length), encrypted_data = nonce || AES-GCM, version v0."""
    backend(tmp_path, encryption(enc_hcl())).write(sample_state())
    env = json.loads((tmp_path / "terraform.tfstate").read_bytes())
    assert env["encryption_version"] == "v0"
    meta = env["meta"]["key_provider.pbkdf2.main"]
    assert (meta["iterations"], meta["hash_function"], meta["key_length"]) == \
        (ITER, "sha512", 32)
    salt = base64.b64decode(meta["salt"])
    assert len(salt) == 32
    key = PBKDF2HMAC(hashes.SHA512(), 32, salt, ITER).derive(PASS.encode())
    sealed = base64.b64decode(env["encrypted_data"])
    plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], None)
    assert json.loads(plain)["version"] == 4


def test_wrong_passphrase_is_a_clear_error_and_writes_nothing(tmp_path):
    backend(tmp_path, encryption(enc_hcl())).write(sample_state())
    before = (tmp_path / "terraform.tfstate").read_bytes()
    wrong = backend(tmp_path, encryption(enc_hcl(passphrase=OTHER)))
    with pytest.raises(EncryptionError, match="passphrase is wrong") as err:
        wrong.read()
    assert OTHER not in str(err.value) and PASS not in str(err.value)
    with pytest.raises(EncryptionError):
        wrong.write(sample_state())  # reads the current file first: refused, untouched
    assert (tmp_path / "terraform.tfstate").read_bytes() == before
    assert not (tmp_path / "terraform.tfstate.backup").exists()


def test_rotation_with_fallback(tmp_path):
    """As in OpenTofu, the old key provider keeps its name: the file's meta is keyed by it."""
    backend(tmp_path, encryption(enc_hcl())).write(sample_state())
    rotated = textwrap.dedent(f'''
        key_provider "pbkdf2" "main" {{
          passphrase = "{PASS}"
          iterations = {ITER}
        }}
        key_provider "pbkdf2" "new" {{
          passphrase = "{OTHER}"
          iterations = {ITER}
        }}
        method "aes_gcm" "main" {{
          keys = key_provider.pbkdf2.main
        }}
        method "aes_gcm" "new" {{
          keys = key_provider.pbkdf2.new
        }}
        state {{
          method = method.aes_gcm.new
          fallback {{
            method = method.aes_gcm.main
          }}
        }}
        ''')
    b = backend(tmp_path, encryption(rotated))
    st = b.read()
    st.outputs.clear()
    st.serial += 1
    b.write(st)  # encrypted with the primary from now on
    env = json.loads((tmp_path / "terraform.tfstate").read_bytes())
    assert list(env["meta"]) == ["key_provider.pbkdf2.new"]
    new_only = enc_hcl(passphrase=OTHER).replace("pbkdf2.main", "pbkdf2.new").replace(
        '"pbkdf2" "main"', '"pbkdf2" "new"')
    assert backend(tmp_path, encryption(new_only)).read().lineage == st.lineage
    with pytest.raises(EncryptionError, match="passphrase is wrong"):
        backend(tmp_path, encryption(enc_hcl())).read()


def test_plain_state_is_refused_once_encryption_is_on_and_migrates_with_a_fallback(tmp_path):
    LocalBackend("terraform.tfstate", str(tmp_path)).write(sample_state())
    assert PSK.encode() in (tmp_path / "terraform.tfstate").read_bytes()
    with pytest.raises(EncryptionError, match="not encrypted") as err:
        backend(tmp_path, encryption(enc_hcl(state="method = method.aes_gcm.main\n"
                                             "enforced = true"))).read()
    assert "fallback" in str(err.value) and "unencrypted" in str(err.value)
    migrate = enc_hcl(state="method = method.aes_gcm.main\n"
                            "fallback {\n method = method.unencrypted.migrate\n}",
                      extra='method "unencrypted" "migrate" {}')
    b = backend(tmp_path, encryption(migrate))
    st = b.read()
    st.outputs.clear()
    st.serial += 1
    b.write(st)
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        assert PSK.encode() not in (tmp_path / name).read_bytes(), name
    assert backend(tmp_path, encryption(enc_hcl())).read() is not None


def test_journal_is_encrypted_and_replays(tmp_path):
    enc = encryption(enc_hcl())
    b = backend(tmp_path, enc)
    st = sample_state()
    b.begin_journal(st)
    addr = parse_instance("tencentcloud_vpn_connection.second")
    provider = ProviderConfigAddr.parse_state_str(
        'provider["registry.terraform.io/tencentcloudstack/tencentcloud"]')
    b.record(codec.journal_entry(addr, provider, InstanceObject(
        attributes={"id": "vpnx-2", "pre_share_key": PSK + "-2"})))
    journal = (tmp_path / ".terraform.tfstate.journal").read_bytes()
    assert PSK.encode() not in journal and journal.count(b"\n") == 2
    # a crash here: the next reader recovers the recorded change
    got = backend(tmp_path, encryption(enc_hcl())).read()
    assert len(got.resources) == 2
    b.end_journal(got)


def test_encrypted_state_without_configuration_says_so(tmp_path):
    backend(tmp_path, encryption(enc_hcl())).write(sample_state())
    with pytest.raises(EncryptionError, match="is encrypted. Configure"):
        LocalBackend("terraform.tfstate", str(tmp_path)).read()


def test_tf_encryption_json_and_merge_over_the_file(tmp_path):
    as_json = json.dumps({
        "key_provider": {"pbkdf2": {"main": {"passphrase": PASS, "iterations": ITER}}},
        "method": {"aes_gcm": {"main": {"keys": "${key_provider.pbkdf2.main}"}}},
        "state": {"method": "${method.aes_gcm.main}"}})
    b = backend(tmp_path, encryption(as_json))
    b.write(sample_state())
    assert backend(tmp_path, encryption(enc_hcl())).read() is not None
    # The file declares the methods with a placeholder passphrase; the environment gives
    # the real one (it merges over the file's block).
    enc, diags = file_encryption(tmp_path, enc_hcl(passphrase="placeholder-placeholder"),
                                 {"TF_ENCRYPTION": json.dumps(
                                     {"key_provider": {"pbkdf2": {"main": {
                                         "passphrase": PASS}}}})})
    assert not diags.has_errors
    assert backend(tmp_path, enc).read() is not None


@pytest.mark.parametrize("text, where, message", [
    ('passphrase = "short"', "main.tf:5", "at least 16 characters"),
    ('iterations = 1000', "main.tf:6", "greater than or equal to 200000"),
    ('hash_function = "md5"', "main.tf:6", "sha256"),
    ('colour = "blue"', "main.tf:6", "not supported"),
])
def test_bad_configuration_is_located_and_never_echoes_the_passphrase(tmp_path, text, where,
                                                                        message):
    block = f'''
    key_provider "pbkdf2" "main" {{
      passphrase = "{PASS}"
      {text}
    }}
    method "aes_gcm" "main" {{
      keys = key_provider.pbkdf2.main
    }}
    state {{
      method = method.aes_gcm.main
    }}'''
    if text.startswith("passphrase"):
        block = block.replace(f'passphrase = "{PASS}"\n      ', "")
    _, diags = file_encryption(tmp_path, block)
    assert diags.has_errors
    shown = " ".join(f"{d.summary} {d.detail} {d.subject}" for d in diags)
    assert message in shown and where in shown
    assert PASS not in shown and "short" not in shown.replace("too short", "")


def test_unknown_method_reference_is_an_error(tmp_path):
    _, diags = file_encryption(tmp_path, enc_hcl(state="method = method.aes_gcm.nope"))
    assert any("not declared" in d.detail for d in diags)


def test_enforced_needs_an_encrypting_method():
    text = enc_hcl(state="method = method.unencrypted.u\nenforced = true",
                   extra='method "unencrypted" "u" {}')
    _, diags = load_encryption(None, None, {"TF_ENCRYPTION": text})
    assert any("enforced" in d.detail for d in diags)


def test_no_encryption_keeps_plain_state(tmp_path):
    enc, diags = load_encryption(None, None, {})
    assert not diags.has_errors
    b = backend(tmp_path, enc)
    b.write(sample_state())
    assert json.loads((tmp_path / "terraform.tfstate").read_bytes())["version"] == 4
    assert os.stat(tmp_path / "terraform.tfstate").st_mode & 0o777 == 0o600


def test_passphrase_from_a_variable_and_resources_refused(tmp_path):
    (tmp_path / "vars.tf").write_text('variable "passphrase" {\n  type = string\n'
                                      '  sensitive = true\n}\n')
    block = enc_hcl().replace(f'"{PASS}"', "var.passphrase")
    enc, diags = file_encryption(tmp_path, block, variables={"passphrase": PASS})
    assert not diags.has_errors, [str(d) for d in diags]
    backend(tmp_path, enc).write(sample_state())
    assert backend(tmp_path, encryption(enc_hcl())).read() is not None
    _, diags = file_encryption(tmp_path, enc_hcl().replace(f'"{PASS}"', "fake_thing.a.id"),
                               variables={"passphrase": PASS})
    assert any("input variables and locals" in d.detail and "main.tf:5" in str(d.subject)
               for d in diags), [str(d) for d in diags]


class _TextRowBackend:
    """A backend that stores state as text in one row (as the pg backend does), knowing
    nothing of encryption: it only uses the codec."""

    def __init__(self):
        self.row: str | None = None

    def read(self):
        return None if self.row is None else codec.loads_state(self.row.encode(), "the row")

    def write(self, state):
        self.row = codec.dumps_state(state).decode()


def test_any_backend_using_the_codec_is_encrypted_without_knowing_it():
    inner = _TextRowBackend()
    b = EncryptedBackend(inner, lambda: encryption(enc_hcl()))
    b.write(sample_state())
    assert PSK not in inner.row and '"encryption_version":"v0"' in inner.row
    assert EncryptedBackend(inner, lambda: encryption(enc_hcl())).read() is not None
    with pytest.raises(EncryptionError, match="is encrypted"):
        inner.read()  # outside the wrapper: refused, never mistaken for plain state


def test_unsupported_key_provider_names_the_supported_one():
    _, diags = load_encryption(None, None, {"TF_ENCRYPTION": 'key_provider "aws_kms" "k" {\n'
                                            '  kms_key_id = "x"\n}\n'})
    shown = [f"{d.detail} {d.subject}" for d in diags]
    assert any("vpnform supports pbkdf2" in s and "TF_ENCRYPTION:1" in s for s in shown), shown
