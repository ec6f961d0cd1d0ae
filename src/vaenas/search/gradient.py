"""NAO-style search: gradient ascent on a predictor in the latent space, then decode."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from vaenas.search.latent_strategy import POOL_SIZE, LatentStrategy
from vaenas.search.model_based import N_INIT
from vaenas.search.mlp import fit_mlp
from vaenas.search.options import Option, between
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace


@STRATEGIES.register("grad")
class LatentGradient(LatentStrategy):
    """Fits an MLP predictor on the embeddings of the evaluated architectures, moves the
    latent points of the best ones uphill on it with growing step sizes (as NAO does)
    and decodes; a decode that is already seen falls back to the nearest unseen pool
    member of the ascended point."""

    declared_options = {
        "n_init": N_INIT, "pool_size": POOL_SIZE,
        "n_starts": Option(5, "best architectures whose latent points are moved uphill", between(1, 100)),
        "steps": Option(10, "gradient steps from each", between(1, 1000)),
    }
    option_rules = {"step_sizes": between(0, 100)}

    name = "grad"

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        n_starts: int = 5,
        steps: int = 10,
        step_sizes: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
        **latent: Any,
    ) -> None:
        """`latent` holds LatentStrategy's options: vae, n_init, pool_size."""
        super().__init__(space, seed, **latent)
        self.n_starts, self.steps, self.step_sizes = n_starts, steps, step_sizes
        self._predictor: torch.nn.Module | None = None
        self._round = 0
        low, high = self.pool.low, self.pool.high
        self._low = torch.as_tensor(low, dtype=torch.float32)
        self._span = torch.as_tensor(np.maximum(high - low, 1e-9), dtype=torch.float32)

    def _fit(self) -> None:
        x = self.pool.embeddings[self._observed]
        self._predictor = fit_mlp(x, np.asarray(self._values), seed=int(self.rng.integers(2**31)))

    def _propose_from_model(self) -> Arch:
        order = np.argsort(self._values)[::-1][: self.n_starts]
        start = self._observed[int(order[self._round % len(order)])]
        self._round += 1
        origin = torch.as_tensor(self.pool.unit_to_raw(self.pool.embeddings[[start]]), dtype=torch.float32)
        point = None
        for step_size in self.step_sizes:
            z, point = self._ascend(origin, step_size)
            arch = self.pool.vae.decode(z)[0]
            if arch is not None and not self.is_seen(arch):
                return arch
        assert point is not None
        index = self.pool.nearest(point, self.seen_mask())
        return self.pool.archs[index] if index is not None else self.space.sample(self.rng)

    def _ascend(self, origin: torch.Tensor, step_size: float) -> tuple[np.ndarray, np.ndarray]:
        """The latent point after `steps` normalized gradient steps, and its scaled form."""
        assert self._predictor is not None
        z = origin.clone().requires_grad_(True)
        for _ in range(self.steps):
            score = self._predictor((z - self._low) / self._span).sum()
            (gradient,) = torch.autograd.grad(score, z)
            with torch.no_grad():
                z += step_size * gradient / (gradient.norm() + 1e-12)
        with torch.no_grad():
            return z.numpy(), ((z - self._low) / self._span).numpy()[0]
