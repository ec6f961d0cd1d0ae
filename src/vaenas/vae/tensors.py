"""Architecture graphs <-> padded tensors, so one model serves spaces of any node count.

Node ops are indexed in the space's `node_ops` vocabulary plus one extra class, ABSENT,
which marks padding: a graph of n nodes padded to `max_nodes` has ABSENT ops after node
n, and decoding stops at the first ABSENT node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from vaenas.spaces.graph import ArchGraph


@dataclass(frozen=True)
class GraphTensors:
    """A batch of padded graphs: adjacency (B, N, N), op indices (B, N), node mask (B, N)."""

    adjacency: torch.Tensor
    ops: torch.Tensor
    mask: torch.Tensor

    def __len__(self) -> int:
        return self.ops.shape[0]

    def select(self, index: torch.Tensor | slice) -> GraphTensors:
        return GraphTensors(self.adjacency[index], self.ops[index], self.mask[index])


def to_tensors(graphs: Sequence[ArchGraph], vocab: Sequence[str], max_nodes: int) -> GraphTensors:
    absent = len(vocab)
    index = {op: i for i, op in enumerate(vocab)}
    adjacency = np.zeros((len(graphs), max_nodes, max_nodes), dtype=np.float32)
    ops = np.full((len(graphs), max_nodes), absent, dtype=np.int64)
    for b, graph in enumerate(graphs):
        n = graph.n_nodes
        if n > max_nodes:
            raise ValueError(f"graph of {n} nodes exceeds the space's max_nodes {max_nodes}")
        adjacency[b, :n, :n] = graph.adjacency
        ops[b, :n] = [index[op] for op in graph.ops]
    ops_t = torch.from_numpy(ops)
    return GraphTensors(torch.from_numpy(adjacency), ops_t, ops_t != absent)


def from_outputs(
    adjacency_logits: torch.Tensor, op_logits: torch.Tensor, vocab: Sequence[str]
) -> list[ArchGraph]:
    """Most likely graphs: argmax ops, edges with probability > 0.5, cut at the first ABSENT."""
    absent = len(vocab)
    ops = op_logits.argmax(-1).cpu().numpy()
    edges = (adjacency_logits > 0).cpu().numpy().astype(np.uint8)
    graphs = []
    for b in range(ops.shape[0]):
        absent_at = np.flatnonzero(ops[b] == absent)
        n = int(absent_at[0]) if absent_at.size else ops.shape[1]
        adjacency = np.triu(edges[b, :n, :n], k=1)
        graphs.append(ArchGraph(adjacency, tuple(vocab[i] for i in ops[b, :n])))
    return graphs
