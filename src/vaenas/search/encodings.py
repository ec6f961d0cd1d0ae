"""Supervised (non-latent) encodings of architectures, for the model-based baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vaenas.spaces import Arch, SearchSpace


def adjacency_one_hot(space: SearchSpace, archs: Sequence[Arch]) -> np.ndarray:
    """BANANAS' adjacency + one-hot encoding, for any space: the upper triangle of the
    padded adjacency followed by each node's op one-hot (all zeros for padding)."""
    n, vocab = space.max_nodes, {op: i for i, op in enumerate(space.node_ops)}
    upper = np.triu_indices(n, k=1)
    rows = []
    for arch in archs:
        graph = space.to_graph(arch)
        adjacency = np.zeros((n, n))
        adjacency[: graph.n_nodes, : graph.n_nodes] = graph.adjacency
        ops = np.zeros((n, len(vocab)))
        ops[np.arange(graph.n_nodes), [vocab[op] for op in graph.ops]] = 1.0
        rows.append(np.concatenate([adjacency[upper], ops.ravel()]))
    return np.asarray(rows)


def operation_counts(space: SearchSpace, archs: Sequence[Arch]) -> np.ndarray:
    """How many nodes of each architecture apply each operation (space.operation merges
    tokens that differ only in wiring), divided by the space's largest node count: the
    bag-of-operations view, in which costs such as latency are close to additive."""
    kinds = sorted({space.operation(op) for op in space.node_ops})
    column = {op: kinds.index(space.operation(op)) for op in space.node_ops}
    counts = np.zeros((len(archs), len(kinds)))
    for row, arch in enumerate(archs):
        for op in space.to_graph(arch).ops:
            counts[row, column[op]] += 1
    return counts / space.max_nodes
