"""A cell space in the style of NAS-Bench-201: nodes in a row, an edge from every node to
every later one, one op per edge. `nb201` is the instance with 4 nodes and 5 ops."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from vaenas.errors import ArchitectureFormatError, InvalidArgumentError
from vaenas.spaces.base import SearchSpace
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph

CellArch = tuple[str, ...]
"""The op of every edge, in the order of `CellSpace.edges`."""

_RESERVED = ("input", "output", END_OF_GRAPH)
MAX_NODES, MAX_OPS, MAX_OP_NAME = 12, 64, 64
"""Bounds on a cell (66 edges, 64 ops of up to 64 characters), checked before anything is
built: a definition read from a crafted journal must not build a graph of 10^9 entries."""
_SEPARATORS = ("|", "~", "+")


class CellSpace(SearchSpace):
    """`n_nodes` cell nodes; node j reads every node i < j through an edge with one of
    `ops`, so an architecture is the tuple of its edge ops.

    Written as NAS-Bench-201 writes cells, one group per node after the first:
    `|op~0|+|op~0|op~1|+...`. For the VAE the cell is the arch2vec node-op DAG (input,
    one node per edge, output), whose shape is fixed; only the ops vary.
    """

    name = "cell"

    def __init__(self, n_nodes: int = 4, ops: Sequence[str] = ("none", "skip_connect", "conv_1x1", "conv_3x3")) -> None:
        if isinstance(n_nodes, bool) or not isinstance(n_nodes, int) or not 2 <= n_nodes <= MAX_NODES:
            raise InvalidArgumentError(f"a cell needs a whole number of 2 to {MAX_NODES} nodes, got n_nodes={n_nodes!r:.40}")
        if isinstance(ops, str) or not isinstance(ops, Sequence):
            raise InvalidArgumentError(f"cell ops must be a list of op names, e.g. ['skip', 'conv3x3'], got {ops!r:.80}")
        ops = tuple(ops)
        if not 1 <= len(ops) <= MAX_OPS or len(set(map(repr, ops))) != len(ops):
            raise InvalidArgumentError(f"cell ops must be distinct, from 1 to {MAX_OPS}, got {len(ops)}: {list(ops)!r:.80}")
        for op in ops:
            if (not isinstance(op, str) or not op or len(op) > MAX_OP_NAME or op in _RESERVED
                    or any(c in op for c in _SEPARATORS)):
                raise InvalidArgumentError(
                    f"cell op {op!r:.80} is not allowed: ops are names of 1 to {MAX_OP_NAME} characters other than "
                    f"{', '.join(_RESERVED)}, without {' '.join(_SEPARATORS)}"
                )
        self.n_nodes, self.ops = n_nodes, ops
        self.edges = tuple((src, dst) for dst in range(1, n_nodes) for src in range(dst))
        """(from, to) cell nodes of each edge, in the order of the string form."""
        self.adjacency = self._node_op_adjacency()
        self.node_ops = ("input", *ops, "output")
        self.max_nodes = len(self.edges) + 2

    def definition(self) -> dict[str, Any]:
        return {"n_nodes": self.n_nodes, "ops": list(self.ops)}

    def _node_op_adjacency(self) -> np.ndarray:
        """Adjacency of the node-op DAG: input, one node per edge, output.

        The node of edge (i, j) reads the nodes of the edges entering cell node i (or the
        input when i == 0) and feeds the edges leaving cell node j (or the output when j
        is the last cell node)."""
        n = len(self.edges) + 2
        adjacency = np.zeros((n, n), dtype=np.uint8)
        last = self.n_nodes - 1
        for e, (src, dst) in enumerate(self.edges):
            if src == 0:
                adjacency[0, e + 1] = 1
            if dst == last:
                adjacency[e + 1, n - 1] = 1
            for f, (src2, _) in enumerate(self.edges):
                if src2 == dst:
                    adjacency[e + 1, f + 1] = 1
        return adjacency

    @property
    def size(self) -> int:
        return len(self.ops) ** len(self.edges)

    def parse(self, text: str) -> CellArch:
        hint = f"expected e.g. {self.format(tuple(self.ops[-1] for _ in self.edges))}"
        groups = text.strip().split("+")
        if len(groups) != self.n_nodes - 1:
            raise ArchitectureFormatError(
                f"{self.name} architecture {text!r} has {len(groups)} node groups separated by '+', "
                f"not {self.n_nodes - 1}; {hint}"
            )
        ops: list[str] = []
        for node, group in enumerate(groups, start=1):
            if not (group.startswith("|") and group.endswith("|")) or len(group) < 2:
                raise ArchitectureFormatError(f"{self.name} node {node} group {group!r} must start and end with '|'; {hint}")
            inputs = group[1:-1].split("|")
            if len(inputs) != node:
                raise ArchitectureFormatError(
                    f"{self.name} node {node} group {group!r} has {len(inputs)} inputs, not {node}; {hint}"
                )
            for expected_src, item in enumerate(inputs):
                op, sep, src = item.partition("~")
                if not sep or src != str(expected_src):
                    raise ArchitectureFormatError(f"{self.name} node {node} input {item!r} must be 'op~{expected_src}'; {hint}")
                if op not in self.ops:
                    raise ArchitectureFormatError(
                        f"{self.name} node {node} input {item!r}: unknown op {op!r}; ops are {', '.join(self.ops)}"
                    )
                ops.append(op)
        return tuple(ops)

    def format(self, arch: CellArch) -> str:
        groups, e = [], 0
        for node in range(1, self.n_nodes):
            groups.append("|" + "|".join(f"{arch[e + src]}~{src}" for src in range(node)) + "|")
            e += node
        return "+".join(groups)

    def sample(self, rng: np.random.Generator) -> CellArch:
        return tuple(self.ops[i] for i in rng.integers(len(self.ops), size=len(self.edges)))

    def neighbours(self, arch: CellArch) -> list[CellArch]:
        return [arch[:e] + (op,) + arch[e + 1 :] for e in range(len(self.edges)) for op in self.ops if op != arch[e]]

    def _edge_name(self, e: int) -> str:
        src, dst = self.edges[e]
        return f"node{dst}<-{src}"

    def decisions(self) -> dict[str, tuple[str, ...]]:
        """One decision per edge, named after it: `node2<-1` is the op from node 1 to node 2."""
        return {self._edge_name(e): self.ops for e in range(len(self.edges))}

    def from_decisions(self, values: Mapping[str, str]) -> CellArch:
        return tuple(values[self._edge_name(e)] for e in range(len(self.edges)))

    def to_decisions(self, arch: CellArch) -> dict[str, str]:
        return {self._edge_name(e): op for e, op in enumerate(arch)}

    def enumerate(self) -> Iterator[CellArch]:
        return itertools.product(self.ops, repeat=len(self.edges))

    def to_graph(self, arch: CellArch) -> ArchGraph:
        return ArchGraph(self.adjacency.copy(), ("input", *arch, "output"))

    def next_ops(self, prefix: ArchGraph) -> tuple[str, ...]:
        """Input, an op per edge, output: the node-op graph has one fixed shape."""
        n = prefix.n_nodes
        if n == 0:
            return ("input",)
        if n <= len(self.edges):
            return self.ops
        return ("output",) if n == len(self.edges) + 1 else (END_OF_GRAPH,)

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        n = prefix.n_nodes
        must = self.adjacency[: n - 1, n - 1].astype(bool)
        return must, must.copy()

    def from_graph(self, graph: ArchGraph) -> CellArch | None:
        ops = graph.ops
        if (
            graph.n_nodes != self.max_nodes
            or ops[0] != "input"
            or ops[-1] != "output"
            or any(op not in self.ops for op in ops[1:-1])
            or not np.array_equal(graph.adjacency, self.adjacency)
        ):
            return None
        return tuple(ops[1:-1])
