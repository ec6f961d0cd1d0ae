"""What latent strategies with a GP surrogate share: the surrogate's inputs and a pool
that grows by decoding around the incumbents."""

from __future__ import annotations

from typing import Any

import numpy as np

from vaenas.search.gp import LatentGP
from vaenas.search.latent_features import FEATURES, LatentFeatures, check_features
from vaenas.search.latent_strategy import LatentStrategy
from vaenas.search.options import at_least, one_of
from vaenas.spaces import SearchSpace


class LatentSurrogateStrategy(LatentStrategy):
    """A latent strategy whose surrogate sees `features` of pool members (the VAE
    embedding, the one-hot encoding, or both: see LatentFeatures; with `op_counts`, also
    the operation counts, which the GP reads linearly as well) and which, when the
    pool does not hold the whole space, decodes `generate` latent points around its
    incumbents at each ask (`radius`: the spread, as a share of the pool's range), so
    that proposals are not limited to the sampled pool."""

    option_rules = {"features": one_of(*FEATURES), "generate": at_least(0), "radius": at_least(0)}

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        features: str = "embedding+onehot",
        op_counts: bool = False,
        generate: int = 200,
        radius: float = 0.1,
        **latent: Any,
    ) -> None:
        """`latent` holds LatentStrategy's options: vae, n_init, pool_size."""
        check_features(features)  # before the pool is encoded
        super().__init__(space, seed, **latent)
        self.features, self.op_counts = features, op_counts
        self.generate, self.radius = generate, radius
        self._x = LatentFeatures(self.pool, features, counts=op_counts)

    def _new_gp(self, fixed_noise: float = 0.0) -> LatentGP:
        """A GP for these features: linear as well in the operation counts, if any."""
        return LatentGP(linear_columns=self._x.n_counts, fixed_noise=fixed_noise)

    def _grow_pool_around(self, incumbents: np.ndarray) -> None:
        """Decodes new candidates around the pool members `incumbents` (pool indices)."""
        if self.generate and not self.pool.complete:
            self.pool.decode_around(self.pool.embeddings[incumbents], self.generate, self.radius, self.rng)

    def _unseen_neighbours(self, observed: np.ndarray) -> np.ndarray:
        """Pool indices of the unseen one-change neighbours of the observed architectures
        at positions `observed` (added to the pool where they are not in it yet)."""
        neighbours = np.unique([i for k in observed for i in self.pool.add(self.space.neighbours(self._archs[k]))])
        return neighbours[~self.seen_mask()[neighbours]] if len(neighbours) else neighbours.astype(int)
