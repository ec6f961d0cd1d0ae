"""What a study's storage provides: one interface, whatever keeps the trials.

The study loop only talks to `Storage`. A new storage (a database server, say) is one
module in this package that subclasses it, plus one branch of `get_storage`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Any

from vaenas.errors import InvalidArgumentError, StudyConfigMismatchError
from vaenas.study.identity import identity_differences, named_later

FORMAT_VERSION = 1


class TrialStatus(str, Enum):
    """The life of a trial: running until it completes (a value) or fails (none).

    A str enum, so that it is stored and compared as the plain word."""

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    PRUNED = "pruned"
    """Stopped early by a pruner; its value is the last one it reported."""


@dataclass(frozen=True)
class TrialRecord:
    number: int
    arch_key: str
    arch: str
    status: TrialStatus
    value: float | None
    metrics: dict[str, Any]
    attempts: int
    started_at: float
    finished_at: float | None

    @property
    def finished(self) -> bool:
        return self.status is not TrialStatus.RUNNING


class Storage(ABC):
    """The trials of one study and the configuration that identifies it.

    Trial numbers are given by the storage, in order from 0; an architecture key appears
    at most once (a query is never repeated)."""

    location: str = "memory"
    """Where the trials are, as a user would name it in a message."""

    @abstractmethod
    def stored_config(self) -> dict[str, Any]:
        """The configuration recorded by `ensure_config`, {} for a new study."""

    @abstractmethod
    def _record_config(self, entries: dict[str, Any]) -> None:
        """Keeps these entries of the configuration (replacing any of the same key)."""

    @abstractmethod
    def start_trial(self, arch_key: str, arch: str) -> int:
        """Adds a running trial and returns its number (taking its architecture out of
        the queue, in the same write)."""

    @abstractmethod
    def enqueue(self, arch_key: str, arch: str) -> None:
        """Keeps an architecture to evaluate before the strategy is asked (`enqueue_trial`),
        at the end of the queue; it leaves the queue when its trial starts (`start_trial`)."""

    @abstractmethod
    def queued(self) -> list[tuple[str, str]]:
        """The enqueued architectures not yet started, as (key, text), in order."""

    @abstractmethod
    def restart_trial(self, number: int) -> None:
        """Marks an unfinished trial as started again (after a crash or a lost worker)."""

    @abstractmethod
    def finish_trial(self, number: int, status: TrialStatus, value: float | None, metrics: dict[str, Any]) -> None: ...

    @abstractmethod
    def trials(self, first: int = 0) -> list[TrialRecord]:
        """Every trial numbered from `first` on, in number order (a reader that polls a
        running study asks for what it has not seen)."""

    @abstractmethod
    def report(self, number: int, step: int, value: float) -> None:
        """Keeps running trial `number`'s intermediate value at `step` (a later report of
        the same step replaces it); a trial that has ended takes no report
        (`raise_report_refused`): later pruning decisions read what it reported."""

    @abstractmethod
    def intermediate_values(self, first: int = 0) -> dict[int, dict[int, float]]:
        """Trial number -> step -> value, for every trial numbered from `first` on that
        reported."""

    @abstractmethod
    def trial(self, number: int) -> TrialRecord: ...

    def close(self) -> None:
        """Releases files and locks; the storage is not used afterwards."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure_config(self, config: dict[str, Any]) -> None:
        """Records the configuration of a new study, or checks it against the stored one."""
        wanted = {"format_version": FORMAT_VERSION, **config}
        stored = self.stored_config()
        if not stored:
            self._record_config(wanted)
            return
        diff = identity_differences(stored, wanted)
        if diff:
            raise StudyConfigMismatchError(
                f"{self.location} holds a study with another configuration: {', '.join(diff)}; "
                "use another storage folder (--out) or the same options to resume it"
            )
        if added := named_later(stored, wanted):
            self._record_config(added)


def raise_report_refused(number: int) -> None:
    raise InvalidArgumentError(
        f"trial {number} is not running (it has ended, or was never started): it takes no more reports"
    )
