"""The median rule (Golovin et al., Google Vizier, 2017), as Optuna's MedianPruner."""

from __future__ import annotations

from typing import Any

import numpy as np

from vaenas.study.pruners.base import Pruner, PruningState
from vaenas.study.storages.base import TrialStatus


class MedianPruner(Pruner):
    """Stops a trial whose best value so far is worse than the median of the values that
    completed trials reported at the same step.

    Nothing is pruned before `n_startup_trials` trials have completed, nor before step
    `n_warmup_steps` of a trial."""

    name = "median"
    minimums = {"n_startup_trials": 0, "n_warmup_steps": 0}

    def __init__(self, n_startup_trials: int = 5, n_warmup_steps: int = 0) -> None:
        self.n_startup_trials, self.n_warmup_steps = n_startup_trials, n_warmup_steps

    def options(self) -> dict[str, Any]:
        return {"n_startup_trials": self.n_startup_trials, "n_warmup_steps": self.n_warmup_steps}

    def prune(self, number: int, state: PruningState) -> bool:
        own = state.reports.get(number, {})
        if not own:
            return False
        step = max(own)
        if step < self.n_warmup_steps:
            return False
        completed = [n for n, status in state.statuses.items() if status is TrialStatus.COMPLETE and n != number]
        if len(completed) < self.n_startup_trials:
            return False
        at_step = [state.reports[n][step] for n in completed if step in state.reports.get(n, {})]
        if not at_step:
            return False
        best = max(own.values()) if state.maximize else min(own.values())
        return not state.better(best, float(np.median(at_step)))
