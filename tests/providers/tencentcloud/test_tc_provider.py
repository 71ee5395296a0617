"""The tencentcloud provider: schema, plan, validate, apply/read/import against the emulator."""

import json

import pytest
from tc_support import blank_config

from engine import values as V
from engine.providers import ApplyRequest, PlanRequest, load_provider_factory
from providers.tencentcloud.provider import TencentCloudProvider

PSK = "TomPsk-very-secret"


def diag_set(diags):
    return {(d.summary, d.attribute_path) for d in diags}


def quickstart(tc):
    """The guide's worked example, created through the provider."""
    vpc = tc.create("tencentcloud_vpc", name="TomVPC", cidr_block="192.168.0.0/16")
    rt = tc.create("tencentcloud_route_table", vpc_id=vpc["id"], name="TomRT")
    subnet = tc.create(
        "tencentcloud_subnet",
        vpc_id=vpc["id"],
        name="A",
        cidr_block="192.168.1.0/24",
        availability_zone="ap-guangzhou-3",
        route_table_id=rt["id"],
    )
    gw = tc.create("tencentcloud_vpn_gateway", name="TomVPNGw", vpc_id=vpc["id"], bandwidth=5)
    cgw = tc.create(
        "tencentcloud_vpn_customer_gateway", name="TomVPNUserGw", public_ip_address="202.108.22.5"
    )
    conn = tc.create(
        "tencentcloud_vpn_connection",
        name="TomVPNConn",
        vpc_id=vpc["id"],
        vpn_gateway_id=gw["id"],
        customer_gateway_id=cgw["id"],
        pre_share_key=V.Sensitive(PSK),
        security_group_policy=[
            {"local_cidr_block": "192.168.1.0/24", "remote_cidr_block": ["10.0.1.0/24"]}
        ],
    )
    entry = tc.create(
        "tencentcloud_route_table_entry",
        route_table_id=rt["id"],
        destination_cidr_block="10.0.1.0/24",
        next_type="VPN",
        next_hub=gw["id"],
    )
    gw_route = tc.create(
        "tencentcloud_vpn_gateway_route",
        vpn_gateway_id=gw["id"],
        destination_cidr_block="10.0.1.0/24",
        instance_type="VPNCONN",
        instance_id=conn["id"],
        priority=100,
        status="ENABLE",
    )
    return dict(
        vpc=vpc, rt=rt, subnet=subnet, gw=gw, cgw=cgw, conn=conn, entry=entry, gw_route=gw_route
    )


# --- schema and configuration -------------------------------------------------------------------


def test_entry_point_and_schema(tmp_path):
    factory = load_provider_factory("tencentcloud")
    p = factory(workdir=str(tmp_path))
    assert isinstance(p, TencentCloudProvider) and p.workdir == str(tmp_path)
    assert p.helper  # as the engine makes it: batches of applies may go to a helper
    s = p.schema()
    assert s.provider.attributes["secret_key"].sensitive
    assert set(s.resources) == {
        "tencentcloud_vpc",
        "tencentcloud_subnet",
        "tencentcloud_route_table",
        "tencentcloud_route_table_entry",
        "tencentcloud_vpn_gateway",
        "tencentcloud_vpn_customer_gateway",
        "tencentcloud_vpn_connection",
        "tencentcloud_vpn_gateway_route",
        "tencentcloud_vpn_customer_gateway_configuration_download",
        "tencentcloud_vpn_connection_reset",
        "tencentcloud_monitor_alarm_notice",
        "tencentcloud_monitor_alarm_policy",
        "tencentcloud_monitor_policy_binding_object",
    }
    for name, rs in s.resources.items():
        assert rs.block.attributes["id"].is_computed_only
        # A download or a reset is no cloud object, so it has no tags (as in the public
        # provider); the Cloud Monitor resources take none here either.
        assert ("tags" in rs.block.attributes) != name.endswith(
            ("_download", "_reset")) or name.startswith("tencentcloud_monitor_")
    conn = s.resources["tencentcloud_vpn_connection"].block
    assert conn.attributes["pre_share_key"].sensitive and conn.attributes["pre_share_key"].required
    assert conn.attributes["ike_dh_group_name"].default == "GROUP1"
    assert conn.attributes["route_type"].force_new and conn.attributes["route_type"].computed
    assert conn.block_types["security_group_policy"].nesting == "set"
    assert (
        conn.block_types["bgp_config"].max_items == 1 and conn.block_types["bgp_config"].force_new
    )
    gw = s.resources["tencentcloud_vpn_gateway"].block.attributes
    assert gw["bandwidth"].default == 5 and gw["vpc_id"].force_new and gw["zone"].force_new
    assert set(s.data_sources) == {
        "tencentcloud_vpn_customer_gateway_vendors",
        "tencentcloud_vpn_gateways",
        "tencentcloud_vpn_customer_gateways",
        "tencentcloud_vpn_connections",
        "tencentcloud_vpn_gateway_routes",
        "tencentcloud_vpc_instances",
        "tencentcloud_vpc_subnets",
        "tencentcloud_vpc_route_tables",
        "tencentcloud_vpn_default_health_check_ip",
    }


def test_region_from_env_and_default(tmp_path, monkeypatch):
    p = TencentCloudProvider(str(tmp_path))
    assert not p.configure({})
    assert p.region == "ap-guangzhou"
    p.close()
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-hongkong")
    p = TencentCloudProvider(str(tmp_path))
    assert not p.configure({"region": None})
    assert p.region == "ap-hongkong"
    p.close()
    assert (tmp_path / ".vpnform" / "cloud.db").exists()


# --- plan -----------------------------------------------------------------------------------------


def test_plan_create_fills_defaults_and_unknowns(tc):
    res = tc.plan(
        "tencentcloud_vpn_connection",
        None,
        name="c",
        vpn_gateway_id=V.UNKNOWN,
        customer_gateway_id="cgw-12345678",
        vpc_id="vpc-12345678",
        pre_share_key=V.Sensitive(PSK),
    )
    p = res.planned
    assert res.requires_replace == [] and not res.diagnostics
    assert p["ike_proto_encry_algorithm"] == "3DES-CBC" and p["ike_sa_lifetime_seconds"] == 86400
    assert p["ipsec_pfs_dh_group"] == "NULL" and p["ipsec_sa_lifetime_traffic"] == 1843200
    assert p["ike_local_address"] is None
    for name in ("id", "state", "net_status", "dpd_enable", "route_type", "bgp_config"):
        assert V.is_unknown(p[name]), name
    assert V.is_unknown(p["vpn_gateway_id"])
    assert p["pre_share_key"] == V.Sensitive(PSK)
    assert p["security_group_policy"] == []


def test_plan_marks_sensitive_even_when_config_is_plain(tc):
    res = tc.plan(
        "tencentcloud_vpn_connection",
        None,
        name="c",
        vpn_gateway_id="vpngw-12345678",
        customer_gateway_id="cgw-12345678",
        pre_share_key=PSK,
    )
    assert isinstance(res.planned["pre_share_key"], V.Sensitive)


def test_plan_update_keeps_computed_and_finds_replacements(tc):
    gw = tc.create("tencentcloud_vpc", name="v", cidr_block="10.0.0.0/16")
    gw = tc.create("tencentcloud_vpn_gateway", name="g", vpc_id=gw["id"])
    same = tc.plan("tencentcloud_vpn_gateway", gw, name="g", vpc_id=gw["vpc_id"])
    assert same.requires_replace == []
    assert same.planned["public_ip_address"] == gw["public_ip_address"]
    assert same.planned["zone"] == gw["zone"] and same.planned["id"] == gw["id"]
    renamed = tc.plan("tencentcloud_vpn_gateway", gw, name="g2", vpc_id=gw["vpc_id"], bandwidth=10)
    assert renamed.requires_replace == [] and renamed.planned["id"] == gw["id"]
    moved = tc.plan("tencentcloud_vpn_gateway", gw, name="g", vpc_id="vpc-00000000")
    assert moved.requires_replace == [("vpc_id",)]
    assert V.is_unknown(moved.planned["id"]) and V.is_unknown(moved.planned["public_ip_address"])
    unknown = tc.plan("tencentcloud_vpn_gateway", gw, name="g", vpc_id=V.UNKNOWN)
    assert unknown.requires_replace == [("vpc_id",)]
    zone = tc.plan(
        "tencentcloud_vpn_gateway", gw, name="g", vpc_id=gw["vpc_id"], zone="ap-guangzhou-4"
    )
    assert zone.requires_replace == [("zone",)]


def test_plan_bandwidth_reset_rule_and_unchangeable_attributes(tc):
    vpc = tc.create("tencentcloud_vpc", name="v", cidr_block="10.0.0.0/16")
    gw = tc.create("tencentcloud_vpn_gateway", name="g", vpc_id=vpc["id"], bandwidth=50)
    down = tc.plan("tencentcloud_vpn_gateway", gw, name="g", vpc_id=vpc["id"], bandwidth=20)
    assert not down.diagnostics and not down.requires_replace  # lowered in place
    assert down.planned["bandwidth"] == 20
    cross = tc.plan("tencentcloud_vpn_gateway", gw, name="g", vpc_id=vpc["id"], bandwidth=200)
    assert diag_set(cross.diagnostics) == {("Unsupported bandwidth change", ("bandwidth",))}
    assert cross.diagnostics.items[0].address == "tencentcloud_vpn_gateway.x"
    assert "crosses" in cross.diagnostics.items[0].detail
    typ = tc.plan(
        "tencentcloud_vpn_gateway", gw, name="g", vpc_id=vpc["id"], bandwidth=50, type="SSL"
    )
    assert ("Unsupported change", ("type",)) in diag_set(typ.diagnostics)


def test_plan_spd_set_order_does_not_matter(tc):
    prior_cfg = dict(
        name="c",
        vpn_gateway_id="vpngw-12345678",
        customer_gateway_id="cgw-12345678",
        vpc_id="vpc-12345678",
        pre_share_key=PSK,
        security_group_policy=[
            {"local_cidr_block": "10.0.0.0/24", "remote_cidr_block": ["1.0.0.0/24", "2.0.0.0/24"]},
            {"local_cidr_block": "10.0.1.0/24", "remote_cidr_block": ["3.0.0.0/24"]},
        ],
    )
    first = tc.plan("tencentcloud_vpn_connection", None, **prior_cfg).planned
    prior = {k: (V.unmark(v)[0] if not V.is_unknown(v) else "x") for k, v in first.items()}
    prior["bgp_config"] = prior["health_check_config"] = []
    swapped = dict(
        prior_cfg, security_group_policy=list(reversed(prior_cfg["security_group_policy"]))
    )
    swapped["security_group_policy"][1] = {
        "local_cidr_block": "10.0.0.0/24",
        "remote_cidr_block": ["2.0.0.0/24", "1.0.0.0/24"],
    }
    res = tc.plan("tencentcloud_vpn_connection", prior, **swapped)
    assert res.requires_replace == []
    assert res.planned["state"] == "x"


# --- validate -------------------------------------------------------------------------------------


def test_validate_connection_paths(provider, tc):
    cfg = tc.config(
        "tencentcloud_vpn_connection",
        name="c" * 61,
        vpn_gateway_id=V.UNKNOWN,
        customer_gateway_id=V.UNKNOWN,
        pre_share_key=V.Sensitive(PSK),
        ike_dh_group_name="GROUP3",
        ike_proto_encry_algorithm="AES",
        ipsec_pfs_dh_group="GROUP2",
        ike_sa_lifetime_seconds=59,
        ipsec_sa_lifetime_seconds=700000,
        ipsec_sa_lifetime_traffic=10,
        dpd_timeout=10,
        dpd_action="hold",
        route_type="OSPF",
        ike_local_identity="FQDN",
        security_group_policy=[
            {
                "local_cidr_block": "10.0.0.0/24",
                "remote_cidr_block": ["10.0.0.128/25", "1.0.0.0/16", "1.0.1.0/24"],
            },
            {"local_cidr_block": "10.0.0.0/16", "remote_cidr_block": [V.UNKNOWN]},
            {"local_cidr_block": "10.9.9.9/24", "remote_cidr_block": ["5.0.0.0/8"]},
        ],
    )
    got = diag_set(provider.validate("tencentcloud_vpn_connection", cfg))
    assert got == {
        ("Invalid name", ("name",)),
        ("Unsupported DH group", ("ike_dh_group_name",)),
        ("Unsupported IKE encryption algorithm", ("ike_proto_encry_algorithm",)),
        ("Unsupported PFS group", ("ipsec_pfs_dh_group",)),
        ("Invalid SA lifetime", ("ike_sa_lifetime_seconds",)),
        ("Invalid SA lifetime", ("ipsec_sa_lifetime_seconds",)),
        ("Invalid SA lifetime", ("ipsec_sa_lifetime_traffic",)),
        ("Invalid DPD setting", ("dpd_timeout",)),
        ("Invalid DPD setting", ("dpd_action",)),
        ("Unsupported route type", ("route_type",)),
        ("Missing required argument", ("ike_local_fqdn_name",)),
        ("Invalid SPD policy", ("security_group_policy", 0, "remote_cidr_block", 0)),
        ("Invalid SPD policy", ("security_group_policy", 0, "remote_cidr_block", 2)),
        ("Invalid SPD policy", ("security_group_policy", 1, "local_cidr_block")),
        ("Invalid CIDR block", ("security_group_policy", 2, "local_cidr_block")),
    }
    details = " ".join(d.detail for d in provider.validate("tencentcloud_vpn_connection", cfg))
    assert "SPD rule 1" in details and "SPD rule 2" in details and "SPD rule 3" in details
    assert PSK not in details


def test_validate_spd_limits(provider, tc):
    many = [
        {"local_cidr_block": f"10.{i}.0.0/24", "remote_cidr_block": ["1.0.0.0/24"]}
        for i in range(11)
    ]
    many[0] = {
        "local_cidr_block": "10.0.0.0/24",
        "remote_cidr_block": [f"2.{i}.0.0/24" for i in range(51)],
    }
    cfg = tc.config(
        "tencentcloud_vpn_connection",
        name="c",
        vpn_gateway_id="vpngw-12345678",
        customer_gateway_id="cgw-12345678",
        pre_share_key=PSK,
        security_group_policy=many,
    )
    got = diag_set(provider.validate("tencentcloud_vpn_connection", cfg))
    assert got == {
        ("Limit exceeded", ("security_group_policy", 10)),
        ("Limit exceeded", ("security_group_policy", 0, "remote_cidr_block")),
    }


def test_validate_skips_unknown_values(provider, tc):
    cfg = tc.config(
        "tencentcloud_vpn_connection",
        name=V.UNKNOWN,
        vpn_gateway_id=V.UNKNOWN,
        customer_gateway_id=V.UNKNOWN,
        pre_share_key=V.UNKNOWN,
        ike_dh_group_name=V.UNKNOWN,
        security_group_policy=V.UNKNOWN,
    )
    assert not provider.validate("tencentcloud_vpn_connection", cfg)


@pytest.mark.parametrize(
    "type_name,values,expected",
    [
        (
            "tencentcloud_vpn_gateway",
            dict(name="g", vpc_id="vpc-1", bandwidth=15),
            ("Unsupported bandwidth", ("bandwidth",)),
        ),
        ("tencentcloud_vpn_gateway", dict(name="g"), ("Missing required argument", ("vpc_id",))),
        (
            "tencentcloud_vpn_gateway",
            dict(name="g", vpc_id="vpc-1", prepaid_period=5),
            ("Unsupported prepaid period", ("prepaid_period",)),
        ),
        (
            "tencentcloud_vpn_customer_gateway",
            dict(name="c", public_ip_address="224.1.1.1"),
            ("Invalid customer gateway address", ("public_ip_address",)),
        ),
        (
            "tencentcloud_vpn_customer_gateway",
            dict(name="c", public_ip_address="192.168.1.255"),
            ("Invalid customer gateway address", ("public_ip_address",)),
        ),
        (
            "tencentcloud_vpn_customer_gateway",
            dict(name="", public_ip_address="1.2.3.4"),
            ("Invalid name", ("name",)),
        ),
        (
            "tencentcloud_vpc",
            dict(name="v", cidr_block="8.0.0.0/16"),
            ("Invalid CIDR block", ("cidr_block",)),
        ),
        (
            "tencentcloud_route_table_entry",
            dict(
                route_table_id="rtb-1",
                destination_cidr_block="10.0.0.1/24",
                next_type="VPN",
                next_hub="vpngw-1",
            ),
            ("Invalid CIDR block", ("destination_cidr_block",)),
        ),
        (
            "tencentcloud_route_table_entry",
            dict(
                route_table_id="rtb-1",
                destination_cidr_block="1.0.0.0/24",
                next_type="TELEPORT",
                next_hub="x",
            ),
            ("Unsupported next hop type", ("next_type",)),
        ),
        (
            "tencentcloud_vpn_gateway_route",
            dict(
                vpn_gateway_id="vpngw-1",
                destination_cidr_block="1.0.0.0/24",
                instance_type="VPNCONN",
                instance_id="vpnx-1",
                priority=50,
                status="ENABLE",
            ),
            ("Unsupported priority", ("priority",)),
        ),
    ],
)
def test_validate_other_resources(provider, tc, type_name, values, expected):
    diags = provider.validate(type_name, tc.config(type_name, **values))
    assert expected in diag_set(diags), list(diags)
    assert all(d.detail.endswith((".", "?")) for d in diags)


# --- apply, read, import ------------------------------------------------------------------------


def test_quickstart_crud(tc, provider):
    objs = quickstart(tc)
    conn = objs["conn"]
    assert conn["state"] == "AVAILABLE" and conn["net_status"] == "UNAVAILABLE"
    assert conn["pre_share_key"] == V.Sensitive(PSK)
    assert conn["ike_local_address"] is None and conn["ike_remote_address"] is None
    assert objs["entry"]["id"] == f"{objs['entry']['route_entry_id']}.{objs['rt']['id']}"
    assert objs["gw_route"]["id"] == f"{objs['gw']['id']}#{objs['gw_route']['route_id']}"
    assert objs["gw"]["public_ip_address"].startswith("198.1")
    assert objs["vpc"]["default_route_table_id"].startswith("rtb-")
    assert provider.read("tencentcloud_route_table", objs["rt"]).value["subnet_ids"] == [
        objs["subnet"]["id"]
    ]
    # Re-planning the same config against what was created changes nothing.
    for key, type_name in (
        ("conn", "tencentcloud_vpn_connection"),
        ("gw", "tencentcloud_vpn_gateway"),
        ("subnet", "tencentcloud_subnet"),
        ("vpc", "tencentcloud_vpc"),
    ):
        prior = objs[key]
        block = provider.schema().resources[type_name].block
        cfg = {
            k: prior[k]
            for k, a in block.attributes.items()
            if a.required or (a.optional and not a.computed)
        }
        cfg.update({k: prior[k] for k in block.block_types if k == "security_group_policy"})
        res = tc.plan(type_name, prior, **cfg)
        assert res.requires_replace == []
        assert V.unmark(res.planned)[0] == V.unmark(prior)[0], type_name
    # Reads agree with what apply returned.
    for key, type_name in (
        ("conn", "tencentcloud_vpn_connection"),
        ("entry", "tencentcloud_route_table_entry"),
        ("gw_route", "tencentcloud_vpn_gateway_route"),
        ("cgw", "tencentcloud_vpn_customer_gateway"),
    ):
        assert provider.read(type_name, objs[key]).value == objs[key]
    # Destroy in reverse dependency order.
    order = [
        ("gw_route", "tencentcloud_vpn_gateway_route"),
        ("entry", "tencentcloud_route_table_entry"),
        ("conn", "tencentcloud_vpn_connection"),
        ("cgw", "tencentcloud_vpn_customer_gateway"),
        ("gw", "tencentcloud_vpn_gateway"),
        ("subnet", "tencentcloud_subnet"),
        ("rt", "tencentcloud_route_table"),
        ("vpc", "tencentcloud_vpc"),
    ]
    for key, type_name in order:
        res = tc.delete(type_name, objs[key])
        assert res.new is None and not res.diagnostics, (type_name, list(res.diagnostics))
        assert provider.read(type_name, objs[key]).value is None


def test_update_sends_only_changed_groups(tc, provider):
    objs = quickstart(tc)
    conn = objs["conn"]
    cfg = dict(
        name="TomVPNConn",
        vpc_id=conn["vpc_id"],
        vpn_gateway_id=conn["vpn_gateway_id"],
        customer_gateway_id=conn["customer_gateway_id"],
        pre_share_key=V.Sensitive("new-psk"),
        ike_dh_group_name="GROUP14",
        tags={"team": "net"},
        security_group_policy=conn["security_group_policy"],
    )
    planned, res = tc.update("tencentcloud_vpn_connection", conn, **cfg)
    assert planned.requires_replace == [] and not res.diagnostics
    [call] = provider.service.calls("ModifyVpnConnectionAttribute")
    assert set(call["params"]) == {"VpnConnectionId", "PreShareKey", "IKEOptionsSpecification"}
    assert call["params"]["IKEOptionsSpecification"]["DhGroupName"] == "GROUP14"
    assert res.new["ike_dh_group_name"] == "GROUP14" and res.new["tags"] == {"team": "net"}
    assert res.new["pre_share_key"] == V.Sensitive("new-psk")
    gw = objs["gw"]
    _, res = tc.update(
        "tencentcloud_vpn_gateway", gw, name="renamed", vpc_id=gw["vpc_id"], bandwidth=100
    )
    assert res.new["name"] == "renamed" and res.new["bandwidth"] == 100
    assert [
        c["params"]["InternetMaxBandwidthOut"]
        for c in provider.service.calls("ResetVpnGatewayInternetMaxBandwidth")
    ] == [100]
    entry = objs["entry"]
    _, res = tc.update(
        "tencentcloud_route_table_entry",
        entry,
        route_table_id=entry["route_table_id"],
        destination_cidr_block="10.0.1.0/24",
        next_type="VPN",
        next_hub=entry["next_hub"],
        disabled=True,
    )
    assert res.new["disabled"] is True
    route = objs["gw_route"]
    _, res = tc.update(
        "tencentcloud_vpn_gateway_route",
        route,
        **{
            k: route[k]
            for k in (
                "vpn_gateway_id",
                "destination_cidr_block",
                "instance_type",
                "instance_id",
                "priority",
            )
        },
        status="DISABLE",
    )
    assert res.new["status"] == "DISABLE"
    sub = objs["subnet"]
    _, res = tc.update(
        "tencentcloud_subnet",
        sub,
        vpc_id=sub["vpc_id"],
        name="B",
        cidr_block=sub["cidr_block"],
        availability_zone=sub["availability_zone"],
        route_table_id=objs["vpc"]["default_route_table_id"],
    )
    assert (
        res.new["route_table_id"] == objs["vpc"]["default_route_table_id"]
        and res.new["name"] == "B"
    )


def test_apply_error_is_a_diagnostic_without_secrets(tc, provider):
    vpc = tc.create("tencentcloud_vpc", name="v", cidr_block="192.168.0.0/16")
    gw = tc.create("tencentcloud_vpn_gateway", name="g", vpc_id=vpc["id"])
    cgw = tc.create("tencentcloud_vpn_customer_gateway", name="c", public_ip_address="203.0.113.9")
    provider.service.inject_fault(
        "CreateVpnConnection", "FailedOperation", f"the key {PSK} was rejected"
    )
    cfg = tc.config(
        "tencentcloud_vpn_connection",
        name="c",
        vpc_id=vpc["id"],
        vpn_gateway_id=gw["id"],
        customer_gateway_id=cgw["id"],
        pre_share_key=V.Sensitive(PSK),
        security_group_policy=[
            {"local_cidr_block": "192.168.1.0/24", "remote_cidr_block": ["192.168.77.0/24"]}
        ],
    )
    planned = tc.p.plan(PlanRequest("tencentcloud_vpn_connection", "a.b", None, cfg)).planned
    res = provider.apply(ApplyRequest("tencentcloud_vpn_connection", "a.b", None, planned, cfg))
    [d] = res.diagnostics
    assert res.new is None and d.summary == "Error creating VPN connection"
    assert "FailedOperation" in d.detail and PSK not in d.detail and d.address == "a.b"
    # Without the fault, the cloud's own rule 4 check answers.
    res = provider.apply(ApplyRequest("tencentcloud_vpn_connection", "a.b", None, planned, cfg))
    [d] = res.diagnostics
    assert "InvalidParameterValue.VpnConnCidrConflict" in d.detail and "SPD rule 4" in d.detail


def test_create_that_fails_after_the_id_returns_the_object(tc, provider):
    """The VPN gateway exists once CreateVpnGateway answers; when its wait for AVAILABLE
    then fails, the apply still hands the object back so that it is recorded."""
    vpc = tc.create("tencentcloud_vpc", name="v", cidr_block="10.0.0.0/16")
    provider.service.delay_scale = 1.0  # PENDING at first: the wait must ask the cloud
    provider.service.inject_fault("DescribeVpnGateways", "FailedOperation", count=10)
    cfg = tc.config("tencentcloud_vpn_gateway", name="g", vpc_id=vpc["id"])
    planned = provider.plan(PlanRequest("tencentcloud_vpn_gateway", "g", None, cfg)).planned
    res = provider.apply(ApplyRequest("tencentcloud_vpn_gateway", "g", None, planned, cfg))
    assert res.diagnostics.has_errors
    assert res.new is not None and res.new["id"].startswith("vpngw-")
    provider.service.clear_faults()
    got = provider.read("tencentcloud_vpn_gateway", res.new).value
    assert got["id"] == res.new["id"] and got["state"] in ("PENDING", "AVAILABLE")


def test_retryable_fault_is_absorbed_and_delete_refusal_reported(tc, provider):
    objs = quickstart(tc)
    provider.service.inject_fault("DescribeVpcs", "RequestLimitExceeded", count=2)
    assert provider.read("tencentcloud_vpc", objs["vpc"]).value["id"] == objs["vpc"]["id"]
    res = tc.delete("tencentcloud_vpn_gateway", objs["gw"])
    [d] = res.diagnostics
    assert d.summary == "Error deleting VPN gateway" and "tunnels" in d.detail
    assert res.new == objs["gw"]
    res = tc.delete("tencentcloud_vpc", objs["vpc"])
    assert "ResourceInUse" in res.diagnostics.items[0].detail


def test_polling_waits_for_available(tmp_path, monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_DELAY_SCALE", "1")
    p = TencentCloudProvider(str(tmp_path))
    p.configure({})
    try:
        vpc = p.service.call("CreateVpc", {"VpcName": "v", "CidrBlock": "10.0.0.0/16"}, p.region)
        cfg = blank_config(p, "tencentcloud_vpn_gateway", name="g", vpc_id=vpc["Vpc"]["VpcId"])
        planned = p.plan(PlanRequest("tencentcloud_vpn_gateway", "g", None, cfg)).planned
        res = p.apply(ApplyRequest("tencentcloud_vpn_gateway", "g", None, planned, cfg))
        assert res.new["state"] == "AVAILABLE"
        assert len(p.service.calls("DescribeVpnGateways")) >= 3
    finally:
        p.close()


def test_read_gone_and_import(tc, provider):
    objs = quickstart(tc)
    assert provider.read("tencentcloud_vpc", {**objs["vpc"], "id": "vpc-00000000"}).value is None
    assert (
        provider.read(
            "tencentcloud_route_table_entry", {**objs["entry"], "id": f"999.{objs['rt']['id']}"}
        ).value
        is None
    )
    imported = provider.import_resource("tencentcloud_vpn_connection", objs["conn"]["id"])
    assert not imported.diagnostics
    v = imported.value
    assert (
        v["pre_share_key"] == V.Sensitive(PSK)
        and v["security_group_policy"] == objs["conn"]["security_group_policy"]
    )
    gw = provider.import_resource("tencentcloud_vpn_gateway", objs["gw"]["id"]).value
    assert gw["prepaid_period"] == 1 and gw["prepaid_renew_flag"] == "NOTIFY_AND_AUTO_RENEW"
    assert gw["vpc_id"] == objs["vpc"]["id"]
    entry = provider.import_resource("tencentcloud_route_table_entry", objs["entry"]["id"]).value
    assert entry == objs["entry"]
    missing = provider.import_resource("tencentcloud_vpn_gateway", "vpngw-00000000")
    assert (
        missing.value is None
        and missing.diagnostics.items[0].summary == "Cannot import non-existent remote object"
    )


def test_data_sources(tc, provider, tmp_path):
    objs = quickstart(tc)
    got = provider.read_data_source(
        "tencentcloud_vpn_gateways",
        {
            "name": "TomVPNGw",
            "id": None,
            "vpc_id": objs["vpc"]["id"],
            "public_ip_address": None,
            "zone": None,
            "tags": None,
            "result_output_file": "gws.json",
        },
    )
    assert not got.diagnostics
    [g] = got.value["gateway_list"]
    assert g["id"] == objs["gw"]["id"] and g["public_ip_address"] == objs["gw"]["public_ip_address"]
    assert json.loads((tmp_path / "gws.json").read_text())[0]["id"] == g["id"]
    none = provider.read_data_source("tencentcloud_vpn_gateways", {"name": "nope"})
    assert none.value["gateway_list"] == []
    vendors = provider.read_data_source("tencentcloud_vpn_customer_gateway_vendors", {})
    assert {
        "platform": "ios",
        "software_version": "V15.4",
        "vendor_name": "cisco",
    } in vendors.value["customer_gateway_vendor_set"]
    assert provider.read_data_source("tencentcloud_nope", {}).diagnostics.has_errors


def test_a_create_reads_back_what_it_already_saw_without_asking_again(tc, provider):
    """A create's answer that is already AVAILABLE is the read-back, and the gateway's
    type and public IP, which never change, come from its own create earlier in the run:
    a tunnel's create asks no Describe at all (against the real cloud, a round trip
    each), while a later read asks the cloud for the tunnel."""
    objs = quickstart(tc)
    cgw = tc.create("tencentcloud_vpn_customer_gateway", name="Other",
                    public_ip_address="202.108.22.6")

    def counts():
        return (len(provider.service.calls("DescribeVpnGateways")),
                len(provider.service.calls("DescribeVpnConnections")),
                len(provider.service.calls("DescribeCustomerGateways")))

    before = counts()
    conn = tc.create("tencentcloud_vpn_connection", name="Second", vpc_id=objs["vpc"]["id"],
                     vpn_gateway_id=objs["gw"]["id"], customer_gateway_id=cgw["id"],
                     pre_share_key=V.Sensitive(PSK), security_group_policy=[
                         {"local_cidr_block": "192.168.1.0/24",
                          "remote_cidr_block": ["10.0.2.0/24"]}])
    after = counts()
    assert conn["state"] == "AVAILABLE"
    assert conn["ike_local_address"] is None  # the gateway's IP is still the default
    assert after == before
    assert provider.read("tencentcloud_vpn_connection", conn).value == conn
    assert counts() == (after[0], after[1] + 1, after[2])  # a read asks for the tunnel


def test_a_new_run_asks_for_a_gateway_once_for_all_its_new_tunnels(tc, provider, tmp_path):
    """A run that did not create the gateway describes it for its first new tunnel only:
    its type and public IP serve the others."""
    objs = quickstart(tc)
    again = TencentCloudProvider(str(tmp_path))
    again.configure({})
    try:
        before = len(provider.service.calls("DescribeVpnGateways"))
        for i, ip in enumerate(["202.108.22.6", "202.108.22.7", "202.108.22.8"]):
            cgw = provider.service.call("CreateCustomerGateway", {
                "CustomerGatewayName": f"c{i}", "IpAddress": ip}, again.region)
            cfg = blank_config(again, "tencentcloud_vpn_connection", name=f"t{i}",
                               vpc_id=objs["vpc"]["id"], vpn_gateway_id=objs["gw"]["id"],
                               customer_gateway_id=cgw["CustomerGateway"]["CustomerGatewayId"],
                               pre_share_key=V.Sensitive(PSK), security_group_policy=[
                                   {"local_cidr_block": "192.168.1.0/24",
                                    "remote_cidr_block": [f"10.0.{10 + i}.0/24"]}])
            planned = again.plan(PlanRequest("tencentcloud_vpn_connection", "t", None,
                                             cfg)).planned
            res = again.apply(ApplyRequest("tencentcloud_vpn_connection", "t", None, planned,
                                           cfg))
            assert not res.diagnostics.has_errors, res.diagnostics
            assert res.new["is_ccn_type"] is False and res.new["state"] == "AVAILABLE"
        assert len(provider.service.calls("DescribeVpnGateways")) == before + 1
    finally:
        again.close()


def test_routes_read_back_from_their_create_answer_unless_changed_after(tc, provider):
    """CreateRoutes answers the route table and CreateVpnGatewayRoutes the new route: the
    read-back takes them, with no Describe. A route entry created disabled is disabled
    after its create's answer, so its read-back asks the cloud and shows it disabled."""
    objs = quickstart(tc)
    svc = provider.service

    def counts():
        return len(svc.calls("DescribeRouteTables")), len(svc.calls("DescribeVpnGatewayRoutes"))

    before = counts()
    on = tc.create("tencentcloud_route_table_entry", route_table_id=objs["entry"]["route_table_id"],
                   destination_cidr_block="10.0.7.0/24", next_type="VPN",
                   next_hub=objs["gw"]["id"])
    route = tc.create("tencentcloud_vpn_gateway_route", vpn_gateway_id=objs["gw"]["id"],
                      destination_cidr_block="10.0.8.0/24", instance_type="VPNCONN",
                      instance_id=objs["conn"]["id"], priority=0, status="ENABLE")
    assert counts() == before
    assert on["disabled"] is False and on["route_entry_id"]
    assert route["route_id"] and route["status"] == "ENABLE"
    assert provider.read("tencentcloud_vpn_gateway_route", route).value == route
    assert provider.read("tencentcloud_route_table_entry", on).value == on

    before = counts()
    off = tc.create("tencentcloud_route_table_entry",
                    route_table_id=objs["entry"]["route_table_id"],
                    destination_cidr_block="10.0.9.0/24", next_type="VPN",
                    next_hub=objs["gw"]["id"], disabled=True)
    assert off["disabled"] is True
    assert counts() == (before[0] + 1, before[1])
