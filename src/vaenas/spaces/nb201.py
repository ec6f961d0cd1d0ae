"""NAS-Bench-201 / NATS-Bench topology cell: 4 nodes, 6 edges, 5 ops per edge."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

import numpy as np

from vaenas.errors import ArchitectureFormatError
from vaenas.spaces.base import SearchSpace
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph
from vaenas.spaces.registry import SPACES

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""(from, to) cell nodes of each edge, in the order of the standard string."""

Nb201Arch = tuple[str, ...]


def _node_op_adjacency() -> np.ndarray:
    """Adjacency of the arch2vec node-op DAG: input, one node per edge, output.

    The node of edge (i, j) reads the nodes of the edges entering cell node i (or the
    input when i == 0) and feeds the edges leaving cell node j (or the output when j == 3).
    """
    n = len(EDGES) + 2
    adjacency = np.zeros((n, n), dtype=np.uint8)
    output = n - 1
    for e, (src, dst) in enumerate(EDGES):
        if src == 0:
            adjacency[0, e + 1] = 1
        if dst == 3:
            adjacency[e + 1, output] = 1
        for f, (src2, _) in enumerate(EDGES):
            if src2 == dst:
                adjacency[e + 1, f + 1] = 1
    return adjacency


ADJACENCY = _node_op_adjacency()


def _edge_name(e: int) -> str:
    src, dst = EDGES[e]
    return f"node{dst}<-{src}"


@SPACES.register("nb201")
class Nb201Space(SearchSpace):
    """The 15,625 cells of NAS-Bench-201; an architecture is the tuple of its 6 edge ops."""

    name = "nb201"
    node_ops = ("input", *OPS, "output")
    max_nodes = len(EDGES) + 2

    @property
    def size(self) -> int:
        return len(OPS) ** len(EDGES)

    def parse(self, text: str) -> Nb201Arch:
        hint = "expected e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
        nodes = text.strip().split("+")
        if len(nodes) != 3:
            raise ArchitectureFormatError(
                f"nb201 architecture {text!r} has {len(nodes)} node groups separated by '+', "
                f"not 3; {hint}"
            )
        ops: list[str] = []
        for node, group in enumerate(nodes, start=1):
            if not (group.startswith("|") and group.endswith("|")) or len(group) < 2:
                raise ArchitectureFormatError(
                    f"nb201 node {node} group {group!r} must start and end with '|'; {hint}"
                )
            inputs = group[1:-1].split("|")
            if len(inputs) != node:
                raise ArchitectureFormatError(
                    f"nb201 node {node} group {group!r} has {len(inputs)} inputs, not {node}; {hint}"
                )
            for expected_src, item in enumerate(inputs):
                op, sep, src = item.partition("~")
                if not sep or src != str(expected_src):
                    raise ArchitectureFormatError(
                        f"nb201 node {node} input {item!r} must be 'op~{expected_src}'; {hint}"
                    )
                if op not in OPS:
                    raise ArchitectureFormatError(
                        f"nb201 node {node} input {item!r}: unknown op {op!r}; "
                        f"ops are {', '.join(OPS)}"
                    )
                ops.append(op)
        return tuple(ops)

    def format(self, arch: Nb201Arch) -> str:
        groups, e = [], 0
        for node in (1, 2, 3):
            groups.append("|" + "|".join(f"{arch[e + src]}~{src}" for src in range(node)) + "|")
            e += node
        return "+".join(groups)

    def sample(self, rng: np.random.Generator) -> Nb201Arch:
        return tuple(OPS[i] for i in rng.integers(len(OPS), size=len(EDGES)))

    def neighbours(self, arch: Nb201Arch) -> list[Nb201Arch]:
        return [
            arch[:e] + (op,) + arch[e + 1 :]
            for e in range(len(EDGES))
            for op in OPS
            if op != arch[e]
        ]

    def decisions(self) -> dict[str, tuple[str, ...]]:
        """One decision per edge, named after it: `node2<-1` is the op from node 1 to node 2."""
        return {_edge_name(e): OPS for e in range(len(EDGES))}

    def from_decisions(self, values: Mapping[str, str]) -> Nb201Arch:
        return tuple(values[_edge_name(e)] for e in range(len(EDGES)))

    def to_decisions(self, arch: Nb201Arch) -> dict[str, str]:
        return {_edge_name(e): op for e, op in enumerate(arch)}

    def enumerate(self) -> Iterator[Nb201Arch]:
        return itertools.product(OPS, repeat=len(EDGES))

    def to_graph(self, arch: Nb201Arch) -> ArchGraph:
        return ArchGraph(ADJACENCY.copy(), ("input", *arch, "output"))

    def next_ops(self, prefix: ArchGraph) -> tuple[str, ...]:
        """Input, an op per edge, output: the node-op graph has one fixed shape."""
        n = prefix.n_nodes
        if n == 0:
            return ("input",)
        if n <= len(EDGES):
            return OPS
        return ("output",) if n == len(EDGES) + 1 else (END_OF_GRAPH,)

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        n = prefix.n_nodes
        must = ADJACENCY[: n - 1, n - 1].astype(bool)
        return must, must.copy()

    def from_graph(self, graph: ArchGraph) -> Nb201Arch | None:
        ops = graph.ops
        if (
            graph.n_nodes != self.max_nodes
            or ops[0] != "input"
            or ops[-1] != "output"
            or any(op not in OPS for op in ops[1:-1])
            or not np.array_equal(graph.adjacency, ADJACENCY)
        ):
            return None
        return tuple(ops[1:-1])
