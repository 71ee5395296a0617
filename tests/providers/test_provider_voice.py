"""Provider diagnostics in one voice (issue #9): a summary that is a short fixed phrase
(capitalised, no trailing period) and a detail of full sentences ending with a period, one
of which says how to fix the problem.

Three walks cover what the tencentcloud and strongswan providers can say:
- every diagnostic built in their source (``error(...)``, ``d.error(...)``, ``warning``),
  read with ``ast``: literal summaries and details, f-strings with their holes filled;
- every product rule of providers/tencentcloud/rules.py, triggered, since rule messages
  become details at plan time and the emulator's error messages at apply time;
- the details built from what the cloud or charon answered, and every error message the
  emulator sends (full sentences; the provider adds the fix when showing one).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from providers.tencentcloud import rules
from providers.tencentcloud.client import CloudApiError, CloudTransportError
from providers.tencentcloud.resources.base import cloud_error_detail

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ROOT / "providers"

# Sentences that say what to do start with one of these imperatives.
FIX_VERBS = frozenset("""
    Add Associate Change Check Choose Correct Create Declare Delete Disable Enable
    Fix Give Import Install Keep List Load Lower Make Merge Move Omit Pass Ping Prefer Raise
    Refer
    Remove Rename Replace Retry Reuse Route Run Select Set Shorten Split Start Summarise
    Unload Use Wait Write
""".split())

HOLE = "X"  # what an f-string's {...} becomes when a message is read from source


def sentences(text: str) -> list[str]:
    """Sentences of ``text``; a hole followed by a capitalised word is a computed sentence
    (made a sentence by ``engine.diagnostics.sentence``)."""
    return [s for s in re.split(rf"(?<=[.?!])\s+|(?<={HOLE})\s+(?=[A-Z])", text.strip()) if s]


def summary_problems(summary: str) -> list[str]:
    out = []
    if not summary or not (summary[0].isupper() or summary[0] == HOLE):
        out.append("summary does not start with a capital letter")
    if summary.endswith((".", ":", "!")):
        out.append("summary ends with punctuation")
    if len(summary.split()) > 7 or len(summary) > 60:
        out.append("summary is not a short phrase")
    return out


def detail_problems(detail: str) -> list[str]:
    out = []
    detail = detail.strip()
    if not detail:
        return ["detail is empty"]
    if not detail.endswith("."):
        out.append("detail does not end with a period")
    first = detail[0]
    if not (first.isupper() or first.isdigit() or first in "\"'`(" or first == HOLE):
        out.append("detail does not start a sentence")
    if not any(s.split()[0].strip("\"'`(,") in FIX_VERBS for s in sentences(detail)):
        out.append("detail has no sentence saying how to fix it")
    return out


# --- 1. every diagnostic written in the providers' source ------------------------------------

SOURCES = sorted(p for p in list((PROVIDERS / "tencentcloud").rglob("*.py"))
                 + list((PROVIDERS / "strongswan").rglob("*.py"))
                 if "emulator" not in p.parts)


def render(node: ast.AST) -> str | None:
    """The text of a literal, f-string or ``+`` of them; holes become X; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else
                       HOLE + "." if _is_sentence(v) else HOLE for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = render(node.left), render(node.right)
        if right is None:
            return None  # ends in something computed: checked where that is made
        return (HOLE if left is None else left) + right
    return None


def _is_sentence(hole: ast.AST) -> bool:
    """``{sentence(...)}``: text made a sentence by engine.diagnostics.sentence."""
    return (isinstance(hole, ast.FormattedValue) and isinstance(hole.value, ast.Call)
            and isinstance(hole.value.func, ast.Name) and hole.value.func.id == "sentence")


def render_detail(node: ast.AST) -> str | None:
    """A detail's text; None when it ends in something computed (a rule's message, what the
    cloud said): those are checked where they are made, below."""
    if isinstance(node, ast.JoinedStr) and node.values and not isinstance(
            node.values[-1], ast.Constant) and not _is_sentence(node.values[-1]):
        return None
    return render(node)
    return None


def diagnostic_calls(path: Path):
    """(line, summary node, detail node or None) of every diagnostic built in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if name not in ("error", "warning"):
            continue
        if isinstance(f, ast.Attribute) and not isinstance(f.value, ast.Name):
            continue
        detail = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "detail"), None)
        yield node.lineno, node.args[0], detail


def source_messages() -> list[tuple[str, str, str | None]]:
    out = []
    for path in SOURCES:
        for line, summary, detail in diagnostic_calls(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            s = render(summary)
            if s is None:
                continue  # a summary passed in: its literal is among the calls walked here
            out.append((where, s, render_detail(detail) if detail is not None else ""))
    return out


SOURCE_MESSAGES = source_messages()


def test_the_walk_finds_the_providers_diagnostics():
    files = {w.split(":")[0] for w, _, _ in SOURCE_MESSAGES}
    assert len(SOURCE_MESSAGES) > 60
    for module in ("providers/tencentcloud/provider.py", "providers/tencentcloud/cross_checks.py",
                   "providers/tencentcloud/resources/vpn_connection.py",
                   "providers/strongswan/connection.py", "providers/strongswan/provider.py"):
        assert module in files


@pytest.mark.parametrize("where,summary,detail", SOURCE_MESSAGES,
                         ids=[w for w, _, _ in SOURCE_MESSAGES])
def test_source_diagnostic_voice(where, summary, detail):
    problems = summary_problems(summary)
    if detail is not None:
        problems += detail_problems(detail)
    assert not problems, f"{where}: {summary!r} / {detail!r}: {problems}"


# --- 2. every product rule, triggered --------------------------------------------------------

BAD_INPUTS = {
    "check_cidr": [("10.0.1.5/24",), ("nonsense",)],
    "check_spd_syntax": [([("10.0.0.1/24", ["x"])],)],
    "check_spd_rules": [([("10.0.0.0/24", ["10.0.0.0/25"]),
                          ("10.0.0.0/25", ["1.0.0.0/24", "1.0.0.0/25"])],)],
    "check_spd_vpc": [([("192.168.0.0/24", ["10.0.5.0/24"])], "10.0.0.0/16")],
    "check_spd_limits": [([("10.0.0.0/24", [f"1.{i}.0.0/24" for i in range(51)])] * 11,)],
    "check_spd": [([("10.0.0.0/24", ["10.0.0.0/25"])], "10.0.0.0/8")],
    "check_customer_gateway_ip": [("nope",), ("127.0.0.1",), ("203.0.113.0",)],
    "check_limit": [(kind, lim.maximum + 1) for kind, lim in rules.LIMITS.items()],
    "check_gateways_per_vpc": [(11,)],
    "check_customer_gateways_per_region": [(21,)],
    "check_tunnels_per_customer_gateway": [(11,)],
    "check_tunnels_per_vpn_gateway": [(21,)],
    "check_spd_policies_per_tunnel": [(11,)],
    "check_peers_per_spd_policy": [(51,)],
    "check_bandwidth": [(7,)],
    "check_bandwidth_reset": [(100, 200), (5, 7)],
    "check_enum": [("X", ("A", "B"), "Thing")],
    "check_range": [(0, 1, 5, "The count"), (9, None, 5, "The count"), (0, 1, None, "The count"),
                    ("a", 1, 5, "The count")],
    "check_ike_encryption": [("ROT13",)],
    "check_ike_authentication": [("CRC",)],
    "check_exchange_mode": [("FAST",)],
    "check_identity": [("NAME",)],
    "check_dh_group": [("GROUP3",)],
    "check_ike_version": [("IKEV3",)],
    "check_ipsec_encryption": [("ROT13",)],
    "check_ipsec_integrity": [("CRC",)],
    "check_pfs_group": [("DH-GROUP3",)],
    "check_route_type": [("RIP",)],
    "check_negotiation_type": [("lazy",)],
    "check_ike_sa_lifetime": [(1,)],
    "check_ipsec_sa_lifetime": [(1,)],
    "check_ipsec_sa_lifetime_traffic": [(1,)],
    "check_dpd_enable": [(2,)],
    "check_dpd_timeout": [(1,)],
    "check_dpd_action": [("panic",)],
    "check_ike_identity": [("local", "FQDN", None, ""), ("remote", "ADDRESS", "nope", None)],
    "check_name": [("",), ("n" * 61,)],
    "check_bgp_asn": [(0,), (139341, True)],
    "check_health_check": [("PING", 1, 1, 1)],
    "check_vpc_cidr": [("10.0.0.1/16",), ("8.8.0.0/16",)],
    "check_subnet_cidr": [("10.0.0.1/24", "10.0.0.0/16"), ("10.1.0.0/24", "10.0.0.0/16"),
                          ("10.0.0.0/24", "10.0.0.0/16", ["10.0.0.0/25"])],
    "check_route_destination": [("10.0.0.1/24", None), ("10.0.1.0/24", "10.0.0.0/16")],
    "check_gateway_vpc": [("CCN", True), (None, False)],
    "check_charge_type_change": [("POSTPAID_BY_HOUR", "PREPAID")],
    "check_gateway_deletable": [("vpngw-1", "PREPAID", "2099-01-01 00:00:00",
                                 "2026-01-01 00:00:00")],
    "check_no_tunnels": [("VPN gateway", "vpngw-1", ["vpnx-1", "vpnx-2"])],
    "check_bgp_config": [("Bgp", False)],
}


def test_every_rule_is_triggered():
    checks = {n for n, f in inspect.getmembers(rules, inspect.isfunction)
              if n.startswith("check_") and f.__module__ == rules.__name__}
    assert checks == set(BAD_INPUTS)


RULE_MESSAGES = [(f"{name}{args!r}"[:80], v.message)
                 for name, cases in BAD_INPUTS.items() for args in cases
                 for v in getattr(rules, name)(*args)]


def test_every_bad_input_breaks_its_rule():
    broken = {w.split("(")[0] for w, _ in RULE_MESSAGES}
    assert broken == set(BAD_INPUTS)
    assert len(RULE_MESSAGES) >= sum(len(c) for c in BAD_INPUTS.values())


@pytest.mark.parametrize("where,message", RULE_MESSAGES, ids=[w for w, _ in RULE_MESSAGES])
def test_rule_message_voice(where, message):
    assert not detail_problems(message), (where, message, detail_problems(message))


# --- 3. what the cloud and charon answer -----------------------------------------------------

@pytest.mark.parametrize("error", [
    CloudApiError("InvalidParameterValue.Range", "`AutoRenewFlag` must be 0, 1 or 2.", "r-1"),
    CloudApiError("ResourceInUse", "VPN gateway vpngw-1 still has VPN connection(s) vpnx-1. "
                  "Delete the tunnels first.", "r-2"),
    CloudApiError("InternalError", "An internal error occurred.", ""),
    CloudApiError("RequestLimitExceeded", "Too many requests", "r-3"),
    CloudApiError("LimitExceeded", rules.check_gateways_per_vpc(11)[0].message, "r-4"),
    CloudTransportError("connection reset by peer"),
])
def test_cloud_error_detail_voice(error):
    detail = cloud_error_detail(error, [])
    assert not detail_problems(detail), (detail, detail_problems(detail))
    if isinstance(error, CloudApiError):
        assert error.code in detail  # the real API's code, as the cloud sent it


def emulator_messages() -> list[tuple[str, str]]:
    path = PROVIDERS / "tencentcloud" / "emulator" / "service.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "ApiError" and len(node.args) == 2):
            text = render_detail(node.args[1])
            if text is not None:
                out.append((f"service.py:{node.lineno}", text))
    return out


EMULATOR_MESSAGES = emulator_messages()


@pytest.mark.parametrize("where,message", EMULATOR_MESSAGES, ids=[w for w, _ in EMULATOR_MESSAGES])
def test_emulator_messages_are_sentences(where, message):
    """The emulator answers as the cloud does (a code and a message); vpnform shows the
    message inside its own detail, so it must read as full sentences."""
    assert message[0].isupper() or message[0] in "`X", (where, message)
    assert message.endswith("."), (where, message)


# --- 4. the providers' checks, triggered ------------------------------------------------------

BAD_POLICIES = [{"local_cidr_block": "10.0.0.1/24", "remote_cidr_block": ["10.0.0.0/25"]},
                {"local_cidr_block": "10.0.0.0/24",
                 "remote_cidr_block": ["1.0.0.0/24", "1.0.0.0/25"]}] + [
    {"local_cidr_block": f"10.{i}.0.0/24", "remote_cidr_block": ["2.0.0.0/24"]}
    for i in range(1, 11)]

BAD_CONFIGS = {
    "tencentcloud_vpc": {"name": "", "cidr_block": "8.8.0.0/16",
                         "dns_servers": ["1.1.1.1"] * 5, "assistant_cidrs": ["10.1.0.0/16"]},
    "tencentcloud_subnet": {"name": "", "cidr_block": "10.0.0.1/24"},
    "tencentcloud_route_table": {"name": "n" * 61},
    "tencentcloud_route_table_entry": {"destination_cidr_block": "bad", "next_type": "BOAT",
                                       "next_hub": "x"},
    "tencentcloud_vpn_gateway_route": {"destination_cidr_block": "bad", "instance_type": "X",
                                       "priority": 7, "status": "MAYBE"},
    "tencentcloud_vpn_gateway": {"name": "", "bandwidth": 7, "type": "BOGUS", "charge_type": "X",
                                 "prepaid_period": 5, "prepaid_renew_flag": "X",
                                 "max_connection": 3, "bgp_asn": 0, "vpc_id": None},
    "tencentcloud_vpn_customer_gateway": {"name": "", "public_ip_address": "127.0.0.1",
                                          "bgp_asn": 139341},
    "tencentcloud_vpn_connection": {
        "name": "", "pre_share_key": "", "security_group_policy": BAD_POLICIES,
        "ike_proto_encry_algorithm": "X", "ike_proto_authen_algorithm": "X",
        "ike_exchange_mode": "X", "ike_local_identity": "FQDN", "ike_remote_identity": "X",
        "ike_local_address": "1.2.3.4", "ike_local_fqdn_name": "a.example",
        "ike_remote_address": "nope", "ike_dh_group_name": "X", "ike_sa_lifetime_seconds": 1,
        "ike_version": "X", "ipsec_encrypt_algorithm": "X", "ipsec_integrity_algorithm": "X",
        "ipsec_sa_lifetime_seconds": 1, "ipsec_pfs_dh_group": "X",
        "ipsec_sa_lifetime_traffic": 1, "dpd_enable": 2, "dpd_timeout": 1, "dpd_action": "X",
        "route_type": "Bgp", "negotiation_type": "X",
        "health_check_config": [{"probe_type": "X", "probe_interval": 1, "probe_threshold": 1,
                                 "probe_timeout": 1}]},
}


def _triggered_tencentcloud():
    from providers.tencentcloud.provider import TencentCloudProvider
    provider = TencentCloudProvider("/nonexistent")
    out = []
    for type_name, config in BAD_CONFIGS.items():
        out += [(type_name, d) for d in provider.validate(type_name, config)]
    # in-place updates the cloud cannot make
    from providers.tencentcloud.resources import RESOURCES
    gw = RESOURCES["tencentcloud_vpn_gateway"]
    prior = {"bandwidth": 100, "type": "IPSEC", "charge_type": "POSTPAID_BY_HOUR",
             "max_connection": 5}
    out += [("tencentcloud_vpn_gateway update", d) for d in gw.plan_checks(
        prior, {"bandwidth": 200, "type": "SSL", "charge_type": "PREPAID", "max_connection": 10})]
    return out


def _triggered_strongswan():
    from providers.strongswan import connection
    config = {
        "name": "bad name", "ike_version": 2, "aggressive": True, "mobike": True,
        "local_addrs": ["a, b"], "local_id": " ", "psk": "", "proposals": [],
        "child": [
            {"name": "bad name", "local_ts": ["10.0.0.1/24", "10.0.0.1"],
             "remote_ts": ["nonsense"], "esp_proposals": ["aes128-prfsha256", "rot13-sha1"],
             "start_action": "go", "life_time": 10, "rekey_time": 20, "reqid": 3},
            {"name": "c", "esp_proposals": ["aes128gcm16-sha256"], "reqid": 3},
            {"name": "c", "esp_proposals": ["sha256"]},
        ]}
    out = [("strongswan_connection", d) for d in connection.validate(config)]
    v1 = {"name": "v1", "ike_version": 1, "aggressive": True, "mobike": True,
          "proposals": ["aes128gcm16-prfsha256-modp2048", "aes128-sha256", "aes128-esn-modp2048"]}
    out += [("strongswan_connection v1", d) for d in connection.validate(v1)]
    return out


TRIGGERED = _triggered_tencentcloud() + _triggered_strongswan()


def test_the_triggers_reach_every_kind_of_check():
    summaries = {d.summary for _, d in TRIGGERED}
    assert len(TRIGGERED) > 60
    for s in ("Invalid SPD policy", "Limit exceeded", "Invalid CIDR block",
              "Unsupported bandwidth", "Missing required argument", "Unsupported change",
              "Unsupported bandwidth change", "Invalid customer gateway address",
              "Invalid traffic selector", "Invalid proposal", "Duplicate reqid"):
        assert s in summaries, s


@pytest.mark.parametrize("where,diag", TRIGGERED,
                         ids=[f"{w}-{d.summary}-{i}" for i, (w, d) in enumerate(TRIGGERED)])
def test_triggered_diagnostic_voice(where, diag):
    problems = summary_problems(diag.summary) + detail_problems(diag.detail)
    assert not problems, (where, diag.summary, diag.detail, problems)
