"""Bad input gets a diagnostic, never an internal error (issue #9, section 3): numbers too
large or not finite, deeply nested or newer state files, an empty state journal.

Each case is what a user runs: the exit code, the diagnostic's summary and where it points,
and that nothing ends in "Internal error".
"""

from __future__ import annotations

import json

import pytest
from cli import QUICKSTART_ADDRESSES, run, write_config

INTERNAL = "Internal error"


def no_internal_error(res) -> None:
    assert INTERNAL not in res.output, res


# --- numbers ------------------------------------------------------------------------------

def test_integer_literal_of_5000_digits_is_a_number(tmp_path):
    """Terraform's numbers have no size limit: a 5,000-digit literal is read and printed
    (Python refused to print ints of more than 4,300 digits: "Internal error: ValueError")."""
    big = "9" * 5000
    write_config(tmp_path, f'output "big" {{\n  value = {big} + 1\n}}\n')
    res = run(tmp_path, "apply", "-auto-approve")
    no_internal_error(res)
    assert res.code == 0, res
    assert f"big = 1{'0' * 5000}" in res.stdout, res

    res = run(tmp_path, "console", input=f"{big} + 1\n1e400 / 1e399\n")
    no_internal_error(res)
    assert res.code == 0 and res.stdout.split() == ["1" + "0" * 5000, "10"], res


def test_integer_literal_beyond_the_limit_is_a_diagnostic(tmp_path):
    write_config(tmp_path, 'locals {\n  x = 1\n  y = ' + "9" * 25000 + '\n}\n')
    res = run(tmp_path, "validate")
    no_internal_error(res)
    assert res.code == 1, res
    assert "Error: Invalid number literal" in res.stderr, res
    assert "on main.tf:3,7:" in res.stderr, res
    assert "the number has 25,000 digits: vpnform numbers have at most 20,000" in res.stderr

    (tmp_path / "main.tf").write_text("locals {}\n")
    res = run(tmp_path, "console", input="9" * 25000 + "\n")
    no_internal_error(res)
    assert res.code == 1 and "Error: Invalid number literal" in res.stderr, res

    for line in ("9" * 15000 + " * " + "9" * 15000, f'jsondecode("[{"9" * 25000}]")'):
        res = run(tmp_path, "console", input=line + "\n")
        no_internal_error(res)
        assert res.code == 1 and "more than 20,000 digits" in res.stderr, res


@pytest.mark.parametrize("value", ["inf", "-Infinity", "NaN"])
def test_cli_var_not_finite_is_refused(quickstart, value):
    res = run(quickstart, "plan", "-var", f"bandwidth={value}")
    no_internal_error(res)
    assert res.code == 1, res
    assert "Error: Invalid value for input variable" in res.stderr, res
    assert f"{value} is not a finite number" in res.stderr, res


def test_cli_var_1e400_is_the_number_terraform_reads(quickstart):
    """`-var bandwidth=1e400` planned `+Inf`; it is 1 followed by 400 zeros (as in
    Terraform), which the product's bandwidth rule then refuses."""
    res = run(quickstart, "plan", "-var", "bandwidth=1e400")
    no_internal_error(res)
    assert res.code == 1 and "+Inf" not in res.output, res
    assert "Error: Unsupported bandwidth" in res.stderr, res
    assert "not 1" + "0" * 400 + "." in res.stderr, res


@pytest.mark.parametrize("text", ['{"bandwidth": NaN}', '{"bandwidth": -Infinity}'])
def test_json_variables_file_not_finite_is_refused(quickstart, text):
    (quickstart / "terraform.tfvars.json").write_text(text)
    res = run(quickstart, "plan")
    no_internal_error(res)
    assert res.code == 1, res
    assert "Error: Invalid JSON in variables file" in res.stderr, res
    assert "is not a finite number" in res.stderr, res


def test_infinite_argument_is_refused_before_the_provider(quickstart):
    """An infinity made by arithmetic (`x / 0`, as Terraform allows) never reaches a
    provider: before, the plan showed `+Inf`, apply sent something else, and every later
    plan showed a diff."""
    main = quickstart / "main.tf"
    main.write_text(main.read_text().replace("bandwidth = var.bandwidth",
                                             "bandwidth = var.bandwidth / 0"))
    line = main.read_text().split("\n").index("  bandwidth = var.bandwidth / 0") + 1
    res = run(quickstart, "plan")
    no_internal_error(res)
    assert res.code == 1 and "+Inf" not in res.stdout, res
    assert "Error: Invalid number" in res.stderr, res
    assert f"on main.tf:{line},15, in tencentcloud_vpn_gateway.tom:" in res.stderr, res
    assert 'The value of "bandwidth" is not a finite number' in res.stderr, res


def test_console_decoders_refuse_not_finite_numbers(tmp_path):
    write_config(tmp_path, 'locals {}\n')
    res = run(tmp_path, "console", input='tonumber("Inf")\n')
    no_internal_error(res)
    assert res.code == 1 and "Inf is not a finite number" in res.stderr, res
    res = run(tmp_path, "console", input='jsondecode("[1, NaN]")\n')
    no_internal_error(res)
    assert res.code == 1 and "NaN is not a finite number" in res.stderr, res
    res = run(tmp_path, "console", input='jsondecode("[1e400]")[0] / 1e399\n5 / 0\n')
    assert res.code == 0 and res.stdout.split() == ["10", "+Inf"], res  # as Terraform


# --- state files --------------------------------------------------------------------------

def _edit_state(workdir, change) -> bytes:
    path = workdir / "terraform.tfstate"
    doc = json.loads(path.read_text())
    change(doc)
    text = json.dumps(doc, indent=2)
    path.write_text(text)
    return text.encode()


@pytest.mark.parametrize("depth", [500, 100000])
def test_deeply_nested_state_is_a_diagnostic_naming_the_file(applied, depth):
    path = applied / "terraform.tfstate"
    doc = json.loads(path.read_text())
    doc["resources"][0]["instances"][0]["attributes"]["name"] = "@DEEP@"
    path.write_text(json.dumps(doc).replace('"@DEEP@"', "[" * depth + "]" * depth))
    for verb in (["plan"], ["show"], ["state", "list"], ["apply", "-auto-approve"]):
        res = run(applied, *verb)
        no_internal_error(res)
        assert res.code == 1, res
        assert f"{path} cannot be read: the JSON is nested more than 100 levels deep" \
            in res.stderr, res


def test_state_with_a_not_finite_number_is_refused(applied):
    path = applied / "terraform.tfstate"
    text = path.read_text()
    path.write_text(text.replace('"bandwidth": 5', '"bandwidth": NaN', 1))
    res = run(applied, "plan")
    no_internal_error(res)
    assert res.code == 1 and "Error: Failed to load state" in res.stderr, res
    assert "NaN is not a finite number" in res.stderr, res


def test_state_from_a_newer_major_terraform_is_refused_and_left_alone(applied):
    before = _edit_state(applied, lambda d: d.update(terraform_version="2.0.0"))
    for verb in (["plan"], ["apply", "-auto-approve"], ["show"], ["state", "list"]):
        res = run(applied, *verb)
        no_internal_error(res)
        assert res.code == 1, res
        assert ("state snapshot was created by Terraform v2.0.0, which is newer than current "
                "v1.11.0") in res.stderr, res
    assert (applied / "terraform.tfstate").read_bytes() == before


@pytest.mark.parametrize("stamp", ["1.5.7", "1.11.4", "1.12.0"])
def test_state_from_another_terraform_1_is_read(applied, stamp):
    """As Terraform 1.11.4 does (measured: it plans against states stamped 1.12.0, 1.99.0
    and even 999.0.0, and rewrites the stamp): 1.x states are compatible."""
    _edit_state(applied, lambda d: d.update(terraform_version=stamp))
    res = run(applied, "plan", "-detailed-exitcode")
    assert res.code == 0, res


def test_empty_journal_beside_the_state_is_reported(applied):
    journal = applied / ".terraform.tfstate.journal"
    journal.write_bytes(b"")
    res = run(applied, "plan")
    no_internal_error(res)
    assert res.code == 0, res
    assert "Warning: State journal not replayed" in res.stderr + res.stdout, res
    assert f"The state journal {journal} is empty" in res.output, res
    res = run(applied, "state", "list")
    assert res.code == 0 and res.stdout.split() == QUICKSTART_ADDRESSES, res
