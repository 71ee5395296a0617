"""The verbs that read configuration and change things: init, validate, plan, apply, destroy."""

from __future__ import annotations

import os
import sys
import textwrap
import threading

from ..addrs import AddressError, parse_instance, parse_target
from ..diagnostics import Diagnostics
from ..gc_paused import young_collections_only
from ..hooks import Hooks, MultiHooks
from ..operations import (InitOptions, Run, RunOptions, init_backend, load_config_dir,
                          read_saved_plan, run_plan, setup_providers)
from ..config.variables import validation_values
from ..plan import json_plan, planfile
from ..plan.model import Action, Plan
from ..plan.lint_policy import LintPolicy, lint_policy
from ..plan.planner import PlanOptions
from ..plan.render import render_plan
from ..plan.review_notes import notes_of
from ..private_files import WORK_DIR_NAME, private_dirs, write_private
from ..state.backends.migrate import MigrationError
from ..values import Unknown
from ..version import VERSION
from . import json_ui
from .args import (ADDRESSES, BOOL, INPUT, LOCK, LOCK_TIMEOUT, MULTI, NO_COLOR, PARALLELISM,
                   VALUE, VAR, VAR_FILE, Flag, ParsedArgs, UsageError, Verb, command, parse,
                   parse_duration, parse_int)
from .views import (Console, HumanHooks, lock_wait_notice, print_diagnostics, print_targets,
                    render_outputs)

COMMON = {"var": VAR, "var-file": VAR_FILE, "input": INPUT, "lock": LOCK,
          "lock-timeout": LOCK_TIMEOUT, "no-color": NO_COLOR, "parallelism": PARALLELISM,
          "refresh": Flag(BOOL, "Skip checking for external changes to remote objects while "
                          "creating the plan. This can make planning faster, at the expense "
                          "of planning against a stale record of the remote objects.",
                          "=false"),
          "compact-warnings": Flag(BOOL, "Accepted for Terraform's scripts; vpnform shows "
                                   "warnings in full.")}
DESTROY_MODE = Flag(BOOL, 'Select the "destroy" planning mode: plan to destroy every object '
                    "this configuration manages instead of the usual behaviour.")
REFRESH_ONLY = Flag(BOOL, 'Select the "refresh only" planning mode: check whether remote '
                    "objects still match the most recent apply, and propose only to record "
                    "what changed outside vpnform, not to undo it.")
REPLACE = Flag(MULTI, "Force replacement of a particular resource instance using its "
               "resource address. Use this option more than once to replace more than one "
               "object.", "=resource", completes=ADDRESSES)
TARGET = Flag(MULTI, "Limit the operation to only the given module, resource, or resource "
              "instance and all of its dependencies. Use this option more than once to "
              "include more than one object. This is for exceptional use only.", "=resource",
              completes=ADDRESSES)
JSON_STREAM = Flag(BOOL, "Print machine-readable output as a stream of JSON messages, one a "
                   "line (implies -input=false).")
AUTO_APPROVE = Flag(BOOL, "Skip interactive approval of the plan before applying.")
LINT = Flag(VALUE, "What providers' security findings (weak algorithms, weak or reused "
            "keys, ...) are: warn shows them as warnings, error makes them errors (for "
            "pipelines), off hides them; any other value is the path of a lint policy file "
            "that sets them per rule. Defaults to warn.", "=warn|error|off|PATH")

INIT = Verb(
    "init", "Prepare your working directory for other commands", main=True,
    description="""
        Initialize a new or existing vpnform working directory: check the configuration,
        configure the backend (and copy the state over when it changed, with
        -migrate-state), create the .vpnform directory, and find the providers the
        configuration needs among those installed with vpnform.

        This is the first command that should be run for any new or existing vpnform
        configuration. It is safe to run it multiple times.""",
    flags={"input": INPUT, "no-color": NO_COLOR,
           "upgrade": Flag(BOOL, "Accepted for Terraform's scripts: providers are installed "
                           "with vpnform, so there is nothing to upgrade."),
           "backend": Flag(BOOL, "Accepted for Terraform's scripts: the backend is always "
                           "configured.", "=true"),
           "backend-config": Flag(MULTI, "Configuration to be merged with what is in the "
                                  "configuration file's 'backend' block. This can be either a "
                                  "path to an HCL file with key/value assignments (same "
                                  "format as terraform.tfvars) or a 'key=value' format, and "
                                  "can be specified multiple times. The backend type must be "
                                  "in the configuration itself.", "=path"),
           "reconfigure": Flag(BOOL, "Reconfigure a backend, ignoring any saved "
                               "configuration."),
           "migrate-state": Flag(BOOL, "Reconfigure a backend, and attempt to migrate any "
                                 "existing state."),
           "force-copy": Flag(BOOL, 'Suppress prompts about copying state data when '
                              'initializing a new state backend. This is equivalent to '
                              'providing a "yes" to all confirmation prompts.'),
           "lock": LOCK, "lock-timeout": LOCK_TIMEOUT})
VALIDATE = Verb(
    "validate", "Check whether the configuration is valid", main=True,
    description="""
        Validate the configuration files in the working directory, referring only to the
        configuration and not accessing any remote services such as remote state or
        provider APIs.

        Validate runs checks that verify whether a configuration is syntactically valid
        and internally consistent, regardless of any provided variables or existing state.""",
    flags={"no-color": NO_COLOR, "lint": LINT,
           "json": Flag(BOOL, "Produce output in a machine-readable JSON format, suitable for "
                        "use in text editor integrations and other automated systems. "
                        "Always disables color.")})
PLAN = Verb(
    "plan", "Show changes required by the current configuration", main=True,
    description="""
        Generates a speculative execution plan, showing what actions vpnform would take to
        apply the current configuration. This command will not actually perform the planned
        actions.

        You can optionally save the plan to a file, which you can then pass to the "apply"
        command to perform exactly the actions described in the plan.""",
    flags={"destroy": DESTROY_MODE, "refresh-only": REFRESH_ONLY,
           "replace": REPLACE, "target": TARGET, **COMMON, "lint": LINT,
           "detailed-exitcode": Flag(BOOL, "Return detailed exit codes: 0 - succeeded, no "
                                     "changes; 1 - errored; 2 - succeeded, there is a diff."),
           "generate-config-out": Flag(VALUE, "If import blocks are present in "
                                       "configuration, write resource blocks for the imported "
                                       "resources not already present to a new file at PATH, "
                                       "which must not already exist.", "=path"),
           "json": JSON_STREAM,
           "out": Flag(VALUE, 'Write a plan file to the given path. This can be used as '
                       'input to the "apply" command.', "=path")})
APPLY = Verb(
    "apply", "Create or update infrastructure", usage="[options] [PLAN]", main=True,
    description="""
        Creates or updates infrastructure according to vpnform configuration files in the
        current directory.

        By default, vpnform will generate a new plan and present it for your approval
        before taking any action. You can optionally provide a plan file created by a
        previous call to "vpnform plan", in which case vpnform will take the actions
        described in that plan without any confirmation prompt.""",
    flags={"auto-approve": AUTO_APPROVE, "destroy": DESTROY_MODE,
           "refresh-only": REFRESH_ONLY, "replace": REPLACE, "target": TARGET, **COMMON,
           "lint": LINT, "json": JSON_STREAM})
DESTROY = Verb(
    "destroy", "Destroy previously-created infrastructure", main=True,
    description="""
        Destroy vpnform-managed infrastructure.

        This command is a convenience alias for: vpnform apply -destroy""",
    flags={"auto-approve": AUTO_APPROVE, "target": TARGET, **COMMON, "json": JSON_STREAM})
REFRESH = Verb(
    "refresh", "Update the state to match remote systems",
    description="""
        Update the state file of your infrastructure with metadata that matches the
        physical resources they are tracking.

        This will not modify your infrastructure, but it can modify your state file to
        update metadata. This metadata might cause new changes to occur when you generate
        a plan or call apply next.

        This command is an alias for: vpnform apply -refresh-only -auto-approve""",
    flags={"target": TARGET, **COMMON, "json": JSON_STREAM})


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _prompt_variable(console: Console):
    def ask(var) -> str:
        lines = [f"var.{var.name}"]
        if var.description:
            lines.append(f"  {var.description}")
        lines.append("")
        console.out.write("\n".join(lines) + "\n  Enter a value: ")
        console.out.flush()
        line = sys.stdin.readline()
        console.out.write("\n")
        return line.rstrip("\n")
    return ask


def run_options(args: ParsedArgs, console: Console) -> RunOptions:
    input_enabled = args.get("input", True) and _interactive()
    return RunOptions(
        workdir=os.getcwd(), var_sources=list(args.var_sources),
        input_enabled=input_enabled, prompt=_prompt_variable(console) if input_enabled else None,
        lock=args.get("lock", True), lock_timeout=parse_duration(args, "lock-timeout", 0.0),
        parallelism=parse_int(args, "parallelism", 10, minimum=1),
        on_lock_wait=lock_wait_notice(console))


def lock_options(args: ParsedArgs, console: Console) -> RunOptions:
    """The run options of a verb that only locks and edits the state (-lock,
    -lock-timeout): taint, untaint, state push/mv/rm."""
    return RunOptions(workdir=os.getcwd(), lock=args.get("lock", True),
                      lock_timeout=parse_duration(args, "lock-timeout", 0.0),
                      on_lock_wait=lock_wait_notice(console))


def _addresses(args: ParsedArgs, flag: str, parser) -> list:
    out = []
    for text in args.get(flag, []) or []:
        try:
            out.append(parser(text))
        except AddressError as err:
            raise UsageError(f"Invalid -{flag} address: {err}") from None
    return out


def _target_addrs(args: ParsedArgs) -> list:
    return _addresses(args, "target", parse_target)


def _replace_addrs(args: ParsedArgs) -> list:
    return _addresses(args, "replace", parse_instance)


def _lint_policy(args: ParsedArgs) -> LintPolicy:
    """-lint's policy; a policy file's problems are reported by the plan, which fails."""
    return lint_policy(args.get("lint"))


def _fail(console: Console, diags: Diagnostics, files: dict | None = None) -> int:
    print_diagnostics(console, diags, files or {})
    return 1


def _confirm(console: Console):
    """Ask a yes/no question on stdin, as Terraform asks it (input need not be a terminal)."""
    def ask(question: str, description: str) -> bool:
        body = "\n".join(textwrap.fill(p, 78, initial_indent="  ", subsequent_indent="  ")
                         if p.strip() else "  " for p in description.split("\n"))
        console.out.write(f"{console.bold(question)}\n{body}\n\n  Enter a value: ")
        console.out.flush()
        line = sys.stdin.readline() if sys.stdin is not None else ""
        console.out.write("\n")
        if not line:
            raise MigrationError("Error asking for confirmation: EOF")
        return line.strip() == "yes"
    return ask


# ---------------------------------------------------------------------------------------


@command(INIT)
def cmd_init(argv: list[str], console: Console) -> int:
    args = parse(argv, INIT)
    if args.get("reconfigure") and args.get("migrate-state"):
        raise UsageError("The -migrate-state and -reconfigure options are mutually exclusive.")
    workdir = os.getcwd()
    console.print(console.bold("Initializing the backend..."))
    config, diags = load_config_dir(workdir)
    if config is None or diags.has_errors:
        return _fail(console, diags, config.files if config else {})
    private_dirs(os.path.join(workdir, WORK_DIR_NAME))

    def changed() -> None:
        console.print(console.bold("Backend configuration changed!"))
        console.print("\nvpnform has detected that the configuration specified for the backend\n"
                      "has changed. vpnform will now check for existing state in the "
                      "backends.\n")

    d, files = init_backend(workdir, config, InitOptions(
        backend_config=list(args.get("backend-config", []) or []),
        reconfigure=bool(args.get("reconfigure")),
        migrate_state=bool(args.get("migrate-state")), force_copy=bool(args.get("force-copy")),
        confirm=_confirm(console) if args.get("input", True) else None, on_change=changed,
        lock=args.get("lock", True), lock_timeout=parse_duration(args, "lock-timeout", 0.0)))
    if d.has_errors:
        return _fail(console, d, {**config.files, **files})
    diags.extend(d)
    if config.module.backend is not None:
        console.print("")
        console.print(console.bold(
            f'Successfully configured the backend "{config.module.backend.type}"! vpnform will '
            "automatically\nuse this backend unless the backend configuration changes."))
    console.print("")
    console.print(console.bold("Initializing provider plugins..."))
    from ..providers import available_providers
    installed = available_providers()
    for name in sorted(config.provider_names()):
        req = config.module.required_providers.get(name)
        if name not in installed:
            d = Diagnostics()
            d.error("Failed to query available provider packages",
                    f'Could not find a provider named "{name}" among the providers '
                    f"installed with vpnform ({', '.join(sorted(installed))}).",
                    req.range if req else None)
            return _fail(console, d, config.files)
        source = req.source if req and req.source else f"tencentcloudstack/{name}"
        console.print(f"- Using built-in {source} (vpnform provider \"{name}\")")
    print_diagnostics(console, diags, config.files)
    console.print("")
    console.print(console.bold("vpnform has been successfully initialized!"))
    console.print("")
    console.print('You may now begin working with vpnform. Try running "vpnform plan" to see\n'
                  "any changes that are required for your infrastructure.")
    return 0


@command(VALIDATE)
def cmd_validate(argv: list[str], console: Console) -> int:
    args = parse(argv, VALIDATE)
    as_json = bool(args.get("json"))
    lint = _lint_policy(args)
    workdir = os.getcwd()
    config, diags = load_config_dir(workdir)
    if config is None or diags.has_errors:
        if as_json:
            return _validate_json(console, diags, config.files if config else {})
        return _fail(console, diags, config.files if config else {})
    # Like Terraform, validate does not need variable values: every input is unknown; and
    # it configures no provider (a credential from a variable is unknown here).
    variables = validation_values(config.module)
    console.add_secrets_from(variables)
    providers, d = setup_providers(config, variables, workdir, None, configure=False)
    diags.extend(d)
    if not d.has_errors:
        _, d = run_plan(config, variables, None, providers,
                        PlanOptions(refresh=False, validate_only=True, lint=lint), workdir,
                        Hooks())
        diags.extend(d)
    providers.close()
    if as_json:
        return _validate_json(console, diags, config.files)
    print_diagnostics(console, diags, config.files)
    if diags.has_errors:
        return 1
    console.print(console.bold("Success!") + " The configuration is valid.")
    return 0


def _validate_json(console: Console, diags: Diagnostics, files: dict) -> int:
    from .json_views import validate_json
    console.print_json(validate_json(diags, files), indent=2)
    return 1 if diags.has_errors else 0


class _Counter(Hooks):
    def __init__(self):
        self.lock = threading.Lock()
        self.added = self.changed = self.destroyed = self.imported = 0

    def post_apply(self, address, action, id, elapsed, error) -> None:
        if error:
            return
        with self.lock:
            if action == "create":
                self.added += 1
            elif action == "update":
                self.changed += 1
            elif action == "delete":
                self.destroyed += 1
            elif action == "import":
                self.imported += 1


def _plan_for(args: ParsedArgs, console: Console, *, destroy: bool, operation: str,
              then_apply: bool) -> int:
    opts = run_options(args, console)
    if args.get("no-color"):
        console.color = False
    replace = _replace_addrs(args)
    targets = _target_addrs(args)
    lint = _lint_policy(args)
    refresh = args.get("refresh", True)
    refresh_only = bool(args.get("refresh-only"))
    if refresh_only and not refresh:
        raise UsageError("The -refresh=false option is not allowed with -refresh-only: a "
                         "refresh-only plan is all refresh.")
    if refresh_only and (destroy or replace):
        raise UsageError("The -refresh-only option cannot be used with -destroy or -replace: "
                         "a refresh-only plan changes no infrastructure.")
    run = Run(opts, operation)
    diags = run.load()
    console.add_secrets_from(run.variables)
    if diags.has_errors:
        return _fail(console, diags, run.files)
    generate_out = args.get("generate-config-out")
    if generate_out:
        d = _check_generate_target(generate_out, opts.workdir)
        if d.has_errors:
            return _fail(console, d)
    with run.locked_state() as state:
        console.add_state_secrets(state)
        d = run.open_providers()
        diags.extend(d)
        if d.has_errors:
            return _fail(console, diags, run.files)
        print_targets(console, run.providers)
        generated = False
        if generate_out:
            run.config, generated, d = _generate_config(generate_out, run.config,
                                                        run.variables, opts.workdir,
                                                        run.providers)
            diags.extend(d)
            if run.config is None or d.has_errors:
                return _fail(console, diags, run.files)
        plan, d = run.plan(PlanOptions(destroy=destroy, refresh=refresh,
                                       parallelism=opts.parallelism, replace=replace,
                                       evaluate_checks=not then_apply,
                                       refresh_only=refresh_only, targets=targets,
                                       estimate_cost=not then_apply, lint=lint),
                           console.ui or Hooks())
        diags.extend(d)
        if plan is None or d.has_errors:
            return _fail(console, diags, run.files)
        # warnings are shown after the plan, as Terraform shows them
        if then_apply:
            return _confirm_and_apply(args, console, plan, run, destroy, warnings=diags)
        code = _after_plan(args, console, plan, run.config, opts.workdir, refresh, replace,
                           run.providers, warnings=diags, encryption=run.encryption.plan)
        if generated:
            console.print("")
            console.print("─" * 77)
            console.print("")
            console.print(f"vpnform has generated configuration and written it to "
                          f"{generate_out}. Please review the configuration and edit it as "
                          "necessary before adding it to version control.")
        return code


def _check_generate_target(path: str, workdir: str) -> Diagnostics:
    d = Diagnostics()
    if os.path.exists(path):
        d.error("Target generated file already exists",
                "vpnform can only write generated config into a new file. Either choose a "
                "different target location or move all existing configuration out of the "
                "target file, delete it and try again.")
    elif os.path.dirname(os.path.abspath(path)) != os.path.abspath(workdir) \
            or not path.endswith(".tf"):
        d.error("Invalid generate-config-out flag",
                f"The generated configuration must go into a new .tf file of the "
                f"configuration directory (such as generated.tf), not {path}: vpnform "
                "reads it back as part of the configuration to plan the import.")
    return d


def _generate_config(path: str, config, variables, workdir, providers):
    """Write resource blocks for the import blocks that lack one, then read the
    configuration again with them: (config, written, diagnostics)."""
    from ..plan.imports import generate_missing
    text, diags = generate_missing(config, variables, workdir, providers)
    if text is None or diags.has_errors:
        return config, False, diags
    try:
        write_private(path, text, exclusive=True)
    except OSError as err:
        diags.error("Failed to save generated config", f"Could not write {path}: "
                    f"{err.strerror or err}.")
        return config, False, diags
    config, d = load_config_dir(workdir)
    diags.extend(d)
    return config, True, diags


def _after_plan(args, console, plan: Plan, config, workdir, refresh, replace,
                providers=None, warnings: Diagnostics | None = None,
                encryption=None) -> int:
    plain = None  # the plan's text without colour, once printed, for the plan file
    if console.ui is not None:
        console.ui.planned(plan, "plan")
    elif plan.destroy and not plan.has_resource_changes:
        console.print("")
        console.print(console.bold("No changes.") + " No objects need to be destroyed.")
        console.print("")
        console.print("Either you have not created any objects yet or the existing objects "
                      "were already deleted outside of vpnform.")
    else:
        text = render_plan(plan, console.color)
        plain = None if console.color else text
        console.print(text.rstrip("\n"))
    if warnings:
        if console.ui is None:
            console.print("")
        print_diagnostics(console, warnings, config.files)
    out = args.get("out")
    if out:
        try:
            planfile.write_plan_file(out, plan, config.source_files, workdir, refresh,
                                     replace, json_plan.plan_documents(plan, config, providers,
                                                                       VERSION), encryption,
                                     notes_of(plan, providers, warnings), plain)
        except planfile.PlanFileError as err:
            d = Diagnostics()
            d.error("Failed to write the plan file", str(err))
            return _fail(console, d)
    if out and console.ui is None:
        console.print("")
        console.print("─" * 77)
        console.print("")
        console.print(f"Saved the plan to: {out}")
        console.print("")
        console.print("To perform exactly these actions, run the following command to apply:")
        console.print(f'    vpnform apply "{out}"')
    elif plan.has_changes and console.ui is None:
        console.print("")
        console.print("─" * 77)
        console.print("")
        console.print("Note: You didn't use the -out option to save this plan, so vpnform "
                      "can't\nguarantee to take exactly these actions if you run \"vpnform "
                      'apply" now.')
    if args.get("detailed-exitcode"):
        return 2 if plan.has_changes else 0
    return 0


def _confirm_and_apply(args, console, plan: Plan, run: Run, destroy: bool,
                       saved: bool = False, warnings: Diagnostics | None = None) -> int:
    ui = console.ui
    config = run.config
    if ui is not None:
        ui.planned(plan, "plan")
    elif not saved:
        if destroy and not plan.has_resource_changes:
            console.print("")
            console.print(console.bold("No changes.") + " No objects need to be destroyed.")
        else:
            console.print(render_plan(plan, console.color).rstrip("\n"))
    if warnings:  # after the plan, before the question, as Terraform shows them
        if ui is None:
            console.print("")
        print_diagnostics(console, warnings, config.files)
    counter = ui or _Counter()
    if plan.refresh_only:
        outcome = run.apply(plan, counter, lambda: _confirm_refresh(args, console, saved))
        if outcome is None:
            return 1
        final, diags = outcome
        return _report_apply(console, final, diags, _Counter(), False, {})
    hooks = ui or (MultiHooks(HumanHooks(console), counter) if plan.has_changes else counter)
    outcome = run.apply(plan, hooks, lambda: _confirm_changes(args, console, destroy, saved))
    if outcome is None:
        return 1
    final, diags = outcome
    return _report_apply(console, final, diags, counter, destroy, config.files,
                         plan.has_changes and bool(plan.targets))


def _confirm_changes(args, console, destroy: bool, saved: bool) -> bool:
    """Ask before changing infrastructure (not for a saved plan, -auto-approve or -json)."""
    ui = console.ui
    if not saved and not args.get("auto-approve") and ui is None:
        # Like Terraform, the answer is read from standard input even when it is not a
        # terminal (`echo yes | vpnform apply`); -input=false refuses to ask at all.
        if not args.get("input", True):
            d = Diagnostics()
            d.error("No confirmation given",
                    "vpnform asks for confirmation before changing infrastructure, but input "
                    "is disabled (-input=false). Run again with -auto-approve to apply "
                    "without asking, or apply a saved plan file.")
            _fail(console, d)
            return False
        if destroy:
            question = ("Do you really want to destroy all resources?\n"
                        "  vpnform will destroy all your managed infrastructure, as shown "
                        "above.\n  There is no undo. Only 'yes' will be accepted to confirm.")
        else:
            question = ("Do you want to perform these actions?\n"
                        "  vpnform will perform the actions described above.\n"
                        "  Only 'yes' will be accepted to approve.")
        if not _ask(console, question):
            console.print(("Destroy" if destroy else "Apply") + " cancelled.")
            return False
    if ui is None:
        console.print("")
    return True


def _confirm_refresh(args, console, saved: bool) -> bool:
    """Ask before recording a refresh-only plan in state (not for a saved plan or
    -auto-approve)."""
    if saved or args.get("auto-approve"):
        return True
    if not args.get("input", True):
        d = Diagnostics()
        d.error("No confirmation given",
                "vpnform asks before updating the state, but input is disabled "
                "(-input=false). Run again with -auto-approve.")
        _fail(console, d)
        return False
    question = ("Would you like to update the vpnform state to reflect these detected "
                "changes?\n  vpnform will write these changes to the state without "
                "modifying any real infrastructure.\n  There is no undo. Only 'yes' will "
                "be accepted to confirm.")
    if not _ask(console, question):
        console.print("Apply cancelled.")
        return False
    return True


def _ask(console, question: str) -> bool:
    """Print ``question`` and read the answer from standard input: True for "yes"."""
    console.out.write("\n" + console.bold(question) + "\n\n  " +
                      console.bold("Enter a value:") + " ")
    console.out.flush()
    answer = sys.stdin.readline().strip()
    console.print("")
    return answer == "yes"


def _report_apply(console, final, diags, counter, destroy, files, targeted=False) -> int:
    if targeted:
        diags.warning(
            "Applied changes may be incomplete",
            "The plan was created with the -target option in effect, so some changes "
            "requested in the configuration may have been ignored and the output values may "
            "not be fully updated. Run the following command to verify that no other changes "
            "are pending:\n    vpnform plan\n\nNote that the -target option is not suitable "
            "for routine use, and is provided only for exceptional situations such as "
            "recovering from errors or mistakes, or when vpnform specifically suggests to use "
            "it as part of an error message.")
    print_diagnostics(console, diags, files)
    if diags.has_errors:
        return 1
    if console.ui is not None:
        console.ui.applied(final, destroy)
        return 0
    console.print("")
    if destroy:
        console.print(console.bold(f"Destroy complete! Resources: {counter.destroyed} destroyed."))
        return 0
    imported = f"{counter.imported} imported, " if counter.imported else ""
    console.print(console.bold(
        f"Apply complete! Resources: {imported}{counter.added} added, {counter.changed} "
        f"changed, {counter.destroyed} destroyed."))
    if final.outputs:
        console.print("")
        console.print(console.bold("Outputs:"))
        console.print("")
        for line in render_outputs(final.outputs):
            console.print(line)
    return 0


@command(PLAN)
def cmd_plan(argv: list[str], console: Console) -> int:
    args = parse(argv, PLAN)
    json_ui.enable(console, args)
    with young_collections_only():  # a plan makes millions of long-lived objects
        return _plan_for(args, console, destroy=bool(args.get("destroy")),
                         operation="OperationTypePlan", then_apply=False)


@command(APPLY)
def cmd_apply(argv: list[str], console: Console) -> int:
    args = parse(argv, APPLY)
    if len(args.positional) > 1:
        raise UsageError("Too many command line arguments: apply takes at most one plan file.")
    if json_ui.enable(console, args) and json_ui.approval_refused(console.ui, args, "apply"):
        return 1
    with young_collections_only():  # as a plan: the plan's objects live to the end
        if args.positional:
            return _apply_saved(args, console, args.positional[0])
        return _plan_for(args, console, destroy=bool(args.get("destroy")),
                         operation="OperationTypeApply", then_apply=True)


@command(REFRESH)
def cmd_refresh(argv: list[str], console: Console) -> int:
    """``vpnform refresh``: Terraform's older spelling of ``apply -refresh-only
    -auto-approve`` — record what changed outside vpnform, without asking."""
    args = parse(argv, REFRESH)
    if args.positional:
        raise UsageError("The refresh command expects no positional arguments.")
    args.flags["refresh-only"] = True
    args.flags["auto-approve"] = True
    json_ui.enable(console, args)
    return _plan_for(args, console, destroy=False, operation="OperationTypeApply",
                     then_apply=True)


@command(DESTROY)
def cmd_destroy(argv: list[str], console: Console) -> int:
    args = parse(argv, DESTROY)
    if json_ui.enable(console, args) and json_ui.approval_refused(console.ui, args, "destroy"):
        return 1
    return _plan_for(args, console, destroy=True, operation="OperationTypeApply",
                     then_apply=True)


def _apply_saved(args: ParsedArgs, console: Console, path: str) -> int:
    """Apply a saved plan: refuse it when state or configuration moved on since."""
    opts = run_options(args, console)
    if args.get("no-color"):
        console.color = False
    if args.var_sources:
        raise UsageError("Can't set variables when applying a saved plan: the plan file "
                         "already holds the variable values it was made with.")
    saved = read_saved_plan(path, opts.workdir)
    console.add_secrets_from(saved.variables)
    run = Run(opts, "OperationTypeApply")
    diags = run.load_saved(saved, path)
    if diags.has_errors:
        return _fail(console, diags, run.files)
    with run.locked_state() as state:
        console.add_state_secrets(state)
        d = run.check_saved_state(saved, path)
        if d.has_errors:
            return _fail(console, d)
        d = run.open_providers()
        if d.has_errors:
            return _fail(console, d, run.files)
        print_targets(console, run.providers)
        plan, d = run.replan(saved, path)
        if plan is None:
            return _fail(console, d, run.files)
        return _confirm_and_apply(args, console, plan, run, saved.destroy, saved=True)


__all__ = ["cmd_init", "cmd_validate", "cmd_plan", "cmd_apply", "cmd_destroy", "Unknown",
           "Action"]
