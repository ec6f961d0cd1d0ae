"""Objectives `classifier` and `cell-classifier`: validation accuracy of the network of a
macro architecture, or of a NAS-Bench-201 cell, trained on the user's images."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import nn

from vaenas.objectives.nb201_network import build_cell_classifier
from vaenas.objectives.networks import build_classifier
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.trained_objective import TrainedObjective
from vaenas.objectives.device import Placement
from vaenas.objectives.training import CPU_FP32, batched
from vaenas.spaces.macro import MacroArch


@OBJECTIVES.register("classifier")
class ClassifierObjective(TrainedObjective):
    """Validation accuracy (%) after training with cross-entropy; test accuracy too when
    the data set has a test split."""

    name = "classifier"
    kind = "classifier"
    value_name = "accuracy"
    value_label = "validation accuracy (%)"
    maximize = True
    network_function = staticmethod(build_classifier)
    """Makes an architecture's network for a data set's shape, classes and normalisation."""

    def build(self, arch: MacroArch) -> nn.Module:
        return self.network_builder()(arch)

    def network_builder(self) -> Callable[[Any], nn.Module]:
        """`build` without the objective's images in it: small to send to a process that
        scores proxies."""
        data = self.data
        return partial(self.network_function, in_shape=tuple(data.shape), n_classes=data.n_classes,
                       mean=list(data.mean), std=list(data.std))

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(model(x), y, label_smoothing=self.recipe.label_smoothing)

    def validate(self, model: nn.Module) -> float:
        return accuracy(model, self.val_x, self.val_y, self.place)  # no test pass per epoch

    def score(self, model: nn.Module) -> tuple[float, dict[str, Any]]:
        """Accuracy on the scored split and its standard error (a binomial one: with 80
        images, about 3 points at 85 %), named."""
        value = accuracy(model, self.val_x, self.val_y, self.place)
        extra: dict[str, Any] = {"value_is": f"{self.scored_split} accuracy (%)",
                                 "value_se": round(accuracy_se(value, len(self.val_x)), 3)}
        if self.scored_split == "test":
            extra["test_accuracy"] = value
        elif self.data.test_x is not None and self.data.test_y is not None:
            extra["test_accuracy"] = accuracy(model, torch.as_tensor(self.data.test_x),
                                              torch.as_tensor(self.data.test_y), self.place)
        return value, extra

    def settings(self) -> dict[str, Any]:
        names = self.data.class_names or tuple(str(k) for k in range(self.data.n_classes))
        return {"n_classes": self.data.n_classes, "mean": list(self.data.mean), "std": list(self.data.std),
                "class_names": list(names)}


@OBJECTIVES.register("cell-classifier")
class CellClassifierObjective(ClassifierObjective):
    """The benchmark network of a NAS-Bench-201 cell (three stages of five cells) trained
    stand-alone on your images: what the cell supernet's scores stand in for."""

    name = "cell-classifier"
    kind = "cell-classifier"
    space_name = "nb201"
    network_function = staticmethod(build_cell_classifier)


def accuracy_se(percent: float, n: int) -> float:
    """Standard error (points) of an accuracy measured on `n` images."""
    p = percent / 100
    return 100 * (p * (1 - p) / max(1, n)) ** 0.5


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, place: Placement = CPU_FP32) -> float:
    """Percentage of images whose predicted class is right (scored on `place`)."""
    predictions = batched(lambda part: model(part).argmax(1), x, place=place)
    return float((predictions == y).float().mean().item() * 100)
