"""The configuration tree: the root module and every module it calls, read from disk.

A node is one module *of the configuration* — ``module.site`` however many instances its
count or for_each makes. Its path is static: module steps without instance keys, the form
resource addresses take in dependency lists (``module.site.tencentcloud_vpc.main``).
Everything that can be checked before evaluation is checked here: module sources and
directories, recursion, arguments against the called module's variables, and which
provider configuration each resource uses (inherited, or passed with ``providers``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..addrs import ModuleInstanceStep, ModulePath, ProviderConfigAddr, ResourceAddr
from ..diagnostics import Diagnostics, SourceRange
from ..gc_paused import made_for_the_run
from .evaluate import suggestion
from .loader import load_module
from .model import Module, ModuleCall, ProviderRef, Resource

MAX_DEPTH = 32


def static_path(path: ModulePath) -> ModulePath:
    """A module instance path with its instance keys dropped."""
    if all(s.key is None for s in path):
        return path
    return tuple(ModuleInstanceStep(s.name) for s in path)


def config_addr(addr: ResourceAddr) -> ResourceAddr:
    """The configuration resource an address belongs to (module keys dropped)."""
    path = static_path(addr.module)
    return addr if path is addr.module else ResourceAddr(addr.mode, addr.type, addr.name, path)


@dataclass(eq=False)
class ConfigNode:
    path: ModulePath  # static; () for the root module
    module: Module
    call: ModuleCall | None = None  # the block in the parent module that calls this one
    parent: "ConfigNode | None" = None
    children: dict = field(default_factory=dict)  # call name -> ConfigNode
    display_dir: str = ""  # this module's directory relative to the root module's

    def __str__(self) -> str:
        return ".".join(str(s) for s in self.path) or "the root module"

    def resource_addr(self, local: ResourceAddr) -> ResourceAddr:
        """The configuration address of one of this module's resources."""
        return ResourceAddr(local.mode, local.type, local.name, self.path)


@dataclass(eq=False)
class Config:
    root: ConfigNode
    nodes: dict = field(default_factory=dict)  # static ModulePath -> ConfigNode
    # configuration ResourceAddr -> the ProviderConfigAddr its instances use
    provider_addrs: dict = field(default_factory=dict)
    _resources: dict = field(default_factory=dict)  # configuration ResourceAddr -> Resource

    @property
    def source_dir(self) -> str:
        return self.root.module.source_dir

    @property
    def module(self) -> Module:
        """The root module."""
        return self.root.module

    @property
    def files(self) -> dict:
        """Every file read, named relative to the root module's directory."""
        out: dict[str, str] = {}
        for node in self.walk():
            out.update(node.module.files)
        return out

    @property
    def source_files(self) -> dict:
        """The configuration files alone (no variable files): what a saved plan keeps and
        what its digest covers."""
        out: dict[str, str] = {}
        for node in self.walk():
            out.update((n, node.module.files[n]) for n in node.module.source_files)
        return out

    def provider_names(self) -> set[str]:
        names: set[str] = set()
        for node in self.walk():
            names |= node.module.provider_names()
        return names

    def walk(self) -> list[ConfigNode]:
        """Every node, parents before children, siblings by name."""
        return [self.nodes[p] for p in sorted(self.nodes, key=lambda p: [s.name for s in p])]

    def node(self, path: ModulePath) -> ConfigNode | None:
        return self.nodes.get(static_path(path))

    def resources(self) -> dict:
        """Configuration ResourceAddr -> Resource, over every module."""
        return self._resources

    def resource(self, addr: ResourceAddr) -> Resource | None:
        """The block declaring ``addr`` (an instance or configuration address)."""
        return self._resources.get(config_addr(addr))

    def provider_addr(self, addr: ResourceAddr) -> ProviderConfigAddr:
        return self.provider_addrs[config_addr(addr)]

    def index(self, diags: Diagnostics) -> None:
        self._resources = {}
        for node in self.walk():
            for local, res in node.module.resources.items():
                addr = node.resource_addr(local)
                self._resources[addr] = res
                paddr, d = resolve_provider(node, res.provider, res.provider.range or res.range,
                                            self.root.module)
                diags.extend(d)
                if paddr is not None:
                    self.provider_addrs[addr] = paddr
            for check in node.module.checks.values():
                for local, res in check.data.items():
                    paddr, d = resolve_provider(node, res.provider,
                                                res.provider.range or res.range, self.root.module)
                    diags.extend(d)
                    if paddr is not None:
                        self.provider_addrs[node.resource_addr(local)] = paddr


def as_config(config: "Config | Module") -> Config:
    """A configuration as it is, or a lone module as a configuration with no module calls
    (tools and tests that build one module in memory)."""
    if isinstance(config, Config):
        return config
    root = ConfigNode((), config)
    out = Config(root, {(): root})
    out.index(Diagnostics())
    return out


def load_config(root_dir: str, *, cache_dir: str | None = None, allow_empty: bool = False
                ) -> tuple[Config | None, Diagnostics]:
    """Read the root module in ``root_dir`` and every module it calls (local sources);
    ``allow_empty``: a root directory without ``*.tf`` files is an empty module."""
    # The configuration lives to the end of the run: inside a verb its objects are frozen
    # as made (engine/gc_paused.py), never walked by a collection.
    with made_for_the_run():
        result = _load_config(root_dir, cache_dir=cache_dir, allow_empty=allow_empty)
    return result


def _load_config(root_dir: str, *, cache_dir: str | None, allow_empty: bool
                 ) -> tuple[Config | None, Diagnostics]:
    diags = Diagnostics()
    module, d = load_module(root_dir, cache_dir=cache_dir, allow_empty=allow_empty)
    diags.extend(d)
    if module is None:
        return None, diags
    root = ConfigNode((), module)
    config = Config(root, {(): root})
    if not d.has_errors:
        _load_children(config, root, root_dir, [os.path.realpath(root_dir)], cache_dir, diags)
    config.index(diags)
    return config, diags


def _load_children(config: Config, node: ConfigNode, node_dir: str, chain: list,
                   cache_dir: str | None, diags: Diagnostics) -> None:
    for name in sorted(node.module.module_calls):
        call: ModuleCall = node.module.module_calls[name]
        child_dir = os.path.normpath(os.path.join(node_dir, call.source))
        display = os.path.normpath(os.path.join(node.display_dir or ".", call.source))
        display = "" if display == "." else display
        path = node.path + (ModuleInstanceStep(name),)
        where = ".".join(str(s) for s in path)
        if not os.path.isdir(child_dir):
            diags.error("Unreadable module directory",
                        f'The module "{name}" has source "{call.source}", but the directory '
                        f"{display or '.'} does not exist or is not a directory. Check the "
                        "path: it is relative to the directory of the calling module.",
                        call.source_range)
            continue
        real = os.path.realpath(child_dir)
        if real in chain or len(path) > MAX_DEPTH:
            diags.error("Recursive module call",
                        f"{where} calls the module in {display or '.'}, which is already "
                        "one of its callers: the module tree would never end. Remove the "
                        "module block, or move the shared part into a separate module.",
                        call.source_range)
            continue
        module, d = load_module(child_dir, cache_dir=cache_dir, display_dir=display)
        diags.extend(d)
        if module is None:
            continue
        for imp in module.imports[:1]:
            diags.error("Invalid import configuration",
                        f'An import block was detected in "{display}". Import blocks are '
                        "only allowed in the root module.", imp.range)
        child = ConfigNode(path, module, call, node, {}, display)
        node.children[name] = child
        config.nodes[path] = child
        _check_call(child, diags)
        if not d.has_errors:
            _load_children(config, child, child_dir, chain + [real], cache_dir, diags)


def _check_call(child: ConfigNode, diags: Diagnostics) -> None:
    """A module block's arguments against the called module's variables; what a child
    module may not declare."""
    call, module = child.call, child.module
    assert call is not None
    for arg_name, attr in call.arguments.items():
        if arg_name not in module.variables:
            diags.error("Unsupported argument",
                        f'An argument named "{arg_name}" is not expected here: the module '
                        f'in {child.display_dir or "."} declares no variable "{arg_name}".'
                        + suggestion(arg_name, module.variables), attr.name_range)
    for var_name in sorted(module.variables):
        var = module.variables[var_name]
        if not var.has_default and var_name not in call.arguments:
            diags.error("Missing required argument",
                        f'The argument "{var_name}" is required, but no definition was '
                        f'found: the module declares variable "{var_name}" without a '
                        "default.", call.range)
    for (pname, alias), cfg in sorted(module.providers.items(),
                                      key=lambda kv: (kv[0][0], kv[0][1] or "")):
        shown = f"{pname}.{alias}" if alias else pname
        diags.error("Provider configuration in a child module",
                    f'{child} declares provider "{pname}". vpnform configures providers only '
                    "in the root module: declare the configuration there (with an alias "
                    "when it differs from the default) and pass it to the module with "
                    f"providers = {{ {shown} = {shown} }} in its module block.", cfg.range)
    passed = {(p.child.name, p.child.alias) for p in call.providers}
    for req in module.required_providers.values():
        for alias in req.configuration_aliases:
            if (alias.name, alias.alias) not in passed:
                shown = f"{alias.name}.{alias.alias}"
                diags.error("Missing required provider configuration",
                            "The child module requires an additional configuration for "
                            f'provider {req.source or alias.name}, with the local name '
                            f'"{shown}". Refer to the module\'s documentation to understand '
                            "the intended purpose of this additional provider configuration, "
                            f'and then add an entry for {shown} in the "providers" '
                            "meta-argument in the module block to choose which provider "
                            "configuration the module should use for that purpose.",
                            call.range)
    if module.backend is not None:
        diags.warning("Backend configuration ignored",
                      f"Any selected backend applies to the entire configuration, so only "
                      f"the root module's backend is used; the one in {child} is ignored.",
                      module.backend.range)


def resolve_provider(node: ConfigNode, ref: ProviderRef, subject: SourceRange | None,
                     root: Module) -> tuple[ProviderConfigAddr | None, Diagnostics]:
    """The root-module provider configuration that ``ref`` (as written in ``node``) means:
    through each module block's ``providers`` map, or inherited when it is a default
    (unaliased) configuration and the module block has no ``providers`` argument."""
    d = Diagnostics()
    while node.parent is not None:
        call = node.call
        assert call is not None
        passed = next((p for p in call.providers if p.child.name == ref.name
                       and p.child.alias == ref.alias), None)
        if passed is not None:
            ref, node = passed.parent, node.parent
            continue
        shown = f"{ref.name}.{ref.alias}" if ref.alias else ref.name
        if _expects_alias(node.module, ref):
            return None, d  # reported once, at the module block (_check_call)
        # A providers map replaces inheritance: the module sees only what it lists.
        if ref.alias is not None or call.providers:
            d.error("Provider configuration not present",
                    f"{node} uses provider {shown}, but its module block does not pass a "
                    f"configuration for it. Add providers = {{ {shown} = <a configuration "
                    f"of the calling module> }} to the module block at {call.range}.",
                    subject)
            return None, d
        node = node.parent
    req = root.required_providers.get(ref.name)
    namespace = "tencentcloudstack"
    if req is not None and req.source and "/" in req.source:
        namespace = req.source.split("/")[-2]
    return ProviderConfigAddr(ref.name, ref.alias, namespace), d


def _expects_alias(module: Module, ref: ProviderRef) -> bool:
    req = module.required_providers.get(ref.name)
    return ref.alias is not None and req is not None and any(
        a.alias == ref.alias for a in req.configuration_aliases)


__all__ = ["Config", "ConfigNode", "load_config", "as_config", "static_path", "config_addr",
           "resolve_provider"]
