"""``-json`` on plan / apply / destroy: Terraform's machine-readable UI, one JSON message per
line, first a ``version`` message; progress from the same hooks as the human view; no
pre-shared key in any message."""

from __future__ import annotations

import json

from cli import QUICKSTART_ADDRESSES, arm_fault, run
from test_e2e_secrets import PSK, _forms

ENV = {"TF_VAR_psk": PSK}
KEYS = {"@level", "@message", "@module", "@timestamp", "type"}


def messages(res) -> list[dict]:
    for form in _forms(PSK):
        assert form.decode("latin-1") not in res.output, f"the PSK is in the output as {form!r}"
    assert res.stderr == "", res
    out = []
    for line in res.stdout.splitlines():
        msg = json.loads(line)
        assert KEYS <= set(msg), msg
        assert msg["@module"] == "vpnform.ui" and msg["@level"] in ("info", "warn", "error")
        out.append(msg)
    assert out and out[0]["type"] == "version", res
    assert out[0]["@message"] == "vpnform 0.1.0"
    assert (out[0]["terraform"], out[0]["ui"]) == ("0.1.0", "1.2")
    return out


def of_type(msgs: list[dict], type_: str) -> list[dict]:
    return [m for m in msgs if m["type"] == type_]


def test_plan_json(quickstart):
    res = run(quickstart, "plan", "-json", "-detailed-exitcode", env=ENV)
    assert res.code == 2, res
    msgs = messages(res)
    planned = of_type(msgs, "planned_change")
    assert sorted(m["change"]["resource"]["addr"] for m in planned) == QUICKSTART_ADDRESSES
    conn = next(m for m in planned
                if m["change"]["resource"]["addr"] == "tencentcloud_vpn_connection.tom")
    assert conn["change"] == {"resource": {
        "addr": "tencentcloud_vpn_connection.tom", "module": "",
        "resource": "tencentcloud_vpn_connection.tom", "implied_provider": "tencentcloud",
        "resource_type": "tencentcloud_vpn_connection", "resource_name": "tom",
        "resource_key": None}, "action": "create"}
    assert conn["@message"] == "tencentcloud_vpn_connection.tom: Plan to create"
    [summary] = of_type(msgs, "change_summary")
    assert summary["changes"] == {"add": 7, "change": 0, "import": 0, "remove": 0,
                                  "operation": "plan"}
    assert summary["@message"] == "Plan: 7 to add, 0 to change, 0 to destroy."
    types = [m["type"] for m in msgs]
    assert types.index("change_summary") > max(i for i, t in enumerate(types)
                                               if t == "planned_change")
    [outputs] = of_type(msgs, "outputs")
    assert outputs["outputs"]["vpn_connection_id"] == {"sensitive": False, "action": "create"}


def test_plan_json_with_out_writes_the_plan_file(quickstart):
    res = run(quickstart, "plan", "-json", "-out=x.tfplan", env=ENV)
    assert res.code == 0, res
    messages(res)
    applied = run(quickstart, "apply", "-json", "x.tfplan", env=ENV)
    assert applied.code == 0, applied
    msgs = messages(applied)
    assert of_type(msgs, "change_summary")[-1]["changes"]["operation"] == "apply"


def test_apply_json_reports_every_resource(quickstart):
    res = run(quickstart, "apply", "-json", "-auto-approve", env=ENV)
    assert res.code == 0, res
    msgs = messages(res)
    starts = of_type(msgs, "apply_start")
    completes = of_type(msgs, "apply_complete")
    assert sorted(m["hook"]["resource"]["addr"] for m in starts) == QUICKSTART_ADDRESSES
    assert sorted(m["hook"]["resource"]["addr"] for m in completes) == QUICKSTART_ADDRESSES
    for m in completes:
        assert m["hook"]["action"] == "create"
        assert m["hook"]["id_key"] == "id" and m["hook"]["id_value"]
        assert isinstance(m["hook"]["elapsed_seconds"], int)
        start = next(i for i, s in enumerate(msgs) if s["type"] == "apply_start"
                     and s["hook"]["resource"] == m["hook"]["resource"])
        assert start < msgs.index(m)
    summaries = of_type(msgs, "change_summary")
    assert [s["changes"]["operation"] for s in summaries] == ["plan", "apply"]
    assert summaries[-1]["changes"] == {"add": 7, "change": 0, "import": 0, "remove": 0,
                                        "operation": "apply"}
    assert summaries[-1]["@message"] == "Apply complete! Resources: 7 added, 0 changed, " \
                                        "0 destroyed."
    outputs = of_type(msgs, "outputs")[-1]["outputs"]
    assert outputs["vpn_connection_id"]["value"].startswith("vpnx-")
    assert outputs["vpn_connection_id"]["type"] == "string"

    # the next plan refreshes every object and finds nothing to do
    res = run(quickstart, "plan", "-json", env=ENV)
    assert res.code == 0, res
    msgs = messages(res)
    assert len(of_type(msgs, "refresh_start")) == 7 == len(of_type(msgs, "refresh_complete"))
    assert not of_type(msgs, "planned_change")
    assert of_type(msgs, "change_summary")[0]["changes"]["add"] == 0

    # an update, then destroy
    res = run(quickstart, "apply", "-json", "-auto-approve", "-var", "bandwidth=10", env=ENV)
    msgs = messages(res)
    [change] = of_type(msgs, "planned_change")
    assert change["change"]["action"] == "update"
    [start] = of_type(msgs, "apply_start")
    assert start["hook"]["id_value"].startswith("vpngw-")
    assert start["@message"].endswith(f"Modifying... [id={start['hook']['id_value']}]")
    res = run(quickstart, "destroy", "-json", "-auto-approve", env=ENV)
    assert res.code == 0, res
    msgs = messages(res)
    assert {m["change"]["action"] for m in of_type(msgs, "planned_change")} == {"delete"}
    assert of_type(msgs, "change_summary")[-1]["changes"] == {
        "add": 0, "change": 0, "import": 0, "remove": 7, "operation": "destroy"}


def test_apply_json_needs_approval_given(quickstart):
    res = run(quickstart, "apply", "-json", env=ENV)
    assert res.code == 1, res
    msgs = messages(res)
    [diag] = of_type(msgs, "diagnostic")
    assert diag["@level"] == "error"
    assert diag["diagnostic"]["summary"] == "Plan file or auto-approve required"
    assert not (quickstart / "terraform.tfstate").exists()
    res = run(quickstart, "destroy", "-json", env=ENV)
    assert res.code == 1 and of_type(messages(res), "diagnostic"), res


def test_failing_apply_json(quickstart):
    arm_fault(quickstart, "CreateVpnConnection", "InvalidParameterValue",
              "the tunnel options were refused by the gateway", count=99)
    res = run(quickstart, "apply", "-json", "-auto-approve", env=ENV)
    assert res.code == 1, res
    msgs = messages(res)
    [errored] = of_type(msgs, "apply_errored")
    assert errored["@level"] == "error"
    assert errored["hook"]["resource"]["addr"] == "tencentcloud_vpn_connection.tom"
    assert errored["hook"]["action"] == "create"
    assert errored["@message"].startswith("tencentcloud_vpn_connection.tom: Creation errored")
    diags = [m for m in of_type(msgs, "diagnostic") if m["@level"] == "error"]
    assert [d["diagnostic"]["summary"] for d in diags] == ["Error creating VPN connection"]
    assert "refused by the gateway" in diags[0]["diagnostic"]["detail"]
    assert diags[0]["@message"] == "Error: Error creating VPN connection"
    # as Terraform: the stream ends with the diagnostic, no apply change_summary
    assert [s["changes"]["operation"] for s in of_type(msgs, "change_summary")] == ["plan"]
    assert msgs.index(errored) < msgs.index(diags[0])


def test_plan_json_error_is_a_diagnostic_with_its_range(quickstart):
    main = quickstart / "main.tf"
    main.write_text(main.read_text().replace('remote_cidr_block = [var.idc_cidr]',
                                             'remote_cidr_block = ["192.168.1.0/25"]'))
    res = run(quickstart, "plan", "-json", "-var", f"psk={PSK}")
    assert res.code == 1, res
    msgs = messages(res)
    # the one error (the quickstart's security findings stream beside it as warnings)
    [diag] = [m for m in of_type(msgs, "diagnostic") if m["diagnostic"]["severity"] == "error"]
    assert diag["diagnostic"]["summary"] == "Invalid SPD policy"
    assert diag["diagnostic"]["range"]["filename"] == "main.tf"
    assert "snippet" in diag["diagnostic"]
