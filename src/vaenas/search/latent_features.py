"""The inputs a latent strategy's surrogate sees for pool members."""

from __future__ import annotations

import numpy as np

from collections.abc import Callable

from vaenas.errors import UnknownNameError
from vaenas.search.encodings import adjacency_one_hot, operation_counts
from vaenas.search.latent_pool import LatentPool
from vaenas.spaces import Arch

ProxyValues = Callable[[list[Arch]], np.ndarray]
"""archs -> (n, k) zero-cost proxies, one column per proxy."""

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
    beside the third ("latent+onehot", "embedding+onehot"). With `counts`, the operation
    counts of each architecture (encodings.operation_counts) come last, `n_counts`
    columns, for a surrogate that reads them linearly.

    One-hot and count columns that are constant over the pool (nb201's fixed adjacency,
    the input and output nodes) are left out: they carry nothing and, with one ARD
    lengthscale each, made a GP refit at 150 observations 3.5x slower.

    With `proxies` (archs -> an (n, k) array of zero-cost proxies), their logarithms come
    before the counts (after everything else), standardised by the pool as first encoded
    (NAS-Bench-Suite-Zero: proxies as predictor features)."""

    def __init__(self, pool: LatentPool, kind: str = "embedding+onehot", counts: bool = False,
                 proxies: ProxyValues | None = None) -> None:
        self.pool, self.kind, self.counts = pool, check_features(kind), counts
        self.proxies = proxies
        self._proxy_values = np.zeros((0, 0))
        self._proxy_scale: tuple[np.ndarray, np.ndarray] | None = None
        self._encoded = np.zeros((0, 0))
        self._varying: np.ndarray | None = None
        self.n_counts = 0
        self._encode_new()

    def __call__(self, indices: list[int] | np.ndarray) -> np.ndarray:
        parts = []
        if self.kind.startswith("latent"):
            parts.append(self.pool.embeddings[indices])
        if self.kind.startswith("embedding"):
            parts.append(self.pool.node_means[indices])
        encoded = np.zeros((len(indices), 0))
        if self._varying is not None:
            self._encode_new()
            encoded = self._encoded[indices]
        split = encoded.shape[1] - self.n_counts
        parts.append(encoded[:, :split])
        if self.proxies is not None:
            self._score_new()
            parts.append(self._proxy_values[indices])
        parts.append(encoded[:, split:])  # the counts last, where the GP's linear kernel reads them
        return np.hstack(parts)

    def _score_new(self) -> None:
        """The proxies of the pool members added since the last call, log-scaled and
        standardised as the first pool was."""
        archs = self.pool.archs[len(self._proxy_values) :]
        if not archs or self.proxies is None:
            return
        raw = np.log1p(np.abs(np.asarray(self.proxies(list(archs)), dtype=float)))
        if self._proxy_scale is None:
            self._proxy_scale = (raw.mean(0), np.where(raw.std(0) > 0, raw.std(0), 1.0))
        new = (raw - self._proxy_scale[0]) / self._proxy_scale[1]
        self._proxy_values = np.vstack([self._proxy_values, new]) if len(self._proxy_values) else new

    def _encode_new(self) -> None:
        """Encodes the pool members added since the last call (one-hot and counts)."""
        space, archs = self.pool.space, self.pool.archs[len(self._encoded) :]
        parts = []
        if self.kind.endswith("onehot"):
            parts.append(adjacency_one_hot(space, archs))
        if self.counts:
            parts.append(operation_counts(space, archs))
        if not parts or not len(archs):
            return
        new = np.hstack(parts)
        if self._varying is None:
            self._varying = new.std(0) > 0
            if self.counts:
                self.n_counts = int(self._varying[-parts[-1].shape[1] :].sum())
        new = new[:, self._varying]
        self._encoded = np.vstack([self._encoded, new]) if len(self._encoded) else new
