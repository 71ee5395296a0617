"""The bad-input fuzzer: every malformed input must end in a diagnostic, never an internal
error, and in bounded time.

    .venv/bin/python bench/fuzz.py [--cases N] [--state-cases M] [--seed S] [--show]

Cases are mutations of the examples' configurations (examples/*/ .tf files, with their
modules and variable files) run through ``validate``, ``plan`` and ``console``, and bad
state files (and journals) beside an applied quick start, run through ``plan``, ``show``,
``state list`` and ``output``. Each case runs in-process through the CLI entry function
(``engine.cli.main.main``) in its own directory, against the embedded emulated cloud with
no simulated delay. Prints: cases, internal errors, cases over 10 s, the slowest case's
time. Exit status 1 when any case ends in an internal error or runs over 10 s.

tests/engine/test_eng_fuzz.py runs a bounded subset of the same cases.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.cli.main import main as vpnform  # noqa: E402

EXAMPLES = REPO / "examples"
QUICKSTART = EXAMPLES / "quickstart"
SLOW_SECONDS = 10.0
CASE_LIMIT_SECONDS = 60.0  # a case still running then is stopped and counted as slow
INTERNAL = "Internal error"


@dataclass
class Case:
    """One run of the CLI: a base directory, files to overwrite (None: delete) and argv."""
    name: str
    base: str  # "quickstart", "multi-site", "site-to-site", or "applied" (quick start + state)
    argv: list
    files: dict = field(default_factory=dict)
    stdin: str = ""


@dataclass
class Outcome:
    case: Case
    seconds: float
    code: int | None
    internal: bool
    output: str


# --- configuration mutations --------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.\"-])\d+(?![\w.\"])")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_IDENT = re.compile(r"\b[a-z_][a-z0-9_]*\b")

NUMBERS = ["9" * 5000, "1" + "0" * 4400, "1e400", "-1e400", "1e-400", "1.5e308", "1e100000",
           "0.1e400", "123456789" * 600, "18446744073709551616", "0.000000000000000000001",
           "2e-5", "1.0", "007", "1e3", "9" * 25000]
STRINGS = ['"${"', '"%{"', '"$${x}%%{y}"' * 3, '"\\u00"', '"\\q"', '"\\U0010FFFF"',
           '"\\U00110000"', '"\\ud800"', '"${1/0}"', '"${5 / 0}"', '"${tonumber("Inf")}"',
           '"\x00"', '"a\tb"', '"' + "é" * 300 + '"', '"${var.nope}"', '"%{ if true }x"',
           '"%{ for x in [1] }${x}%{ endfor }"', '"%{ endif }"', '"${jsondecode("[1e400]")}"',
           '"${jsondecode("[NaN]")}"', '"${jsondecode("1e999999")}"', '"${yamldecode("1e400")}"',
           '"${yamldecode("1e99999999")}"', '"${tonumber("1e400")}"',
           '"${pow(10, 400)}"', '"${parseint("zz", 36)}"', '"${format("%d", 1e400)}"',
           '"${cidrsubnet("10.0.0.0/8", 1e400, 1)}"', '"${substr("abc", 1e400, 1)}"',
           '"${range(1e400)}"', '"${element([1], 1e400)}"', '"${[1, 2][1e400]}"',
           '"${floor(1 / 0)}"', '"${abs(-1 / 0)}"', '"${max(1 / 0, 1)}"']
INSERTS = ["{", "}", "[", "]", "(", ")", '"', "${", "%{", "$${", "%%{", "~}", "\\", "=", ",",
           ".", ":", "?", "!", "<<EOT\n", "\nEOT\n", "#", "/*", "*/", "\n", "\t", "\r", "\x00",
           "…", "\ufeff", "=>", "...", "*", "-", "count = 1e400\n", "for_each = 1\n",
           "depends_on = [1]\n", "lifecycle {}\n", "dynamic \"x\" {}\n", "provider = nope\n"]


def _nested(rng: random.Random) -> str:
    depth = rng.choice([200, 1000, 3000, 10000])
    kind = rng.randrange(7)
    if kind == 0:
        return "[" * depth + "1" + "]" * depth
    if kind == 1:
        return "(" * depth + "1" + ")" * depth
    if kind == 2:
        return "abs(" * depth + "1" + ")" * depth
    if kind == 3:
        return "+".join(["1"] * depth)
    if kind == 4:
        return "{a = " * depth + "1" + "}" * depth
    if kind == 5:
        return "-" * depth + "1"
    return "true ? " * depth + "1" + " : 2" * depth


def mutate_text(text: str, rng: random.Random) -> str:
    """One mutation of configuration text."""
    op = rng.randrange(12)
    if op == 0:  # a number literal becomes an extreme one
        spots = list(_NUMBER.finditer(text))
        if spots:
            m = rng.choice(spots)
            return text[:m.start()] + rng.choice(NUMBERS) + text[m.end():]
    if op == 1:  # a string becomes a hostile one
        spots = list(_STRING.finditer(text))
        if spots:
            m = rng.choice(spots)
            return text[:m.start()] + rng.choice(STRINGS) + text[m.end():]
    if op == 2:  # a string full of escapes
        spots = list(_STRING.finditer(text))
        if spots:
            m = rng.choice(spots)
            unit = rng.choice(["$${", "%%{", "$${x}", "a$${b}%%{c}\\n"])
            return (text[:m.start()] + '"' + unit * rng.choice([10, 1000, 30000]) + '"'
                    + text[m.end():])
    if op == 3:  # deep nesting as an argument value
        spots = [m for m in re.finditer(r"=\s*", text)]
        if spots:
            m = rng.choice(spots)
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            return text[:m.end()] + _nested(rng) + text[end:]
    if op == 4 and text:  # delete a span
        a = rng.randrange(len(text))
        return text[:a] + text[a + rng.randint(1, 40):]
    if op == 5 and text:  # insert a token
        a = rng.randrange(len(text) + 1)
        return text[:a] + rng.choice(INSERTS) + text[a:]
    if op == 6:  # truncate
        return text[:rng.randrange(len(text) + 1)]
    if op == 7:  # duplicate a line
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if op == 8:  # swap an identifier for another of the file
        spots = list(_IDENT.finditer(text))
        if spots:
            m = rng.choice(spots)
            other = rng.choice(spots).group(0)
            return text[:m.start()] + other + text[m.end():]
    if op == 9:  # a heredoc
        spots = [m for m in re.finditer(r"=\s*", text)]
        if spots:
            m = rng.choice(spots)
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            body = rng.choice(["$${x}" * 5000, "${1e400}", "%{ if true }", "x\n  ${", ""])
            marker = rng.choice(["EOT", "-EOT", "E"])
            return text[:m.end()] + f"<<{marker}\n{body}\n{marker.lstrip('-')}\n" + text[end:]
    if op == 10 and text:  # flip bytes
        chars = list(text)
        for _ in range(rng.randint(1, 5)):
            chars[rng.randrange(len(chars))] = chr(rng.randrange(1, 0x2FF))
        return "".join(chars)
    # a reference or a number through a function
    spots = list(_NUMBER.finditer(text))
    if spots:
        m = rng.choice(spots)
        wrap = rng.choice(["tonumber(\"{}\")", "jsondecode(\"{}\")", "{} / 0", "-{}",
                           "pow({}, 400)", "{} * 1e400", "floor({} / 0)", "parseint(\"{}\", 10)"])
        return text[:m.start()] + wrap.format(m.group(0)) + text[m.end():]
    return text + "\n" + rng.choice(INSERTS)


def _example_files() -> dict[str, dict[str, str]]:
    out = {}
    for d in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        files = {}
        for f in sorted(d.rglob("*")):
            if f.is_file() and f.suffix in (".tf", ".tfvars") and ".vpnform" not in f.parts:
                files[str(f.relative_to(d))] = f.read_text()
        out[d.name] = files
    return out


CLI_VARS = ["bandwidth=1e400", "bandwidth=-1e400", "bandwidth=NaN", "bandwidth=inf",
            "bandwidth=-Infinity", "bandwidth=" + "9" * 5000, "bandwidth=1e100000",
            "bandwidth=0x10", "bandwidth=", "bandwidth=1_0", "psk=" + "$${" * 1000,
            "bandwidth=[1e400]", "bandwidth=5"]
TFVARS = ["bandwidth = 1e400\n", "bandwidth = " + "9" * 5000 + "\n", "bandwidth = 5 / 0\n",
          "bandwidth = " + "[" * 3000 + "]" * 3000 + "\n", "bandwidth = tonumber(\"Inf\")\n"]
TFVARS_JSON = ['{"bandwidth": 1e400}', '{"bandwidth": NaN}', '{"bandwidth": Infinity}',
               '{"bandwidth": -Infinity}', '{"bandwidth": ' + "9" * 25000 + '}',
               '{"bandwidth": ' + "[" * 5000 + "]" * 5000 + '}', '{"bandwidth": 1e99999999}',
               '{"bandwidth": "1e400"}', '{"bandwidth": 5']
CONSOLE_LINES = ["9" * 5000, "9" * 5000 + " + 1", "1e400", "-1e400 * 2", "1e400 / 3",
                 "9" * 25000, "tonumber(\"Inf\")", "tonumber(\"NaN\")", "tonumber(\"1e400\")",
                 "jsondecode(\"[1e400, NaN]\")", "jsondecode(\"" + "[" * 5000 + "]" * 5000 + "\")",
                 "jsondecode(\"1e99999999\")", "yamldecode(\"1e99999999\")", "5 / 0",
                 "\"$${x}\"", "\"" + "$${" * 20000 + "\"", "pow(10, 400)", "format(\"%d\", 1e400)",
                 "\"${1e400}\"", "[for i in range(3) : i * 1e400]", "parseint(\"9\", 10) * 1e400",
                 "tostring(1e400)", "max(1e400, 1)", "ceil(1e400 / 7)", "1e400 % 7",
                 "signum(-1e400)", "log(1e400, 10)", "sum([1e400, 1])", "range(0, 1e400, 1e399)"]


def config_cases(rng: random.Random, n: int) -> list[Case]:
    examples = _example_files()
    cases = []
    for i in range(n):
        base = rng.choice(sorted(examples))
        files = examples[base]
        kind = rng.random()
        if kind < 0.08 and base == "quickstart":  # variables from the command line or files
            choice = rng.randrange(3)
            if choice == 0:
                cases.append(Case(f"cfg{i}-var", base,
                                  ["plan", "-refresh=false", "-input=false", "-var",
                                   rng.choice(CLI_VARS)]))
            elif choice == 1:
                cases.append(Case(f"cfg{i}-tfvars", base, ["plan", "-refresh=false",
                                                            "-input=false"],
                                  {"terraform.tfvars": rng.choice(TFVARS)}))
            else:
                cases.append(Case(f"cfg{i}-tfvars-json", base,
                                  ["plan", "-refresh=false", "-input=false"],
                                  {"terraform.tfvars.json": rng.choice(TFVARS_JSON)}))
            continue
        if kind < 0.16:
            lines = [rng.choice(CONSOLE_LINES) if rng.random() < 0.6
                     else mutate_text(rng.choice(CONSOLE_LINES), rng).replace("\n", " ")
                     for _ in range(rng.randint(1, 3))]
            cases.append(Case(f"cfg{i}-console", "quickstart", ["console"],
                              stdin="\n".join(lines) + "\n"))
            continue
        name = rng.choice(sorted(files))
        text = files[name]
        for _ in range(rng.choice([1, 1, 2, 3])):
            text = mutate_text(text, rng)
        verb = (["plan", "-refresh=false", "-input=false"]
                if base == "quickstart" and rng.random() < 0.4 else ["validate"])
        cases.append(Case(f"cfg{i}-{base}-{name.replace('/', '_')}", base, verb, {name: text}))
    return cases


# --- state mutations ----------------------------------------------------------------------

def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def mutate_state(raw: str, rng: random.Random) -> tuple[dict, str]:
    """(files, description): a damaged terraform.tfstate and/or journal."""
    doc = json.loads(raw)
    op = rng.randrange(14)
    journal = ".terraform.tfstate.journal"
    if op == 0:  # deep nesting in an attribute
        depth = rng.choice([500, 900, 1500, 5000, 100000])
        inst = doc["resources"][rng.randrange(len(doc["resources"]))]["instances"][0]
        text = json.dumps(doc)
        key = rng.choice(sorted(inst["attributes"]))
        marker = json.dumps(inst["attributes"][key])
        needle = f'"{key}": {marker}'
        return {"terraform.tfstate": text.replace(needle, f'"{key}": {_deep(depth)}', 1)}, \
            f"deep {depth}"
    if op == 1:  # the whole file nested
        depth = rng.choice([1000, 100000])
        return {"terraform.tfstate": _deep(depth)}, "deep file"
    if op == 2:  # non-finite or huge numbers
        token = rng.choice(["NaN", "Infinity", "-Infinity", "1e400", "1e99999999", "9" * 25000,
                            "9" * 5000, "-0", "1.5"])
        text = json.dumps(doc, indent=2)
        spots = list(re.finditer(r'(?<=": )(\d+|"[^"]*")', text))
        m = rng.choice(spots)
        return {"terraform.tfstate": text[:m.start()] + token + text[m.end():]}, f"number {token[:10]}"
    if op == 3:  # a newer (or odd) terraform_version
        doc["terraform_version"] = rng.choice(["1.12.0", "99.0.0", "1.11.1", "2.0.0-beta1",
                                               "x.y", "", None, 5, "1.11", "1.10.5"])
        return {"terraform.tfstate": json.dumps(doc)}, f"terraform_version {doc['terraform_version']!r}"
    if op == 4:  # an empty, headless or damaged journal
        header = json.dumps({"vpnform_journal": 1, "lineage": doc["lineage"],
                             "serial": doc["serial"]})
        body = rng.choice(["", "\n", "{", header, header + "\n{\"x\":", header + "\nNaN\n",
                           header + "\n" + _deep(5000) + "\n", "\x00" * 10, "garbage\n"])
        return {journal: body}, f"journal {body[:12]!r}"
    if op == 5:  # truncated file
        text = json.dumps(doc, indent=2)
        return {"terraform.tfstate": text[:rng.randrange(len(text))]}, "truncated"
    if op == 6:  # bytes flipped
        chars = list(json.dumps(doc, indent=2))
        for _ in range(rng.randint(1, 8)):
            chars[rng.randrange(len(chars))] = chr(rng.randrange(1, 0x17F))
        return {"terraform.tfstate": "".join(chars)}, "flipped"
    if op == 7:  # a field of the wrong type
        field_ = rng.choice(["version", "serial", "lineage", "outputs", "resources"])
        doc[field_] = rng.choice([None, "x", -1, 1e300, [], {}, True, 2 ** 80, 5])
        return {"terraform.tfstate": json.dumps(doc)}, f"{field_}={doc[field_]!r}"
    if op == 8:  # a resource or instance field of the wrong type
        res = rng.choice(doc["resources"])
        target = res if rng.random() < 0.5 else res["instances"][0]
        key = rng.choice(sorted(target) + ["index_key", "status", "deposed"])
        target[key] = rng.choice([None, "x", -1, [], {}, True, 2 ** 80, [[1]], "tainted"])
        return {"terraform.tfstate": json.dumps(doc)}, f"field {key}"
    if op == 9:  # attribute values of another type
        inst = rng.choice(doc["resources"])["instances"][0]
        key = rng.choice(sorted(inst["attributes"]))
        inst["attributes"][key] = rng.choice([None, "x" * 100000, 10 ** 400, -1, [1, [2]],
                                              {"a": {"b": None}}, True, "\u0000", 1.5])
        return {"terraform.tfstate": json.dumps(doc)}, f"attribute {key}"
    if op == 10:  # not UTF-8, or empty
        return {"terraform.tfstate": rng.choice([b"\xff\xfe{}", b"", b"   ", b"null", b"[]",
                                                 b"{}"])}, "bytes"
    if op == 11:  # sensitive paths / dependencies damaged
        inst = rng.choice(doc["resources"])["instances"][0]
        key = rng.choice(["sensitive_attributes", "dependencies"])
        inst[key] = rng.choice([[[{"type": "get_attr", "value": _deep(3000)}]], "x", [1],
                                [[{"type": "index", "value": {"value": 1e300, "type": "number"}}]],
                                [["x"]], ["a.b.c"], [None]])
        return {"terraform.tfstate": json.dumps(doc)}, f"{key} damaged"
    if op == 12:  # outputs damaged
        doc["outputs"] = rng.choice([{"x": {"value": 1e300, "type": "number"}},
                                     {"x": {"value": json.loads(_deep(800))}},
                                     {"x": {"value": "s", "type": ["object", "x"]}},
                                     {"x": {"value": "s", "sensitive": "yes"}}, {"x": 1}])
        return {"terraform.tfstate": json.dumps(doc)}, "outputs damaged"
    # a huge number of resources' duplicates, or module paths
    res = rng.choice(doc["resources"])
    res["module"] = rng.choice(["module.", "module.a[", "module.a[\"x\"]", "x", "module.a.b"])
    return {"terraform.tfstate": json.dumps(doc)}, f"module {res['module']!r}"


STATE_VERBS = [["plan", "-input=false"], ["plan", "-refresh=false", "-input=false"],
               ["show"], ["show", "-json"], ["state", "list"], ["output"],
               ["apply", "-refresh=false", "-input=false", "-auto-approve"]]


def state_cases(rng: random.Random, n: int, state_text: str) -> list[Case]:
    cases = []
    for i in range(n):
        files, what = mutate_state(state_text, rng)
        verb = rng.choice(STATE_VERBS)
        cases.append(Case(f"state{i}-{what}", "applied", list(verb), files))
    return cases


# --- running ------------------------------------------------------------------------------

class CaseTimeout(BaseException):
    """A case ran past CASE_LIMIT_SECONDS (a BaseException: the CLI's catch-all must not
    report it as an internal error)."""


def _on_alarm(signum, frame):
    raise CaseTimeout()


def run_cli(argv: list, cwd: str, stdin: str = "") -> tuple[int | None, str, bool]:
    """Run ``vpnform argv`` in-process in ``cwd``: (exit code, output, internal error?)."""
    out = io.StringIO()
    old_cwd = os.getcwd()
    old_stdin = sys.stdin
    internal = False
    code = None
    try:
        os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = vpnform(list(argv))
    except CaseTimeout:
        raise
    except BaseException as err:  # noqa: BLE001 - anything escaping the CLI is a bug
        internal = True
        out.write(f"\n[escaped the CLI: {type(err).__name__}: {err}]")
    finally:
        sys.stdin = old_stdin
        os.chdir(old_cwd)
    text = out.getvalue()
    return code, text, internal or INTERNAL in text


def prepare_bases(root: Path) -> dict[str, Path]:
    """A clean copy of each example, and the quick start applied (state + emulated cloud)."""
    bases = {}
    for d in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        dst = root / "bases" / d.name
        shutil.copytree(d, dst, ignore=shutil.ignore_patterns(".vpnform", "*.tfstate*",
                                                              ".terraform*"))
        bases[d.name] = dst
    applied = root / "bases" / "applied"
    shutil.copytree(bases["quickstart"], applied)
    code, text, internal = run_cli(["apply", "-auto-approve", "-input=false"], str(applied))
    if code != 0 or internal:
        raise SystemExit(f"could not apply the quick start for the state cases:\n{text}")
    bases["applied"] = applied
    return bases


def run_case(case: Case, bases: dict[str, Path], work: Path) -> Outcome:
    d = work / case.name[:60]
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(bases[case.base], d, symlinks=True)
    for name, content in case.files.items():
        path = d / name
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes)
                         else content.encode("utf-8", "surrogatepass"))
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_LIMIT_SECONDS)
    start = time.perf_counter()
    try:
        code, text, internal = run_cli(case.argv, str(d), case.stdin)
    except CaseTimeout:
        code, text, internal = None, "[stopped: over the case limit]", False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - start
    shutil.rmtree(d, ignore_errors=True)
    return Outcome(case, seconds, code, internal, text)


def make_cases(seed: int, n_config: int, n_state: int, state_text: str) -> list[Case]:
    rng = random.Random(seed)
    return config_cases(rng, n_config) + state_cases(rng, n_state, state_text)


def run_all(seed: int, n_config: int, n_state: int, progress=None) -> list[Outcome]:
    os.environ.setdefault("VPNFORM_EMULATOR_DELAY_SCALE", "0")
    with tempfile.TemporaryDirectory(prefix="vpnform-fuzz-") as tmp:
        root = Path(tmp)
        bases = prepare_bases(root)
        state_text = (bases["applied"] / "terraform.tfstate").read_text()
        work = root / "work"
        work.mkdir()
        outcomes = []
        for case in make_cases(seed, n_config, n_state, state_text):
            outcome = run_case(case, bases, work)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
        return outcomes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1600, help="configuration cases (1600)")
    ap.add_argument("--state-cases", type=int, default=150, help="bad state cases (150)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="print each failing case's output")
    args = ap.parse_args()

    def progress(o: Outcome) -> None:
        if o.internal or o.seconds > SLOW_SECONDS:
            print(f"{'INTERNAL ERROR' if o.internal else 'SLOW'} {o.case.name} "
                  f"{o.seconds:.1f}s: vpnform {' '.join(o.case.argv)}", flush=True)
            if args.show:
                print(o.output[-3000:], flush=True)

    start = time.perf_counter()
    outcomes = run_all(args.seed, args.cases, args.state_cases, progress)
    wall = time.perf_counter() - start
    internal = [o for o in outcomes if o.internal]
    slow = [o for o in outcomes if o.seconds > SLOW_SECONDS]
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"seed {args.seed}: cases {len(outcomes)} ({args.cases} configuration, "
          f"{args.state_cases} state), internal errors {len(internal)}, cases over "
          f"{SLOW_SECONDS:.0f} s {len(slow)}, slowest case {slowest.seconds:.2f} s "
          f"({slowest.case.name}), total {wall:.0f} s")
    return 1 if internal or slow else 0


if __name__ == "__main__":
    sys.exit(main())
