"""What every pruner provides: a decision, from what the journal holds, on whether a
running trial stops now.

A pruner keeps no state of its own: every decision is made from the reports and
statuses read from the study's storage at that moment, so that trials running in other
processes (a process pool, a Ray cluster) see the same rungs, and a resumed study makes
the decisions it would have made."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from vaenas.study.storages.base import TrialStatus


@dataclass(frozen=True)
class PruningState:
    """What a decision reads: every trial's intermediate values (number -> step ->
    value), every trial's status, and the direction of the study."""

    reports: Mapping[int, Mapping[int, float]]
    statuses: Mapping[int, TrialStatus]
    maximize: bool

    def better(self, a: float, b: float) -> bool:
        """Whether `a` is at least as good as `b`."""
        return a >= b if self.maximize else a <= b


MAX_OPTION = 10**9
"""The largest value of a pruner option without a bound of its own: beyond any count of
trials, epochs or steps."""


class Pruner(ABC):
    """Decides whether trial `number` stops, given everything reported so far.

    `options` lists the constructor options a user may set by name
    (`create_study(pruner="asha", pruner_options={...})`, `-P key=value`)."""

    name: ClassVar[str]
    minimums: ClassVar[dict[str, int]] = {}
    """The least value of each option (1 where none is given)."""
    maximums: ClassVar[dict[str, int]] = {}
    """The largest value of each option (MAX_OPTION where none is given): bounds that keep
    a decision's arithmetic (powers of the reduction factor) small and quick."""

    @abstractmethod
    def prune(self, number: int, state: PruningState) -> bool: ...

    def options(self) -> dict[str, Any]:
        """The settings that make this pruner what it is (part of a study's identity)."""
        return {}


class NoPruner(Pruner):
    """Every trial runs to the end."""

    name = "none"

    def prune(self, number: int, state: PruningState) -> bool:
        return False
