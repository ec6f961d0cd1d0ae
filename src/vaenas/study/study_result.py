"""What a configured study (`vaenas search`, one run of `vaenas compare`) reports: the
figures of its results.json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from vaenas.objectives import Objective
from vaenas.study.pareto import Criterion, ParetoView
from vaenas.study.storages.base import TrialRecord, TrialStatus

if TYPE_CHECKING:
    from vaenas.study.config import StudyConfig


@dataclass(frozen=True)
class StudyResult:
    config: StudyConfig
    best_arch: str | None
    best_value: float | None
    regret: float | None
    n_trials: int
    n_failed: int
    values: list[float | None]
    """Value of each finished trial in trial-number order (None for a failed one)."""
    seconds: float
    n_pruned: int = 0
    epochs_trained: int | None = None
    """Epochs trained over every trial (pruned ones up to where they stopped), for an
    objective that trains; None for a table."""
    ask_seconds: float | None = None
    """Mean wall seconds the strategy spent per ask (over the trials that recorded it)."""
    maximize: bool = True
    optimum: float | None = None
    reported_metric: str | None = None
    """The objective's reported metric (e.g. test performance of a search on validation)."""
    reported: list[float | None] | None = None
    """That metric of each finished trial, in `values`' order."""
    points: list[list[float] | None] | None = None
    """In a multi-objective study, each finished trial's value per objective (in the
    config's `objectives` order; None for a failed trial), in `values`' order."""
    front: list[dict[str, Any]] | None = None
    """In a multi-objective study, the non-dominated trials."""

    def to_json(self) -> dict[str, Any]:
        return {
            "best_arch": self.best_arch,
            "best_value": self.best_value,
            "regret": self.regret,
            "n_trials": self.n_trials,
            "n_failed": self.n_failed,
            "space": self.config.space,
            "objective": self.config.objective_name,
            "dataset": self.config.dataset,
            "strategy": self.config.strategy,
            "seed": self.config.seed,
            "budget": self.config.budget,
            "seconds": self.seconds,
            "n_pruned": self.n_pruned,
            "epochs_trained": self.epochs_trained,
            "ask_seconds": self.ask_seconds,
            "maximize": self.maximize,
            "optimum": self.optimum,
            "values": self.values,
            **({"reported_metric": self.reported_metric, "reported": self.reported} if self.reported_metric else {}),
            **({"objectives": self.config.objectives, "points": self.points, "front": self.front} if self.front is not None else {}),
        }


def study_result(
    config: StudyConfig, objective: Objective, trials: list[TrialRecord], best: TrialRecord | None,
    seconds: float, view: ParetoView | None,
) -> StudyResult:
    """The figures of a study's trials; `view` is the Pareto view of a multi-objective one."""
    finished = [t for t in trials if t.finished]
    complete = [t for t in finished if t.status is TrialStatus.COMPLETE and t.value is not None]
    asks = [t.metrics["ask_seconds"] for t in finished if "ask_seconds" in t.metrics]
    metric = objective.reported_metric
    chosen = view.criteria if view is not None else []
    return StudyResult(
        config=config,
        best_arch=best.arch if best else None,
        best_value=best.value if best else None,
        regret=objective.regret(best.value) if best and best.value is not None else None,
        n_trials=len(finished),
        n_failed=len(finished) - len(complete),
        values=[t.value if t.status is TrialStatus.COMPLETE else None for t in finished],
        seconds=seconds,
        n_pruned=sum(t.status is TrialStatus.PRUNED for t in finished),
        epochs_trained=epochs_trained(finished),
        ask_seconds=float(np.mean(asks)) if asks else None,
        maximize=objective.maximize,
        optimum=objective.optimum,
        reported_metric=metric,
        reported=[t.metrics.get(metric) for t in finished] if metric else None,
        points=[_point(t, chosen) for t in finished] if chosen else None,
        front=view.front() if view is not None else None,
    )


def epochs_trained(trials: list[TrialRecord]) -> int | None:
    """Epochs over the trials of an objective that trains (it records `epochs`): a
    pruned trial counts the epochs it reached. None when no trial trained."""
    counts = [t.metrics["pruned_at"] if "pruned_at" in t.metrics else t.metrics.get("epochs") for t in trials]
    known = [int(c) for c in counts if c is not None]
    return sum(known) if known else None


def _point(trial: TrialRecord, chosen: list[Criterion]) -> list[float] | None:
    values = [c.of(trial) for c in chosen]
    ok = trial.status is TrialStatus.COMPLETE and all(v is not None for v in values)
    return [float(v) for v in values if v is not None] if ok else None
