"""The one training loop that the trained objectives share (its recipe: recipe.py), kept
lean so that its throughput matches a hand-written PyTorch loop
(benchmarks/training_overhead.py, benchmarks/training_recipe.py)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from vaenas.errors import VaenasError
from vaenas.objectives.device import Placement
from vaenas.objectives.recipe import Recipe, augment_batch

CPU_FP32 = Placement(torch.device("cpu"), "fp32")


class DivergedError(VaenasError):
    """Training produced a non-finite loss; the study records the trial as failed."""


@dataclass(frozen=True)
class TrainStats:
    seconds: float
    images: int
    final_loss: float
    steps: int = 0
    passes: int = 0

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")


def train(
    model: nn.Module,
    loss_fn: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    recipe: Recipe = Recipe(),
    seed: int = 0,
    on_epoch: Callable[[int], None] | None = None,
    place: Placement = CPU_FP32,
) -> TrainStats:
    """`recipe` (optimizer, one-cycle schedule over the whole training, augmentation,
    batch size, passes per epoch) over shuffled mini-batches on `place`'s device and
    precision (autocast, and a gradient scaler for fp16); `model` is moved there, and the
    data too where it fits (`Placement.data_device`), so batches are cut and augmented on
    the device. Raises DivergedError on a non-finite loss. `on_epoch(epoch)` runs after
    each epoch (from 1), e.g. to validate and report; it may raise to stop training (a
    pruned trial)."""
    generator = torch.Generator().manual_seed(seed)
    model.to(place.device)
    home = place.data_device(x.nbytes + y.nbytes)
    x, y = x.to(home), y.to(home)  # too big for the GPU: batches are copied one by one (_on)
    batch_size, passes = recipe.batch_for(len(x)), recipe.passes_per_epoch(len(x), epochs)
    steps = epochs * passes * math.ceil(len(x) / batch_size)
    optimizer = recipe.make_optimizer(model)
    schedule = recipe.make_schedule(optimizer, steps)
    scaler = place.scaler()
    model.train()
    started = time.perf_counter()
    loss = torch.tensor(0.0)
    for epoch in range(epochs):
        for _ in range(passes):
            order = torch.randperm(len(x), generator=generator).to(home)
            for start in range(0, len(x), batch_size):
                index = order[start : start + batch_size]
                xb, yb = _on(x[index], place.device), _on(y[index], place.device)
                xb = augment_batch(xb, recipe.augment, generator)
                with place.autocast():
                    loss = loss_fn(model, xb, yb)
                optimizer.zero_grad(set_to_none=True)
                if scaler is None:
                    loss.backward()
                    optimizer.step()
                else:
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                schedule.step()
        if not math.isfinite(loss.item()):
            raise DivergedError(f"training diverged: loss became {loss.item()}")
        if on_epoch is not None:
            on_epoch(epoch + 1)
            model.train()
    model.eval()
    return TrainStats(time.perf_counter() - started, epochs * passes * len(x), float(loss.item()), steps,
                      epochs * passes)


def _on(batch: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A batch on `device`; from the CPU to a GPU through pinned memory, without waiting."""
    if batch.device == device:
        return batch
    return batch.pin_memory().to(device, non_blocking=True)


def batched(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, batch_size: int = 512,
            place: Placement = CPU_FP32) -> torch.Tensor:
    """Applies `fn` under no_grad in batches on `place` (its device and precision) and
    concatenates the results on the CPU, in float32."""
    with torch.no_grad(), place.autocast():
        return torch.cat([fn(part.to(place.device)).float().cpu() for part in x.split(batch_size)])
