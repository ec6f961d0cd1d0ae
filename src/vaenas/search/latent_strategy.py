"""What every strategy over the VAE's latent space shares: a pool and its bookkeeping."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from vaenas.search.base import Strategy
from vaenas.search.latent_pool import DEFAULT_POOL_SIZE, LatentPool
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import ArchVAE


class LatentStrategy(Strategy):
    """A strategy that holds a pretrained ArchVAE and searches its encoded pool.

    Before `n_init` successful observations it proposes random pool members; then
    `_propose_latent` takes over. Observations are kept as pool indices and values.
    """

    needs_vae: ClassVar[bool] = True

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        vae: ArchVAE | None = None,
        n_init: int = 10,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        super().__init__(space, seed)
        if vae is None:
            raise ValueError(f"strategy {self.name!r} needs a pretrained ArchVAE (vae=...)")
        self.pool = LatentPool(vae, self.rng, pool_size)
        self.n_init = n_init
        self._observed: list[int] = []
        self._values: list[float] = []

    def _observe(self, arch: Arch, score: float) -> None:
        self._observed.append(self.pool.index_of(arch))
        self._values.append(score)

    def _propose(self) -> Arch:
        if len(self._observed) + len(self._pending) < self.n_init or not self._observed:
            return self.pool.archs[int(self.rng.integers(len(self.pool)))]
        return self._propose_latent()

    def _propose_latent(self) -> Arch:
        raise NotImplementedError

    def seen_mask(self) -> np.ndarray:
        """Boolean mask over the pool: True for architectures evaluated or pending."""
        mask = np.zeros(len(self.pool), dtype=bool)
        for key in [*self._scores, *self._pending]:
            index = self.pool.lookup(key)
            if index is not None:
                mask[index] = True
        return mask

    def pending_indices(self) -> list[int]:
        return [self.pool.index_of(arch) for arch in self._pending.values()]
