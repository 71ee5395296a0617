"""The provider's ``estimate_cost``: priced by the emulator's price inquiries (the real
embedded service), each distinct inquiry asked once a run, unknowns and failures honest."""

from __future__ import annotations

from engine import values as V
from providers.tencentcloud.client import InProcessTransport, RetryPolicy
from providers.tencentcloud.connection import Connection
from providers.tencentcloud.provider import TencentCloudProvider

GW = "tencentcloud_vpn_gateway"


class CountingTransport(InProcessTransport):
    """The in-process transport to the real emulated service, counting what it sends."""

    def __init__(self, service):
        super().__init__(service)
        self.sent: list[str] = []

    def send(self, action, params, region):
        self.sent.append(action)
        return super().send(action, params, region)


def _provider(svc, region="ap-guangzhou"):
    transport = CountingTransport(svc)
    p = TencentCloudProvider(".", transport=transport)
    p.retry = RetryPolicy(attempts=1, base_delay=0.001, max_delay=0.01)
    assert not p.configure({"region": region})
    return p, transport


def _gw(**values):
    return {"bandwidth": 5, "charge_type": "POSTPAID_BY_HOUR", "prepaid_period": 1,
            "type": "IPSEC", **values}


def test_one_inquiry_per_distinct_gateway_shape(svc):
    p, transport = _provider(svc)
    for _ in range(3):
        assert p.estimate_cost(GW, _gw()).monthly == 56.94
    assert p.estimate_cost(GW, _gw(bandwidth=10)).monthly == 56.94
    assert transport.sent == ["InquiryPriceCreateVpnGateway"] * 2
    assert p.estimate_cost("tencentcloud_vpn_connection", {"id": "vpnx-1"}) is None
    assert len(transport.sent) == 2


def test_unknown_charge_type_is_not_asked(svc):
    p, transport = _provider(svc)
    e = p.estimate_cost(GW, _gw(charge_type=V.UNKNOWN))
    assert (e.monthly, e.unknown) == (None, "cost unknown until apply: charge_type not known yet")
    assert transport.sent == []


def test_unsold_region_is_unknown_with_the_clouds_reason(svc):
    p, _ = _provider(svc, region="ap-jakarta")  # a region without a VPN price
    e = p.estimate_cost(GW, _gw())
    assert e.monthly is None and "InquiryPriceCreateVpnGateway failed" in e.unknown
    assert "UnsupportedRegion" in e.unknown


def test_prepaid_gateway_not_in_the_cloud_is_priced_as_bought(svc):
    p, transport = _provider(svc)
    e = p.estimate_cost(GW, _gw(id="vpngw-00000000", charge_type="PREPAID", prepaid_period=6))
    # the renew inquiry refuses an unknown gateway: priced by the create inquiry instead
    assert transport.sent == ["InquiryPriceRenewVpnGateway", "InquiryPriceCreateVpnGateway"]
    assert (e.source, e.details["term_price"], e.monthly) == (
        "InquiryPriceCreateVpnGateway", 336.96, 56.16)


def test_real_clouds_prices_are_labelled_in_yuan(svc):
    """The emulators answer from the guide's USD table; the real cloud's inquiries answer in
    yuan (the API's ItemPrice), so its figures are never labelled USD."""
    p, _ = _provider(svc)
    assert p.estimate_cost(GW, _gw()).currency == "USD"
    real, _ = _provider(svc)
    real.connection = Connection("ap-guangzhou", secret_id="AKIDexample", secret_key="k")
    assert real.connection.describe("").startswith("the real cloud")
    e = real.estimate_cost(GW, _gw())
    assert (e.currency, e.monthly) == ("CNY", 56.94)
