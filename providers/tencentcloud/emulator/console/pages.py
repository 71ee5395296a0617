"""The web console's HTML: one function per page, from the API's answers to a document.

Every value goes into the page through ``tag``/``esc``, which escape it (``html.escape``)
unless it is already ``Html``; no page is assembled from raw strings. Pages render a
chosen set of fields of each object, so a field such as ``PreShareKey`` never reaches one.
"""

from __future__ import annotations

import html
from typing import Any, Iterable
from urllib.parse import urlencode

from ... import rules

ROOT = "/console/"
CSS = """
body{font-family:"DejaVu Sans",sans-serif;margin:0;color:#1d2530;background:#f4f6f9}
header{background:#0b3d91;color:#fff;padding:12px 24px;display:flex;gap:16px;
 align-items:center;flex-wrap:wrap}
header .session{margin-left:auto;display:flex;gap:12px;align-items:center}
header h1{font-size:20px;margin:0;font-weight:600}
header a{color:#fff;text-decoration:none;margin-right:14px}
header form{display:inline;margin:0}
main{padding:16px 24px}
h2{font-size:18px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;min-width:60%}
th,td{border:1px solid #c9d1dc;padding:6px 10px;text-align:left;font-size:14px}
th{background:#e3e9f2}
.status-ok{color:#126b2f;font-weight:600}
.status-bad{color:#a61b1b;font-weight:600}
.note{color:#56606d}
.error{color:#a61b1b;font-weight:600}
.signin{max-width:420px;margin:60px auto;background:#fff;padding:24px;border:1px solid #c9d1dc}
.signin label{display:block;margin-top:12px}
.signin input{width:100%;box-sizing:border-box;padding:6px}
button{padding:4px 12px}
.signin button{margin-top:12px}
img.chart{background:#fff;border:1px solid #c9d1dc;max-width:100%}
"""

# A state or network status shown as good; anything else is shown as bad.
GOOD = {"AVAILABLE", "RUNNING", "NORMAL", "OK"}


class Html(str):
    """Text that is HTML already (made by ``tag``, ``esc`` or ``join``)."""


def esc(value: Any) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable[Any]) -> Html:
    return Html("".join(esc(p) for p in parts))


def tag(element: str, /, *children: Any, **attrs: Any) -> Html:
    """``<name attrs>children</name>``; ``class_`` is written ``class``; an attribute of
    value True is written bare, one of None or False is left out."""
    written = []
    for key, value in attrs.items():
        key = key.rstrip("_").replace("_", "-")
        if value is True:
            written.append(f" {key}")
        elif value is not None and value is not False:
            written.append(f' {key}="{esc(value)}"')
    opening = f"<{element}{''.join(written)}>"
    if element in ("input", "img", "meta", "link"):
        return Html(opening)
    return Html(f"{opening}{join(children)}</{element}>")


def link(path: str, **query: Any) -> str:
    """A console URL (``path`` under /console/) with its query."""
    q = urlencode({k: v for k, v in query.items() if v is not None})
    return ROOT + path + (f"?{q}" if q else "")


def status(value: Any) -> Html:
    return tag("span", value or "-", class_="status-ok" if value in GOOD else "status-bad")


def table(headings: list[str], rows: list[list[Any]], empty: str) -> Html:
    if not rows:
        return tag("p", empty, class_="note")
    return tag("table", tag("tr", *[tag("th", h) for h in headings]),
               *[tag("tr", *[tag("td", c) for c in row]) for row in rows])


def document(title: str, body: Html) -> bytes:
    page = Html("<!DOCTYPE html>") + tag(
        "html", tag("head", tag("meta", charset="utf-8"), tag("title", title),
                    tag("link", rel="stylesheet", href=ROOT + "style.css")),
        tag("body", body), lang="en")
    return page.encode("utf-8")


def layout(title: str, account: str, region: str, page: str, body: Html,
           query: dict | None = None) -> bytes:
    """A signed-in page: the header (sections, region picker, sign-out), then ``body``."""
    nav = tag("nav", *[tag("a", label, href=link(path, region=region)) for path, label in
                       (("gateways", "VPN gateways"), ("customer-gateways", "Customer gateways"),
                        ("tunnels", "Tunnels"), ("alarms", "Alarm history"))])
    picker = tag("form", *[tag("input", type="hidden", name=k, value=v)
                           for k, v in (query or {}).items()],
                 tag("select", *[tag("option", r, value=r, selected=(r == region))
                                 for r in rules.REGIONS], name="region",
                     aria_label="Region"),
                 tag("button", "Show region", type="submit"), method="get", action=ROOT + page)
    signout = tag("form", tag("button", "Sign out", type="submit"), method="post",
                  action=ROOT + "signout")
    header = tag("header", tag("h1", "vpnform cloud console"), nav,
                 tag("div", picker, tag("span", f"Account: {account}"), signout,
                     class_="session"))
    return document(f"{title} - vpnform cloud console",
                    join([header, tag("main", tag("h2", f"{title} in {region}"), body)]))


def signin(message: str | None = None) -> bytes:
    form = tag("form",
               tag("h1", "vpnform cloud console"),
               tag("p", "Sign in with an account's API keys."),
               tag("p", message, class_="error") if message else "",
               tag("label", "SecretId", tag("input", name="secret_id", autocomplete="username",
                                            required=True)),
               tag("label", "SecretKey", tag("input", name="secret_key", type="password",
                                             autocomplete="current-password", required=True)),
               tag("button", "Sign in", type="submit"),
               method="post", action=ROOT + "signin", class_="signin")
    return document("Sign in - vpnform cloud console", form)


def problem(title: str, message: str) -> bytes:
    return document(f"{title} - vpnform cloud console",
                    join([tag("h1", title), tag("p", message, class_="error"),
                          tag("p", tag("a", "Back to the console", href=ROOT))]))


def gateways(gws: list[dict]) -> Html:
    return table(["Name", "ID", "Type", "State", "Public IP", "Bandwidth (Mbps)", "VPC", "Zone",
                  "Billing"],
                 [[g.get("VpnGatewayName"), g.get("VpnGatewayId"), g.get("Type"),
                   status(g.get("State")), g.get("PublicIpAddress"),
                   g.get("InternetMaxBandwidthOut"), g.get("VpcId"), g.get("Zone"),
                   g.get("InstanceChargeType")] for g in gws],
                 "No VPN gateway in this region.")


def customer_gateways(cgws: list[dict]) -> Html:
    return table(["Name", "ID", "IP address", "BGP ASN", "Created"],
                 [[c.get("CustomerGatewayName"), c.get("CustomerGatewayId"), c.get("IpAddress"),
                   c.get("BgpAsn") or "-", c.get("CreatedTime")] for c in cgws],
                 "No customer gateway in this region.")


def tunnels(conns: list[dict], region: str) -> Html:
    return table(["Name", "ID", "VPN gateway", "Customer gateway", "State", "Network status",
                  "Route type", "SPD pairs"],
                 [[tag("a", c.get("VpnConnectionName"),
                       href=link("tunnel", region=region, id=c.get("VpnConnectionId"))),
                   c.get("VpnConnectionId"), c.get("VpnGatewayId"), c.get("CustomerGatewayId"),
                   status(c.get("State")), status(c.get("NetStatus")), c.get("RouteType"),
                   _spd_pairs(c)] for c in conns],
                 "No tunnel in this region.")


def _spd_pairs(conn: dict) -> str:
    pairs = [f"{p.get('LocalCidrBlock')} ↔ {', '.join(p.get('RemoteCidrBlock') or [])}"
             for p in conn.get("SecurityPolicyDatabaseSet") or []]
    return "; ".join(pairs) or "-"


def tunnel(conn: dict, region: str, vendors: list[dict], histories: list[dict] | None,
           period: int, periods: tuple[int, ...]) -> Html:
    """One tunnel: its settings (no key), charts, configuration download, alarms."""
    cid = conn.get("VpnConnectionId")
    ike = conn.get("IKEOptionsSpecification") or {}
    ipsec = conn.get("IPSECOptionsSpecification") or {}
    facts = table(["Setting", "Value"], [
        ["Name", conn.get("VpnConnectionName")], ["ID", cid],
        ["VPN gateway", conn.get("VpnGatewayId")],
        ["Customer gateway", conn.get("CustomerGatewayId")],
        ["State", status(conn.get("State"))], ["Network status", status(conn.get("NetStatus"))],
        ["Route type", conn.get("RouteType")], ["SPD pairs", _spd_pairs(conn)],
        ["IKE", f"{ike.get('IKEVersion')} {ike.get('PropoEncryAlgorithm')} / "
                f"{ike.get('PropoAuthenAlgorithm')} / {ike.get('DhGroupName')}, SA lifetime "
                f"{ike.get('IKESaLifetimeSeconds')} s"],
        ["IPsec", f"{ipsec.get('EncryptAlgorithm')} / {ipsec.get('IntegrityAlgorithm')} / "
                  f"PFS {ipsec.get('PfsDhGroup')}, SA lifetime "
                  f"{ipsec.get('IPSECSaLifetimeSeconds')} s"],
        ["Created", conn.get("CreatedTime")]], "")
    period_form = tag(
        "form", tag("input", type="hidden", name="region", value=region),
        tag("input", type="hidden", name="id", value=cid),
        tag("select", *[tag("option", f"{p} s points", value=p, selected=(p == period))
                        for p in periods], name="period", aria_label="Period"),
        tag("button", "Show", type="submit"), method="get", action=ROOT + "tunnel")
    chart = tag("img", class_="chart", alt=f"Monitoring charts of {cid}",
                src=link("chart.svg", region=region, id=cid, period=period))
    download = tag(
        "form", tag("input", type="hidden", name="region", value=region),
        tag("input", type="hidden", name="id", value=cid),
        tag("label", "Vendor ",
            tag("select", *[tag("option", f"{v.get('VendorName')} {v.get('Platform')} "
                                          f"{v.get('SoftwareVersion')}", value=i)
                            for i, v in enumerate(vendors)], name="vendor")),
        " ",
        tag("label", "Outside interface ",
            tag("input", name="interface", placeholder="the vendor's usual one")),
        " ", tag("button", "Download configuration", type="submit"),
        tag("p", "The file holds the tunnel's pre-shared key: keep it private.", class_="note"),
        method="get", action=ROOT + "config")
    return join([facts,
                 tag("h2", "Monitoring (last hour)"), period_form, chart,
                 tag("h2", "Device configuration"), download,
                 tag("h2", "Alarm history"), alarm_history(histories)])


def alarm_history(histories: list[dict] | None) -> Html:
    if histories is None:
        return tag("p", "No alarms: this cloud serves no alarm history.", class_="note")
    rows = [[h.get("PolicyName"), h.get("AlarmObject"), h.get("Content"),
             status(h.get("AlarmStatus")), _when(h.get("FirstOccurTime")),
             _when(h.get("LastOccurTime"))] for h in histories]
    return table(["Policy", "Object", "Content", "Status", "First", "Last"], rows,
                 "No alarms.")


def _when(unix: Any) -> str:
    import time
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(unix)))
    except (TypeError, ValueError, OverflowError):
        return "-"


def cloud_error(error: dict) -> Html:
    return tag("p", f"The cloud answered {error.get('Code')}: {error.get('Message')}",
               class_="error")
