"""engine/graph/digraph.py gives what networkx gave the engine, order included, on random
graphs with and without cycles (networkx stays a test dependency for this comparison)."""

import random

import networkx as nx
import pytest

from engine.graph import digraph


def _pair(seed: int, nodes: int, edges: int, acyclic: bool):
    rnd = random.Random(seed)
    ours, theirs = digraph.DiGraph(), nx.DiGraph()
    names = [f"n{rnd.randrange(1000):03}" for _ in range(nodes)]
    for n in names:
        ours.add_node(n)
        theirs.add_node(n)
    names = list(dict.fromkeys(names))
    for _ in range(edges):
        u, v = rnd.sample(names, 2)
        if acyclic and names.index(u) > names.index(v):
            u, v = v, u
        ours.add_edge(u, v)
        theirs.add_edge(u, v)
    return ours, theirs


@pytest.mark.parametrize("seed", range(40))
def test_a_random_dag_orders_and_reaches_as_networkx(seed):
    ours, theirs = _pair(seed, 60, 150, acyclic=True)
    key = lambda n: n[-1]  # noqa: E731 - many ties, so the tie-break shows
    assert digraph.topological_sort(ours, key) == list(
        nx.lexicographical_topological_sort(theirs, key=key))
    assert ours.edges == list(theirs.edges) and ours.nodes == list(theirs.nodes)
    assert digraph.find_cycle(ours) is None
    for n in ours.nodes[::7]:
        assert digraph.descendants(ours, n) == nx.descendants(theirs, n)
        assert digraph.ancestors(ours, n) == nx.ancestors(theirs, n)
        assert list(ours.successors(n)) == list(theirs.successors(n))
        assert list(ours.predecessors(n)) == list(theirs.predecessors(n))
        assert ours.in_degree(n) == theirs.in_degree(n)


@pytest.mark.parametrize("seed", range(40))
def test_a_random_graph_with_cycles_has_networkx_components(seed):
    ours, theirs = _pair(seed, 40, 60, acyclic=False)
    assert sorted(map(sorted, digraph.strongly_connected_components(ours))) == sorted(
        map(sorted, nx.strongly_connected_components(theirs)))
    cycle = digraph.find_cycle(ours)
    assert (cycle is None) == nx.is_directed_acyclic_graph(theirs)
    if cycle is not None:  # a closed walk along real edges
        assert all(ours.has_edge(u, v) for u, v in cycle)
        assert cycle[0][0] == cycle[-1][1]
        with pytest.raises(digraph.CycleError):
            digraph.topological_sort(ours, str)
    for n in ours.nodes[::5]:
        assert digraph.descendants(ours, n) == nx.descendants(theirs, n)
        assert digraph.ancestors(ours, n) == nx.ancestors(theirs, n)


def test_a_self_loop_is_a_cycle_and_its_own_component():
    g = digraph.DiGraph()
    g.add_edge("a", "a")
    g.add_edge("a", "b")
    assert digraph.find_cycle(g) == [("a", "a")]
    assert {frozenset(c) for c in digraph.strongly_connected_components(g)} == {
        frozenset({"a"}), frozenset({"b"})}
    assert digraph.descendants(g, "a") == {"b"}
