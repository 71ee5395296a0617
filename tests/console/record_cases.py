"""Record terraform_console_cases.json from the real ``terraform console``.

Run once by hand (tests never need terraform):

    .venv/bin/python tests/console/record_cases.py [--new] [path/to/terraform]

With --new, only expressions of cases.txt not yet in the recording are run; the recorded
answers of the others are kept as they are. terraform_functions.json, the list of
functions (``terraform metadata functions -json``) the suite must cover, is recorded
again each time.

Each line of cases.txt is one expression, evaluated by ``terraform console`` in a copy of
fixture/ (variables and locals the expressions refer to, and files/ for the file
functions). Stored per case: the exact stdout and exit status, and for a failing
expression the diagnostic's summary and detail from stderr (ANSI escapes stripped). The
tests compare stdout exactly and, for errors, the summary.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read_cases() -> list[str]:
    with open(os.path.join(HERE, "cases.txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def parse_error(stderr: str) -> tuple[str | None, str | None]:
    text = ANSI.sub("", stderr)
    lines = [re.sub(r"^[│╷╵]\s?", "", ln) for ln in text.splitlines()]
    for i, ln in enumerate(lines):
        if ln.startswith("Error: "):
            summary = ln[len("Error: "):].strip()
            rest = lines[i + 1:]
            # skip the "on <console-input> line 1:" source lines
            body: list[str] = []
            for r in rest:
                if r.startswith("╵") or r.strip() == "" and body and body[-1] == "":
                    continue
                body.append(r)
            detail = "\n".join(b for b in body).strip()
            detail = re.sub(r"^on <console-input> line \d+:\n\s*\(source code not available\)\n*",
                            "", detail.strip())
            return summary, detail.strip()
    return None, None


def run_one(tf: str, workdir: str, expr: str) -> dict:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1")
    p = subprocess.run([tf, "console"], input=expr + "\n", capture_output=True, text=True,
                       cwd=workdir, env=env, timeout=60)
    case = {"expr": expr, "stdout": p.stdout, "rc": p.returncode}
    summary, detail = parse_error(p.stderr)
    if summary is not None:
        case["error"] = summary
        case["detail"] = detail
    return case


def main() -> int:
    args = sys.argv[1:]
    only_new = "--new" in args
    args = [a for a in args if a != "--new"]
    tf = args[0] if args else (shutil.which("terraform") or "terraform")
    version = subprocess.run([tf, "version"], capture_output=True, text=True).stdout.split("\n")[0]
    cases = read_cases()
    path = os.path.join(HERE, "terraform_console_cases.json")
    known: dict[str, dict] = {}
    if only_new and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        if old.get("terraform") != version:
            print(f"recording was made with {old.get('terraform')}, not {version}: "
                  "re-record everything instead", file=sys.stderr)
            return 1
        known = {c["expr"]: c for c in old["cases"]}
    todo = [e for e in cases if e not in known]
    workers = 4
    dirs = []
    for _ in range(workers):
        d = os.path.join(tempfile.mkdtemp(prefix="tfconsole-"), "fixture")
        shutil.copytree(os.path.join(HERE, "fixture"), d)
        dirs.append(d)
    free: queue.Queue[str] = queue.Queue()
    for d in dirs:
        free.put(d)

    def run_in_free_dir(expr: str) -> dict:
        # one terraform at a time per directory: two consoles in one directory fight over
        # the state lock
        d = free.get()
        try:
            return run_one(tf, d, expr)
        finally:
            free.put(d)

    try:
        with ThreadPoolExecutor(workers) as pool:
            fresh = dict(zip(todo, pool.map(run_in_free_dir, todo)))
    finally:
        for d in dirs:
            shutil.rmtree(os.path.dirname(d), ignore_errors=True)
    clashes = [e for e, c in fresh.items() if c.get("error") == "Error acquiring the state lock"]
    if clashes:
        print(f"terraform could not lock its state for {clashes}: nothing recorded",
              file=sys.stderr)
        return 1
    panics = [e for e, c in fresh.items()
              if "panic in function implementation" in c.get("detail", "")]
    if panics:  # a Terraform bug, and its goroutine dump differs at every run
        print(f"terraform panicked on {panics}: take them out of cases.txt", file=sys.stderr)
        return 1
    results = [known[e] if e in known else fresh[e] for e in cases]
    functions = json.loads(subprocess.run([tf, "metadata", "functions", "-json"],
                                          capture_output=True, text=True, check=True).stdout)
    with open(os.path.join(HERE, "terraform_functions.json"), "w", encoding="utf-8") as f:
        json.dump({"terraform": version, **functions}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    out = {"terraform": version, "cases": results}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(fresh)} of {len(results)} cases with {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
