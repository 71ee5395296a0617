"""Operations around the core: lock -> read -> load -> plan/apply -> persist -> unlock.

The core (plan/planner.py, apply/executor.py) works on values; this module connects it to
configuration files, input variables, providers and a state backend. It never prints.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .addrs import InstanceAddr, ProviderConfigAddr
from .apply.executor import ApplyOptions
from .apply.executor import apply as apply_plan
from .config.model import ProviderConfig
from .config.loader import load_module
from .config.tree import Config, load_config
from .config.variables import collect_variable_values
from .diagnostics import Diagnostics
from .hooks import Hooks
from .plan.model import Plan
from .plan.planner import PlanOptions
from .plan.planner import plan as make_plan
from .provider_set import ProviderSet, configure_providers
from .scope import root_scope
from .state import codec
from .state.backends.base import LockInfo, StateBackend, StateError, lock_with_timeout
from .state.backends.config import (BackendConfigError, BackendSpec, change_reason,
                                    configured_backend, decode_backend, open_backend,
                                    parse_backend_config, record_backend, recorded_backend,
                                    recorded_block, recorded_overrides, previous_spec,
                                    same_location)
from .state.backends.migrate import MigrationError, migrate_state
from .state.encryption import ENV_VAR, NONE as ENCRYPTION_NONE
from .state.encryption import (EncryptedBackend, Encryption, EncryptionError,
                               TargetEncryption, load_encryption)
from .state.model import InstanceObject, OutputValue, State
from .state import workspaces
from .state.workspaces import DEFAULT_WORKSPACE
from .private_files import WORK_DIR_NAME
from .values import contains_sensitive, is_wholly_known, unmark


@dataclass
class RunOptions:
    """What every config-reading verb shares (flags -var, -var-file, -input, -lock…)."""

    workdir: str
    var_sources: list = field(default_factory=list)  # [("var", "k=v") | ("var-file", path)]
    input_enabled: bool = True
    prompt: Callable | None = None
    lock: bool = True
    lock_timeout: float = 0.0
    parallelism: int = 10
    environ: dict | None = None
    allow_empty: bool = False  # no *.tf files is an empty configuration (console)


def backend_for(workdir: str, config: Config | None = None, environ: dict | None = None,
                encryption: Encryption | None = None,
                workspace: str | None = None) -> StateBackend:
    """The state backend the root module's ``backend`` block names (none: the local
    ``terraform.tfstate``), on the current workspace (or ``workspace``), its stored bytes
    encrypted as configured (``encryption``, or the working directory's, read when first
    needed). Without ``config`` only the root module's files are read. Raises
    BackendConfigError for an invalid or unsupported block, a backend changed since
    ``init`` recorded it, and a current workspace that is invalid or does not exist."""
    if config is not None:
        block, files = config.module.backend, config.files
    else:
        module, parsed = load_module(workdir, cache_dir=os.path.join(
            workdir, WORK_DIR_NAME, "ast-cache"), allow_empty=True)
        block = module.backend if module is not None else None
        files = module.files if module is not None else {}
        recorded = recorded_backend(workdir)
        if block is None and parsed.has_errors and recorded and recorded.get("type") != "local":
            # The block may be in the file that failed: never fall back to local quietly.
            parsed.error("Backend configuration unreadable",
                         f'"vpnform init" configured the "{recorded.get("type")}" backend '
                         "here, but the configuration cannot be read, so its settings are "
                         "unknown. Fix the configuration, then re-run.")
            raise BackendConfigError(Diagnostics(parsed.errors), files)
    spec = configured_backend(workdir, block, files)  # raises when init is due
    try:
        inner = open_backend(spec, workdir, environ)
    except StateError as err:
        diags = Diagnostics()
        diags.error("Invalid backend configuration", str(err), block.range if block else None)
        raise BackendConfigError(diags, files) from None
    if workspace is None:
        inner = _current_workspace(inner, workdir, environ)
    elif workspace != DEFAULT_WORKSPACE:
        inner = inner.for_workspace(workspace)
    if encryption is not None:
        return EncryptedBackend(inner, lambda: encryption)
    return EncryptedBackend(inner, lambda: encryption_for_workdir(workdir))


def _current_workspace(backend, workdir: str, environ: dict | None):
    """``backend`` on the working directory's current workspace, which must exist."""
    diags = Diagnostics()
    try:
        name = workspaces.selected(workdir, environ).name
    except workspaces.WorkspaceError as err:
        diags.error(err.summary, err.detail)
        raise BackendConfigError(diags) from None
    if name == DEFAULT_WORKSPACE:
        return backend
    if name not in backend.workspaces():
        diags.error("Workspace does not exist",
                    f'The current workspace "{name}" does not exist in this backend. Create '
                    f'it with "vpnform workspace new {name}" (with TF_WORKSPACE set, '
                    '"vpnform init" creates it), or choose an existing one with "vpnform '
                    'workspace select".')
        raise BackendConfigError(diags)
    return backend.for_workspace(name)


@dataclass
class InitOptions:
    """``init``'s backend flags: -backend-config (in order), -reconfigure, -migrate-state,
    -force-copy, -lock, -lock-timeout; ``confirm(question, description)`` asks the user
    (None: input is disabled); ``on_change`` is told when a changed backend is taken in."""

    backend_config: list = field(default_factory=list)
    reconfigure: bool = False
    migrate_state: bool = False
    force_copy: bool = False
    confirm: Callable | None = None
    on_change: Callable | None = None
    lock: bool = True
    lock_timeout: float = 0.0
    environ: dict | None = None


BACKEND_CHANGED = (
    "A change in the backend configuration has been detected, which may require migrating "
    "existing state.\n\n"
    'If you wish to attempt automatic migration of the state, use "vpnform init '
    '-migrate-state".\n'
    "If you wish to store the current configuration with no changes to the state, use "
    '"vpnform init -reconfigure".')
MISSING_BACKEND = (
    "-backend-config was used without a \"backend\" block in the configuration.\n\n"
    "If you intended to override the default local backend configuration, no action is "
    "required, but you may add an explicit backend block to your configuration to clear "
    'this warning:\n\nterraform {\n  backend "local" {}\n}\n\nHowever, if you intended '
    "to override a defined backend, please verify that the backend configuration is "
    "present and valid.")


def init_backend(workdir: str, config: Config, opts: InitOptions | None = None
                 ) -> tuple[Diagnostics, dict]:
    """``init``'s part for the backend: merge -backend-config over the block, reach the
    backend (the pg backend creates its schema and tables there), copy the state over from
    the previous backend when it changed (-migrate-state, or a first backend block), and
    record which backend is in use. Returns the diagnostics and the files they refer to."""
    opts = opts or InitOptions()
    block = config.module.backend
    subject = block.range if block else None
    spec, diags = decode_backend(block)
    if diags.has_errors:
        return diags, {}
    record = None if opts.reconfigure else recorded_backend(workdir)
    overrides, files = recorded_overrides(record, spec.type), {}
    if opts.backend_config and block is None:
        diags.warning("Missing backend configuration", MISSING_BACKEND)
        overrides = {}
    elif opts.backend_config:
        overrides, d, files = parse_backend_config(opts.backend_config, spec.type, workdir)
        diags.extend(d)
        if d.has_errors:
            return diags, files
    block_spec, spec = spec, spec.merged(overrides)
    previous = None  # the spec state is copied from
    if not opts.reconfigure:
        if not recorded_block(record):
            previous = BackendSpec() if block is not None else None
        elif change_reason(record, block_spec, overrides, block is not None):
            if not opts.migrate_state:
                diags.error("Backend configuration changed", BACKEND_CHANGED, subject)
                return diags, files
            previous = previous_spec(record)
            if previous is None:
                diags.error("Previous backend unknown",
                            f'The "{record["type"]}" backend was configured by an earlier '
                            "vpnform that did not record its settings, so its state cannot "
                            'be copied. Run "vpnform init -reconfigure", then copy the state '
                            'with "vpnform state pull" and "vpnform state push".', subject)
                return diags, files
            if opts.on_change:
                opts.on_change()
    try:
        backend = open_backend(spec, workdir, opts.environ)
        if hasattr(backend, "workspaces"):
            backend.workspaces()  # connects, and prepares the schema
    except StateError as err:
        diags.error("Failed to configure the backend", str(err), subject)
        return diags, files
    if previous is not None and not same_location(previous, spec, workdir, opts.environ):
        diags.extend(_migrate(workdir, previous, spec, backend, opts, subject))
        if diags.has_errors:
            return diags, files
    record_backend(workdir, block_spec, overrides, block is not None)
    diags.extend(_init_workspace(workdir, config, opts.environ))
    return diags, files


def _migrate(workdir: str, previous: BackendSpec, spec: BackendSpec, backend: StateBackend,
             opts: InitOptions, subject) -> Diagnostics:
    """Copy every workspace's state from the ``previous`` backend into ``backend``."""
    diags = Diagnostics()

    def resolve() -> Encryption:
        return encryption_for_workdir(workdir)

    def no_input(question: str, description: str) -> bool:
        raise MigrationError("Can't ask approval for state migration when interactive input "
                             'is disabled.\n\nPlease remove the "-input=false" option and '
                             "try again.")
    try:
        source = open_backend(previous, workdir, opts.environ)
    except StateError as err:
        diags.error("Failed to read the previous backend", str(err), subject)
        return diags
    try:
        migrate_state(EncryptedBackend(source, resolve), EncryptedBackend(backend, resolve),
                      previous.type, spec.type, opts.confirm or no_input, opts.force_copy,
                      opts.lock, opts.lock_timeout)
    except MigrationError as err:
        summary, _, detail = str(err).partition("\n\n")
        diags.error(summary, detail)
    except StateError as err:
        diags.error("Error migrating the state", str(err), subject)
    finally:
        for b in (source, backend):
            if hasattr(b, "close"):
                b.close()
    return diags


def _init_workspace(workdir: str, config: Config, environ: dict | None) -> Diagnostics:
    """As Terraform's init: a workspace TF_WORKSPACE names that does not exist yet is
    created (a pipeline's first run on a new workspace)."""
    diags = Diagnostics()
    try:
        selection = workspaces.selected(workdir, environ)
        if not selection.overridden or selection.name == DEFAULT_WORKSPACE:
            return diags
        root = backend_for(workdir, config, environ, workspace=DEFAULT_WORKSPACE)
        if selection.name not in root.workspaces():
            workspaces.create(root, selection.name)
    except workspaces.WorkspaceError as err:
        diags.error(err.summary, err.detail)
    except StateError as err:
        diags.error("Failed to create the workspace", str(err))
    return diags


def load_encryption_config(config: Config, variables: dict, workdir: str,
                           environ: dict | None = None) -> tuple[Encryption, Diagnostics]:
    """The encryption declared in the root module's terraform block and TF_ENCRYPTION,
    its expressions evaluated with the root module's input variables."""
    block = config.module.encryption
    scope = root_scope(config, variables, workdir) if block is not None else None
    return load_encryption(block, scope.evaluate if scope is not None else None,
                           environ if environ is not None else dict(os.environ))


def encryption_for_workdir(workdir: str) -> Encryption:
    """The working directory's encryption, for verbs that read state or plans without
    variables of their own (variables come from the environment and *.tfvars, never a
    prompt). Raises EncryptionError (with file:line) when the configuration is invalid."""
    environ = dict(os.environ)
    config, diags = load_config_dir(workdir, allow_empty=True)
    if config is None or config.module.encryption is None:
        if config is None and not environ.get(ENV_VAR, "").strip():
            return ENCRYPTION_NONE
        enc, d = load_encryption(None, None, environ)
    else:
        variables, d = collect_variable_values(
            config.module, cli_vars=[], workdir=workdir,
            cache_dir=os.path.join(workdir, WORK_DIR_NAME, "ast-cache"), environ=environ,
            prompt=None, input_enabled=False)
        if d.has_errors:
            raise EncryptionError("The encryption configuration cannot be evaluated: "
                                  + _diag_text(d) + " This command reads variables from "
                                  "TF_VAR_ environment variables and *.tfvars files.")
        enc, d = load_encryption_config(config, variables, workdir, environ)
    if d.has_errors:
        raise EncryptionError(_diag_text(d))
    return enc


def plan_encryption_for(workdir: str) -> TargetEncryption:
    """The working directory's plan encryption, for reading a saved plan (PlanFileError
    when the encryption configuration is invalid)."""
    from .plan.planfile import PlanFileError
    try:
        return encryption_for_workdir(workdir).plan
    except EncryptionError as err:
        raise PlanFileError(str(err)) from None


def _diag_text(diags: Diagnostics) -> str:
    return " ".join(f"{x.summary}: {x.detail}" + (f" (at {x.subject})" if x.subject else "")
                    for x in diags if x.is_error)


def load_config_dir(workdir: str, allow_empty: bool = False
                    ) -> tuple[Config | None, Diagnostics]:
    """Parse the directory's *.tf files and every module they call, reusing cached syntax
    trees of unchanged files."""
    return load_config(workdir, cache_dir=os.path.join(workdir, WORK_DIR_NAME, "ast-cache"),
                       allow_empty=allow_empty)


def load_configuration(opts: RunOptions) -> tuple[Config | None, dict, Diagnostics]:
    """Parse the configuration and collect the root module's input variable values."""
    diags = Diagnostics()
    config, d = load_config_dir(opts.workdir, opts.allow_empty)
    diags.extend(d)
    if config is None or d.has_errors:
        return config, {}, diags
    variables, d = collect_variable_values(
        config.module, cli_vars=opts.var_sources, workdir=opts.workdir,
        cache_dir=os.path.join(opts.workdir, WORK_DIR_NAME, "ast-cache"),
        environ=opts.environ if opts.environ is not None else dict(os.environ),
        prompt=opts.prompt, input_enabled=opts.input_enabled)
    diags.extend(d)
    return config, variables, diags


def setup_providers(config: Config, variables: dict, workdir: str, state: State | None,
                    configure: bool = True) -> tuple[ProviderSet, Diagnostics]:
    scope = root_scope(config, variables, workdir)

    def decode_provider(cfg: ProviderConfig, block):
        return scope.decode(cfg.body, block, cfg.range)

    state_addrs = sorted({rs.provider for rs in (state.resources.values() if state else [])},
                         key=lambda a: (a.name, a.alias or ""))
    return configure_providers(config, workdir, state_addrs, decode_provider, configure)


@contextlib.contextmanager
def locked(backend: StateBackend, operation: str, opts: RunOptions) -> Iterator[None]:
    if not opts.lock:
        yield
        return
    info = LockInfo(operation=operation, path=getattr(backend, "path", ""))
    lock_id = lock_with_timeout(backend, info, opts.lock_timeout)
    try:
        yield
    finally:
        backend.unlock(lock_id)


def run_plan(config: Config, variables: dict, state: State | None, providers: ProviderSet,
             options: PlanOptions, workdir: str, hooks: Hooks) -> tuple[Plan | None, Diagnostics]:
    return make_plan(config, state, variables, providers, options, workdir, hooks)


def _progress_interval() -> float:
    """Seconds between "Still creating..." lines: 10 as in Terraform, or
    VPNFORM_PROGRESS_INTERVAL (for tests and CI logs)."""
    try:
        return max(0.1, float(os.environ.get("VPNFORM_PROGRESS_INTERVAL", "10")))
    except ValueError:
        return 10.0


def run_apply(plan: Plan, config: Config, providers: ProviderSet, backend: StateBackend,
              workdir: str, hooks: Hooks, parallelism: int) -> tuple[State, Diagnostics]:
    """Apply and persist: each instance result is journalled as it happens (O(1)); the
    final state is written as a snapshot at the end, whatever the outcome."""
    base = plan.prior_state
    backend.begin_journal(base)

    def sink(addr: InstanceAddr, provider: ProviderConfigAddr, obj: InstanceObject | None,
             each_mode: str, deposed: str = "") -> None:
        backend.record(codec.journal_entry(addr, provider, obj, each_mode, deposed))

    # If apply_plan raises (a second Ctrl-C, a bug), the journal is left in place: it holds
    # every result so far and the next command replays it. Never end it with `base`.
    def intent(addr: InstanceAddr, provider: ProviderConfigAddr, token: str, planned: dict,
               each_mode: str, dependencies: list) -> None:
        backend.record(codec.pending_entry(addr, provider, token, planned, each_mode,
                                           dependencies))

    final, diags = apply_plan(plan, config, providers, workdir, hooks, sink,
                              ApplyOptions(parallelism=parallelism,
                                           progress_interval=_progress_interval()), intent)
    final.lineage = base.lineage
    final.serial = base.serial
    try:
        backend.end_journal(final)
    except StateError as err:
        diags.error("Failed to persist state",
                    f"{err} Every applied change is still recorded in the state journal "
                    "and will be recovered by the next command.")
    return final, diags


def run_refresh_only(plan: Plan, backend: StateBackend) -> tuple[State, Diagnostics]:
    """Persist a refresh-only plan: the objects as read, and the outputs computed from
    them. Nothing remote changes."""
    diags = Diagnostics()
    base = plan.prior_state
    final = base.deepcopy()
    outputs = {}
    for name, ch in sorted(plan.output_changes.items()):
        plain = unmark(ch.after)[0]
        if ch.after is None or not is_wholly_known(plain):
            continue
        outputs[name] = OutputValue(plain, ch.sensitive or contains_sensitive(ch.after))
    final.outputs = outputs
    backend.begin_journal(base)
    try:
        backend.end_journal(final)
    except StateError as err:
        diags.error("Failed to persist state", f"{err} The previous state is intact.")
    return final, diags


def run_import(backend: StateBackend, state: State | None, addr: InstanceAddr,
               provider: ProviderConfigAddr, obj: InstanceObject, each_mode: str) -> State:
    """Record one imported object as apply records a result: journalled (fsynced) first,
    then the final snapshot, so a crash in between loses nothing and corrupts nothing."""
    base = state if state is not None else State()
    backend.begin_journal(base)
    backend.record(codec.journal_entry(addr, provider, obj, each_mode))
    final = base.deepcopy()
    final.set_instance(addr, provider, obj, each_mode or None)
    backend.end_journal(final)
    return final
