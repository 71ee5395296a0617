"""The action graph over many random plans (every action, dependencies old and new, deposed
objects) is exactly what the straightforward construction below gives: the same operations
in the same order, the same edges in the same order, the same error on a cycle.

``reference_action_graph`` is planner.action_graph as it was before it numbered its
operations (kept here as the specification of the order and the edges).
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from engine.addrs import InstanceAddr, ResourceAddr
from engine.config.tree import config_addr
from engine.graph import digraph
from engine.plan.model import APPLY, DESTROY, Action, Operation
from engine.plan.planner import action_graph


def reference_action_graph(changes: dict, rgraph: ResourceGraph | None,
                 deposed: dict | None = None) -> tuple[list, list]:
    """Operations and their ordering edges.

    - apply(A) after apply(B) when A depends on B;
    - destroy(B) after destroy(A) when A depends on B (dependents go first);
    - destroy(B) after apply(A) when A depends on B and A is only updated;
    - for a delete-then-create, apply(A) after destroy(A); for create-then-delete,
      destroy(A) after apply(A);
    - a deposed object of B is destroyed after apply(B) and after every operation of an
      object that depends on B (each has stopped using the old object by then), and
      before the destroy of anything it depends on.
    """
    g = digraph.DiGraph()
    by_resource: dict[ResourceAddr, list[InstanceAddr]] = {}  # by configuration address
    for addr, ch in changes.items():
        by_resource.setdefault(config_addr(addr.resource), []).append(addr)
        if ch.action in (Action.CREATE, Action.UPDATE, Action.READ) or ch.action.is_replace:
            g.add_node(Operation(APPLY, addr))  # a deferred data read runs as an apply
        if ch.action in (Action.DELETE, Action.FORGET) or ch.action.is_replace:
            g.add_node(Operation(DESTROY, addr))
        if ch.action is Action.DELETE_THEN_CREATE:
            g.add_edge(Operation(DESTROY, addr), Operation(APPLY, addr))
        if ch.action is Action.CREATE_THEN_DELETE:
            g.add_edge(Operation(APPLY, addr), Operation(DESTROY, addr))

    parsed: dict[str, ResourceAddr | None] = {}  # dependency text -> configuration address

    def deps_of(texts: list) -> list[ResourceAddr]:
        from engine.addrs import AddressError, parse_resource
        out = []
        for d in texts:
            if d not in parsed:
                try:
                    parsed[d] = config_addr(parse_resource(d))
                except AddressError:
                    parsed[d] = None
            if parsed[d] is not None:
                out.append(parsed[d])
        return out

    # addr -> (new, old) dependencies, each parsed once (not once per deposed object)
    uses: dict[InstanceAddr, tuple[set, set]] = {}
    for addr, ch in changes.items():
        uses[addr] = (set(deps_of(ch.dependencies)),
                      set(deps_of(ch.prior_dependencies or ch.dependencies)))
    for addr, ch in changes.items():
        new_deps, old_deps = uses[addr]
        a_apply, a_destroy = Operation(APPLY, addr), Operation(DESTROY, addr)
        has_apply, has_destroy = a_apply in g, a_destroy in g
        for dep in new_deps | old_deps:
            for daddr in by_resource.get(dep, []):
                if daddr == addr:
                    continue
                d_apply, d_destroy = Operation(APPLY, daddr), Operation(DESTROY, daddr)
                if dep in new_deps and has_apply and d_apply in g:
                    g.add_edge(d_apply, a_apply)
                if dep in old_deps and has_destroy and d_destroy in g:
                    g.add_edge(a_destroy, d_destroy)
                # An object that stays must stop using a dependency before that
                # dependency's old object is deleted: when it is deleted for good, or
                # replaced create-before-destroy. (Not when it is replaced destroy-first:
                # the dependent's update needs the replacement, which comes later.)
                # A dependency replaced create-before-destroy keeps its old object until
                # every dependent has its new (or updated) object, however that is made.
                d_action = changes[daddr].action
                if dep in old_deps and has_apply and d_destroy in g and (
                        d_action is Action.CREATE_THEN_DELETE
                        or (d_action is Action.DELETE and ch.action is Action.UPDATE)):
                    g.add_edge(a_apply, d_destroy)
    for (daddr, dkey) in sorted(deposed or {}, key=lambda k: (k[0], k[1])):
        op = Operation(DESTROY, daddr, dkey)
        g.add_node(op)
        dep = config_addr(daddr.resource)
        for addr in changes:
            if addr == daddr or dep in uses[addr][0] or dep in uses[addr][1]:
                for kind in (APPLY, DESTROY):
                    if Operation(kind, addr) in g:
                        g.add_edge(Operation(kind, addr), op)
        # ... and before what it depends on is destroyed.
        for dependency in deps_of(deposed[(daddr, dkey)].dependencies):
            for other in by_resource.get(dependency, []):
                if other != daddr and Operation(DESTROY, other) in g:
                    g.add_edge(op, Operation(DESTROY, other))
    try:
        order = digraph.topological_sort(
            g, key=lambda op: (op.kind != DESTROY, op.addr.sort_key()))
    except digraph.CycleError:
        raise RuntimeError("the plan's action graph has a cycle: " + ", ".join(
            f"{a} -> {b}" for a, b in digraph.find_cycle(g) or [])) from None
    return order, g.edges



def _random_plan(rng: random.Random):
    resources = [ResourceAddr("managed", "fake_thing", f"r{i}") for i in range(rng.randint(1, 7))]
    changes: dict = {}
    deposed: dict = {}
    for n, res in enumerate(resources):
        earlier = [str(r) for r in resources[:n]]
        if rng.random() < 0.2:  # its own resource too (other instances, or deposed objects)
            earlier.append(str(res))
        keys = [None] if rng.random() < 0.4 else list(range(rng.randint(1, 4)))
        for key in keys:
            addr = InstanceAddr(res, key)
            deps = rng.sample(earlier, rng.randint(0, len(earlier)))
            prior = rng.sample(earlier, rng.randint(0, len(earlier))) if rng.random() < 0.5 else []
            if rng.random() < 0.1:
                deps = deps + ["not an address!"]
            if rng.random() < 0.9:
                changes[addr] = SimpleNamespace(action=rng.choice(list(Action)),
                                                dependencies=deps, prior_dependencies=prior)
            if rng.random() < 0.2:
                for d in range(rng.randint(1, 2)):
                    deposed[(addr, f"d{d:07d}")] = SimpleNamespace(
                        dependencies=rng.sample(earlier, rng.randint(0, len(earlier))))
    order = list(changes.items())
    rng.shuffle(order)  # changes come in the planner's order, not the addresses'
    return dict(order), deposed


def _outcome(fn, changes, deposed):
    try:
        order, edges = fn(changes, None, deposed)
    except RuntimeError as err:
        return "error", str(err)
    return [str(o) for o in order], [(str(a), str(b)) for a, b in edges]


@pytest.mark.parametrize("seed", range(300))
def test_action_graph_matches_the_reference_construction(seed):
    changes, deposed = _random_plan(random.Random(seed))
    assert _outcome(action_graph, changes, deposed) == _outcome(
        reference_action_graph, changes, deposed)


def test_the_random_plans_cover_every_case():
    """(So that the comparison above means something.)"""
    seen = set()
    for seed in range(300):
        changes, deposed = _random_plan(random.Random(seed))
        outcome = _outcome(action_graph, changes, deposed)
        seen.add("cycle" if outcome[0] == "error" else "ok")
        if deposed and outcome[0] != "error" and any(" (deposed object " in a or
                                                     " (deposed object " in b
                                                     for a, b in outcome[1]):
            seen.add("deposed edges")
        seen.update(c.action for c in changes.values())
    assert {"ok", "cycle", "deposed edges", *Action} <= seen
