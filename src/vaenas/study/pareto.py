"""The trade-off view of a study: its trials over several criteria (the value and the
metrics its objective declares, e.g. latency or params), the non-dominated ones, and the
hypervolume they cover. Dominance and hypervolume are BoTorch's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from botorch.utils.multi_objective.hypervolume import Hypervolume
from botorch.utils.multi_objective.pareto import is_non_dominated

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import Objective
from vaenas.study.storages.base import TrialRecord, TrialStatus

VALUE = "value"
"""The criterion that is the objective's own value (what the search optimised)."""


class Measured(Protocol):
    """A trial, or an objective's Evaluation: a value and metrics."""

    @property
    def value(self) -> float | None: ...

    @property
    def metrics(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Criterion:
    name: str
    """As the user named it (the value may go by the objective's `value_name`)."""
    maximize: bool
    metric: str | None = None
    """The trial metric it reads; None for the trial's value."""

    def of(self, trial: Measured) -> float | None:
        found = trial.value if self.metric is None else trial.metrics.get(self.metric)
        return None if found is None else float(found)

    def signed(self, trial: Measured) -> float | None:
        """The criterion as higher-is-better (what a search strategy is told)."""
        found = self.of(trial)
        return None if found is None else (found if self.maximize else -found)


def criteria(names: list[str] | tuple[str, ...], objective: type[Objective]) -> list[Criterion]:
    """The criteria a user names: the value (as `value` or the objective's `value_name`,
    e.g. accuracy) and the objective's declared metrics."""
    value_direction = "maximize" if objective.maximize else "minimize"
    known = {objective.value_name: value_direction, VALUE: value_direction, **objective.metric_directions}
    listing = ", ".join(known)
    meant = [VALUE if n == objective.value_name else n for n in names]
    if len(set(meant)) < 2 or len(set(meant)) != len(meant):
        example = f"{objective.value_name},{listing.split(', ')[-1]}"
        raise InvalidArgumentError(f"name at least two different objectives, e.g. --objectives {example}")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidArgumentError(
            f"objective {objective.name!r} provides no {unknown[0]!r}; choose from: {listing}"
        )
    return [Criterion(n, known[n] == "maximize", None if m == VALUE else m) for n, m in zip(names, meant)]


def criteria_by_direction(names: list[str], directions: dict[str, str]) -> list[Criterion]:
    """The criteria `names` of a study made with a function, whose `directions` give
    name -> "maximize" | "minimize": `value` is what the function returns, other names
    are its metrics."""
    return [Criterion(name, directions[name] == "maximize", None if name == VALUE else name) for name in names]


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


def pareto_summary(view: ParetoView) -> dict[str, Any]:
    """What pareto.json holds: the criteria, the front and its hypervolume from the worst
    value of each criterion over the trials."""
    reference = worst_values(view)
    return {
        "criteria": [{"name": c.name, "direction": "maximize" if c.maximize else "minimize"} for c in view.criteria],
        "reference": reference.tolist(),
        "reference_rule": "the worst value of each criterion over the trials",
        "hypervolume": view.hypervolume(reference),
        "n_trials": len(view.trials),
        "front": view.front(),
    }


def worst_values(view: ParetoView) -> np.ndarray:
    """The worst value of each criterion over the view's trials: a reference point that
    needs no outside knowledge (state it beside any hypervolume)."""
    return _worst(view.points, view.criteria)


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


@dataclass(frozen=True)
class HypervolumeScale:
    """How hypervolumes of a comparison are measured: one reference point for every
    strategy, and the best hypervolume possible when the objective is a table."""

    reference: np.ndarray
    rule: str
    """How the reference was chosen, in words (state it beside any hypervolume)."""
    attainable: float | None
    """The hypervolume of the table's true front, or None when there is no table."""


def hypervolume_scale(objective: Objective, chosen: list[Criterion], points: list[np.ndarray]) -> HypervolumeScale:
    """The reference is the worst value of each criterion over the objective's table, so
    that the true front's hypervolume is the attainable one; without a table, the worst
    over `points` (every trial of the comparison)."""
    table = objective.table()
    if table is not None:
        rows = np.array([[c.of(e) for c in chosen] for e in table], dtype=float)
        reference = _worst(rows, chosen)
        return HypervolumeScale(reference, "the worst value of each criterion in the table",
                                hypervolume(rows, chosen, reference))
    rows = np.vstack([p for p in points if len(p)])
    return HypervolumeScale(_worst(rows, chosen), "the worst value of each criterion over the compared trials", None)


def hypervolume_curve(points: list[list[float] | None], chosen: list[Criterion], reference: np.ndarray) -> np.ndarray:
    """The hypervolume after each trial (failed trials, None, add nothing)."""
    curve, front, current = [], np.zeros((0, len(chosen))), 0.0
    for point in points:
        if point is not None:
            candidate = np.vstack([front, point])
            on = is_non_dominated(torch.as_tensor(_signed(candidate, chosen))).numpy()
            if on[-1]:  # only a new non-dominated point changes the hypervolume
                front = candidate[on]
                current = hypervolume(front, chosen, reference)
        curve.append(current)
    return np.array(curve)


def _worst(rows: np.ndarray, chosen: list[Criterion]) -> np.ndarray:
    return np.array([rows[:, i].min() if c.maximize else rows[:, i].max() for i, c in enumerate(chosen)])
