"""What the provider's plan counts as a change of one attribute."""

from __future__ import annotations

import math

from engine import values as V
from providers.tencentcloud.resources.base import differs


def test_equal_values_do_not_differ_and_a_type_change_does():
    assert not differs("a", "a") and not differs(5, 5) and not differs(None, None)
    assert differs("a", "b") and differs(5, 6) and differs(None, "")
    assert differs(True, 1) and differs(1, 1.0)
    assert not differs(math.nan, math.nan)  # the same value written twice


def test_sets_unknowns_and_marks():
    assert not differs(["b", "a"], ["a", "b"])
    assert not differs(V.UNKNOWN, V.UNKNOWN) and differs(V.UNKNOWN, "x")
    assert not differs(V.Sensitive("k"), "k")
    assert differs(V.Sensitive(True), V.Sensitive(1))
