"""NAS-Bench-Graph (Qin et al., NeurIPS 2022 datasets track): a cell of 4 computing
nodes over the graph's input features; each node reads one earlier node (or the input)
and applies one of 9 GNN operations; the nodes no other node reads make the output.

Which cells are the same architecture (isomorphic cells, skip connections that can be
moved) is the benchmark's own rule, taken from the `nas-bench-graph` package: its
canonical form of every cell is what `key` returns, and its 26,206 canonical cells are
what `enumerate` lists. The package is the optional extra `vaenas[nbgraph]`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

from vaenas.errors import ArchitectureFormatError, MissingExtraError
from vaenas.spaces.base import SearchSpace
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph
from vaenas.spaces.registry import SPACES

GNN_OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
"""The benchmark's operations, in the package's order (its hash depends on it)."""
N_NODES = 4

GraphCellArch = tuple[tuple[int, ...], tuple[str, ...]]
"""(inputs, ops): node k (1-based) reads node inputs[k-1] (0: the input features) and
applies ops[k-1]."""


def nas_bench_graph() -> ModuleType:
    """The `nas_bench_graph` package, or one line naming the install command."""
    try:
        import nas_bench_graph
    except ImportError:
        raise MissingExtraError(
            "NAS-Bench-Graph needs its package: pip install 'vaenas[nbgraph]' (or pip install nas-bench-graph)"
        ) from None
    return nas_bench_graph


@cache
def _canonical(arch: GraphCellArch) -> GraphCellArch:
    """The benchmark's canonical form of a cell (the cell its table stores)."""
    package = nas_bench_graph()
    inputs, ops = arch
    code = package.Arch(list(inputs), list(ops)).valid_hash()
    return decode_hash(code, package.architecture.link_list)


def decode_hash(code: int, link_list: list[list[int]]) -> GraphCellArch:
    """The cell behind one of the benchmark's table keys: the link pattern's index, then
    one digit per op in base len(ops) + 1."""
    digits = []
    for _ in range(N_NODES):
        code, digit = divmod(code, len(GNN_OPS) + 1)
        digits.append(digit)
    return tuple(link_list[code]), tuple(GNN_OPS[d] for d in reversed(digits))


@cache
def _canonical_cells() -> tuple[GraphCellArch, ...]:
    """Every canonical cell: each raw cell's canonical form, once."""
    raw = itertools.product(*(range(k) for k in range(1, N_NODES + 1)))
    found = {
        _canonical((inputs, ops))
        for inputs in raw
        for ops in itertools.product(GNN_OPS, repeat=N_NODES)
        if set(ops) != {"skip"}
    }
    return tuple(sorted(found))


def _token(op: str, source: int) -> str:
    return f"{op}~{source}"


@SPACES.register("nbgraph")
class NbGraphSpace(SearchSpace):
    """The 26,206 GNN cells of NAS-Bench-Graph.

    Written `gcn~0|gat~1|skip~1|fc~2`: node k's op and the node it reads, for k = 1..4.
    For the VAE a cell is the DAG input, node 1..4, output; a node's op token also names
    the node it reads (`gcn~0`), so a decoder that picks one token per node always draws
    exactly one input edge, and the output reads the nodes nothing else reads: every
    decode is a valid cell. A cell of skips only computes nothing and is not in the space.
    """

    name = "nbgraph"
    ops = GNN_OPS
    max_nodes = N_NODES + 2

    def __init__(self) -> None:
        nas_bench_graph()  # the missing extra is reported when the space is made
        tokens = [_token(op, source) for source in range(N_NODES) for op in GNN_OPS]
        self.node_ops = ("input", *tokens, "output")

    @property
    def size(self) -> int:
        return len(_canonical_cells())

    def key(self, arch: GraphCellArch) -> str:
        return self.format(_canonical(arch))

    def parse(self, text: str) -> GraphCellArch:
        hint = "expected e.g. gcn~0|gat~1|skip~1|fc~2 (node k: op~the node it reads, 0 = input)"
        items = text.strip().split("|")
        if len(items) != N_NODES:
            raise ArchitectureFormatError(f"nbgraph architecture {text!r} has {len(items)} nodes, not {N_NODES}; {hint}")
        inputs, ops = [], []
        for k, item in enumerate(items, start=1):
            op, sep, source = item.strip().partition("~")
            if not sep or not source.isdigit() or not int(source) < k:
                raise ArchitectureFormatError(f"nbgraph node {k} {item!r} must read op~j with j < {k}; {hint}")
            if op not in GNN_OPS:
                raise ArchitectureFormatError(f"nbgraph node {k}: unknown op {op!r}; ops are {', '.join(GNN_OPS)}")
            inputs.append(int(source))
            ops.append(op)
        if set(ops) == {"skip"}:
            raise ArchitectureFormatError(f"nbgraph architecture {text!r} is skips only, which computes nothing")
        return tuple(inputs), tuple(ops)

    def format(self, arch: GraphCellArch) -> str:
        inputs, ops = arch
        return "|".join(_token(op, source) for op, source in zip(ops, inputs))

    def sample(self, rng: np.random.Generator) -> GraphCellArch:
        cells = _canonical_cells()
        return cells[int(rng.integers(len(cells)))]

    def enumerate(self) -> Iterator[GraphCellArch]:
        return iter(_canonical_cells())

    def neighbours(self, arch: GraphCellArch) -> list[GraphCellArch]:
        """The distinct cells one op or one input away (in canonical form)."""
        inputs, ops = arch
        own = _canonical(arch)
        found: dict[GraphCellArch, None] = {}
        for k in range(N_NODES):
            changes = [(inputs, ops[:k] + (op,) + ops[k + 1 :]) for op in GNN_OPS if op != ops[k]]
            changes += [(inputs[:k] + (j,) + inputs[k + 1 :], ops) for j in range(k + 1) if j != inputs[k]]
            for changed in changes:
                if set(changed[1]) != {"skip"} and (cell := _canonical(changed)) != own:
                    found.setdefault(cell)
        return list(found)

    def decisions(self) -> dict[str, tuple[Any, ...]]:
        """Each node's op and the node it reads (node 1 always reads the input)."""
        choices: dict[str, tuple[Any, ...]] = {}
        for k in range(1, N_NODES + 1):
            choices[f"node{k}_op"] = GNN_OPS
            if k > 1:
                choices[f"node{k}_input"] = tuple(range(k))
        return choices

    def from_decisions(self, values: Mapping[str, Any]) -> GraphCellArch:
        """A cell of skips only is turned into one with a final fully-connected node, so
        that every set of choices names a cell of the space."""
        ops = tuple(values[f"node{k}_op"] for k in range(1, N_NODES + 1))
        inputs = (0, *(int(values[f"node{k}_input"]) for k in range(2, N_NODES + 1)))
        if set(ops) == {"skip"}:
            ops = (*ops[:-1], "fc")
        return inputs, ops

    def to_decisions(self, arch: GraphCellArch) -> dict[str, Any]:
        inputs, ops = arch
        values: dict[str, Any] = {}
        for k in range(1, N_NODES + 1):
            values[f"node{k}_op"] = ops[k - 1]
            if k > 1:
                values[f"node{k}_input"] = inputs[k - 1]
        return values

    def operation(self, op: str) -> str:
        return op.split("~")[0]

    def to_graph(self, arch: GraphCellArch) -> ArchGraph:
        inputs, ops = arch
        n = self.max_nodes
        adjacency = np.zeros((n, n), dtype=np.uint8)
        for k, source in enumerate(inputs, start=1):
            adjacency[source, k] = 1
        for k in _leaves(inputs):
            adjacency[k, n - 1] = 1
        return ArchGraph(adjacency, ("input", *(_token(op, s) for op, s in zip(ops, inputs)), "output"))

    def next_ops(self, prefix: ArchGraph) -> tuple[str, ...]:
        """Input; nodes 1..4 reading an earlier node (the last not a skip when all before
        it are); output; end."""
        n = prefix.n_nodes
        if n == 0:
            return ("input",)
        if n <= N_NODES:
            all_skips = n == N_NODES and all(token.startswith("skip~") for token in prefix.ops[1:])
            return tuple(_token(op, j) for j in range(n) for op in GNN_OPS if not (all_skips and op == "skip"))
        return ("output",) if n == N_NODES + 1 else (END_OF_GRAPH,)

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        """A node's one input is the node its token names; the output reads the leaves."""
        t = prefix.n_nodes - 1
        must = np.zeros(t, dtype=bool)
        if 1 <= t <= N_NODES:
            must[int(prefix.ops[t].rpartition("~")[2])] = True
        elif t == N_NODES + 1:
            inputs = [int(token.rpartition("~")[2]) for token in prefix.ops[1:t]]
            must[list(_leaves(inputs))] = True
        return must, must.copy()

    def from_graph(self, graph: ArchGraph) -> GraphCellArch | None:
        tokens = graph.ops
        if graph.n_nodes != self.max_nodes or tokens[0] != "input" or tokens[-1] != "output":
            return None
        try:
            arch = self.parse("|".join(tokens[1:-1]))
        except ArchitectureFormatError:
            return None
        return arch if graph == self.to_graph(arch) else None


def _leaves(inputs: tuple[int, ...] | list[int]) -> list[int]:
    """The nodes (1-based) that no node reads: they make the cell's output."""
    read = set(inputs)
    return [k for k in range(1, len(inputs) + 1) if k not in read]
