"""The training recipe every trained objective shares: AdamW (or SGD with Nesterov
momentum), a one-cycle schedule (warm-up, then cosine annealing), weight decay off
batch-norm weights and biases, label smoothing, random crops and flips, a batch size
suited to the data size, and at least `min_steps` optimizer steps however small the
data (docs/real-training.md; measured against a plain PyTorch recipe in
benchmarks/training_recipe.py).

Why these: on 400 generated shapes, Adam at 1e-3 with batch 128 and no schedule made 3
steps an epoch and scored at chance after the documented 4 epochs; a small folder needs
a few hundred steps whatever its epochs (docs/decisions/training-recipe.md)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch
from torch import nn

from vaenas.errors import InvalidArgumentError

OPTIMIZERS = ("adamw", "sgd")
AUGMENTATIONS = ("auto", "standard", "crop", "none")
"""standard: random crops with reflect padding and horizontal flips; crop: crops alone
(digits, text: where a flip changes the class); none; auto: the data set's own choice."""
PEAK_LR = {"adamw": 3e-3, "sgd": 0.05}
WEIGHT_DECAY = {"adamw": 0.05, "sgd": 5e-4}
DEFAULT_MIN_STEPS = 1200
"""Optimizer steps a training makes at least (objectives' `min_steps=None`): on 400
generated shapes a small CNN scored 84 % on average with 900 and 97.5 % with 1200 (four runs)
(docs/decisions/training-recipe.md). The environment's VAENAS_MIN_STEPS replaces it."""


def default_min_steps() -> int:
    """DEFAULT_MIN_STEPS, or VAENAS_MIN_STEPS where set (quick trials and test suites set 0:
    a 1-epoch check then makes one pass, in this process and in those it starts)."""
    text = os.environ.get("VAENAS_MIN_STEPS", "").strip()
    if not text:
        return DEFAULT_MIN_STEPS
    if not text.isdigit() or int(text) > 1_000_000:
        raise InvalidArgumentError(f"VAENAS_MIN_STEPS must be a whole number from 0 to 1000000, got {text!r}")
    return int(text)
STEPS_PER_PASS = 16
"""The auto batch size cuts a pass over the training split into about this many steps
(between batches of 16 and 128)."""


@dataclass(frozen=True)
class Recipe:
    """How a network is trained; None means the optimizer's default (PEAK_LR,
    WEIGHT_DECAY) or, for the batch size, one of 16 to 128 images that makes about
    STEPS_PER_PASS steps a pass."""

    optimizer: str = "adamw"
    lr: float | None = None
    weight_decay: float | None = None
    label_smoothing: float = 0.1
    augment: str = "standard"
    batch_size: int | None = None
    min_steps: int = DEFAULT_MIN_STEPS
    warmup: float = 0.25

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise InvalidArgumentError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.augment not in AUGMENTATIONS:
            raise InvalidArgumentError(f"augment must be one of {', '.join(AUGMENTATIONS)}, got {self.augment!r}")
        for name, value, low, high in (("lr", self.lr, 0.0, 1e9), ("weight_decay", self.weight_decay, 0.0, 10.0),
                                       ("label_smoothing", self.label_smoothing, 0.0, 0.99),
                                       ("warmup", self.warmup, 0.0, 0.99)):
            if value is not None and (isinstance(value, bool) or not low <= value <= high
                                      or (name == "lr" and value == 0)):
                raise InvalidArgumentError(f"{name} must be a number {'above' if name == 'lr' else 'from'} {low:g} "
                                           f"to {high:g}, got {value!r}")
        if self.batch_size is not None and not 1 <= self.batch_size <= 65_536:
            raise InvalidArgumentError(f"batch size must be from 1 to 65536, got {self.batch_size}")
        if not 0 <= self.min_steps <= 1_000_000:
            raise InvalidArgumentError(f"min_steps must be from 0 to 1000000, got {self.min_steps}")

    def batch_for(self, n: int) -> int:
        if self.batch_size is not None:
            return min(self.batch_size, n)
        return min(n, max(16, min(128, n // STEPS_PER_PASS)))

    def passes_per_epoch(self, n: int, epochs: int) -> int:
        """Passes over the training split in one epoch (the unit pruners and budgets
        count): one, or as many as give the whole training `min_steps` steps."""
        steps = epochs * math.ceil(n / self.batch_for(n))
        return max(1, math.ceil(self.min_steps / steps))

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        """Weight decay on conv and linear weights only: decaying batch-norm scales and
        biases only slows training (Goyal et al., 2017)."""
        decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
        rest = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
        wd = WEIGHT_DECAY[self.optimizer] if self.weight_decay is None else self.weight_decay
        groups = [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}]
        lr = self.peak_lr
        if self.optimizer == "sgd":
            return torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True)
        return torch.optim.AdamW(groups, lr=lr)

    @property
    def peak_lr(self) -> float:
        return PEAK_LR[self.optimizer] if self.lr is None else self.lr

    def make_schedule(self, optimizer: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LRScheduler:
        """One cycle over the whole training: warm-up for `warmup` of the steps, then cosine to zero."""
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=self.peak_lr, total_steps=max(2, total_steps), pct_start=self.warmup,
            anneal_strategy="cos", cycle_momentum=self.optimizer == "sgd",
        )


def augment_batch(x: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    """Each image cropped at its own random offset from a reflect-padded copy (an eighth of
    the side), and for `standard` flipped left-right with probability one half."""
    if kind == "none":
        return x
    n, _, height, width = x.shape
    pad = max(1, min(height, width) // 8)
    padded = nn.functional.pad(x, (pad, pad, pad, pad), mode="reflect")
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    rows = (dy[:, None] + torch.arange(height, device=x.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(width, device=x.device))[:, None, None, :]
    if kind == "standard":
        flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        cols = torch.where(flip[:, None, None, None], cols.flip(-1), cols)
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    channel = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
    return padded[batch, channel, rows, cols]
