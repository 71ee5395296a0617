"""What a VPN gateway costs, from the cloud's own price inquiries (so the real cloud's real
prices are used, and the emulator answers from rules.py's price list).

Postpaid: ``InquiryPriceCreateVpnGateway``'s hourly ``UnitPrice`` × 730 hours. Prepaid: the
term's ``DiscountPrice`` ÷ its months; a prepaid gateway that exists is priced by
``InquiryPriceRenewVpnGateway`` (what its next term costs). Each distinct inquiry is asked
once per provider instance, i.e. once per run.
"""

from __future__ import annotations

from typing import Any, Callable

from engine import values as V
from engine.providers import HOURS_PER_MONTH, CostComponent, CostEstimate

from .client import CloudApiError, CloudError, VpcClient
from .resources.base import known, num

GATEWAY_TYPE = "tencentcloud_vpn_gateway"
EMULATOR_CURRENCY = "USD"  # rules.py's price list (the guide's table)
CLOUD_CURRENCY = "CNY"  # the real cloud's inquiries answer in yuan (the API's ItemPrice)
INQUIRY_TYPES = ("IPSEC", "SSL")  # the gateway types the create inquiry takes


class GatewayPricer:
    """Prices gateways through a client, remembering every answer for the run."""

    def __init__(self, client: Callable[[], VpcClient], region: str,
                 currency: str = EMULATOR_CURRENCY):
        self._client = client
        self.region = region
        self.currency = currency
        self._answers: dict[tuple, dict | str] = {}  # inquiry -> Price, or the error text

    def inquiries(self) -> int:
        """How many distinct inquiries were asked (each asked once)."""
        return len(self._answers)

    def _ask(self, action: str, **params: Any) -> dict | str:
        key = (action, tuple(sorted((k, repr(v)) for k, v in params.items())))
        if key not in self._answers:
            try:
                body = self._client().call(action, **params)
                self._answers[key] = body.get("Price") or {}
            except CloudError as err:
                detail = (f"{err.code}: {err.message}" if isinstance(err, CloudApiError)
                          else str(err))
                self._answers[key] = f"{action} failed ({detail})"
        return self._answers[key]

    def estimate(self, value: dict) -> CostEstimate:
        """The monthly cost of the gateway ``value`` (planned or recorded)."""
        missing = [a for a in ("bandwidth", "charge_type", "prepaid_period")
                   if V.is_unknown(V.strip_sensitive(value.get(a)))]
        charge = known(value.get("charge_type")) or "POSTPAID_BY_HOUR"
        if charge != "PREPAID" and "prepaid_period" in missing:
            missing.remove("prepaid_period")
        details = {"region": self.region, "bandwidth": num(value.get("bandwidth")),
                   "charge_type": None if "charge_type" in missing else charge}
        if missing:
            return CostEstimate(self.currency, unknown="cost unknown until apply: "
                                + ", ".join(missing) + " not known yet", details=details)
        bandwidth = num(value.get("bandwidth"))
        gtype = known(value.get("type"))
        if charge == "PREPAID":
            period = num(value.get("prepaid_period")) or 1
            details["prepaid_period"] = period
            gateway_id = known(value.get("id"))
            if gateway_id:
                price = self._ask("InquiryPriceRenewVpnGateway", VpnGatewayId=gateway_id,
                                  InstanceChargePrepaid={"Period": period})
                if not isinstance(price, str):
                    return self._prepaid(price, period, "InquiryPriceRenewVpnGateway",
                                         details, "renewal")
                # not (yet) a prepaid gateway in the cloud: price it as bought anew
            price = self._ask("InquiryPriceCreateVpnGateway", InternetMaxBandwidthOut=bandwidth,
                              InstanceChargeType="PREPAID",
                              InstanceChargePrepaid={"Period": period},
                              Type=gtype if gtype in INQUIRY_TYPES else None,
                              MaxConnection=num(value.get("max_connection"))
                              if gtype == "SSL" else None)
            if isinstance(price, str):
                return CostEstimate(self.currency, unknown=price, details=details)
            return self._prepaid(price, period, "InquiryPriceCreateVpnGateway", details,
                                 "term")
        price = self._ask("InquiryPriceCreateVpnGateway", InternetMaxBandwidthOut=bandwidth,
                          InstanceChargeType="POSTPAID_BY_HOUR",
                          Type=gtype if gtype in INQUIRY_TYPES else None,
                          MaxConnection=num(value.get("max_connection"))
                          if gtype == "SSL" else None)
        if isinstance(price, str):
            return CostEstimate(self.currency, unknown=price, details=details)
        hourly = float((price.get("InstancePrice") or {}).get("UnitPrice") or 0.0)
        monthly = round(hourly * HOURS_PER_MONTH, 2)
        return CostEstimate(
            self.currency, hourly=hourly, monthly=monthly,
            source="InquiryPriceCreateVpnGateway",
            details=details,
            components=[CostComponent(f"VPN gateway usage (postpaid, {bandwidth} Mbps)",
                                      "hours", HOURS_PER_MONTH, hourly, monthly)])

    def _prepaid(self, price: dict, period: int, source: str, details: dict, what: str
                 ) -> CostEstimate:
        instance = price.get("InstancePrice") or {}
        total = float(instance.get("DiscountPrice") or instance.get("OriginalPrice") or 0.0)
        monthly = round(total / period, 2)
        details = {**details, "term_price": total,
                   "list_price": float(instance.get("OriginalPrice") or total)}
        months = f"{period} month{'s' if period != 1 else ''}"
        return CostEstimate(
            self.currency, hourly=round(monthly / HOURS_PER_MONTH, 6), monthly=monthly,
            source=source, details=details,
            components=[CostComponent(f"VPN gateway prepaid {what} ({months}, {total:.2f} "
                                      f"{self.currency})", "month", 1, monthly, monthly)])
