"""``vpnform cloud``: parameter building, and calls against a directory's emulated cloud
(in-process here; tests/e2e/test_e2e_cloud_cli.py runs the real executable)."""

import io
import json

import pytest
from tc_support import REGION, Api

from engine.cli.args import UsageError
from engine.cli.views import Console
from providers.tencentcloud.cli import build_params, cmd_cloud, parse_value
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore


def run_cloud(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cmd_cloud(list(argv), Console(out=out, err=err, color=False))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The working directory, with an API on the same emulated cloud the verb uses."""
    monkeypatch.chdir(tmp_path)
    store = SqliteStore.for_workdir(tmp_path)
    yield Api(EmulatedVpcService(store))
    store.close()


def test_values_are_json_when_they_parse():
    assert parse_value("10") == 10
    assert parse_value("true") is True
    assert parse_value('["a", "b"]') == ["a", "b"]
    assert parse_value('"123"') == "123"
    assert parse_value("vpngw-abc12345") == "vpngw-abc12345"
    assert parse_value("203.0.113.7") == "203.0.113.7"
    assert parse_value("TRUE") == "TRUE"
    assert parse_value("NaN") == "NaN"
    assert parse_value("") == ""


def test_dotted_keys_build_lists_and_objects():
    params = build_params(['{"Limit": 5, "Offset": 1}'], [
        "Filters.0.Name=vpc-id", "Filters.0.Values.0=vpc-a", "Filters.0.Values.1=vpc-b",
        "Filters.1.Name=vpn-gateway-name", "Filters.1.Values.0=gw", "Limit=10"])
    assert params == {"Limit": 10, "Offset": 1, "Filters": [
        {"Name": "vpc-id", "Values": ["vpc-a", "vpc-b"]},
        {"Name": "vpn-gateway-name", "Values": ["gw"]}]}


def test_param_json_objects_merge_in_order_and_nulls_are_left_out():
    assert build_params(['{"A": 1, "B": 2}', '{"B": 3, "C": null}'], []) == {"A": 1, "B": 3}


@pytest.mark.parametrize("param_json, assignment, message", [
    (["[1]"], [], "JSON object"),
    (["{nope"], [], "not valid JSON"),
    ([], ["VpnGatewayId"], "Key=Value"),
    ([], ["=x"], "Key=Value"),
    ([], ["Filters.1.Name=x"], "leaves a gap"),
    ([], ["Filters..Name=x"], "not a parameter name"),
    ([], ["0=x"], "not a parameter name"),
    ([], ["Limit=5", "Limit.0=x"], "not a list"),
])
def test_bad_parameters_are_usage_errors(param_json, assignment, message):
    with pytest.raises(UsageError, match=message):
        build_params(param_json, assignment)


def test_prints_the_response_body_as_tccli_does(here):
    vpc = here.ok("CreateVpc", VpcName="TomVPC", CidrBlock="192.168.0.0/16")["Vpc"]
    code, out, err = run_cloud("DescribeVpcs", f"VpcIds.0={vpc['VpcId']}")
    assert code == 0 and err == ""
    body = json.loads(out)
    assert body["TotalCount"] == 1 and body["VpcSet"][0]["VpcName"] == "TomVPC"
    assert set(body) == {"TotalCount", "VpcSet", "RequestId"}
    assert out.startswith('{\n    "TotalCount": 1,')  # four-space indent, like tccli


def test_changes_made_here_are_seen_by_other_clients(here):
    vpc = here.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]
    gw = here.ok("CreateVpnGateway", VpcId=vpc["VpcId"], VpnGatewayName="gw",
                 InternetMaxBandwidthOut=5)["VpnGateway"]
    code, out, _ = run_cloud("ResetVpnGatewayInternetMaxBandwidth",
                             f"VpnGatewayId={gw['VpnGatewayId']}", "InternetMaxBandwidthOut=20")
    assert code == 0 and set(json.loads(out)) == {"RequestId"}
    [now] = here.ok("DescribeVpnGateways")["VpnGatewaySet"]
    assert now["InternetMaxBandwidthOut"] == 20
    assert here.service.calls("ResetVpnGatewayInternetMaxBandwidth")[-1]["error_code"] is None


def test_api_errors_go_to_stderr_with_the_envelope(here):
    code, out, err = run_cloud("DeleteVpnGateway", "VpnGatewayId=vpngw-00000000")
    assert code == 1 and out == ""
    body = json.loads(err)
    assert body["Error"]["Code"] == "ResourceNotFound" and body["RequestId"]
    code, _, err = run_cloud("DescribeVpcs", "Bogus=1")
    assert code == 1 and json.loads(err)["Error"]["Code"] == "UnknownParameter"


def test_unknown_action_names_close_matches(here):
    code, out, err = run_cloud("DescribeVpnGateway")
    assert code == 1 and out == ""
    envelope, hint = err.split("}\n", 1)[0], err.rsplit("}\n", 1)[1]
    assert '"InvalidAction"' in envelope
    assert hint.startswith("Did you mean: DescribeVpnGateways")
    _, _, err = run_cloud("describevpcs")
    assert "Did you mean: DescribeVpcs?" in err


def test_region_flag_and_environment(here, monkeypatch):
    here.ok("CreateCustomerGateway", CustomerGatewayName="idc", IpAddress="203.0.113.7")
    assert json.loads(run_cloud("DescribeCustomerGateways")[1])["TotalCount"] == 1
    assert json.loads(run_cloud("DescribeCustomerGateways",
                                "-region=ap-shanghai")[1])["TotalCount"] == 0
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-shanghai")
    assert json.loads(run_cloud("DescribeCustomerGateways")[1])["TotalCount"] == 0
    assert json.loads(run_cloud("DescribeCustomerGateways",
                                f"-region={REGION}")[1])["TotalCount"] == 1


def test_injected_faults_apply_to_this_client_too(here):
    here.service.inject_fault("DescribeVpcs", "RequestLimitExceeded")
    code, _, err = run_cloud("DescribeVpcs")
    assert code == 1 and json.loads(err)["Error"]["Code"] == "RequestLimitExceeded"
    assert run_cloud("DescribeVpcs")[0] == 0


def test_pre_shared_keys_stay_out_of_the_call_log(here):
    vpc = here.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]
    gw = here.ok("CreateVpnGateway", VpcId=vpc["VpcId"], VpnGatewayName="gw",
                 InternetMaxBandwidthOut=5)["VpnGateway"]
    cgw = here.ok("CreateCustomerGateway", CustomerGatewayName="idc",
                  IpAddress="203.0.113.7")["CustomerGateway"]
    code, out, _ = run_cloud(
        "CreateVpnConnection", f"VpcId={vpc['VpcId']}", f"VpnGatewayId={gw['VpnGatewayId']}",
        f"CustomerGatewayId={cgw['CustomerGatewayId']}", "VpnConnectionName=t",
        "PreShareKey=hand-made-secret-key", "SecurityPolicyDatabases.0.LocalCidrBlock=10.0.0.0/24",
        "SecurityPolicyDatabases.0.RemoteCidrBlock.0=172.16.0.0/24")
    assert code == 0
    # The cloud's answer carries the key (as the real API does), but the console prints it
    # redacted...
    assert json.loads(out)["VpnConnection"]["PreShareKey"] == "(sensitive)"
    assert "hand-made-secret-key" not in out
    # ...no request is recorded with it...
    assert "hand-made-secret-key" not in json.dumps(here.service.calls())
    # ...and -show-sensitive prints it as the cloud answered.
    code, out, _ = run_cloud("DescribeVpnConnections")
    assert code == 0 and "hand-made-secret-key" not in out
    assert json.loads(out)["VpnConnectionSet"][0]["PreShareKey"] == "(sensitive)"
    code, out, _ = run_cloud("DescribeVpnConnections", "-show-sensitive")
    assert json.loads(out)["VpnConnectionSet"][0]["PreShareKey"] == "hand-made-secret-key"


def test_usage(here):
    code, out, _ = run_cloud()
    assert code == 0 and "ResetVpnGatewayInternetMaxBandwidth" in out and "Key=Value" in out
    with pytest.raises(UsageError, match="flag provided but not defined: -bogus"):
        run_cloud("DescribeVpcs", "-bogus=1")
