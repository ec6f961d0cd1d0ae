"""Search spaces: what an architecture is. Importing this package registers every space."""

from vaenas.spaces import macro, nb201, nbgraph  # noqa: F401  (each module registers its space)
from vaenas.spaces.base import Arch, SearchSpace
from vaenas.spaces.cell import CellSpace
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph
from vaenas.spaces.macro import LayerSpace
from vaenas.spaces.registry import SPACES


def make_space(name: str) -> SearchSpace:
    """The space registered under `name`; UnknownNameError lists the valid names."""
    return SPACES.get(name)()


__all__ = ["END_OF_GRAPH", "SPACES", "Arch", "ArchGraph", "CellSpace", "LayerSpace", "SearchSpace", "make_space"]
