"""A study: one space, one strategy and a storage of trials, driven by `optimize` or by
the user's own ask/tell loop."""

from __future__ import annotations

import contextlib
import pickle
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vaenas.errors import ArchitectureFormatError, InvalidArgumentError
from vaenas._experiment_settings import EXPERIMENTS
from vaenas.objectives import Evaluation, FunctionObjective, Objective
from vaenas.objectives.reporting import Trial, TrialPruned
from vaenas.search import Strategy
from vaenas.search.base import Score
from vaenas.spaces import Arch, SearchSpace
from vaenas.study.arguments import (
    check_callable,
    check_callbacks,
    check_count,
    check_optional_name,
    check_timeout,
    check_workers,
)
from vaenas.study.executors.base import BuiltProblem, Executor, Outcome, Problem, outcome_of
from vaenas.study.executors.gpu_slots import check_gpus_per_trial
from vaenas.study.executors.registry import EXECUTORS, ExecutorRequest, default_executor
from vaenas.study.pareto import Criterion, pareto_view
from vaenas.study.pruners import NoPruner, Pruner
from vaenas.study.storages.base import Storage, TrialRecord, TrialStatus
from vaenas.study.storages.folder import RunFolder
from vaenas.study.trial_log import logger
from vaenas.study.trial_reports import TrialReports
from vaenas.study.trials_frame import as_archs, trials_frame

if TYPE_CHECKING:
    import pandas

ProgressCallback = Callable[[int, int, float | None], None]
"""Called after each finished trial with (finished, target, best value so far)."""
TrialCallback = Callable[["Study", TrialRecord], None]
"""Called after each finished trial with the study and the trial's record (Optuna's
`callbacks=`); raising from it stops `optimize`, with every finished trial kept."""


@dataclass
class _Running:
    arch: Arch
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


def _check_travels(objective: Objective) -> None:
    """Worker processes receive the objective pickled: a lambda, a closure or a function
    defined in a notebook cell cannot travel, so say so before any worker starts."""
    try:
        pickle.dumps(objective)
    except Exception as exc:  # pickling fails in many ways
        raise InvalidArgumentError(
            f"the objective cannot be sent to worker processes ({type(exc).__name__}: {exc}); with workers > 1 it "
            "must be a function defined at the top level of an importable module (not a lambda or a closure)"
        ) from None


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
        pruner: Pruner | None = None,
    ) -> None:
        """`identity` is what the storage checks when the study is reopened (space,
        strategy, seed ...): another identity on the same storage is refused.
        `criteria`: the objectives of a multi-objective study (the strategy is told one
        higher-is-better score per criterion); None searches the value alone. The best
        trial is the best by value either way. `pruner` stops trials whose reported
        values lag (none by default)."""
        self.space, self.strategy, self.storage = space, strategy, storage
        self.pruner = pruner or NoPruner()
        self.reports = TrialReports(self.pruner, maximize, storage)
        self.maximize, self.folder, self.max_retries = maximize, folder, max_retries
        self.criteria = criteria
        self._labels = {k: identity[k] for k in ("objective", "dataset") if k in identity}
        storage.ensure_config(identity)
        self._best: TrialRecord | None = None
        self._asked: dict[str, int] = {}
        """Trials handed out by `ask`, by architecture key, until they are told."""
        self._unfinished: list[TrialRecord] = []
        self._enqueued: list[Arch] = []
        """Architectures to evaluate next, before the strategy is asked (`enqueue_trial`):
        the storage's queue, mirrored here."""
        self._closed = False
        self._stopped = False
        self.n_pruned = 0
        """Trials a pruner stopped, counted as they are recorded (the progress display
        reads it after every trial, so it must not re-read the storage)."""
        self._callbacks: list[TrialCallback] = []
        self._deadline: float | None = None
        if folder is not None:
            self._restore_learned_state(folder)
        for trial in storage.trials():
            arch = self._replayable(trial)
            if arch is None:
                continue
            if trial.finished:
                self.strategy.tell(arch, self._strategy_score(trial))
                self._keep_if_best(trial)
                self.n_pruned += trial.status is TrialStatus.PRUNED
            else:
                self.strategy.reserve(arch)
                self._unfinished.append(trial)
        for _, text in storage.queued():
            self._enqueue(text)
        self._kept_learned_version = 0
        self._keep_learned_state()

    def _restore_learned_state(self, folder: RunFolder) -> None:
        """Gives the strategy what it learned before, from the folder. A learned state
        that cannot be restored (damaged, or of another version) is a warning, never a
        locked folder: the journal's replay rebuilds it, all but its exactness."""
        kept = folder.read_learned_state()
        if kept is None:
            return
        try:
            self.strategy.restore_learned_state(kept)
        except Exception as exc:  # any damage of a file that is not trusted: the replay relearns
            warnings.warn(f"{folder.learned_state_path} cannot be restored ({type(exc).__name__}: {str(exc)[:200]}); "
                          "the strategy relearns it from the journal", stacklevel=4)

    def _keep_learned_state(self) -> None:
        """Writes the strategy's learned state to the folder when it changed (on resume
        once, so the file always matches the strategy that goes on)."""
        version = self.strategy.learned_state_version
        if self.folder is None or version == self._kept_learned_version:
            return
        state = self.strategy.learned_state()
        if state is not None:
            self.folder.write_learned_state(state)
        self._kept_learned_version = version

    def _replayable(self, trial: TrialRecord) -> Arch | None:
        """The architecture of a stored trial, or None (with a warning that names the row
        and how to remove it) when the row holds no architecture of this space: one bad
        row must not lock a user out of every other trial. Its key stays taken."""
        try:
            return self.space.parse(trial.arch)
        except ArchitectureFormatError as exc:
            warnings.warn(
                f"{self.storage.location}: trial {trial.number} is skipped, its architecture does not parse ({exc}); "
                f"remove it with: sqlite3 {self.storage.location}/study.db 'DELETE FROM trials WHERE number = {trial.number}'",
                stacklevel=3,
            )
        with contextlib.suppress(ArchitectureFormatError):
            self.strategy.reserve(self.space.parse(trial.arch_key))  # never proposed again: the journal holds its key
        return None

    # --- what a user reads ---------------------------------------------------------

    @property
    def trials(self) -> list[TrialRecord]:
        """Every trial, in number order, its `arch` the space's Arch (as `fn` received it)."""
        return as_archs(self.storage.trials(), self.space)

    @property
    def n_finished(self) -> int:
        return sum(t.finished for t in self.storage.trials())

    @property
    def best_trial(self) -> TrialRecord | None:
        return None if self._best is None else as_archs([self._best], self.space)[0]

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
        return pareto_view(self.trials, self.criteria).front()

    def trials_dataframe(self) -> pandas.DataFrame:
        """One row per trial (see `trials_frame`): number, arch, status, value, attempts,
        start, end, duration, intermediate values, then one column per metric."""
        return trials_frame(self.trials, self.storage.intermediate_values())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
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
        self._check_open()
        arch = self._next_arch()
        if arch is None:
            raise InvalidArgumentError(f"every architecture of space {self.space.name!r} has been asked")
        key = self.space.key(arch)
        self._asked[key] = self.storage.start_trial(key, self.space.format(arch))
        return arch

    def enqueue_trial(self, arch: Arch) -> None:
        """Evaluates `arch` (an architecture or its string) next, before the strategy
        proposes anything: a warm start from designs known to be good. An architecture
        that is already a trial or enqueued is left out. The queue is kept in the
        storage: a study resumed after a kill runs what was enqueued and never started."""
        self._check_open()
        arch = self.space.check(arch)
        key = self.space.key(arch)
        if any(t.arch_key == key for t in self.storage.trials()) or any(self.space.key(a) == key for a in self._enqueued):
            return
        self.storage.enqueue(key, self.space.format(arch))
        self._enqueue(arch)

    def _enqueue(self, arch: Arch | str) -> None:
        """Mirrors one entry of the storage's queue; the strategy does not propose it meanwhile."""
        try:
            arch = self.space.parse(arch) if isinstance(arch, str) else arch
        except ArchitectureFormatError as exc:
            warnings.warn(f"{self.storage.location}: an enqueued architecture is skipped, it does not parse ({exc})",
                          stacklevel=3)
            return
        self._enqueued.append(arch)
        self.strategy.reserve(arch)

    def _next_arch(self) -> Arch | None:
        """The next architecture to evaluate: an enqueued one, else the strategy's."""
        if self._enqueued:
            return self._enqueued.pop(0)
        asked = self.strategy.ask(1)
        return asked[0] if asked else None

    def ask_trial(self) -> Trial:
        """As `ask`, but a trial handle for your own loop: `trial.arch` to train,
        `trial.report(value, step)` and `trial.should_prune()` while it trains, then
        `study.tell(trial, value)` (or `study.tell(trial, vaenas.TrialPruned())` when you
        stop it)."""
        arch = self.ask()
        return Trial(self._asked[self.space.key(arch)], arch, self.reports)

    def tell(self, arch: Arch | Trial, value: float | Evaluation | TrialPruned | None) -> None:
        """The result of `arch`: a value, an Evaluation, or None when it failed. An
        architecture that was not asked is recorded as a new trial (a known result).

        `arch` must belong to the space (its string form is read too), and a trial handle
        to this study: anything else is refused before anything is written or forgotten.
        A value that is not a number records the trial as failed, as `optimize` does."""
        self._check_open()
        trial = arch if isinstance(arch, Trial) else None
        if trial is not None and not trial.reports_to(self.reports):
            raise InvalidArgumentError(f"trial {trial.number} was asked by another study; tell it to that study")
        arch = self.space.check(trial.arch if trial is not None else arch)
        key = self.space.key(arch)
        number = self._asked.get(key, next((t.number for t in self._unfinished if t.arch_key == key), None))
        if number is None and any(t.arch_key == key for t in self.storage.trials()):
            raise InvalidArgumentError(f"{self.space.format(arch)} is already told; each architecture is one trial")
        pruned = isinstance(value, TrialPruned)
        if pruned and (trial is None or trial.last_step is None):
            raise InvalidArgumentError("only a trial from ask_trial() that reported a value can be told as pruned")
        # checked: from here on the trial is settled
        self._asked.pop(key, None)
        self._unfinished = [t for t in self._unfinished if t.arch_key != key]
        self._enqueued = [a for a in self._enqueued if self.space.key(a) != key]
        if number is None:
            number = self.storage.start_trial(key, self.space.format(arch))
        if pruned:
            assert trial is not None and trial.last_step is not None
            last = trial.last_step
            self._record(Outcome(number, Evaluation(trial.intermediate_values[last]), pruned_at=last), _Running(arch, 1))
            return
        evaluation = value if isinstance(value, Evaluation) or value is None else Evaluation(value)  # type: ignore[arg-type]
        self._check_objectives(self._record(outcome_of(number, evaluation), _Running(arch, 1)))

    def stop(self) -> None:
        """Ends `optimize` after the trials that run now (Optuna's `study.stop()`, e.g.
        from a callback): no new trial starts; the study stays open."""
        self._stopped = True

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidArgumentError("the study is closed; create it again on its storage to go on")

    # --- optimize ------------------------------------------------------------------

    def optimize(
        self,
        objective: Callable[[Arch], float | Evaluation] | Objective,
        n_trials: int,
        workers: int | None = None,
        executor: str | None = None,
        address: str | None = None,
        progress: ProgressCallback | None = None,
        timeout: float | None = None,
        callbacks: list[TrialCallback] | None = None,
        gpus_per_trial: float | None = None,
    ) -> None:
        """Runs `n_trials` more trials (unfinished ones of an earlier run first).

        `objective` is a callable fn(arch) or fn(arch, trial) -> float or Evaluation, or
        an Objective. `executor`: inprocess (default for one worker), pool (default for
        more; the callable must then pickle, i.e. be a module-level function) or ray.
        `timeout`: seconds after which no new trial starts (running ones finish).
        `callbacks`: fn(study, trial_record) after each finished trial.
        `gpus_per_trial`: each trial runs in a worker with that share of a GPU (0.5: two
        share one) or that many GPUs, pool or Ray (the pool by default); the GPUs size
        how many run at once."""
        self._check_open()
        check_count("n_trials", n_trials)
        if not isinstance(objective, Objective) and not callable(objective):
            raise InvalidArgumentError(
                f"the objective must be a function fn(arch) -> float, got {type(objective).__name__}"
            )
        check_workers(workers)
        gpus_per_trial = check_gpus_per_trial(gpus_per_trial)
        check_optional_name("executor", executor)
        executor = executor or ("pool" if gpus_per_trial else default_executor(workers))
        EXECUTORS.get(executor)
        check_optional_name("address", address)
        check_callable("progress", progress, "fn(finished, target, best)")
        check_callbacks(callbacks)
        check_timeout(timeout)
        if not isinstance(objective, Objective):
            objective = FunctionObjective(objective, self.space.name, self.maximize)
        if executor != "inprocess":
            _check_travels(objective)
        self._callbacks = list(callbacks or [])
        self._deadline = None if timeout is None else time.monotonic() + float(timeout)
        self._stopped = False
        try:
            self.run_until(self.n_finished + n_trials, objective, BuiltProblem(self.space, objective),
                           executor, workers, address, progress, gpus_per_trial)
        finally:
            self._callbacks, self._deadline = [], None

    def run_until(
        self,
        target: int,
        objective: Objective,
        problem: Problem,
        executor: str = "inprocess",
        workers: int | None = None,
        address: str | None = None,
        progress: ProgressCallback | None = None,
        gpus_per_trial: float | None = None,
    ) -> None:
        """Runs trials until `target` are finished, or the space is exhausted. `problem`
        is what worker processes rebuild the space and objective from."""
        check_workers(workers)
        if gpus_per_trial and executor == "inprocess":
            raise InvalidArgumentError("gpus per trial go with worker processes: the pool or Ray executor")
        request = ExecutorRequest(problem, self.space, objective, workers, address, self.reports, gpus_per_trial)
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
                if self._stopped or (self._deadline is not None and time.monotonic() >= self._deadline):
                    break  # stop() or the timeout: running trials finish, no new one starts
                ask_started = time.perf_counter()
                arch = self._next_arch()
                if arch is None:
                    exhausted = True
                    break
                text = self.space.format(arch)
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
                record = self._record(outcome, trial)
                done += 1
                if progress:
                    progress(done, target, self.best_value)
                for callback in self._callbacks:
                    callback(self, record)
                    if self._closed:
                        raise InvalidArgumentError(
                            f"a callback closed the study during optimize; its {done} finished trials are kept in "
                            f"{self.storage.location}: create the study again to go on (to end optimize from a "
                            "callback, call study.stop() instead)"
                        )
                self._check_objectives(record)

    def _record(self, outcome: Outcome, trial: _Running) -> TrialRecord:
        """Stores a finished trial, tells the strategy and keeps the best; returns the
        trial as stored."""
        evaluation = outcome.evaluation
        if evaluation is None:
            error = outcome.error or f"worker lost {trial.attempts} times"
            self.storage.finish_trial(outcome.number, TrialStatus.FAILED, None, {"error": error, **trial.extra})
            self.strategy.tell(trial.arch, None)
            logger.warning("trial %d failed: %s", outcome.number, error)
            return self.storage.trial(outcome.number)
        metrics = {"cost": evaluation.cost, **evaluation.metrics, **trial.extra}
        if outcome.pruned_at is not None:
            metrics["pruned_at"] = outcome.pruned_at
        status = TrialStatus.COMPLETE if outcome.pruned_at is None else TrialStatus.PRUNED
        self.n_pruned += status is TrialStatus.PRUNED
        self.storage.finish_trial(outcome.number, status, evaluation.value, metrics)
        record = self.storage.trial(outcome.number)
        self.strategy.tell(trial.arch, self._strategy_score(record))
        self._keep_learned_state()
        is_best = self._keep_if_best(record)
        logger.info("trial %d %s with value %s%s; best is trial %d with value %s", record.number,
                    "pruned" if status is TrialStatus.PRUNED else "finished", f"{record.value:.6g}",
                    f" at step {outcome.pruned_at}" if outcome.pruned_at is not None else "",
                    self._best.number if self._best else -1,
                    f"{self._best.value:.6g}" if self._best and self._best.value is not None else "-")
        if is_best and self.folder is not None:
            best = {"space": self.space.name, "arch": record.arch, "value": record.value, **self._labels,
                    "trial": record.number}
            self.folder.write_best(best, evaluation.artifact)
        return record

    def _check_objectives(self, trial: TrialRecord) -> None:
        """A study of several objectives whose trial completed without one of them (a
        plain float returned, a metric not reported) stops with one error naming it:
        otherwise its front would stay empty without a word. The trial is kept."""
        if self.criteria is None or trial.status is not TrialStatus.COMPLETE:
            return
        missing = [c.name for c in self.criteria if c.of(trial) is None]
        if missing:
            raise InvalidArgumentError(
                f"trial {trial.number} completed without objective {', '.join(missing)}: return a "
                f"vaenas.Evaluation(value=..., metrics={{{', '.join(repr(m) + ': ...' for m in missing)}}})"
            )

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
        a criterion), else its higher-is-better value, or one such value per criterion.
        A pruned trial is told the last value it reported: a low-fidelity observation
        that sits below what it would have reached (docs/decisions/pruned-trials.md)."""
        if trial.status not in (TrialStatus.COMPLETE, TrialStatus.PRUNED):
            return None
        if trial.status is TrialStatus.PRUNED and EXPERIMENTS.pruned_trials == "failed":
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
