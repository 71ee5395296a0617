"""The security lint through the CLI: the quickstart's guide-faithful tunnel shows its
findings as warnings; -lint=error fails plan, apply and validate (for pipelines); -lint=off
hides them; -json and validate -json carry them as diagnostics; no output holds the key."""

import json

from cli import cloud_is_empty, diagnostics, errors, plan_summary, run, write_config

QUICKSTART_FINDINGS = sorted([
    "Weak encryption algorithm", "Weak encryption algorithm", "Weak integrity algorithm",
    "Weak integrity algorithm", "Weak DH group", "PFS disabled", "IKEv1 in use"])
CONN = "tencentcloud_vpn_connection.tom"

# A second tunnel on the quickstart's gateways, sharing the first one's key.
SECOND_TUNNEL = """
resource "tencentcloud_vpn_connection" "backup" {
  name                       = "TomVPNConnBackup"
  vpc_id                     = tencentcloud_vpc.tom.id
  vpn_gateway_id             = tencentcloud_vpn_gateway.tom.id
  customer_gateway_id        = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key              = var.psk
  ike_version                = "IKEV2"
  ike_proto_encry_algorithm  = "AES-CBC-256"
  ike_proto_authen_algorithm = "SHA-256"
  ike_dh_group_name          = "GROUP14"
  ipsec_encrypt_algorithm    = "AES-CBC-256"
  ipsec_integrity_algorithm  = "SHA-256"
  ipsec_pfs_dh_group         = "DH-GROUP14"

  security_group_policy {
    local_cidr_block  = "192.168.2.0/24"
    remote_cidr_block = ["10.0.2.0/24"]
  }
}
"""
WEAK_PSK = "letmein"


def _summaries(res, severity="Warning"):
    return sorted(d.summary for d in diagnostics(res.output) if d.severity == severity)


def test_the_quickstart_plans_with_its_findings_shown_as_warnings(quickstart):
    res = run(quickstart, "plan")
    assert res.code == 0, res
    assert plan_summary(res.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."
    assert _summaries(res) == QUICKSTART_FINDINGS, res
    [dh] = [d for d in diagnostics(res.output) if d.summary == "Weak DH group"]
    assert (dh.filename, dh.address) == ("main.tf", CONN)
    assert 'ike_dh_group_name = "GROUP14"' in dh.detail

    off = run(quickstart, "plan", "-lint=off")
    assert off.code == 0 and _summaries(off) == [], off


def test_lint_error_fails_plan_and_apply_and_creates_nothing(quickstart):
    plan = run(quickstart, "plan", "-lint=error", "-detailed-exitcode")
    assert plan.code == 1, plan
    assert sorted(d.summary for d in errors(plan.output)) == QUICKSTART_FINDINGS
    assert plan_summary(plan.stdout) is None

    apply = run(quickstart, "apply", "-auto-approve", "-lint=error")
    assert apply.code == 1 and "Apply complete" not in apply.stdout, apply
    assert cloud_is_empty(quickstart) == {}

    # any other value is a policy file's path
    bad = run(quickstart, "plan", "-lint=strict")
    assert bad.code == 1 and "Error reading strict: No such file" in bad.output, bad


def test_validate_json_carries_the_findings_as_diagnostics(quickstart):
    res = run(quickstart, "validate", "-json")
    assert res.code == 0, res
    out = json.loads(res.stdout)
    assert out["valid"] is True and out["warning_count"] == len(QUICKSTART_FINDINGS)
    assert sorted(d["summary"] for d in out["diagnostics"]) == QUICKSTART_FINDINGS
    assert {(d["severity"], d["address"], d["range"]["filename"])
            for d in out["diagnostics"]} == {("warning", CONN, "main.tf")}

    strict = run(quickstart, "validate", "-json", "-lint=error")
    assert strict.code == 1, strict
    out = json.loads(strict.stdout)
    assert out["valid"] is False and out["error_count"] == len(QUICKSTART_FINDINGS)


def test_plan_json_streams_the_findings_as_diagnostic_messages(quickstart):
    res = run(quickstart, "plan", "-json")
    assert res.code == 0, res
    messages = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    found = sorted(m["diagnostic"]["summary"] for m in messages
                   if m.get("type") == "diagnostic" and m["diagnostic"]["severity"] == "warning")
    assert found == QUICKSTART_FINDINGS


def test_weak_and_reused_keys_are_reported_and_never_printed(quickstart):
    write_config(quickstart, SECOND_TUNNEL, "backup.tf")
    env = {"TF_VAR_psk": WEAK_PSK}
    outputs = []

    plan = run(quickstart, "plan", env=env)
    outputs.append(plan.output)
    assert plan.code == 0, plan
    found = {(d.summary, d.address) for d in diagnostics(plan.output)}
    assert ("Weak pre-shared key", CONN) in found
    assert ("Weak pre-shared key", "tencentcloud_vpn_connection.backup") in found
    [reused] = [d for d in diagnostics(plan.output) if d.summary == "Pre-shared key reused"]
    # reported once, on the later address, naming the other tunnel
    assert reused.address == CONN and "tencentcloud_vpn_connection.backup" in reused.detail
    # the backup tunnel is strong apart from its key (it has no route: reachability says so)
    assert {s for s, a in found if a == "tencentcloud_vpn_connection.backup"} == {
        "Weak pre-shared key", "Tunnel without route"}

    for args in (("plan", "-json"), ("validate", "-json"), ("plan", "-lint=error"),
                 ("apply", "-auto-approve", "-lint=error", "-json")):
        res = run(quickstart, *args, env=env)
        outputs.append(res.output)
    assert "Pre-shared key reused" in outputs[1] and "Weak pre-shared key" in outputs[-1]
    for text in outputs:
        assert WEAK_PSK not in text


def test_a_literal_weak_key_is_not_shown_in_the_source_snippet(quickstart):
    # the finding points at the tunnel's block, not at the line that holds the key
    main = quickstart / "main.tf"
    main.write_text(main.read_text().replace("pre_share_key       = var.psk",
                                             f'pre_share_key       = "{WEAK_PSK}"'))
    for verb in ("plan", "validate"):
        res = run(quickstart, verb)
        assert res.code == 0, res
        [d] = [d for d in diagnostics(res.output) if d.summary == "Weak pre-shared key"]
        assert d.source == 'resource "tencentcloud_vpn_connection" "tom" {', res
        assert WEAK_PSK not in res.output
