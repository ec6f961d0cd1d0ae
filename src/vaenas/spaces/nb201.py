"""NAS-Bench-201 / NATS-Bench topology cell: 4 nodes, 6 edges, 5 ops per edge."""

from __future__ import annotations

from vaenas.spaces.cell import CellArch, CellSpace
from vaenas.spaces.registry import SPACES

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""(from, to) cell nodes of each edge, in the order of the standard string."""

Nb201Arch = CellArch


@SPACES.register("nb201")
class Nb201Space(CellSpace):
    """The 15,625 cells of NAS-Bench-201; an architecture is the tuple of its 6 edge ops."""

    name = "nb201"

    def __init__(self) -> None:
        super().__init__(n_nodes=4, ops=OPS)
