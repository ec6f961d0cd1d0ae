"""A small space with variable node counts (3 to 7 nodes) for testing the VAE's masking."""

import itertools

import numpy as np

from vaenas.spaces import END_OF_GRAPH, ArchGraph, SearchSpace
from vaenas.spaces.graph import chain_edges

OPS = ("a", "b", "c")
MAX_LAYERS = 5


class ToyChainSpace(SearchSpace):
    """A chain input -> 1..5 layers -> output; an architecture is the tuple of layer ops."""

    name = "toy-chain"
    node_ops = ("input", *OPS, "output")
    max_nodes = MAX_LAYERS + 2

    @property
    def size(self):
        return sum(len(OPS) ** n for n in range(1, MAX_LAYERS + 1))

    def parse(self, text):
        return tuple(text.split("-"))

    def format(self, arch):
        return "-".join(arch)

    def sample(self, rng):
        n = int(rng.integers(1, MAX_LAYERS + 1))
        return tuple(OPS[i] for i in rng.integers(len(OPS), size=n))

    def neighbours(self, arch):
        return [arch[:i] + (op,) + arch[i + 1 :] for i in range(len(arch)) for op in OPS if op != arch[i]]

    def enumerate(self):
        for n in range(1, MAX_LAYERS + 1):
            yield from itertools.product(OPS, repeat=n)

    def next_ops(self, prefix):
        n, ops = prefix.n_nodes, prefix.ops
        if n == 0:
            return ("input",)
        if ops[-1] == "output":
            return (END_OF_GRAPH,)
        return (*OPS, "output") if 1 < n <= MAX_LAYERS else OPS if n == 1 else ("output",)

    def node_edges(self, prefix):
        return chain_edges(prefix)

    def to_graph(self, arch):
        n = len(arch) + 2
        return ArchGraph(np.eye(n, k=1, dtype=np.uint8), ("input", *arch, "output"))

    def from_graph(self, graph):
        n = graph.n_nodes
        ok = (
            3 <= n <= self.max_nodes
            and graph.ops[0] == "input"
            and graph.ops[-1] == "output"
            and all(op in OPS for op in graph.ops[1:-1])
            and np.array_equal(graph.adjacency, np.eye(n, k=1, dtype=np.uint8))
        )
        return tuple(graph.ops[1:-1]) if ok else None
