"""Input variable values for the root module, from every source Terraform reads.

Precedence (later wins): TF_VAR_name environment variables, terraform.tfvars,
terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, then -var and -var-file in
command-line order. Missing required variables are prompted for (when allowed) or
reported; values are converted to the declared type, validated, and marked sensitive.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..diagnostics import Diagnostics, Pos, SourceRange
from ..values import (
    ANY,
    UNKNOWN,
    AnyType,
    BoolType,
    ConversionError,
    NumberType,
    Sensitive,
    StringType,
    Type,
    Unknown,
    redact_text,
    sensitive_strings,
    loads_json,
    strip_sensitive,
)
from . import hcl
from .conditions import error_message_text
from .evaluate import EvalContext, evaluate, evaluate_constant, suggestion
from .model import Module, Variable

VAR = "var"  # a -var NAME=VALUE argument
VAR_FILE = "var-file"  # a -var-file PATH argument


@dataclass
class CliVar:
    """One -var or -var-file argument, in command-line order. Plain tuples
    ``(kind, text)`` or ``(kind, text, range)`` are accepted as well."""

    kind: str  # VAR | VAR_FILE
    text: str  # "NAME=VALUE" or a path relative to the working directory
    range: SourceRange | None = None


@dataclass
class _Raw:
    value: Any  # a str for STRING-kind values, else the evaluated value
    is_string: bool  # from the environment, -var or a prompt: interpret by the type
    range: SourceRange | None  # where the value was written, if in a file
    source: str  # for messages: "the environment", "terraform.tfvars", "-var", ...


def prompt_text(var: Variable) -> str:
    """What to show when asking for a variable's value interactively."""
    text = f"var.{var.name}\n"
    if var.description:
        text += "".join(f"  {line}\n" for line in var.description.splitlines())
    return text + "\n  Enter a value: "


def collect_variable_values(module: Module, *, cli_vars: Iterable = (), workdir: str = ".",
                            environ: dict | None = None,
                            prompt: Callable[[Variable], str] | None = None,
                            input_enabled: bool = False,
                            cache_dir: str | None = None) -> tuple[dict[str, Any], Diagnostics]:
    """Values for the root module's input variables (name -> value, Sensitive-wrapped when
    the variable is sensitive). Files read are added to ``module.files`` for snippets."""
    diags = Diagnostics()
    declared = module.variables
    raw: dict[str, _Raw] = {}

    env = os.environ if environ is None else environ
    for name in declared:
        key = f"TF_VAR_{name}"
        if key in env:
            raw[name] = _Raw(env[key], True, None, f"the {key} environment variable")

    auto = sorted(n for n in _listdir(workdir)
                  if n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json"))
    for name in ["terraform.tfvars", "terraform.tfvars.json"] + auto:
        path = os.path.join(workdir, name)
        if os.path.isfile(path):
            _read_var_file(module, path, name, raw, diags, explicit=False,
                           cache_dir=cache_dir)

    for item in cli_vars:
        kind, text, rng = _cli_item(item)
        if kind == VAR:
            if "=" not in text:
                diags.error("Invalid -var option",
                            f'The given -var option "{text}" is not correctly specified. Must '
                            "be a variable name and value separated by an equals sign, like "
                            '-var="key=value".', rng)
                continue
            name, value = text.split("=", 1)
            name = name.strip()
            if name not in declared:
                diags.error("Value for undeclared variable",
                            f'A variable named "{name}" was given on the command line, but a '
                            "variable of that name has not been declared in the root module."
                            + suggestion(name, declared), rng)
                continue
            raw[name] = _Raw(value, True, rng, "-var")
        elif kind == VAR_FILE:
            path = text if os.path.isabs(text) else os.path.join(workdir, text)
            if not os.path.isfile(path):
                diags.error("Failed to read variables file",
                            f"Given variables file {text} does not exist.", rng)
                continue
            _read_var_file(module, path, text, raw, diags, explicit=True, cache_dir=cache_dir)
        else:
            raise ValueError(f"unknown command-line variable source {kind!r}")

    values: dict[str, Any] = {}
    for name in sorted(declared):
        var = declared[name]
        r = raw.get(name)
        if r is None:
            if var.has_default:
                values[name] = _mark(var, var.default)
                continue
            if prompt is not None and input_enabled:
                r = _Raw(prompt(var), True, None, "input")
            else:
                diags.error("No value for required variable",
                            f'The root module input variable "{name}" is not set, and has no '
                            "default value. Use a -var or -var-file command line argument to "
                            "provide a value for this variable.", var.range)
                continue
        value, ok = _convert(var, r, diags)
        if ok:
            values[name] = _mark(var, value)

    _check_validations(module, values, diags)
    return values, diags


def _cli_item(item: Any) -> tuple[str, str, SourceRange | None]:
    if isinstance(item, CliVar):
        return item.kind, item.text, item.range
    kind, text = item[0], item[1]
    return kind, text, item[2] if len(item) > 2 else None


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _mark(var: Variable, value: Any) -> Any:
    return Sensitive(value) if var.sensitive and value is not None else value


def validation_values(module: Module) -> dict:
    """What ``validate`` evaluates with, as Terraform: each variable's default (marked
    when the variable is sensitive), unknown where there is none."""
    return {name: _mark(v, v.default) if v.has_default else UNKNOWN
            for name, v in module.variables.items()}


def _is_primitive(t: Type | None) -> bool:
    return t is None or isinstance(t, (StringType, NumberType, BoolType, AnyType))


def _convert(var: Variable, r: _Raw, diags: Diagnostics) -> tuple[Any, bool]:
    value = r.value
    where = r.range or var.range
    if r.is_string and not _is_primitive(var.type):
        expr, d = hcl.parse_expression(value, f"<value for var.{var.name}>")
        diags.extend(d)
        if expr is None:
            return None, False
        value, d = evaluate_constant(expr)
        diags.extend(d)
        if d.has_errors:
            return None, False
    if value is None:
        if not var.nullable:
            if var.has_default:
                return var.default, True
            diags.error("Invalid value for input variable",
                        "Invalid value for variable: a null value is not allowed because the "
                        f'variable "{var.name}" is declared with nullable = false.', where)
            return None, False
        return None, True
    try:
        return (var.type or ANY).convert(value), True
    except ConversionError as e:
        message = str(e)
        if var.sensitive:  # never quote a sensitive variable's value back
            message = redact_text(message, sensitive_strings(Sensitive(value), min_length=1))
        diags.error("Invalid value for input variable", f"{_unsuitable(var, r)}: {message}.",
                    where)
        return None, False


def _unsuitable(var: Variable, r: _Raw) -> str:
    """How Terraform introduces a value that does not convert, by where it came from."""
    if r.source == "-var":
        return f'Unsuitable value for var.{var.name} set using -var="{var.name}=..."'
    if r.source.endswith(" environment variable"):
        return f"Unsuitable value for var.{var.name} set using {r.source}"
    if r.source == "input":
        return f"Unsuitable value for var.{var.name} set from outside of the configuration"
    return f"The given value is not suitable for var.{var.name} declared at {var.range}"


def _read_var_file(module: Module, path: str, display: str, raw: dict, diags: Diagnostics,
                   explicit: bool, cache_dir: str | None = None) -> None:
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        diags.error("Failed to read variables file",
                    f"Error reading {display}: {getattr(e, 'strerror', None) or e}.")
        return
    if text.startswith("\ufeff"):
        text = text[1:]
    module.files[display] = text
    declared = module.variables
    if display.endswith(".json"):
        _read_json_var_file(text, display, raw, diags, declared)
        return
    body, d = hcl.parse(text, display, cache_dir)
    diags.extend(d)
    if body is None:
        return
    for blk in body.blocks:
        diags.error(f'Unexpected "{blk.type}" block', "Blocks are not allowed here: a variables "
                    "file may only assign values to variables (name = value).", blk.type_range)
    for name, attr in body.attributes.items():
        if name not in declared:
            _undeclared(name, display, attr.name_range, declared, diags)
            continue
        value, dd = evaluate_constant(attr.expr)
        diags.extend(dd)
        if dd.has_errors:
            continue
        raw[name] = _Raw(value, False, attr.expr.range, display)


def _read_json_var_file(text: str, display: str, raw: dict, diags: Diagnostics,
                        declared: dict) -> None:
    whole = SourceRange(display, Pos(1, 1, 0), Pos(1, 1, 0))
    try:
        data = loads_json(text)
    except json.JSONDecodeError as e:
        at = SourceRange(display, Pos(e.lineno, e.colno, e.pos), Pos(e.lineno, e.colno, e.pos))
        diags.error("Invalid JSON in variables file", f"{e.msg}.", at)
        return
    except ValueError as e:  # a number vpnform refuses, or nesting too deep
        diags.error("Invalid JSON in variables file", f"{str(e)[:1].upper()}{str(e)[1:]}.",
                    whole)
        return
    if not isinstance(data, dict):
        diags.error("Invalid variables file",
                    "The root of a JSON variables file must be an object.", whole)
        return
    for name, value in data.items():
        if name not in declared:
            _undeclared(name, display, whole, declared, diags)
            continue
        raw[name] = _Raw(_json_norm(value), False, whole, display)


def _json_norm(v: Any) -> Any:
    if isinstance(v, list):
        return [_json_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_norm(x) for k, x in v.items()}
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


def _undeclared(name: str, display: str, where: SourceRange, declared: dict,
                diags: Diagnostics) -> None:
    diags.warning("Value for undeclared variable",
                  f'The root module does not declare a variable named "{name}" but a value '
                  f'was found in file "{display}". If you meant to use this value, add a '
                  '"variable" block to the configuration.' + suggestion(name, declared), where)


def _check_validations(module: Module, values: dict, diags: Diagnostics) -> None:
    ctx = EvalContext(variables=values, declared_variables=set(module.variables),
                      declared_locals=set(), declared_resources=set())
    for name in sorted(module.variables):
        var = module.variables[name]
        if name not in values or not var.validations:
            continue
        for rule in var.validations:
            ok, d = evaluate(rule.condition, ctx)
            diags.extend(d)
            if d.has_errors:
                continue
            ok = strip_sensitive(ok)
            if isinstance(ok, Unknown):
                continue
            if not isinstance(ok, bool):
                diags.error("Invalid variable validation result",
                            "Invalid validation condition result value: a bool is required.",
                            rule.condition.range)
                continue
            if ok:
                continue
            msg, d = error_message_text(rule, ctx,
                                        "The value does not satisfy the validation rule.")
            diags.extend(d)
            diags.error("Invalid value for variable",
                        f"{msg}\n\nThis was checked by the validation rule at {rule.range}.",
                        var.range)
