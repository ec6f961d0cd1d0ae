"""Reports and pruning decisions of trials that run in worker processes (a local pool or
a Ray cluster), kept by a hub the study owns, so that no worker ever opens the journal: on
another node its path is missing, SQLite's WAL mode is not safe across hosts, and the
study's process stays the journal's one writer.

Workers report to the hub and ask it whether to stop; it decides with the study's pruner
from every trial's reports, as the journal would. The driver takes what is new from the
hub at every poll and journals it (so a running trial's curve is live in the journal),
and takes the rest of a trial's reports when it ends, before its row is finished. A trial
whose worker was lost keeps reporting under its number when it runs again."""

from __future__ import annotations

from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.study.executors.base import Outcome
from vaenas.study.pruners import Pruner, PruningState
from vaenas.study.storages.base import TrialStatus, raise_report_refused
from vaenas.study.trial_reports import TrialReports

Reports = dict[int, dict[int, float]]
"""Trial number -> step -> value."""


class ReportHub:
    """The state a pruner reads, for one study (a Ray actor, or an object served by a
    multiprocessing manager to the pool's workers)."""

    def __init__(self, pruner: Pruner, maximize: bool, reports: Reports, statuses: dict[int, TrialStatus]) -> None:
        self.pruner, self.maximize = pruner, maximize
        self.reports = {number: dict(steps) for number, steps in reports.items()}
        self.statuses = dict(statuses)
        self._unjournaled: Reports = {}

    def start(self, number: int) -> None:
        self.statuses[number] = TrialStatus.RUNNING

    def record(self, number: int, step: int, value: float) -> bool:
        """Keeps a report of a running trial; False for a trial that has ended."""
        if self.statuses.get(number, TrialStatus.RUNNING) is not TrialStatus.RUNNING:
            return False
        self.reports.setdefault(number, {})[step] = value
        self._unjournaled.setdefault(number, {})[step] = value
        return True

    def should_prune(self, number: int) -> bool:
        return self.pruner.prune(number, PruningState(self.reports, self.statuses, self.maximize))

    def take_new(self) -> Reports:
        """The reports not yet handed to the driver."""
        new, self._unjournaled = self._unjournaled, {}
        return new

    def finish(self, number: int, status: TrialStatus) -> dict[int, float]:
        """Marks a trial ended; returns its reports not yet handed to the driver."""
        self.statuses[number] = status
        return self._unjournaled.pop(number, {})


def hub_arguments(reports: TrialReports) -> tuple[Pruner, bool, Reports, dict[int, TrialStatus]]:
    """A new hub's state: the study's pruner and what its journal holds."""
    store = reports.storage
    return reports.pruner, reports.maximize, store.intermediate_values(), {t.number: t.status for t in store.trials()}


class HubReports:
    """What a worker reports through (a ReportSink), and the driver reaches the hub
    through: `call` is a Ray actor call or a manager proxy's method call."""

    def __init__(self, hub: Any, ray_actor: bool) -> None:
        self.hub, self.ray_actor = hub, ray_actor

    def call(self, method: str, *args: Any) -> Any:
        if self.ray_actor:
            import ray

            return ray.get(getattr(self.hub, method).remote(*args))
        return getattr(self.hub, method)(*args)

    def record(self, number: int, step: int, value: float) -> None:
        if not self.call("record", number, step, value):
            raise_report_refused(number)

    def should_prune(self, number: int) -> bool:
        return bool(self.call("should_prune", number))


class HubJournal:
    """The driver's side: journals what workers reported to the hub."""

    def __init__(self, reports: TrialReports, hub: HubReports) -> None:
        self.reports, self._call = reports, hub.call

    def start(self, number: int) -> None:
        self._call("start", number)

    def journal_new(self) -> None:
        """Journals the reports made since the last poll (of running trials only)."""
        for number, steps in sorted(self._call("take_new").items()):
            self._journal(number, steps)

    def journal_ended(self, outcome: Outcome) -> None:
        """Journals the rest of an ended trial's reports, before the study finishes its
        row. A lost trial is not ended: it runs again and keeps reporting."""
        if outcome.lost:
            return
        status = (TrialStatus.FAILED if outcome.evaluation is None
                  else TrialStatus.PRUNED if outcome.pruned_at is not None else TrialStatus.COMPLETE)
        self._journal(outcome.number, self._call("finish", outcome.number, status))

    def _journal(self, number: int, steps: dict[int, float]) -> None:
        for step, value in sorted(steps.items()):
            try:
                self.reports.record(number, step, value)
            except InvalidArgumentError:  # a late report of a trial the study gave up on (lost too often)
                return
