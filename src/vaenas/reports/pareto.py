"""What `vaenas pareto` writes of a study folder: its non-dominated trials and their
hypervolume (pareto.json) and a picture with the dominated trials faded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import OBJECTIVES
from vaenas.objectives import Objective as ObjectiveClass
from vaenas.reports.plots import plot_pareto
from vaenas.study.pareto import (
    VALUE,
    Criterion,
    ParetoView,
    criteria,
    criteria_by_direction,
    pareto_summary,
    pareto_view,
)
from vaenas.study.storages.folder import read_study, write_pareto


def write_pareto_report(
    folder: Path, names: list[str], picture: Path | None = None
) -> tuple[ParetoView, dict[str, Any], Path]:
    """The front of the study in `folder` over the criteria `names` (default: the study's
    own objectives, else its value and its objective's first cost), written to
    FOLDER/pareto.json and `picture` (default FOLDER/pareto.png)."""
    config, trials, _ = read_study(folder)
    view = pareto_view(trials, _criteria(config, names))
    if not view.trials:
        raise InvalidArgumentError(f"no finished trial in {folder} has {', '.join(c.name for c in view.criteria)}; "
                                   "nothing to draw")
    summary = pareto_summary(view)
    write_pareto(folder, summary)
    picture = picture or folder / "pareto.png"
    what = config.get("objective") or "trials"
    dataset = f" / {config['dataset']}" if config.get("dataset") else ""
    shown = "" if len(view.criteria) == 2 else f", first 2 of {len(view.criteria)} criteria shown"
    plot_pareto(picture, view, f"{what}{dataset}: {len(view.trials)} trials{shown}")
    return view, summary, picture


def _criteria(config: dict[str, Any], names: list[str]) -> list[Criterion]:
    stored = config.get("objectives")
    if config.get("objective") is None:  # made in Python with a function: its objectives say the directions
        if not isinstance(stored, dict):
            raise InvalidArgumentError("this study searched one objective; a front needs a study made with objectives={...}")
        unknown = [n for n in names if n not in stored]
        if unknown:
            raise InvalidArgumentError(f"the study's objectives are {', '.join(stored)}, not {unknown[0]!r}")
        return criteria_by_direction(names or list(stored), stored)
    objective = OBJECTIVES.get(config["objective"])
    return criteria(names or (list(stored) if stored else _default_criteria(objective)), objective)


def _default_criteria(objective: type[ObjectiveClass]) -> list[str]:
    costs = [m for m, direction in objective.metric_directions.items() if direction == "minimize"]
    if not costs:
        raise InvalidArgumentError(f"objective {objective.name!r} declares no metric to trade its value against")
    return [VALUE, costs[0]]
