"""Objective `classifier`: validation accuracy of the CNN of a macro architecture."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from vaenas.objectives.networks import build_classifier
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.trained_objective import TrainedObjective
from vaenas.objectives.training import batched
from vaenas.spaces.macro import MacroArch


@OBJECTIVES.register("classifier")
class ClassifierObjective(TrainedObjective):
    """Validation accuracy (%) after training with cross-entropy; test accuracy too when
    the data set has a test split."""

    name = "classifier"
    kind = "classifier"
    value_name = "accuracy"
    maximize = True

    def build(self, arch: MacroArch) -> nn.Module:
        data = self.data
        return build_classifier(arch, data.shape, data.n_classes, data.mean, data.std)

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(model(x), y)

    def validate(self, model: nn.Module) -> float:
        return accuracy(model, self.val_x, self.val_y)  # no test pass per epoch

    def score(self, model: nn.Module) -> tuple[float, dict[str, Any]]:
        extra: dict[str, Any] = {}
        if self.data.test_x is not None and self.data.test_y is not None:
            extra["test_accuracy"] = accuracy(model, torch.as_tensor(self.data.test_x), torch.as_tensor(self.data.test_y))
        return accuracy(model, self.val_x, self.val_y), extra

    def settings(self) -> dict[str, Any]:
        return {"n_classes": self.data.n_classes, "mean": list(self.data.mean), "std": list(self.data.std)}


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Percentage of images whose predicted class is right."""
    predictions = batched(lambda part: model(part).argmax(1), x)
    return float((predictions == y).float().mean().item() * 100)
