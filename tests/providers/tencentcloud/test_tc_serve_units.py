"""The served cloud's pure parts: TC3 verification, the product registry (with a second
product), flattened parameters, the rate limiter, the accounts document."""

import hashlib
import json

import pytest
from serve_support import tc3_headers

from providers.tencentcloud.emulator.accounts import (Accounts, AccountsError, generated_accounts,
                                                      load_accounts)
from providers.tencentcloud.emulator.gateway import CloudGateway, RequestRefused, nested_params
from providers.tencentcloud.emulator.products import ProductRegistry, UnknownProduct
from providers.tencentcloud.emulator.tc3 import (AuthFailure, SignedRequest, canonical_request,
                                                 verify)
from providers.tencentcloud.emulator.throttle import RateLimiter

NOW = 1_795_720_390
KEYS = {"AKIDunit": "unit-key"}


def signed(body=b'{"Limit": 1}', *, host="127.0.0.1:9", ts=NOW, key="unit-key", **kw):
    headers = tc3_headers("AKIDunit", key, host, body, action="DescribeVpcs", timestamp=ts, **kw)
    return SignedRequest("POST", "", {k.lower(): v for k, v in headers.items()}, body)


def test_published_canonical_request_hash():
    """Tencent's signature-v3 example (cvm DescribeInstances) reproduces its published hash."""
    body = (b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
            b'"Name": "instance-name"}]}')
    req = SignedRequest("POST", "", {"content-type": "application/json; charset=utf-8",
                                     "host": "cvm.tencentcloudapi.com",
                                     "x-tc-action": "DescribeInstances"}, body)
    canonical = canonical_request(req, ("content-type", "host", "x-tc-action"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == \
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"


def test_verify_accepts_a_good_signature_and_names_the_scope():
    auth = verify(signed(), KEYS.get, NOW + 10)
    assert (auth.secret_id, auth.service) == ("AKIDunit", "vpc")


@pytest.mark.parametrize("mutate, code", [
    (lambda r: r.headers.pop("authorization"), "AuthFailure.InvalidAuthorization"),
    (lambda r: r.headers.update(authorization="TC3-HMAC-SHA256 Credential=x"),
     "AuthFailure.InvalidAuthorization"),
    (lambda r: r.headers.update(authorization=r.headers["authorization"].replace(
        "AKIDunit", "AKIDother")), "AuthFailure.SecretIdNotFound"),
    (lambda r: r.headers.update({"x-tc-timestamp": str(NOW - 301)}),
     "AuthFailure.SignatureExpire"),
    (lambda r: r.headers.update(host="127.0.0.1:10"), "AuthFailure.SignatureFailure"),
])
def test_verify_refusals(mutate, code):
    req = signed()
    mutate(req)
    with pytest.raises(AuthFailure) as err:
        verify(req, KEYS.get, NOW)
    assert err.value.code == code


def test_check_order_unknown_id_before_expiry_before_signature():
    """An unknown SecretId with an old timestamp and a bad key: the SecretId is reported."""
    req = signed(ts=NOW - 1000, key="wrong")
    with pytest.raises(AuthFailure) as err:
        verify(req, {}.get, NOW)
    assert err.value.code == "AuthFailure.SecretIdNotFound"
    with pytest.raises(AuthFailure) as err:
        verify(req, KEYS.get, NOW)
    assert err.value.code == "AuthFailure.SignatureExpire"
    with pytest.raises(AuthFailure) as err:
        verify(signed(key="wrong"), KEYS.get, NOW)
    assert err.value.code == "AuthFailure.SignatureFailure"


def test_body_bytes_are_verified_raw():
    req = signed(b'{"Limit":1}')  # same JSON, other bytes than the SDK would send
    assert verify(req, KEYS.get, NOW)
    tampered = SignedRequest(req.method, req.query, req.headers, b'{"Limit": 1}')
    with pytest.raises(AuthFailure):
        verify(tampered, KEYS.get, NOW)


def test_nested_params_from_a_flattened_query():
    assert nested_params([("Filters.0.Name", "vpc-name"), ("Filters.0.Values.0", "a"),
                          ("Filters.0.Values.1", "b"), ("Filters.1.Name", "is-default"),
                          ("Filters.1.Values.0", "TRUE"), ("Limit", "5")]) == {
        "Filters": [{"Name": "vpc-name", "Values": ["a", "b"]},
                    {"Name": "is-default", "Values": ["TRUE"]}], "Limit": "5"}
    with pytest.raises(RequestRefused):
        nested_params([("VpcIds.0", "a"), ("VpcIds.2", "b")])


def test_rate_limiter_refills_per_key():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.allow(("a", "X")) for _ in range(3)] == [True, True, False]
    assert limiter.allow(("a", "Y")) and limiter.allow(("b", "X"))
    now[0] = 0.5
    assert limiter.allow(("a", "X")) and not limiter.allow(("a", "X"))
    assert all(RateLimiter(0).allow(("a", "X")) for _ in range(100))


class EchoMonitor:
    """A stand-in second product: answers every action with what it was asked."""

    def __init__(self, store):
        self.store = store

    def call(self, action, params, region):
        return {"Action": action, "Params": params, "Region": region, "RequestId": "r"}


def test_a_second_product_joins_the_registry_and_is_dispatched(tmp_path):
    registry = ProductRegistry()
    registry.register("vpc", "2017-03-12", lambda store: EchoMonitor(store))
    registry.register("monitor", "2018-07-24", EchoMonitor)
    assert registry.services() == ["monitor", "vpc"]
    with pytest.raises(UnknownProduct) as err:
        registry.factory("monitor", "2017-03-12")
    assert err.value.code == "NoSuchVersion"
    with pytest.raises(UnknownProduct) as err:
        registry.factory("cvm", "2017-03-12")
    assert err.value.code == "NoSuchProduct"

    accounts = Accounts.model_validate({"accounts": [
        {"name": "u", "secret_id": "AKIDunit", "secret_key": "unit-key"}]})
    gateway = CloudGateway(accounts, tmp_path, rate_limit=0, registry=registry,
                           clock=lambda: NOW)
    try:
        body = json.dumps({"Namespace": "QCE/VPNX"}).encode()
        headers = tc3_headers("AKIDunit", "unit-key", "monitor.tencentcloudapi.com", body,
                              action="GetMonitorData", timestamp=NOW, service="monitor",
                              version="2018-07-24")
        out = gateway.answer("POST", "http://monitor.tencentcloudapi.com/",
                             {k.lower(): v for k, v in headers.items()}, body)
        assert out.body["Response"]["Action"] == "GetMonitorData"
        assert out.body["Response"]["Params"] == {"Namespace": "QCE/VPNX"}
        assert (out.account, out.code) == ("u", None)
        # one store per account, shared by its products
        vpc = gateway._cloud(accounts.accounts[0]).service(registry, "vpc", "2017-03-12")
        mon = gateway._cloud(accounts.accounts[0]).service(registry, "monitor", "2018-07-24")
        assert vpc.store is mon.store
    finally:
        gateway.close()


def test_accounts_document_is_validated(tmp_path):
    path = tmp_path / "c.json"
    for doc, fault in [({"accounts": []}, "accounts"),
                       ({"accounts": [{"name": "../x", "secret_id": "A", "secret_key": "k"}]},
                        "name"),
                       ({"accounts": [{"name": "a", "secret_id": "A", "secret_key": "k"},
                                      {"name": "a", "secret_id": "B", "secret_key": "k2"}]},
                        "share the name"),
                       ({"users": []}, "users")]:
        path.write_text(json.dumps(doc))
        with pytest.raises(AccountsError) as err:
            load_accounts(path)
        assert fault in str(err.value) and "k2" not in str(err.value)


def test_generated_account_is_made_once(tmp_path):
    first, made = generated_accounts(tmp_path / "d")
    again, made_again = generated_accounts(tmp_path / "d")
    assert made and not made_again
    assert first.accounts == again.accounts
    assert first.accounts[0].secret_id.startswith("AKID")
    assert len(first.accounts[0].secret_id) == 36


def test_rate_limiter_forgets_refilled_buckets(monkeypatch):
    from providers.tencentcloud.emulator import throttle
    monkeypatch.setattr(throttle, "MAX_BUCKETS", 5)
    now = [0.0]
    limiter = RateLimiter(1, clock=lambda: now[0])
    for i in range(5):
        assert limiter.allow(("a", f"Made{i}"))
    now[0] = 10.0  # every bucket refilled
    assert limiter.allow(("a", "Another"))
    assert len(limiter._buckets) == 1
    assert limiter.allow(("a", "Made0"))  # a forgotten bucket starts full
