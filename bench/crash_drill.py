#!/usr/bin/env python3
"""The kill drill: SIGKILL apply and destroy at random moments, then check that the next
run converges with nothing lost, nothing untracked and nothing made twice.

A generated configuration of about N resources in two regions (VPCs, route tables,
subnets, VPN gateways, customer gateways, tunnels, route table entries and gateway
routes) is applied and destroyed in turn against the embedded emulated cloud. Each round
starts `vpnform apply` (or `destroy`), kills it with SIGKILL at a random moment (within
the time an unkilled run of that command took), then runs
the same command again to completion and compares the cloud (the Describe* calls behind
`vpnform cloud`) with the state (`vpnform show -json`):

- orphans: objects in the cloud that the state does not hold;
- lost: objects the state holds that the cloud does not;
- duplicates: two objects in the cloud where the configuration declares one;
- converged: the unkilled run exits 0 and a following `plan -detailed-exitcode` is 0
  (after an apply) or the cloud is empty (after a destroy).

    .venv/bin/python bench/crash_drill.py                      # 500 resources, 20 kills
    .venv/bin/python bench/crash_drill.py --faults "internal=0.03,throttle=0.03,lost=0.03"
    .venv/bin/python bench/crash_drill.py --resources 200 --kills 4 --seed 1

Faults (``VPNFORM_EMULATOR_FAULTS``) apply to the killed and the converging runs alike;
the inventory is read without them. Prints one line per kill and a summary; exits 1 when
any round did not converge cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VPNFORM = os.path.join(ROOT, ".venv", "bin", "vpnform")
REGIONS = ["ap-guangzhou", "ap-shanghai"]
GATEWAYS, CUSTOMER_GATEWAYS = 5, 8  # a region's, at least
# The product's limits (providers/tencentcloud/rules.py LIMITS): VPN gateways per VPC,
# tunnels per VPN gateway, customer gateways per region, tunnels per customer gateway.
MAX_GATEWAYS, TUNNELS_PER_GATEWAY, MAX_CUSTOMER_GATEWAYS, TUNNELS_PER_CGW = 10, 20, 20, 10


def generate(resources: int) -> str:
    """About ``resources`` resources over two regions (3 fixed and the gateways per region,
    then three per tunnel: the tunnel, its route table entry and its gateway route). A
    region gets more VPN and customer gateways than the 5 and 8 it starts with when its
    tunnels need them, within the product's limits."""
    per_region = max(1, (resources // len(REGIONS) - 3 - GATEWAYS - CUSTOMER_GATEWAYS) // 3)
    most = min(MAX_GATEWAYS * TUNNELS_PER_GATEWAY, MAX_CUSTOMER_GATEWAYS * TUNNELS_PER_CGW)
    if per_region > most:
        raise SystemExit(f"{resources} resources need more than {most} tunnels a region")
    gateways = max(GATEWAYS, -(-per_region // TUNNELS_PER_GATEWAY))
    customer_gateways = max(CUSTOMER_GATEWAYS, -(-per_region // TUNNELS_PER_CGW))
    out = ['variable "psk" {\n  type      = string\n  sensitive = true\n'
           '  default   = "drill-psk-0123456789"\n}\n']
    for r, region in enumerate(REGIONS):
        a = region.replace("-", "_")
        p = f"  provider = tencentcloud.{a}\n"
        out.append(f'provider "tencentcloud" {{\n  alias  = "{a}"\n  region = "{region}"\n}}\n')
        out.append(f'resource "tencentcloud_vpc" "vpc_{r}" {{\n{p}  name       = "drill-{r}"\n'
                   f'  cidr_block = "10.{r}.0.0/16"\n}}\n')
        out.append(f'resource "tencentcloud_route_table" "rt_{r}" {{\n{p}'
                   f'  vpc_id = tencentcloud_vpc.vpc_{r}.id\n  name   = "rt-{r}"\n}}\n')
        out.append(f'resource "tencentcloud_subnet" "sn_{r}" {{\n{p}'
                   f'  vpc_id            = tencentcloud_vpc.vpc_{r}.id\n'
                   f'  name              = "sn-{r}"\n  cidr_block        = "10.{r}.0.0/24"\n'
                   f'  availability_zone = "{region}-3"\n'
                   f'  route_table_id    = tencentcloud_route_table.rt_{r}.id\n}}\n')
        for g in range(gateways):
            out.append(f'resource "tencentcloud_vpn_gateway" "gw_{r}_{g}" {{\n{p}'
                       f'  name      = "gw-{r}-{g}"\n  vpc_id    = tencentcloud_vpc.vpc_{r}.id\n'
                       f'  bandwidth = 5\n}}\n')
        for c in range(customer_gateways):
            out.append(f'resource "tencentcloud_vpn_customer_gateway" "cgw_{r}_{c}" {{\n{p}'
                       f'  name              = "cgw-{r}-{c}"\n'
                       f'  public_ip_address = "203.0.{r * 20 + c + 1}.10"\n}}\n')
        for t in range(per_region):
            g, c = t % gateways, t % customer_gateways
            idc = f"172.{16 + r}.{t}.0/24"
            out.append(
                f'resource "tencentcloud_vpn_connection" "t_{r}_{t}" {{\n{p}'
                f'  name                = "t-{r}-{t}"\n'
                f'  vpc_id              = tencentcloud_vpc.vpc_{r}.id\n'
                f'  vpn_gateway_id      = tencentcloud_vpn_gateway.gw_{r}_{g}.id\n'
                f'  customer_gateway_id = tencentcloud_vpn_customer_gateway.cgw_{r}_{c}.id\n'
                f'  pre_share_key       = var.psk\n'
                f'  security_group_policy {{\n    local_cidr_block  = "10.{r}.{t + 1}.0/24"\n'
                f'    remote_cidr_block = ["{idc}"]\n  }}\n}}\n')
            out.append(
                f'resource "tencentcloud_route_table_entry" "e_{r}_{t}" {{\n{p}'
                f'  route_table_id         = tencentcloud_route_table.rt_{r}.id\n'
                f'  destination_cidr_block = "{idc}"\n  next_type              = "VPN"\n'
                f'  next_hub               = tencentcloud_vpn_gateway.gw_{r}_{g}.id\n}}\n')
            out.append(
                f'resource "tencentcloud_vpn_gateway_route" "r_{r}_{t}" {{\n{p}'
                f'  vpn_gateway_id         = tencentcloud_vpn_gateway.gw_{r}_{g}.id\n'
                f'  destination_cidr_block = "{idc}"\n  instance_type          = "VPNCONN"\n'
                f'  instance_id            = tencentcloud_vpn_connection.t_{r}_{t}.id\n'
                f'  priority               = 100\n  status                 = "ENABLE"\n}}\n')
    return "\n".join(out)


def count_resources(text: str) -> int:
    return ("\n" + text).count('\nresource "')


# --- the cloud against the state --------------------------------------------------------------

def _pages(workdir: str, action: str, set_key: str, region: str, **params) -> list[dict]:
    from providers.tencentcloud.cli import call  # what `vpnform cloud ACTION` calls
    out: list[dict] = []
    while True:
        body = call(workdir, action, {**params, "Offset": len(out), "Limit": 100}, region)
        if body.get("Error"):
            raise RuntimeError(f"{action} in {region}: {body['Error']}")
        page = body.get(set_key) or []
        out.extend(page)
        if not page or len(out) >= int(body.get("TotalCount", 0)):
            return out


def cloud_inventory(workdir: str) -> dict[str, list[tuple[str, str]]]:
    """Every object vpnform could own, by type: [(id, natural key)]. A natural key is what
    the configuration makes unique (a name, or a route's destination), so two objects
    with one key are a duplicate."""
    inv: dict[str, list[tuple[str, str]]] = {}

    def add(kind: str, id: str, key: str) -> None:
        inv.setdefault(kind, []).append((id, key))

    for region in REGIONS:
        for v in _pages(workdir, "DescribeVpcs", "VpcSet", region):
            if not v.get("IsDefault"):
                add("tencentcloud_vpc", v["VpcId"], f"{region}/{v['VpcName']}")
        for s in _pages(workdir, "DescribeSubnets", "SubnetSet", region):
            if not s.get("IsDefault"):
                add("tencentcloud_subnet", s["SubnetId"], f"{region}/{s['SubnetName']}")
        for t in _pages(workdir, "DescribeRouteTables", "RouteTableSet", region):
            if not t.get("Main"):
                add("tencentcloud_route_table", t["RouteTableId"],
                    f"{region}/{t['RouteTableName']}")
            for r in t.get("RouteSet") or []:
                if r.get("RouteType", "USER") == "USER":
                    add("tencentcloud_route_table_entry", f"{r['RouteId']}.{t['RouteTableId']}",
                        f"{t['RouteTableId']}/{r['DestinationCidrBlock']}")
        for g in _pages(workdir, "DescribeVpnGateways", "VpnGatewaySet", region):
            add("tencentcloud_vpn_gateway", g["VpnGatewayId"], f"{region}/{g['VpnGatewayName']}")
            for r in _pages(workdir, "DescribeVpnGatewayRoutes", "Routes", region,
                            VpnGatewayId=g["VpnGatewayId"]):
                add("tencentcloud_vpn_gateway_route", f"{g['VpnGatewayId']}#{r['RouteId']}",
                    f"{g['VpnGatewayId']}/{r['DestinationCidrBlock']}")
        for c in _pages(workdir, "DescribeCustomerGateways", "CustomerGatewaySet", region):
            add("tencentcloud_vpn_customer_gateway", c["CustomerGatewayId"],
                f"{region}/{c['CustomerGatewayName']}")
        for c in _pages(workdir, "DescribeVpnConnections", "VpnConnectionSet", region):
            add("tencentcloud_vpn_connection", c["VpnConnectionId"],
                f"{region}/{c['VpnConnectionName']}")
    return inv


def state_ids(workdir: str, env: dict) -> dict[str, set[str]]:
    """The IDs `vpnform show -json` records, by type."""
    res = subprocess.run([VPNFORM, "show", "-json"], cwd=workdir, env=env, capture_output=True,
                         text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"show -json failed: {res.stderr[-2000:]}")
    doc = json.loads(res.stdout)
    out: dict[str, set[str]] = {}

    def walk(module: dict) -> None:
        for r in module.get("resources", []):
            if r.get("mode") == "managed":
                out.setdefault(r["type"], set()).add(r["values"]["id"])
        for child in module.get("child_modules", []):
            walk(child)

    walk(doc.get("values", {}).get("root_module", {}))
    return out


@dataclass
class Audit:
    orphans: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.lost or self.duplicates)


def audit(workdir: str, env: dict) -> Audit:
    inv = cloud_inventory(workdir)
    recorded = state_ids(workdir, env)
    a = Audit()
    for kind in sorted(set(inv) | set(recorded)):
        in_cloud = {id for id, _ in inv.get(kind, [])}
        a.orphans += [f"{kind} {i}" for i in sorted(in_cloud - recorded.get(kind, set()))]
        a.lost += [f"{kind} {i}" for i in sorted(recorded.get(kind, set()) - in_cloud)]
        keys: dict[str, list[str]] = {}
        for id, key in inv.get(kind, []):
            keys.setdefault(key, []).append(id)
        a.duplicates += [f"{kind} {k}: {ids}" for k, ids in sorted(keys.items()) if len(ids) > 1]
    return a


# --- the drill ---------------------------------------------------------------------------------

@dataclass
class Round:
    verb: str
    kill_after: float
    killed: bool
    converge_seconds: float
    converged: bool
    audit: Audit
    detail: str = ""


def _run(args: list[str], cwd: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([VPNFORM, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def kill_round(workdir: str, verb: str, kill_after: float, env: dict) -> Round:
    argv = [VPNFORM, verb, "-auto-approve", "-input=false", "-no-color"]
    proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=kill_after)
        killed = False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)  # our own child, by its PID
        proc.wait()
        killed = True
    start = time.monotonic()
    done = _run([verb, "-auto-approve", "-input=false", "-no-color"], workdir, env)
    seconds = time.monotonic() - start
    converged = done.returncode == 0
    detail = "" if converged else (done.stdout[-1500:] + done.stderr[-3000:])
    if converged and verb == "apply":
        plan = _run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], workdir, env)
        if plan.returncode != 0:
            converged, detail = False, plan.stdout[-3000:] + plan.stderr[-2000:]
    clean_env = {k: v for k, v in env.items() if k != "VPNFORM_EMULATOR_FAULTS"}
    a = audit(workdir, clean_env)
    if converged and verb == "destroy" and any(cloud_inventory(workdir).values()):
        converged, detail = False, "the cloud is not empty after destroy"
    return Round(verb, kill_after, killed, seconds, converged, a, detail)


def drill(resources: int, kills: int, seed: int, faults: str | None, delay_scale: str,
          log=print) -> list[Round]:
    rng = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix="vpnform-drill-")
    env = dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE=delay_scale, TF_IN_AUTOMATION="1")
    env.pop("VPNFORM_EMULATOR_FAULTS", None)
    if faults:
        env["VPNFORM_EMULATOR_FAULTS"] = faults
    rounds: list[Round] = []
    try:
        text = generate(resources)
        with open(os.path.join(workdir, "main.tf"), "w") as fh:
            fh.write(text)
        n = count_resources(text)
        init = _run(["init", "-input=false", "-no-color"], workdir, env)
        if init.returncode != 0:
            raise SystemExit(f"init failed: {init.stdout}{init.stderr}")
        # How long an unkilled apply and destroy take: kills land uniformly inside them.
        full = {}
        for verb in ("apply", "destroy"):
            start = time.monotonic()
            done = _run([verb, "-auto-approve", "-input=false", "-no-color"], workdir, env)
            full[verb] = time.monotonic() - start
            if done.returncode != 0:
                raise SystemExit(f"the first {verb} failed: {done.stdout[-2000:]}"
                                 f"{done.stderr[-2000:]}")
        log(f"{n} resources in {len(REGIONS)} regions; unkilled apply {full['apply']:.1f} s, "
            f"destroy {full['destroy']:.1f} s; faults: {faults or 'none'}; "
            f"delay scale {delay_scale}; seed {seed}")
        log(f"{'#':>3} {'verb':<8} {'kill at s':>9} {'killed':>6} {'next run s':>10} "
            f"{'converged':>9} {'orphans':>7} {'lost':>4} {'dups':>4}")
        verb = "apply"
        for i in range(kills):
            kill_after = rng.uniform(0.3, max(0.6, full[verb] * 0.9))
            r = kill_round(workdir, verb, kill_after, env)
            rounds.append(r)
            log(f"{i + 1:>3} {verb:<8} {kill_after:>9.2f} {str(r.killed):>6} "
                f"{r.converge_seconds:>10.2f} {str(r.converged):>9} {len(r.audit.orphans):>7} "
                f"{len(r.audit.lost):>4} {len(r.audit.duplicates):>4}")
            for line in (r.audit.orphans + r.audit.lost + r.audit.duplicates)[:10]:
                log(f"      {line}")
            if r.detail:
                log("      " + r.detail.strip().replace("\n", "\n      ")[:3000])
            verb = "destroy" if verb == "apply" else "apply"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rounds


def summary(rounds: list[Round]) -> str:
    killed = [r for r in rounds if r.killed]
    ok = [r for r in rounds if r.converged and r.audit.clean]
    return (f"{len(ok)} of {len(rounds)} rounds converged cleanly ({len(killed)} killed mid-run); "
            f"orphans {sum(len(r.audit.orphans) for r in rounds)}, "
            f"lost {sum(len(r.audit.lost) for r in rounds)}, "
            f"duplicates {sum(len(r.audit.duplicates) for r in rounds)}; "
            f"slowest converging run {max((r.converge_seconds for r in rounds), default=0):.1f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=500)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--faults", default=None, help="VPNFORM_EMULATOR_FAULTS for the runs")
    ap.add_argument("--delay-scale", default="1",
                    help="VPNFORM_EMULATOR_DELAY_SCALE (1: objects take time to become ready)")
    args = ap.parse_args()
    rounds = drill(args.resources, args.kills, args.seed, args.faults, args.delay_scale)
    print(summary(rounds))
    return 0 if all(r.converged and r.audit.clean for r in rounds) else 1


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
