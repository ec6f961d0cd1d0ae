"""Where evaluations run. The study loop submits trials and waits for outcomes; an
executor decides where the work happens (this process, a process pool, a Ray cluster)."""

from __future__ import annotations

import json
import math
import traceback
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Protocol

from vaenas.objectives import Evaluation, Objective
from vaenas.objectives.reporting import ReportSink, Trial, TrialPruned, accepts_trial
from vaenas.spaces import SearchSpace


@dataclass(frozen=True)
class Outcome:
    """The end of one attempt at a trial. `lost` means the worker died before answering
    (the study retries); otherwise `evaluation` or `error` says how it went."""

    number: int
    evaluation: Evaluation | None = None
    error: str | None = None
    lost: bool = False
    pruned_at: int | None = None
    """The step at which a pruner stopped the trial (its evaluation holds the value
    reported there), None when it ran to the end."""
    reports: dict[int, float] = field(default_factory=dict)
    """Every value the trial reported (step -> value): journaled at its end, so that no
    report is lost where the hub that carries them live was."""


def evaluate_arch(
    space: SearchSpace, objective: Objective, number: int, arch_text: str, reports: ReportSink | None = None
) -> Outcome:
    """Evaluates one architecture through a trial handle whose reports go to `reports`,
    turning exceptions and non-finite values into errors and TrialPruned into a pruned
    outcome."""
    trial: Trial | None = None
    try:
        arch = space.parse(arch_text)
        trial = Trial(number, arch, reports)
        evaluate = objective.evaluate
        outcome = outcome_of(number, evaluate(arch, trial) if accepts_trial(evaluate) else evaluate(arch))
    except TrialPruned:
        assert trial is not None
        step = trial.last_step
        outcome = (Outcome(number, error="pruned before it reported any value") if step is None else
                   Outcome(number, evaluation=Evaluation(trial.intermediate_values[step]), pruned_at=step))
    except Exception as exc:  # a failing evaluation is recorded; the study goes on
        outcome = Outcome(number, error="".join(traceback.format_exception_only(exc)).strip())
    return outcome if trial is None else replace(outcome, reports=dict(trial.intermediate_values))


def outcome_of(number: int, evaluation: object) -> Outcome:
    """The outcome of a trial with this evaluation: anything but an Evaluation with a
    finite number as value and JSON metrics (a non-finite value, a string, an object in
    the metrics, none) is a failure that says why, so a bad result never stops a study
    nor reaches the journal."""
    if evaluation is None:
        return Outcome(number, error="told as failed")
    if not isinstance(evaluation, Evaluation):
        return Outcome(number, error=f"the objective returned {evaluation!r}, not a number or an Evaluation")
    value = _as_number(evaluation.value)
    if value is None:
        return Outcome(number, error=f"value {str(evaluation.value)[:60]!r} is not a number a float can hold")
    if not math.isfinite(value):
        return Outcome(number, error=f"non-finite value {value}")
    try:
        json.dumps(evaluation.metrics, allow_nan=True)
    except (TypeError, ValueError) as exc:
        return Outcome(number, error=f"metrics are not plain numbers, strings, lists or dicts ({exc})")
    return Outcome(number, evaluation=replace(evaluation, value=value))


def _as_number(value: object) -> float | None:
    """A float from a number (Python, NumPy or a one-element tensor); None from a string,
    a bool or anything else."""
    if isinstance(value, (str, bytes, bool)):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond any float
        return None


class Problem(Protocol):
    """What a worker process receives (pickled) to evaluate trials: a recipe for the space
    and objective, and a key under which a worker keeps what it built."""

    def build_problem(self) -> tuple[SearchSpace, Objective]: ...

    def problem_key(self) -> str: ...


@dataclass(frozen=True)
class BuiltProblem:
    """A space and objective that travel to workers as they are (a user's callable):
    both must pickle."""

    space: SearchSpace
    objective: Objective
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def build_problem(self) -> tuple[SearchSpace, Objective]:
        return self.space, self.objective

    def problem_key(self) -> str:
        return self.key


_WORKER_PROBLEMS: dict[str, tuple[SearchSpace, Objective]] = {}


def evaluate_in_worker(problem: Problem, number: int, arch_text: str, reports: ReportSink | None = None) -> Outcome:
    """Entry point of a worker process: builds the space and objective of `problem` once
    per process (data loading is the slow part), then evaluates."""
    key = problem.problem_key()
    if key not in _WORKER_PROBLEMS:
        _WORKER_PROBLEMS[key] = problem.build_problem()
    space, objective = _WORKER_PROBLEMS[key]
    return evaluate_arch(space, objective, number, arch_text, reports)


class Executor(ABC):
    """Runs up to `capacity` trials at once."""

    capacity: int = 1

    @abstractmethod
    def submit(self, number: int, arch_text: str) -> None:
        """Starts evaluating one architecture."""

    @abstractmethod
    def wait(self) -> list[Outcome]:
        """Blocks until at least one submitted trial ends; returns every ended one."""

    def close(self) -> None:
        """Releases workers; trials still running are abandoned (the journal keeps them)."""
