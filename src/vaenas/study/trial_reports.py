"""Where the intermediate values of trials go, and where pruning is decided: the study's
storage, read back at every decision. Trials in this process report here directly;
trials in worker processes report to a hub the study owns (executors/report_hub.py),
whose reports the study journals here, so no worker opens the journal."""

from __future__ import annotations

from vaenas.study.pruners import NoPruner, Pruner, PruningState
from vaenas.study.storages.base import Storage


class TrialReports:
    """A ReportSink over a study's storage."""

    def __init__(self, pruner: Pruner | None, maximize: bool, storage: Storage) -> None:
        self.pruner = pruner or NoPruner()
        self.maximize, self.storage = maximize, storage

    def record(self, number: int, step: int, value: float) -> None:
        self.storage.report(number, step, value)

    def should_prune(self, number: int) -> bool:
        if isinstance(self.pruner, NoPruner):
            return False
        state = PruningState(self.storage.intermediate_values(), {t.number: t.status for t in self.storage.trials()},
                             self.maximize)
        return self.pruner.prune(number, state)
