"""`vaenas train`: the architecture a search chose (or its top k), trained once more
stand-alone and saved with what it scored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import Objective
from vaenas.spaces import make_space
from vaenas.study.storages import TrialStatus
from vaenas.study.storages.folder import read_best_arch, write_trained


@dataclass(frozen=True)
class TrainedResult:
    arch: str
    value: float
    metrics: dict[str, Any]
    model_path: Path


def chosen_arch(arch: str, objective: Objective) -> str:
    """The architecture string given, or the one in a best_arch.json, checked to parse
    in the objective's space."""
    space = make_space(objective.space_name)
    text = read_best_arch(Path(arch), space.name) if Path(arch).suffix == ".json" else arch
    space.parse(text)
    return text


def top_archs(folder: Path, k: int, objective: Objective) -> list[str]:
    """The `k` best complete trials of the study in `folder` (best first), e.g. those a
    supernet search ranked highest, to retrain stand-alone."""
    from vaenas.study.load import load_study

    study = load_study(folder)
    if study.config["space"] != objective.space_name:
        raise InvalidArgumentError(
            f"{folder} holds a study of space {study.config['space']!r}, and objective {objective.name!r} trains "
            f"{objective.space_name!r} architectures; pick the objective of that space (--objective)"
        )
    complete = sorted((t for t in study.trials if t.status is TrialStatus.COMPLETE and t.value is not None),
                      key=lambda t: t.value, reverse=study.maximize)  # type: ignore[arg-type,return-value]
    if not complete:
        raise InvalidArgumentError(f"{folder} holds no complete trial to retrain")
    space = make_space(objective.space_name)
    return [chosen_arch(t.arch if isinstance(t.arch, str) else space.format(t.arch), objective) for t in complete[:k]]


def train_chosen(objective: Objective, arch: str, out: Path, settings: dict[str, Any]) -> TrainedResult:
    """Trains `arch` with `objective` and writes the network and a summary (the
    architecture, `settings`, the value and metrics) to `out`. Where the data has a test
    split the search never saw, the network trains on training and validation images
    together and its value is the test split's (`TrainedObjective.retrained`)."""
    from vaenas.objectives.trained_objective import TrainedObjective

    if isinstance(objective, TrainedObjective) and objective.data.test_x is not None:
        objective = objective.retrained()
    evaluation = objective.evaluate(make_space(objective.space_name).parse(arch))
    if evaluation.artifact is None:
        raise InvalidArgumentError(f"objective {objective.name!r} trains no network; use classifier, cell-classifier or imagevae")
    summary = {"arch": arch, **settings, "value": evaluation.value, "metrics": evaluation.metrics}
    model_path = write_trained(out, evaluation.artifact, summary)
    return TrainedResult(arch, evaluation.value, evaluation.metrics, model_path)
