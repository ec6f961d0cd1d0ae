"""The study loop: ask a strategy, evaluate, tell, and journal every trial as it happens."""

from __future__ import annotations

import json
import math
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vaenas.errors import JournalError
from vaenas.objectives import Objective
from vaenas.search import Strategy
from vaenas.spaces import Arch, SearchSpace
from vaenas.study.config import StudyConfig
from vaenas.study.journal import Journal, TrialRecord

JOURNAL_FILE = "study.db"
RESULTS_FILE = "results.json"

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
    """Value of each trial in the order it was asked (None for a failed one)."""
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


class Study:
    """Runs one configuration into an output folder, resuming whatever is journaled there.

    Finished trials are replayed into the strategy, unfinished ones (the process died while
    they ran) are evaluated again under their own number, and asking goes on until the
    budget of finished trials is reached. Nothing is counted twice.
    """

    def __init__(self, config: StudyConfig, out: Path) -> None:
        self.config = config
        self.out = Path(out)
        self.space, self.objective, self.strategy = config.build()

    def run(self, progress: ProgressCallback | None = None) -> StudyResult:
        started = time.perf_counter()
        journal = self._open_journal()
        with journal:
            journal.ensure_config(self.config.identity())
            runner = _TrialRunner(self.space, self.objective, self.strategy, journal)
            trials = journal.trials()
            for trial in trials:
                if trial.finished:
                    self.strategy.tell(self.space.parse(trial.arch), _score(self.objective, trial))
            n_done = sum(t.finished for t in trials)
            best = _best_value(self.objective, trials)
            for trial in trials:
                if not trial.finished:
                    journal.restart_trial(trial.number)
                    best = _better(self.objective, best, runner.run(trial.number, self.space.parse(trial.arch)))
                    n_done += 1
                    if progress:
                        progress(n_done, self.config.budget, best)
            while n_done < self.config.budget:
                ask_started = time.perf_counter()
                asked = self.strategy.ask(1)
                ask_seconds = time.perf_counter() - ask_started
                if not asked:
                    break
                arch = asked[0]
                number = journal.start_trial(self.space.key(arch), self.space.format(arch))
                best = _better(self.objective, best, runner.run(number, arch, {"ask_seconds": ask_seconds}))
                n_done += 1
                if progress:
                    progress(n_done, self.config.budget, best)
            result = self._result(journal.trials(), time.perf_counter() - started)
        write_json_atomic(self.out / RESULTS_FILE, result.to_json())
        return result

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
        return StudyResult(
            config=self.config,
            best_arch=best.arch if best else None,
            best_value=best.value if best else None,
            regret=self.objective.regret(best.value) if best and best.value is not None else None,
            n_trials=len(finished),
            n_failed=len(finished) - len(complete),
            values=[t.value if t.status == "complete" else None for t in finished],
            seconds=seconds,
            ask_seconds=_mean_ask_seconds(finished),
            maximize=self.objective.maximize,
            optimum=self.objective.optimum,
        )


class _TrialRunner:
    """Evaluates one architecture, journals the outcome and tells the strategy."""

    def __init__(
        self, space: SearchSpace, objective: Objective, strategy: Strategy, journal: Journal
    ) -> None:
        self.space, self.objective, self.strategy, self.journal = space, objective, strategy, journal

    def run(self, number: int, arch: Arch, extra: dict[str, Any] | None = None) -> float | None:
        """Returns the trial's value, or None when it failed. `extra` joins the metrics."""
        extra = extra or {}
        try:
            evaluation = self.objective.evaluate(arch)
        except Exception as exc:  # a failing evaluation is recorded; the study goes on
            error = "".join(traceback.format_exception_only(exc)).strip()
            self.journal.finish_trial(number, "failed", None, {"error": error, **extra})
            self.strategy.tell(arch, None)
            return None
        value = float(evaluation.value)
        if not math.isfinite(value):
            self.journal.finish_trial(number, "failed", None, {"error": f"non-finite value {value}", **extra})
            self.strategy.tell(arch, None)
            return None
        metrics = {"cost": evaluation.cost, **evaluation.metrics, **extra}
        self.journal.finish_trial(number, "complete", value, metrics)
        self.strategy.tell(arch, value if self.objective.maximize else -value)
        return value


def _score(objective: Objective, trial: TrialRecord) -> float | None:
    if trial.status != "complete" or trial.value is None:
        return None
    return trial.value if objective.maximize else -trial.value


def _better(objective: Objective, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return max(a, b) if objective.maximize else min(a, b)


def _best_value(objective: Objective, trials: list[TrialRecord]) -> float | None:
    best: float | None = None
    for trial in trials:
        if trial.status == "complete":
            best = _better(objective, best, trial.value)
    return best


def _mean_ask_seconds(trials: list[TrialRecord]) -> float | None:
    asks = [t.metrics["ask_seconds"] for t in trials if "ask_seconds" in t.metrics]
    return float(np.mean(asks)) if asks else None


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Writes JSON through a temporary file and a rename, so a kill never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
