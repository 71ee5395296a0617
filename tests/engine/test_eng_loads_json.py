"""loads_json's nesting limit: exact, whatever the number of brackets a shallow text holds."""

from __future__ import annotations

import pytest

from engine.values import loads_json


@pytest.mark.parametrize("as_bytes", [False, True])
def test_nesting_limit_is_exact_and_brackets_in_strings_do_not_count(as_bytes):
    def text(s: str):
        return s.encode() if as_bytes else s
    assert loads_json(text("[" * 100 + "]" * 100)) is not None
    with pytest.raises(ValueError, match="nested more than 100 levels deep"):
        loads_json(text("[" * 101 + "]" * 101))
    # many brackets, shallow: strings full of them, and 300 objects side by side
    assert loads_json(text('{"a": "' + "[{" * 300 + '"}')) == {"a": "[{" * 300}
    wide = loads_json(text("[" + ",".join(['{"b": [1]}'] * 300) + "]"))
    assert len(wide) == 300 and wide[0] == {"b": [1]}
