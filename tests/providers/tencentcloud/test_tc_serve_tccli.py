"""The cloud's own CLI, ``tccli`` (from PyPI), working a served emulated cloud through
``--endpoint``: the guide's workflow over plain HTTP and over ``-tls``.

tccli's SDK hands certifi's bundle to requests itself, so ``REQUESTS_CA_BUNDLE`` never
reaches it; over ``-tls`` the test makes it trust the served certificate through a
``sitecustomize`` that points ``certifi.where()`` at that variable. Over plain HTTP it needs
nothing: ``--endpoint http://127.0.0.1:PORT`` keeps its scheme.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from serve_support import Served

TCCLI = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "tccli"
pytestmark = pytest.mark.skipif(not TCCLI.exists(), reason="tccli is not installed in .venv")

TRUST_REQUESTS_CA_BUNDLE = """\
import os
import certifi
if os.environ.get("REQUESTS_CA_BUNDLE"):
    certifi.where = lambda: os.environ["REQUESTS_CA_BUNDLE"]
"""


class Tccli:
    def __init__(self, served: Served, home: Path, endpoint: str, env: dict):
        secret_id, secret_key = served.keys()
        self.endpoint = endpoint
        self.env = {k: v for k, v in os.environ.items()
                    if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
        self.env.update(HOME=str(home), TENCENTCLOUD_SECRET_ID=secret_id,
                        TENCENTCLOUD_SECRET_KEY=secret_key, **env)

    def __call__(self, action: str, **params) -> dict:
        argv = [str(TCCLI), "vpc", action, "--region", "ap-guangzhou",
                "--endpoint", self.endpoint]
        for name, value in params.items():
            argv += [f"--{name}", value if isinstance(value, str) else json.dumps(value)]
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=60)
        assert proc.returncode == 0, f"tccli {action}: {proc.stdout}{proc.stderr}"
        return json.loads(proc.stdout)


def test_tccli_over_plain_http_with_a_schemed_endpoint(tmp_path):
    served = Served(tmp_path / "data")
    (tmp_path / "home").mkdir()
    tccli = Tccli(served, tmp_path / "home", served.url, {})
    try:
        vpc = tccli("CreateVpc", VpcName="plain-vpc", CidrBlock="10.0.0.0/16")["Vpc"]
        found = tccli("DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["plain-vpc"]}])
        assert [v["VpcId"] for v in found["VpcSet"]] == [vpc["VpcId"]]
        assert "action=DescribeVpcs" in served.stderr()
    finally:
        served.stop()


def test_tccli_runs_the_guides_workflow_over_tls(tmp_path):
    served = Served(tmp_path / "data", "-rate-limit=0", "-tls")
    shim = tmp_path / "trust"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(TRUST_REQUESTS_CA_BUNDLE)
    env = {"PYTHONPATH": str(shim),
           "REQUESTS_CA_BUNDLE": str(tmp_path / "data" / "tls" / "server.crt")}
    (tmp_path / "home").mkdir()
    tccli = Tccli(served, tmp_path / "home", served.endpoint, env)
    try:
        vpc = tccli("CreateVpc", VpcName="tccli-vpc", CidrBlock="10.0.0.0/16")["Vpc"]
        gw = tccli("CreateVpnGateway", VpcId=vpc["VpcId"], VpnGatewayName="tccli-gw",
                   InternetMaxBandwidthOut=5)["VpnGateway"]
        gw = tccli("DescribeVpnGateways", VpnGatewayIds=[gw["VpnGatewayId"]])["VpnGatewaySet"][0]
        assert gw["State"] == "AVAILABLE"
        cgw = tccli("CreateCustomerGateway", CustomerGatewayName="tccli-idc",
                    IpAddress="202.108.22.5")["CustomerGateway"]
        conn = tccli("CreateVpnConnection", VpnGatewayId=gw["VpnGatewayId"],
                     CustomerGatewayId=cgw["CustomerGatewayId"], VpcId=vpc["VpcId"],
                     VpnConnectionName="tccli-tunnel", PreShareKey="tccli-psk-123",
                     SecurityPolicyDatabases=[{"LocalCidrBlock": "10.0.0.0/16",
                                               "RemoteCidrBlock": ["192.168.0.0/24"]}])
        conn_id = conn["VpnConnection"]["VpnConnectionId"]
        listed = tccli("DescribeVpnConnections",
                       Filters=[{"Name": "vpn-gateway-id", "Values": [gw["VpnGatewayId"]]}])
        assert [c["VpnConnectionId"] for c in listed["VpnConnectionSet"]] == [conn_id]
        config = tccli("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw["VpnGatewayId"],
                       VpnConnectionId=conn_id, InterfaceName="GigabitEthernet0/0",
                       CustomerGatewayVendor={"Platform": "comware", "SoftwareVersion": "V1.0",
                                              "VendorName": "h3c"})
        assert gw["PublicIpAddress"] in config["CustomerGatewayConfiguration"]
        rtb = tccli("DescribeRouteTables",
                    Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTableSet"][0]
        added = tccli("CreateRoutes", RouteTableId=rtb["RouteTableId"],
                      Routes=[{"DestinationCidrBlock": "192.168.0.0/24", "GatewayType": "VPN",
                               "GatewayId": gw["VpnGatewayId"]}])
        assert added["TotalCount"] == 1
        page = tccli("DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["tccli-vpc"]}],
                     Offset="0", Limit="1")
        assert [v["VpcId"] for v in page["VpcSet"]] == [vpc["VpcId"]]
        assert "tccli-psk-123" not in served.stderr()
    finally:
        served.stop()
