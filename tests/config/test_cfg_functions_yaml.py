"""yamlencode / yamldecode properties beyond the recorded console cases: whatever
yamlencode writes, yamldecode reads back as the same value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.functions_yaml import fn_yamldecode, fn_yamlencode

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_yamldecode_reads_back_what_yamlencode_wrote(value):
    assert fn_yamldecode(fn_yamlencode(value)) == value


def test_long_strings_fold_at_spaces_and_read_back():
    text = " ".join(["word"] * 40) + "  two  spaces " + "x" * 100
    encoded = fn_yamlencode({"k": text})
    assert max(len(line) for line in encoded.splitlines()[:-1]) < 100
    assert fn_yamldecode(encoded) == {"k": text}
