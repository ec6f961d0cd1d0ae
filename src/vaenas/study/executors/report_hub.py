"""Reports and pruning decisions of trials that run in worker processes (a local pool or
a Ray cluster), kept by a hub the study owns, so that no worker ever opens the journal: on
another node its path is missing, SQLite's WAL mode is not safe across hosts, and the
study's process stays the journal's one writer.

Workers report to the hub and ask it whether to stop; it decides with the study's pruner
from every trial's reports, as the journal would. The driver takes what is new from the
hub at every poll and journals it (so a running trial's curve is live in the journal),
and takes the rest of a trial's reports when it ends, before its row is finished. A trial
whose worker was lost keeps reporting under its number when it runs again.

The hub is no single point of failure: a lost hub is started again by the driver from
what the journal holds, under the same address (pool) or name (Ray), where its clients
find it again; until then a worker keeps its reports (they reach the journal with its
outcome) and is not pruned."""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.managers import BaseManager
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


HUB_LOST: tuple[type[BaseException], ...] = (EOFError, OSError)
"""What a call to a manager-served hub raises once its process is gone (BrokenPipeError,
ConnectionRefusedError and FileNotFoundError are OSErrors)."""


class HubReports:
    """What a worker reports through (a ReportSink), and the driver reaches the hub
    through: a manager's `address` (pool) or a Ray actor's `name`. It connects on first
    use and again after the hub was lost; a report it cannot hand over is kept by the
    trial (Outcome.reports), and a trial it cannot ask about goes on."""

    def __init__(self, address: Any = None, actor_name: str | None = None) -> None:
        self.address, self.actor_name = address, actor_name
        self._hub: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"address": self.address, "actor_name": self.actor_name, "_hub": None}  # each process connects itself

    def call(self, method: str, *args: Any) -> Any:
        """`method(*args)` on the hub; raises HubLost once a second connection failed too."""
        for attempt in (1, 2):
            try:
                return self._call(method, *args)
            except self._lost_errors() as exc:
                self._hub = None
                if attempt == 2:
                    raise HubLost(f"the report hub is lost ({type(exc).__name__})") from None
        raise AssertionError("unreachable")

    def _call(self, method: str, *args: Any) -> Any:
        if self.actor_name is not None:
            import ray

            self._hub = self._hub or ray.get_actor(self.actor_name)
            return ray.get(getattr(self._hub, method).remote(*args))
        if self._hub is None:
            manager = HubManager(address=self.address)
            manager.connect()
            self._hub = manager.hub()  # type: ignore[attr-defined]
        return getattr(self._hub, method)(*args)

    def _lost_errors(self) -> tuple[type[BaseException], ...]:
        if self.actor_name is None:
            return HUB_LOST
        import ray

        return (*HUB_LOST, ray.exceptions.RayActorError, ValueError)  # ValueError: no actor of that name (yet)

    def record(self, number: int, step: int, value: float) -> None:
        try:
            accepted = self.call("record", number, step, value)
        except HubLost:
            return  # the trial keeps it; the driver journals it at the trial's end
        if not accepted:
            raise_report_refused(number)

    def should_prune(self, number: int) -> bool:
        try:
            return bool(self.call("should_prune", number))
        except HubLost:
            return False


class HubLost(Exception):
    """The hub did not answer twice: the driver starts it again."""


class HubManager(BaseManager):
    """Serves the study's ReportHub from a process of its own to the pool's workers; every
    client that connects to its address reaches the one hub (`hub()`)."""


_SERVED: dict[str, ReportHub] = {}


def serve_hub(*arguments: Any) -> None:
    """The manager process's start: it dies with the study's process, and holds the hub."""
    from vaenas.study.executors.worker_lifetime import die_with_parent

    die_with_parent()
    _SERVED["hub"] = ReportHub(*arguments)


def _served_hub() -> ReportHub:
    return _SERVED["hub"]


HubManager.register("hub", callable=_served_hub)


class HubJournal:
    """The driver's side: journals what workers reported to the hub, and starts the hub
    again (`restart`, from what the journal holds) when it is lost."""

    def __init__(self, reports: TrialReports, hub: HubReports, restart: Callable[[], None]) -> None:
        self.reports, self.hub, self.restart = reports, hub, restart

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return self.hub.call(method, *args)
        except HubLost:  # its replacement knows the running trials as running: so does the journal
            self.restart()
            return self.hub.call(method, *args)

    def start(self, number: int) -> None:
        self._call("start", number)

    def journal_new(self) -> None:
        """Journals the reports made since the last poll (of running trials only)."""
        for number, steps in sorted(self._call("take_new").items()):
            self._journal(number, steps)

    def journal_ended(self, outcome: Outcome) -> None:
        """Journals the rest of an ended trial's reports (what the hub holds, and what
        the trial kept itself, which a hub lost meanwhile never saw), before the study
        finishes its row. A lost trial is not ended: it runs again and keeps reporting."""
        if outcome.lost:
            return
        status = (TrialStatus.FAILED if outcome.evaluation is None
                  else TrialStatus.PRUNED if outcome.pruned_at is not None else TrialStatus.COMPLETE)
        self._journal(outcome.number, {**self._call("finish", outcome.number, status), **outcome.reports})

    def _journal(self, number: int, steps: dict[int, float]) -> None:
        for step, value in sorted(steps.items()):
            try:
                self.reports.record(number, step, value)
            except InvalidArgumentError:  # a late report of a trial the study gave up on (lost too often)
                return
