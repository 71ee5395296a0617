"""The configured providers of one run: one Provider object per provider configuration.

Finds provider implementations through entry points, evaluates each `provider` block (or
an implied empty configuration) and calls ``configure``. Resources resolve their provider
configuration here (``provider = tencentcloud.hk`` or the default for the type's prefix).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .addrs import DATA, ProviderConfigAddr, ResourceAddr
from .config.model import ProviderRef
from .config.tree import Config, resolve_provider
from .diagnostics import Diagnostics, SourceRange
from .providers import Provider, load_provider_factory
from .schema import Block, ProviderSchema, ResourceSchema


@dataclass
class ProviderSet:
    providers: dict = field(default_factory=dict)  # ProviderConfigAddr -> Provider
    schemas: dict = field(default_factory=dict)  # provider local name -> ProviderSchema

    def get(self, addr: ProviderConfigAddr) -> Provider | None:
        return self.providers.get(addr)

    def resource_schema(self, provider_name: str, type_name: str,
                        data: bool = False) -> ResourceSchema | None:
        ps: ProviderSchema | None = self.schemas.get(provider_name)
        if ps is None:
            return None
        return (ps.data_sources if data else ps.resources).get(type_name)

    def resource_block(self, addr: ResourceAddr) -> Block | None:
        """The schema of a resource's (or data source's) type, whichever provider has it."""
        for ps in self.schemas.values():
            rs = (ps.data_sources if addr.mode == DATA else ps.resources).get(addr.type)
            if rs is not None:
                return rs.block
        return None

    def targets(self) -> list[tuple[ProviderConfigAddr, str]]:
        """(configuration, what it talks to) for each configured provider that says."""
        out = []
        for addr in sorted(self.providers, key=lambda a: (a.name, a.alias or "")):
            target = getattr(self.providers[addr], "target", None)
            text = target() if callable(target) else None
            if text:
                out.append((addr, text))
        return out

    def prepare_apply(self, resources: int) -> None:
        """Tell each provider that has the optional ``prepare_apply`` that the run will
        apply, with about ``resources`` resources (engine/providers.py)."""
        for p in self.providers.values():
            prepare = getattr(p, "prepare_apply", None)
            if callable(prepare):
                prepare(resources)

    def close(self) -> None:
        for p in self.providers.values():
            try:
                p.close()
            except Exception:  # noqa: BLE001 - closing must not mask the real outcome
                pass


def needed_provider_addrs(config: Config, state_addrs: list[ProviderConfigAddr]) -> list:
    """Every root provider configuration a resource (in any module) uses or the root
    module declares, and those state records name."""
    addrs: set[ProviderConfigAddr] = set(config.provider_addrs.values())
    for (name, alias) in config.module.providers:
        paddr, _ = resolve_provider(config.root, ProviderRef(name, alias), None, config.module)
        if paddr is not None:
            addrs.add(paddr)
    for imp in config.module.imports:  # an import may target a resource not written yet
        ref = imp.provider or ProviderRef(imp.target.type.split("_", 1)[0])
        paddr, _ = resolve_provider(config.root, ref, None, config.module)
        if paddr is not None:
            addrs.add(paddr)
    addrs.update(state_addrs)
    return sorted(addrs, key=lambda a: (a.name, a.alias or ""))


def configure_providers(
    config: Config,
    workdir: str,
    state_addrs: list[ProviderConfigAddr],
    decode_provider_body: Callable,  # (ProviderConfig, schema Block) -> DecodedBody
    configure: bool = True,
) -> tuple[ProviderSet, Diagnostics]:
    """Instantiate and configure every provider configuration the run needs. Without
    ``configure`` (validate), the blocks are decoded against the schema but no provider is
    configured: its arguments may be unknown yet, and nothing remote is touched."""
    diags = Diagnostics()
    ps = ProviderSet()
    module = config.module
    for addr in needed_provider_addrs(config, state_addrs):
        factory = load_provider_factory(addr.name)
        cfg = module.providers.get((addr.name, addr.alias))
        if factory is None:
            subject = cfg.range if cfg else _first_use(config, addr)
            diags.error(
                "Failed to query available provider packages",
                f'Could not find a provider named "{addr.name}". vpnform has these '
                "providers installed: " + ", ".join(sorted(_installed())) + ". Check the "
                "resource type prefix or the provider name.", subject)
            continue
        if addr.alias and cfg is None:
            diags.error(
                "Provider configuration not present",
                f"The configuration refers to provider {addr}, but there is no "
                f'provider "{addr.name}" block with alias = "{addr.alias}". Add one, or '
                "remove the provider argument from the resource.", _first_use(config, addr))
            continue
        provider: Provider = factory(workdir=workdir)
        schema = provider.schema()
        ps.schemas[addr.name] = schema
        decoded = None
        if cfg is not None:
            decoded = decode_provider_body(cfg, schema.provider)
            diags.extend(decoded.diagnostics)
            if decoded.diagnostics.has_errors:
                continue
            value = decoded.value
        else:
            value = {name: None for name in schema.provider.attributes}
        if not configure:
            ps.providers[addr] = provider
            continue
        d = provider.configure(value)
        for diag in d:
            if diag.subject is None and cfg is not None and decoded is not None:
                # the argument's line when the provider names one, else the block's
                subject = (decoded.range_for(diag.attribute_path)
                           if diag.attribute_path else None) or cfg.range
                diag = diag.with_subject(subject)
            diags.append(diag)
        ps.providers[addr] = provider
    return ps, diags


def _installed() -> list[str]:
    from .providers import available_providers
    return list(available_providers())


def _first_use(config: Config, addr: ProviderConfigAddr) -> SourceRange | None:
    for caddr in sorted(config.provider_addrs):
        if config.provider_addrs[caddr] == addr:
            res = config.resource(caddr)
            if res is not None:
                return res.provider.range or res.range
    return None


def provider_schemas(names, workdir: str) -> dict[str, ProviderSchema]:
    """The schema of each installed provider named (local names), read from an unconfigured
    instance: nothing remote is touched. Names not installed are left out."""
    out: dict[str, ProviderSchema] = {}
    for name in sorted(set(names)):
        factory = load_provider_factory(name)
        if factory is None:
            continue
        provider = factory(workdir=workdir)
        try:
            out[name] = provider.schema()
        finally:
            provider.close()
    return out
