"""state mv / rm / push rules on the model (engine/state/edit.py)."""

from __future__ import annotations

import pytest
from state_samples import TC, sample_state

from engine.addrs import parse_instance
from engine.state import codec
from engine.state.backends.local import LocalBackend
from engine.state.edit import StateEditError, check_push, keep_in_flight, move, remove


def addrs(state) -> list[str]:
    return [str(a) for a in state.instance_addrs()]


def test_move_resource_keeps_its_instances_and_provider():
    s = sample_state()
    m = move(s, "tencentcloud_vpn_connection.conn", "tencentcloud_vpn_connection.main")
    assert (m.source, m.destination) == ("tencentcloud_vpn_connection.conn",
                                         "tencentcloud_vpn_connection.main")
    assert "tencentcloud_vpn_connection.main[0]" in addrs(s)
    assert "tencentcloud_vpn_connection.main[1]" in addrs(s)
    assert not any(a.startswith("tencentcloud_vpn_connection.conn") for a in addrs(s))
    moved = s.resources[parse_instance("tencentcloud_vpn_connection.main").resource]
    assert moved.each_mode == "count" and moved.instances[1].status == "tainted"
    # the moved state encodes and decodes (addresses are consistent)
    assert addrs(codec.loads_state(codec.dumps_state(s))) == addrs(s)


def test_move_instance_to_a_for_each_key_and_into_a_module():
    s = sample_state()
    move(s, "tencentcloud_vpn_connection.conn[1]", 'tencentcloud_vpn_connection.conn["b"]')
    assert 'tencentcloud_vpn_connection.conn["b"]' in addrs(s)
    move(s, "tencentcloud_vpn_gateway.gw", 'module.site["sh"].tencentcloud_vpn_gateway.gw')
    assert 'module.site["sh"].tencentcloud_vpn_gateway.gw' in addrs(s)
    # a single keyless instance may take a key (as Terraform allows)
    move(s, 'module.site["sh"].tencentcloud_vpn_gateway.gw',
         'module.site["sh"].tencentcloud_vpn_gateway.gw2[0]')
    rs = s.resources[parse_instance('module.site["sh"].tencentcloud_vpn_gateway.gw2').resource]
    assert rs.each_mode == "count" and rs.instances[0].create_before_destroy
    assert addrs(codec.loads_state(codec.dumps_state(s))) == addrs(s)


def test_move_module_moves_everything_in_it():
    s = sample_state()
    m = move(s, 'module.site["sh"]', 'module.branch[0]')
    assert str(m.destination) == "module.branch[0]"
    assert 'module.branch[0].tencentcloud_vpn_customer_gateway.cgw["a"]' in addrs(s)
    assert not any(a.startswith("module.site") for a in addrs(s))


@pytest.mark.parametrize("src,dst,summary,words", [
    ("tencentcloud_vpn_connection.nope", "tencentcloud_vpn_connection.x",
     "Invalid source address", "does not match anything"),
    ("tencentcloud_vpn_connection.conn[7]", "tencentcloud_vpn_connection.conn[8]",
     "Invalid source address", "does not match anything"),
    ("tencentcloud_vpn_connection.conn[0]", "tencentcloud_vpn_connection.conn[1]",
     "Invalid target address", "already a resource instance"),
    ("tencentcloud_vpn_connection.conn", "tencentcloud_vpn_gateway.gw",
     "Invalid state move request", "resource types don't match"),
    ("tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_gateway.x",
     None, None),
    ("tencentcloud_vpn_connection.conn", "tencentcloud_vpn_connection.x[0]",
     "Invalid target address", "whole resource"),
    ('module.site["sh"]', "tencentcloud_vpn_gateway.q",
     "Invalid target address", "must also be a module"),
    ("tencentcloud_vpn_connection.conn", "module.q",
     "Invalid target address", "not a module"),
    ("module.nope", "module.q", "Invalid source address", "does not match anything"),
    ('module.site["sh"]', 'module.site["sh"].module.inner',
     "Invalid target address", "into itself"),
    ("tencentcloud_vpn_connection.", "x", "Invalid address", "source address is invalid"),
])
def test_move_refusals_leave_the_state_unchanged(src, dst, summary, words):
    s = sample_state()
    before = codec.encode_state(s)
    if summary is None:  # the control case: a valid move does change the state
        move(s, src, dst)
        assert codec.encode_state(s) != before
        return
    with pytest.raises(StateEditError) as err:
        move(s, src, dst)
    assert err.value.summary == summary
    assert words in err.value.detail
    assert codec.encode_state(s) == before


def test_move_to_an_existing_resource_or_module_is_refused():
    s = sample_state()
    move(s, "tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_gateway.gw2")
    move(s, "tencentcloud_vpn_gateway.gw2", 'module.other.tencentcloud_vpn_gateway.gw')
    with pytest.raises(StateEditError, match="already a resource at that address"):
        move(s, "tencentcloud_vpn_connection.conn", "tencentcloud_vpn_connection.conn")
    with pytest.raises(StateEditError, match="already a module instance"):
        move(s, 'module.site["sh"]', "module.other")


def test_remove_resources_instances_and_modules():
    s = sample_state()
    gone = remove(s, ["tencentcloud_vpn_connection.conn[1]", 'module.site["sh"]'])
    assert [str(a) for a in gone] == [
        "tencentcloud_vpn_connection.conn[1]",
        'module.site["sh"].tencentcloud_vpn_customer_gateway.cgw["a"]']
    assert addrs(s) == ["tencentcloud_vpn_connection.conn[0]", "tencentcloud_vpn_gateway.gw",
                        "data.tencentcloud_availability_zones.z"]
    gone = remove(s, ["tencentcloud_vpn_connection.conn", "tencentcloud_vpn_connection.conn[0]"])
    assert [str(a) for a in gone] == ["tencentcloud_vpn_connection.conn[0]"]  # once
    assert "tencentcloud_vpn_connection" not in {a.type for a in s.resources}


def test_remove_with_one_unmatched_address_removes_nothing():
    s = sample_state()
    before = codec.encode_state(s)
    with pytest.raises(StateEditError) as err:
        remove(s, ["tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_gateway.nope"])
    assert err.value.summary == "Invalid target address"
    assert "No matching objects found for tencentcloud_vpn_gateway.nope" in err.value.detail
    assert codec.encode_state(s) == before


def test_push_checks():
    stored = sample_state()
    same = stored.deepcopy()
    check_push(stored, same)  # the same state again: allowed
    newer = stored.deepcopy()
    newer.serial += 2
    newer.outputs.pop("ids")
    check_push(stored, newer)
    check_push(None, newer)  # nothing stored: anything goes
    other = stored.deepcopy()
    other.lineage = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(StateEditError, match="over unrelated state with lineage"):
        check_push(stored, other)
    older = stored.deepcopy()
    older.serial -= 1
    with pytest.raises(StateEditError, match="serial 2 over newer state with serial 3"):
        check_push(stored, older)
    changed = stored.deepcopy()
    changed.outputs.pop("ids")
    with pytest.raises(StateEditError, match="different state that has the same serial"):
        check_push(stored, changed)


def test_push_keeps_creates_an_interrupted_apply_left_in_flight(tmp_path):
    """state pull prints no in-flight creates (they live in the journal); pushing that JSON
    back must not make vpnform forget an object the cloud may have created."""
    backend = LocalBackend(workdir=str(tmp_path))
    stored = sample_state()
    backend.write(stored)
    stored = backend.read()
    backend.begin_journal(stored)  # an apply that is killed after announcing two creates
    for address in ("tencentcloud_vpc.lost", "tencentcloud_vpn_connection.conn[0]"):
        backend.record(codec.pending_entry(parse_instance(address), TC, "tok-" + address,
                                           {"name": "x"}))
    stored = backend.read()
    assert sorted(stored.in_flight) == ["tencentcloud_vpc.lost",
                                        "tencentcloud_vpn_connection.conn[0]"]
    pulled = codec.loads_state(codec.dumps_state(stored))  # what `state pull` prints
    assert not pulled.in_flight
    pulled.serial += 1
    # conn[0] exists in the pushed state (settled); the lost VPC does not: kept
    assert keep_in_flight(stored, pulled) == ["tencentcloud_vpc.lost"]
    backend.write(pulled)
    again = LocalBackend(workdir=str(tmp_path)).read()
    assert list(again.in_flight) == ["tencentcloud_vpc.lost"]
    assert again.in_flight["tencentcloud_vpc.lost"].token == "tok-tencentcloud_vpc.lost"
    assert keep_in_flight(None, pulled) == []
