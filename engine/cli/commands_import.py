"""``vpnform import [options] ADDRESS ID``: adopt one existing object into state.

The resource block for ADDRESS must exist; the provider reads the object by ID; the
object is written through the state backend's journal under the state lock, as apply
writes its results (operations.Run).
"""

from __future__ import annotations

from ..addrs import MANAGED, AddressError, ModuleInstanceStep, parse_instance
from ..config.tree import config_addr
from ..diagnostics import Diagnostics
from ..operations import Run
from ..plan.imports import read_object
from ..scope import Evaluation, expand
from .args import (INPUT, LOCK, LOCK_TIMEOUT, NO_COLOR, PARALLELISM, VAR, VAR_FILE, Verb,
                   command, parse, usage_text)
from .commands_run import _fail, run_options
from .views import Console, print_diagnostics

IMPORT = Verb(
    "import", "Associate existing infrastructure with a vpnform resource",
    usage="[options] ADDR ID",
    description="""
        Import existing infrastructure into your vpnform state.

        This will find and import the specified resource into your vpnform state, allowing
        existing infrastructure to come under vpnform management without having to be
        initially created by vpnform.

        The ADDR specified is the address to import the resource to, such as
        tencentcloud_vpn_gateway.gw; a resource block for it must exist in the
        configuration. The ID is the cloud's identifier of the object, such as
        vpngw-8ccsnclt.

        This command will not modify your infrastructure, but it will make network
        requests to inspect parts of your infrastructure relevant to the resource being
        imported.""",
    flags={"input": INPUT, "lock": LOCK, "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR,
           "parallelism": PARALLELISM, "var": VAR, "var-file": VAR_FILE})

MISSING_RESOURCE = """Error: resource address "{addr}" does not exist in the configuration.

Before importing this resource, please create its configuration in {module}. For example:

resource "{type}" "{name}" {{
  # (resource arguments)
}}"""


@command(IMPORT)
def cmd_import(argv: list[str], console: Console) -> int:
    args = parse(argv, IMPORT)
    if args.get("no-color"):
        console.color = False
    if len(args.positional) != 2:
        console.print("The import command expects two arguments.\n" + usage_text(IMPORT),
                      err=True)
        return 1
    text, import_id = args.positional
    d = Diagnostics()
    try:
        addr = parse_instance(text)
    except AddressError as err:
        d.error("Invalid address", f"{err}.")
        return _fail(console, d)
    if addr.resource.mode != MANAGED:
        d.error("Invalid address", "A managed resource address is required. Importing into "
                "a data resource is not allowed.")
        return _fail(console, d)
    run = Run(run_options(args, console), "OperationTypeImport")
    diags = run.load()
    console.add_secrets_from(run.variables)
    if diags.has_errors:
        return _fail(console, diags, run.files)
    config, variables = run.config, run.variables
    res = config.resource(addr.resource)
    if res is None or res.addr.mode != MANAGED:
        module = ".".join(str(s) for s in addr.resource.module) or "the root module"
        print_diagnostics(console, diags, config.files)
        console.print(MISSING_RESOURCE.format(addr=addr, module=module,
                                              type=addr.resource.type,
                                              name=addr.resource.name), err=True)
        return 1
    d = _check_instance(config, variables, run.workdir, addr, res)
    if d.has_errors:
        diags.extend(d)
        return _fail(console, diags, config.files)
    paddr = config.provider_addrs.get(config_addr(addr.resource))
    with run.locked_state() as state:
        console.add_state_secrets(state)
        if state is not None and state.instance(addr) is not None:
            d = Diagnostics()
            d.error("Resource already managed by vpnform",
                    f"vpnform is already managing a remote object for {addr}. To import "
                    "to this address you must first remove the existing object from the "
                    "state.")
            return _fail(console, d)
        d = run.open_providers()
        diags.extend(d)
        provider = run.providers.get(paddr) if paddr is not None else None
        if d.has_errors or provider is None:
            return _fail(console, diags, config.files)
        schema = run.providers.resource_schema(paddr.name, addr.resource.type)
        if schema is None:
            diags.error("Invalid resource type",
                        f'The provider {paddr.source} does not support resource type '
                        f'"{addr.resource.type}".', res.type_range or res.range)
            return _fail(console, diags, config.files)
        console.print(console.bold(f'{addr}: Importing from ID "{import_id}"...'))
        obj, d = read_object(provider, schema, addr, import_id, None)
        diags.extend(d)
        if obj is None:
            return _fail(console, diags, config.files)
        console.print(console.bold(f"{addr}: Import prepared!"))
        console.print(f"  Prepared {addr.resource.type} for import")
        console.print(console.bold(f"{addr}: Refreshing state... [id={import_id}]"))
        each_mode = ("count" if res.count is not None else
                     "for_each" if res.for_each is not None else "")
        run.record_import(addr, paddr, obj, each_mode)
    print_diagnostics(console, diags, config.files)
    console.print("")
    console.print(console.bold("Import successful!"))
    console.print("")
    console.print("The resources that were imported are shown above. These resources are now "
                  "in\nyour vpnform state and will henceforth be managed by vpnform.")
    return 0


def _check_instance(config, variables, workdir, addr, res) -> Diagnostics:
    """The module instance and the instance key must be ones the configuration declares
    (count gives [0], [1]…, for_each its keys, neither no key); expansions that depend on
    values known only after apply are not checked."""
    d = Diagnostics()
    evaluation = Evaluation(config, variables, workdir, planning=True)
    module = addr.resource.module
    if module:
        instances = evaluation.module_instances(
            tuple(ModuleInstanceStep(s.name) for s in module))
        evaluation.drain()
        if instances is not None and tuple(module) not in instances:
            shown = ".".join(str(s) for s in module)
            known = ", ".join(".".join(str(s) for s in p) for p in instances) or "none"
            d.error("Configuration for import target does not exist",
                    f"The configuration declares no module instance {shown} (its instances: "
                    f"{known}), so it has no {addr} to import to.")
            return d
    scope = evaluation.scope(tuple(module))
    exp, ed = expand(scope, res.count, res.for_each, str(addr.resource))
    evaluation.drain()
    if exp is None or ed.has_errors or exp.unknown:
        return d
    keys = [k for k, _ in exp.keys]
    if addr.key not in keys:
        if res.count is None and res.for_each is None:
            why = f"{addr.resource} has neither count nor for_each: import to {addr.resource}"
        elif res.count is not None:
            why = (f"{addr.resource} has count = {len(keys)}, so its instances are "
                   + (", ".join(f"[{k}]" for k in keys) or "none"))
        else:
            why = (f"the for_each of {addr.resource} has the keys "
                   + (", ".join(f'["{k}"]' for k in keys) or "none"))
        d.error("Configuration for import target does not exist",
                f"The configuration declares no {addr}: {why}.", res.range)
    return d


__all__ = ["cmd_import"]
