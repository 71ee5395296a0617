"""``-help`` for every verb and subcommand, ``vpnform help VERB`` and the command list, all
read from each verb's one declaration (engine/cli/args.py ``Verb``)."""

from __future__ import annotations

import pytest

from engine.cli.args import usage_text
from engine.cli.main import all_verbs, main

RUNNERS = all_verbs()  # built-in verbs and plugin verbs from entry points


def _commands():
    """(words, Verb) for every verb and subcommand, e.g. (["state", "list"], STATE_LIST)."""
    out = []
    for name, runner in sorted(RUNNERS.items()):
        spec = getattr(runner, "verb", None)
        out.append(([name], spec))
        for sub, sub_spec in (spec.subcommands.items() if spec else ()):
            out.append(([name, sub], sub_spec))
    return out


COMMANDS = _commands()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_registered_verb_declares_its_help():
    """A verb registered later (built in, or through the vpnform.commands entry points)
    without a declaration fails here."""
    assert {"plan", "apply", "state", "lab", "cloud", "tunnel", "version"} <= set(RUNNERS)
    undeclared = [name for name, runner in RUNNERS.items() if getattr(runner, "verb", None) is None]
    assert undeclared == []
    for words, spec in COMMANDS:
        assert spec.name == " ".join(words)
        assert spec.synopsis and spec.description.strip(), words
        for flag, decl in spec.flags.items():
            assert decl.help.strip().endswith("."), (words, flag)


@pytest.mark.parametrize("words", [w for w, _ in COMMANDS], ids=" ".join)
@pytest.mark.parametrize("spelling", ["-help", "-h", "--help"])
def test_every_verb_prints_its_usage_for_help(capsys, words, spelling):
    code, out, err = run(capsys, *words, spelling)
    assert code == 0 and err == ""
    assert out.startswith(f"Usage: vpnform [global options] {' '.join(words)}")
    spec = dict((tuple(w), s) for w, s in COMMANDS)[tuple(words)]
    # the description paragraph, then every flag with its explanation
    assert "\n\n  " in out
    if spec.flags:
        assert "\nOptions:\n" in out
    for name, flag in spec.flags.items():
        line = next((ln for ln in out.splitlines() if ln.startswith(f"  {flag.shown(name)}  ")),
                    None)
        assert line is not None, f"-{name} is not listed in {' '.join(words)} -help"
        assert flag.help.split()[0] in line
    for sub in spec.subcommands:
        assert f"\n    {sub} " in out


@pytest.mark.parametrize("words", [w for w, _ in COMMANDS], ids=" ".join)
def test_help_verb_prints_the_same_usage(capsys, words):
    code, out, _ = run(capsys, "help", *words)
    assert code == 0
    assert out == run(capsys, *words, "-help")[1]


def test_plan_help_as_terraform_prints_it(capsys):
    code, out, err = run(capsys, "plan", "-help")
    assert code == 0
    assert out.startswith("Usage: vpnform [global options] plan [options]\n\n"
                          "  Generates a speculative execution plan")
    assert "\n  -out=path" in out and "Write a plan file to the given path." in out
    assert "\n  -lock=false" in out and "\n  -var 'foo=bar'" in out


def test_help_wins_over_other_arguments_as_in_terraform(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configuration here: plan itself would fail
    code, out, _ = run(capsys, "plan", "-bogus", "-help")
    assert code == 0 and out.startswith("Usage: vpnform [global options] plan")
    code, out, _ = run(capsys, "-help", "apply")
    assert code == 0 and out.startswith("Usage: vpnform [global options] apply [options] [PLAN]")
    # after --, -help is an argument
    code, _, err = run(capsys, "fmt", "--", "-help")
    assert code == 2 and "No file or directory at -help" in err


def test_state_help_lists_its_subcommands(capsys):
    code, out, _ = run(capsys, "state", "-help")
    assert code == 0
    assert ("Subcommands:\n    list    List resources in the state\n"
            "    mv      Move an item in the state\n"
            "    pull    Pull current state and output to stdout\n"
            "    push    Update remote state from a local state file\n"
            "    rm      Remove instances from the state\n"
            "    show    Show a resource in the state") in out
    code, out, _ = run(capsys, "state", "list", "-help")
    assert out.startswith("Usage: vpnform [global options] state list [options] [address...]")
    assert "  -id=ID" in out


@pytest.mark.parametrize("argv", [["-help"], ["help"], []])
def test_command_list_main_commands_first(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    main_part, other = out.split("All other commands:")
    main_verbs = [ln.split()[0] for ln in main_part.split("Main commands:")[1].splitlines() if ln]
    assert main_verbs == ["init", "validate", "plan", "apply", "destroy"]
    others = [ln.split()[0] for ln in other.split("\n\n")[0].splitlines() if ln]
    assert others == sorted(others)
    assert set(main_verbs + others) == set(RUNNERS)
    assert "-install-autocomplete" in out


def test_help_of_an_unknown_verb_is_an_error(capsys):
    code, _, err = run(capsys, "help", "plna")
    assert code == 1 and 'no command named "plna". Did you mean "plan"?' in err


def test_usage_text_wraps_explanations_in_a_column():
    from engine.cli.commands_run import PLAN
    lines = usage_text(PLAN).splitlines()
    assert max(len(ln) for ln in lines) <= 80
    start = lines.index(next(ln for ln in lines if ln.startswith("  -refresh-only")))
    column = lines[start].index("Select")
    assert lines[start + 1][:column].strip() == "" and lines[start + 1][column] != " "


def test_a_plugin_verb_that_cannot_load_is_a_diagnostic_not_a_traceback(capsys, monkeypatch):
    import engine.cli.main as cli_main

    class Broken:
        name = "broken"

        def load(self):
            raise ImportError("No module named 'vpnform_broken'")

    monkeypatch.setattr(cli_main, "_plugin_verbs", lambda: {"broken": Broken()})
    for argv in (["-help"], ["broken", "-help"], ["broken"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and "Error: Internal error" in err, argv
        assert "No module named 'vpnform_broken'" in err and "Traceback" not in out + err


def test_builtin_verb_table_names_each_runners_verb():
    """main.BUILTIN_VERBS (imported lazily) names each runner by the verb it declares."""
    from engine.cli.main import BUILTIN_VERBS, find_verb
    for name in BUILTIN_VERBS:
        assert find_verb(name).verb.name == name
