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
