"""The VPC client: error envelopes become exceptions, bounded retries, the transport seam."""

import pytest
from tc_support import REGION

from providers.tencentcloud.client import (
    CloudApiError,
    CloudTransportError,
    InProcessTransport,
    RetryPolicy,
    VpcClient,
)


class ScriptedTransport:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def send(self, action, params, region):
        self.sent.append((action, params, region))
        a = self.answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a


def err(code):
    return {"Error": {"Code": code, "Message": f"{code} happened"}, "RequestId": "r-1"}


def client(transport, attempts=3):
    sleeps = []
    c = VpcClient(
        transport,
        REGION,
        retry=RetryPolicy(attempts=attempts, base_delay=0.01),
        sleep=sleeps.append,
    )
    return c, sleeps


def test_success_omits_none_params_and_passes_region():
    t = ScriptedTransport({"TotalCount": 0, "RequestId": "r"})
    c, _ = client(t)
    assert c.call("DescribeVpcs", VpcIds=None, Limit=5)["TotalCount"] == 0
    assert t.sent == [("DescribeVpcs", {"Limit": 5}, REGION)]


def test_error_envelope_raises_api_error():
    c, sleeps = client(ScriptedTransport(err("InvalidParameterValue")))
    with pytest.raises(CloudApiError) as e:
        c.call("CreateVpc")
    assert (e.value.code, e.value.request_id) == ("InvalidParameterValue", "r-1")
    assert sleeps == []


def test_retryable_codes_are_retried_with_backoff_and_bounded():
    c, sleeps = client(
        ScriptedTransport(err("RequestLimitExceeded"), err("ResourceBusy"), {"RequestId": "ok"})
    )
    assert c.call("CreateVpc")["RequestId"] == "ok"
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]
    c, sleeps = client(ScriptedTransport(*[err("ResourceBusy")] * 3))
    with pytest.raises(CloudApiError):
        c.call("CreateVpc")
    assert len(sleeps) == 2


def test_resource_in_use_is_retried_only_for_deletes():
    c, _ = client(ScriptedTransport(err("ResourceInUse"), {"RequestId": "ok"}))
    assert c.call("DeleteVpc", VpcId="vpc-1")
    c, _ = client(ScriptedTransport(err("ResourceInUse")))
    with pytest.raises(CloudApiError):
        c.call("ModifyVpcAttribute")
    c, _ = client(ScriptedTransport(err("InternalError"), {"RequestId": "ok"}))
    assert c.call("DeleteVpnGatewayRoutes", extra_retry_codes=frozenset({"InternalError"}))


def test_transport_errors_are_retried_only_for_reads():
    c, _ = client(ScriptedTransport(CloudTransportError("reset"), {"RequestId": "ok"}))
    assert c.call("DescribeVpcs")
    c, _ = client(ScriptedTransport(CloudTransportError("reset")))
    with pytest.raises(CloudTransportError):
        c.call("CreateVpc")


def test_describe_all_pages(svc):
    c = VpcClient(InProcessTransport(svc), REGION)
    for i in range(105):
        c.call("CreateVpc", VpcName=f"v{i}", CidrBlock=f"10.{i}.0.0/16")
    got = c.describe_all("DescribeVpcs", "VpcSet")
    # the region's default VPC first, as a fresh account has it
    assert [v["VpcName"] for v in got] == ["Default-VPC"] + [f"v{i}" for i in range(105)]


def test_in_process_transport_copies_through_json(svc):
    t = InProcessTransport(svc)
    params = {"VpcName": "v", "CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "k", "Value": "v"}]}
    body = t.send("CreateVpc", params, REGION)
    body["Vpc"]["TagSet"].append("mutated")
    assert params["Tags"] == [{"Key": "k", "Value": "v"}]


class KeepingService:
    """A service that keeps what it is sent and answers with a value it keeps too."""

    def __init__(self, answer):
        self.answer = answer
        self.received = None

    def call(self, action, params, region):
        self.received = params
        return self.answer


def test_in_process_transport_shares_no_value_with_the_service():
    kept = {"Vpc": {"VpcId": "vpc-1", "TagSet": [{"Key": "k", "Value": "v"}], "Cidr": 16}}
    svc = KeepingService(kept)
    params = {"VpcName": "v", "Tags": [{"Key": "k", "Value": "v"}], "Ratio": 0.5, "On": True}
    body = InProcessTransport(svc).send("CreateVpc", params, REGION)
    assert svc.received == params and body == kept
    # the caller changes its params and the answer; the service's copies stay as they were
    params["Tags"][0]["Value"] = "changed"
    body["Vpc"]["TagSet"].append({"Key": "x", "Value": "y"})
    body["Vpc"]["VpcId"] = "vpc-2"
    assert svc.received["Tags"] == [{"Key": "k", "Value": "v"}]
    assert kept["Vpc"]["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert kept["Vpc"]["VpcId"] == "vpc-1"
    # and the service changing what it was sent does not reach the caller
    svc.received["Tags"].clear()
    assert params["Tags"] == [{"Key": "k", "Value": "changed"}]


def test_in_process_transport_reads_values_back_as_the_wire_would():
    svc = KeepingService({"Set": ("a", "b"), "Counts": {1: "one"}, "Big": 10 ** 30})
    body = InProcessTransport(svc).send("DescribeVpcs", {"Ids": ("vpc-1",)}, REGION)
    assert body == {"Set": ["a", "b"], "Counts": {"1": "one"}, "Big": 10 ** 30}
    assert svc.received == {"Ids": ["vpc-1"]}
    with pytest.raises(CloudTransportError):  # no JSON number is infinite
        InProcessTransport(svc).send("DescribeVpcs", {"Limit": float("inf")}, REGION)


def test_in_process_store_failure_is_a_transport_error(svc):
    svc.store.close()
    with pytest.raises(CloudTransportError):
        InProcessTransport(svc).send("DescribeVpcs", {}, REGION)


# --- the public provider's rules (HTTP transport) -------------------------------------------


class FakeClock:
    """Time that moves only when the client sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def public_client(transport, environ=None):
    clock = FakeClock()
    c = VpcClient(transport, REGION, retry=RetryPolicy.public_provider(environ or {}),
                  sleep=clock.sleep, clock=clock)
    return c, clock


def test_public_rules_retry_reads_for_three_minutes():
    t = ScriptedTransport(*[err("RequestLimitExceeded")] * 1000)
    c, clock = public_client(t)
    with pytest.raises(CloudApiError):
        c.call("DescribeVpcs")
    assert 170 <= clock.now <= 180
    assert clock.sleeps[:3] == [0.5, 1.0, 2.0] and max(clock.sleeps) == 10.0


def test_public_rules_retry_writes_for_five_minutes_and_env_changes_it():
    c, clock = public_client(ScriptedTransport(*[err("ResourceBusy")] * 1000))
    with pytest.raises(CloudApiError):
        c.call("ModifyVpcAttribute")
    assert 290 <= clock.now <= 300
    c, clock = public_client(ScriptedTransport(*[err("ResourceBusy")] * 1000),
                             {"TENCENTCLOUD_WRITE_RETRY_TIMEOUT": "1"})
    with pytest.raises(CloudApiError):
        c.call("ModifyVpcAttribute")
    assert 50 <= clock.now <= 60


def test_public_rules_retry_resource_in_use_for_every_call_but_not_other_codes():
    c, _ = public_client(ScriptedTransport(err("ResourceInUse"), {"RequestId": "ok"}))
    assert c.call("ModifyVpcAttribute")["RequestId"] == "ok"
    c, clock = public_client(ScriptedTransport(err("InvalidParameterValue")))
    with pytest.raises(CloudApiError):
        c.call("DescribeVpcs")
    assert clock.sleeps == []


def test_public_rules_zero_minutes_means_one_try():
    c, clock = public_client(ScriptedTransport(err("RequestLimitExceeded")),
                             {"TENCENTCLOUD_READ_RETRY_TIMEOUT": "0"})
    with pytest.raises(CloudApiError):
        c.call("DescribeVpcs")
    assert clock.sleeps == []


@pytest.mark.parametrize("value", ["soon", "-1", "1e9"])
def test_public_rules_refuse_a_bad_timeout(value):
    with pytest.raises(ValueError) as e:
        RetryPolicy.public_provider({"TENCENTCLOUD_READ_RETRY_TIMEOUT": value})
    assert "TENCENTCLOUD_READ_RETRY_TIMEOUT" in str(e.value)


def test_in_process_policy_is_unchanged():
    p = RetryPolicy()
    assert (p.attempts, p.read_budget, p.write_budget, p.extra_codes) == (8, None, None,
                                                                          frozenset())
    assert [p.delay(i) for i in range(4)] == pytest.approx([0.1, 0.3, 0.9, 2.0])


def test_a_wire_copy_reads_as_json_and_shares_nothing():
    import json
    import math

    import pytest

    from providers.tencentcloud.client import wire_copy

    inner = {"Key": "k", "Value": None}
    value = {"Set": [{"Id": "vpc-1", "On": True, "N": 3, "F": 1.5, "Tags": [inner],
                      "Cidrs": ["10.0.0.0/16"], "Deep": [[["x"]]]}], "Total": 1,
             "Tuple": ("a", 1), "Big": 2 ** 70}
    copy = wire_copy(value)
    assert copy == json.loads(json.dumps(value))
    assert copy["Tuple"] == ["a", 1] and copy["Big"] == 2 ** 70
    assert copy["Set"][0]["Tags"][0] is not inner and copy["Set"][0] is not value["Set"][0]
    nested: object = "leaf"
    for _ in range(30):  # 60 levels: beyond the direct copy, within JSON's limit
        nested = {"a": [nested]}
    assert wire_copy(nested) == json.loads(json.dumps(nested))
    with pytest.raises(ValueError):
        wire_copy({"a": [math.inf]})
