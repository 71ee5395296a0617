"""Record terraform_cases.json: how Terraform 1.11 converts the values of count, for_each,
typed variables and arguments, from every source of a value.

Run once by hand (tests never need terraform):

    .venv/bin/python tests/e2e/conversions/record_cases.py [path/to/terraform]

cases.json holds the inputs only (and, for a known difference, why vpnform differs); each
is tried on Terraform with ``terraform_data``:

- count / for_each cases: ``resource "terraform_data" "r" { count = EXPR }`` (or for_each),
  planned; recorded are the instance addresses, or the error's summary and detail.
- value cases: a variable of the argument's type (``variable "probe" { type = T }``) given
  the value: Terraform converts an
  argument to its schema type with the same rules it converts a variable to its type
  constraint; planned with ``output "v" { value = var.probe }``, recorded are the
  converted value as JSON (from ``show -json``), or the error's summary and detail.

Every case gives its value through one source: ``var`` (-var), ``env`` (TF_VAR_),
``tfvars`` (terraform.tfvars), ``tfvars_json`` (terraform.tfvars.json) or ``default``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))


def _console_recorder():
    path = os.path.join(HERE, "..", "..", "console", "record_cases.py")
    spec = importlib.util.spec_from_file_location("console_record_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_error(stderr: str) -> tuple[str | None, str | None]:
    """The first error's summary and detail (its last paragraph, after the source)."""
    summary, detail = _console_recorder().parse_error(stderr)
    if detail is None:
        return summary, detail
    paragraphs = [p for p in re.split(r"\n\s*\n", detail) if p.strip()]
    return summary, " ".join(paragraphs[-1].split()) if paragraphs else ""


def variable_block(name: str, type_: str | None, default: str | None) -> str:
    inner = ""
    if type_ is not None:
        inner += f"  type = {type_}\n"
    if default is not None:
        inner += f"  default = {default}\n"
    return f'variable "{name}" {{\n{inner}}}\n'


def setup(tmp: str, case: dict, body: str) -> tuple[list[str], dict]:
    var = case.get("variable")
    src = case.get("source", {})
    text = ""
    if var is not None:
        text += variable_block(var["name"], var.get("type"), src.get("default"))
    text += body
    with open(os.path.join(tmp, "main.tf"), "w") as f:
        f.write(text)
    args: list[str] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    env["CHECKPOINT_DISABLE"] = "1"
    if "var" in src:
        args.append(f"-var={var['name']}={src['var']}")
    if "env" in src:
        env[f"TF_VAR_{var['name']}"] = src["env"]
    if "tfvars" in src:
        with open(os.path.join(tmp, "terraform.tfvars"), "w") as f:
            f.write(f"{var['name']} = {src['tfvars']}\n")
    if "tfvars_json" in src:
        with open(os.path.join(tmp, "terraform.tfvars.json"), "w") as f:
            json.dump({var["name"]: src["tfvars_json"]}, f)
    return args, env


def record(terraform: str, case: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if case["kind"] in ("count", "for_each"):
            body = (f'resource "terraform_data" "r" {{\n  {case["kind"]} = {case["expr"]}\n}}\n')
            args, env = setup(tmp, case, body)
            p = subprocess.run([terraform, "plan", "-no-color", "-input=false", *args],
                               cwd=tmp, env=env, capture_output=True, text=True)
            if p.returncode == 0:
                inst = sorted(re.findall(r"# terraform_data\.r(\S*) will be created", p.stdout))
                return {"rc": 0, "instances": inst}
            summary, detail = parse_error(p.stderr)
            return {"rc": p.returncode, "summary": summary, "detail": detail}
        # a value case: the variable "probe" of the argument's type, shown as an output
        probe = dict(case, variable={"name": "probe", "type": case["type"]})
        args, env = setup(tmp, probe, 'output "v" {\n  value = var.probe\n}\n')
        p = subprocess.run([terraform, "plan", "-no-color", "-input=false", "-out=p", *args],
                           cwd=tmp, env=env, capture_output=True, text=True)
        if p.returncode == 0:
            shown = subprocess.run([terraform, "show", "-json", "p"], cwd=tmp, env=env,
                                   capture_output=True, text=True, check=True)
            outputs = json.loads(shown.stdout)["planned_values"].get("outputs", {})
            return {"rc": 0, "json": outputs["v"].get("value") if "v" in outputs else None}
        summary, detail = parse_error(p.stderr)
        return {"rc": p.returncode, "summary": summary, "detail": detail}


def main() -> None:
    terraform = sys.argv[1] if len(sys.argv) > 1 else "terraform"
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    version = subprocess.run([terraform, "version"], capture_output=True, text=True
                             ).stdout.splitlines()[0]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: record(terraform, c), cases))
    out = {"terraform": version,
           "cases": [dict(c, terraform=r) for c, r in zip(cases, results)]}
    with open(os.path.join(HERE, "terraform_cases.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
