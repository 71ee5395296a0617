"""Negotiation matrix: IKE mode × cipher × integrity × DH group × PFS, each a full
negotiation between two charons configured by the provider, with traffic through the tunnel.

The suite runs the whole cross product (360 negotiations, ~40 s); VPNFORM_QUICK_MATRIX=1
runs a pairwise-covering subset instead (every pair of values at least once, about twenty
combinations) for quick local iterations.
"""

import itertools
import os
import time

import pytest
from ss_lab import CHARON_POPEN_WARNING, SITE_A, SITE_B, Driver, site_config

from providers.swankit import status

pytestmark = CHARON_POPEN_WARNING

MODES = {"ikev1-main": (1, False), "ikev1-aggressive": (1, True), "ikev2": (2, False)}
CIPHERS = {"3des": ("3DES_CBC", None), "aes128": ("AES_CBC", 128), "aes192": ("AES_CBC", 192),
           "aes256": ("AES_CBC", 256)}
INTEGRITY = {"md5": "HMAC_MD5_96", "sha1": "HMAC_SHA1_96", "sha256": "HMAC_SHA2_256_128"}
GROUPS = {"modp768": "MODP_768", "modp1024": "MODP_1024", "modp1536": "MODP_1536",
          "modp2048": "MODP_2048", "modp2048s256": "MODP_2048_256"}
PFS = {"nopfs": False, "pfs": True}
FACTORS = [list(MODES), list(CIPHERS), list(INTEGRITY), list(GROUPS), list(PFS)]


def pairwise(factors: list[list[str]], must: list[tuple] = ()) -> list[tuple]:
    """A small set of combinations covering every pair of values of any two factors
    (greedy, deterministic), starting with the ``must`` combinations."""
    def pairs(combo):
        return {(i, combo[i], j, combo[j])
                for i, j in itertools.combinations(range(len(combo)), 2)}

    uncovered = set().union(*(pairs(c) for c in itertools.product(*factors)))
    chosen = []
    for combo in must:
        chosen.append(combo)
        uncovered -= pairs(combo)
    candidates = list(itertools.product(*factors))
    while uncovered:
        best = max(candidates, key=lambda c: len(pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen


FULL = not os.environ.get("VPNFORM_QUICK_MATRIX")
# the facts-of-this-machine combination first: IKEv1 main mode, aes128-sha1-modp1024
COMBOS = (list(itertools.product(*FACTORS)) if FULL else
          pairwise(FACTORS, must=[("ikev1-main", "aes128", "sha1", "modp1024", "nopfs")]))


def test_the_default_subset_covers_every_value_and_pair():
    subset = pairwise(FACTORS, must=[("ikev1-main", "aes128", "sha1", "modp1024", "nopfs")])
    assert len(subset) <= 25
    for i, factor in enumerate(FACTORS):
        assert {c[i] for c in subset} == set(factor)
    for i, j in itertools.combinations(range(len(FACTORS)), 2):
        assert {(c[i], c[j]) for c in subset} == set(itertools.product(FACTORS[i], FACTORS[j]))


@pytest.fixture(scope="module")
def gw(sites):
    return Driver(sites.provider("gwa")), Driver(sites.provider("gwb"))


def _sa(sites, role, name):
    with sites.charon(role).session() as s:
        return status.sa_status(s, name)


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("mode,cipher,integ,group,pfs", COMBOS,
                         ids=["-".join(c) for c in COMBOS])
def test_negotiation(sites, gw, mode, cipher, integ, group, pfs):
    version, aggressive = MODES[mode]
    encr_alg, keysize = CIPHERS[cipher]
    name = "mx-" + "-".join((mode, cipher, integ, group, pfs))
    ike = [f"{cipher}-{integ}-{group}"]
    esp = [f"{cipher}-{integ}" + (f"-{group}" if PFS[pfs] else "")]
    values = dict(ike_version=version, aggressive=aggressive, proposals=ike,
                  child_values={"esp_proposals": esp})
    a, b = gw
    state_a = a.create(site_config(name, SITE_A, SITE_B, **values))
    state_b = b.create(site_config(name, SITE_B, SITE_A, **values))
    try:
        with sites.charon("gwa").session() as s:
            out = status.initiate(s, name, "net", timeout=10)
        assert out.ok, out
        assert sites.wait_installed(name)
        assert sites.ping(SITE_A, SITE_B)
        for role in ("gwa", "gwb"):
            st = _sa(sites, role, name)
            assert st["established"], st
            [sa] = st["ike_sas"]
            assert (sa["version"], sa["encr_alg"], sa["encr_keysize"], sa["integ_alg"],
                    sa["dh_group"]) == (version, encr_alg, keysize, INTEGRITY[integ],
                                        GROUPS[group])
            [child] = sa["children"]
            assert (child["encr_alg"], child["encr_keysize"], child["integ_alg"]) == (
                encr_alg, keysize, INTEGRITY[integ])
            assert child["bytes_in"] > 0 and child["bytes_out"] > 0, child
            # IKEv1 Quick Mode runs the PFS exchange at once; IKEv2's first CHILD_SA comes
            # with IKE_AUTH and uses the group from its first rekey on
            expected_group = GROUPS[group] if PFS[pfs] and version == 1 else None
            assert child["dh_group"] == expected_group
        if PFS[pfs] and version == 2:
            with sites.charon("gwa").session() as s:
                s.rekey({"child": "net"})

            def rekeyed():
                [sa] = _sa(sites, "gwa", name)["ike_sas"]
                return [c for c in sa["children"]
                        if c["state"] == "INSTALLED" and c["dh_group"] == GROUPS[group]]
            assert _wait(rekeyed), _sa(sites, "gwa", name)
    finally:
        a.delete(state_a)
        b.delete(state_b)
    assert _wait(lambda: not _sa(sites, "gwb", name)["ike_sas"])
