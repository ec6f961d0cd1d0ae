"""Search spaces: what an architecture is. Importing this package registers every space."""

from vaenas.errors import InvalidArgumentError
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
    if name not in (CellSpace.name, LayerSpace.name) or not definition:
        return None
    keys = {"n_nodes", "ops"} if name == CellSpace.name else {"stages"}
    if not isinstance(definition, dict) or not set(definition) <= keys:
        raise InvalidArgumentError(f"the stored definition of a {name} space must give {', '.join(sorted(keys))}, "
                                   f"got {definition!r:.120}")
    return CellSpace(**definition) if name == CellSpace.name else LayerSpace(definition["stages"])


__all__ = ["END_OF_GRAPH", "SPACES", "Arch", "ArchGraph", "CellSpace", "LayerSpace", "SearchSpace", "make_space", "space_of"]
