"""Verbs that inspect without changing infrastructure: show, output, graph, force-unlock.
(The state verb lives in commands_state.py.)"""

from __future__ import annotations

import json
import os
import sys

from ..diagnostics import Diagnostics
from ..graph import reachability
from ..graph.build import build_graph, to_dot
from ..hooks import Hooks
from ..operations import (Run, RunOptions, backend_for, load_config_dir, plan_encryption_for,
                          read_state)
from ..plan import planfile
from ..plan.render import Styler, _Writer, _body
from ..plan.model import Action
from ..plan.planner import PlanOptions
from ..providers import ReachabilityMatrix
from ..state.backends.base import LockError, StateError
from ..state.model import TAINTED, State
from ..values import mark_paths
from .args import (BOOL, LEGACY_STATE, NO_COLOR, VALUE, VAR, VAR_FILE, Flag, UsageError, Verb,
                   command, parse)
from .views import Console, hcl_value, print_diagnostics, render_outputs


SHOW = Verb(
    "show", "Show the current state or a saved plan", usage="[options] [path]",
    description="""
        Reads and outputs a vpnform state or plan file in a human-readable form. If no
        path is specified, the current state will be shown.""",
    flags={"no-color": NO_COLOR,
           "json": Flag(BOOL, "If specified, output the vpnform plan or state in a "
                        "machine-readable form."),
           "show-sensitive": Flag(BOOL, "If specified, sensitive values will be displayed "
                                  "(with -json only)."),
           "markdown": Flag(BOOL, "Render the saved plan PATH as a pull-request comment "
                            "(GitHub/GitLab markdown): counts, destroys and replacements, "
                            "a collapsible diff per resource. Secrets stay redacted.")})
OUTPUT = Verb(
    "output", "Show output values from your root module", usage="[options] [NAME]",
    description="""
        Reads an output variable from a vpnform state file and prints the value. With no
        additional arguments, output will display all the outputs for the root module. If
        NAME is not specified, all outputs are printed.""",
    flags={"state": LEGACY_STATE, "no-color": NO_COLOR,
           "json": Flag(BOOL, "If specified, machine readable output will be printed in "
                        "JSON format."),
           "raw": Flag(BOOL, "For value types that can be automatically converted to a "
                       "string, will print the raw string directly, rather than a "
                       "human-oriented representation of the value.")})
GRAPH = Verb(
    "graph", "Generate a Graphviz graph of the steps in an operation",
    description="""
        Produces a representation of the dependency graph between the resources of the
        configuration and of the state, in the DOT language. The typical program that can
        read this format is GraphViz, but many web services are also available to read
        this format.

        With -type=reachability it plans instead, then draws for every pair of subnet and
        IDC range an SPD declares the tunnel that carries it (route table → VPN gateway →
        tunnel → customer gateway), or the reason none does.""",
    flags={"no-color": NO_COLOR,
           "type": Flag(VALUE, "reachability: plan, then draw which subnet reaches which "
                        "IDC range through which tunnel, or why not. Any other type (plan, "
                        "apply, ...) is accepted for Terraform's scripts and draws the "
                        "resource dependency graph.", "=plan"),
           "format": Flag(VALUE, "With -type=reachability: dot (the default), table or json.",
                          "=dot"),
           "var": VAR, "var-file": VAR_FILE,
           "draw-cycles": Flag(BOOL, "Accepted for Terraform's scripts: cycles are "
                               "reported as errors.")})
FORCE_UNLOCK = Verb(
    "force-unlock", "Release a stuck lock on the current workspace", usage="LOCK_ID",
    description="""
        Manually unlock the state for the defined configuration.

        This will not modify your infrastructure. This command removes the lock on the
        state for the current workspace, on the local and the pg backend alike: a lock
        left by a process that died (its lock info file, or its pg lock record). A lock
        whose holder is still running cannot be removed: stop that process instead.""",
    flags={"force": Flag(BOOL, "Don't ask for input for unlock confirmation."),
           "no-color": NO_COLOR})


def _read_state(console: Console) -> tuple[State | None, int]:
    """The state for verbs that only look (no lock); a failure is printed by main.py as
    every verb's is (operations.state_diagnostics)."""
    state = read_state(os.getcwd())
    console.add_state_secrets(state)
    return state, 0


def render_instance(addr, rs, obj, color: bool) -> list[str]:
    """One state object as ``terraform show`` prints it (secrets as (sensitive value))."""
    w = _Writer(Styler(color))
    kind = "data" if addr.resource.mode == "data" else "resource"
    title = f"# {addr}:" + (" (tainted)" if obj.status == TAINTED else "")
    w.lines.append(title)
    w.lines.append(f'{kind} "{addr.resource.type}" "{addr.resource.name}" {{')
    value = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
    block_names = {k for k, v in obj.attributes.items()
                   if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    inner = _Writer(Styler(color))
    _body(inner, 2, Action.CREATE, None, value, set(), (), block_names)
    for line in inner.lines:
        # drop the "+ " change markers: this is a state listing, not a plan
        stripped = line.replace("+ ", "", 1) if line.lstrip().startswith("+ ") else line
        w.lines.append(stripped)
    w.lines.append("}")
    return w.lines


@command(SHOW)
def cmd_show(argv: list[str], console: Console) -> int:
    args = parse(argv, SHOW)
    if args.get("no-color"):
        console.color = False
    if args.get("show-sensitive") and not args.get("json"):
        raise UsageError("-show-sensitive applies to -json output only: vpnform show prints "
                         "secrets as (sensitive value).")
    if args.get("markdown"):
        if args.get("json"):
            raise UsageError("The -markdown and -json options are mutually-exclusive.")
        if len(args.positional) != 1:
            raise UsageError("-markdown renders a saved plan: vpnform show -markdown PLANFILE "
                             "(a file written by vpnform plan -out=PLANFILE).")
        return _show_markdown(console, args.positional[0])
    if args.get("json"):
        from .json_views import show_json
        return show_json(console, args.positional[0] if args.positional else None,
                         bool(args.get("show-sensitive")))
    if args.positional:
        path = args.positional[0]
        if not planfile.is_plan_file(path):
            d = Diagnostics()
            d.error("Failed to read the given file as a plan",
                    f"{path} is not a vpnform plan file. Pass a file written by "
                    "vpnform plan -out=FILE, or no argument to show the state.")
            print_diagnostics(console, d, {})
            return 1
        try:
            text = planfile.read_rendered(path, plan_encryption_for(os.getcwd()))
        except planfile.PlanFileError as err:
            d = Diagnostics()
            d.error("Failed to load the saved plan", str(err))
            print_diagnostics(console, d, {})
            return 1
        console.print(text.rstrip("\n"))
        return 0
    state, rc = _read_state(console)
    if rc:
        return rc
    if state is None or (state.empty and not state.outputs):
        console.print("No state.")
        return 0
    blocks = []
    for addr, rs, obj in state.instances():
        blocks.append("\n".join(render_instance(addr, rs, obj, console.color)))
    console.print("\n\n".join(blocks))
    if state.outputs:
        console.print("")
        console.print("")
        console.print("Outputs:")
        console.print("")
        for line in render_outputs(state.outputs):
            console.print(line)
    return 0


def _show_markdown(console: Console, path: str) -> int:
    """``vpnform show -markdown PLANFILE``: the saved plan as a pull-request comment."""
    from ..plan.json_plan import plan_from_json, provider_lines
    from ..plan.render_markdown import render_markdown
    from ..provider_set import provider_schemas
    from .json_views import load_plan_document
    workdir = os.getcwd()
    doc = load_plan_document(console, path, workdir, False)
    if doc is None:
        return 1
    names = {rc.get("provider_name", "").rsplit("/", 1)[-1]
             for rc in doc.get("resource_changes", []) + doc.get("resource_drift", [])}
    plan = plan_from_json(doc, provider_schemas(names, workdir))
    try:
        notes = planfile.read_review_notes(path, workdir, plan_encryption_for(workdir))
    except planfile.PlanFileError as err:
        d = Diagnostics()
        d.error("Failed to load the saved plan", str(err))
        print_diagnostics(console, d, {})
        return 1
    if notes is None:  # a plan file written before plans kept their notes
        text = render_markdown(plan, provider_lines(doc))
    else:
        text = render_markdown(plan, notes.targets or provider_lines(doc), notes.diagnostics,
                               cost=notes.cost)
    console.print(text.rstrip("\n"))
    return 0


@command(OUTPUT)
def cmd_output(argv: list[str], console: Console) -> int:
    args = parse(argv, OUTPUT)
    if args.get("json") and args.get("raw"):
        raise UsageError("The -raw and -json options are mutually-exclusive.")
    state, rc = _read_state(console)
    if rc:
        return rc
    outputs = state.outputs if state else {}
    if args.positional:
        name = args.positional[0]
        ov = outputs.get(name)
        if ov is None:
            d = Diagnostics()
            d.error("Output not found",
                    f'The output variable requested could not be found in the state file. If '
                    f'you recently added "{name}", run vpnform apply to populate it.')
            print_diagnostics(console, d, {})
            return 1
        # Asked for by name, a sensitive value is shown, as Terraform shows it.
        if args.get("json"):
            console.print_unredacted(json.dumps(ov.value) + "\n")
        elif args.get("raw"):
            if isinstance(ov.value, (dict, list)) or ov.value is None:
                d = Diagnostics()
                d.error("Unsupported value for raw output",
                        f'The -raw option only supports strings, numbers, and boolean values, '
                        f'but output value "{name}" is {type(ov.value).__name__}. Use -json '
                        "for complex values.")
                print_diagnostics(console, d, {})
                return 1
            console.print_unredacted(hcl_value(ov.value).strip('"')
                                     if not isinstance(ov.value, str) else ov.value)
        else:
            console.print_unredacted(hcl_value(ov.value) + "\n")
        return 0
    if args.get("json"):
        from ..state.codec import infer_type
        doc = {n: {"sensitive": ov.sensitive, "type": infer_type(ov.value), "value": ov.value}
               for n, ov in sorted(outputs.items())}
        console.print_unredacted(json.dumps(doc, indent=2) + "\n")  # as Terraform: in full
        return 0
    if not outputs:
        d = Diagnostics()
        d.warning("No outputs found",
                  "The state file either has no outputs defined, or all the defined outputs "
                  "are empty. Please define an output in your configuration with the `output` "
                  "keyword and run `vpnform refresh` for it to become available.")
        print_diagnostics(console, d, {})
        return 0
    for line in render_outputs(outputs):
        console.print(line)
    return 0


@command(GRAPH)
def cmd_graph(argv: list[str], console: Console) -> int:
    args = parse(argv, GRAPH)
    fmt = args.get("format")
    if args.get("type") == "reachability":
        fmt = fmt or "dot"
        if fmt not in reachability.FORMATS:
            raise UsageError(f"Unsupported -format={fmt}: choose one of "
                             f"{', '.join(reachability.FORMATS)}.")
        return _graph_reachability(args, fmt, console)
    if fmt is not None:
        raise UsageError("-format applies to -type=reachability only: the dependency graph "
                         "is drawn in DOT.")
    config, diags = load_config_dir(os.getcwd())
    if config is None or diags.has_errors:
        print_diagnostics(console, diags, config.files if config else {})
        return 1
    state, rc = _read_state(console)
    if rc:
        return rc
    rg, d = build_graph(config, state)
    print_diagnostics(console, d, config.files)
    console.print(to_dot(rg).rstrip("\n"))
    return 1 if d.has_errors else 0


def _graph_reachability(args, fmt: str, console: Console) -> int:
    """``graph -type=reachability``: plan (as ``vpnform plan`` would), then ask each provider
    that can for the reachability matrix of its planned objects."""
    run = Run(RunOptions(workdir=os.getcwd(), var_sources=list(args.var_sources),
                         input_enabled=False), "OperationTypePlan")
    diags = run.load()
    console.add_secrets_from(run.variables)
    if diags.has_errors:
        print_diagnostics(console, diags, run.files)
        return 1
    with run.locked_state() as state:
        console.add_state_secrets(state)
        d = run.open_providers()
        if d.has_errors:
            print_diagnostics(console, d, run.files)
            return 1
        plan, d = run.plan(PlanOptions(), Hooks())
        diags.extend(d)
        if plan is None or d.has_errors:
            # warnings are in the matrix: only errors are shown, so the output stays DOT/JSON
            print_diagnostics(console, Diagnostics([x for x in diags if x.is_error]), run.files)
            return 1
        matrix = ReachabilityMatrix()
        for _name, objects in sorted(plan.planned_objects.items()):
            ask = getattr(objects[0].provider, "reachability", None) if objects else None
            if callable(ask):
                matrix.cells.extend(ask(objects).cells)
    console.print(reachability.render(matrix, fmt).rstrip("\n"))
    return 0


@command(FORCE_UNLOCK)
def cmd_force_unlock(argv: list[str], console: Console) -> int:
    args = parse(argv, FORCE_UNLOCK)
    if len(args.positional) != 1:
        raise UsageError("Expected a single argument: LOCK_ID (shown in the lock error).")
    lock_id = args.positional[0]
    if not args.get("force"):
        console.out.write("Do you really want to force-unlock?\n  vpnform will remove the lock "
                          "on the remote state.\n  This will allow local vpnform commands to "
                          "modify this state, even though it\n  may still be in use. Only "
                          "'yes' will be accepted to confirm.\n\n  Enter a value: ")
        console.out.flush()
        if sys.stdin.readline().strip() != "yes":
            console.print("force-unlock cancelled.")
            return 1
    try:
        backend_for(os.getcwd()).force_unlock(lock_id)
    except (LockError, StateError) as err:
        d = Diagnostics()
        d.error("Failed to unlock state", str(err))
        print_diagnostics(console, d, {})
        return 1
    console.print(console.bold("vpnform state has been successfully unlocked!"))
    console.print("")
    console.print("The state has been unlocked, and vpnform commands should now be able to\n"
                  "obtain a new lock on the remote state.")
    return 0
