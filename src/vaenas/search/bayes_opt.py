"""Latent Bayesian optimisation: a GP on VAE embeddings, expected improvement over the pool."""

from __future__ import annotations

from typing import Any

import numpy as np

from vaenas.search.acquisition import score_pool
from vaenas.search.gp import LatentGP
from vaenas.search.latent_strategy import LatentStrategy
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace


@STRATEGIES.register("bo")
class LatentBO(LatentStrategy):
    """After a random initial design, proposes the unseen pool member of highest
    acquisition (log EI by default, UCB as an option) under a GP fitted to the observed
    embeddings. Pending architectures enter the GP at their predicted mean (kriging
    believer), which makes `ask(n)` batches and asynchronous studies diverse."""

    name = "bo"

    def __init__(self, space: SearchSpace, seed: int = 0, acquisition: str = "ei", **latent: Any) -> None:
        """`latent` holds LatentStrategy's options: vae, n_init, pool_size."""
        super().__init__(space, seed, **latent)
        self.acquisition = acquisition
        self._gp = LatentGP()
        self._fitted_on = -1

    def _propose_latent(self) -> Arch:
        x = self.pool.embeddings[self._observed]
        y = np.asarray(self._values)
        if self._fitted_on != len(y):
            self._gp.fit(x, y)
            self._fitted_on = len(y)
        model = self._gp.with_believed(x, y, self.pool.embeddings[self.pending_indices()])
        best_f = float((y.max() - self._gp.mean) / self._gp.std)
        candidates = np.flatnonzero(~self.seen_mask())
        scores = score_pool(model, self.pool.embeddings[candidates], best_f, self.acquisition)
        return self.pool.archs[int(candidates[np.argmax(scores)])]
