"""Architecture graphs <-> padded tensors, so one model serves spaces of any node count.

Node ops are indexed in the space's `node_ops` vocabulary plus one extra class, END,
which closes a graph: a graph of n nodes padded to `max_nodes` has END from node n on.
Beside each graph go the space's decode rules at every step (which ops may come next,
which edges are free to choose), which the decoder is trained and decoded under.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import torch

from vaenas.spaces import END_OF_GRAPH, SearchSpace
from vaenas.spaces.graph import ArchGraph


@dataclass(frozen=True)
class GraphTensors:
    """A batch of padded graphs and their decode rules.

    adjacency (B, N, N): adjacency[b, i, t] = 1 for an edge i -> t; ops (B, N): op indices,
    END after the last node; mask (B, N): real nodes; op_allowed (B, N, classes): the
    classes node t may take given the nodes before it; edge_free (B, N, N):
    edge_free[b, t, i] when the edge i -> t is the model's to choose (not forced either way).
    """

    adjacency: torch.Tensor
    ops: torch.Tensor
    mask: torch.Tensor
    op_allowed: torch.Tensor
    edge_free: torch.Tensor

    def __len__(self) -> int:
        return self.ops.shape[0]

    def select(self, index: torch.Tensor | slice) -> GraphTensors:
        return GraphTensors(*(getattr(self, f.name)[index] for f in fields(self)))

    @property
    def steps(self) -> torch.Tensor:
        """(B, N) the decode steps that carry an op target: each real node and the END."""
        n = self.mask.sum(1, keepdim=True)
        return torch.arange(self.mask.shape[1]).unsqueeze(0) <= n


def to_tensors(space: SearchSpace, graphs: Sequence[ArchGraph]) -> GraphTensors:
    vocab, max_nodes = space.node_ops, space.max_nodes
    classes = {op: i for i, op in enumerate(vocab)}
    classes[END_OF_GRAPH] = len(vocab)
    batch = len(graphs)
    adjacency = np.zeros((batch, max_nodes, max_nodes), dtype=np.float32)
    ops = np.full((batch, max_nodes), len(vocab), dtype=np.int64)
    op_allowed = np.zeros((batch, max_nodes, len(vocab) + 1), dtype=bool)
    edge_free = np.zeros((batch, max_nodes, max_nodes), dtype=bool)
    for b, graph in enumerate(graphs):
        n = graph.n_nodes
        if n > max_nodes:
            raise ValueError(f"graph of {n} nodes exceeds the space's max_nodes {max_nodes}")
        adjacency[b, :n, :n] = graph.adjacency
        ops[b, :n] = [classes[op] for op in graph.ops]
        for t in range(min(n + 1, max_nodes)):
            op_allowed[b, t, [classes[op] for op in space.next_ops(prefix(graph, t))]] = True
            if t < n:
                must, may = space.node_edges(prefix(graph, t + 1, inputs=False))
                edge_free[b, t, :t] = may & ~must
    ops_t = torch.from_numpy(ops)
    return GraphTensors(
        torch.from_numpy(adjacency),
        ops_t,
        ops_t != len(vocab),
        torch.from_numpy(op_allowed),
        torch.from_numpy(edge_free),
    )


def prefix(graph: ArchGraph, n: int, inputs: bool = True) -> ArchGraph:
    """The first `n` nodes of `graph`; without `inputs`, the last one's edges left unset."""
    adjacency = graph.adjacency[:n, :n].copy()
    if not inputs:
        adjacency[:, n - 1] = 0
    return ArchGraph(adjacency, graph.ops[:n])
