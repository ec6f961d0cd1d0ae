"""Objectives: what an architecture is worth. Importing this package registers every objective."""

from vaenas.objectives import nb201_table  # noqa: F401  (registers the objective)
from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.registry import OBJECTIVES


def make_objective(name: str, dataset: str | None = None) -> Objective:
    """The objective registered under `name`, on `dataset` (its default when None)."""
    cls = OBJECTIVES.get(name)
    return cls() if dataset is None else cls(dataset=dataset)


__all__ = ["OBJECTIVES", "Evaluation", "Objective", "make_objective"]
