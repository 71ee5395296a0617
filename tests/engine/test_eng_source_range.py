"""SourceRange: a value (filename, start, end) however its numbers are stored."""

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from engine.diagnostics import Pos, SourceRange, pack_pos

BIG = 1 << 40


@pytest.mark.parametrize("start,end", [
    (Pos(1, 1, 0), Pos(1, 1, 0)),
    (Pos(12, 3, 400), Pos(14, 2, 460)),
    (Pos(2**32 - 1, 2**32 - 1, 2**32 - 1), Pos(2**32 - 1, 2**32 - 1, 2**32 - 1)),
    (Pos(3, 1, BIG), Pos(3, 9, BIG + 8)),  # too large to pack
    (Pos(0, -1, 0), Pos(1, 1, 0)),  # negative
])
def test_fields_round_trip(start, end):
    r = SourceRange("main.tf", start, end)
    assert (r.filename, r.start, r.end) == ("main.tf", start, end)
    assert (r.start.line, r.start.column, r.start.byte) == (start.line, start.column, start.byte)
    assert (r.end.line, r.end.column, r.end.byte) == (end.line, end.column, end.byte)
    assert str(r) == f"main.tf:{start.line},{start.column}"
    assert r.to_json() == {
        "filename": "main.tf",
        "start": {"line": start.line, "column": start.column, "byte": start.byte},
        "end": {"line": end.line, "column": end.column, "byte": end.byte}}
    assert repr(r) == f"SourceRange(filename='main.tf', start={start!r}, end={end!r})"
    for back in (pickle.loads(pickle.dumps(r)), copy.copy(r), copy.deepcopy(r)):
        assert back == r and hash(back) == hash(r) and back.start == start and back.end == end


def test_compared_and_hashed_by_value():
    a = SourceRange("a.tf", Pos(1, 2, 3), Pos(4, 5, 6))
    assert a == SourceRange("a.tf", Pos(1, 2, 3), Pos(4, 5, 6))
    assert len({a, SourceRange("a.tf", Pos(1, 2, 3), Pos(4, 5, 6))}) == 1
    assert a != SourceRange("b.tf", Pos(1, 2, 3), Pos(4, 5, 6))
    assert a != SourceRange("a.tf", Pos(1, 2, 3), Pos(4, 5, 7))
    assert a != SourceRange("a.tf", Pos(1, 2, 4), Pos(4, 5, 6))
    assert a != SourceRange("a.tf", Pos(4, 5, 6), Pos(1, 2, 3))
    assert a != ("a.tf", Pos(1, 2, 3), Pos(4, 5, 6))
    assert a.start < a.end  # Pos values order as before


def test_immutable():
    r = SourceRange("a.tf", Pos(1, 1, 0), Pos(1, 2, 1))
    with pytest.raises(FrozenInstanceError):
        r.filename = "b.tf"
    with pytest.raises(FrozenInstanceError):
        r.start = Pos(2, 2, 2)
    with pytest.raises(FrozenInstanceError):
        del r.filename
    assert r == SourceRange("a.tf", Pos(1, 1, 0), Pos(1, 2, 1))


@pytest.mark.parametrize("a_start,b_end", [
    (Pos(2, 3, 10), Pos(4, 9, 38)),
    (Pos(2, 3, BIG), Pos(4, 9, 38)),  # either end too large to pack
    (Pos(2, 3, 10), Pos(4, 9, BIG)),
])
def test_spanning_and_between_make_the_same_range_as_the_constructor(a_start, b_end):
    a = SourceRange("main.tf", a_start, Pos(2, 8, 15))
    b = SourceRange("other.tf", Pos(4, 1, 30), b_end)
    expected = SourceRange("main.tf", a_start, b_end)
    assert SourceRange.spanning(a, b) == expected
    assert SourceRange.between("main.tf", pack_pos(a_start), pack_pos(b_end)) == expected
    assert SourceRange.spanning(a, b).end == b_end
