"""Operations around the core: load -> lock -> read -> plan/apply -> persist -> unlock.

The core (plan/planner.py, apply/executor.py) works on values; this module connects it to
configuration files, input variables, providers and a state backend. ``Run`` is the one
runner every verb that works on the state goes through, and ``state_diagnostics`` the one
place where lock and state errors become diagnostics. It never prints: the CLI verbs parse
arguments and show what a run returns or raises (``OperationFailed``).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .addrs import InstanceAddr, ProviderConfigAddr, parse_instance, parse_target
from .apply.executor import ApplyOptions
from .apply.executor import apply as apply_plan
from .config.model import ProviderConfig
from .config.loader import load_module
from .config.tree import Config, load_config
from .config.variables import collect_variable_values
from .diagnostics import Diagnostics
from .gc_paused import existing_objects_frozen
from .hooks import Hooks
from .plan.model import Plan
from .plan.planfile import PlanFileError, SavedPlan, read_plan_file
from .plan.planner import PlanOptions, config_digest
from .plan.planner import plan as make_plan
from .provider_set import ProviderSet, configure_providers
from .scope import root_scope
from .state import codec
from .state.backends.base import LockError, LockInfo, StateBackend, StateError, lock_with_timeout
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
    on_lock_wait: Callable | None = None  # told the LockError once when -lock-timeout waits


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


# The LockInfo operation of a run that applies (apply, destroy, refresh: Terraform's name).
APPLY_OPERATION = "OperationTypeApply"


def take_lock(backend: StateBackend, operation: str, opts: RunOptions) -> str | None:
    """Lock the state for ``operation``, retrying for -lock-timeout: the lock ID, or None
    with -lock=false. Raises LockError / StateError as the backend does."""
    if not opts.lock:
        return None
    info = LockInfo(operation=operation, path=getattr(backend, "path", ""))
    return lock_with_timeout(backend, info, opts.lock_timeout, on_wait=opts.on_lock_wait)


@contextlib.contextmanager
def locked(backend: StateBackend, operation: str, opts: RunOptions) -> Iterator[None]:
    """Hold the state lock (``take_lock``) for the ``with`` body. Raises LockError /
    StateError as the backend does; ``Run.locked_state`` maps them to diagnostics."""
    lock_id = take_lock(backend, operation, opts)
    try:
        yield
    finally:
        if lock_id is not None:
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
             each_mode: str, deposed: str = "", flush: bool = True) -> None:
        backend.record(codec.journal_entry(addr, provider, obj, each_mode, deposed), flush)

    # If apply_plan raises (a second Ctrl-C, a bug), the journal is left in place: it holds
    # every result so far and the next command replays it. Never end it with `base`.
    def intent(addr: InstanceAddr, provider: ProviderConfigAddr, token: str, planned: dict,
               each_mode: str, dependencies: list, flush: bool = True) -> None:
        backend.record(codec.pending_entry(addr, provider, token, planned, each_mode,
                                           dependencies), flush)

    # Nothing that exists now (configuration, plan, prior state) is garbage before the
    # apply ends: collections during it walk only what it makes.
    with existing_objects_frozen():
        final, diags = apply_plan(plan, config, providers, workdir, hooks, sink,
                                  ApplyOptions(parallelism=parallelism,
                                               progress_interval=_progress_interval()),
                                  intent)
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


class OperationFailed(Exception):
    """A run stopped before or around its work on the state: ``diagnostics`` say why,
    ``files`` are the configuration sources their snippets quote."""

    def __init__(self, diagnostics: Diagnostics, files: dict | None = None):
        super().__init__("; ".join(f"{d.summary}: {d.detail}" for d in diagnostics.errors))
        self.diagnostics = diagnostics
        self.files = files or {}


def state_diagnostics(err: StateError, phase: str) -> Diagnostics:
    """The one mapping from a backend error to what the user reads. ``phase`` is where
    it happened: "lock" (taking it), "read", "write" (anything the run stored) or
    "unlock"."""
    d = Diagnostics()
    if phase == "lock" and isinstance(err, LockError):
        d.error("Error acquiring the state lock", str(err))
    elif phase in ("lock", "read"):
        d.error("Failed to load state", str(err))
    elif phase == "unlock":
        d.error("Error releasing the state lock",
                f"{err}\nOnce no other run uses the state, release the lock with "
                "'vpnform force-unlock ID'.")
    else:  # a backend's write is atomic: a refused or failed one changed nothing
        d.error("Failed to persist state", f"{err} The previous state is intact.")
    return d


@dataclass
class Run:
    """One verb's run over the state: load the configuration, its input variables and
    encryption (``load``); open the backend, take the lock, read the state
    (``locked_state``); set up providers (``open_providers``); plan, apply or record in
    the ``with`` body; then close the providers and release the lock however it ends.
    Lock and state errors raise OperationFailed with ``state_diagnostics``."""

    opts: RunOptions
    operation: str  # the LockInfo operation: "OperationTypePlan", "OperationTypeApply"…
    config: Config | None = None
    variables: dict = field(default_factory=dict)
    encryption: Encryption | None = None  # None: the working directory's, read when needed
    backend: StateBackend | None = None
    state: State | None = None
    providers: ProviderSet | None = None

    @property
    def workdir(self) -> str:
        return self.opts.workdir

    @property
    def files(self) -> dict:
        """The configuration sources, for diagnostics' snippets ({} before ``load``)."""
        return self.config.files if self.config is not None else {}

    def load(self, variables: bool = True) -> Diagnostics:
        """Parse the configuration and, with ``variables``, collect the input variables
        (-var, -var-file, TF_VAR_, prompts) and evaluate the encryption with them. Without,
        only the configuration (a saved plan brings its own variables)."""
        if not variables:
            self.config, diags = load_config_dir(self.workdir, self.opts.allow_empty)
            return diags
        self.config, self.variables, diags = load_configuration(self.opts)
        if self.config is None or diags.has_errors:
            return diags
        self.encryption, d = load_encryption_config(self.config, self.variables,
                                                    self.workdir, self.opts.environ)
        diags.extend(d)
        return diags

    def open_backend(self) -> StateBackend:
        """The backend the configuration names (read from the working directory when
        ``load`` was not called). Raises OperationFailed for an invalid backend block."""
        if self.backend is None:
            try:
                self.backend = backend_for(self.workdir, self.config,
                                           encryption=self.encryption)
            except BackendConfigError as err:
                raise OperationFailed(err.diagnostics, err.files) from None
        return self.backend

    @contextlib.contextmanager
    def locked_state(self) -> Iterator[State | None]:
        """Take the lock (-lock, -lock-timeout), read the state and yield it; a StateError
        from the body is a failure to persist. Providers opened in the body are closed
        and the lock released on the way out."""
        backend = self.open_backend()
        try:
            lock_id = take_lock(backend, self.operation, self.opts)
        except StateError as err:
            raise OperationFailed(state_diagnostics(err, "lock"), self.files) from None
        try:
            try:
                self.state = backend.read()
            except StateError as err:
                raise OperationFailed(state_diagnostics(err, "read"), self.files) from None
            try:
                yield self.state
            except StateError as err:
                raise OperationFailed(state_diagnostics(err, "write"), self.files) from None
        finally:
            if self.providers is not None:
                self.providers.close()
                self.providers = None
            if lock_id is not None:
                try:
                    backend.unlock(lock_id)
                except StateError as err:
                    raise OperationFailed(state_diagnostics(err, "unlock"),
                                          self.files) from None

    def load_saved(self, saved: SavedPlan, path: str) -> Diagnostics:
        """``load`` for applying the saved plan ``path``: the configuration must be the one
        it was made from, and its variables are the plan's."""
        diags = self.load(variables=False)
        if diags.has_errors:
            return diags
        if config_digest(self.config) != saved.config_digest:
            diags = Diagnostics()
            diags.error("Saved plan does not match the configuration",
                        f"The configuration in {self.workdir} has changed since the plan "
                        f"{path} was created, so applying it could do something other than "
                        "what was reviewed. Run vpnform plan again.")
            return diags
        self.variables = saved.variables
        # the state's encryption, with the plan's variables (not a second parse of the
        # configuration to evaluate it from the environment's)
        self.encryption, d = load_encryption_config(self.config, self.variables,
                                                    self.workdir, self.opts.environ)
        if d.has_errors:
            return d
        workspace = self.open_backend().workspace
        if saved.workspace is not None and saved.workspace != workspace:
            diags.error("Saved plan is for another workspace",
                        f'The plan {path} was created in workspace "{saved.workspace}", but '
                        f'the current workspace is "{workspace}": applying it here would '
                        "change another state than the one reviewed. Select that workspace "
                        "(or set TF_WORKSPACE to it), or create a new plan in this one.")
        return diags

    def check_saved_state(self, saved: SavedPlan, path: str) -> Diagnostics:
        """A "Saved plan is stale" error when the state read is not the one ``saved`` was
        made from."""
        state = self.state
        current = (state.lineage, state.serial) if state is not None else ("", 0)
        if current != (saved.state_lineage, saved.state_serial):
            return _stale(path)
        return Diagnostics()

    def replan(self, saved: SavedPlan, path: str) -> tuple[Plan | None, Diagnostics]:
        """Plan again as ``saved`` was planned (mode, -refresh, -target, -replace), with
        its variables: the plan to apply, or a "Saved plan is stale" error when its
        actions are no longer the reviewed ones."""
        plan, diags = self.plan(
            PlanOptions(destroy=saved.destroy, refresh=saved.refresh,
                        parallelism=self.opts.parallelism,
                        replace=[parse_instance(a) for a in saved.replace],
                        evaluate_checks=False, refresh_only=saved.refresh_only,
                        targets=[parse_target(t) for t in saved.targets]), Hooks())
        if plan is None or diags.has_errors:
            return None, diags
        if {str(a): c.action.value for a, c in plan.changes.items()} != saved.actions:
            return None, _stale(path)
        return plan, diags

    def open_providers(self) -> Diagnostics:
        """Configure the providers the configuration and the state use (closed when
        ``locked_state`` ends)."""
        self.providers, diags = setup_providers(self.config, self.variables, self.workdir,
                                                self.state)
        if self.operation == APPLY_OPERATION and not diags.has_errors:
            # what the apply needs starts while it plans
            in_state = self.state.instance_count() if self.state else 0
            self.providers.prepare_apply(len(self.config.resources()) + in_state)
        return diags

    def plan(self, options: PlanOptions, hooks: Hooks) -> tuple[Plan | None, Diagnostics]:
        return run_plan(self.config, self.variables, self.state, self.providers, options,
                        self.workdir, hooks)

    def apply(self, plan: Plan, hooks: Hooks, confirm: Callable[[], bool] = lambda: True
              ) -> tuple[State, Diagnostics] | None:
        """Carry out ``plan`` and persist it: a refresh-only plan records what refresh read
        (nothing remote changes); any other is applied, each result persisted as it
        happens. When the plan changes something, ``confirm`` (the CLI's question) is asked
        first: None when it says no."""
        if plan.has_changes and not confirm():
            return None
        if plan.refresh_only:
            if not plan.has_changes:
                return plan.prior_state, Diagnostics()
            return run_refresh_only(plan, self.backend)
        return run_apply(plan, self.config, self.providers, self.backend, self.workdir,
                         hooks, self.opts.parallelism)

    def record_import(self, addr: InstanceAddr, provider: ProviderConfigAddr,
                      obj: InstanceObject, each_mode: str) -> State:
        """Persist one imported object (``run_import``)."""
        self.state = run_import(self.backend, self.state, addr, provider, obj, each_mode)
        return self.state

    def write(self, state: State) -> None:
        """Persist a changed snapshot of the state read (taint, untaint)."""
        self.backend.write(state)
        self.state = state


def _stale(path: str) -> Diagnostics:
    d = Diagnostics()
    d.error("Saved plan is stale",
            f"The given plan file {path} can no longer be applied because the state was "
            "changed by another operation after the plan was created. Create a new plan "
            "with vpnform plan.")
    return d


def read_saved_plan(path: str, workdir: str) -> SavedPlan:
    """The plan file ``path``, decrypted with the working directory's plan encryption.
    Raises OperationFailed ("Failed to load the saved plan")."""
    try:
        return read_plan_file(path, workdir, plan_encryption_for(workdir))
    except PlanFileError as err:
        d = Diagnostics()
        d.error("Failed to load the saved plan", str(err))
        raise OperationFailed(d) from None


def read_state(workdir: str, config: Config | None = None) -> State | None:
    """The state, read without taking the lock, for verbs that only look (console,
    tunnel). Raises OperationFailed as ``Run`` does."""
    run = Run(RunOptions(workdir=workdir), "", config=config)
    try:
        return run.open_backend().read()
    except StateError as err:
        raise OperationFailed(state_diagnostics(err, "read"), run.files) from None
