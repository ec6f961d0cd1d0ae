"""Hyperband (Li et al., JMLR 2018) in its asynchronous form: brackets of ASHA."""

from __future__ import annotations

import math
from typing import Any

from vaenas.study.pruners.base import Pruner, PruningState
from vaenas.study.pruners.successive_halving import SuccessiveHalvingPruner


class HyperbandPruner(Pruner):
    """Several ASHA brackets that differ in how early they stop trials: bracket s has
    its first rung at min_resource * reduction_factor ** s, for s = 0 .. the number of
    rungs below max_resource. Trials are dealt to brackets in turn by trial number, and
    compete only within their bracket, so the aggressive brackets' early mistakes are
    hedged by brackets that look longer before they cut."""

    name = "hyperband"
    minimums = {"reduction_factor": 2}
    maximums = {"reduction_factor": 1000}

    def __init__(self, min_resource: int = 1, max_resource: int = 8, reduction_factor: int = 3) -> None:
        self.min_resource, self.max_resource, self.reduction_factor = min_resource, max_resource, reduction_factor
        n_brackets = max(1, math.floor(math.log(max(max_resource / min_resource, 1), reduction_factor) + 1e-9) + 1)
        self.brackets = [
            SuccessiveHalvingPruner(min_resource, reduction_factor, min_early_stopping_rate=s) for s in range(n_brackets)
        ]

    def options(self) -> dict[str, Any]:
        return {"min_resource": self.min_resource, "max_resource": self.max_resource,
                "reduction_factor": self.reduction_factor}

    def bracket_of(self, number: int) -> int:
        return number % len(self.brackets)

    def prune(self, number: int, state: PruningState) -> bool:
        bracket = self.bracket_of(number)
        mates = {n for n in state.statuses if self.bracket_of(n) == bracket}
        return self.brackets[bracket].prune(number, state, competitors=mates | {number})
