"""Trials kept in a list: for a library user who needs no files."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from vaenas.study.storages.base import Storage, TrialRecord, TrialStatus, raise_report_refused


class InMemoryStorage(Storage):
    """Trials in a list: nothing written, nothing survives the process."""

    def __init__(self) -> None:
        self._config: dict[str, Any] = {}
        self._trials: list[TrialRecord] = []
        self._reports: dict[int, dict[int, float]] = {}
        self._queue: dict[str, str] = {}

    def stored_config(self) -> dict[str, Any]:
        return dict(self._config)

    def _record_config(self, entries: dict[str, Any]) -> None:
        self._config.update(entries)

    def start_trial(self, arch_key: str, arch: str) -> int:
        if any(t.arch_key == arch_key for t in self._trials):
            raise ValueError(f"architecture {arch} is already a trial of this study")
        self._queue.pop(arch_key, None)
        number = len(self._trials)
        self._trials.append(TrialRecord(number, arch_key, arch, TrialStatus.RUNNING, None, {}, 1, time.time(), None))
        return number

    def enqueue(self, arch_key: str, arch: str) -> None:
        self._queue.setdefault(arch_key, arch)

    def queued(self) -> list[tuple[str, str]]:
        return list(self._queue.items())

    def restart_trial(self, number: int) -> None:
        trial = self._trials[number]
        self._trials[number] = replace(trial, attempts=trial.attempts + 1, started_at=time.time())

    def finish_trial(self, number: int, status: TrialStatus, value: float | None, metrics: dict[str, Any]) -> None:
        self._trials[number] = replace(
            self._trials[number], status=status, value=value, metrics=dict(metrics), finished_at=time.time()
        )

    def trials(self, first: int = 0) -> list[TrialRecord]:
        return self._trials[max(first, 0):]

    def trial(self, number: int) -> TrialRecord:
        return self._trials[number]

    def report(self, number: int, step: int, value: float) -> None:
        if not 0 <= number < len(self._trials) or self._trials[number].finished:
            raise_report_refused(number)
        self._reports.setdefault(number, {})[step] = value

    def intermediate_values(self, first: int = 0) -> dict[int, dict[int, float]]:
        return {n: dict(steps) for n, steps in self._reports.items() if n >= first}
