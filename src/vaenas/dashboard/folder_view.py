"""What the dashboard reads from the folder it serves, read-only: a study's journal
(configuration, trials, intermediate values) or a `vaenas compare` folder's runs and
summary.csv. Every folder asked for and every file opened is resolved (symbolic links
followed) inside the served folder `root` or refused, and every problem with what is
there (no study yet, a damaged journal) is one sentence the page shows."""

from __future__ import annotations

import csv
import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from vaenas.errors import VaenasError
from vaenas.study.storages.base import TrialRecord, TrialStatus
from vaenas.study.storages.folder import JOURNAL_FILE
from vaenas.study.storages.sqlite import SQLiteStorage


class FolderProblem(VaenasError):
    """What the page says instead of a study, with the HTTP status the API answers."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


MAX_SUMMARY_BYTES = 16 * 2**20
"""A summary.csv larger than this is refused, not read (vaenas writes a row per strategy)."""


def within(out: Path, run: str) -> Path:
    """The folder `run` names inside `out` (`""`: `out` itself); anything outside is refused."""
    if "\0" in run:
        raise FolderProblem("run must not contain a NUL character", 400)
    try:
        target = (out / run).resolve()
        target.exists()  # a name too long for this file system is refused here, not on first use
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        raise FolderProblem(f"run {run[:80]!r} is not a folder name this machine can open ({exc.__class__.__name__})",
                            400) from None
    if not target.is_relative_to(out.resolve()):
        raise FolderProblem(f"{run!r} is outside the folder this dashboard serves", 403)
    return target


def confined(root: Path, file: Path) -> Path:
    """`file` once its links are followed, refused unless it lies inside `root`: a link
    planted in the served folder never lets the server read what lies elsewhere."""
    real = Path(os.path.realpath(file))
    if not real.is_relative_to(os.path.realpath(root)):
        raise FolderProblem(f"{file.name} is a link to a place outside the folder this dashboard serves", 403)
    return real


def folder_kind(path: Path) -> str:
    """`study` (a journal), `compare` (runs of `vaenas compare`) or `none` (yet)."""
    if (path / JOURNAL_FILE).is_file():
        return "study"
    if (path / "runs").is_dir() or (path / "summary.csv").is_file():
        return "compare"
    return "none"


def _journal(path: Path, root: Path) -> SQLiteStorage:
    if folder_kind(path) != "study":
        raise FolderProblem(f"{path} holds no study yet ({JOURNAL_FILE} is missing): the page shows it once a "
                            "search starts writing there", 404)
    journal = confined(root, path / JOURNAL_FILE)
    for companion in ("-wal", "-shm", "-journal"):  # SQLite opens these beside the journal
        if os.path.lexists(f"{path / JOURNAL_FILE}{companion}"):
            confined(root, Path(f"{path / JOURNAL_FILE}{companion}"))
    try:
        return SQLiteStorage(journal, read_only=True)
    except VaenasError as exc:  # being created, damaged, or from another version
        raise FolderProblem(str(exc), 409) from None


def _read(path: Path, root: Path, read: Any) -> Any:
    """`read(journal)` on a read-only connection opened for this request alone."""
    journal = _journal(path, root)
    try:
        return read(journal)
    except VaenasError as exc:
        raise FolderProblem(str(exc), 409) from None
    finally:
        journal.close()


class StudyWatch:
    """What the server knows of one study's journal, brought up to date at each request
    by reading only the trials that may have changed (from the first running one on):
    a poll of a 15,625-trial study reads a handful of rows, not all of them."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        """`root`: the served folder the journal must lie in (default: `path` itself)."""
        self.path, self.root = path, root or path
        self._lock = threading.Lock()
        self._trials: dict[int, TrialRecord] = {}
        self._from = 0
        self.config: dict[str, Any] = {}

    def refresh(self) -> list[TrialRecord]:
        """Reads what may have changed; returns every trial, in number order."""
        with self._lock:
            self.config, started_again, fresh = _read(self.path, self.root, self._changes)
            if started_again:
                self._trials = {}
            self._trials.update((t.number, t) for t in fresh)
            running = [t.number for t in fresh if t.status is TrialStatus.RUNNING]
            self._from = running[0] if running else max(self._trials, default=-1) + 1
            return [self._trials[n] for n in sorted(self._trials)]

    def _changes(self, journal: SQLiteStorage) -> tuple[dict[str, Any], bool, list[TrialRecord]]:
        """The configuration, whether this is another journal than the one read before (a
        study deleted and started again: its first trial differs from the finished one
        kept), and the trials that may have changed (all of them in another journal)."""
        known = self._trials.get(0)
        started_again = known is not None and known.finished and _first_trial(journal) != known
        return journal.stored_config(), started_again, journal.trials(0 if started_again else self._from)

    def state(self) -> dict[str, Any]:
        """A study's configuration, trial counts and best trial."""
        trials = self.refresh()
        maximize = self.config.get("direction", "maximize") == "maximize"
        counts = {status.value: 0 for status in TrialStatus}
        for trial in trials:
            counts[trial.status.value] += 1
        complete = [t for t in trials if t.status is TrialStatus.COMPLETE and t.value is not None]
        best = (max if maximize else min)(complete, key=lambda t: t.value) if complete else None  # type: ignore[arg-type,return-value]
        return {"kind": "study", "config": plain(self.config), "maximize": maximize, "n_trials": len(trials),
                "counts": counts, "best": None if best is None else {"number": best.number, "value": best.value,
                                                                      "arch": best.arch}}

    def since(self, first: int) -> dict[str, Any]:
        """The trials numbered from `first` on, with their reports, and the number to ask
        from next time: the first trial still running (it will change), else the next new one."""
        trials = [t for t in self.refresh() if t.number >= first]
        reports = _read(self.path, self.root, lambda j: j.intermediate_values(first))
        running = [t.number for t in trials if t.status is TrialStatus.RUNNING]
        following = running[0] if running else (trials[-1].number + 1 if trials else first)
        return {"trials": [trial_row(t, reports.get(t.number, {})) for t in trials], "next": following}


def _first_trial(journal: SQLiteStorage) -> TrialRecord | None:
    try:
        return journal.trial(0)
    except IndexError:  # a journal with no trial yet
        return None


def trial_row(trial: TrialRecord, reports: dict[int, float]) -> dict[str, Any]:
    """One row of the trial table, with why a trial failed or was pruned."""
    reason = None
    if trial.status is TrialStatus.FAILED:
        reason = str(trial.metrics.get("error", "failed"))
    elif trial.status is TrialStatus.PRUNED:
        reason = f"pruned at step {trial.metrics.get('pruned_at', max(reports) if reports else '?')}"
    duration = None if trial.finished_at is None else trial.finished_at - trial.started_at
    return {"number": trial.number, "arch": trial.arch, "status": trial.status.value, "value": trial.value,
            "metrics": plain(trial.metrics), "attempts": trial.attempts, "started_at": trial.started_at,
            "duration": duration, "reason": reason, "reports": [[step, reports[step]] for step in sorted(reports)]}


def config_and_arch(path: Path, root: Path, number: int) -> tuple[dict[str, Any], str]:
    """The study's configuration and trial `number`'s architecture, in one read."""
    config, found = _read(path, root, lambda j: (j.stored_config(), j.trials(number)[:1]))
    if not found or found[0].number != number:
        raise FolderProblem(f"the study has no trial {number}", 404)
    return dict(config), str(found[0].arch)


def config_of(path: Path, root: Path) -> dict[str, Any]:
    return dict(_read(path, root, lambda j: j.stored_config()))


def compare_state(path: Path, root: Path) -> dict[str, Any]:
    """Per strategy, the median and inter-quartile band over seeds of the best value
    after each query, and the rows of summary.csv."""
    strategies: dict[str, Any] = {}
    maximize = True
    runs = path / "runs"
    if runs.is_dir():
        confined(root, runs)
    for folder in sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []:
        confined(root, folder)
        curves, names = [], []
        for seed in sorted(folder.glob("seed*")):
            if folder_kind(seed) != "study":
                continue
            names.append(f"runs/{folder.name}/{seed.name}")
            config, trials = _read(seed, root, lambda j: (j.stored_config(), j.trials()))
            maximize = config.get("direction", "maximize") == "maximize"
            curves.append(best_so_far([t.value if t.status is TrialStatus.COMPLETE else None for t in trials], maximize))
        if curves:
            strategies[folder.name] = {"seeds": len(curves), "runs": names, **band(curves)}
    rows = _summary_rows(path / "summary.csv", root)
    if not strategies and not rows:
        raise FolderProblem(f"{path} holds no runs yet: the page fills in as `vaenas compare` writes them", 404)
    return {"kind": "compare", "maximize": maximize, "strategies": strategies, "summary": rows}


def _summary_rows(summary: Path, root: Path) -> list[dict[str, str]]:
    """The rows of a compare folder's summary.csv (none while it is not written yet)."""
    if not summary.is_file():
        return []
    real = confined(root, summary)
    if real.stat().st_size > MAX_SUMMARY_BYTES:
        raise FolderProblem(f"summary.csv is larger than {MAX_SUMMARY_BYTES // 2**20} MiB: not a vaenas compare "
                            "summary", 409)
    try:
        with real.open(newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FolderProblem(f"summary.csv cannot be read ({exc.__class__.__name__}): "
                            "write it again with vaenas compare", 409) from None


def best_so_far(values: list[float | None], maximize: bool) -> list[float | None]:
    """The best value after each query (None until one completes)."""
    best: float | None = None
    out: list[float | None] = []
    for value in values:
        if value is not None and (best is None or (value > best if maximize else value < best)):
            best = value
        out.append(best)
    return out


def band(curves: list[list[float | None]]) -> dict[str, list[float | None]]:
    """Median and quartiles at each query over the runs that reached it."""
    length = max(len(c) for c in curves)
    table = np.full((len(curves), length), np.nan)
    for i, curve in enumerate(curves):
        table[i, : len(curve)] = [np.nan if v is None else v for v in curve]
    result: dict[str, list[float | None]] = {"median": [], "low": [], "high": []}
    for column in table.T:
        known = column[~np.isnan(column)]
        for key, q in (("median", 50), ("low", 25), ("high", 75)):
            result[key].append(float(np.percentile(known, q)) if known.size else None)
    return result


def plain(value: Any) -> Any:
    """JSON a browser can parse: NaN and infinities become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
