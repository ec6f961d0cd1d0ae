"""Objectives: what an architecture is worth. Importing this package registers every objective."""

from typing import Any

from vaenas.constructor_options import constructor_defaults
from vaenas.errors import InvalidArgumentError

from vaenas.objectives import (  # noqa: F401  (each module registers its objective)
    classifier,
    image_folder,
    imagevae,
    nb201_table,
    nbgraph_table,
    network_proxy,
    proxy_objective,
    supernet_objective,
)
from vaenas.objectives.base import OPTIMUM_TOLERANCE, Evaluation, Objective
from vaenas.objectives.function import FunctionObjective
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.trained_model import load_model


def make_objective(name: str, dataset: str | None = None, **options: Any) -> Objective:
    """The objective registered under `name`, on `dataset` (its default when None);
    `options` go to its constructor (epochs, subset, device ... for trained objectives),
    an option it does not take is one line naming those it does."""
    cls = OBJECTIVES.get(name)
    known = objective_options(cls)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise InvalidArgumentError(
            f"objective {name!r} takes no option {', '.join(unknown)}"
            + (f"; its options: {', '.join(known)}" if known else " (a table lookup takes none)")
        )
    return cls(**options) if dataset is None else cls(dataset=dataset, **options)


def objective_options(cls: type[Objective]) -> list[str]:
    """The keyword options of an objective's constructor, through the `**options` its
    constructors pass up the class chain."""
    return list(constructor_defaults(cls, ("self", "dataset")))


__all__ = ["OBJECTIVES", "OPTIMUM_TOLERANCE", "Evaluation", "FunctionObjective", "Objective", "load_model", "make_objective"]
