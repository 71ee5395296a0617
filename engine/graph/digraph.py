"""The directed graph the engine plans and applies over, and the few algorithms it needs.

The engine used networkx for this. Importing networkx sets up its whole library of
algorithms (about 120 ms of a 0.6 s plan of a small configuration), while the engine needs
one graph class and six algorithms over it; those are kept here. Their results match
networkx's, order included (tests/engine/test_eng_digraph.py compares them on random
graphs): a node's successors and the edges come in insertion order, and the topological
order breaks ties by key, then by insertion order, as networkx's
``lexicographical_topological_sort`` does.
"""

from __future__ import annotations

import heapq
from typing import Any, Callable, Hashable, Iterable, Iterator


class CycleError(ValueError):
    """The graph has a cycle where an order was asked for."""


class DiGraph:
    """Nodes (any hashable) and directed edges, each kept in insertion order."""

    __slots__ = ("_succ", "_pred")

    def __init__(self) -> None:
        self._succ: dict[Hashable, dict[Hashable, None]] = {}
        self._pred: dict[Hashable, dict[Hashable, None]] = {}

    def add_node(self, node: Hashable) -> None:
        if node not in self._succ:
            self._succ[node] = {}
            self._pred[node] = {}

    def add_nodes_from(self, nodes: Iterable[Hashable]) -> None:
        for node in nodes:
            self.add_node(node)

    def add_edge(self, u: Hashable, v: Hashable) -> None:
        self.add_node(u)
        self.add_node(v)
        self._succ[u][v] = None
        self._pred[v][u] = None

    def add_edges_from(self, edges: Iterable[tuple[Hashable, Hashable]]) -> None:
        for u, v in edges:
            self.add_edge(u, v)

    def __contains__(self, node: object) -> bool:
        return node in self._succ

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._succ)

    def __len__(self) -> int:
        return len(self._succ)

    @property
    def nodes(self) -> list[Hashable]:
        return list(self._succ)

    @property
    def edges(self) -> list[tuple[Hashable, Hashable]]:
        return [(u, v) for u, succ in self._succ.items() for v in succ]

    def has_edge(self, u: Hashable, v: Hashable) -> bool:
        return v in self._succ.get(u, ())

    def successors(self, node: Hashable) -> Iterator[Hashable]:
        return iter(self._succ[node])

    def predecessors(self, node: Hashable) -> Iterator[Hashable]:
        return iter(self._pred[node])

    def in_degree(self, node: Hashable) -> int:
        return len(self._pred[node])


def _reach(g: DiGraph, start: Hashable, step: dict) -> set:
    seen: set = set()
    todo = list(step[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(step[node])
    seen.discard(start)  # a node is not its own ancestor, even on a cycle (as networkx)
    return seen


def descendants(g: DiGraph, node: Hashable) -> set:
    """Every node reachable from ``node``."""
    return _reach(g, node, g._succ)


def ancestors(g: DiGraph, node: Hashable) -> set:
    """Every node from which ``node`` is reachable."""
    return _reach(g, node, g._pred)


def topological_sort(g: DiGraph, key: Callable[[Any], Any]) -> list:
    """Every node, each after its predecessors; among the nodes ready at once, the least by
    ``key`` first (then the first added). Raises CycleError on a cycle."""
    index = {node: i for i, node in enumerate(g._succ)}
    waiting = {node: len(pred) for node, pred in g._pred.items()}
    ready = [(key(n), index[n], n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, _, node = heapq.heappop(ready)
        order.append(node)
        for succ in g._succ[node]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                heapq.heappush(ready, (key(succ), index[succ], succ))
    if len(order) != len(index):
        raise CycleError("the graph has a cycle")
    return order


def find_cycle(g: DiGraph) -> list[tuple[Hashable, Hashable]] | None:
    """The edges of one cycle, or None when the graph has none."""
    colour: dict = {}  # absent: unseen; 1: on the current path; 2: done
    for root in g._succ:
        if root in colour:
            continue
        path = [root]
        colour[root] = 1
        stack = [iter(g._succ[root])]
        while stack:
            for succ in stack[-1]:
                if colour.get(succ) == 1:
                    cycle = path[path.index(succ):] + [succ]
                    return list(zip(cycle, cycle[1:]))
                if succ not in colour:
                    colour[succ] = 1
                    path.append(succ)
                    stack.append(iter(g._succ[succ]))
                    break
            else:
                colour[path.pop()] = 2
                stack.pop()
    return None


def strongly_connected_components(g: DiGraph) -> list[set]:
    """The graph's strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    out: list[set] = []
    for root in g._succ:
        if root in index:
            continue
        work = [(root, iter(g._succ[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(g._succ[succ])))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    out.append(component)
    return out
