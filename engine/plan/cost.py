"""The monthly cost of a plan (before → after, per object, Infracost-style) and of a state,
priced by the providers that implement the optional ``estimate_cost``; its JSON form.

Totals add the objects whose cost is known; those that are not (an unknown bandwidth, a
failed inquiry) are counted in ``unknown`` and shown as such, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..addrs import MANAGED
from ..providers import HOURS_PER_MONTH, CostComponent, CostEstimate
from .model import Action, Plan

# The change symbols of Infracost's diff: + added, - removed, ~ changed.
CHANGE_SYMBOL = {"create": "+", "delete": "-", "update": "~", "replace": "~", "no-op": " "}


@dataclass
class ResourceCost:
    address: str
    type_name: str
    change: str  # "create" | "delete" | "update" | "replace" | "no-op"
    before: CostEstimate | None  # None: no object before (or not priced)
    after: CostEstimate | None  # None: no object after

    @property
    def known(self) -> bool:
        return all(e is None or e.unknown is None for e in (self.before, self.after))

    @property
    def past_monthly(self) -> float:
        return _monthly(self.before)

    @property
    def monthly(self) -> float:
        return _monthly(self.after)

    @property
    def delta_monthly(self) -> float:
        return round(self.monthly - self.past_monthly, 2)


@dataclass
class CostReport:
    """Priced objects, with totals before and after (only the before for a state)."""

    resources: list = field(default_factory=list)  # ResourceCost
    currency: str = "USD"

    def _total(self, attr: str) -> float:
        return round(sum(getattr(r, attr) for r in self.resources if r.known), 2)

    @property
    def past_monthly(self) -> float:
        return self._total("past_monthly")

    @property
    def monthly(self) -> float:
        return self._total("monthly")

    @property
    def delta_monthly(self) -> float:
        return round(self.monthly - self.past_monthly, 2)

    @property
    def hourly(self) -> float:
        """The hourly cost after (a prepaid term counted as its monthly price / 730)."""
        return round(sum(r.after.hourly or 0.0 for r in self.resources
                         if r.known and r.after is not None), 6)

    @property
    def unknown(self) -> list:
        return [r for r in self.resources if not r.known]

    @property
    def changed(self) -> list:
        return [r for r in self.resources if r.change != "no-op"]


def _monthly(e: CostEstimate | None) -> float:
    return 0.0 if e is None or e.monthly is None else e.monthly


def _estimate(provider, type_name: str, value) -> CostEstimate | None:
    estimate = getattr(provider, "estimate_cost", None)
    if estimate is None or value is None:
        return None
    return estimate(type_name, value)


def _change_name(action: Action) -> str | None:
    if action.is_replace:
        return "replace"
    return {Action.CREATE: "create", Action.DELETE: "delete", Action.UPDATE: "update",
            Action.NOOP: "no-op"}.get(action)


def plan_cost(plan: Plan, providers) -> CostReport | None:
    """Price the plan's objects before and after; None when no provider prices any."""
    report = CostReport()
    changes = list(plan.changes.values()) + list(plan.deposed.values())
    for ch in sorted(changes, key=lambda c: (c.addr.sort_key(), c.deposed)):
        change = _change_name(ch.action)
        if ch.addr.resource.mode != MANAGED:
            continue
        provider = providers.get(ch.provider)
        if change is None or provider is None:
            continue  # reads and forgets: the bill does not change with this plan
        type_name = ch.addr.resource.type
        before = _estimate(provider, type_name, ch.before)
        after = None if change == "delete" else _estimate(provider, type_name, ch.after)
        if before is None and after is None:
            continue
        address = str(ch.addr) + (f" (deposed {ch.deposed})" if ch.deposed else "")
        report.resources.append(ResourceCost(address, type_name, change, before, after))
        report.currency = (after or before).currency  # type: ignore[union-attr]
    return report if report.resources else None


def state_cost(state, providers) -> CostReport:
    """Price every object recorded in ``state`` (``after`` = as it is now)."""
    report = CostReport()
    for addr, rs, obj in state.instances():
        if addr.resource.mode != MANAGED:
            continue
        provider = providers.get(rs.provider)
        estimate = _estimate(provider, addr.resource.type, obj.attributes)
        if estimate is None:
            continue
        report.resources.append(ResourceCost(str(addr), addr.resource.type, "no-op", None,
                                             estimate))
        report.currency = estimate.currency
    return report


# --- JSON ------------------------------------------------------------------------------------

def _money(v: float | None) -> str | None:
    """Money as Infracost writes it: a decimal string, null when unknown."""
    return None if v is None else f"{v:.2f}"


def _estimate_json(e: CostEstimate | None) -> dict | None:
    if e is None:
        return None
    return {"hourlyCost": None if e.hourly is None else f"{e.hourly:g}",
            "monthlyCost": _money(e.monthly), "currency": e.currency, "source": e.source,
            "unknown": e.unknown, "details": dict(e.details),
            "costComponents": [{"name": c.name, "unit": c.unit,
                                "monthlyQuantity": f"{c.monthly_quantity:g}",
                                "price": f"{c.price:g}", "monthlyCost": _money(c.monthly_cost)}
                               for c in e.components]}


def cost_json(report: CostReport, breakdown: bool = False) -> dict:
    """Infracost's diff shape, kept small: past/new/diff totals and one entry per object
    (``breakdown``: what exists now, with no past or diff: null, as Infracost writes)."""
    return {
        "currency": report.currency, "hoursPerMonth": HOURS_PER_MONTH,
        "totalHourlyCost": f"{report.hourly:g}",
        "pastTotalMonthlyCost": None if breakdown else _money(report.past_monthly),
        "totalMonthlyCost": _money(report.monthly),
        "diffTotalMonthlyCost": None if breakdown else _money(report.delta_monthly),
        "unknownResources": [r.address for r in report.unknown],
        "resources": [{"name": r.address, "resourceType": r.type_name, "change": r.change,
                       "before": _estimate_json(r.before), "after": _estimate_json(r.after),
                       "diffMonthlyCost": _money(r.delta_monthly) if r.known else None}
                      for r in report.resources],
    }


def _estimate_from_json(j: dict | None) -> CostEstimate | None:
    if j is None:
        return None
    num = (lambda v: None if v is None else float(v))  # noqa: E731
    return CostEstimate(
        currency=j.get("currency", "USD"), hourly=num(j.get("hourlyCost")),
        monthly=num(j.get("monthlyCost")), source=j.get("source", ""),
        unknown=j.get("unknown"), details=dict(j.get("details") or {}),
        components=[CostComponent(c["name"], c["unit"], float(c["monthlyQuantity"]),
                                  float(c["price"]), float(c["monthlyCost"] or 0))
                    for c in j.get("costComponents", [])])


def cost_from_json(doc: dict) -> CostReport:
    return CostReport([ResourceCost(r["name"], r["resourceType"], r["change"],
                                    _estimate_from_json(r.get("before")),
                                    _estimate_from_json(r.get("after")))
                       for r in doc.get("resources", [])], doc.get("currency", "USD"))


# --- text --------------------------------------------------------------------------------

def signed(v: float) -> str:
    return f"{'+' if v >= 0 else '-'}{abs(v):.2f}"


def diff_lines(report: CostReport) -> list[str]:
    """The plan's cost change, as Infracost's ``diff`` prints it."""
    cur = report.currency
    out = [f"Monthly cost estimate ({HOURS_PER_MONTH} hours a month, {cur}):", ""]
    for r in report.changed:
        sym = CHANGE_SYMBOL[r.change]
        if not r.known:
            why = next(e.unknown for e in (r.after, r.before) if e and e.unknown)
            out.append(f"{sym} {r.address}")
            out.append(f"    {why}")
            continue
        out.append(f"{sym} {r.address}  {signed(r.delta_monthly)} "
                   f"({r.past_monthly:.2f} -> {r.monthly:.2f})")
        shown = r.after or r.before
        for c in shown.components if shown else []:
            out.append(f"    └─ {c.name}  {c.monthly_quantity:g} {c.unit} × {c.price:g}"
                       f" = {c.monthly_cost:.2f}")
    if not report.changed:
        out.append("No change to the monthly cost.")
    out += ["", f"Monthly cost change: {signed(report.delta_monthly)} {cur} "
            f"({report.past_monthly:.2f} {cur} -> {report.monthly:.2f} {cur})"]
    if report.unknown:
        out.append(f"({len(report.unknown)} object(s) not counted: cost unknown until apply "
                   "or not priced)")
    return out
