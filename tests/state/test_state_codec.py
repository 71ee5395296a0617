"""The v4 codec: layout as Terraform writes it, ordering, errors, exact round trip."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.addrs import (DATA, MANAGED, InstanceAddr, ModuleInstanceStep, ProviderConfigAddr,
                          ResourceAddr)
from engine.state.codec import (MapKey, _go_escape, apply_journal_entry, decode_instance,
                                decode_state, dumps_state, encode_instance, encode_state,
                                infer_type, journal_entry, loads_state)
from engine.state.backends.base import StateError
from engine.state.model import READY, TAINTED, InstanceObject, OutputValue, ResourceState, State
from state_samples import LINEAGE, sample_state

PROVIDER = 'provider["registry.terraform.io/tencentcloudstack/tencentcloud"]'


def test_top_level_layout():
    d = encode_state(sample_state())
    assert list(d) == ["version", "terraform_version", "serial", "lineage", "outputs",
                       "resources", "check_results"]
    assert d["version"] == 4 and d["serial"] == 3 and d["lineage"] == LINEAGE
    assert d["check_results"] is None
    assert d["outputs"]["conn_id"] == {"value": "vpnx-00000000", "type": "string"}
    assert d["outputs"]["psk"] == {"value": "secret-0", "type": "string", "sensitive": True}
    assert d["outputs"]["ids"] == {"value": ["a", "b"], "type": ["list", "string"]}


def test_resource_and_instance_layout():
    d = encode_state(sample_state())
    # Terraform's order: module string, then mode string ("data" < "managed"), type, name.
    assert [(r.get("module", ""), r["mode"], r["type"]) for r in d["resources"]] == [
        ("", "data", "tencentcloud_availability_zones"),
        ("", "managed", "tencentcloud_vpn_connection"),
        ("", "managed", "tencentcloud_vpn_gateway"),
        ('module.site["sh"]', "managed", "tencentcloud_vpn_customer_gateway"),
    ]
    conn = d["resources"][1]
    assert list(conn) == ["mode", "type", "name", "each", "provider", "instances"]
    assert conn["each"] == "list" and conn["provider"] == PROVIDER
    i0, i1 = conn["instances"]
    assert list(i0) == ["index_key", "schema_version", "attributes", "sensitive_attributes",
                        "dependencies"]
    assert i0["index_key"] == 0 and "status" not in i0
    assert i0["sensitive_attributes"] == [[{"type": "get_attr", "value": "pre_share_key"}]]
    assert i0["dependencies"] == ["tencentcloud_vpn_customer_gateway.cgw",
                                  "tencentcloud_vpn_gateway.gw"]
    assert i1["status"] == "tainted"
    assert i1["sensitive_attributes"][1] == [
        {"type": "get_attr", "value": "security_group_policy"},
        {"type": "index", "value": {"value": 0, "type": "number"}},
        {"type": "get_attr", "value": "remote_cidr_block"}]
    assert list(i0["attributes"]) == sorted(i0["attributes"])
    gw = d["resources"][2]
    assert "each" not in gw and "index_key" not in gw["instances"][0]
    assert gw["instances"][0]["create_before_destroy"] is True
    assert gw["instances"][0]["schema_version"] == 1
    assert gw["instances"][0]["sensitive_attributes"] == []
    cgw = d["resources"][3]
    assert cgw["each"] == "map" and cgw["provider"] == PROVIDER + ".hk"
    assert cgw["instances"][0]["index_key"] == "a"
    assert cgw["instances"][0]["sensitive_attributes"] == [[
        {"type": "get_attr", "value": "tags"},
        {"type": "index", "value": {"value": "k", "type": "string"}}]]


def test_instances_sorted_by_key():
    s = State(lineage=LINEAGE)
    r = ResourceAddr(MANAGED, "t", "n")
    for k in (10, 2, 0):
        s.set_instance(r.instance(k), ProviderConfigAddr("tencentcloud"), InstanceObject({}))
    assert [i["index_key"] for i in encode_state(s)["resources"][0]["instances"]] == [0, 2, 10]


def test_a_large_state_is_written_exactly_as_json_with_go_escapes():
    # thousands of resources: the encoder joins and encodes its text in many pieces
    s = State(lineage=LINEAGE)
    r = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "t")
    for k in range(1500):
        s.set_instance(r.instance(k), ProviderConfigAddr("tencentcloud"), InstanceObject({
            "id": f"vpnx-{k}", "name": f"tünnel <{k}> & co\u2028", "tags": {"k": [k, k / 3, None]}}))
    raw = dumps_state(s)
    assert len(raw) > 500_000
    stdlib = json.dumps(encode_state(s), indent=2, ensure_ascii=False)
    assert raw == (_go_escape(stdlib) + "\n").encode()
    assert loads_state(raw) == s


def test_dumps_format():
    raw = dumps_state(sample_state())
    assert raw.endswith(b"}\n") and raw.startswith(b'{\n  "version": 4,\n  "terraform_version"')
    s = State(lineage=LINEAGE)
    s.outputs["x"] = OutputValue("a<b>&c")
    assert b'"a\\u003cb\\u003e\\u0026c"' in dumps_state(s)  # Go's escaping
    assert loads_state(dumps_state(s)).outputs["x"].value == "a<b>&c"


def test_output_type_inference():
    assert infer_type("x") == "string"
    assert infer_type(1) == "number" and infer_type(1.5) == "number"
    assert infer_type(True) == "bool"
    assert infer_type(["a", 1]) == ["tuple", ["string", "number"]]
    assert infer_type({"b": [True], "a": "x"}) == ["object", {"a": "string",
                                                              "b": ["tuple", ["bool"]]}]


def test_sample_round_trip():
    s = sample_state()
    back = loads_state(dumps_state(s))
    for name, ov in s.outputs.items():  # decode keeps the (inferred) type as written
        if ov.type is None:
            ov.type = infer_type(ov.value)
    assert back == s
    assert isinstance(back.instance(
        InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpn_customer_gateway", "cgw",
                                  (ModuleInstanceStep("site", "sh"),)), "a")
    ).sensitive_paths[0][1], MapKey)


@pytest.mark.parametrize("raw, phrase", [
    (b"{not json", "is not valid JSON: Expecting property name"),
    (b'{"version": 3, "serial": 1, "lineage": "x"}', "version 3, written by Terraform before 0.12"),
    (b'{"version": 5, "serial": 1, "lineage": "x"}', "Upgrade vpnform"),
    (b'[1, 2]', "not a Terraform state file"),
    (b'{"serial": 1}', "no valid 'version'"),
    (b'{"version": 4, "serial": 1}', "no lineage"),
    (b'\xff\xfe', "not UTF-8"),
])
def test_loads_errors(raw, phrase):
    with pytest.raises(StateError, match="my.tfstate") as exc:
        loads_state(raw, "my.tfstate")
    assert phrase in str(exc.value)


def test_deposed_objects_round_trip_after_the_current_ones():
    """A create_before_destroy replacement's old object, set aside but not yet deleted, is
    kept as Terraform keeps it: an instance with a "deposed" key."""
    d = encode_state(sample_state())
    d["resources"][1]["instances"][0]["deposed"] = "00000001"
    state = decode_state(d)
    rs = next(r for r in state.resources.values() if r.addr.type == "tencentcloud_vpn_connection")
    assert list(rs.deposed) and all(dk == "00000001" for _, dk in rs.deposed)
    again = encode_state(state)
    conn = again["resources"][1]["instances"]
    assert [i.get("deposed") for i in conn][-1] == "00000001"
    keys = list(conn[-1])
    assert keys.index("index_key") < keys.index("deposed") < keys.index("schema_version")
    assert decode_state(again).resources == state.resources


def test_decode_errors_name_the_resource():
    d = encode_state(sample_state())
    d["resources"][1]["instances"][0]["deposed"] = 1
    with pytest.raises(StateError,
                       match=r"tencentcloud_vpn_connection.conn instances\[0\].*deposed"):
        decode_state(d)
    d = encode_state(sample_state())
    d["resources"][1]["provider"] = "aws"
    with pytest.raises(StateError, match="invalid provider address"):
        decode_state(d)


def test_terraform_written_instance_is_accepted():
    # As Terraform 1.11 writes it, including fields vpnform does not keep (private).
    inst = {"index_key": "k", "schema_version": 0, "attributes": {"id": "x"},
            "sensitive_attributes": [], "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ=="}
    key, obj = decode_instance(inst)
    assert key == "k" and obj == InstanceObject({"id": "x"})


def test_journal_entry_replays_like_decoding():
    addr = InstanceAddr(ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "c"), 3)
    obj = InstanceObject({"id": "x", "pre_share_key": "p"}, [("pre_share_key",)], status=TAINTED)
    entry = journal_entry(addr, ProviderConfigAddr("tencentcloud"), obj)
    assert entry.object == encode_instance(3, obj) and entry.each_mode == "count"
    s = State(lineage=LINEAGE)
    apply_journal_entry(s, entry)
    assert s.instance(addr) == obj and s.resources[addr.resource].each_mode == "count"
    apply_journal_entry(s, journal_entry(addr, ProviderConfigAddr("tencentcloud"), None))
    assert s.empty


# --- property: exact round trip ------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_name = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=10)
_path = st.lists(_name | st.integers(0, 5) | _text.map(MapKey), min_size=1, max_size=3).map(tuple)
_object = st.builds(
    InstanceObject,
    attributes=st.dictionaries(_name, _json, max_size=4),
    sensitive_paths=st.lists(_path, max_size=2),
    dependencies=st.lists(_name.map(lambda n: f"t.{n}"), max_size=2),
    status=st.sampled_from([READY, TAINTED]),
    schema_version=st.integers(0, 3),
    create_before_destroy=st.booleans())
_module = st.lists(st.builds(ModuleInstanceStep, _name, st.none() | st.integers(0, 3) | _text),
                   max_size=2).map(tuple)


@st.composite
def _states(draw):
    s = State(lineage=draw(st.uuids()).hex, serial=draw(st.integers(0, 10**6)),
              terraform_version=draw(st.sampled_from(["1.11.0", "1.5.7"])))
    for _ in range(draw(st.integers(0, 4))):
        addr = ResourceAddr(draw(st.sampled_from([MANAGED, DATA])), draw(_name), draw(_name),
                            draw(_module))
        each = draw(st.sampled_from(["", "count", "for_each"]))
        keys = ([None] if each == "" else
                draw(st.lists(st.integers(0, 20), min_size=1, max_size=3, unique=True))
                if each == "count" else
                draw(st.lists(_text, min_size=1, max_size=3, unique=True)))
        provider = ProviderConfigAddr("tencentcloud", draw(st.none() | _name))
        s.resources[addr] = ResourceState(addr, provider, {k: draw(_object) for k in keys}, each)
    for name in draw(st.lists(_name, max_size=3, unique=True)):
        value = draw(_json)
        s.outputs[name] = OutputValue(value, draw(st.booleans()),
                                      draw(st.sampled_from([infer_type(value), "dynamic"])))
    return s


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_states())
def test_round_trip_is_exact(state):
    assert decode_state(encode_state(state)) == state
    raw = dumps_state(state)
    assert loads_state(raw) == state
    assert dumps_state(loads_state(raw)) == raw
    assert json.loads(raw) == encode_state(state)
    stdlib = json.dumps(encode_state(state), indent=2, ensure_ascii=False)
    assert raw == (_go_escape(stdlib) + "\n").encode()  # fast encoder == stdlib layout


def test_writing_a_state_leaves_no_garbage_to_collect():
    # The text of a large state is built in pieces; nothing may keep them (or anything
    # else) alive until the cyclic GC runs, or they are held beside the state's bytes
    # while those are written.
    import gc
    s = State(lineage=LINEAGE)
    r = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "t")
    for k in range(300):
        s.set_instance(r.instance(k), ProviderConfigAddr("tencentcloud"),
                       InstanceObject({"id": f"vpnx-{k}", "tags": {"k": [k, None]}}))
    gc.collect()
    gc.disable()
    try:
        raw = dumps_state(s)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert loads_state(raw) == s
