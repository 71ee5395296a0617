"""Input variable values: sources, precedence, prompting, conversion and errors."""

from __future__ import annotations

import pytest

from engine.config.loader import load_module
from engine.config.variables import VAR, VAR_FILE, CliVar, collect_variable_values, prompt_text
from engine.values import Sensitive

DECLS = '''\
variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "psk" {
  type        = string
  sensitive   = true
  description = "The pre-shared key"
}

variable "cidrs" {
  type    = list(string)
  default = []
}

variable "bandwidth" {
  type    = number
  default = 5
  validation {
    condition     = var.bandwidth <= 100
    error_message = "Too much bandwidth."
  }
}

variable "strict" {
  type     = string
  nullable = false
  default  = "d"
}

variable "anything" {
  default = null
}
'''


def setup(module_dir, files: dict):
    d = module_dir({"variables.tf": DECLS, **files})
    m, diags = load_module(d)
    assert not diags, [(x.summary, x.detail) for x in diags]
    return m, d


def collect(m, d, cli=(), environ=None, prompt=None, input_enabled=False):
    return collect_variable_values(m, cli_vars=list(cli), workdir=d, environ=environ or {},
                                   prompt=prompt, input_enabled=input_enabled)


def summaries(diags):
    return [(x.severity.value, x.summary, str(x.subject) if x.subject else None)
            for x in diags]


def test_precedence_later_sources_win(module_dir):
    m, d = setup(module_dir, {
        "terraform.tfvars": 'region = "tfvars"\npsk = "from-tfvars"\ncidrs = ["10.0.0.0/8"]\n',
        "terraform.tfvars.json": '{"region": "json"}',
        "a.auto.tfvars": 'region = "auto-a"\nbandwidth = 10\n',
        "b.auto.tfvars": 'region = "auto-b"\n',
        "extra.tfvars": 'region = "file"\n',
    })
    env = {"TF_VAR_region": "env", "TF_VAR_psk": "env-psk", "TF_VAR_bandwidth": "7",
           "TF_VAR_unrelated": "x"}
    values, diags = collect(m, d, environ=env)
    assert not diags
    assert values["region"] == "auto-b"
    assert values["psk"] == Sensitive("from-tfvars")
    assert values["bandwidth"] == 10
    assert values["cidrs"] == ["10.0.0.0/8"]
    assert values["strict"] == "d" and values["anything"] is None
    # -var and -var-file apply in command-line order
    values, _ = collect(m, d, environ=env, cli=[(VAR, "region=cli"),
                                                (VAR_FILE, "extra.tfvars")])
    assert values["region"] == "file"
    values, _ = collect(m, d, environ=env, cli=[CliVar(VAR_FILE, "extra.tfvars"),
                                                CliVar(VAR, "region=cli")])
    assert values["region"] == "cli"


def test_environment_only(module_dir):
    m, d = setup(module_dir, {})
    values, diags = collect(m, d, environ={"TF_VAR_psk": "k", "TF_VAR_cidrs": '["a", "b"]',
                                           "TF_VAR_bandwidth": "20"})
    assert not diags
    assert values["psk"] == Sensitive("k") and values["cidrs"] == ["a", "b"]
    assert values["bandwidth"] == 20


def test_cli_values_primitive_raw_complex_parsed(module_dir):
    m, d = setup(module_dir, {})
    values, diags = collect(m, d, cli=[(VAR, "psk=a=b"), (VAR, 'cidrs=["x"]'),
                                       (VAR, "anything=[1]"), (VAR, "bandwidth=50")])
    assert not diags
    assert values["psk"] == Sensitive("a=b")
    assert values["cidrs"] == ["x"]
    assert values["anything"] == "[1]"  # no type constraint: the raw string
    assert values["bandwidth"] == 50


def test_missing_required_variable(module_dir):
    m, d = setup(module_dir, {})
    values, diags = collect(m, d)
    assert "psk" not in values
    [diag] = diags.items
    assert (diag.summary, str(diag.subject)) == ("No value for required variable",
                                                 "variables.tf:6,1")
    assert diag.detail == ('The root module input variable "psk" is not set, and has no '
                           "default value. Use a -var or -var-file command line argument to "
                           "provide a value for this variable.")


def test_prompting(module_dir):
    m, d = setup(module_dir, {})
    asked = []

    def prompt(var):
        asked.append(prompt_text(var))
        return "typed"

    values, diags = collect(m, d, prompt=prompt, input_enabled=True)
    assert not diags and values["psk"] == Sensitive("typed")
    assert asked == ["var.psk\n  The pre-shared key\n\n  Enter a value: "]
    # -input=false: no prompt even when a prompter exists
    _, diags = collect(m, d, prompt=prompt, input_enabled=False)
    assert [x.summary for x in diags] == ["No value for required variable"]


def test_conversion_errors_point_at_the_value(module_dir):
    m, d = setup(module_dir, {"terraform.tfvars": 'psk = "k"\ncidrs = ["a", ["b"]]\n'})
    _, diags = collect(m, d)
    [diag] = diags.items
    assert diag.summary == "Invalid value for input variable"
    assert diag.detail == ("The given value is not suitable for var.cidrs declared at "
                           "variables.tf:12,1: element 1: string required.")
    assert str(diag.subject) == "terraform.tfvars:2,9"
    assert "terraform.tfvars" in m.files  # for source snippets
    _, diags = collect(m, d, cli=[(VAR, "bandwidth=lots")])
    assert diags.items[0].summary == "Invalid value for input variable"
    assert diags.items[0].detail == ('Unsuitable value for var.bandwidth set using '
                                     '-var="bandwidth=...": a number is required.')
    assert str(diags.items[0].subject) == "variables.tf:17,1"


def test_undeclared_values(module_dir):
    m, d = setup(module_dir, {"terraform.tfvars": 'psk = "k"\nregoin = "x"\n'})
    values, diags = collect(m, d)
    assert summaries(diags) == [("warning", "Value for undeclared variable",
                                 "terraform.tfvars:2,1")]
    assert 'Did you mean "region"?' in diags.items[0].detail
    _, diags = collect(m, d, cli=[(VAR, "regoin=x")])
    assert summaries(diags)[-1] == ("error", "Value for undeclared variable", None)


def test_bad_cli_arguments(module_dir):
    m, d = setup(module_dir, {})
    _, diags = collect(m, d, cli=[(VAR, "psk"), (VAR_FILE, "nope.tfvars"), (VAR, "psk=k")])
    assert [x.summary for x in diags.errors] == ["Invalid -var option",
                                                 "Failed to read variables file"]
    assert diags.items[1].detail == "Given variables file nope.tfvars does not exist."


def test_tfvars_must_be_constant(module_dir):
    m, d = setup(module_dir, {"terraform.tfvars": 'psk = var.region\nregion = upper("x")\n'})
    _, diags = collect(m, d)
    assert [(x.summary, str(x.subject)) for x in diags.errors][:2] == [
        ("Variables not allowed", "terraform.tfvars:1,7"),
        ("Function calls not allowed", "terraform.tfvars:2,10")]


def test_non_nullable_and_nullable(module_dir):
    m, d = setup(module_dir, {"terraform.tfvars": 'psk = "k"\nstrict = null\nregion = null\n'})
    values, diags = collect(m, d)
    assert not diags
    assert values["strict"] == "d"  # non-nullable: null means the default
    assert values["region"] is None  # nullable: null is a value


def test_validation_rules(module_dir):
    m, d = setup(module_dir, {})
    _, diags = collect(m, d, cli=[(VAR, "psk=k"), (VAR, "bandwidth=500")])
    [diag] = diags.items
    assert diag.summary == "Invalid value for variable"
    assert diag.detail.startswith("Too much bandwidth.")
    assert "variables.tf:20,3" in diag.detail


def test_json_var_file(module_dir):
    m, d = setup(module_dir, {"vals.tfvars.json": '{"psk": "j", "cidrs": ["1", 2.0]}'})
    values, diags = collect(m, d, cli=[(VAR_FILE, "vals.tfvars.json")])
    assert not diags and values["cidrs"] == ["1", "2"]
    m, d = setup(module_dir, {"bad.tfvars.json": '{"psk": '})
    _, diags = collect(m, d, cli=[(VAR_FILE, "bad.tfvars.json")])
    assert diags.items[0].summary == "Invalid JSON in variables file"


@pytest.mark.parametrize("text, summary", [
    ("psk = \n", "Invalid expression"),
    ('vpc {\n}\npsk = "k"\n', 'Unexpected "vpc" block'),
])
def test_syntax_errors_in_tfvars(module_dir, text, summary):
    m, d = setup(module_dir, {"terraform.tfvars": text})
    _, diags = collect(m, d)
    assert diags.items[0].summary == summary
    assert diags.items[0].subject.filename == "terraform.tfvars"
