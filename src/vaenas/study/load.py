"""`vaenas.load_study`: a study's trials read from its folder without taking its lock,
so a study can be watched (trials, best, dataframe) while another process runs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaenas.spaces import space_of
from vaenas.study.storages.base import TrialRecord, TrialStatus
from vaenas.study.storages.folder import read_study
from vaenas.study.trials_frame import as_archs, trials_frame

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class StudySnapshot:
    """What a study folder held when it was read: its configuration and trials."""

    config: dict[str, Any]
    trials: list[TrialRecord]
    reports: dict[int, dict[int, float]]
    """Intermediate values: trial number -> step -> value."""

    @property
    def maximize(self) -> bool:
        direction = self.config.get("direction")
        if direction is None:  # a study made by `vaenas search`: the objective decides
            from vaenas.objectives import OBJECTIVES

            return OBJECTIVES.get(self.config["objective"]).maximize
        return bool(direction == "maximize")

    @property
    def best_trial(self) -> TrialRecord | None:
        complete = [t for t in self.trials if t.status is TrialStatus.COMPLETE and t.value is not None]
        if not complete:
            return None
        return (max if self.maximize else min)(complete, key=lambda t: t.value)  # type: ignore[arg-type,return-value]

    @property
    def best_value(self) -> float | None:
        return None if self.best_trial is None else self.best_trial.value

    @property
    def best_arch(self) -> Any:
        """The best architecture, as `fn` received it (the space's Arch)."""
        return None if self.best_trial is None else self.best_trial.arch

    def trials_dataframe(self) -> pandas.DataFrame:
        return trials_frame(self.trials, self.reports)


def load_study(storage: str | Path) -> StudySnapshot:
    """The trials of the study in folder `storage` as they are now, read-only; call it
    again to see new ones. Works while the study runs in another process. Architectures
    are the space's Arch where the folder names a space vaenas can rebuild (a registered
    one, a CellSpace or a LayerSpace), else their strings."""
    config, trials, reports = read_study(Path(storage))
    return StudySnapshot(config, as_archs(trials, space_of(config["space"], config.get("space_definition"))), reports)
