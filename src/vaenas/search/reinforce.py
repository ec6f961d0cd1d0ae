"""REINFORCE in the latent space (as arch2vec-RL): a Gaussian policy over embeddings."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from vaenas.search.latent_strategy import POOL_SIZE, LatentStrategy
from vaenas.search.options import Option, between
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace


@STRATEGIES.register("rl")
class LatentReinforce(LatentStrategy):
    """Samples a point from a diagonal Gaussian policy over the (scaled) embedding space,
    snaps it to the nearest unevaluated encoded architecture, and moves the policy's mean
    and spread by the policy gradient of the standardized reward against a moving-average
    baseline."""

    declared_options = {"pool_size": POOL_SIZE,
                        "lr": Option(0.05, "learning rate of the latent Gaussian policy", between(0, 1))}
    option_rules = {"baseline_decay": between(0, 1)}
    fixed_options = ("n_init",)
    """The policy samples from the start: it has no random initial design to size."""

    name = "rl"

    def __init__(
        self, space: SearchSpace, seed: int = 0, lr: float = 0.05, baseline_decay: float = 0.9, **latent: Any
    ) -> None:
        """`latent` holds LatentStrategy's options: vae, pool_size (no initial design: a
        random pool member only until the first observation, then the policy)."""
        super().__init__(space, seed, **{**latent, "n_init": 0})
        embeddings = self.pool.embeddings
        self.mean = torch.tensor(embeddings.mean(0), dtype=torch.float64, requires_grad=True)
        self.log_std = torch.tensor(np.log(embeddings.std(0) + 1e-6), dtype=torch.float64, requires_grad=True)
        self.optimizer = torch.optim.Adam([self.mean, self.log_std], lr=lr)
        self.baseline_decay = baseline_decay
        self._baseline: float | None = None
        self._actions: dict[str, np.ndarray] = {}

    def _fit(self) -> None:
        """The policy is the model; each observation updates it (`_observe`)."""

    def _propose_from_model(self) -> Arch:
        with torch.no_grad():
            action = self.mean.numpy() + np.exp(self.log_std.numpy()) * self.rng.standard_normal(self.mean.shape[0])
        index = self.pool.nearest(action, self.seen_mask())
        if index is None:
            return self.space.sample(self.rng)
        arch = self.pool.archs[index]
        self._actions[self.space.key(arch)] = action
        return arch

    def _observe(self, arch: Arch, score: float) -> None:
        super()._observe(arch, score)
        action = self._actions.pop(self.space.key(arch), None)
        scale = float(np.std(self._values)) if len(self._values) > 1 else 1.0
        if self._baseline is None:
            self._baseline = score
        advantage = (score - self._baseline) / (scale or 1.0)
        self._baseline = self.baseline_decay * self._baseline + (1 - self.baseline_decay) * score
        if action is None:  # replayed from a journal: no action to credit
            return
        policy = torch.distributions.Normal(self.mean, self.log_std.exp())
        loss = -advantage * policy.log_prob(torch.as_tensor(action)).sum()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
