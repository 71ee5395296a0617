"""State.deepcopy: an equal state that shares nothing a caller may change."""

from __future__ import annotations

from state_samples import sample_state


def test_copy_is_equal_and_independent():
    state = sample_state()
    copy = state.deepcopy()
    assert copy == state
    for (addr, _, obj), (_, _, mine) in zip(state.instances(), copy.instances(), strict=True):
        assert mine is not obj
        mine.attributes["name"] = "changed"
        for value in mine.attributes.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value[0]["nested"] = "changed"
        mine.sensitive_paths.append(["extra"])
        mine.dependencies.append("tencentcloud_vpc.other")
    assert copy != state
    assert state == sample_state()  # the original kept every value, at every depth
