"""A study: one space, one strategy and a storage of trials, driven by `optimize` or by
the user's own ask/tell loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import Evaluation, FunctionObjective, Objective
from vaenas.search import Strategy
from vaenas.search.base import Score
from vaenas.spaces import Arch, SearchSpace
from vaenas.study.executor_registry import EXECUTORS, ExecutorRequest, default_executor
from vaenas.study.executors import BuiltProblem, Executor, Outcome, Problem, outcome_of
from vaenas.study.pareto import Criterion, pareto_view
from vaenas.study.run_folder import RunFolder
from vaenas.study.storage import Storage, TrialRecord, TrialStatus

if TYPE_CHECKING:
    import pandas

ProgressCallback = Callable[[int, int, float | None], None]
"""Called after each finished trial with (finished, target, best value so far)."""


@dataclass
class _Running:
    arch: Arch
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


class Study:
    """A search whose trials live in a storage (in memory, or a folder's SQLite journal).

    Opening a study on a storage that holds trials replays the finished ones into the
    strategy and queues the unfinished ones (the process died while they ran) to run again
    under their own numbers, so a study goes on where it stopped and nothing is counted
    twice. `optimize` runs trials through an executor; `ask` / `tell` let the user run
    them. A trial whose worker is lost is retried up to `max_retries` times, then counts
    as failed. With a folder, the best architecture so far is kept in best_arch.json (and a
    trained network in best_model.pt).
    """

    executor: Executor | None = None
    """Where trials run, while `optimize` or `run_until` runs."""

    def __init__(
        self,
        space: SearchSpace,
        strategy: Strategy,
        storage: Storage,
        identity: dict[str, Any],
        maximize: bool = True,
        folder: RunFolder | None = None,
        max_retries: int = 2,
        criteria: list[Criterion] | None = None,
    ) -> None:
        """`identity` is what the storage checks when the study is reopened (space,
        strategy, seed ...): another identity on the same storage is refused.
        `criteria`: the objectives of a multi-objective study (the strategy is told one
        higher-is-better score per criterion); None searches the value alone. The best
        trial is the best by value either way."""
        self.space, self.strategy, self.storage = space, strategy, storage
        self.maximize, self.folder, self.max_retries = maximize, folder, max_retries
        self.criteria = criteria
        self._labels = {k: identity[k] for k in ("objective", "dataset") if k in identity}
        storage.ensure_config(identity)
        self._best: TrialRecord | None = None
        self._asked: dict[str, int] = {}
        """Trials handed out by `ask`, by architecture key, until they are told."""
        self._unfinished: list[TrialRecord] = []
        for trial in storage.trials():
            arch = space.parse(trial.arch)
            if trial.finished:
                self.strategy.tell(arch, self._strategy_score(trial))
                self._keep_if_best(trial)
            else:
                self.strategy.reserve(arch)
                self._unfinished.append(trial)

    # --- what a user reads ---------------------------------------------------------

    @property
    def trials(self) -> list[TrialRecord]:
        return self.storage.trials()

    @property
    def n_finished(self) -> int:
        return sum(t.finished for t in self.storage.trials())

    @property
    def best_trial(self) -> TrialRecord | None:
        return self._best

    @property
    def best_arch(self) -> Arch | None:
        return None if self._best is None else self.space.parse(self._best.arch)

    @property
    def best_value(self) -> float | None:
        return None if self._best is None else self._best.value

    @property
    def front(self) -> list[dict[str, Any]]:
        """The non-dominated trials of a study of several objectives, with each
        objective's value."""
        if self.criteria is None:
            raise InvalidArgumentError("the study has one objective; create it with objectives={...} for a front")
        return pareto_view(self.storage.trials(), self.criteria).front()

    def trials_dataframe(self) -> pandas.DataFrame:
        """One row per trial: number, arch, status, value, attempts, start and end times,
        then one column per metric."""
        import pandas

        rows = [
            {
                "number": t.number, "arch": t.arch, "status": t.status.value, "value": t.value,
                "attempts": t.attempts, "started_at": t.started_at, "finished_at": t.finished_at,
                **t.metrics,
            }
            for t in self.storage.trials()
        ]
        columns = ["number", "arch", "status", "value", "attempts", "started_at", "finished_at"]
        return pandas.DataFrame(rows, columns=list(dict.fromkeys(columns + [k for r in rows for k in r])))

    def close(self) -> None:
        self.storage.close()
        if self.folder is not None:
            self.folder.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the user's own loop -------------------------------------------------------

    def ask(self) -> Arch:
        """The next architecture to evaluate (never one asked or told before); give its
        value back with `tell`."""
        asked = self.strategy.ask(1)
        if not asked:
            raise InvalidArgumentError(f"every architecture of space {self.space.name!r} has been asked")
        arch = asked[0]
        key = self.space.key(arch)
        self._asked[key] = self.storage.start_trial(key, self.space.format(arch))
        return arch

    def tell(self, arch: Arch, value: float | Evaluation | None) -> None:
        """The result of `arch`: a value, an Evaluation, or None when it failed. An
        architecture that was not asked is recorded as a new trial (a known result)."""
        key = self.space.key(arch)
        number = self._asked.pop(key, None)
        if number is None:
            number = next((t.number for t in self._unfinished if t.arch_key == key), None)
            self._unfinished = [t for t in self._unfinished if t.arch_key != key]
        if number is None:
            if any(t.arch_key == key for t in self.storage.trials()):
                raise InvalidArgumentError(f"{self.space.format(arch)} is already told; each architecture is one trial")
            number = self.storage.start_trial(key, self.space.format(arch))
        evaluation = value if isinstance(value, Evaluation) or value is None else Evaluation(float(value))
        self._record(outcome_of(number, evaluation), _Running(arch, 1))

    # --- optimize ------------------------------------------------------------------

    def optimize(
        self,
        objective: Callable[[Arch], float | Evaluation] | Objective,
        n_trials: int,
        workers: int | None = None,
        executor: str | None = None,
        address: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Runs `n_trials` more trials (unfinished ones of an earlier run first).

        `objective` is a callable fn(arch) -> float or Evaluation, or an Objective.
        `executor`: inprocess (default for one worker), pool (default for more; the
        callable must then pickle, i.e. be a module-level function) or ray."""
        if n_trials < 1:
            raise InvalidArgumentError(f"n_trials must be at least 1, got {n_trials}")
        if not isinstance(objective, Objective):
            objective = FunctionObjective(objective, self.space.name, self.maximize)
        self.run_until(self.n_finished + n_trials, objective, BuiltProblem(self.space, objective),
                       executor or default_executor(workers), workers, address, progress)

    def run_until(
        self,
        target: int,
        objective: Objective,
        problem: Problem,
        executor: str = "inprocess",
        workers: int | None = None,
        address: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Runs trials until `target` are finished, or the space is exhausted. `problem`
        is what worker processes rebuild the space and objective from."""
        if workers is not None and workers < 1:
            raise InvalidArgumentError(f"workers must be at least 1, got {workers}")
        request = ExecutorRequest(problem, self.space, objective, workers, address)
        running_executor = EXECUTORS.get(executor)(request)
        self.executor = running_executor
        try:
            self._loop(running_executor, target, progress)
        finally:
            running_executor.close()

    def _loop(self, executor: Executor, target: int, progress: ProgressCallback | None) -> None:
        running: dict[int, _Running] = {}
        done = self.n_finished
        exhausted = False
        while True:
            while len(running) < executor.capacity and done + len(running) < target:
                if self._unfinished:
                    trial = self._unfinished.pop(0)
                    self.storage.restart_trial(trial.number)
                    running[trial.number] = _Running(self.space.parse(trial.arch), trial.attempts + 1)
                    executor.submit(trial.number, trial.arch)
                    continue
                if exhausted:
                    break
                ask_started = time.perf_counter()
                asked = self.strategy.ask(1)
                if not asked:
                    exhausted = True
                    break
                arch, text = asked[0], self.space.format(asked[0])
                number = self.storage.start_trial(self.space.key(arch), text)
                running[number] = _Running(arch, 1, {"ask_seconds": time.perf_counter() - ask_started})
                executor.submit(number, text)
            if not running:
                return
            for outcome in executor.wait():
                trial = running.pop(outcome.number, None)
                if trial is None:
                    continue  # an answer for a trial already settled
                if outcome.lost and trial.attempts <= self.max_retries:
                    self.storage.restart_trial(outcome.number)
                    running[outcome.number] = _Running(trial.arch, trial.attempts + 1, trial.extra)
                    executor.submit(outcome.number, self.space.format(trial.arch))
                    continue
                self._record(outcome, trial)
                done += 1
                if progress:
                    progress(done, target, self.best_value)

    def _record(self, outcome: Outcome, trial: _Running) -> None:
        """Stores a finished trial, tells the strategy and keeps the best."""
        evaluation = outcome.evaluation
        if evaluation is None:
            error = outcome.error or f"worker lost {trial.attempts} times"
            self.storage.finish_trial(outcome.number, TrialStatus.FAILED, None, {"error": error, **trial.extra})
            self.strategy.tell(trial.arch, None)
            return
        metrics = {"cost": evaluation.cost, **evaluation.metrics, **trial.extra}
        self.storage.finish_trial(outcome.number, TrialStatus.COMPLETE, evaluation.value, metrics)
        record = self.storage.trial(outcome.number)
        self.strategy.tell(trial.arch, self._strategy_score(record))
        if self._keep_if_best(record) and self.folder is not None:
            best = {"space": self.space.name, "arch": record.arch, "value": record.value, **self._labels,
                    "trial": record.number}
            self.folder.write_best(best, evaluation.artifact)

    def _keep_if_best(self, trial: TrialRecord) -> bool:
        """Whether `trial` is now the best (a complete trial strictly better than the best)."""
        if trial.status is not TrialStatus.COMPLETE or trial.value is None:
            return False
        if self._best is not None and self._score(trial.value) <= self._score(self._best.value):  # type: ignore[operator]
            return False
        self._best = trial
        return True

    def _strategy_score(self, trial: TrialRecord) -> Score | None:
        """What the strategy is told of a finished trial: None when it failed (or lacks
        a criterion), else its higher-is-better value, or one such value per criterion."""
        if trial.status is not TrialStatus.COMPLETE:
            return None
        if self.criteria is None:
            return self._score(trial.value)
        scores = [c.signed(trial) for c in self.criteria]
        return None if any(s is None for s in scores) else tuple(s for s in scores if s is not None)

    def _score(self, value: float | None) -> float | None:
        """Higher-is-better score the strategy sees."""
        if value is None:
            return None
        return value if self.maximize else -value
