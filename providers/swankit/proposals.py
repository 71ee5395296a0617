"""strongSwan proposal strings ("aes128-sha256-modp2048"): their keywords, their parsing, and
which algorithms a given strongSwan build can actually run.

Pure: the set of available algorithms is passed in (``AlgorithmSupport``), taken from a
running charon's ``get-algorithms`` answer or, without one, from the plugin files installed.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from .vici import decode

IKE = "ike"
ESP = "esp"

# Transform kinds, in the order strongSwan's own messages name them.
ENCR = "encryption"
AEAD = "aead"
INTEG = "integrity"
PRF = "prf"
DH = "dh"
ESN = "esn"


@dataclass(frozen=True)
class Transform:
    kind: str
    alg: str  # the name charon's get-algorithms reports ("AES_CBC", "HMAC_SHA1_96", …)
    keysize: int = 0

    def describe(self) -> str:
        return f"{self.alg} ({self.keysize}-bit key)" if self.keysize else self.alg


def _keywords() -> dict[str, Transform]:
    kw: dict[str, Transform] = {}

    def add(kind: str, alg: str, *names: str, keysize: int = 0) -> None:
        for n in names:
            kw[n] = Transform(kind, alg, keysize)

    add(ENCR, "NULL", "null")
    add(ENCR, "DES_CBC", "des", keysize=64)
    add(ENCR, "3DES_CBC", "3des", keysize=192)
    add(ENCR, "CAST_CBC", "cast128", keysize=128)
    add(ENCR, "BLOWFISH_CBC", "blowfish", "blowfish128", keysize=128)
    add(ENCR, "AES_CBC", "aes", keysize=128)
    add(ENCR, "CAMELLIA_CBC", "camellia", keysize=128)
    add(ENCR, "SERPENT_CBC", "serpent", keysize=128)
    add(ENCR, "TWOFISH_CBC", "twofish", keysize=128)
    for bits in (128, 192, 256):
        add(ENCR, "AES_CBC", f"aes{bits}", keysize=bits)
        add(ENCR, "AES_CTR", f"aes{bits}ctr", keysize=bits)
        add(ENCR, "CAMELLIA_CBC", f"camellia{bits}", keysize=bits)
        add(ENCR, "CAMELLIA_CTR", f"camellia{bits}ctr", keysize=bits)
        add(ENCR, "SERPENT_CBC", f"serpent{bits}", keysize=bits)
        add(ENCR, "TWOFISH_CBC", f"twofish{bits}", keysize=bits)
        if bits > 128:
            add(ENCR, "BLOWFISH_CBC", f"blowfish{bits}", keysize=bits)
        for icv, alias in ((8, 64), (12, 96), (16, 128)):
            add(AEAD, f"AES_GCM_{icv}", f"aes{bits}gcm{icv}", f"aes{bits}gcm{alias}", keysize=bits)
            add(AEAD, f"AES_CCM_{icv}", f"aes{bits}ccm{icv}", f"aes{bits}ccm{alias}", keysize=bits)
            add(AEAD, f"CAMELLIA_CCM_{icv}", f"camellia{bits}ccm{icv}",
                f"camellia{bits}ccm{alias}", keysize=bits)
        add(AEAD, "NULL_AUTH_AES_GMAC", f"aes{bits}gmac", keysize=bits)
    add(AEAD, "CHACHA20_POLY1305", "chacha20poly1305", keysize=256)

    add(INTEG, "HMAC_MD5_96", "md5")
    add(INTEG, "HMAC_MD5_128", "md5_128")
    add(INTEG, "HMAC_SHA1_96", "sha1", "sha")
    add(INTEG, "HMAC_SHA1_160", "sha1_160")
    add(INTEG, "HMAC_SHA2_256_128", "sha256", "sha2_256")
    add(INTEG, "HMAC_SHA2_256_96", "sha256_96", "sha2_256_96")
    add(INTEG, "HMAC_SHA2_384_192", "sha384", "sha2_384")
    add(INTEG, "HMAC_SHA2_512_256", "sha512", "sha2_512")
    add(INTEG, "AES_XCBC_96", "aesxcbc")
    add(INTEG, "AES_CMAC_96", "aescmac")
    add(INTEG, "CAMELLIA_XCBC_96", "camelliaxcbc")

    add(PRF, "PRF_HMAC_MD5", "prfmd5")
    add(PRF, "PRF_HMAC_SHA1", "prfsha1")
    add(PRF, "PRF_HMAC_SHA2_256", "prfsha256")
    add(PRF, "PRF_HMAC_SHA2_384", "prfsha384")
    add(PRF, "PRF_HMAC_SHA2_512", "prfsha512")
    add(PRF, "PRF_AES128_XCBC", "prfaesxcbc")
    add(PRF, "PRF_AES128_CMAC", "prfaescmac")
    add(PRF, "PRF_CAMELLIA128_XCBC", "prfcamelliaxcbc")

    for bits, group in ((768, 1), (1024, 2), (1536, 5), (2048, 14), (3072, 15), (4096, 16),
                        (6144, 17), (8192, 18)):
        add(DH, f"MODP_{bits}", f"modp{bits}")
    add(DH, "MODP_1024_160", "modp1024s160")
    add(DH, "MODP_2048_224", "modp2048s224")
    add(DH, "MODP_2048_256", "modp2048s256")
    for bits in (192, 224, 256, 384, 521):
        add(DH, f"ECP_{bits}", f"ecp{bits}")
    for bits in (224, 256, 384, 512):
        add(DH, f"ECP_{bits}_BP", f"ecp{bits}bp")
    add(DH, "CURVE_25519", "curve25519", "x25519")
    add(DH, "CURVE_448", "curve448", "x448")

    add(ESN, "EXT_SEQ", "esn")
    add(ESN, "NO_EXT_SEQ", "noesn")
    return kw


KEYWORDS: dict[str, Transform] = _keywords()
DEFAULT = "default"

# Which strongSwan plugins can provide an algorithm (first: the usual one). Used to say
# what is missing, and to judge availability from installed plugin files without a charon.
_PLUGINS_BY_PREFIX: list[tuple[str, tuple[str, ...]]] = [
    ("AES_GCM_", ("gcm", "openssl", "aesni", "wolfssl", "botan")),
    ("NULL_AUTH_AES_GMAC", ("gcm", "openssl", "aesni")),
    ("AES_CCM_", ("ccm", "openssl", "aesni", "wolfssl")),
    ("CAMELLIA_CCM_", ("ccm",)),
    ("CHACHA20_POLY1305", ("chapoly", "openssl", "wolfssl", "botan")),
    ("AES_CBC", ("aes", "openssl", "gcrypt", "aesni", "af-alg", "wolfssl", "botan")),
    ("AES_CTR", ("ctr", "openssl", "gcrypt", "aesni", "af-alg", "wolfssl")),
    ("3DES_CBC", ("des", "openssl", "gcrypt", "af-alg", "wolfssl", "botan")),
    ("DES_CBC", ("des", "openssl", "gcrypt", "af-alg", "wolfssl")),
    ("CAST_CBC", ("openssl", "gcrypt", "af-alg")),
    ("BLOWFISH_CBC", ("blowfish", "openssl", "gcrypt", "af-alg")),
    ("CAMELLIA_CBC", ("openssl", "gcrypt", "af-alg", "wolfssl")),
    ("CAMELLIA_CTR", ("ctr", "gcrypt", "af-alg")),
    ("SERPENT_CBC", ("gcrypt", "af-alg")),
    ("TWOFISH_CBC", ("gcrypt", "af-alg")),
    ("NULL", ("openssl", "wolfssl")),
    ("HMAC_", ("hmac", "openssl", "af-alg", "wolfssl", "botan")),
    ("AES_XCBC_96", ("xcbc", "aesni", "af-alg")),
    ("AES_CMAC_96", ("cmac", "aesni")),
    ("CAMELLIA_XCBC_96", ("xcbc",)),
    ("PRF_HMAC_", ("hmac", "openssl", "wolfssl", "botan")),
    ("PRF_AES128_XCBC", ("xcbc", "aesni")),
    ("PRF_AES128_CMAC", ("cmac", "aesni")),
    ("PRF_CAMELLIA128_XCBC", ("xcbc",)),
    ("MODP_", ("gmp", "openssl", "gcrypt", "wolfssl", "botan")),
    ("ECP_", ("openssl", "wolfssl", "botan")),
    ("CURVE_25519", ("curve25519", "openssl", "wolfssl", "botan")),
    ("CURVE_448", ("openssl", "wolfssl")),
]


def plugins_for(alg: str) -> tuple[str, ...]:
    for prefix, plugins in _PLUGINS_BY_PREFIX:
        if alg == prefix or (prefix.endswith("_") and alg.startswith(prefix)):
            return plugins
    return ()


PLUGIN_DIR = "/usr/lib/ipsec/plugins"


@dataclass(frozen=True)
class AlgorithmSupport:
    """The algorithms one strongSwan can run. ``available`` None: not known (nothing checked)."""

    available: frozenset | None
    source: str = ""  # for messages: "charon at unix:///…" or "the plugins in /usr/lib/…"

    @classmethod
    def unknown(cls) -> "AlgorithmSupport":
        return cls(None, "")

    @classmethod
    def from_get_algorithms(cls, reply: dict, source: str = "charon") -> "AlgorithmSupport":
        """From charon's ``get-algorithms`` answer: {section: {ALG_NAME: plugin}}."""
        names: set[str] = set()
        for section in (reply or {}).values():
            if isinstance(section, dict):
                names.update(str(decode(k)) for k in section)
        # ESN is a protocol feature, not a plugin's algorithm.
        names.update({"EXT_SEQ", "NO_EXT_SEQ"})
        return cls(frozenset(names), source)

    @classmethod
    def from_plugin_dir(cls, directory: str = PLUGIN_DIR) -> "AlgorithmSupport":
        """An estimate from the plugin files installed (no charon to ask)."""
        try:
            files = os.listdir(directory)
        except OSError:
            return cls.unknown()
        installed = {f[len("libstrongswan-"):-len(".so")] for f in files
                     if f.startswith("libstrongswan-") and f.endswith(".so")}
        names = {t.alg for t in KEYWORDS.values()
                 if t.kind == ESN or installed.intersection(plugins_for(t.alg))}
        return cls(frozenset(names), f"the plugins installed in {directory}")

    def provides(self, alg: str) -> bool | None:
        if self.available is None:
            return None
        return alg in self.available


@dataclass
class ProposalProblem:
    """One thing wrong with a proposal string; ``message`` is a full sentence or two."""

    message: str
    kind: str = "invalid"  # "invalid" | "unavailable"


@dataclass
class ParsedProposal:
    text: str
    transforms: list = field(default_factory=list)  # [(keyword, Transform)]
    problems: list = field(default_factory=list)  # [ProposalProblem]

    def of_kind(self, kind: str) -> list[Transform]:
        return [t for _, t in self.transforms if t.kind == kind]


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def parse_proposal(text: str, protocol: str, support: AlgorithmSupport | None = None,
                   ike_version: int | None = None) -> ParsedProposal:
    """Parse one proposal string for ``protocol`` (IKE or ESP) and check it against
    ``support``. Problems name the keyword; the caller says where the string was."""
    support = support or AlgorithmSupport.unknown()
    out = ParsedProposal(text)
    if text == DEFAULT:
        return out
    if not text or text.strip() != text:
        out.problems.append(ProposalProblem(
            f'"{text}" is not a proposal. Write algorithm keywords joined by "-", such as '
            '"aes128-sha256-modp2048", or "default".'))
        return out
    for word in text.split("-"):
        t = KEYWORDS.get(word.lower())
        if t is None:
            hint = did_you_mean(word.lower(), KEYWORDS)
            out.problems.append(ProposalProblem(
                f'"{word}" is not an algorithm keyword strongSwan knows.{hint} Use keywords '
                "such as aes128, aes256, 3des, sha1, sha256, modp2048."))
            continue
        out.transforms.append((word, t))
    if out.problems:
        return out

    for word, t in out.transforms:
        if protocol == ESP and t.kind == PRF:
            out.problems.append(ProposalProblem(
                f'"{word}" is a pseudo-random function, which only IKE proposals take. Remove it '
                "from this ESP proposal."))
        if protocol == IKE and t.kind == ESN:
            out.problems.append(ProposalProblem(
                f'"{word}" (extended sequence numbers) applies only to ESP proposals. Remove it '
                "from this IKE proposal."))
        if protocol == IKE and t.alg == "NULL_AUTH_AES_GMAC":
            out.problems.append(ProposalProblem(
                f'"{word}" (AES-GMAC, authentication without encryption) is only for ESP. Remove '
                "it from this IKE proposal."))
    encr, aead = out.of_kind(ENCR), out.of_kind(AEAD)
    integ, prf, dh = out.of_kind(INTEG), out.of_kind(PRF), out.of_kind(DH)
    if not encr and not aead:
        out.problems.append(ProposalProblem(
            "It names no encryption algorithm. Add one, such as aes128 or aes256gcm16."))
    if encr and aead:
        out.problems.append(ProposalProblem(
            "It mixes AEAD algorithms (such as aes128gcm16) with classic ciphers. Put them in "
            "separate proposals."))
    if encr and not integ:
        out.problems.append(ProposalProblem(
            f"The cipher {encr[0].alg} needs an integrity algorithm. Add one, such as sha256."))
    if aead and integ and protocol == ESP:
        out.problems.append(ProposalProblem(
            "AEAD algorithms (such as aes128gcm16) protect integrity themselves. Remove the "
            "integrity algorithm."))
    if protocol == IKE:
        if not dh:
            out.problems.append(ProposalProblem(
                "IKE proposals need a Diffie-Hellman group. Add one, such as modp2048."))
        if aead and not prf and not integ:
            out.problems.append(ProposalProblem(
                "An IKE proposal with an AEAD algorithm needs a pseudo-random function. Add one, "
                "such as prfsha256."))
        if aead and ike_version == 1:
            out.problems.append(ProposalProblem(
                "IKEv1 cannot use AEAD algorithms (such as aes128gcm16) for the IKE SA. Use a "
                "cipher with an integrity algorithm, such as aes128-sha256-modp2048."))
    if out.problems:
        return out

    for word, t in out.transforms:
        if support.provides(t.alg) is False:
            plugins = plugins_for(t.alg)
            if plugins:
                others = ", ".join(plugins[1:])
                missing = (f"the {plugins[0]} plugin is not available here"
                           + (f" (nor any other plugin providing it: {others})" if others else ""))
            else:
                missing = "no loaded plugin provides it"
            out.problems.append(ProposalProblem(
                f'"{word}" needs {t.describe()}, which this strongSwan build does not provide: '
                f"{missing} (judged from {support.source}). {_alternative(t)}",
                kind="unavailable"))
    return out


def _alternative(t: Transform) -> str:
    if t.kind == AEAD:
        return 'Use a CBC cipher with an integrity algorithm instead, such as "aes128-sha256".'
    if t.kind == DH:
        return "Use a MODP group instead, such as modp2048."
    return "Choose another algorithm this gateway supports."

