"""The configured providers of one run: one Provider object per provider configuration.

Finds provider implementations through entry points, evaluates each `provider` block (or
an implied empty configuration) and calls ``configure``. Resources resolve their provider
configuration here (``provider = tencentcloud.hk`` or the default for the type's prefix).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .addrs import ProviderConfigAddr
from .config.model import Module, ProviderRef
from .diagnostics import Diagnostics, SourceRange
from .providers import Provider, load_provider_factory
from .schema import ProviderSchema, ResourceSchema


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

    def close(self) -> None:
        for p in self.providers.values():
            try:
                p.close()
            except Exception:  # noqa: BLE001 - closing must not mask the real outcome
                pass


def provider_addr_for(ref: ProviderRef, module: Module) -> ProviderConfigAddr:
    req = module.required_providers.get(ref.name)
    namespace = "tencentcloudstack"
    if req is not None and req.source and "/" in req.source:
        namespace = req.source.split("/")[-2]
    return ProviderConfigAddr(ref.name, ref.alias, namespace)


def needed_provider_addrs(module: Module, state_addrs: list[ProviderConfigAddr]) -> list:
    addrs: set[ProviderConfigAddr] = set()
    for res in module.resources.values():
        addrs.add(provider_addr_for(res.provider, module))
    for (name, alias) in module.providers:
        addrs.add(provider_addr_for(ProviderRef(name, alias), module))
    addrs.update(state_addrs)
    return sorted(addrs, key=lambda a: (a.name, a.alias or ""))


def configure_providers(
    module: Module,
    workdir: str,
    state_addrs: list[ProviderConfigAddr],
    decode_provider_body: Callable,  # (ProviderConfig, schema Block) -> (value, diags)
) -> tuple[ProviderSet, Diagnostics]:
    """Instantiate and configure every provider configuration the run needs."""
    diags = Diagnostics()
    ps = ProviderSet()
    for addr in needed_provider_addrs(module, state_addrs):
        factory = load_provider_factory(addr.name)
        cfg = module.providers.get((addr.name, addr.alias))
        if factory is None:
            subject = cfg.range if cfg else _first_use(module, addr)
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
                "remove the provider argument from the resource.", _first_use(module, addr))
            continue
        provider: Provider = factory(workdir=workdir)
        schema = provider.schema()
        ps.schemas[addr.name] = schema
        if cfg is not None:
            value, d = decode_provider_body(cfg, schema.provider)
            diags.extend(d)
            if d.has_errors:
                continue
        else:
            value = {name: None for name in schema.provider.attributes}
        d = provider.configure(value)
        for diag in d:
            diags.append(diag if diag.subject or cfg is None else diag.with_subject(cfg.range))
        ps.providers[addr] = provider
    return ps, diags


def _installed() -> list[str]:
    from .providers import available_providers
    return list(available_providers())


def _first_use(module: Module, addr: ProviderConfigAddr) -> SourceRange | None:
    for res in module.resources.values():
        if res.provider.name == addr.name and res.provider.alias == addr.alias:
            return res.provider.range or res.range
    return None
