"""status.py: SA facts from list-sas and the causes of failed initiations (pure)."""

import pytest
from ss_samples import LOG_IKEV1_PSK_MISMATCH, LOG_IKEV2_PSK_MISMATCH, LOG_NO_PROPOSAL, SAS

from providers.swankit import status


class FakeSession:
    def __init__(self, sas=(), events=(), error=None):
        self.sas, self.events, self.error = list(sas), list(events), error
        self.requests = []

    def list_sas(self, filters=None):
        self.requests.append(("list_sas", filters))
        want = (filters or {}).get("ike")
        for item in self.sas:
            if want is None or want in item:
                yield item

    def initiate(self, msg):
        from vici.exception import CommandException
        self.requests.append(("initiate", msg))
        for line in self.events:
            yield {"group": b"IKE", "level": b"1", "msg": line.encode()}
        if self.error:
            raise CommandException(f"Command failed: {self.error}")


def test_sa_status_of_an_established_connection():
    s = FakeSession(SAS)
    got = status.sa_status(s, "s2s")
    assert s.requests == [("list_sas", {"ike": "s2s"})]
    assert (got["connection"], got["state"], got["established"]) == ("s2s", "ESTABLISHED", True)
    [ike] = got["ike_sas"]
    assert (ike["version"], ike["initiator"], ike["nat"]) == (1, True, True)
    assert (ike["encr_alg"], ike["encr_keysize"], ike["integ_alg"], ike["dh_group"]) == (
        "AES_CBC", 256, "HMAC_SHA2_256_128", "MODP_2048")
    assert (ike["established"], ike["local_port"], ike["remote_host"]) == (0, 4500,
                                                                           "202.108.22.5")
    [net] = ike["children"]
    assert (net["name"], net["state"], net["reqid"], net["encap"]) == ("net", "INSTALLED", 77,
                                                                       True)
    assert (net["bytes_in"], net["bytes_out"], net["packets_in"], net["packets_out"]) == (
        84, 84, 1, 1)
    assert (net["encr_alg"], net["encr_keysize"], net["dh_group"]) == ("AES_CBC", 128, None)
    assert net["local_ts"] == ["10.10.0.0/24"] and net["remote_ts"] == ["10.20.0.0/24"]


def test_no_sa_is_down():
    got = status.sa_status(FakeSession(SAS), "other")
    assert got == {"connection": "other", "state": "DOWN", "established": False, "ike_sas": []}


def test_the_established_sa_is_preferred_over_a_connecting_one():
    connecting = {"s2s": {"state": b"CONNECTING", "uniqueid": b"2", "version": b"2"}}
    got = status.status_from_list_sas("s2s", [connecting] + SAS)
    assert got["state"] == "ESTABLISHED" and len(got["ike_sas"]) == 2


def test_all_sa_status():
    other = {"x": {"state": b"CONNECTING", "uniqueid": b"5", "version": b"2"}}
    got = status.all_sa_status(FakeSession(SAS + [other]))
    assert [(g["connection"], g["state"]) for g in got] == [("s2s", "ESTABLISHED"),
                                                            ("x", "CONNECTING")]


@pytest.mark.parametrize("log,cause", [
    (LOG_IKEV2_PSK_MISMATCH, "authentication failed"),
    (LOG_IKEV1_PSK_MISMATCH, "authentication failed (pre-shared key mismatch?)"),
    (LOG_NO_PROPOSAL, "no proposal chosen"),
    (["establishing IKE_SA failed, peer not responding"], "peer not responding"),
    (["something else"], None),
])
def test_failure_causes(log, cause):
    assert status.classify_failure(log) == cause


def test_initiate_collects_the_log_and_the_cause():
    s = FakeSession(events=LOG_IKEV2_PSK_MISMATCH,
                    error="establishing CHILD_SA 'net' failed")
    out = status.initiate(s, "s2s", "net", timeout=3)
    assert s.requests == [("initiate", {"ike": "s2s", "child": "net", "timeout": "3000"})]
    assert not out.ok and out.failure == "authentication failed"
    assert out.error == "establishing CHILD_SA 'net' failed"
    assert out.log == LOG_IKEV2_PSK_MISMATCH
    assert str(out).startswith("authentication failed: ")
    ok = status.initiate(FakeSession(events=["CHILD_SA net{1} established"]), "s2s", "net")
    assert ok.ok and str(ok) == "established"
