"""``vpnform cloud``: the console of the working directory's emulated cloud. Calls any API
action of the embedded emulator, as a second client would, and prints the response as
the cloud's own CLI (tccli) does.

    vpnform cloud ACTION [-param=JSON ...] [Key=Value ...] [-region=R]

Parameters come from ``-param`` JSON objects (merged in order), then ``Key=Value``
assignments: a value is JSON when it parses as JSON (``10``, ``true``, ``["a"]``,
``"123"``), else the plain string; dotted keys with list indices build nested parameters
(``Filters.0.Name=vpc-id Filters.0.Values.0=vpc-abc``). The request takes the client's
path (JSON on the wire, the service's dispatch, rules and fault injection); the response
body is printed as pretty JSON on stdout (secret fields as ``(sensitive)`` unless
``-show-sensitive``), an error envelope on stderr with exit code 1. Nothing here logs a
request: the service keeps its call log with pre-shared keys redacted.
"""

from __future__ import annotations

import difflib
import json
import os
from typing import Any

from engine.cli.plugin import (BOOL, MULTI, NO_COLOR, VALUE, Flag, UsageError, Verb, command, parse,
                               usage_text)

from .emulator.secret_fields import redact_fields
from .serve_cli import SERVE, cmd_serve

CLOUD = Verb(
    "cloud", "Call an action of the emulated cloud's API, as a second client would",
    usage="[options] ACTION [Key=Value ...]",
    description="""
        Calls one API action of this directory's emulated cloud (.vpnform/cloud.db), as the
        cloud's own CLI would, and prints the response body as JSON (an error on standard
        error, with exit status 1).

        Each Key=Value argument is one parameter; Value is JSON when it parses, else a
        string. Dotted keys with indices build lists and objects:
          Filters.0.Name=vpc-id Filters.0.Values.0=vpc-abc12345""",
    flags={"param": Flag(MULTI, "The parameters as a JSON object (repeatable; merged in "
                         "order, before the Key=Value arguments).", "=JSON"),
           "region": Flag(VALUE, "The region. Defaults to $TENCENTCLOUD_REGION, else "
                          "ap-guangzhou.", "=R"),
           "show-sensitive": Flag(BOOL, "Print secret fields (a tunnel's PreShareKey) as the "
                                  "cloud answered them. Without it they show as "
                                  "(sensitive)."),
           "no-color": NO_COLOR},
    subcommands={"serve": SERVE},
    notes="""
        Examples:
          vpnform cloud DescribeVpnGateways
          vpnform cloud ResetVpnGatewayInternetMaxBandwidth VpnGatewayId=vpngw-abc12345 \\
            InternetMaxBandwidthOut=10
          vpnform cloud DescribeVpcs -param='{"Filters": [{"Name": "vpc-name", "Values": ["TomVPC"]}]}'""",
    more_help=lambda: "Actions:\n" + _action_columns())


@command(CLOUD)
def cmd_cloud(argv: list[str], console) -> int:
    if not argv:
        console.print(usage_text(CLOUD))
        return 0
    if argv[0] == "serve":  # actions are CamelCase: no action is named serve
        return cmd_serve(argv[1:], console)
    args = parse(argv, CLOUD)
    if not args.positional:
        raise UsageError("cloud needs an API action, e.g. vpnform cloud DescribeVpnGateways")
    action, assignments = args.positional[0], args.positional[1:]
    params = build_params(args.get("param") or [], assignments)
    region = args.get("region") or _default_region()
    body = call(os.getcwd(), action, params, region)
    if not args.get("show-sensitive"):
        body = redact_fields(body)
    if body.get("Error"):
        console.print(format_json(body), err=True)
        if body["Error"].get("Code") == "InvalidAction":
            console.print(_action_hint(action), err=True)
        return 1
    console.print(format_json(body))
    return 0


def call(workdir: str, action: str, params: dict, region: str) -> dict:
    """One request to ``workdir``'s emulated cloud through the client's transport: the
    ``Response`` body, an error envelope included."""
    from .client import CloudTransportError, InProcessTransport
    from .emulator import EmulatedVpcService
    from .emulator.monitor_service import EmulatedMonitorService

    service = EmulatedVpcService.for_workdir(workdir)
    try:
        _attach_dataplane(service, workdir)
        monitor = EmulatedMonitorService.beside(service)  # the Cloud Monitor product
        try:
            return InProcessTransport(service, monitor.routes()).send(action, params, region)
        except CloudTransportError as err:
            raise UsageError(f"the emulated cloud in {workdir} did not answer: {err}") from None
    finally:
        service.store.close()


def _attach_dataplane(service, workdir: str) -> None:
    """Where the emulated cloud runs a real dataplane (its store records one, or
    $VPNFORM_DATAPLANE asks for it), a change made here must reach it too, as a change
    made by ``apply`` does."""
    from . import dataplane
    from .emulator import RealiserStore
    with RealiserStore(service.store).read() as records:
        recorded = bool(records.all("gateway") or records.all("vpc"))
    if not recorded and os.environ.get(dataplane.ENV) != "strongswan":
        return
    from providers.netlab import NetlabError, require_lab_support
    try:
        require_lab_support()
    except NetlabError as err:
        raise UsageError(f"this emulated cloud runs a strongSwan dataplane, which needs: "
                         f"{err}") from None
    service.attach_dataplane(dataplane.Dataplane(workdir))


def _default_region() -> str:
    from .provider import DEFAULT_REGION, REGION_ENV
    return os.environ.get(REGION_ENV) or DEFAULT_REGION


def format_json(body: dict) -> str:
    """tccli's JSON output: four-space indent, non-ASCII kept."""
    return json.dumps(body, indent=4, ensure_ascii=False)


# --- parameters ------------------------------------------------------------------------------

def parse_value(text: str) -> Any:
    """JSON when the text parses as JSON, else the text itself (``vpc-abc``, ``1.2.3.4``)."""
    def refuse(_: str) -> Any:
        raise ValueError("not a JSON number")
    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        return text


def build_params(param_json: list[str], assignments: list[str]) -> dict:
    params: dict = {}
    for text in param_json:
        try:
            obj = json.loads(text)
        except ValueError as err:
            raise UsageError(f"-param is not valid JSON ({err}): {text}") from None
        if not isinstance(obj, dict):
            raise UsageError(f"-param must be a JSON object of parameters, not: {text}")
        params.update(obj)
    for item in assignments:
        key, eq, raw = item.partition("=")
        if not eq or not key:
            raise UsageError(f"{item!r} is not a parameter: write Key=Value, e.g. "
                             "VpnGatewayId=vpngw-abc12345")
        set_path(params, key, parse_value(raw))
    return {k: v for k, v in params.items() if v is not None}


def set_path(params: dict, key: str, value: Any) -> None:
    """Set ``Filters.0.Values.1``-style ``key`` in ``params``, creating lists for numeric
    parts and objects for names. An index may extend a list by one, not leave a gap."""
    parts = key.split(".")
    if any(p == "" for p in parts) or parts[0].isdigit():
        raise UsageError(f"{key!r} is not a parameter name: use names and indices such as "
                         "Filters.0.Name")
    container: Any = params
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        fresh: Any = None if last else ([] if parts[i + 1].isdigit() else {})
        if part.isdigit():
            index = int(part)
            if not isinstance(container, list):
                raise UsageError(f"{key}: {'.'.join(parts[:i])} is not a list")
            if index > len(container):
                raise UsageError(f"{key}: index {index} leaves a gap; give index "
                                 f"{len(container)} first")
            if index == len(container):
                container.append(fresh)
            if last:
                container[index] = value
            elif container[index] is None:
                container[index] = fresh
            container = container[index]
        else:
            if not isinstance(container, dict):
                raise UsageError(f"{key}: {'.'.join(parts[:i])} is not an object")
            if last:
                container[part] = value
            elif container.get(part) is None:
                container[part] = fresh
            container = container[part]


# --- action names ----------------------------------------------------------------------------

def _actions() -> list[str]:
    from .emulator.monitor_service import EmulatedMonitorService
    from .emulator.service import EmulatedVpcService
    return sorted(EmulatedVpcService.action_names() + EmulatedMonitorService.action_names())


def _action_hint(action: str) -> str:
    names = _actions()
    by_lower = {n.lower(): n for n in names}
    if action.lower() in by_lower:
        return f"Did you mean: {by_lower[action.lower()]}? (Action names are case-sensitive.)"
    close = difflib.get_close_matches(action.lower(), list(by_lower), n=5, cutoff=0.6)
    close += [n.lower() for n in names if action.lower() in n.lower()
              and n.lower() not in close][:5 - len(close)]
    if close:
        return ("Did you mean: " + ", ".join(by_lower[c] for c in close) + "?\n"
                "All actions: vpnform cloud -help")
    return "The emulated cloud's actions are listed by: vpnform cloud -help"


def _action_columns() -> str:
    names = _actions()
    width = max(len(n) for n in names) + 2
    per_line = max(1, 88 // width)
    rows = [names[i:i + per_line] for i in range(0, len(names), per_line)]
    return "\n".join("  " + "".join(n.ljust(width) for n in row).rstrip() for row in rows)
