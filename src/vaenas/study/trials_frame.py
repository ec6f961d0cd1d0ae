"""A study's trials as a pandas DataFrame, as `trials_dataframe()` gives them (the study
that runs and the snapshot that `load_study` reads share it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from vaenas.errors import ArchitectureFormatError
from vaenas.spaces import SearchSpace
from vaenas.study.storages import TrialRecord

if TYPE_CHECKING:
    import pandas

COLUMNS = ["number", "arch", "status", "value", "attempts", "started_at", "finished_at", "duration",
           "intermediate_values"]


def as_archs(trials: list[TrialRecord], space: SearchSpace | None) -> list[TrialRecord]:
    """The trials with their architecture as the objective receives it (the space's
    Arch), as `study.trials`, `best_trial`, `best_arch` and the dataframe give it; a
    storage keeps its string. A row that does not parse keeps its string."""
    if space is None:
        return trials
    return [replace(t, arch=_parsed(space, t.arch)) for t in trials]


def _parsed(space: SearchSpace, text: str) -> object:
    try:
        return space.parse(text)
    except ArchitectureFormatError:
        return text


def trials_frame(trials: list[TrialRecord], reports: Mapping[int, Mapping[int, float]]) -> pandas.DataFrame:
    """One row per trial: number, arch, status, value, attempts, start and end as
    datetimes, the duration, the intermediate values it reported (step -> value), then
    one column per metric."""
    import pandas

    rows = [
        {
            "number": t.number, "arch": t.arch, "status": t.status.value, "value": t.value, "attempts": t.attempts,
            "started_at": t.started_at, "finished_at": t.finished_at,
            "intermediate_values": dict(reports.get(t.number, {})), **t.metrics,
        }
        for t in trials
    ]
    frame = pandas.DataFrame(rows, columns=list(dict.fromkeys(COLUMNS + [k for r in rows for k in r])))
    frame["started_at"] = pandas.to_datetime(frame["started_at"], unit="s")
    frame["finished_at"] = pandas.to_datetime(frame["finished_at"], unit="s")
    frame["duration"] = frame["finished_at"] - frame["started_at"]
    return frame
