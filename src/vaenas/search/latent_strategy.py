"""What every strategy over the VAE's latent space shares: a pool and its bookkeeping."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from vaenas.search.latent_pool import AUTOMATIC, LatentPool
from vaenas.search.model_based import N_INIT, ModelBasedStrategy
from vaenas.search.options import Option, between
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import ArchVAE


POOL_SIZE = Option(AUTOMATIC, "encoded architectures the search chooses from (0: the whole space up to 30,000, "
                   "else 20,000 drawn at random)", between(0, 200_000))

class LatentStrategy(ModelBasedStrategy):
    """A model-based strategy that holds a pretrained ArchVAE and searches its encoded
    pool: its initial design draws random pool members, and observations are also kept
    as pool indices (`_observed`), whose embeddings are the model's inputs."""

    declared_options = {"n_init": N_INIT, "pool_size": POOL_SIZE}

    needs_vae: ClassVar[bool] = True

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        vae: ArchVAE | None = None,
        n_init: int = 10,
        pool_size: int = AUTOMATIC,
    ) -> None:
        super().__init__(space, seed, n_init)
        if vae is None:
            raise ValueError(f"strategy {self.name!r} needs a pretrained ArchVAE (vae=...)")
        self.pool = LatentPool(vae, self.rng, pool_size)
        self._observed: list[int] = []

    def _observe(self, arch: Arch, score: float) -> None:
        super()._observe(arch, score)
        self._observed.append(self.pool.index_of(arch))

    def _initial_design(self) -> Arch:
        return self.pool.archs[int(self.rng.integers(len(self.pool)))]

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
