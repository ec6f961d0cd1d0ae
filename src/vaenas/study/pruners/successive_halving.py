"""Asynchronous successive halving (ASHA; Li et al., MLSys 2020)."""

from __future__ import annotations

from typing import Any

from vaenas.study.pruners.base import Pruner, PruningState


class SuccessiveHalvingPruner(Pruner):
    """Rungs at steps min_resource * reduction_factor ** (min_early_stopping_rate + k).
    A trial that reaches a rung goes on only if its value there is among the best
    1 / reduction_factor of every value recorded at that rung so far (its own included);
    no trial waits for a rung to fill. While a rung holds fewer than reduction_factor
    values, only the best of them goes on (Optuna's rule, since a trial is never
    paused and resumed).

    `trials` limits the competition to a set of trial numbers (Hyperband's brackets)."""

    name = "asha"
    minimums = {"reduction_factor": 2, "min_early_stopping_rate": 0}
    maximums = {"reduction_factor": 1000, "min_early_stopping_rate": 60}

    def __init__(self, min_resource: int = 1, reduction_factor: int = 3, min_early_stopping_rate: int = 0) -> None:
        self.min_resource, self.reduction_factor = min_resource, reduction_factor
        self.min_early_stopping_rate = min_early_stopping_rate

    def options(self) -> dict[str, Any]:
        return {"min_resource": self.min_resource, "reduction_factor": self.reduction_factor,
                "min_early_stopping_rate": self.min_early_stopping_rate}

    def rungs(self, up_to: int) -> list[int]:
        """The rung steps at or below `up_to`."""
        steps, k = [], self.min_early_stopping_rate
        while (step := self.min_resource * self.reduction_factor**k) <= up_to:
            steps.append(step)
            k += 1
        return steps

    def prune(self, number: int, state: PruningState, competitors: set[int] | None = None) -> bool:
        own = state.reports.get(number, {})
        if not own:
            return False
        step = max(own)
        rungs = self.rungs(step)
        if not rungs or rungs[-1] != step:
            return False  # decisions are taken on reaching a rung, not between rungs
        rivals = [n for n in state.reports if competitors is None or n in competitors]
        values = sorted((state.reports[n][step] for n in rivals if step in state.reports[n]),
                        reverse=state.maximize)
        promoted = max(1, len(values) // self.reduction_factor)
        return not state.better(own[step], values[promoted - 1])
