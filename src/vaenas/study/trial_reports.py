"""Where the intermediate values of running trials go, and where pruning is decided:
the study's storage, read back at every decision.

The same object serves the study's own process (it holds the live storage) and worker
processes (it travels pickled and opens the study's journal file there), so every
process writes its reports to one place and reads every other process's reports
before it decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaenas.study.pruners import NoPruner, Pruner, PruningState
from vaenas.study.storages.base import Storage

_OPENED: dict[str, Storage] = {}
"""Journals opened by this (worker) process, by path."""


class TrialReports:
    """A ReportSink over a study's storage. `journal` is the storage's file, for the
    process pool's workers (on this machine); without one (an in-memory study) reports
    made in pool workers are kept by no one, and pruning there is refused when the study
    starts. Ray workers never get it: they report to the study's hub actor
    (executors/report_hub.py), which may run on any node."""

    def __init__(self, pruner: Pruner | None, maximize: bool, storage: Storage, journal: Path | None = None) -> None:
        self.pruner = pruner or NoPruner()
        self.maximize, self.journal = maximize, str(journal) if journal else None
        self._storage: Storage | None = storage

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_storage": None}  # a worker opens the journal itself

    @property
    def storage(self) -> Storage:
        """The study's own storage (in the study's process)."""
        store = self._store()
        assert store is not None, "a worker has no storage of its own"
        return store

    def _store(self) -> Storage | None:
        if self._storage is None and self.journal is not None:
            if self.journal not in _OPENED:
                from vaenas.study.storages.sqlite import SQLiteStorage

                _OPENED[self.journal] = SQLiteStorage(Path(self.journal))
            self._storage = _OPENED[self.journal]
        return self._storage

    def record(self, number: int, step: int, value: float) -> None:
        store = self._store()
        if store is not None:
            store.report(number, step, value)

    def should_prune(self, number: int) -> bool:
        store = self._store()
        if isinstance(self.pruner, NoPruner) or store is None:
            return False
        state = PruningState(store.intermediate_values(), {t.number: t.status for t in store.trials()}, self.maximize)
        return self.pruner.prune(number, state)
