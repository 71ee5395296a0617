"""``vpnform cloud serve`` worked by the official Python SDK: the guide's workflow, the GET
form, concurrent clients, signature negatives, and the request log."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from serve_support import Served, call, raw_post, request, tc3_headers
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

PSK = "serve-test-psk-0001"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("serve") / "data", "-rate-limit=0")
    yield s
    s.stop()


def sdk_error(fn, *args, **kw) -> str:
    with pytest.raises(TencentCloudSDKException) as err:
        fn(*args, **kw)
    return err.value.get_code()


def wait_available(client, action, ids_param, set_key, obj_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        obj = call(client, action, **{ids_param: [obj_id]})[set_key][0]
        if obj["State"] == "AVAILABLE":
            return obj
        time.sleep(0.05)
    raise AssertionError(f"{obj_id} not AVAILABLE after {timeout}s")


def guide_workflow(c, name: str) -> dict:
    """VPC, VPN gateway, customer gateway, tunnel, configuration download, route: the
    guide's worked example through the SDK. Returns the ids made."""
    vpc = call(c, "CreateVpc", VpcName=f"{name}-vpc", CidrBlock="10.0.0.0/16")["Vpc"]
    gw = call(c, "CreateVpnGateway", VpcId=vpc["VpcId"], VpnGatewayName=f"{name}-gw",
              InternetMaxBandwidthOut=5)["VpnGateway"]
    gw = wait_available(c, "DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet",
                        gw["VpnGatewayId"])
    assert gw["PublicIpAddress"]
    cgw = call(c, "CreateCustomerGateway", CustomerGatewayName=f"{name}-idc",
               IpAddress="202.108.22.5")["CustomerGateway"]
    conn = call(c, "CreateVpnConnection", VpnGatewayId=gw["VpnGatewayId"],
                CustomerGatewayId=cgw["CustomerGatewayId"], VpcId=vpc["VpcId"],
                VpnConnectionName=f"{name}-tunnel", PreShareKey=PSK,
                SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.0.0/16",
                                          "RemoteCidrBlock": ["192.168.0.0/24"]}])
    conn = conn["VpnConnection"]
    conn = wait_available(c, "DescribeVpnConnections", "VpnConnectionIds", "VpnConnectionSet",
                          conn["VpnConnectionId"])
    assert conn["CustomerGatewayId"] == cgw["CustomerGatewayId"]
    config = call(c, "DownloadCustomerGatewayConfiguration", VpnGatewayId=gw["VpnGatewayId"],
                  VpnConnectionId=conn["VpnConnectionId"], InterfaceName="GigabitEthernet0/0",
                  CustomerGatewayVendor={"Platform": "comware", "SoftwareVersion": "V1.0",
                                         "VendorName": "h3c"})
    assert gw["PublicIpAddress"] in config["CustomerGatewayConfiguration"]
    rtb = call(c, "DescribeRouteTables",
               Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTableSet"][0]
    added = call(c, "CreateRoutes", RouteTableId=rtb["RouteTableId"],
                 Routes=[{"DestinationCidrBlock": "192.168.0.0/24", "GatewayType": "VPN",
                          "GatewayId": gw["VpnGatewayId"]}])
    assert added["TotalCount"] == 1
    routes = call(c, "DescribeRouteTables",
                  RouteTableIds=[rtb["RouteTableId"]])["RouteTableSet"][0]["RouteSet"]
    assert [(r["DestinationCidrBlock"], r["GatewayId"]) for r in routes
            if r["GatewayType"] == "VPN"] == [("192.168.0.0/24", gw["VpnGatewayId"])]
    return {"vpc": vpc["VpcId"], "gw": gw["VpnGatewayId"], "cgw": cgw["CustomerGatewayId"],
            "conn": conn["VpnConnectionId"]}


def test_the_guides_workflow_through_the_sdk(served):
    c = served.client()
    ids = guide_workflow(c, "guide")
    found = call(c, "DescribeVpnConnections",
                 Filters=[{"Name": "vpn-gateway-id", "Values": [ids["gw"]]}])
    assert [x["VpnConnectionId"] for x in found["VpnConnectionSet"]] == [ids["conn"]]
    by_name = call(c, "DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["guide-vpc"]}])
    assert [v["VpcId"] for v in by_name["VpcSet"]] == [ids["vpc"]]
    # the request log names each call, and holds neither the key nor the PSK
    log = served.stderr()
    assert "action=CreateVpnConnection" in log and "account=default" in log
    assert PSK not in log and served.keys()[1] not in log
    assert PSK not in served.stdout()


def test_describe_pagination(served):
    c = served.client()
    made = [call(c, "CreateCustomerGateway", CustomerGatewayName=f"page-{i}",
                 IpAddress=f"203.0.113.{10 + i}")["CustomerGateway"]["CustomerGatewayId"]
            for i in range(5)]
    flt = [{"Name": "customer-gateway-name", "Values": [f"page-{i}" for i in range(5)]}]
    pages = [call(c, "DescribeCustomerGateways", Filters=flt, Offset=off, Limit=2)
             for off in (0, 2, 4)]
    assert {p["TotalCount"] for p in pages} == {5}
    assert [len(p["CustomerGatewaySet"]) for p in pages] == [2, 2, 1]
    seen = [g["CustomerGatewayId"] for p in pages for g in p["CustomerGatewaySet"]]
    assert sorted(seen) == sorted(made)


def test_get_form_with_flattened_filters(served):
    post, get = served.client(), served.client(method="GET")
    vpc = call(post, "CreateVpc", VpcName="get-form", CidrBlock="10.9.0.0/16")["Vpc"]
    found = call(get, "DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["get-form"]}],
                 Offset=0, Limit=5)
    assert [v["VpcId"] for v in found["VpcSet"]] == [vpc["VpcId"]]
    made = call(get, "CreateCustomerGateway", CustomerGatewayName="by-get",
                IpAddress="198.51.100.7")["CustomerGateway"]
    assert made["IpAddress"] == "198.51.100.7"


def test_unknown_action_and_region(served):
    c = served.client()
    assert sdk_error(c.call_json, "NoSuchThing", {}) == "InvalidAction"
    assert sdk_error(served.client(region="xx-nowhere").DescribeVpcs,
                     request("DescribeVpcsRequest")) == "UnsupportedRegion"


def test_regions_scope_objects(served):
    gz, sh = served.client(), served.client(region="ap-shanghai")
    call(gz, "CreateCustomerGateway", CustomerGatewayName="only-gz", IpAddress="198.51.100.9")
    flt = [{"Name": "customer-gateway-name", "Values": ["only-gz"]}]
    assert call(gz, "DescribeCustomerGateways", Filters=flt)["TotalCount"] == 1
    assert call(sh, "DescribeCustomerGateways", Filters=flt)["TotalCount"] == 0


def test_concurrent_clients(served):
    """Eight threads, each its own SDK client, creating, reading and deleting at once."""
    def worker(n: int) -> list[str]:
        c = served.client(region="ap-beijing")
        ids = []
        for i in range(4):
            cgw = call(c, "CreateCustomerGateway", CustomerGatewayName=f"conc-{n}-{i}",
                       IpAddress=f"198.18.{n}.{i + 1}")["CustomerGateway"]
            ids.append(cgw["CustomerGatewayId"])
            got = call(c, "DescribeCustomerGateways", CustomerGatewayIds=[ids[-1]])
            assert got["CustomerGatewaySet"][0]["CustomerGatewayName"] == f"conc-{n}-{i}"
            call(c, "DeleteCustomerGateway", CustomerGatewayId=cgw["CustomerGatewayId"])
        return ids

    with ThreadPoolExecutor(8) as pool:
        made = [i for ids in pool.map(worker, range(8)) for i in ids]
    assert len(set(made)) == 32
    left = call(served.client(region="ap-beijing"), "DescribeCustomerGateways",
                Filters=[{"Name": "customer-gateway-id", "Values": made[:5]}])
    assert left["TotalCount"] == 0


# --- signatures ---------------------------------------------------------------------------

def test_sdk_with_a_wrong_key_or_unknown_secret_id(served):
    secret_id, _ = served.keys()
    wrong_key = served.client(secret_id, "not-the-key")
    assert sdk_error(wrong_key.call_json, "DescribeVpcs", {}) == "AuthFailure.SignatureFailure"
    stranger = served.client("AKIDnobodyknowsthis000000000000000000", "k")
    assert sdk_error(stranger.call_json, "DescribeVpcs", {}) == "AuthFailure.SecretIdNotFound"


def test_a_session_token_is_accepted(served):
    assert "TotalCount" in call(served.client(token="session-token-123"), "DescribeVpcs")


def raw(served, *, body=b'{"Limit": 1}', send=None, **sign):
    secret_id, secret_key = sign.pop("keys", served.keys())
    headers = tc3_headers(secret_id, secret_key, served.endpoint, body,
                          action=sign.pop("action", "DescribeVpcs"), **sign)
    status, resp_headers, doc = raw_post(served.port, headers, body if send is None else send)
    assert status == 200
    assert resp_headers["Content-Type"] == "application/json"
    assert doc["Response"]["RequestId"]
    return doc["Response"]


def test_raw_signed_request_is_answered(served):
    assert raw(served)["TotalCount"] >= 0


@pytest.mark.parametrize("skew", [-400, 400])
def test_expired_timestamp(served, skew):
    got = raw(served, timestamp=int(time.time()) + skew)
    assert got["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_tampered_body(served):
    got = raw(served, body=b'{"Limit": 1}', send=b'{"Limit": 2}')
    assert got["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_malformed_authorization(served):
    body = b"{}"
    headers = tc3_headers(*served.keys(), served.endpoint, body, action="DescribeVpcs")
    for bad in ("", "Bearer abc", headers["Authorization"].replace("Signature=", "Sig=")):
        if bad:
            headers["Authorization"] = bad
        else:
            headers.pop("Authorization")
        _, _, doc = raw_post(served.port, headers, body)
        assert doc["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization", bad


def test_unknown_product_and_version(served):
    got = raw(served, service="cvm", action="DescribeInstances")
    assert got["Error"]["Code"] == "NoSuchProduct"
    got = raw(served, version="2099-01-01")
    assert got["Error"]["Code"] == "NoSuchVersion"


def test_error_envelope_shape(served):
    got = raw(served, action="DescribeVpcs", body=json.dumps({"Nope": 1}).encode())
    assert got["Error"]["Code"] == "UnknownParameter" and got["Error"]["Message"]


def test_missing_region_header(served):
    body = b"{}"
    headers = tc3_headers(*served.keys(), served.endpoint, body, action="DescribeVpcs")
    del headers["X-TC-Region"]
    _, _, doc = raw_post(served.port, headers, body)
    assert doc["Response"]["Error"]["Code"] == "MissingParameter"
    assert "X-TC-Region" in doc["Response"]["Error"]["Message"]


def test_unsigned_payload_and_signature_v1(served):
    unsigned = served.client(unsigned_payload=True)
    assert "TotalCount" in call(unsigned, "DescribeVpcs")
    v1 = served.client(sign_method="HmacSHA256")  # form POST, signature in the parameters
    assert sdk_error(v1.call_json, "DescribeVpcs", {}) == "AuthFailure.InvalidAuthorization"
