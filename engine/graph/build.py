"""The dependency graph of a module's resources (networkx), from references and depends_on.

Edges point from a dependency to its dependent (B -> A: B must be planned/applied before
A). References through locals are followed transitively. A cycle is reported as one
diagnostic naming every member. Orphans (in state, not in config) join the graph through
the dependencies state recorded for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..addrs import MANAGED, ResourceAddr
from ..config.evaluate import reference_of
from ..config.model import Module, Resource
from ..config.syntax import Traversal
from ..diagnostics import Diagnostics, SourceRange
from ..state.model import State


@dataclass
class ResourceGraph:
    graph: nx.DiGraph  # nodes: ResourceAddr; edge (b, a): a depends on b
    # for each resource, the references it makes: list of (ResourceAddr, attribute or None,
    # top-level argument name or None) — used for PlannedObject.references
    attribute_refs: dict = field(default_factory=dict)

    def dependencies(self, addr: ResourceAddr) -> list[ResourceAddr]:
        """Direct dependencies, sorted."""
        return sorted(self.graph.predecessors(addr)) if addr in self.graph else []

    def order(self) -> list[ResourceAddr]:
        """A deterministic topological order (dependencies first)."""
        return list(nx.lexicographical_topological_sort(self.graph, key=lambda a: a.sort_key()))


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


class _LocalRefs:
    """Resolves local.X to the resources it (transitively) refers to, memoised."""

    def __init__(self, module: Module):
        self.module = module
        self.memo: dict[str, set[ResourceAddr]] = {}
        self.active: set[str] = set()

    def resources_of(self, name: str) -> set[ResourceAddr]:
        if name in self.memo:
            return self.memo[name]
        local = self.module.locals.get(name)
        if local is None or name in self.active:
            return set()  # undeclared / cyclic locals are reported by the evaluator
        self.active.add(name)
        found: set[ResourceAddr] = set()
        for t in local.expr.traversals():
            found |= self.traversal_resources(t)
        self.active.discard(name)
        self.memo[name] = found
        return found

    def traversal_resources(self, t: Traversal) -> set[ResourceAddr]:
        ref, _ = reference_of(t)
        if ref is None:
            return set()
        if ref.kind == "local":
            return self.resources_of(ref.name)
        if ref.kind in ("resource", "data") and ref.addr in self.module.resources:
            return {ref.addr}
        return set()


def build_graph(module: Module, state: State | None = None) -> tuple[ResourceGraph, Diagnostics]:
    diags = Diagnostics()
    g = nx.DiGraph()
    locals_ = _LocalRefs(module)
    attribute_refs: dict[ResourceAddr, list] = {}
    first_ref_range: dict[tuple[ResourceAddr, ResourceAddr], SourceRange] = {}

    for addr in module.resources:
        g.add_node(addr)
    for addr, res in module.resources.items():
        refs: list = []
        for top, t in body_traversals(res):
            ref, _ = reference_of(t)
            if ref is None:
                continue
            if ref.kind == "local":
                targets = locals_.resources_of(ref.name)
                attr = None
            elif ref.kind in ("resource", "data") and ref.addr in module.resources:
                targets = {ref.addr}
                attr = _first_attr(ref.remaining)
            else:
                continue
            for target in targets:
                g.add_edge(target, addr)
                first_ref_range.setdefault((target, addr), t.range)
                if top is not None:
                    refs.append((target, attr, top))
        attribute_refs[addr] = refs

    # Orphans: in state but not in configuration; ordered by their recorded dependencies.
    if state is not None:
        for raddr, rs in state.resources.items():
            if raddr in module.resources:
                continue
            g.add_node(raddr)
        for raddr, rs in state.resources.items():
            if raddr in module.resources:
                continue
            for obj in rs.instances.values():
                for dep in obj.dependencies:
                    dep_addr = _parse_dep(dep)
                    if dep_addr is not None and dep_addr in g:
                        g.add_edge(dep_addr, raddr)

    for component in nx.strongly_connected_components(g):
        members = sorted(component)
        if len(members) == 1 and not g.has_edge(members[0], members[0]):
            continue
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
    return ResourceGraph(g, attribute_refs), diags


def _first_attr(steps: tuple) -> str | None:
    for s in steps:
        name = getattr(s, "name", None)
        if name is not None:
            return name
        return None
    return None


def _parse_dep(text: str) -> ResourceAddr | None:
    from ..addrs import AddressError, parse_resource
    try:
        return parse_resource(text)
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
