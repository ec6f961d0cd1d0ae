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


def space_of(name: str, definition: dict | None) -> SearchSpace | None:
    """The space a study's identity names (a registered one, or a CellSpace or LayerSpace
    by its definition); None for a space of the user's own class."""
    if name in SPACES:
        return make_space(name)
    if name == CellSpace.name and definition:
        return CellSpace(**definition)
    if name == LayerSpace.name and definition:
        return LayerSpace(definition["stages"])
    return None


__all__ = ["END_OF_GRAPH", "SPACES", "Arch", "ArchGraph", "CellSpace", "LayerSpace", "SearchSpace", "make_space", "space_of"]
