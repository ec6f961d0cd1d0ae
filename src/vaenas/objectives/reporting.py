"""What an objective sees of the trial it evaluates: a handle to report intermediate
values through (`trial.report(value, step)`) and to ask whether to stop
(`trial.should_prune()`, then `raise vaenas.TrialPruned`), as in Optuna.

The handle is defined here, below the study, so that objectives can report; where the
reports go and who decides is the study's (a `ReportSink`: the journal and a pruner)."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Protocol

from vaenas.errors import InvalidArgumentError
from vaenas.spaces.base import Arch


MAX_STEP = 10**12
"""The largest step a report may name: far beyond any epoch or iteration count, and
small enough for every store and every pruner's arithmetic."""


class TrialPruned(Exception):
    """Raised by an objective whose trial should be pruned: the study records the trial
    as pruned, with the last value it reported, and goes on."""


class ReportSink(Protocol):
    """Where a trial's reports go, and what decides its pruning."""

    def record(self, number: int, step: int, value: float) -> None: ...

    def should_prune(self, number: int) -> bool: ...


class Trial:
    """One trial of a study as its objective sees it: the architecture, its number, and
    the intermediate values reported so far."""

    def __init__(self, number: int, arch: Arch, sink: ReportSink | None = None) -> None:
        self.number, self.arch, self._sink = number, arch, sink
        self.intermediate_values: dict[int, float] = {}

    def reports_to(self, sink: ReportSink) -> bool:
        """Whether this handle is one of the study whose reports go to `sink`."""
        return self._sink is sink

    @property
    def last_step(self) -> int | None:
        return max(self.intermediate_values) if self.intermediate_values else None

    def report(self, value: float, step: int) -> None:
        """Keeps the value reached at `step` (an epoch, say); pruners compare trials by
        what they reported at the same step. The value is kept here only once the study
        has taken it, so this handle never holds a report the journal lacks."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= MAX_STEP:
            raise InvalidArgumentError(f"step must be a whole number from 0 to {MAX_STEP}, got {step!r}")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise InvalidArgumentError(f"report a number a float can hold, got {str(value)[:40]!r}") from None
        if not math.isfinite(number):
            return  # a non-finite value says nothing a pruner can compare
        if self._sink is not None:
            self._sink.record(self.number, step, number)
        self.intermediate_values[step] = number

    def should_prune(self) -> bool:
        """Whether the study's pruner stops this trial now (never without a pruner)."""
        return self._sink is not None and bool(self.intermediate_values) and self._sink.should_prune(self.number)


def accepts_trial(fn: Callable[..., object]) -> bool:
    """Whether `fn` takes a second positional argument (the trial): fn(arch, trial), or an
    Objective's evaluate(arch, trial); fn(arch) and objectives written before reporting
    existed are called with the architecture alone."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
