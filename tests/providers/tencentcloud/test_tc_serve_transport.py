"""The provider over HTTP through the official SDK, against a served emulator that the test
starts (``vpnform cloud serve``): objects made, changed (tags through the tag service) and
read through it, and the cloud's own refusals reaching the user."""

from __future__ import annotations

import time

import pytest
from serve_support import REGION, Served
from tc_support import blank_config

from engine.providers import ApplyRequest, PlanRequest
from providers.tencentcloud.provider import TencentCloudProvider

VPC = "tencentcloud_vpc"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("serve") / "data", "-rate-limit=0")
    yield s
    s.stop()


def provider_on(served: Served, workdir, secret_key: str | None = None) -> TencentCloudProvider:
    secret_id, key = served.keys()
    p = TencentCloudProvider(str(workdir))
    d = p.configure({"secret_id": secret_id, "secret_key": secret_key or key,
                     "endpoint": served.url, "region": REGION})
    assert not d, list(d)
    return p


def apply(p: TencentCloudProvider, prior: dict | None, **values) -> dict:
    cfg = blank_config(p, VPC, **values)
    planned = p.plan(PlanRequest(VPC, f"{VPC}.x", prior, cfg))
    assert not planned.diagnostics.has_errors, list(planned.diagnostics)
    res = p.apply(ApplyRequest(VPC, f"{VPC}.x", prior, planned.planned, cfg))
    assert not res.diagnostics.has_errors, list(res.diagnostics)
    return res.new


def test_provider_creates_changes_and_reads_through_the_served_cloud(served, tmp_path):
    p = provider_on(served, tmp_path)
    try:
        assert p.target() == (f"served emulator at {served.url}, region {REGION}, SecretId "
                              f"{served.keys()[0][:6]}…")
        vpc = apply(p, None, name="over-http", cidr_block="10.42.0.0/16", tags={"team": "a"})
        assert vpc["id"].startswith("vpc-")
        vpc = apply(p, vpc, name="over-http", cidr_block="10.42.0.0/16", tags={"team": "b"})
        assert p.read(VPC, vpc).value["tags"] == {"team": "b"}
        # another client of the same account sees what the provider did
        [seen] = served.client().call_json("DescribeVpcs", {"VpcIds": [vpc["id"]]})[
            "Response"]["VpcSet"]
        assert seen["VpcName"] == "over-http"
        assert {t["Key"]: t["Value"] for t in seen["TagSet"]}.get("team") == "b"
        res = p.apply(ApplyRequest(VPC, f"{VPC}.x", vpc, None, None))
        assert not res.diagnostics.has_errors and res.new is None
        assert p.read(VPC, vpc).value is None
    finally:
        p.close()
    assert not (tmp_path / ".vpnform" / "cloud.db").exists()  # no embedded cloud opened


def test_wrong_key_is_the_clouds_refusal_at_once_with_no_secret(served, tmp_path):
    p = provider_on(served, tmp_path, secret_key="not-the-account-key")
    try:
        started = time.monotonic()
        res = p.read(VPC, {"id": "vpc-12345678", "name": "x", "cidr_block": "10.0.0.0/16"})
        assert time.monotonic() - started < 10  # not retried for the read budget
        [d] = res.diagnostics.errors
        assert "AuthFailure.SignatureFailure" in d.detail
        assert "not-the-account-key" not in d.detail
    finally:
        p.close()
