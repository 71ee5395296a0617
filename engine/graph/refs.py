"""Which configuration resources an expression depends on, across module boundaries.

References are followed statically and transitively: a local value to what it refers to,
``var.x`` in a called module to the argument the module block gives it, ``module.m.out``
to what that output refers to inside the module (and to the module's count/for_each).
Every resource of a module also depends on what its module blocks' count, for_each and
depends_on refer to (on the whole path from the root). Results are configuration
addresses (module steps without keys) and memoised; cycles yield what was found so far
(the evaluator reports them).
"""

from __future__ import annotations

from ..addrs import ResourceAddr
from ..config import syntax as syn
from ..config.evaluate import reference_of
from ..config.tree import Config, ConfigNode

Targets = frozenset  # frozenset[ResourceAddr]


class ConfigRefs:
    def __init__(self, config: Config):
        self.config = config
        self._memo: dict[tuple, Targets] = {}
        self._active: set[tuple] = set()

    def _memoised(self, key: tuple, compute) -> Targets:
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        if key in self._active:
            return frozenset()
        self._active.add(key)
        try:
            out = frozenset(compute())
        finally:
            self._active.discard(key)
        self._memo[key] = out
        return out

    # -- expressions -------------------------------------------------------------------
    def expr(self, node: ConfigNode, expr: syn.Expr | None) -> Targets:
        if expr is None:
            return frozenset()
        out: set[ResourceAddr] = set()
        for t in expr.traversals():
            out |= self.traversal(node, t)
        return frozenset(out)

    def traversal(self, node: ConfigNode, t: syn.Traversal) -> Targets:
        return frozenset(target for target, _ in self.attribute_targets(node, t))

    def attribute_targets(self, node: ConfigNode, t: syn.Traversal) -> list:
        """(resource, first attribute or None) pairs a traversal leads to. A reference
        passed through unchanged (``var.gw_id`` given ``tencentcloud_vpn_gateway.gw.id``)
        keeps its attribute, so providers can tell which object an unknown id names."""
        ref, _ = reference_of(t)
        if ref is None:
            return []
        if ref.kind in ("resource", "data"):
            addr = node.resource_addr(ref.addr)
            if addr in self.config.resources():
                return [(addr, _first_attr(ref.remaining))]
            return []
        if ref.kind == "local":
            return [(a, None) for a in sorted(self.local(node, ref.name))]
        if ref.kind == "var":
            passed = self._passed_traversal(node, ref.name)
            if passed is not None and not ref.remaining:
                return self.attribute_targets(node.parent, passed)
            return [(a, None) for a in sorted(self.var(node, ref.name))]
        if ref.kind == "module":
            child = node.children.get(ref.name)
            if child is None:
                return []
            steps = ref.remaining[1:] if _starts_with_index(ref.remaining) else ref.remaining
            out_name = _first_attr(steps)
            targets = self.module_value(node, ref.name, out_name)
            return [(a, None) for a in sorted(targets)]
        return []

    def _passed_traversal(self, node: ConfigNode, var_name: str) -> syn.Traversal | None:
        if node.call is None or node.parent is None:
            return None
        attr = node.call.arguments.get(var_name)
        if attr is not None and isinstance(attr.expr, syn.ScopeTraversalExpr):
            return attr.expr.traversal
        return None

    # -- named values ------------------------------------------------------------------
    def local(self, node: ConfigNode, name: str) -> Targets:
        local = node.module.locals.get(name)
        if local is None:
            return frozenset()
        return self._memoised((node.path, "local", name), lambda: self.expr(node, local.expr))

    def var(self, node: ConfigNode, name: str) -> Targets:
        """What the module block's argument for ``var.name`` refers to (in the parent)."""
        if node.call is None or node.parent is None:
            return frozenset()  # root variables are given from outside
        attr = node.call.arguments.get(name)
        if attr is None:
            return frozenset()
        parent = node.parent
        return self._memoised((node.path, "var", name), lambda: self.expr(parent, attr.expr))

    def output(self, node: ConfigNode, name: str) -> Targets:
        out = node.module.outputs.get(name)
        if out is None:
            return frozenset()

        def compute():
            found = set(self.expr(node, out.expr))
            for t in out.depends_on:
                found |= self.depends_on_target(node, t)
            return found
        return self._memoised((node.path, "output", name), compute)

    def module_value(self, node: ConfigNode, call_name: str, output: str | None) -> Targets:
        """``module.call_name[.output]`` in ``node``: the output's references (every output
        when none is named) and what the module's expansion depends on."""
        child = node.children[call_name]
        names = [output] if output in child.module.outputs else sorted(child.module.outputs)
        found: set[ResourceAddr] = set(self.expansion(child))
        for n in names:
            found |= self.output(child, n)
        return frozenset(found)

    # -- modules -----------------------------------------------------------------------
    def expansion(self, node: ConfigNode) -> Targets:
        """What every resource of ``node`` waits for: the count, for_each and depends_on of
        each module block from the root down to it."""
        if node.call is None or node.parent is None:
            return frozenset()

        def compute():
            call, parent = node.call, node.parent
            found = set(self.expansion(parent))
            found |= self.expr(parent, call.count)
            found |= self.expr(parent, call.for_each)
            for t in call.depends_on:
                found |= self.depends_on_target(parent, t)
            return found
        return self._memoised((node.path, "expansion", ""), compute)

    def depends_on_target(self, node: ConfigNode, t: syn.Traversal) -> Targets:
        """A ``depends_on`` entry: a resource, or a whole module (every resource in it)."""
        ref, _ = reference_of(t)
        if ref is None:
            return frozenset()
        if ref.kind == "module":
            child = node.children.get(ref.name)
            return self.subtree(child) if child is not None else frozenset()
        return self.traversal(node, t)

    def subtree(self, node: ConfigNode) -> Targets:
        out = {node.resource_addr(a) for a in node.module.resources}
        for child in node.children.values():
            out |= self.subtree(child)
        return frozenset(out)

    def is_constant(self, node: ConfigNode, kind: str, name: str) -> bool:
        """True when a local (kind "local") or module input (kind "var") refers to no
        resource at all, so its value never changes during a run."""
        targets = self.local(node, name) if kind == "local" else self.var(node, name)
        return not targets


def _first_attr(steps: tuple) -> str | None:
    for s in steps:
        name = getattr(s, "name", None)
        if name is not None:
            return name
        return None
    return None


def _starts_with_index(steps: tuple) -> bool:
    return bool(steps) and isinstance(steps[0], (syn.Index,))


__all__ = ["ConfigRefs"]
