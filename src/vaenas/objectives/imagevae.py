"""Objective `imagevae`: the seed article's convolutional image VAE, scored by its
validation negative ELBO in bits per dimension (lower is better)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from vaenas.objectives.networks import ConvImageVAE, negative_elbo
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.trained_objective import TrainedObjective
from vaenas.objectives.training import batched
from vaenas.spaces.macro import MacroArch


@OBJECTIVES.register("imagevae")
class ImageVAEObjective(TrainedObjective):
    """Trains the ConvImageVAE of an architecture on the images alone (labels unused);
    value = validation negative ELBO (Bernoulli decoder) / (pixels x ln 2)."""

    name = "imagevae"
    kind = "imagevae"
    maximize = False
    value_label = "validation negative ELBO (bits per dimension)"

    def __init__(self, dataset: str = TrainedObjective.default_dataset, latent_dim: int = 64, **options: Any) -> None:
        super().__init__(dataset, **options)
        self.latent_dim = latent_dim

    def resolve_augment(self, augment: str) -> str:
        """`auto`: none, since a VAE's target is its input as it is."""
        return "none" if augment == "auto" else augment

    def build(self, arch: MacroArch) -> nn.Module:
        return ConvImageVAE(arch, self.data.shape, self.latent_dim)

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return negative_elbo(model, x) / len(x)

    def score(self, model: nn.Module) -> tuple[float, dict[str, Any]]:
        torch.manual_seed(self.seed)  # the ELBO estimate samples z once per image
        total = batched(lambda part: negative_elbo(model, part).reshape(1), self.val_x, place=self.place).sum().item()
        dims = self.val_x[0].numel()
        return total / (len(self.val_x) * dims * math.log(2)), {"latent_dim": self.latent_dim}

    def settings(self) -> dict[str, Any]:
        return {"latent_dim": self.latent_dim}
