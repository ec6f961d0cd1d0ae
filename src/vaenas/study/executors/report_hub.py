"""Reports and pruning decisions of trials that run on a Ray cluster, kept by an actor
the study owns, so that no worker ever opens the journal: on another node the journal's
path is missing, and SQLite's WAL mode is not safe across hosts.

Workers report to the hub and ask it whether to stop; it decides with the study's pruner
from every trial's reports, as the journal would. When a trial ends, the driver takes its
reports from the hub and writes them to the journal (the one writer) before the trial's
row is finished; a trial whose worker was lost keeps reporting under its number."""

from __future__ import annotations

from typing import Any

from vaenas.study.pruners import Pruner, PruningState
from vaenas.study.storages.base import TrialStatus, raise_report_refused


class ReportHub:
    """The state a pruner reads, for one study (run as a Ray actor)."""

    def __init__(self, pruner: Pruner, maximize: bool, reports: dict[int, dict[int, float]],
                 statuses: dict[int, TrialStatus]) -> None:
        self.pruner, self.maximize = pruner, maximize
        self.reports = {number: dict(steps) for number, steps in reports.items()}
        self.statuses = dict(statuses)

    def start(self, number: int) -> None:
        self.statuses[number] = TrialStatus.RUNNING

    def record(self, number: int, step: int, value: float) -> bool:
        """Keeps a report of a running trial; False for a trial that has ended."""
        if self.statuses.get(number, TrialStatus.RUNNING) is not TrialStatus.RUNNING:
            return False
        self.reports.setdefault(number, {})[step] = value
        return True

    def should_prune(self, number: int) -> bool:
        return self.pruner.prune(number, PruningState(self.reports, self.statuses, self.maximize))

    def finish(self, number: int, status: TrialStatus) -> dict[int, float]:
        """Marks a trial ended; returns its reports, for the journal."""
        self.statuses[number] = status
        return dict(self.reports.get(number, {}))


class HubReports:
    """What a Ray worker reports through (a ReportSink): the hub's actor handle."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub

    def record(self, number: int, step: int, value: float) -> None:
        import ray

        if not ray.get(self.hub.record.remote(number, step, value)):
            raise_report_refused(number)

    def should_prune(self, number: int) -> bool:
        import ray

        return bool(ray.get(self.hub.should_prune.remote(number)))
