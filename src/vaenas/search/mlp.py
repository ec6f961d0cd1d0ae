"""Small MLP regressors: the predictor of `grad` and the ensemble of `bananas`."""

from __future__ import annotations

import numpy as np
import torch
from botorch.models.transforms.outcome import Standardize
from torch import nn


class MLPEnsemble(nn.Module):
    """`members` independent 2-hidden-layer MLPs run as one batched network, so that an
    ensemble trains in the steps one member takes (BANANAS refits five at every query)."""

    def __init__(self, in_dim: int, hidden: int, members: int, generator: torch.Generator) -> None:
        super().__init__()
        shapes = [(in_dim, hidden), (hidden, hidden), (hidden, 1)]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in shapes:  # seeded init, independent of global torch state
            bound = 1.0 / np.sqrt(fan_in)
            self.weights.append(nn.Parameter(_uniform((members, fan_in, fan_out), bound, generator)))
            self.biases.append(nn.Parameter(_uniform((members, 1, fan_out), bound, generator)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(n, in_dim) inputs -> (members, n) predictions."""
        h = x.unsqueeze(0).expand(len(self.weights[0]), -1, -1)
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, weight)
            if i < len(self.weights) - 1:
                h = torch.relu(h)
        return h.squeeze(-1)


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> torch.Tensor:
    return torch.empty(shape).uniform_(-bound, bound, generator=generator)


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    members: int = 1,
    hidden: int = 64,
    epochs: int = 200,
    lr: float = 1e-2,
) -> MLPEnsemble:
    """`members` MLPs, each fitted full-batch with Adam from its own random initialisation
    to the targets `y` standardized by BoTorch's Standardize transform (as the GP's are).
    Predictions stay in those standardized units: the strategies rank candidates and
    follow gradients, which the scale does not change."""
    model = MLPEnsemble(x.shape[1], hidden, members, torch.Generator().manual_seed(seed))
    inputs = torch.as_tensor(x, dtype=torch.float32)
    standardized, _ = Standardize(m=1)(torch.as_tensor(y, dtype=torch.float32).unsqueeze(-1))
    targets = standardized.squeeze(-1).expand(members, -1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        optimizer.zero_grad()
        # summed over members, so each member's gradient is its own loss's
        loss = ((model(inputs) - targets) ** 2).mean(1).sum()
        loss.backward()
        optimizer.step()
    model.eval()
    return model

