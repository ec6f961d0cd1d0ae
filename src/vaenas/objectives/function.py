"""A user's own Python callable as an objective: what `study.optimize(fn)` evaluates."""

from __future__ import annotations

from collections.abc import Callable

from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.reporting import Trial, accepts_trial
from vaenas.spaces.base import Arch

UserFunction = Callable[..., "float | Evaluation"]
"""fn(arch) or fn(arch, trial) -> a float (the value) or an Evaluation (value, cost,
metrics); with the trial it can report per epoch and be pruned."""


class FunctionObjective(Objective):
    """Calls `fn` on each architecture (and its trial, when `fn` takes a second
    parameter). It must pickle (a module-level function) for the pool executor; the
    in-process executor takes any callable, closures included."""

    name = "function"

    def __init__(self, fn: UserFunction, space_name: str, maximize: bool = True) -> None:
        if not callable(fn):
            raise TypeError(f"the objective must be a callable fn(arch) -> float, got {type(fn).__name__}")
        self.fn, self.space_name, self.maximize = fn, space_name, maximize
        self.takes_trial = accepts_trial(fn)

    def evaluate(self, arch: Arch, trial: Trial | None = None) -> Evaluation:
        if self.takes_trial:
            result = self.fn(arch, trial if trial is not None else Trial(-1, arch))
        else:
            result = self.fn(arch)
        return result if isinstance(result, Evaluation) else Evaluation(value=result)

