"""What every objective provides: the worth of one architecture."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vaenas.objectives.reporting import Trial
from vaenas.spaces.base import Arch

OPTIMUM_TOLERANCE = 1e-9
"""A value this close to the optimum is the optimum (regret 0): tables store equal scores
as floats that differ in the last bits (cora's two best cells)."""


@dataclass(frozen=True)
class Evaluation:
    """One evaluation: its value, its cost in seconds (simulated or real), extra metrics,
    and for trained objectives the trained network (saved when it is the best so far)."""

    value: float
    cost: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    artifact: Any = None


class Objective(ABC):
    """Scores architectures of one space on one data set.

    `maximize` says which way is better; `optimum` is the best value reachable in the
    space when it is known (table benchmarks), so that results can report regret.
    """

    name: str
    space_name: str
    maximize: bool = True
    default_dataset: str | None = None
    """The data set used when none is given (None: the objective takes none)."""
    metric_directions: ClassVar[dict[str, str]] = {}
    """The metrics that may be objectives of a multi-objective view (`vaenas pareto`),
    with their direction: "maximize" or "minimize"."""
    value_name: ClassVar[str] = "value"
    """What the value measures, as a user names it among several objectives
    (`--objectives accuracy,latency`); "value" always names it too."""
    value_label: ClassVar[str | None] = None
    """What the value measures, as the results name it (e.g. validation accuracy (%)); None: `value_name`."""
    is_lookup: ClassVar[bool] = False
    """True for a table benchmark, whose evaluations are lookups: cheap enough to score
    every architecture of a space (what `vaenas map` does)."""
    reported_metric: str | None = None
    """The metric that is reported for the best trial when the search runs on another
    value (a benchmark searched on validation reports test performance), else None."""

    @property
    def optimum(self) -> float | None:
        return None

    @abstractmethod
    def evaluate(self, arch: Arch, trial: Trial | None = None) -> Evaluation:
        """Evaluates one architecture; raises on a failure the study records as failed.
        An objective that trains reports through `trial` (per epoch) and raises
        TrialPruned when `trial.should_prune()`; a table lookup ignores it."""

    def table(self) -> list[Evaluation] | None:
        """Every architecture's evaluation when the objective is a lookup table (the true
        Pareto front comes from it), else None."""
        return None

    def regret(self, value: float) -> float | None:
        """Distance of `value` from the optimum (0 is best), or None when it is unknown."""
        if self.optimum is None:
            return None
        return self.optimum - value if self.maximize else value - self.optimum
