"""``vpnform console``: evaluate expressions against the working directory's configuration.

Expressions are read from stdin, one a line (interactively with a ``> `` prompt, or piped:
``echo 'cidrsubnet("10.0.0.0/16", 8, 2)' | vpnform console``). Each is evaluated with the
configuration's input variables, local values and the resources recorded in state, and
printed as ``terraform console`` prints it (engine/config/render_value.py). As Terraform
does, a non-interactive session stops at the first expression that fails (exit status 1);
an interactive one reports the error and goes on. ``exit`` ends the session.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..addrs import InstanceAddr
from ..config.evaluate import CONSOLE_FILENAME, EvalContext, evaluate
from ..config.hcl import parse_expression
from ..config.render_value import render_value
from ..diagnostics import Diagnostics
from ..operations import OperationFailed, RunOptions, load_configuration, read_state
from ..scope import Evaluation
from ..state.model import State
from ..values import mark_paths
from .args import BOOL, LEGACY_STATE, NO_COLOR, VAR, VAR_FILE, Flag, Verb, command, parse
from .views import Console, print_diagnostics



CONSOLE = Verb(
    "console", "Try vpnform expressions at an interactive command prompt",
    description="""
        Starts an interactive console for experimenting with vpnform interpolations.

        This will open an interactive console that you can use to type interpolations into
        and inspect their values. This command loads the current state, so you can
        introspect the state, input variables, local values and the functions. In a
        directory without configuration, literals and functions work.

        This command will never modify your state. Expressions can also be piped in, one
        a line; a piped session stops at the first expression that fails.""",
    flags={"state": LEGACY_STATE, "var": VAR, "var-file": VAR_FILE, "no-color": NO_COLOR,
           "plan": Flag(BOOL, "Accepted for Terraform's scripts: values come from the "
                        "state, not from a plan.")})


def evaluate_line(text: str, ctx: EvalContext) -> tuple[str | None, Diagnostics]:
    """One console line: (rendered value, diagnostics); the value is None after errors."""
    expr, diags = parse_expression(text, CONSOLE_FILENAME)
    if expr is None or diags.has_errors:
        return None, diags
    value, d = evaluate(expr, ctx)
    diags.extend(d)
    if diags.has_errors:
        return None, diags
    return render_value(value), diags


def fill_from_state(evaluation: Evaluation, state: State | None) -> None:
    """Resource values from state (sensitive attributes stay marked), in every module."""
    if state is None:
        return
    for addr, rs in state.resources.items():
        if evaluation.config.resource(addr) is None:
            continue
        evaluation.set_expansion(addr, rs.each_mode or "")
        for key, obj in rs.instances.items():
            value: Any = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
            evaluation.set_instance(InstanceAddr(addr, key), value)


def console_context(workdir: str, var_sources: list, console: Console
                    ) -> tuple[EvalContext | None, Diagnostics]:
    opts = RunOptions(workdir=workdir, var_sources=var_sources, input_enabled=False,
                      allow_empty=True)
    config, variables, diags = load_configuration(opts)
    console.add_secrets_from(variables)
    if config is None or diags.has_errors:
        return None, diags
    evaluation = Evaluation(config, variables, workdir)
    try:
        state = read_state(workdir, config)
    except OperationFailed as err:
        diags.extend(err.diagnostics)
        return None, diags
    console.add_state_secrets(state)
    fill_from_state(evaluation, state)
    ctx = evaluation.root.context()
    return ctx, diags


@command(CONSOLE)
def cmd_console(argv: list[str], console: Console) -> int:
    args = parse(argv, CONSOLE)
    workdir = os.getcwd()
    ctx, diags = console_context(workdir, args.var_sources, console)
    if ctx is None:
        print_diagnostics(console, diags, {})
        return 1
    if diags:
        print_diagnostics(console, diags, {})  # warnings
    interactive = sys.stdin.isatty()
    rc = 0
    while True:
        if interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text == "exit":
            break
        out, d = evaluate_line(text, ctx)
        if d:
            print_diagnostics(console, d, {CONSOLE_FILENAME: text})
        if out is None:
            rc = 1
            if not interactive:
                break
            continue
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    return rc
