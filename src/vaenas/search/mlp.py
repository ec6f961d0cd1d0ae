"""Small MLP regressors: the predictor of `grad` and the ensemble members of `bananas`."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def fit_mlp(
    x: np.ndarray, y: np.ndarray, seed: int, hidden: int = 64, epochs: int = 200, lr: float = 1e-2
) -> nn.Module:
    """A 2-hidden-layer MLP fitted full-batch with Adam to standardized targets `y`."""
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
    )
    with torch.no_grad():
        for parameter in model.parameters():  # seeded init, independent of global torch state
            bound = 1.0 / np.sqrt(parameter.shape[-1])
            parameter.uniform_(-bound, bound, generator=generator)
    inputs = torch.as_tensor(x, dtype=torch.float32)
    targets = torch.as_tensor(y, dtype=torch.float32).unsqueeze(-1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def standardize(y: np.ndarray) -> np.ndarray:
    std = y.std()
    return (y - y.mean()) / (std if std > 0 else 1.0)
