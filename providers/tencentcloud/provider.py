"""The ``tencentcloud`` provider: schema, plan-time checks and CRUD of the VPN resource types
against the VPC API: the embedded emulator at ``<workdir>/.vpnform/cloud.db``, or over HTTP
through the official SDK (a served emulator, or the real cloud; see connection.py).
"""

from __future__ import annotations

import os
from typing import Any

from engine import values as V
from engine.diagnostics import Diagnostics, sentence
from engine.providers import (
    ApplyRequest,
    ApplyResult,
    CostEstimate,
    PlannedObject,
    PlanRequest,
    PlanResult,
    ReachabilityMatrix,
    ReadResult,
)
from engine.schema import Attribute, Block, ProviderSchema

from . import (both_ends, cross_checks, data_sources, dataplane, monitor_series, pricing,
               reachability, rules, security_lint, tunnel_ops)
from . import apply_helper
from .per_workdir import PerWorkdir
from . import strongswan_tunnel as proposals
from .client import CloudError, InProcessTransport, RetryPolicy, Transport, VpcClient
from .connection import DEFAULT_REGION, ENV, REGION_ENV, Connection, resolve
from .emulator import EmulatedVpcService, RealiserStore
from .emulator.products import routes_beside
from .emulator.store import store_path
from .emulator.chaos import FAULTS_ENV, FaultRates
from .lint_rules import RULES as LINT_RULES
from .resources import RESOURCES
from .resources.base import Context, ResourceType, cloud_error_detail, known

PROVIDER_BLOCK = Block(attributes={
    "region": Attribute(V.STRING, optional=True,
                        description=f"Region; default ${REGION_ENV}, else {DEFAULT_REGION}."),
    "secret_id": Attribute(V.STRING, optional=True,
                           description=f"SecretId of the API key; default ${ENV['secret_id']}. "
                           "Without credentials (and endpoint), the embedded emulator is "
                           "used."),
    "secret_key": Attribute(V.STRING, optional=True, sensitive=True,
                            description=f"SecretKey; default ${ENV['secret_key']}."),
    "security_token": Attribute(V.STRING, optional=True, sensitive=True,
                                description="Token of temporary credentials; default "
                                f"${ENV['security_token']}."),
    "protocol": Attribute(V.STRING, optional=True,
                          description="\"HTTPS\" (default) or \"HTTP\"."),
    "domain": Attribute(V.STRING, optional=True,
                        description="Root domain of the API: calls go to vpc.<domain> "
                        "(default tencentcloudapi.com)."),
    "endpoint": Attribute(V.STRING, optional=True,
                          description="URL of the API, such as \"http://127.0.0.1:8443\" for "
                          f"a served emulator (vpnform cloud serve); default ${ENV['endpoint']}."),
    "dataplane": Attribute(V.STRING, optional=True,
                           description="\"none\" (default; or $VPNFORM_DATAPLANE) or "
                           "\"strongswan\": the embedded emulated cloud builds real "
                           "namespaces, routes and strongSwan gateways for its objects."),
})

# Attribute of tencentcloud_vpn_connection -> the proposal option kind it sets.
DATAPLANE_CHECKED = {
    "ike_proto_encry_algorithm": ("ike_encryption", rules.IKE_ENCRYPTION_ALGORITHMS),
    "ike_proto_authen_algorithm": ("ike_integrity", rules.IKE_AUTHENTICATION_ALGORITHMS),
    "ike_dh_group_name": ("dh_group", rules.DH_GROUPS),
    "ipsec_encrypt_algorithm": ("esp_encryption", rules.IPSEC_ENCRYPTION_ALGORITHMS),
    "ipsec_integrity_algorithm": ("esp_integrity", rules.IPSEC_INTEGRITY_ALGORITHMS),
    "ipsec_pfs_dh_group": ("pfs_group", rules.PFS_DH_GROUPS),
}


def _mark(block: Block, value: dict | None) -> dict | None:
    """``value`` with the schema's sensitive attributes marked."""
    if value is None:
        return None
    return V.mark_paths(value, list(block.sensitive_paths(value)))


# Resources from which an apply on an embedded emulator that only computes starts the
# apply helper: below, its start-up (a fifth of a second on the other core) would outlast
# the plan, and the apply would not wait for it anyway.
HELPER_MIN_RESOURCES = 200


class TencentCloudProvider:
    """One configured ``provider "tencentcloud"`` block."""

    name = "tencentcloud"
    # engine.providers: the resource types ``vpnform tunnel`` acts on
    tunnel_types = frozenset({tunnel_ops.CONNECTION})

    def __init__(self, workdir: str = ".", *, transport: Transport | None = None,
                 helper: bool = False):
        self.workdir = str(workdir)
        # Whether applies of the embedded emulator that only compute may be carried out
        # by a helper process (apply_helper.py), beside the engine's work (as the
        # engine makes the provider: ``engine_provider``).
        self.helper = helper
        self.region = os.environ.get(REGION_ENV) or DEFAULT_REGION
        self.config: dict = {}
        # None: the policy of the transport (RetryPolicy() in process, the public
        # provider's over HTTP); tests set their own.
        self.retry: RetryPolicy | None = None
        self._transport_retry = RetryPolicy()
        self.connection: Connection | None = None
        self.poll_timeout = 300.0
        self._transport = transport
        self._service: EmulatedVpcService | None = None
        # the helper carrying out this configuration's batches, its key there, and the
        # answer to the configuration sent ahead to it
        self._helper: apply_helper.ApplyHelper | None = None
        self._helper_key = 0
        self._helper_configured: apply_helper.Pending | None = None
        self._configured_with: dict | None = None  # what configure was given
        self._client: VpcClient | None = None
        self.dataplane_mode = dataplane.DEFAULT_MODE
        self._pricer: pricing.GatewayPricer | None = None
        # Context.lasting of every context of this client's cloud (one command's run)
        self._lasting: dict = {}

    # -- configuration -----------------------------------------------------------------------
    def schema(self) -> ProviderSchema:
        return ProviderSchema(
            provider=PROVIDER_BLOCK,
            resources={name: r.schema for name, r in RESOURCES.items()},
            data_sources=dict(data_sources.SCHEMAS))

    def configure(self, config: dict) -> Diagnostics:
        cfg = V.unmark(config or {})[0]
        connection, d = resolve(cfg, os.environ)
        if connection is None:
            return d
        mode = known(cfg.get("dataplane"))
        if V.is_unknown(cfg.get("dataplane")):
            d.error("Invalid provider configuration", "The dataplane must be known at plan "
                    "time: it cannot depend on a resource's attributes. Set it from a literal "
                    "or a variable.", path=("dataplane",))
            return d
        mode = mode or os.environ.get(dataplane.ENV) or dataplane.DEFAULT_MODE
        if mode not in dataplane.MODES:
            d.error("Invalid provider configuration", f"The dataplane {mode!r} is not "
                    f"supported. Use one of: {', '.join(repr(m) for m in dataplane.MODES)}.",
                    path=("dataplane",))
            return d
        if mode != dataplane.DEFAULT_MODE and not connection.embedded \
                and self._transport is None:
            d.error("Invalid provider configuration", f"The {mode!r} dataplane builds the "
                    "embedded emulator's gateways on this machine, but this provider talks to "
                    f"another cloud: {connection.describe('')}. Set dataplane = \"none\", or "
                    "remove the credentials and endpoint (arguments and TENCENTCLOUD_* "
                    "variables) to use the embedded emulator.",
                    path=("dataplane",))
            return d
        self.dataplane_mode = mode
        if mode == "strongswan" and self._transport is None:
            from providers.netlab import NetlabError, require_lab_support
            try:
                require_lab_support()
            except NetlabError as err:
                d.error("Dataplane not available", "The \"strongswan\" dataplane builds "
                        "network namespaces and runs strongSwan on this machine, which cannot "
                        f"be done here: {sentence(err)} Set dataplane = \"none\" to use the "
                        "emulated cloud without real gateways.",
                        path=("dataplane",))
                return d
        self.region = connection.region
        self.config = cfg
        self._configured_with = config
        if self._transport is None and not connection.embedded:
            d.extend(self._connect_http(connection))
            if d.has_errors:
                return d
        elif self._transport is None:
            try:
                FaultRates.parse(os.environ.get(FAULTS_ENV))
            except ValueError as err:
                d.error("Invalid fault injection setting", f"{sentence(err)} Correct "
                        f"{FAULTS_ENV}, or unset it to run without injected faults.")
                return d
            self.connection = connection
            self._service = _acquire_service(self.workdir)
            self._transport = InProcessTransport(self._service, routes_beside(self._service))
            if mode == "strongswan" and self._service.dataplane is None:
                dp = dataplane.Dataplane(self.workdir)
                self._service.attach_dataplane(dp)
                try:
                    dp.heal(RealiserStore(self._service.store))
                except Exception as err:  # noqa: BLE001 - healing is best effort
                    d.warning("Dataplane not fully running", f"A VPN gateway's supervisor "
                              f"could not be restarted: {err}. Tunnels of that gateway will "
                              "not activate or fail over by themselves. Run vpnform plan "
                              "again to retry.", path=("dataplane",))
        self._client = VpcClient(self._transport, self.region,
                                 retry=self.retry or self._transport_retry)
        self._lasting = {}
        return d

    def _connect_http(self, connection: Connection) -> Diagnostics:
        """Use the SDK transport to ``connection`` (a served emulator or the real cloud)."""
        from .sdk_transport import SdkTransport, credential
        d = Diagnostics()
        try:
            self._transport_retry = RetryPolicy.public_provider(os.environ)
        except ValueError as err:
            d.error("Invalid retry timeout", f"{sentence(err)} Set it to a number of minutes, "
                    "or unset it for the public provider's defaults (3 minutes for reads, 5 "
                    "for writes).")
            return d
        try:
            cred = credential(connection.secret_id or "", connection.secret_key or "",
                              connection.security_token)
        except ValueError as err:
            d.error("Invalid provider configuration", f"The official SDK refused the "
                    f"credentials: {sentence(err)} Check secret_id and secret_key.")
            return d
        self.connection = connection
        self._transport = SdkTransport(cred, endpoint=connection.endpoint,
                                       domain=connection.domain, scheme=connection.scheme)
        return d

    def reads_wait(self) -> bool:
        """Whether reads wait on something outside this process (engine/providers.py):
        not for the embedded emulator alone (no real gateway behind it, no injected read
        latency or faults), whose answers are work in this process."""
        service = self._service
        if service is None or not isinstance(self._transport, InProcessTransport):
            return True
        return bool(service.dataplane is not None or service.effective_read_latency() > 0
                    or service.faults.active)

    def applies_wait(self) -> bool:
        """Whether apply's calls wait (engine/providers.py): as ``reads_wait``, and also
        when the embedded emulator makes new objects wait before they are AVAILABLE."""
        service = self._service
        return self.reads_wait() or service is None or service.effective_delay_scale() > 0

    def prepare_apply(self, resources: int) -> None:
        """The run will apply ``resources`` or so (engine/providers.py). When the embedded
        emulator's answers are computation alone and there are at least
        ``HELPER_MIN_RESOURCES``, a helper process can carry out batches of applies on the
        other core: it starts now, told this configuration, and is ready when the plan is
        made. Without one (too few, or it could not start), applies run in this process."""
        if not self.helper or self._helper is not None or self._service is None \
                or resources < HELPER_MIN_RESOURCES or self.applies_wait():
            return
        try:
            helper = apply_helper.acquire(self.workdir)
        except OSError:
            return
        key = helper.new_key()
        try:
            self._helper_configured = helper.send("configure", key, {
                "config": self._configured_with, "retry": self.retry,
                "poll_timeout": self.poll_timeout})
        except CloudError:
            apply_helper.release(helper)
            return
        self._helper, self._helper_key = helper, key

    def applies_run_elsewhere(self) -> bool:
        """Whether ``apply_batch`` carries out applies in another process (engine/providers.py):
        the helper of an embedded emulator that only computes, once it is ready. An apply
        whose plan was made before the helper started up (a small one, where waiting for
        it would cost more than it saves) runs in this process."""
        configured = self._helper_configured
        return (self._helper is not None and self._helper.running
                and (configured is None or configured.done.is_set()) and not self.applies_wait())

    def apply_batch(self, requests: list[ApplyRequest]) -> list:
        """Each request's ApplyResult, or the exception its apply raised (engine/providers.py),
        carried out by the helper in order; here, one after another, without it."""
        if not self.applies_run_elsewhere() or any(r.on_created for r in requests):
            out: list = []
            for r in requests:
                try:
                    out.append(self.apply(r))
                except Exception as e:  # noqa: BLE001 - raised again for its operation alone
                    out.append(e)
            return out
        assert self._helper is not None
        if self._helper_configured is not None:
            d = self._helper_configured.result()
            self._helper_configured = None
            if d.has_errors:  # configured here the same way without an error: a bug
                raise RuntimeError("the apply helper could not configure the provider: "
                                   + "; ".join(x.summary for x in d))
        results = self._helper.ask("apply", self._helper_key, requests)
        if len(results) < len(requests):  # the helper stopped: those not carried out
            results = results + [CloudError("the apply helper stopped before this apply")
                                 ] * (len(requests) - len(results))
        return results

    def target(self) -> str | None:
        """Which cloud this configuration talks to, in a few words (None: a transport
        given by the caller)."""
        if self.connection is None:
            return None
        store = os.path.relpath(store_path(self.workdir), self.workdir)
        proxy = getattr(self._transport, "proxy_for", None)
        return self.connection.describe(store, proxy("DescribeVpcs") if proxy else None)

    def cloud_context(self) -> Context:
        if self._client is None:
            self.configure({})
        assert self._client is not None
        self._client.retry = self.retry or self._transport_retry
        secrets = [known(self.config.get(k)) for k in ("secret_key", "security_token")]
        return Context(self._client, self.region, poll_timeout=self.poll_timeout,
                       secrets=[s for s in secrets if s], lasting=self._lasting)

    @property
    def service(self) -> EmulatedVpcService | None:
        """The embedded emulator (None when another transport was given)."""
        if self._client is None:
            self.configure({})
        return self._service

    # -- plan --------------------------------------------------------------------------------
    def _resource(self, type_name: str) -> ResourceType | None:
        return RESOURCES.get(type_name)

    @staticmethod
    def _unsupported(kind: str, type_name: str) -> Diagnostics:
        d = Diagnostics()
        d.error(f"Unsupported {kind} type",
                f"The tencentcloud provider has no {kind} type {type_name!r}. Check the "
                "type name against the provider's documentation.")
        return d

    def validate(self, type_name: str, config: dict) -> Diagnostics:
        r = self._resource(type_name)
        if r is None:
            if type_name in data_sources.SCHEMAS:
                return Diagnostics()
            return self._unsupported("resource", type_name)
        plain = V.unmark(config or {})[0]
        d = r.validate(plain)
        if self.dataplane_mode == "strongswan" and type_name == "tencentcloud_vpn_connection":
            d.extend(self._dataplane_diagnostics(plain))
        return d

    @staticmethod
    def _dataplane_diagnostics(config: dict) -> Diagnostics:
        """Options the cloud accepts but the strongSwan dataplane cannot negotiate: found
        at plan time, not as a tunnel that never comes up."""
        d = Diagnostics()
        for attr, (kind, accepted) in DATAPLANE_CHECKED.items():
            value = known(config.get(attr))
            if not isinstance(value, str) or value not in accepted:
                continue  # unset, unknown yet, or already reported as invalid
            problem = proposals.support_problem(kind, value)
            if problem is not None:
                d.error("Algorithm not supported by the dataplane",
                        problem.message + " Choose another value, or set dataplane = "
                        "\"none\" in the provider block to use the emulated cloud without "
                        "real gateways.", path=(attr,))
        return d

    def plan(self, request: PlanRequest) -> PlanResult:
        r = self._resource(request.type_name)
        if r is None:
            return PlanResult(planned=None,
                              diagnostics=self._unsupported("resource", request.type_name))
        result = r.plan(request.prior, request.config)
        result.diagnostics = Diagnostics.of([
            d if d.address else d.with_address(request.address) for d in result.diagnostics])
        return result

    def check_plan(self, objects: list[PlannedObject]) -> Diagnostics:
        d = cross_checks.check_plan(objects)
        d.extend(reachability.check_reachability(objects))
        return d

    def reachability(self, objects: list[PlannedObject]) -> ReachabilityMatrix:
        return reachability.matrix(objects)

    # the names of lint_plan's findings, for -lint policy files
    lint_rules = LINT_RULES

    def lint_plan(self, objects: list[PlannedObject]) -> Diagnostics:
        """Security findings about the planned tunnels (warnings), and errors where a
        tunnel's declared IDC end disagrees with it (no cloud read)."""
        d = both_ends.check_both_ends(objects)
        d.extend(security_lint.lint_connections(objects))
        return d

    def estimate_cost(self, type_name: str, value: dict) -> CostEstimate | None:
        """A gateway's monthly cost from the cloud's price inquiries (asked once each per
        run); None for the other types, which are free."""
        if type_name != pricing.GATEWAY_TYPE or not isinstance(value, dict):
            return None
        if self._pricer is None:
            context = self.cloud_context()  # configures the provider when it is not yet
            real_cloud = (self.connection is not None and not self.connection.embedded
                          and self.connection.endpoint is None)
            self._pricer = pricing.GatewayPricer(
                lambda: self.cloud_context().client, context.region,
                pricing.CLOUD_CURRENCY if real_cloud else pricing.EMULATOR_CURRENCY)
        return self._pricer.estimate(value)

    # -- apply and read ----------------------------------------------------------------------
    def apply(self, request: ApplyRequest) -> ApplyResult:
        r = self._resource(request.type_name)
        if r is None:
            return ApplyResult(new=None,
                               diagnostics=self._unsupported("resource", request.type_name))
        result = r.apply(self.cloud_context(), request.prior, request.planned,
                         request.create_token, request.on_created)
        result.new = _mark(r.block, result.new)
        result.diagnostics = Diagnostics.of([
            d if d.address else d.with_address(request.address) for d in result.diagnostics])
        return result

    def read(self, type_name: str, value: dict) -> ReadResult:
        r = self._resource(type_name)
        if r is None:
            return ReadResult(value=None, diagnostics=self._unsupported("resource", type_name))
        return _read_with(self.cloud_context(), r, value)

    def read_batch(self, type_name: str, values: list[dict]) -> list[ReadResult]:
        """``read`` of each of ``values`` (objects of one type), the same results, with what
        the reads ask the cloud asked ahead at once: one Describe per 100 IDs (an ID the
        answer lacks is gone) rather than one per object."""
        r = self._resource(type_name)
        if r is None:
            return [self.read(type_name, v) for v in values]
        ctx = self.cloud_context()
        plains = [V.unmark(v)[0] for v in values]  # (each read takes its own, once)
        try:
            r.read_ahead(ctx, plains)
        except CloudError:
            pass  # each object is read (and any failure reported) one by one below
        return [_read_with(ctx, r, v, p) for v, p in zip(values, plains)]

    def recover_create(self, type_name: str, token: str, planned: dict) -> ReadResult:
        r = self._resource(type_name)
        if r is None:
            return ReadResult(value=None, diagnostics=self._unsupported("resource", type_name))
        ctx = self.cloud_context()
        try:
            return ReadResult(value=_mark(r.block, r.recover(ctx, token, planned)))
        except CloudError as e:
            d = Diagnostics()
            d.error(f"Error looking up {r.noun}", "The object an interrupted create may have "
                    "made could not be looked up: " + cloud_error_detail(e, ctx.secrets)
                    + " Run the command again.")
            return ReadResult(value=None, diagnostics=d)

    def import_resource(self, type_name: str, id: str) -> ReadResult:
        r = self._resource(type_name)
        if r is None:
            return ReadResult(value=None, diagnostics=self._unsupported("resource", type_name))
        result = self.read(type_name, r.import_prior(id))
        if result.value is None and not result.diagnostics:
            d = Diagnostics()
            d.error("Cannot import non-existent remote object",
                    f"No {r.noun} with ID {id!r} exists in region {self.region}. Check the ID "
                    "and the provider's region.")
            return ReadResult(value=None, diagnostics=d)
        if result.value is not None and not result.diagnostics:
            value = V.unmark(result.value)[0]
            for name, a in r.block.attributes.items():
                if value.get(name) is None and a.default is not None:
                    value[name] = a.default
            result.value = _mark(r.block, value)
        return result

    def read_data_source(self, type_name: str, config: dict) -> ReadResult:
        if type_name not in data_sources.READERS:
            return ReadResult(value=None, diagnostics=self._unsupported("data source", type_name))
        ctx = self.cloud_context()
        cfg: dict[str, Any] = V.unmark(config or {})[0]
        try:
            return ReadResult(value=data_sources.read_data_source(ctx, type_name, cfg,
                                                                  self.workdir))
        except (CloudError, OSError) as e:
            d = Diagnostics()
            detail = (cloud_error_detail(e, ctx.secrets) if isinstance(e, CloudError)
                      else f"Could not write result_output_file: {sentence(e)} Check that "
                      "its directory exists and is writable.")
            d.error("Error reading data source", detail)
            return ReadResult(value=None, diagnostics=d)

    # -- live tunnel operations (engine.providers.TunnelProvider) -------------------------
    def tunnel_ping(self, type_name: str, value: dict, target: str | None,
                    count: int) -> tuple[dict | None, Diagnostics]:
        if type_name != tunnel_ops.CONNECTION:
            d = Diagnostics()
            d.error("Not a tunnel", f"{type_name} is not a VPN connection. Ping through a "
                    "tencentcloud_vpn_connection instead.")
            return None, d
        return tunnel_ops.tunnel_ping(self.workdir, value, target, count)

    def tunnel_config(self, type_name: str, value: dict,
                      vendor: str) -> tuple[str | None, Diagnostics]:
        if type_name != tunnel_ops.CONNECTION:
            d = Diagnostics()
            d.error("Not a tunnel", f"{type_name} is not a VPN connection. Choose a "
                    "tencentcloud_vpn_connection instead.")
            return None, d
        return tunnel_ops.tunnel_config(self.cloud_context().client, value, vendor)

    def tunnel_status(self, type_name: str, value: dict) -> tuple[dict | None, Diagnostics]:
        if type_name != tunnel_ops.CONNECTION:
            return None, Diagnostics()
        return tunnel_ops.tunnel_status(self.workdir, self.cloud_context().client, value)

    def tunnel_metrics(self, type_name: str, value: dict, metrics: list[str] | None,
                       period: int, start: float, end: float
                       ) -> tuple[list[dict] | None, Diagnostics]:
        if type_name != tunnel_ops.CONNECTION:
            d = Diagnostics()
            d.error("Not a tunnel", f"{type_name} is not a VPN connection. Give the address "
                    "of a tencentcloud_vpn_connection instead.")
            return None, d
        return monitor_series.tunnel_metrics(self.cloud_context().client, value, metrics, period,
                                         start, end)

    def fail_gateway(self, type_name: str, value: dict) -> tuple[str | None, Diagnostics]:
        """engine.providers.GatewayFailover: SIGKILL the active charon of a VPN gateway's
        strongSwan dataplane; its supervisor moves the public IP to the standby."""
        d = Diagnostics()
        if type_name != "tencentcloud_vpn_gateway":
            d.error("Not a VPN gateway", f"{type_name} has no failover pair. Choose a "
                    "tencentcloud_vpn_gateway instead.")
            return None, d
        try:
            return str(dataplane.fail_gateway(self.workdir, V.unmark(value)[0]["id"])), d
        except dataplane.DataplaneError as err:
            d.error("No gateway to fail", f"{sentence(err)} Only a gateway of the strongSwan "
                    "dataplane has a standby to take over. Set dataplane = \"strongswan\" in "
                    "the provider block and apply again to build one.")
            return None, d

    def close(self) -> None:
        if self._helper is not None:
            apply_helper.release(self._helper)
            self._helper = None
        if self._service is not None:
            _release_service(self._service)
            self._service = None
        self._client = None
        self._transport = None
        self.connection = None


def _read_with(ctx: Context, r: ResourceType, value: dict,
               plain_value: dict | None = None) -> ReadResult:
    """One object read through ``ctx``: None when gone, an error diagnostic (and the value
    as it was) when the cloud failed. ``plain_value``: ``value`` unmarked, a copy of the
    caller's that the read may take as its own."""
    try:
        got = (r.read(ctx, value) if plain_value is None
               else r.read_plain(ctx, plain_value))
        return ReadResult(value=_mark(r.block, got))
    except CloudError as e:
        d = Diagnostics()
        secrets = ctx.secrets + r.secrets_of(V.unmark(value)[0])
        d.error(f"Error reading {r.noun}", cloud_error_detail(e, secrets))
        return ReadResult(value=value, diagnostics=d)


def engine_provider(*, workdir: str) -> TencentCloudProvider:
    """The provider as the engine makes it (the ``vpnform.providers`` entry point): a
    batch of applies on an embedded emulator that only computes goes to a helper process,
    beside the engine's work."""
    return TencentCloudProvider(workdir, helper=True)


# One embedded emulator per working directory per process, shared by every provider
# configuration (alias/region): one SQLite connection serialised by a Python lock, rather
# than several connections busy-waiting on SQLite's write lock.
_SERVICES: PerWorkdir[EmulatedVpcService] = PerWorkdir(
    EmulatedVpcService.for_workdir, lambda service: service.store.close())
_acquire_service = _SERVICES.acquire
_release_service = _SERVICES.release
