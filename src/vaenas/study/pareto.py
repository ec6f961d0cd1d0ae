"""The trade-off view of a study: its trials over several criteria (the value and the
metrics its objective declares, e.g. latency or params), the non-dominated ones, and the
hypervolume they cover. Dominance and hypervolume are BoTorch's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from botorch.utils.multi_objective.hypervolume import Hypervolume
from botorch.utils.multi_objective.pareto import is_non_dominated

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import Objective
from vaenas.study.storage import TrialRecord, TrialStatus

VALUE = "value"
"""The criterion that is the objective's own value (what the search optimised)."""


@dataclass(frozen=True)
class Criterion:
    name: str
    maximize: bool

    def of(self, trial: TrialRecord) -> float | None:
        found = trial.value if self.name == VALUE else trial.metrics.get(self.name)
        return None if found is None else float(found)


def criteria(names: list[str], objective: type[Objective]) -> list[Criterion]:
    """The criteria a user names: `value` and the objective's declared metrics."""
    known = {VALUE: "maximize" if objective.maximize else "minimize", **objective.metric_directions}
    listing = ", ".join(known)
    if len(set(names)) < 2 or len(set(names)) != len(names):
        raise InvalidArgumentError(f"name at least two different objectives, e.g. --objectives value,{listing.split(', ')[-1]}")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidArgumentError(
            f"objective {objective.name!r} provides no {unknown[0]!r}; choose from: {listing}"
        )
    return [Criterion(n, known[n] == "maximize") for n in names]


@dataclass(frozen=True)
class ParetoView:
    criteria: list[Criterion]
    trials: list[TrialRecord]
    """The successful trials that have every criterion, in trial order."""
    points: np.ndarray
    """(trials, criteria) their values, as measured (not sign-flipped)."""
    on_front: np.ndarray
    """Which of them no other trial dominates."""

    def front(self) -> list[dict[str, Any]]:
        """The non-dominated trials, best first by the first criterion."""
        rows = [
            {"number": t.number, "arch": t.arch, **{c.name: float(p[i]) for i, c in enumerate(self.criteria)}}
            for t, p, on in zip(self.trials, self.points, self.on_front) if on
        ]
        first = self.criteria[0]
        return sorted(rows, key=lambda r: r[first.name], reverse=first.maximize)

    def hypervolume(self, reference: np.ndarray) -> float:
        """Volume dominated by the front and bounded by `reference` (in measured units,
        one worst value per criterion)."""
        return hypervolume(self.points[self.on_front], self.criteria, reference)


def pareto_view(trials: list[TrialRecord], chosen: list[Criterion]) -> ParetoView:
    kept, rows = [], []
    for trial in trials:
        if trial.status is not TrialStatus.COMPLETE:
            continue
        values = [c.of(trial) for c in chosen]
        if all(v is not None for v in values):
            kept.append(trial)
            rows.append(values)
    points = np.array(rows, dtype=float).reshape(len(rows), len(chosen))
    on_front = is_non_dominated(torch.as_tensor(_signed(points, chosen))).numpy() if len(rows) else np.zeros(0, bool)
    return ParetoView(chosen, kept, points, on_front)


def worst_values(view: ParetoView) -> np.ndarray:
    """The worst value of each criterion over the view's trials: a reference point that
    needs no outside knowledge (state it beside any hypervolume)."""
    return np.array([
        view.points[:, i].min() if c.maximize else view.points[:, i].max() for i, c in enumerate(view.criteria)
    ])


def hypervolume(points: np.ndarray, chosen: list[Criterion], reference: np.ndarray) -> float:
    signed = torch.as_tensor(_signed(points, chosen))
    ref = torch.as_tensor(_signed(np.asarray(reference, dtype=float)[None], chosen)[0])
    inside = signed[(signed > ref).all(-1)]
    if not len(inside):
        return 0.0
    return float(Hypervolume(ref).compute(inside[is_non_dominated(inside)]))


def _signed(points: np.ndarray, chosen: list[Criterion]) -> np.ndarray:
    """Every criterion as higher-is-better (BoTorch's convention)."""
    return points * np.array([1.0 if c.maximize else -1.0 for c in chosen])
