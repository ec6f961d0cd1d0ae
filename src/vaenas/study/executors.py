"""Where evaluations run. The study loop submits trials and waits for outcomes; an
executor decides where the work happens (this process, a process pool, a Ray cluster)."""

from __future__ import annotations

import math
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass

import uuid
from dataclasses import field
from typing import Protocol

from vaenas.objectives import Evaluation, Objective
from vaenas.spaces import SearchSpace


@dataclass(frozen=True)
class Outcome:
    """The end of one attempt at a trial. `lost` means the worker died before answering
    (the study retries); otherwise `evaluation` or `error` says how it went."""

    number: int
    evaluation: Evaluation | None = None
    error: str | None = None
    lost: bool = False


def evaluate_arch(space: SearchSpace, objective: Objective, number: int, arch_text: str) -> Outcome:
    """Evaluates one architecture, turning exceptions and non-finite values into errors."""
    try:
        evaluation = objective.evaluate(space.parse(arch_text))
    except Exception as exc:  # a failing evaluation is recorded; the study goes on
        return Outcome(number, error="".join(traceback.format_exception_only(exc)).strip())
    return outcome_of(number, evaluation)


def outcome_of(number: int, evaluation: Evaluation | None) -> Outcome:
    """The outcome of a trial with this evaluation: a non-finite value, or none, is a failure."""
    if evaluation is None:
        return Outcome(number, error="told as failed")
    if not math.isfinite(evaluation.value):
        return Outcome(number, error=f"non-finite value {evaluation.value}")
    return Outcome(number, evaluation=evaluation)


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


def evaluate_in_worker(problem: Problem, number: int, arch_text: str) -> Outcome:
    """Entry point of a worker process: builds the space and objective of `problem` once
    per process (data loading is the slow part), then evaluates."""
    key = problem.problem_key()
    if key not in _WORKER_PROBLEMS:
        _WORKER_PROBLEMS[key] = problem.build_problem()
    space, objective = _WORKER_PROBLEMS[key]
    return evaluate_arch(space, objective, number, arch_text)


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


class InProcessExecutor(Executor):
    """Evaluates in the study's own process, one trial at a time (table lookups)."""

    def __init__(self, space: SearchSpace, objective: Objective) -> None:
        self.space, self.objective = space, objective
        self._queue: list[tuple[int, str]] = []

    def submit(self, number: int, arch_text: str) -> None:
        self._queue.append((number, arch_text))

    def wait(self) -> list[Outcome]:
        number, arch_text = self._queue.pop(0)
        return [evaluate_arch(self.space, self.objective, number, arch_text)]
