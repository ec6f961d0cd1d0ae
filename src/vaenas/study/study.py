"""The study loop: ask a strategy, evaluate through an executor, tell, and journal every
trial as it happens."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vaenas.errors import JournalError
from vaenas.spaces import Arch
from vaenas.study.config import StudyConfig
from vaenas.study.executor_registry import EXECUTORS, ExecutorRequest
from vaenas.study.executors import Executor, Outcome
from vaenas.study.journal import Journal, TrialRecord

JOURNAL_FILE = "study.db"
RESULTS_FILE = "results.json"
BEST_ARCH_FILE = "best_arch.json"
BEST_MODEL_FILE = "best_model.pt"

ProgressCallback = Callable[[int, int, float | None], None]
"""Called after each finished trial with (finished, budget, best value so far)."""


@dataclass(frozen=True)
class StudyResult:
    config: StudyConfig
    best_arch: str | None
    best_value: float | None
    regret: float | None
    n_trials: int
    n_failed: int
    values: list[float | None]
    """Value of each finished trial in trial-number order (None for a failed one)."""
    seconds: float
    ask_seconds: float | None = None
    """Mean wall seconds the strategy spent per ask (over the trials that recorded it)."""
    maximize: bool = True
    optimum: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "best_arch": self.best_arch,
            "best_value": self.best_value,
            "regret": self.regret,
            "n_trials": self.n_trials,
            "n_failed": self.n_failed,
            "space": self.config.space,
            "objective": self.config.objective_name,
            "dataset": self.config.dataset,
            "strategy": self.config.strategy,
            "seed": self.config.seed,
            "budget": self.config.budget,
            "seconds": self.seconds,
            "ask_seconds": self.ask_seconds,
            "maximize": self.maximize,
            "optimum": self.optimum,
            "values": self.values,
        }


@dataclass
class _Running:
    arch: Arch
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


class Study:
    """Runs one configuration into an output folder, resuming whatever is journaled there.

    Finished trials are replayed into the strategy, unfinished ones (the process died while
    they ran) are evaluated again under their own number, and asking goes on until the
    budget of finished trials is reached. A trial whose worker is lost is retried up to
    `config.max_retries` times, then recorded as failed. Nothing is counted twice.
    """

    def __init__(
        self, config: StudyConfig, out: Path, executor: str = "inprocess",
        workers: int | None = None, address: str | None = None,
    ) -> None:
        """`executor` names where trials run (inprocess, pool, ray); `workers` how many at
        once; `address` an existing Ray cluster. None of them is part of the study's
        identity: a study can be resumed with another executor."""
        self.config = config
        self.out = Path(out)
        self.space, self.objective, self.strategy = config.build()
        self._executor_factory = EXECUTORS.get(executor)
        self._request = ExecutorRequest(config, self.space, self.objective, workers, address)

    executor: Executor

    def run(self, progress: ProgressCallback | None = None) -> StudyResult:
        started = time.perf_counter()
        with self._open_journal() as journal:
            journal.ensure_config(self.config.identity())
            self._journal, self._progress = journal, progress
            trials = journal.trials()
            self._best = None
            for trial in trials:
                if trial.finished:
                    score = self._score(trial.value) if trial.status == "complete" else None
                    self.strategy.tell(self.space.parse(trial.arch), score)
                    if score is not None:
                        self._best = self._better(trial.value)
            self._n_done = sum(t.finished for t in trials)
            reruns = [t for t in trials if not t.finished]
            for trial in reruns:
                self.strategy.reserve(self.space.parse(trial.arch))
            self.executor = self._executor_factory(self._request)
            try:
                self._loop(reruns)
            finally:
                self.executor.close()
            result = self._result(journal.trials(), time.perf_counter() - started)
        write_json_atomic(self.out / RESULTS_FILE, result.to_json())
        return result

    def _loop(self, reruns: list[TrialRecord]) -> None:
        running: dict[int, _Running] = {}
        exhausted = False
        while True:
            while len(running) < self.executor.capacity and self._n_done + len(running) < self.config.budget:
                if reruns:
                    trial = reruns.pop(0)
                    self._journal.restart_trial(trial.number)
                    running[trial.number] = _Running(self.space.parse(trial.arch), trial.attempts + 1)
                    self.executor.submit(trial.number, trial.arch)
                    continue
                if exhausted:
                    break
                ask_started = time.perf_counter()
                asked = self.strategy.ask(1)
                if not asked:
                    exhausted = True
                    break
                arch, text = asked[0], self.space.format(asked[0])
                number = self._journal.start_trial(self.space.key(arch), text)
                running[number] = _Running(arch, 1, {"ask_seconds": time.perf_counter() - ask_started})
                self.executor.submit(number, text)
            if not running:
                return
            for outcome in self.executor.wait():
                trial = running.pop(outcome.number, None)
                if trial is None:
                    continue  # an answer for a trial already settled
                if outcome.lost and trial.attempts <= self.config.max_retries:
                    self._journal.restart_trial(outcome.number)
                    running[outcome.number] = _Running(trial.arch, trial.attempts + 1, trial.extra)
                    self.executor.submit(outcome.number, self.space.format(trial.arch))
                    continue
                self._record(outcome, trial)

    def _record(self, outcome: Outcome, trial: _Running) -> None:
        """Journals a finished trial, tells the strategy and keeps the best model."""
        evaluation = outcome.evaluation
        if evaluation is None:
            error = outcome.error or f"worker lost {trial.attempts} times"
            self._journal.finish_trial(outcome.number, "failed", None, {"error": error, **trial.extra})
            self.strategy.tell(trial.arch, None)
        else:
            metrics = {"cost": evaluation.cost, **evaluation.metrics, **trial.extra}
            self._journal.finish_trial(outcome.number, "complete", evaluation.value, metrics)
            self.strategy.tell(trial.arch, self._score(evaluation.value))
            if self._best is None or self._better(evaluation.value) != self._best:
                self._best = evaluation.value
                self._save_best(outcome.number, trial.arch, evaluation.value, evaluation.artifact)
        self._n_done += 1
        if self._progress:
            self._progress(self._n_done, self.config.budget, self._best)

    def _save_best(self, number: int, arch: Arch, value: float, artifact: Any) -> None:
        if artifact is not None:
            artifact.save(self.out / BEST_MODEL_FILE)
        write_json_atomic(
            self.out / BEST_ARCH_FILE,
            {
                "space": self.space.name,
                "arch": self.space.format(arch),
                "value": value,
                "objective": self.config.objective_name,
                "dataset": self.config.dataset,
                "trial": number,
            },
        )

    def _score(self, value: float | None) -> float | None:
        """Higher-is-better score the strategy sees."""
        if value is None:
            return None
        return value if self.objective.maximize else -value

    def _better(self, value: float | None) -> float | None:
        """The better of `value` and the best so far."""
        if value is None or self._best is None:
            return self._best if value is None else value
        return max(value, self._best) if self.objective.maximize else min(value, self._best)

    def _open_journal(self) -> Journal:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            probe = self.out / ".write-test"
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise JournalError(
                f"cannot write to output folder {self.out} ({exc.strerror or exc}); "
                "choose another --out"
            ) from None
        return Journal(self.out / JOURNAL_FILE)

    def _result(self, trials: list[TrialRecord], seconds: float) -> StudyResult:
        finished = [t for t in trials if t.finished]
        complete = [t for t in finished if t.status == "complete" and t.value is not None]
        best = None
        if complete:
            sign = 1 if self.objective.maximize else -1
            best = max(complete, key=lambda t: sign * (t.value or 0.0))
        asks = [t.metrics["ask_seconds"] for t in finished if "ask_seconds" in t.metrics]
        return StudyResult(
            config=self.config,
            best_arch=best.arch if best else None,
            best_value=best.value if best else None,
            regret=self.objective.regret(best.value) if best and best.value is not None else None,
            n_trials=len(finished),
            n_failed=len(finished) - len(complete),
            values=[t.value if t.status == "complete" else None for t in finished],
            seconds=seconds,
            ask_seconds=float(np.mean(asks)) if asks else None,
            maximize=self.objective.maximize,
            optimum=self.objective.optimum,
        )


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Writes JSON through a temporary file and a rename, so a kill never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
