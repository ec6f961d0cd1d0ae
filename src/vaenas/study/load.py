"""`vaenas.load_study`: a study's trials read from its folder without taking its lock,
so a study can be watched (trials, best, dataframe) while another process runs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaenas.study.storages.base import TrialRecord, TrialStatus
from vaenas.study.storages.folder import read_study

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class StudySnapshot:
    """What a study folder held when it was read: its configuration and trials."""

    config: dict[str, Any]
    trials: list[TrialRecord]

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
    def best_arch(self) -> str | None:
        """The best architecture in its string form."""
        return None if self.best_trial is None else self.best_trial.arch

    def trials_dataframe(self) -> pandas.DataFrame:
        import pandas

        rows = [{"number": t.number, "arch": t.arch, "status": t.status.value, "value": t.value,
                 "attempts": t.attempts, "started_at": t.started_at, "finished_at": t.finished_at, **t.metrics}
                for t in self.trials]
        return pandas.DataFrame(rows)


def load_study(storage: str | Path) -> StudySnapshot:
    """The trials of the study in folder `storage` as they are now, read-only; call it
    again to see new ones. Works while the study runs in another process."""
    config, trials = read_study(Path(storage))
    return StudySnapshot(config, trials)
