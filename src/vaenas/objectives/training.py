"""The one training loop that the trained objectives share, kept lean so that its
throughput matches a hand-written PyTorch loop (benchmarks/training_overhead.py)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from vaenas.errors import VaenasError


class DivergedError(VaenasError):
    """Training produced a non-finite loss; the study records the trial as failed."""


@dataclass(frozen=True)
class TrainStats:
    seconds: float
    images: int
    final_loss: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")


def train(
    model: nn.Module,
    loss_fn: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    on_epoch: Callable[[int], None] | None = None,
) -> TrainStats:
    """Adam over shuffled mini-batches; raises DivergedError on a non-finite loss.
    `on_epoch(epoch)` runs after each epoch (from 1), e.g. to validate and report; it may
    raise to stop training (a pruned trial)."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    started = time.perf_counter()
    loss = torch.tensor(0.0)
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            index = order[start : start + batch_size]
            loss = loss_fn(model, x[index], y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if not math.isfinite(loss.item()):
            raise DivergedError(f"training diverged: loss became {loss.item()}")
        if on_epoch is not None:
            on_epoch(epoch + 1)
            model.train()
    model.eval()
    return TrainStats(time.perf_counter() - started, epochs * len(x), float(loss.item()))


def batched(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """Applies `fn` under no_grad in batches and concatenates the results."""
    with torch.no_grad():
        return torch.cat([fn(part) for part in x.split(batch_size)])
