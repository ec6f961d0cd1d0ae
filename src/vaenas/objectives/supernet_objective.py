"""Scoring macro architectures through a trained weight-sharing supernet: milliseconds
per architecture instead of a training each. How far the scores can be trusted is
measured in docs/results/supernet.md; retrain the best ones stand-alone (`vaenas train`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from vaenas.errors import InvalidArgumentError
from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.networks import build_classifier, count_parameters
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.reporting import Trial
from vaenas.objectives.supernet import load_supernet, subnet_accuracy
from vaenas.objectives.nb201_network import Nb201Network
from vaenas.spaces.macro import MacroArch
from vaenas.spaces.nb201 import Nb201Arch


@OBJECTIVES.register("supernet")
class SupernetObjective(Objective):
    """Validation accuracy (%) of an architecture with the weights it inherits from the
    supernet in folder `supernet` (made by `vaenas supernet`), on that supernet's data."""

    name = "supernet"
    space_name = "macro"
    value_name = "accuracy"
    default_dataset = None
    metric_directions: ClassVar[dict[str, str]] = {"params": "minimize"}

    def __init__(self, supernet: str | Path | None = None, dataset: str | None = None) -> None:
        if supernet is None:
            raise InvalidArgumentError(
                "the supernet objective scores through a trained supernet: train one with "
                "`vaenas supernet --out DIR`, then pass --supernet DIR"
            )
        self.folder = Path(supernet)
        self.supernet, self.data, self.settings = load_supernet(self.folder)
        if self.supernet.space.name != self.space_name:
            raise InvalidArgumentError(
                f"the supernet in {self.folder} holds space {self.supernet.space.name!r}; "
                f"score it with the {'cell-supernet' if self.supernet.space.name == 'nb201' else 'supernet'} objective"
            )
        if dataset is not None and dataset != self.settings["dataset"]:
            raise InvalidArgumentError(
                f"the supernet in {self.folder} was trained on {self.settings['dataset']!r}, not {dataset!r}"
            )

    def evaluate(self, arch: MacroArch, trial: Trial | None = None) -> Evaluation:
        started = time.perf_counter()
        value = subnet_accuracy(self.supernet, self.data, arch)
        return Evaluation(value=value, cost=time.perf_counter() - started, metrics={"params": self.parameters_of(arch)})

    def parameters_of(self, arch: MacroArch) -> int:
        """Parameters of the stand-alone network of `arch`."""
        return count_parameters(build_classifier(arch, self.data.shape, self.data.n_classes, self.data.mean,
                                                 self.data.std))


@OBJECTIVES.register("cell-supernet")
class CellSupernetObjective(SupernetObjective):
    """Validation accuracy (%) of a NAS-Bench-201 cell with the weights it inherits from
    the one-shot supernet in folder `supernet` (`vaenas supernet --space nb201`)."""

    name = "cell-supernet"
    space_name = "nb201"

    def parameters_of(self, arch: Nb201Arch) -> int:  # type: ignore[override]
        return count_parameters(Nb201Network(arch, self.data.n_classes, in_channels=self.data.shape[0]))
