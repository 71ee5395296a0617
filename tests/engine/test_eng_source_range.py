"""SourceRange: a value (filename, start, end) however its numbers are stored."""

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from engine.diagnostics import Pos, SourceRange

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


def test_ranges_made_from_packed_ends_are_the_ranges_of_those_positions():
    """The tree-sitter builder packs each position once and makes ranges from the packed
    ends; joins span two ranges without unpacking them."""
    from engine.diagnostics import pack_pos
    for start, end in [(Pos(12, 3, 400), Pos(14, 2, 460)), (Pos(3, 1, BIG), Pos(3, 9, BIG + 8)),
                       (Pos(1, 1, 0), Pos(2**33, 1, 5))]:
        packed = SourceRange.from_packed("main.tf", pack_pos(*_fields(start)),
                                         pack_pos(*_fields(end)))
        assert packed == SourceRange("main.tf", start, end)
        assert (packed.start, packed.end) == (start, end)
    a = SourceRange("main.tf", Pos(2, 3, 10), Pos(2, 8, 15))
    b = SourceRange("main.tf", Pos(4, 1, 30), Pos(4, 9, 38))
    big = SourceRange("main.tf", Pos(5, 1, BIG), Pos(5, 4, BIG + 3))
    assert SourceRange.spanning(a, b) == SourceRange("main.tf", Pos(2, 3, 10), Pos(4, 9, 38))
    assert SourceRange.spanning(a, big) == SourceRange("main.tf", Pos(2, 3, 10),
                                                       Pos(5, 4, BIG + 3))
    assert SourceRange.spanning(big, b) == SourceRange("main.tf", Pos(5, 1, BIG), Pos(4, 9, 38))


def _fields(p: Pos) -> tuple:
    return p.line, p.column, p.byte
