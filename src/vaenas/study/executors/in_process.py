"""Evaluation in the study's own process, one trial at a time."""

from __future__ import annotations

from vaenas.objectives import Objective
from vaenas.objectives.reporting import ReportSink
from vaenas.spaces import SearchSpace
from vaenas.study.executors.base import Executor, Outcome, evaluate_arch


class InProcessExecutor(Executor):
    """Evaluates in the study's own process, one trial at a time (table lookups)."""

    def __init__(self, space: SearchSpace, objective: Objective, reports: ReportSink | None = None) -> None:
        self.space, self.objective, self.reports = space, objective, reports
        self._queue: list[tuple[int, str]] = []

    def submit(self, number: int, arch_text: str) -> None:
        self._queue.append((number, arch_text))

    def wait(self) -> list[Outcome]:
        number, arch_text = self._queue.pop(0)
        return [evaluate_arch(self.space, self.objective, number, arch_text, self.reports)]
