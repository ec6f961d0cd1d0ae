"""The inputs a latent strategy's surrogate sees for pool members."""

from __future__ import annotations

import numpy as np

from vaenas.errors import UnknownNameError
from vaenas.search.encodings import adjacency_one_hot
from vaenas.search.latent_pool import LatentPool

FEATURES = ("latent+onehot", "embedding+onehot", "latent", "embedding", "onehot")


def check_features(kind: str) -> str:
    """`kind` if it names features, else one clear line (checked before a pool is encoded)."""
    if kind not in FEATURES:
        raise UnknownNameError(f"unknown features {kind!r}; choose one of: {', '.join(FEATURES)}")
    return kind


class LatentFeatures:
    """Maps pool indices to surrogate inputs: the VAE's latent points ("latent", what
    `ArchVAE.encode` gives and `decode` reads), its node-mean embedding ("embedding",
    `ArchVAE.embed`), the adjacency + one-hot encoding ("onehot"), or one of the first two
    beside the third ("latent+onehot", "embedding+onehot").

    One-hot columns that are constant over the pool (nb201's fixed adjacency, the input
    and output nodes) are left out: they carry nothing and, with one ARD lengthscale
    each, made a GP refit at 150 observations 3.5x slower."""

    def __init__(self, pool: LatentPool, kind: str = "latent+onehot") -> None:
        self.pool, self.kind = pool, check_features(kind)
        self._one_hot = np.zeros((0, 0))
        self._varying: np.ndarray | None = None

    def __call__(self, indices: list[int] | np.ndarray) -> np.ndarray:
        parts = []
        if self.kind.startswith("latent"):
            parts.append(self.pool.embeddings[indices])
        if self.kind.startswith("embedding"):
            parts.append(self.pool.node_means[indices])
        if self.kind.endswith("onehot"):
            space = self.pool.space
            if len(self._one_hot) < len(self.pool):  # encode pool members added since
                new = adjacency_one_hot(space, self.pool.archs[len(self._one_hot) :])
                if self._varying is None:
                    self._varying = new.std(0) > 0
                new = new[:, self._varying]
                self._one_hot = np.vstack([self._one_hot, new]) if len(self._one_hot) else new
            parts.append(self._one_hot[indices])
        return np.hstack(parts)
