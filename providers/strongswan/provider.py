"""The ``strongswan`` provider: ``strongswan_connection`` resources loaded into a real charon
over VICI (observe with list-conns → diff → act with load-conn / load-shared / unload-conn),
and the ``strongswan_sas`` data source (live SA facts).

The pre-shared key is loaded with load-shared under ``vpnform-psk-<name>``, owned by the
connection's local and remote identities. charon never returns a key, so state keeps the
configured value; a refresh only checks that the key id is still loaded (if it is not, the
PSK reads as null and the next plan loads it again). Messages never show a key.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from engine import values as V
from engine.diagnostics import Diagnostics, sentence
from engine.providers import (
    ApplyRequest,
    ApplyResult,
    PlannedObject,
    PlanRequest,
    PlanResult,
    ReadResult,
)
from engine.schema import Attribute, Block, ProviderSchema

from providers.swankit import status
from providers.swankit.proposals import AlgorithmSupport
from providers.swankit.vici import (
    DEFAULT_URI,
    CharonUnreachable,
    StrongSwanError,
    ViciClient,
    is_not_found,
    parse_socket_uri,
    redact,
)

from . import connection, data_sources, model

PROVIDER_BLOCK = Block(attributes={
    "vici_socket": Attribute(
        V.STRING, optional=True,
        description=f"charon's VICI socket as a URI (default {DEFAULT_URI}); a relative path "
        "after unix:// is relative to the working directory."),
})

RESOURCES = {connection.TYPE_NAME: connection.SCHEMA}
NOUN = "strongSwan connection"


def _mark(value: dict | None) -> dict | None:
    if value is None:
        return None
    return V.mark_paths(value, list(connection.BLOCK.sensitive_paths(value)))


def _plain(v: Any) -> Any:
    return V.unmark(v)[0] if v is not None else None


def _secrets(*values: Any) -> tuple:
    out = []
    for v in values:
        psk = (v or {}).get("psk") if isinstance(v, dict) else None
        if isinstance(psk, str) and psk:
            out.append(psk)
    return tuple(out)


class StrongSwanProvider:
    """One configured ``provider "strongswan"`` block: one charon, reached over VICI."""

    name = "strongswan"

    def __init__(self, workdir: str = ".", *, session_factory=None):
        self.workdir = str(workdir)
        self.uri = DEFAULT_URI
        self.socket_path = parse_socket_uri(DEFAULT_URI, self.workdir)
        self._session_factory = session_factory
        self.client: ViciClient | None = None
        self.daemon_version: str | None = None
        self._support: AlgorithmSupport | None = None

    # -- configuration -------------------------------------------------------------------
    def schema(self) -> ProviderSchema:
        return ProviderSchema(provider=PROVIDER_BLOCK, resources=dict(RESOURCES),
                              data_sources=dict(data_sources.SCHEMAS))

    def configure(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        cfg = _plain(config or {})
        uri = cfg.get("vici_socket")
        if V.is_unknown(uri):
            d.error("Invalid provider configuration", "The vici_socket argument must be known "
                    "at plan time: it cannot depend on a resource's attributes. Set it from a "
                    "literal or a variable.", path=("vici_socket",))
            return d
        uri = uri or DEFAULT_URI
        try:
            path = parse_socket_uri(uri, self.workdir)
        except ValueError as err:
            d.error("Invalid provider configuration", sentence(err), path=("vici_socket",))
            return d
        self.uri, self.socket_path = uri, path
        self.client = ViciClient(path, session_factory=self._session_factory)
        try:
            version = self.client.version()
            algorithms = self.client.get_algorithms()
        except StrongSwanError as err:
            d.error("Cannot reach strongSwan",
                    f"{sentence(err)} Start charon with its vici plugin (for the local lab, "
                    f"run `vpnform lab up`), and check that the provider's vici_socket ({uri}) "
                    "names its socket.",
                    path=("vici_socket",))
            return d
        self.daemon_version = f"{version.get('daemon', 'charon')} {version.get('version', '?')}"
        self._support = AlgorithmSupport.from_get_algorithms(
            algorithms, source=f"{self.daemon_version} at {uri}")
        return d

    def target(self) -> str | None:
        """engine.providers: the charon this configuration changes (None until configured)."""
        return f"{self.daemon_version} at {self.uri}" if self.daemon_version else None

    @property
    def algorithm_support(self) -> AlgorithmSupport:
        """What this strongSwan can run: charon's own answer once configured, else an
        estimate from the plugin files installed here."""
        if self._support is None:
            self._support = AlgorithmSupport.from_plugin_dir()
        return self._support

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A raw ``vici.Session`` to the configured charon (for status.sa_status)."""
        with self._client().session() as s:
            yield s

    def _client(self) -> ViciClient:
        if self.client is None:
            self.client = ViciClient(self.socket_path, session_factory=self._session_factory)
        return self.client

    @staticmethod
    def _unsupported(kind: str, type_name: str) -> Diagnostics:
        d = Diagnostics()
        d.error(f"Unsupported {kind} type",
                f"The strongswan provider has no {kind} type {type_name!r}. Check the type "
                "name against the provider's documentation.")
        return d

    # -- plan ----------------------------------------------------------------------------
    def validate(self, type_name: str, config: dict) -> Diagnostics:
        if type_name == connection.TYPE_NAME:
            return connection.validate(config, self.algorithm_support)
        if type_name in data_sources.SCHEMAS:
            return Diagnostics()
        return self._unsupported("resource", type_name)

    def plan(self, request: PlanRequest) -> PlanResult:
        if request.type_name != connection.TYPE_NAME:
            return PlanResult(planned=None,
                              diagnostics=self._unsupported("resource", request.type_name))
        return connection.plan(request.prior, request.config)

    def check_plan(self, objects: list[PlannedObject]) -> Diagnostics:
        """One charon cannot hold two connections of one name: checked across every object
        planned for the same socket. (Reqids are not compared across connections: a planned
        reqid may be one charon allocated once and has since reused.)"""
        d = Diagnostics()
        names: dict[tuple, str] = {}
        for obj in objects:
            if obj.type_name != connection.TYPE_NAME or obj.action == "delete":
                continue
            value = _plain(obj.value) or {}
            sock = getattr(obj.provider, "socket_path", None)
            name = value.get("name")
            if isinstance(name, str):
                other = names.setdefault((sock, name), obj.address)
                if other != obj.address:
                    d.error("Duplicate connection name",
                            f'{other} and {obj.address} both load a connection named "{name}" '
                            f"into the charon at {sock}; the second would replace the first. "
                            "Give each its own name.", address=obj.address, path=("name",))
        return d

    # -- apply ---------------------------------------------------------------------------
    def apply(self, request: ApplyRequest) -> ApplyResult:
        if request.type_name != connection.TYPE_NAME:
            return ApplyResult(new=None,
                               diagnostics=self._unsupported("resource", request.type_name))
        # computed values the plan left unknown (a new child's reqid) are decided here
        prior, planned = _plain(request.prior), _known(_plain(request.planned))
        config = _plain(request.config)
        secrets = _secrets(prior, planned, config)
        client = self._client()
        if planned is None:
            result = self._delete(client, prior, secrets)
        elif prior is None:
            result = self._create(client, planned, config, secrets)
        else:
            result = self._update(client, prior, planned, config, secrets)
        result.new = _mark(result.new)
        result.diagnostics = Diagnostics.of([
            (d if d.address else d.with_address(request.address)).redacted(set(secrets))
            for d in result.diagnostics])
        return result

    def _fail(self, verb: str, name: str, err: StrongSwanError, secrets: tuple) -> Diagnostics:
        d = Diagnostics()
        if isinstance(err, CharonUnreachable):
            fix = ("Check that charon is running and that the provider's vici_socket "
                   f"({self.uri}) names its socket; for the local lab, run `vpnform lab up`.")
        else:
            fix = ("Check the connection with swanctl --list-conns, correct the configuration "
                   "if needed, and run the command again.")
        d.error(f"Error {verb} {NOUN}",
                redact(f'Connection "{name}" on the charon at {self.socket_path} failed: '
                       f"{sentence(err)} ", secrets) + fix)
        return d

    def _load(self, client: ViciClient, planned: dict, config: dict | None,
              secrets: tuple) -> None:
        client.load_shared(model.shared_key_id(planned["name"]), planned["psk"],
                           model.psk_owners(planned))
        client.load_conn(model.to_vici(model.loadable(planned, config)), secrets)

    def _read_back(self, client: ViciClient, name: str, prior: dict) -> dict | None:
        conn = client.list_conn(name)
        if conn is None:
            return None
        psk_loaded = model.shared_key_id(name) in client.shared_key_ids()
        child_sas = model.child_sas_of(client.list_sas(name), name)
        return model.from_vici(name, conn, prior, psk_loaded=psk_loaded, child_sas=child_sas)

    def _create(self, client: ViciClient, planned: dict, config: dict | None,
                secrets: tuple) -> ApplyResult:
        name = planned["name"]
        try:
            if client.list_conn(name) is not None:
                d = Diagnostics()
                d.error("Connection already exists",
                        f'The charon at {self.socket_path} already has a connection named '
                        f'"{name}", which vpnform does not manage. Import it with `vpnform '
                        f"import` to manage it, unload it (swanctl --unload-conn), or choose "
                        "another name.", path=("name",))
                return ApplyResult(new=None, diagnostics=d)
        except StrongSwanError as err:
            return ApplyResult(new=None, diagnostics=self._fail("creating", name, err, secrets))
        try:
            self._load(client, planned, config, secrets)
        except StrongSwanError as err:
            # leave nothing behind: a half-loaded connection would outlive the failed create
            for undo in (lambda: client.unload_conn(name),
                         lambda: client.unload_shared(model.shared_key_id(name))):
                try:
                    undo()
                except StrongSwanError:
                    pass
            return ApplyResult(new=None, diagnostics=self._fail("creating", name, err, secrets))
        try:
            new = self._read_back(client, name, planned)
        except StrongSwanError as err:
            # loaded, but not confirmed: hand the planned value back (recorded as tainted)
            return ApplyResult(new=planned,
                               diagnostics=self._fail("creating", name, err, secrets))
        if new is None:
            d = Diagnostics()
            d.error(f"Error creating {NOUN}",
                    f'Connection "{name}" was loaded but charon does not list it; it may have '
                    "been unloaded at once. Run plan again to see its state.")
        else:
            d = Diagnostics()
        return ApplyResult(new=new, diagnostics=d)

    def _update(self, client: ViciClient, prior: dict, planned: dict, config: dict | None,
                secrets: tuple) -> ApplyResult:
        name = planned["name"]
        try:
            self._load(client, planned, config, secrets)
            self._close_removed_children(client, name, prior, planned)
            new = self._read_back(client, name, planned)
        except StrongSwanError as err:
            try:
                now = self._read_back(client, name, prior)
            except StrongSwanError:
                now = prior
            return ApplyResult(new=now, diagnostics=self._fail("updating", name, err, secrets))
        d = Diagnostics()
        if new is None:
            d.error(f"Error updating {NOUN}",
                    f'Connection "{name}" no longer exists in charon. Run plan again to create '
                    "it anew.")
        return ApplyResult(new=new, diagnostics=d)

    @staticmethod
    def _close_removed_children(client: ViciClient, name: str, prior: dict,
                                planned: dict) -> None:
        """load-conn leaves the CHILD_SAs of a child block that was removed running: close
        them, so removing a child takes its tunnel down."""
        kept = {c.get("name") for c in planned.get("child") or []}
        removed = {c.get("name") for c in prior.get("child") or []} - kept
        if not removed:
            return
        for sa in model.child_sas_of(client.list_sas(name), name):
            if sa.get("name") in removed and sa.get("uniqueid"):
                try:
                    client.terminate_child(sa["uniqueid"])
                except StrongSwanError as err:
                    if not is_not_found(err):
                        raise

    def _delete(self, client: ViciClient, prior: dict, secrets: tuple) -> ApplyResult:
        name = prior.get("name") or prior.get("id")
        try:
            try:
                client.unload_conn(name)
            except StrongSwanError as err:
                if not is_not_found(err):
                    raise
            try:
                client.unload_shared(model.shared_key_id(name))
            except StrongSwanError as err:
                if not is_not_found(err):
                    raise
            # the definition is gone; take its live SAs down too
            for item in client.list_sas(name):
                sa = item.get(name)
                if isinstance(sa, dict) and sa.get("uniqueid"):
                    try:
                        client.terminate_ike(sa["uniqueid"])
                    except StrongSwanError as err:
                        if not is_not_found(err):
                            raise
        except StrongSwanError as err:
            return ApplyResult(new=prior, diagnostics=self._fail("deleting", name, err, secrets))
        return ApplyResult(new=None)

    # -- read ----------------------------------------------------------------------------
    def read(self, type_name: str, value: dict) -> ReadResult:
        if type_name != connection.TYPE_NAME:
            return ReadResult(value=None, diagnostics=self._unsupported("resource", type_name))
        prior = _plain(value) or {}
        name = prior.get("name") or prior.get("id")
        try:
            got = self._read_back(self._client(), name, prior)
        except StrongSwanError as err:
            d = self._fail("reading", name, err, _secrets(prior))
            return ReadResult(value=value, diagnostics=d)
        return ReadResult(value=_mark(got))

    def recover_create(self, type_name: str, token: str, planned: dict) -> ReadResult:
        """A connection is known to charon by its name: an interrupted load is found by it
        (charon has no place for a token, and loading the same name again replaces it)."""
        return self.read(type_name, planned)

    def import_resource(self, type_name: str, id: str) -> ReadResult:
        if type_name != connection.TYPE_NAME:
            return ReadResult(value=None, diagnostics=self._unsupported("resource", type_name))
        prior: dict[str, Any] = {n: None for n in connection.BLOCK.attributes}
        prior.update({"id": id, "name": id, "child": []})
        result = self.read(type_name, prior)
        if result.value is None and not result.diagnostics:
            d = Diagnostics()
            d.error("Cannot import non-existent remote object",
                    f'The charon at {self.socket_path} has no connection named "{id}". Check '
                    "the name with swanctl --list-conns.")
            return ReadResult(value=None, diagnostics=d)
        return result

    def read_data_source(self, type_name: str, config: dict) -> ReadResult:
        if type_name not in data_sources.SCHEMAS:
            return ReadResult(value=None, diagnostics=self._unsupported("data source", type_name))
        try:
            with self._client().session() as s:
                value = data_sources.read(type_name, s, _plain(config or {}))
        except StrongSwanError as err:
            d = Diagnostics()
            d.error("Error reading data source",
                    f"The charon at {self.socket_path} did not answer: {sentence(err)} Check "
                    "that charon is running and that vici_socket names its socket.")
            return ReadResult(value=None, diagnostics=d)
        return ReadResult(value=value)

    # -- live tunnel operations (engine.providers.TunnelProvider) -------------------------
    def tunnel_status(self, type_name: str, value: dict) -> tuple[dict | None, Diagnostics]:
        d = Diagnostics()
        if type_name != "strongswan_connection":
            return None, d
        plain = V.unmark(value)[0]
        try:
            with self.session() as s:
                st = status.sa_status(s, plain["name"])
        except Exception as err:  # noqa: BLE001 - an unreachable charon is a diagnostic
            d.error("Cannot read the tunnel's state",
                    f"The charon did not answer: {sentence(err)} Check that charon is running "
                    "(for the local lab, run `vpnform lab up`).")
            return None, d
        return status.tunnel_view(st, plain["name"], plain.get("id")), d

    def tunnel_ping(self, type_name: str, value: dict, target: str | None,
                    count: int) -> tuple[dict | None, Diagnostics]:
        """Ping from the lab host inside the connection's local traffic selector."""
        d = Diagnostics()
        plain = V.unmark(value)[0]
        children = plain.get("child") or []
        local = [ts for c in children for ts in (c.get("local_ts") or [])]
        remote = [ts for c in children for ts in (c.get("remote_ts") or [])]
        from providers.netlab.lab import Lab
        import ipaddress

        from providers.netlab.ns import Namespace, first_host
        host = None
        for info in Lab(self.workdir).read_record().get("hosts", {}).values():
            if not info.get("address") or not info.get("namespace"):
                continue
            addr = ipaddress.IPv4Address(info["address"])
            if any(addr in ipaddress.IPv4Network(ts, strict=False) for ts in local):
                host = info
                break
        if host is None or not remote:
            d.error("No host to ping from",
                    "No lab host sits inside the connection's local traffic selectors "
                    f"({', '.join(local) or 'none'}). Run `vpnform lab up` to make one for the "
                    "simulated IDC.")
            return None, d
        result = Namespace(host["namespace"]).ping(target or first_host(remote[0]), count)
        return {**result, "source": host["address"]}, d

    def tunnel_config(self, type_name: str, value: dict,
                      vendor: str) -> tuple[str | None, Diagnostics]:
        d = Diagnostics()
        d.error("No peer configuration here",
                "A strongswan_connection is itself the device configuration, so there is no "
                "peer configuration to show. Run vpnform tunnel config on the other end's "
                "tunnel instead, e.g. vpnform tunnel config tencentcloud_vpn_connection.NAME "
                "-vendor=strongswan.")
        return None, d

    def close(self) -> None:
        self.client = None


def _known(value: Any) -> Any:
    """``value`` with anything still unknown read as null."""
    def walk(v: Any) -> Any:
        if isinstance(v, V.Unknown):
            return None
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v
    return walk(value)
