"""Data sources in a real run: read during plan when their arguments are known (so what
depends on them plans with real values), deferred to apply when they are not, and the
pre-shared key of a connection list treated as a secret."""

from __future__ import annotations

import json

from cli import errors, plan_summary, resource_headers, run, write_config

LOOKUP = """
data "tencentcloud_vpc_instances" "tom" {
  name = "TomVPC"
}

data "tencentcloud_vpc_subnets" "tom" {
  vpc_id = data.tencentcloud_vpc_instances.tom.instance_list[0].vpc_id
}

data "tencentcloud_vpc_route_tables" "tom" {
  vpc_id           = data.tencentcloud_vpc_instances.tom.instance_list[0].vpc_id
  association_main = false
}

data "tencentcloud_vpn_gateways" "tom" {
  vpc_id = data.tencentcloud_vpc_instances.tom.instance_list[0].vpc_id
}

data "tencentcloud_vpn_customer_gateways" "idc" {
  public_ip_address = "202.108.22.5"
}

data "tencentcloud_vpn_connections" "tom" {
  vpn_gateway_id      = data.tencentcloud_vpn_gateways.tom.gateway_list[0].id
  customer_gateway_id = data.tencentcloud_vpn_customer_gateways.idc.gateway_list[0].id
  result_output_file  = "connections.json"
}

data "tencentcloud_vpn_gateway_routes" "tom" {
  vpn_gateway_id = data.tencentcloud_vpn_gateways.tom.gateway_list[0].id
}

# A route through the tunnel found above: every argument is known at plan time.
resource "tencentcloud_vpn_gateway_route" "found" {
  vpn_gateway_id         = data.tencentcloud_vpn_gateways.tom.gateway_list[0].id
  destination_cidr_block = "10.0.2.0/24"
  instance_type          = "VPNCONN"
  instance_id            = data.tencentcloud_vpn_connections.tom.connection_list[0].id
  priority               = 100
  status                 = "ENABLE"
}

output "subnet_cidrs" {
  value = data.tencentcloud_vpc_subnets.tom.instance_list[*].cidr_block
}

output "route_table_routes" {
  value = [for e in data.tencentcloud_vpc_route_tables.tom.instance_list[0].route_entry_infos :
           "${e.destination_cidr_block} via ${e.next_type}"]
}

output "tunnel_policy" {
  value = data.tencentcloud_vpn_connections.tom.connection_list[0].security_group_policy
}

output "tunnel_psk" {
  value     = data.tencentcloud_vpn_connections.tom.connection_list[0].pre_share_key
  sensitive = true
}

output "gateway_route_count" {
  value = length(data.tencentcloud_vpn_gateway_routes.tom.vpn_gateway_route_list)
}
"""


def _outputs(workdir) -> dict:
    res = run(workdir, "output", "-json")
    assert res.code == 0, res
    return {k: v["value"] for k, v in json.loads(res.stdout).items()}


def test_data_sources_are_read_during_plan(applied):
    gw_id = json.loads(run(applied, "console",
                           input="tencentcloud_vpn_gateway.tom.id\n").stdout.strip())
    conn_id = json.loads(run(applied, "output", "-json").stdout)["vpn_connection_id"]["value"]
    write_config(applied, LOOKUP, name="lookup.tf")

    res = run(applied, "plan")
    assert res.code == 0, res
    # Only the new route: the data sources were read, not planned as reads.
    assert resource_headers(res.stdout) == ["tencentcloud_vpn_gateway_route.found will be created"]
    assert "will be read during apply" not in res.stdout
    assert plan_summary(res.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."
    # The values found are in the plan already, not "(known after apply)".
    assert f'+ vpn_gateway_id         = "{gw_id}"' in res.stdout, res
    assert f'+ instance_id            = "{conn_id}"' in res.stdout, res
    # a list output is shown element by element, as Terraform shows it
    assert ('  + subnet_cidrs        = [\n      + "192.168.1.0/24",\n    ]\n'
            in res.stdout), res
    assert ('  + route_table_routes  = [\n      + "10.0.1.0/24 via VPN",\n    ]\n'
            in res.stdout), res
    assert "+ gateway_route_count = 0" in res.stdout, res
    assert "+ tunnel_psk          = (sensitive value)" in res.stdout, res
    assert "TomVPN-demo-key-2019" not in res.output
    # result_output_file is written when the data source is read.
    [conn] = json.loads((applied / "connections.json").read_text())
    assert conn["id"] == conn_id and (applied / "connections.json").stat().st_mode & 0o077 == 0

    res = run(applied, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in res.stdout
    assert "TomVPN-demo-key-2019" not in res.output
    assert "tunnel_psk = <sensitive>" in res.stdout, res
    out = _outputs(applied)
    assert out["tunnel_policy"] == [{"local_cidr_block": "192.168.1.0/24",
                                     "remote_cidr_block": ["10.0.1.0/24"]}]
    assert out["gateway_route_count"] == 0  # as read during plan, before the route existed
    # Asked for by name or as JSON, the value is shown, as Terraform does.
    assert out["tunnel_psk"] == "TomVPN-demo-key-2019"

    # The route just made is found by the next read: only the output moves.
    res = run(applied, "plan", "-detailed-exitcode")
    assert res.code == 2 and resource_headers(res.stdout) == [], res
    assert "~ gateway_route_count = 0 -> 1" in res.stdout, res


def test_a_secret_from_a_data_source_needs_a_sensitive_output(applied):
    write_config(applied, """
data "tencentcloud_vpn_connections" "all" {}

output "leak" {
  value = data.tencentcloud_vpn_connections.all.connection_list[0].pre_share_key
}
""", name="leak.tf")
    res = run(applied, "plan")
    assert res.code == 1, res
    [err] = errors(res.stderr)
    assert err.summary == "Output refers to sensitive values"
    assert "TomVPN-demo-key-2019" not in res.output


DEFERRED = """
data "tencentcloud_vpc_subnets" "of_tom" {
  vpc_id     = tencentcloud_vpc.tom.id
  depends_on = [tencentcloud_subnet.a]
}

data "tencentcloud_vpn_customer_gateway_vendors" "all" {}

output "tom_subnets" {
  value = data.tencentcloud_vpc_subnets.of_tom.instance_list[*].subnet_id
}

output "vendors" {
  value = sort(data.tencentcloud_vpn_customer_gateway_vendors.all.customer_gateway_vendor_set[*].vendor_name)
}
"""


def test_reads_depending_on_unknown_values_wait_for_apply(quickstart):
    """In a fresh directory the VPC does not exist yet: a data source reading by its ID is
    read during apply; one with known arguments is read during plan."""
    write_config(quickstart, DEFERRED, name="lookup.tf")
    res = run(quickstart, "plan")
    assert res.code == 0, res
    assert "data.tencentcloud_vpc_subnets.of_tom will be read during apply" in res.stdout, res
    assert "data.tencentcloud_vpn_customer_gateway_vendors.all" not in res.stdout
    assert plan_summary(res.stdout) == "Plan: 7 to add, 0 to change, 0 to destroy."
    assert '"strongswan"' in res.stdout.split("Changes to Outputs:")[1]
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    out = _outputs(quickstart)
    assert "cisco" in out["vendors"] and "strongswan" in out["vendors"]
    assert isinstance(out["tom_subnets"], list)


def test_a_deferred_read_runs_after_what_it_depends_on(quickstart):
    write_config(quickstart, DEFERRED, name="lookup.tf")
    res = run(quickstart, "apply", "-auto-approve")
    assert res.code == 0, res
    subnet = json.loads(run(quickstart, "console", input="tencentcloud_subnet.a.id\n").stdout)
    assert _outputs(quickstart)["tom_subnets"] == [subnet]
