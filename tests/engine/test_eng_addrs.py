"""Addresses: canonical text that parses back, a total sort order, clear parse errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.addrs import (
    DATA,
    MANAGED,
    AddressError,
    InstanceAddr,
    ModuleInstanceStep,
    ProviderConfigAddr,
    ResourceAddr,
    parse_instance,
    parse_resource,
)

IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True)
# "module" and "data" lead the other address forms, so they cannot be resource types.
TYPE_NAME = IDENT.filter(lambda s: s not in ("module", "data"))
KEY = st.one_of(st.none(), st.integers(min_value=0, max_value=10**6), st.text(max_size=12))
MODULE_PATH = st.lists(st.builds(ModuleInstanceStep, IDENT, KEY), max_size=3).map(tuple)
RESOURCES = st.builds(ResourceAddr, st.sampled_from([MANAGED, DATA]), TYPE_NAME, IDENT,
                      MODULE_PATH)
INSTANCES = st.builds(InstanceAddr, RESOURCES, KEY)


@given(INSTANCES)
def test_instance_string_parses_back_to_the_same_address(addr):
    text = str(addr)
    assert parse_instance(text) == addr
    assert str(parse_instance(text)) == text


@given(RESOURCES)
def test_resource_string_parses_back(addr):
    assert parse_resource(str(addr)) == addr


@given(st.lists(INSTANCES, min_size=2, max_size=6))
def test_sort_is_consistent_with_sort_key(addrs):
    ordered = sorted(addrs)
    keys = [a.sort_key() for a in ordered]
    assert keys == sorted(keys)
    # sorting the canonical strings' parse results gives the same order
    assert sorted(parse_instance(str(a)) for a in addrs) == ordered


@pytest.mark.parametrize("text, expected", [
    ("fake_thing.a", InstanceAddr(ResourceAddr(MANAGED, "fake_thing", "a"))),
    ("fake_thing.a[3]", InstanceAddr(ResourceAddr(MANAGED, "fake_thing", "a"), 3)),
    ('fake_thing.a["k"]', InstanceAddr(ResourceAddr(MANAGED, "fake_thing", "a"), "k")),
    ("data.fake_thing.a", InstanceAddr(ResourceAddr(DATA, "fake_thing", "a"))),
    ('module.site["sh"].tencentcloud_vpn_connection.conn[0]', InstanceAddr(ResourceAddr(
        MANAGED, "tencentcloud_vpn_connection", "conn", (ModuleInstanceStep("site", "sh"),)), 0)),
    ("module.a.module.b[1].fake_thing.x", InstanceAddr(ResourceAddr(
        MANAGED, "fake_thing", "x", (ModuleInstanceStep("a"), ModuleInstanceStep("b", 1))))),
])
def test_parse_known_forms(text, expected):
    assert parse_instance(text) == expected
    assert str(expected) == text


def test_sort_order_as_a_user_reads_a_listing():
    texts = ['module.m.fake_thing.a', 'fake_thing.b["x"]', "fake_thing.b[10]", "fake_thing.b[2]",
             "fake_thing.b", "data.fake_thing.a", "fake_thing.a", "other_thing.a",
             'module.m["k"].fake_thing.a', "module.m[0].fake_thing.a"]
    ordered = [str(a) for a in sorted(parse_instance(t) for t in texts)]
    assert ordered == [
        # root module first; managed before data; then type, name, key (none < int < str)
        "fake_thing.a", "fake_thing.b", "fake_thing.b[2]", "fake_thing.b[10]",
        'fake_thing.b["x"]', "other_thing.a", "data.fake_thing.a",
        "module.m.fake_thing.a", "module.m[0].fake_thing.a", 'module.m["k"].fake_thing.a',
    ]


def test_addresses_are_usable_as_dict_keys():
    d = {parse_instance("fake_thing.a[0]"): 1}
    assert d[InstanceAddr(ResourceAddr(MANAGED, "fake_thing", "a"), 0)] == 1
    assert parse_instance("fake_thing.a[0]") != parse_instance('fake_thing.a["0"]')


@pytest.mark.parametrize("text", [
    "", "fake_thing", "fake_thing.", "fake_thing.a.b", "fake_thing.a[", "fake_thing.a[-1]",
    "fake_thing.a[0][1]", 'fake_thing.a["x]', "fake_thing.a[x]", "module.m", "module.m[0]",
    "module", "data.fake_thing", "1thing.a", "fake_thing.a b", "fake thing.a",
])
def test_invalid_instance_addresses_raise(text):
    with pytest.raises(AddressError):
        parse_instance(text)


def test_resource_address_rejects_an_instance_key():
    with pytest.raises(AddressError, match="instance address"):
        parse_resource("fake_thing.a[0]")


def test_address_error_message_names_the_text():
    with pytest.raises(AddressError, match=r"fake_thing\.a\.b"):
        parse_instance("fake_thing.a.b")


@given(IDENT, st.one_of(st.none(), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)),
       st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True))
def test_provider_state_string_round_trip(name, alias, namespace):
    addr = ProviderConfigAddr(name, alias, namespace)
    assert ProviderConfigAddr.parse_state_str(addr.state_str()) == addr


def test_provider_address_forms():
    hk = ProviderConfigAddr("tencentcloud", "hk")
    assert str(hk) == "tencentcloud.hk"
    assert hk.state_str() == 'provider["registry.terraform.io/tencentcloudstack/tencentcloud"].hk'
    with pytest.raises(AddressError):
        ProviderConfigAddr.parse_state_str('provider["tencentcloud"]')


@pytest.mark.parametrize("text", ["fake_thing..a", "fake_thing.a.", ".fake_thing.a",
                                  "fake_thing a", "module m fake_thing a", "fake_thing.a.[0]"])
def test_malformed_separators_raise(text):
    with pytest.raises(AddressError):
        parse_instance(text)
