"""The dependency graph of the configuration's resources (digraph.py), over every module.

Nodes are configuration addresses (module steps without instance keys). Edges point from
a dependency to its dependent (B -> A: B must be planned/applied before A), from
references followed through locals, module inputs and outputs (refs.py), depends_on, and
module blocks' count/for_each/depends_on. A cycle is reported as one diagnostic naming
every member. Orphans (in state, not in config) join the graph through the dependencies
state recorded for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..addrs import MANAGED, ResourceAddr
from ..config.model import Module, Resource
from ..config.syntax import Traversal
from ..config.tree import Config, as_config, config_addr
from ..diagnostics import Diagnostics, SourceRange
from ..state.model import State
from . import digraph
from .refs import ConfigRefs


@dataclass
class ResourceGraph:
    graph: digraph.DiGraph  # nodes: ResourceAddr; edge (b, a): a depends on b
    # for each resource, the references it makes: list of (ResourceAddr, attribute or None,
    # top-level argument name or None) — used for PlannedObject.references
    attribute_refs: dict = field(default_factory=dict)
    refs: ConfigRefs | None = None  # the static reference resolver the graph was built with

    def dependencies(self, addr: ResourceAddr) -> list[ResourceAddr]:
        """Direct dependencies, sorted."""
        return sorted(self.graph.predecessors(addr)) if addr in self.graph else []

    def order(self) -> list[ResourceAddr]:
        """A deterministic topological order (dependencies first)."""
        return digraph.topological_sort(self.graph, key=lambda a: a.sort_key())


def body_traversals(resource: Resource) -> list[tuple[str | None, Traversal]]:
    """Every traversal in a resource's arguments with the top-level argument it sits in."""
    out: list[tuple[str | None, Traversal]] = []

    def walk_body(body, top: str | None) -> None:
        for name, attr in body.attributes.items():
            for t in attr.expr.traversals():
                out.append((top or name, t))
        for block in body.blocks:
            # a `dynamic "x"` block generates blocks of type x
            name = block.labels[0] if block.type == "dynamic" and block.labels else block.type
            walk_body(block.body, top or name)

    walk_body(resource.body, None)
    for expr in (resource.count, resource.for_each):
        if expr is not None:
            out.extend((None, t) for t in expr.traversals())
    for t in resource.depends_on:
        out.append((None, t))
    for expr in resource.lifecycle.replace_triggered_by:
        out.extend((None, t) for t in expr.traversals())
    return out


def build_graph(config: Config | Module, state: State | None = None
                ) -> tuple[ResourceGraph, Diagnostics]:
    config = as_config(config)
    diags = Diagnostics()
    g = digraph.DiGraph()
    refs = ConfigRefs(config)
    attribute_refs: dict[ResourceAddr, list] = {}
    first_ref_range: dict[tuple[ResourceAddr, ResourceAddr], SourceRange] = {}
    resources = config.resources()

    for addr in resources:
        g.add_node(addr)
    for addr, res in resources.items():
        node = config.node(addr.module)
        refs_out: list = []
        for top, t in body_traversals(res):
            for target, attr in refs.attribute_targets(node, t):
                g.add_edge(target, addr)
                first_ref_range.setdefault((target, addr), t.range)
                if top is not None:
                    refs_out.append((target, attr, top))
        for t in res.depends_on:  # `depends_on = [module.x]`: everything in module x
            for target in refs.depends_on_target(node, t):
                g.add_edge(target, addr)
                first_ref_range.setdefault((target, addr), t.range)
        for target in refs.expansion(node):
            g.add_edge(target, addr)
            first_ref_range.setdefault((target, addr), node.call.range if node.call else None)
        attribute_refs[addr] = refs_out

    # Orphans: in state but not in configuration; ordered by their recorded dependencies.
    if state is not None:
        orphans = {config_addr(raddr): rs for raddr, rs in state.resources.items()
                   if config_addr(raddr) not in resources}
        g.add_nodes_from(orphans)
        for caddr, rs in orphans.items():
            for obj in rs.instances.values():
                for dep in obj.dependencies:
                    dep_addr = _parse_dep(dep)
                    if dep_addr is not None and dep_addr in g and dep_addr != caddr:
                        g.add_edge(dep_addr, caddr)

    # only the components that are cycles, in order of their least address (sorting every
    # one-resource component by comparisons cost more than the rest of the graph)
    cycles = [c for c in digraph.strongly_connected_components(g)
              if len(c) > 1 or any(g.has_edge(m, m) for m in c)]
    for component in sorted(cycles, key=lambda c: min(m.sort_key() for m in c)):
        members = sorted(component)
        names = ", ".join(str(m) for m in members)
        subject = None
        for m in members:
            for p in g.predecessors(m):
                if p in component and (p, m) in first_ref_range:
                    subject = first_ref_range[(p, m)]
                    break
            if subject:
                break
        diags.error(
            "Cycle in resource dependencies",
            f"The resources {names} refer to each other in a cycle, so none of them can be "
            "planned first. Remove one of the references (or depends_on entries) to break "
            "the cycle.", subject)
    return ResourceGraph(g, attribute_refs, refs), diags


def _parse_dep(text: str) -> ResourceAddr | None:
    from ..addrs import AddressError, parse_resource
    try:
        return config_addr(parse_resource(text))
    except AddressError:
        return None


def to_dot(rg: ResourceGraph) -> str:
    """The graph in Graphviz DOT, shaped like ``terraform graph`` output."""
    lines = ["digraph G {", '  rankdir = "RL";', '  node [shape = rect, fontname = "sans-serif"];']
    for addr in sorted(rg.graph.nodes):
        lines.append(f'  "{addr}" [label="{addr}"];')
    for b, a in sorted(rg.graph.edges, key=lambda e: (e[1].sort_key(), e[0].sort_key())):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["ResourceGraph", "build_graph", "to_dot", "MANAGED"]
