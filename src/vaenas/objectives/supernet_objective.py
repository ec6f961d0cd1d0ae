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
from vaenas.spaces.macro import MacroArch


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
        if dataset is not None and dataset != self.settings["dataset"]:
            raise InvalidArgumentError(
                f"the supernet in {self.folder} was trained on {self.settings['dataset']!r}, not {dataset!r}"
            )

    def evaluate(self, arch: MacroArch, trial: Trial | None = None) -> Evaluation:
        started = time.perf_counter()
        value = subnet_accuracy(self.supernet, self.data, arch)
        params = count_parameters(build_classifier(arch, self.data.shape, self.data.n_classes, self.data.mean,
                                                   self.data.std))
        return Evaluation(value=value, cost=time.perf_counter() - started, metrics={"params": params})
