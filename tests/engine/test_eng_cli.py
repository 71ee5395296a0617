"""Command-line flag parsing and the human rendering of diagnostics."""

from __future__ import annotations

import pytest
from eng_fakes import Env

from engine.cli.args import (BOOL, MULTI, VALUE, Flag, ParsedArgs, UsageError, Verb, parse,
                            parse_duration, parse_int)
from engine.cli.views import render_diagnostic
from engine.diagnostics import Pos, SourceRange, error, warning

def verb(name: str, kinds: dict) -> Verb:
    return Verb(name, "A verb", flags={flag: Flag(kind, "A flag.") for flag, kind in kinds.items()})


SPEC = {"var": MULTI, "var-file": MULTI, "replace": MULTI, "auto-approve": BOOL,
        "refresh": BOOL, "out": VALUE, "lock-timeout": VALUE, "parallelism": VALUE}


@pytest.mark.parametrize("argv", [["-out=p.tfplan"], ["-out", "p.tfplan"], ["--out=p.tfplan"],
                                  ["--out", "p.tfplan"]])
def test_value_flag_spellings(argv):
    assert parse(argv, verb("plan", SPEC)).get("out") == "p.tfplan"


@pytest.mark.parametrize("argv, expected", [
    (["-auto-approve"], True), (["--auto-approve"], True), (["-auto-approve=true"], True),
    (["-auto-approve=false"], False), (["-auto-approve=0"], False), (["-refresh=FALSE"], False),
    ([], None),
])
def test_bool_flags(argv, expected):
    args = parse(argv, verb("apply", SPEC))
    name = argv[0].lstrip("-").split("=")[0] if argv else "auto-approve"
    assert args.get(name) is expected


def test_bool_flag_does_not_consume_the_next_argument():
    args = parse(["-auto-approve", "plan.tfplan"], verb("apply", SPEC))
    assert args.get("auto-approve") is True and args.positional == ["plan.tfplan"]


def test_bad_bool_value_is_a_usage_error():
    with pytest.raises(UsageError, match=r'-auto-approve: "yes please" is not a boolean'):
        parse(["-auto-approve=yes please"], verb("apply", SPEC))


def test_repeated_var_and_var_file_keep_command_line_order():
    args = parse(["-var", "a=1", "-var-file=x.tfvars", "--var=b=2=3", "-var-file", "y.tfvars",
                  "-var=a=4"], verb("plan", SPEC))
    assert args.var_sources == [("var", "a=1"), ("var-file", "x.tfvars"), ("var", "b=2=3"),
                                ("var-file", "y.tfvars"), ("var", "a=4")]
    assert args.get("var") == ["a=1", "b=2=3", "a=4"]
    # -replace repeats too, but is not a variable source
    assert parse(["-replace=a.b", "-replace=c.d"], verb("plan", SPEC)).var_sources == []


def test_positionals_and_double_dash():
    args = parse(["dir", "-", "-out=o", "--", "-var", "x"], verb("plan", SPEC))
    assert args.positional == ["dir", "-", "-var", "x"]
    assert args.get("out") == "o" and args.get("var") is None


def test_unknown_flag_names_it_and_lists_what_the_verb_accepts():
    with pytest.raises(UsageError) as exc:
        parse(["-auto-aprove"], verb("destroy", {"auto-approve": BOOL, "no-color": BOOL}))
    assert str(exc.value) == ('flag provided but not defined: -auto-aprove\n\n'
                              'The "destroy" command accepts: -auto-approve, -no-color. '
                              'Run "vpnform destroy -help" to see what each does.')


def test_unknown_flag_for_a_verb_without_flags():
    with pytest.raises(UsageError, match=r"accepts: \(no flags\)"):
        parse(["--x=1"], verb("version", {}))


def test_value_flag_at_the_end_needs_an_argument():
    with pytest.raises(UsageError, match="^flag needs an argument: -out$"):
        parse(["-out"], verb("plan", SPEC))


@pytest.mark.parametrize("raw, seconds", [
    ("30s", 30.0), ("5m", 300.0), ("1m30s", 90.0), ("1h", 3600.0), ("250ms", 0.25),
    ("1.5s", 1.5), ("2h0m1s", 7201.0), ("10", 10.0), (" 5m ", 300.0),
])
def test_durations(raw, seconds):
    assert parse_duration(ParsedArgs(flags={"lock-timeout": raw}), "lock-timeout") == seconds


@pytest.mark.parametrize("raw", ["", "bad", "5x", "1m30", "s", "m5", "-5s", "1.5.3s", "5 m"])
def test_bad_durations_are_usage_errors(raw):
    with pytest.raises(UsageError, match=r"-lock-timeout: .* is not a duration such as 30s"):
        parse_duration(ParsedArgs(flags={"lock-timeout": raw}), "lock-timeout")


def test_duration_default_when_flag_absent():
    assert parse_duration(ParsedArgs(), "lock-timeout", 7.0) == 7.0


def test_parse_int():
    assert parse_int(ParsedArgs(flags={"parallelism": "4"}), "parallelism", 10, 1) == 4
    assert parse_int(ParsedArgs(), "parallelism", 10, 1) == 10
    with pytest.raises(UsageError, match="not a whole number"):
        parse_int(ParsedArgs(flags={"parallelism": "four"}), "parallelism", 10, 1)
    with pytest.raises(UsageError, match="must be at least 1"):
        parse_int(ParsedArgs(flags={"parallelism": "0"}), "parallelism", 10, 1)


# -- diagnostics -------------------------------------------------------------------------

SRC = 'resource "fake_thing" "a" {\n  name  = "a"\n  items = ["x", "bad"]\n}\n'


def test_provider_diagnostic_rendered_with_location_source_line_and_caret(env: Env):
    env.fake.plan_diags["fake_thing.a"] = [("Invalid item", ("items", 1))]
    _, diags = env.plan(SRC)
    [d] = list(diags)
    text = render_diagnostic(d, env.module.files, color=False)
    assert text == "\n".join([
        "╷",
        "│ Error: Invalid item",
        "│",
        "│   on main.tf:3,17, in fake_thing.a:",
        '│   3:   items = ["x", "bad"]',
        "│                      ^^^^^",
        "│",
        "│ The fake rejects ('items', 1).",
        "╵",
    ])
    # the caret run sits exactly under the offending element
    src_line, caret_line = text.splitlines()[4:6]
    start = caret_line.index("^")
    assert src_line[start:start + caret_line.count("^")] == '"bad"'


def test_multi_line_range_underlines_to_the_end_of_the_first_line():
    d = warning("Deprecated block", "Use another.\n\nSee the docs.",
                SourceRange("main.tf", Pos(2, 3, 0), Pos(4, 2, 0)))
    text = render_diagnostic(d, {"main.tf": "x {\n  inner {\n    a = 1\n  }\n"})
    lines = text.splitlines()
    assert lines[1] == "│ Warning: Deprecated block"
    assert lines[3] == "│   on main.tf:2,3:"
    assert lines[4] == "│   2:   inner {"
    assert lines[5] == "│        " + "^" * len("inner {")
    # paragraphs of the detail keep their blank line
    assert lines[-4:] == ["│ Use another.", "│", "│ See the docs.", "╵"]


def test_diagnostic_without_a_range_shows_the_address():
    text = render_diagnostic(error("Fake API error", "It broke.", address="fake_thing.a"), {})
    assert text.splitlines() == ["╷", "│ Error: Fake API error", "│", "│   with fake_thing.a",
                                 "│", "│ It broke.", "╵"]


def test_diagnostic_source_read_from_disk_when_not_given(tmp_path, monkeypatch):
    (tmp_path / "extra.tf").write_text("a = 1\nb = oops\n")
    monkeypatch.chdir(tmp_path)
    d = error("Unknown", "", SourceRange("extra.tf", Pos(2, 5, 10), Pos(2, 9, 14)))
    lines = render_diagnostic(d, {}).splitlines()
    assert lines[4:6] == ["│   2: b = oops", "│" + " " * 10 + "^^^^"]


def test_colored_diagnostic_has_codes_and_plain_has_none():
    d = error("Bad", "x", SourceRange("main.tf", Pos(1, 1, 0), Pos(1, 2, 1)))
    assert "\x1b[" in render_diagnostic(d, {"main.tf": "a\n"}, color=True)
    assert "\x1b[" not in render_diagnostic(d, {"main.tf": "a\n"}, color=False)
