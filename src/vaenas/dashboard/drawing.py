"""What the page draws for one architecture: a cell as a DAG with its ops on the edges
(NAS-Bench-201, CellSpace), a CNN as its stages (macro, LayerSpace), any other space as
its graph (NAS-Bench-Graph: its layers), and the text alone for a space vaenas cannot
rebuild."""

from __future__ import annotations

from typing import Any

from vaenas.errors import VaenasError
from vaenas.spaces import CellSpace, LayerSpace, SearchSpace


def drawing(space: SearchSpace | None, text: str) -> dict[str, Any]:
    """A JSON description the page turns into SVG (`kind`: cell, stages, graph, text)."""
    if space is None:
        return {"kind": "text", "text": text}
    try:
        arch = space.parse(text)
    except VaenasError as exc:
        return {"kind": "text", "text": text, "problem": str(exc)}
    if isinstance(space, CellSpace):
        return {"kind": "cell", "text": text, "nodes": space.n_nodes,
                "edges": [{"from": a, "to": b, "op": op} for (a, b), op in zip(space.edges, arch)]}
    if isinstance(space, LayerSpace):
        return {"kind": "stages", "text": text,
                "stages": [{"depth": s.depth, "width": s.width, "kernel": s.kernel} for s in arch]}
    graph = space.to_graph(arch)
    edges = [[int(i), int(j)] for i, j in zip(*graph.adjacency.nonzero())]
    return {"kind": "graph", "text": text, "nodes": [space.operation(op) for op in graph.ops], "edges": edges}
