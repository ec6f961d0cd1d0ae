"""Checks of a space's decode rules (`next_ops`, `node_edges`) that need no VAE."""

import numpy as np

from vaenas.spaces import END_OF_GRAPH, ArchGraph


def follows_rules(space, graph):
    """Whether every node of `graph`, and its end, is a choice the rules allow."""
    n = graph.n_nodes
    for t in range(n):
        if graph.ops[t] not in space.next_ops(ArchGraph(graph.adjacency[:t, :t], graph.ops[:t])):
            return False
        must, may = space.node_edges(ArchGraph(_without_inputs(graph.adjacency[: t + 1, : t + 1]), graph.ops[: t + 1]))
        inputs = graph.adjacency[:t, t].astype(bool)
        if (must & ~inputs).any() or (inputs & ~may).any():
            return False
    return n == space.max_nodes or END_OF_GRAPH in space.next_ops(graph)


def rule_walk(space, rng):
    """A graph grown by random choices among what the rules allow, as a decoder would."""
    ops, adjacency = [], np.zeros((space.max_nodes, space.max_nodes), dtype=np.uint8)
    while len(ops) < space.max_nodes:
        t = len(ops)
        options = space.next_ops(ArchGraph(adjacency[:t, :t], tuple(ops)))
        op = options[int(rng.integers(len(options)))]
        if op == END_OF_GRAPH:
            break
        ops.append(op)
        must, may = space.node_edges(ArchGraph(adjacency[: t + 1, : t + 1], tuple(ops)))
        adjacency[:t, t] = must | (may & (rng.random(t) < 0.5))
    return ArchGraph(adjacency[: len(ops), : len(ops)].copy(), tuple(ops))


def _without_inputs(adjacency):
    adjacency = adjacency.copy()
    adjacency[:, -1] = 0
    return adjacency
