#!/usr/bin/env python3
"""vpnform and Terraform side by side in one run: issue #14's figures and targets.

vpnform runs the generated VPN configuration of bench/vpn_config.py against the embedded
emulated cloud (``VPNFORM_EMULATOR_DELAY_SCALE=0``); Terraform runs the same number of
``terraform_data`` resources (built in: ``terraform init`` needs no network). Every step is a
fresh process; wall seconds and peak RSS come from ``os.wait4``. Sections:

  a  plan of the quickstart (7 resources) vs terraform plan of 7 terraform_data, after init;
     median of 5 alternating runs each
  b  apply -auto-approve (plan included) of 1,000 resources, vpnform also at 2,000, 5,000
     and 10,000 (ms/resource shows linearity); terraform at --tf-sizes (default 1,000).
     Both after init, untimed (vpnform's init leaves the parse cache, as a user's does);
     vpnform's 1,000 is the median of three directories, and its apply of 1,000 with no
     init (a cold parse) is shown too
  c  plan (create) at 6,900 and 10,000: vpnform cold (a fresh directory: no parse cache in
     .vpnform/ast-cache) and warm (the second run); terraform plan (after init)
  d  no-change plan, refresh on, at 6,900 and 10,000 after an apply (-detailed-exitcode must
     exit 0); Terraform's state of N terraform_data is written directly (format 4, as
     ``terraform apply`` writes it) and terraform plan must report no changes
  e  peak memory at the largest size, for each step above
  f  refresh and apply with VPNFORM_EMULATOR_READ_LATENCY=0.05 at --latency-size: wall vs
     issue #14's bound, resources x latency / parallelism (each object read once, a batch
     of reads costing no more than one read); the bound from the Describe calls in the
     emulator's call log x latency / parallelism is shown too

Terraform's column reads "n/a" when terraform is not installed.

    .venv/bin/python bench/vs_terraform.py              # everything (about half an hour)
    .venv/bin/python bench/vs_terraform.py --quick      # small sizes, a smoke test
    .venv/bin/python bench/vs_terraform.py --only a,c --sizes 2000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from child import measure  # noqa: E402
from vpn_config import generate  # noqa: E402

QUICKSTART = os.path.join(ROOT, "examples", "quickstart")
LATENCY_ENV = "VPNFORM_EMULATOR_READ_LATENCY"
PARALLELISM = 10  # both tools' default
TIMEOUT = 1800    # seconds any one child process may take

# Issue #14's targets.
QUICKSTART_WALL = 0.4          # s, plan of the quickstart
APPLY_VS_TF = 0.1              # apply of 1,000: at least 10x faster than terraform
LINEAR_SLACK = 1.25            # ms/resource at the largest size within 25% of that at 1,000
COLD_VS_TF = 1.0               # plan (create): faster than terraform with no parse cache
WARM_VS_TF = 0.5               # and at most half terraform's with the cache warm
NOCHANGE_VS_TF = 0.5           # no-change plan with refresh on
PEAK_MIB = 400                 # at 10,000
LATENCY_SLACK = 1.10           # within 10% of N x L / parallelism


# --- running one child -----------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    rss: float   # MiB
    code: int
    output: str


def run(argv: list[str], cwd: str, env: dict[str, str], timeout: float = TIMEOUT) -> Run:
    """One child process (bench/child.py), killed with its process group after ``timeout``."""
    m = measure(argv, cwd, env, timeout)
    return Run(m.wall, m.rss, m.code, m.output)


def checked(r: Run, what: str, codes: tuple[int, ...] = (0,)) -> Run:
    if r.code not in codes:
        sys.stdout.write(r.output[-4000:])
        raise SystemExit(f"{what} exited {r.code}")
    return r


class Vpnform:
    def __init__(self, exe: str, scratch: str) -> None:
        self.exe = exe
        self.scratch = scratch
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VPNFORM_", "TF_", "TENCENTCLOUD_"))
                    and k != "PYTHONDONTWRITEBYTECODE"}  # a user's install has its bytecode
        self.env["VPNFORM_EMULATOR_DELAY_SCALE"] = "0"
        self.applied: dict[int, str] = {}  # size -> a directory whose configuration is applied

    def workdir(self, resources: int, tag: str) -> tuple[str, int]:
        d = tempfile.mkdtemp(prefix=f"vpnform-{resources}-{tag}-", dir=self.scratch)
        text, count = generate(resources)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(text)
        return d, count

    def __call__(self, d: str, *args: str, latency: float = 0.0) -> Run:
        env = dict(self.env, **({LATENCY_ENV: str(latency)} if latency else {}))
        return run([self.exe, *args, "-no-color", "-input=false"], d, env)


class Terraform:
    def __init__(self, exe: str | None, scratch: str) -> None:
        self.exe = exe
        self.scratch = scratch
        self.version = ""
        if exe:
            out = subprocess.run([exe, "version"], capture_output=True, text=True, timeout=60,
                                 env=self._env(scratch))
            self.version = out.stdout.split("\n")[0]

    def _env(self, d: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        rc = os.path.join(d, ".terraformrc")
        if not os.path.exists(rc):
            open(rc, "w").close()
        env.update(TF_CLI_CONFIG_FILE=rc, TF_DATA_DIR=os.path.join(d, ".terraform"),
                   TF_PLUGIN_CACHE_DIR=os.path.join(d, ".plugins"), TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1")
        os.makedirs(env["TF_PLUGIN_CACHE_DIR"], exist_ok=True)
        return env

    def workdir(self, resources: int, tag: str) -> str:
        """N terraform_data blocks (each written out, as vpnform's are), initialised."""
        d = tempfile.mkdtemp(prefix=f"terraform-{resources}-{tag}-", dir=self.scratch)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write("".join(f'resource "terraform_data" "r_{i}" {{\n  input = "r-{i}"\n}}\n\n'
                            for i in range(resources)))
        checked(self(d, "init"), "terraform init")
        return d

    def __call__(self, d: str, *args: str) -> Run:
        return run([self.exe, *args, "-no-color", "-input=false"], d, self._env(d))


def tf_state(resources: int) -> str:
    """Terraform's state (format 4) of ``resources`` applied terraform_data blocks, as
    ``terraform apply`` of Terraform.workdir's configuration writes it."""
    def instance(i: int) -> dict:
        return {"mode": "managed", "type": "terraform_data", "name": f"r_{i}",
                "provider": 'provider["terraform.io/builtin/terraform"]',
                "instances": [{"schema_version": 0,
                               "attributes": {"id": str(uuid.uuid4()),
                                              "input": {"value": f"r-{i}", "type": "string"},
                                              "output": {"value": f"r-{i}", "type": "string"},
                                              "triggers_replace": None},
                               "sensitive_attributes": []}]}
    return json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 1,
                       "lineage": str(uuid.uuid4()), "outputs": {},
                       "resources": [instance(i) for i in sorted(range(resources), key=str)],
                       "check_results": None}, indent=2)


# --- printing --------------------------------------------------------------------------------

ROWS: list[tuple] = []  # (section, work, resources, vpnform Run|None, terraform Run|None, note)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "MISS")


def fmt(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def row(section: str, work: str, resources: int, vf: Run | None, tf: Run | None,
        target: str = "", ok: bool | None = None, extra: str = "") -> None:
    ROWS.append((section, work, resources, vf, tf))
    vw, tw = (vf.wall if vf else None), (tf.wall if tf else None)
    print(f"{section:<2} {work:<40} {resources:>6} {fmt(vw, '8.2f'):>8} "
          f"{fmt(vf.rss if vf else None, '7.0f'):>7} {fmt(vw and vw * 1000 / resources, '6.2f'):>6} "
          f"{fmt(tw, '8.2f'):>8} {fmt(tf.rss if tf else None, '7.0f'):>7} "
          f"{fmt(ratio(vw, tw), '6.2f'):>6}  {target:<22} {verdict(ok):<4} {extra}", flush=True)


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"{'':<2} {'work':<40} {'res':>6} {'vf s':>8} {'vf MiB':>7} {'ms/res':>6} "
          f"{'tf s':>8} {'tf MiB':>7} {'vf/tf':>6}  {'target':<22} verdict", flush=True)


def median_run(runs: list[Run]) -> Run:
    walls = sorted(runs, key=lambda r: r.wall)
    mid = walls[len(walls) // 2]
    return Run(statistics.median(r.wall for r in runs), max(r.rss for r in runs), mid.code,
               mid.output)


# --- sections --------------------------------------------------------------------------------

def section_a(vf: Vpnform, tf: Terraform, repeat: int) -> None:
    header(f"a. plan of the quickstart, median of {repeat} alternating runs")
    d = os.path.join(vf.scratch, "quickstart")
    shutil.copytree(QUICKSTART, d, ignore=shutil.ignore_patterns(".vpnform", "*.tfstate*"))
    checked(vf(d, "init"), "vpnform init")
    td = tf.workdir(7, "quickstart") if tf.exe else None
    vruns, truns = [], []
    for _ in range(repeat):
        vruns.append(checked(vf(d, "plan"), "vpnform plan of the quickstart"))
        if td:
            truns.append(checked(tf(td, "plan"), "terraform plan of 7"))
    v = median_run(vruns)
    row("a", "plan, quickstart (7)", 7, v, median_run(truns) if truns else None,
        f"<= {QUICKSTART_WALL} s", v.wall <= QUICKSTART_WALL)


def section_b(vf: Vpnform, tf: Terraform, sizes: list[int], tf_sizes: list[int]) -> None:
    header("b. apply -auto-approve (plan included), from nothing, after init (as terraform's)")
    per_resource: dict[int, float] = {}
    base = None
    for n in sizes:
        # Each side runs init first, untimed (init reads the configuration, as
        # terraform's does: vpnform's keeps the parse cache it made). The first size is
        # the median of three fresh directories.
        runs = []
        for _ in range(3 if base is None else 1):
            d, count = vf.workdir(n, "apply")
            checked(vf(d, "init"), "vpnform init")
            runs.append(checked(vf(d, "apply", "-auto-approve"), f"vpnform apply of {count}"))
        v = median_run(runs)
        vf.applied[n] = d
        per_resource[n] = v.wall / count
        t = None
        if tf.exe and n in tf_sizes:
            td = tf.workdir(n, "apply")
            t = checked(tf(td, "apply", "-auto-approve"), f"terraform apply of {n}")
        if base is None:
            base = n
            row("b", f"apply {n}", count, v, t, f"vf/tf <= {APPLY_VS_TF}",
                None if t is None else v.wall / t.wall <= APPLY_VS_TF)
            d, count = vf.workdir(n, "apply-no-init")
            cold = checked(vf(d, "apply", "-auto-approve"), f"vpnform apply of {count}")
            shutil.rmtree(d, ignore_errors=True)
            row("b", f"apply {n}, no init (cold parse)", count, cold, t, "(shown only)")
        else:
            slope = per_resource[n] / per_resource[base]
            row("b", f"apply {n}", count, v, t, f"ms/res <= {LINEAR_SLACK}x {base}'s",
                slope <= LINEAR_SLACK, f"(ms/res {slope:.2f}x that at {base})")


def section_c(vf: Vpnform, tf: Terraform, sizes: list[int]) -> None:
    header("c. plan (create): vpnform cold (fresh directory, no parse cache) and warm")
    for n in sizes:
        d, count = vf.workdir(n, "plan")
        cold = checked(vf(d, "plan"), f"vpnform plan of {count}")
        warm = checked(vf(d, "plan"), f"vpnform plan of {count}, warm")
        shutil.rmtree(d, ignore_errors=True)
        t = None
        if tf.exe:
            td = tf.workdir(count, "plan")
            t = checked(tf(td, "plan"), f"terraform plan of {count}")
            shutil.rmtree(td, ignore_errors=True)
        row("c", f"plan {n}, cold", count, cold, t, f"vf/tf < {COLD_VS_TF}",
            None if t is None else cold.wall / t.wall < COLD_VS_TF)
        row("c", f"plan {n}, warm parse cache", count, warm, t, f"vf/tf <= {WARM_VS_TF}",
            None if t is None else warm.wall / t.wall <= WARM_VS_TF)


def applied_dir(vf: Vpnform, n: int) -> tuple[str, int]:
    """A directory whose configuration of ``n`` is applied (section b's, or a new one)."""
    if n in vf.applied:
        d = vf.applied[n]
        return d, generate(n)[1]
    d, count = vf.workdir(n, "apply")
    r = checked(vf(d, "apply", "-auto-approve"), f"vpnform apply of {count}")
    print(f"   (applied {count} for the next step in {r.wall:.1f} s, peak {r.rss:.0f} MiB)")
    vf.applied[n] = d
    return d, count


def check_tf_state(tf: Terraform) -> None:
    """tf_state(3) is what ``terraform apply`` writes for 3 blocks, but for IDs and lineage."""
    def shape(text: str) -> dict:
        state = json.loads(text)
        state.update(lineage="", serial=0)
        for r in state["resources"]:
            for i in r["instances"]:
                i["attributes"]["id"] = ""
        return state
    td = tf.workdir(3, "state-format")
    checked(tf(td, "apply", "-auto-approve"), "terraform apply of 3")
    with open(os.path.join(td, "terraform.tfstate")) as f:
        applied = shape(f.read())
    applied["terraform_version"] = "1.11.4"
    if applied != shape(tf_state(3)):
        raise SystemExit("the written terraform state differs from what terraform apply "
                         f"writes:\n{json.dumps(applied, indent=1)[:3000]}")
    shutil.rmtree(td, ignore_errors=True)


def section_d(vf: Vpnform, tf: Terraform, sizes: list[int]) -> None:
    header("d. no-change plan, refresh on (-detailed-exitcode exits 0); terraform's state "
           "of N terraform_data written directly (checked against terraform apply of 3)")
    if tf.exe:
        check_tf_state(tf)
    for n in sizes:
        d, count = applied_dir(vf, n)
        v = checked(vf(d, "plan", "-detailed-exitcode"), f"vpnform no-change plan of {count}")
        t = None
        if tf.exe:
            td = tf.workdir(count, "nochange")
            with open(os.path.join(td, "terraform.tfstate"), "w") as f:
                f.write(tf_state(count))
            t = checked(tf(td, "plan", "-detailed-exitcode"), f"terraform plan of {count}")
            if "No changes." not in t.output:
                raise SystemExit(f"terraform plan over the written state of {count} found "
                                 f"changes:\n{t.output[-2000:]}")
            shutil.rmtree(td, ignore_errors=True)
        row("d", f"no-change plan {n}", count, v, t, f"vf/tf <= {NOCHANGE_VS_TF}",
            None if t is None else v.wall / t.wall <= NOCHANGE_VS_TF)


def section_e() -> None:
    largest = max((r[2] for r in ROWS), default=0)
    header(f"e. peak memory at the largest size ({largest} resources)")
    for section, work, resources, v, t in [r for r in ROWS if r[2] == largest]:
        row("e", f"{work} ({section})", resources, v, t, f"vf <= {PEAK_MIB} MiB at 10,000",
            None if v is None or largest < 10_000 else v.rss <= PEAK_MIB)


def describes(d: str, since: int) -> tuple[int, int]:
    """Describe* calls in the emulated cloud's call log after call ``since``; the last id."""
    path = os.path.join(d, ".vpnform", "cloud.db")
    if not os.path.exists(path):
        return 0, 0
    with sqlite3.connect(path) as db:
        n = db.execute("SELECT COUNT(*) FROM calls WHERE id > ? AND action LIKE 'Describe%'",
                       (since,)).fetchone()[0]
        last = db.execute("SELECT COALESCE(MAX(id), 0) FROM calls").fetchone()[0]
    return n, last


def section_f(vf: Vpnform, n: int, latency: float) -> None:
    print(f"\nf. with {LATENCY_ENV}={latency}, -parallelism={PARALLELISM}: wall vs issue #14's "
          "bound, resources x latency / parallelism ('added' is wall minus the same step's "
          "at latency 0); the bound from the Describe calls x latency / parallelism beside")
    print(f"   {'step':<34} {'res':>6} {'bound s':>8} {'wall s':>8} {'ratio':>6} {'L=0 s':>7} "
          f"{'added s':>8} {'ratio':>6} {'Describe':>8} {'D-bound':>8} {'ratio':>6}  target")

    def show(step: str, count: int, calls: int, wall: float, zero: float) -> None:
        bound = count * latency / PARALLELISM
        by_calls = calls * latency / PARALLELISM
        whole, added = wall / bound, (wall - zero) / bound
        print(f"   {step:<34} {count:>6} {bound:>8.2f} {wall:>8.2f} {whole:>6.2f} {zero:>7.2f} "
              f"{wall - zero:>8.2f} {added:>6.2f} {calls:>8} {by_calls:>8.2f} "
              f"{wall / by_calls if by_calls else 0:>6.2f}  wall <= {LATENCY_SLACK}x "
              f"bound: {verdict(whole <= LATENCY_SLACK)}; added <= {LATENCY_SLACK}x bound: "
              f"{verdict(added <= LATENCY_SLACK)}", flush=True)

    # apply from nothing, with and without the latency
    d0, count = vf.workdir(n, "apply-l0")
    zero = checked(vf(d0, "apply", "-auto-approve"), f"vpnform apply of {count}")
    shutil.rmtree(d0, ignore_errors=True)
    d, count = vf.workdir(n, "apply-lat")
    before = 0
    slow = checked(vf(d, "apply", "-auto-approve", latency=latency),
                   f"vpnform apply of {count} with latency")
    calls, before = describes(d, before)
    show("apply (plan included)", count, calls, slow.wall, zero.wall)
    # the no-change plan, refresh on, with and without the latency
    zero = checked(vf(d, "plan", "-detailed-exitcode"), "vpnform no-change plan")
    _, before = describes(d, before)
    slow = checked(vf(d, "plan", "-detailed-exitcode", latency=latency),
                   "vpnform no-change plan with latency")
    calls, before = describes(d, before)
    show("no-change plan (refresh)", count, calls, slow.wall, zero.wall)
    norefresh = checked(vf(d, "plan", "-detailed-exitcode", "-refresh=false", latency=latency),
                        "vpnform plan -refresh=false with latency")
    extra, before = describes(d, before)
    print(f"   refresh alone (plan - plan -refresh=false, {extra} Describe calls without "
          f"refresh): {slow.wall - norefresh.wall:.2f} s vs bound "
          f"{count * latency / PARALLELISM:.2f} s (by Describe calls "
          f"{calls * latency / PARALLELISM:.2f} s)", flush=True)


# --- main ------------------------------------------------------------------------------------

def sizes_arg(text: str) -> list[int]:
    return [int(s) for s in text.replace(",", " ").split()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    ap.add_argument("--only", default="a,b,c,d,e,f", help="sections to run (a,b,c,d,e,f)")
    ap.add_argument("--sizes", help="apply sizes of b, e.g. 1000,2000,5000,10000")
    ap.add_argument("--plan-sizes", help="sizes of c and d, e.g. 6900,10000")
    ap.add_argument("--tf-sizes", help="sizes of b terraform applies too (default: the first)")
    ap.add_argument("--latency", type=float, default=0.05, help="seconds per Describe in f")
    ap.add_argument("--latency-size", type=int, help="resources in f (default 1000)")
    ap.add_argument("--repeat", type=int, help="runs of a (default 5)")
    ap.add_argument("--vpnform", default=os.path.join(ROOT, ".venv", "bin", "vpnform"))
    ap.add_argument("--terraform", default=shutil.which("terraform", path="/usr/local/bin")
                    or shutil.which("terraform"))
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    only = set(args.only.split(","))
    sizes = sizes_arg(args.sizes or ("100 200" if args.quick else "1000 2000 5000 10000"))
    plan_sizes = sizes_arg(args.plan_sizes or ("200" if args.quick else "6900 10000"))
    tf_sizes = sizes_arg(args.tf_sizes) if args.tf_sizes else sizes[:1]
    latency_size = args.latency_size or (50 if args.quick else 1000)
    repeat = args.repeat or (3 if args.quick else 5)

    scratch = tempfile.mkdtemp(prefix="vs-terraform-")
    vf = Vpnform(args.vpnform, scratch)
    tf = Terraform(args.terraform if args.terraform and os.access(args.terraform, os.X_OK)
                   else None, scratch)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"vpnform {args.vpnform} (commit {commit or '?'}); "
          f"terraform: {tf.version or 'n/a (not installed)'}; {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    print("vf = vpnform (embedded emulator, no provisioning delay), tf = terraform "
          "(terraform_data); wall s, peak RSS MiB (wait4); vf/tf = wall ratio")
    try:
        if "a" in only:
            section_a(vf, tf, repeat)
        if "b" in only:
            section_b(vf, tf, sizes, tf_sizes)
        if "c" in only:
            section_c(vf, tf, plan_sizes)
        if "d" in only:
            section_d(vf, tf, plan_sizes)
        if "e" in only:
            section_e()
        if "f" in only:
            section_f(vf, latency_size, args.latency)
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
