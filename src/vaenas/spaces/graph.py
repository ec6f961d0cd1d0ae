"""The DAG form of an architecture: what the architecture VAE reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

END_OF_GRAPH = "<end>"
"""What `SearchSpace.next_ops` offers when a graph may (or must) stop growing."""


@dataclass(frozen=True, eq=False)
class ArchGraph:
    """A DAG whose nodes carry ops and are listed in topological order.

    `adjacency[i, j] == 1` means an edge from node i to node j (only i < j may be set);
    `ops[i]` names the op of node i, taken from the space's `node_ops` vocabulary.
    """

    adjacency: np.ndarray
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.ops)
        if self.adjacency.shape != (n, n):
            raise ValueError(f"adjacency of shape {self.adjacency.shape} for {n} ops")

    @property
    def n_nodes(self) -> int:
        return len(self.ops)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArchGraph):
            return NotImplemented
        return self.ops == other.ops and np.array_equal(self.adjacency, other.adjacency)


def chain_edges(prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
    """Edge rule of a chain: the last node of `prefix` reads the node before it, only."""
    must = np.zeros(prefix.n_nodes - 1, dtype=bool)
    if must.size:
        must[-1] = True
    return must, must.copy()
