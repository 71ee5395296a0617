"""Functions whose results cannot be compared with recorded Terraform answers: timestamp,
uuid and bcrypt give a new value at every call. Their shape and properties are checked
here; the deterministic time, UUID and encoding functions are in the console differential
suite (tests/console/cases.txt)."""

from __future__ import annotations

import datetime
import re

import pytest
from cfg_helpers import eval_src
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.evaluate import EvalContext
from engine.config.functions_time import Instant, parse_duration, parse_timestamp
from engine.values import STRING, Unknown


def call(src, **ctx):
    value, diags = eval_src(src, **ctx)
    assert not diags, [(d.summary, d.detail) for d in diags]
    return value


def test_timestamp_is_the_current_utc_time_in_rfc3339():
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    value = call("timestamp()")
    after = datetime.datetime.now(datetime.timezone.utc)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)
    when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert before <= when <= after


def test_timestamp_feeds_the_other_time_functions():
    value = call('formatdate("YYYY-MM-DD\'T\'hh:mm:ssZ", timestamp())')
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)
    assert call('timecmp(timeadd(timestamp(), "1h"), timestamp())') == 1


def test_impure_functions_are_unknown_while_planning():
    ctx = EvalContext(impure_unknown=True)
    value, diags = eval_src("timestamp()", ctx)
    assert not diags and isinstance(value, Unknown) and value.type == STRING
    value, diags = eval_src('formatdate("YYYY", timestamp())', ctx)
    assert not diags and isinstance(value, Unknown)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 12, 31),
                    timezones=st.sampled_from([datetime.timezone.utc,
                                               datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                                               datetime.timezone(datetime.timedelta(hours=-8))])))
def test_timestamps_read_and_written_agree_with_python(when):
    when = when.replace(microsecond=0)
    text = when.isoformat().replace("+00:00", "Z")
    t = parse_timestamp(text)
    assert t.rfc3339() == text
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    assert t.epoch_nanos() == int((when - epoch).total_seconds()) * 10 ** 9
    assert t.weekday == (when.isoweekday() % 7)
    assert Instant.from_epoch_nanos(t.epoch_nanos(), t.offset) == t


@pytest.mark.parametrize("text, nanos", [
    ("1h30m", 5400 * 10 ** 9), ("-10s", -10 * 10 ** 9), ("1.5h", 5400 * 10 ** 9),
    ("300ms", 300 * 10 ** 6), ("1us", 1000), ("1µs", 1000), ("2h45m30.5s", 9930500000000),
    ("0", 0), ("+5m", 300 * 10 ** 9), (".5s", 5 * 10 ** 8),
])
def test_go_durations(text, nanos):
    assert parse_duration(text) == nanos


@pytest.mark.parametrize("text, message", [
    ("", 'time: invalid duration ""'), ("1", 'time: missing unit in duration "1"'),
    ("1d", 'time: unknown unit "d" in duration "1d"'), (".s", 'time: invalid duration ".s"'),
    ("9999999999h", 'time: invalid duration "9999999999h"'),
])
def test_bad_go_durations(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_duration(text)


def test_uuid_is_random_hex_in_uuid_form():
    a, b = call("uuid()"), call("uuid()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", a)
    assert a != b
    value, diags = eval_src("uuid()", EvalContext(impure_unknown=True))
    assert not diags and isinstance(value, Unknown)


def test_bcrypt_hash_verifies_with_the_bcrypt_library():
    import bcrypt

    h = call('bcrypt("s3cr3t-psk")')
    assert h.startswith("$2a$10$") and len(h) == 60
    assert bcrypt.checkpw(b"s3cr3t-psk", h.encode())
    assert not bcrypt.checkpw(b"other", h.encode())
    h4 = call('bcrypt("é", 4)')
    assert h4.startswith("$2a$04$") and bcrypt.checkpw("é".encode(), h4.encode())
    assert call('bcrypt("x", 2)').startswith("$2a$10$")  # below the minimum: the default
    assert call('bcrypt("x", 4)') != call('bcrypt("x", 4)')  # a fresh salt each time


def test_bcrypt_of_a_sensitive_value_is_sensitive_and_unknown_while_planning():
    from engine.values import Sensitive
    value = call('bcrypt(sensitive("pw"), 4)')
    assert isinstance(value, Sensitive) and value.value.startswith("$2a$04$")
    value, diags = eval_src('bcrypt("pw")', EvalContext(impure_unknown=True))
    assert not diags and isinstance(value, Unknown)
