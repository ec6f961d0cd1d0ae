"""Objectives: what an architecture is worth. Importing this package registers every objective."""

from typing import Any

from vaenas.objectives import (  # noqa: F401  (each module registers its objective)
    classifier,
    imagevae,
    nb201_table,
    nbgraph_table,
    proxy_objective,
    supernet_objective,
)
from vaenas.objectives.base import OPTIMUM_TOLERANCE, Evaluation, Objective
from vaenas.objectives.function import FunctionObjective
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.trained_model import load_model


def make_objective(name: str, dataset: str | None = None, **options: Any) -> Objective:
    """The objective registered under `name`, on `dataset` (its default when None);
    `options` go to its constructor (epochs, subset, ... for trained objectives)."""
    cls = OBJECTIVES.get(name)
    return cls(**options) if dataset is None else cls(dataset=dataset, **options)


__all__ = ["OBJECTIVES", "OPTIMUM_TOLERANCE", "Evaluation", "FunctionObjective", "Objective", "load_model", "make_objective"]
