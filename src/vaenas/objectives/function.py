"""A user's own Python callable as an objective: what `study.optimize(fn)` evaluates."""

from __future__ import annotations

from collections.abc import Callable

from vaenas.objectives.base import Evaluation, Objective
from vaenas.spaces.base import Arch

UserFunction = Callable[[Arch], "float | Evaluation"]
"""fn(arch) -> a float (the value) or an Evaluation (value, cost, metrics)."""


class FunctionObjective(Objective):
    """Calls `fn` on each architecture. It must pickle (a module-level function) for the
    pool executor; the in-process executor takes any callable, closures included."""

    name = "function"

    def __init__(self, fn: UserFunction, space_name: str, maximize: bool = True) -> None:
        if not callable(fn):
            raise TypeError(f"the objective must be a callable fn(arch) -> float, got {type(fn).__name__}")
        self.fn, self.space_name, self.maximize = fn, space_name, maximize

    def evaluate(self, arch: Arch) -> Evaluation:
        result = self.fn(arch)
        return result if isinstance(result, Evaluation) else Evaluation(value=float(result))
