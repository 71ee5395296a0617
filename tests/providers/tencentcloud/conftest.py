"""Fixtures for the tencentcloud provider tests: an emulator in a tmp dir, a provider on it."""

import pytest
from tc_support import BASE_PSK, REGION, Api, blank_config

from engine import values as V
from engine.providers import ApplyRequest, PlanRequest
from providers.tencentcloud.client import RetryPolicy
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
from providers.tencentcloud.provider import TencentCloudProvider


@pytest.fixture(autouse=True)
def no_emulator_delay(monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    # A developer's credentials or endpoint must never send these tests to a real cloud.
    for name in ("TENCENTCLOUD_REGION", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",
                 "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_ENDPOINT",
                 "TENCENTCLOUD_READ_RETRY_TIMEOUT", "TENCENTCLOUD_WRITE_RETRY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path):
    s = SqliteStore.for_workdir(tmp_path)
    yield s
    s.close()


@pytest.fixture
def svc(store):
    return EmulatedVpcService(store)


@pytest.fixture
def api(svc):
    return Api(svc)


@pytest.fixture
def provider(tmp_path):
    p = TencentCloudProvider(str(tmp_path))
    p.retry = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01)
    p.poll_timeout = 5
    assert not p.configure({"region": REGION})
    yield p
    p.close()


@pytest.fixture
def tc(provider):
    """Helpers driving the provider like the engine does."""

    class Driver:
        p = provider

        def config(self, type_name, **values):
            return blank_config(provider, type_name, **values)

        def plan(self, type_name, prior, **values):
            return provider.plan(
                PlanRequest(type_name, f"{type_name}.x", prior, self.config(type_name, **values))
            )

        def create(self, type_name, **values):
            cfg = self.config(type_name, **values)
            assert not provider.validate(type_name, cfg).has_errors
            planned = provider.plan(PlanRequest(type_name, f"{type_name}.x", None, cfg))
            assert not planned.diagnostics.has_errors, planned.diagnostics
            res = provider.apply(
                ApplyRequest(type_name, f"{type_name}.x", None, planned.planned, cfg)
            )
            assert not res.diagnostics.has_errors, list(res.diagnostics)
            return res.new

        def update(self, type_name, prior, **values):
            cfg = self.config(type_name, **values)
            planned = provider.plan(PlanRequest(type_name, f"{type_name}.x", prior, cfg))
            return planned, provider.apply(
                ApplyRequest(type_name, f"{type_name}.x", prior, planned.planned, cfg)
            )

        def delete(self, type_name, prior):
            return provider.apply(ApplyRequest(type_name, f"{type_name}.x", prior, None, None))

    return Driver()


@pytest.fixture
def base(tc):
    """The objects every new object below builds on."""
    vpc = tc.create("tencentcloud_vpc", name="v", cidr_block="192.168.0.0/16")
    rt = tc.create("tencentcloud_route_table", vpc_id=vpc["id"], name="rt")
    gw = tc.create("tencentcloud_vpn_gateway", name="gw", vpc_id=vpc["id"], bandwidth=5)
    cgw = tc.create("tencentcloud_vpn_customer_gateway", name="cgw",
                    public_ip_address="202.108.22.5")
    conn = tc.create("tencentcloud_vpn_connection", name="conn", vpc_id=vpc["id"],
                     vpn_gateway_id=gw["id"], customer_gateway_id=cgw["id"],
                     pre_share_key=V.Sensitive(BASE_PSK), security_group_policy=[
                         {"local_cidr_block": "192.168.1.0/24",
                          "remote_cidr_block": ["10.0.1.0/24"]}])
    return {"vpc": vpc, "rt": rt, "gw": gw, "cgw": cgw, "conn": conn}
