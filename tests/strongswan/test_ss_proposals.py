"""Proposal strings: keywords, structure, and what this strongSwan build can run (pure)."""

import pytest
from ss_samples import ALGS

from providers.swankit.proposals import (
    DH,
    ESN,
    ESP,
    IKE,
    KEYWORDS,
    AlgorithmSupport,
    parse_proposal,
    plugins_for,
)

HERE = AlgorithmSupport.from_get_algorithms(ALGS, source="charon 5.9.8 (captured)")


def problems(text, protocol=IKE, support=HERE, version=2):
    return [p.message for p in parse_proposal(text, protocol, support, version).problems]


@pytest.mark.parametrize("text,protocol", [
    ("default", IKE), ("default", ESP),
    ("aes128-sha1-modp1024", IKE), ("aes256-sha256-modp2048", IKE),
    ("3des-md5-modp768", IKE), ("aes192-sha384-prfsha384-modp1536", IKE),
    ("aes128-aes256-sha1-sha256-modp2048-modp1024", IKE), ("aes128-sha256-modp2048s256", IKE),
    ("aes128-sha1", ESP), ("aes256-sha256-modp2048", ESP), ("3des-md5-esn", ESP),
    ("aes128ccm16", ESP), ("aes128ccm16-prfsha256-modp2048", IKE),
    ("chacha20poly1305-prfsha256-curve25519", IKE), ("aes128ctr-aescmac-modp2048", IKE),
])
def test_valid_proposals_that_this_build_runs(text, protocol):
    assert problems(text, protocol) == []


def test_gcm_is_known_but_not_available_here():
    [msg] = problems("aes128gcm16", ESP)
    assert "AES_GCM_16" in msg
    assert "the gcm plugin is not available here" in msg
    assert "openssl" in msg  # the other plugin that could provide it
    assert "aes128-sha256" in msg  # a suggestion
    parsed = parse_proposal("aes128gcm16-prfsha256-modp2048", IKE, HERE)
    assert [p.kind for p in parsed.problems] == ["unavailable"]


def test_ecp_groups_need_openssl_here():
    [msg] = problems("aes128-sha256-ecp256", IKE)
    assert "ECP_256" in msg and "openssl plugin is not available here" in msg


@pytest.mark.parametrize("text,word,suggestion", [
    ("aes128-shaa1-modp1024", "shaa1", "sha1"),
    ("aes128-sha1-modp2049", "modp2049", "modp2048"),
    ("aes1288-sha1-modp2048", "aes1288", "aes128"),
    ("aes128-sha1-mopd1024", "mopd1024", "modp1024"),
])
def test_unknown_keywords_get_a_suggestion(text, word, suggestion):
    [msg] = problems(text)
    assert f'"{word}" is not an algorithm keyword' in msg
    assert f'Did you mean "{suggestion}"?' in msg


@pytest.mark.parametrize("text,protocol,version,needle", [
    ("aes128-sha256", IKE, 2, "Diffie-Hellman group"),
    ("aes128-modp2048", IKE, 2, "needs an integrity algorithm"),
    ("sha256-modp2048", IKE, 2, "no encryption algorithm"),
    ("aes128-prfsha256-sha1", ESP, 2, "only IKE proposals"),
    ("aes128-sha1-esn-modp2048", IKE, 2, "only to ESP"),
    ("aes128ccm16-sha256", ESP, 2, "Remove the integrity algorithm"),
    ("aes128ccm16-modp2048", IKE, 2, "pseudo-random function"),
    ("aes128ccm16-prfsha256-modp2048", IKE, 1, "IKEv1 cannot use AEAD"),
    ("aes128-aes128ccm16-sha1-modp2048", IKE, 2, "mixes AEAD"),
    ("aes128gmac-modp2048-sha1", IKE, 2, "only for ESP"),
    ("aes128--sha1", ESP, 2, "not an algorithm keyword"),
    (" aes128-sha1", ESP, 2, "is not a proposal"),
    ("", ESP, 2, "is not a proposal"),
])
def test_structural_problems(text, protocol, version, needle):
    msgs = problems(text, protocol, version=version)
    assert msgs and any(needle in m for m in msgs), msgs


def test_unknown_support_checks_only_keywords_and_structure():
    assert problems("aes128gcm16", ESP, support=AlgorithmSupport.unknown()) == []
    assert problems("aes128-shaa1", ESP, support=AlgorithmSupport.unknown())


def test_support_from_installed_plugin_files(tmp_path):
    for plugin in ("aes", "sha1", "sha2", "hmac", "gmp", "des"):
        (tmp_path / f"libstrongswan-{plugin}.so").write_text("")
    support = AlgorithmSupport.from_plugin_dir(str(tmp_path))
    assert problems("aes128-sha256-modp2048", IKE, support) == []
    assert problems("3des-sha1", ESP, support) == []
    [msg] = problems("aes128gcm16", ESP, support)
    assert "gcm plugin is not available here" in msg and str(tmp_path) in msg
    (tmp_path / "libstrongswan-gcm.so").write_text("")
    assert problems("aes128gcm16", ESP, AlgorithmSupport.from_plugin_dir(str(tmp_path))) == []
    assert AlgorithmSupport.from_plugin_dir(str(tmp_path / "missing")).available is None


def test_every_keyword_names_the_plugins_that_provide_it():
    for word, t in KEYWORDS.items():
        if t.kind != ESN:
            assert plugins_for(t.alg), word


def test_captured_charon_supports_the_matrix_algorithms():
    for alg in ("AES_CBC", "3DES_CBC", "HMAC_MD5_96", "HMAC_SHA1_96", "HMAC_SHA2_256_128",
                "MODP_768", "MODP_1024", "MODP_1536", "MODP_2048", "MODP_2048_256"):
        assert HERE.provides(alg), alg
    assert HERE.provides("AES_GCM_16") is False
    assert {t.alg for t in KEYWORDS.values() if t.kind == DH} >= {"MODP_2048_256", "CURVE_25519"}
