"""A study's folder: every file name a study writes, its reads and writes, and the lock
that keeps one writer per folder."""

from __future__ import annotations

import fcntl
import json
import os
import warnings
from pathlib import Path
from typing import Any

from vaenas.errors import CheckpointError, DataError, InvalidArgumentError, JournalError, StudyLockedError
from vaenas.saved_files import load_torch, save_torch_atomic, write_json_atomic
from vaenas.study.storages.base import TrialRecord
from vaenas.study.storages.sqlite import SQLiteStorage

JOURNAL_FILE = "study.db"
RESULTS_FILE = "results.json"
BEST_ARCH_FILE = "best_arch.json"
BEST_MODEL_FILE = "best_model.pt"
LOCK_FILE = "study.lock"
TRAINED_MODEL_FILE = "model.pt"
TRAIN_RESULT_FILE = "result.json"
PARETO_FILE = "pareto.json"
LEARNED_STATE_FILE = "learned_state.pt"


class RunFolder:
    """One study's folder, held by this process from `open` to `close`.

    The lock is an exclusive `flock` on study.lock: the kernel drops it when the process
    ends, however it ends, so a killed study never leaves a stale lock behind."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock: int | None = None

    def open(self) -> SQLiteStorage:
        """Takes the folder's lock and opens its journal."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JournalError(
                f"cannot write to output folder {self.path} ({exc.strerror or exc}); choose another --out"
            ) from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise StudyLockedError(
                f"{self.path} is in use by another running study; wait for it to end, choose another folder "
                "(--out, or create_study's storage), or read it meanwhile with vaenas.load_study"
            ) from None
        try:
            return SQLiteStorage(self.path / JOURNAL_FILE)
        except JournalError:
            self.close()
            raise

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None

    def write_results(self, results: dict[str, Any]) -> None:
        write_json_atomic(self.path / RESULTS_FILE, results)

    def write_best(self, best: dict[str, Any], artifact: Any = None) -> None:
        """The best architecture so far (and its trained network when there is one)."""
        if artifact is not None:
            artifact.save(self.path / BEST_MODEL_FILE)
        write_json_atomic(self.path / BEST_ARCH_FILE, best)

    def write_learned_state(self, state: dict[str, Any]) -> None:
        """What the strategy learned that a replay of the journal would not give back
        exactly (Strategy.learned_state), replaced atomically."""
        save_torch_atomic(self.learned_state_path, state)

    def read_learned_state(self) -> dict[str, Any] | None:
        """The kept learned state (read with weights_only: nothing in the file runs), or
        None when there is none. A damaged file is None with a warning: the journal's
        replay rebuilds the state, so nothing is lost but its exactness."""
        path = self.learned_state_path
        if not path.is_file():
            return None
        try:
            state = load_torch(path, "learned state", "the strategy relearns it from the journal")
        except CheckpointError as exc:
            warnings.warn(str(exc), stacklevel=2)
            return None
        if not isinstance(state, dict):
            warnings.warn(f"{path} holds no learned state; the strategy relearns it from the journal", stacklevel=2)
            return None
        return state

    @property
    def learned_state_path(self) -> Path:
        return self.path / LEARNED_STATE_FILE


def check_can_write(folder: Path) -> None:
    """Refuses, before any work, a folder that cannot be created or written (a path
    under a regular file, a folder without write permission)."""
    existing = Path(folder).absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidArgumentError(
            f"cannot write to output folder {folder}: {existing} is a file, not a folder; choose another output path"
        )
    if not os.access(existing, os.W_OK):
        raise InvalidArgumentError(
            f"cannot write to output folder {folder}: {existing} is not writable; choose another output path"
        )


def write_trained(out: Path, artifact: Any, summary: dict[str, Any]) -> Path:
    """The folder of `vaenas train`: the trained network and what it scored. Returns the
    model's path."""
    out.mkdir(parents=True, exist_ok=True)
    artifact.save(out / TRAINED_MODEL_FILE)
    write_json_atomic(out / TRAIN_RESULT_FILE, summary)
    return out / TRAINED_MODEL_FILE


def read_best_arch(path: Path, space: str) -> str:
    """The architecture string of a best_arch.json, checked to belong to `space`."""
    try:
        saved = json.loads(path.read_text())
        text, saved_space = saved["arch"], saved["space"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path} is not a {BEST_ARCH_FILE} written by vaenas search ({exc})") from None
    if saved_space != space:
        raise InvalidArgumentError(f"{path} holds a {saved_space!r} architecture, not a {space!r} one")
    return str(text)


def write_pareto(path: Path, summary: dict[str, Any]) -> None:
    write_json_atomic(path / PARETO_FILE, summary)


def read_study(path: Path) -> tuple[dict[str, Any], list[TrialRecord], dict[int, dict[int, float]]]:
    """The stored configuration, trials and intermediate values of a study folder, read
    without taking its lock (a running study may be read while it writes)."""
    if not (path / JOURNAL_FILE).is_file():
        raise DataError(
            f"{path} holds no study ({JOURNAL_FILE} is missing); "
            "pass the folder of a study (vaenas search --out, or create_study's storage)"
        )
    journal = SQLiteStorage(path / JOURNAL_FILE, read_only=True)
    try:
        config = journal.stored_config()
        if not isinstance(config.get("space"), str):
            raise JournalError(f"{path / JOURNAL_FILE} names no space in its configuration: it is damaged; "
                               "restore it from a copy")
        return config, journal.trials(), journal.intermediate_values()
    finally:
        journal.close()

