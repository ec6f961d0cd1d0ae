"""The encoded candidates that latent strategies search over."""

from __future__ import annotations

import numpy as np

from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import ArchVAE

AUTOMATIC = 0
"""Pool size meaning: the whole space when it holds at most WHOLE_SPACE_UP_TO
architectures, else SAMPLED_POOL_SIZE random ones."""
WHOLE_SPACE_UP_TO = 30_000
"""nb201 (15,625) and nbgraph (26,206) are encoded whole: a sample of 20,000 would leave
a quarter of nbgraph out of reach of the pool."""
SAMPLED_POOL_SIZE = 20_000


class LatentPool:
    """Architectures with their VAE embeddings, scaled to the unit cube.

    A finite space is encoded whole when it holds at most `size` architectures (by
    default: at most 30,000); a larger one by `size` distinct random samples (default
    20,000).
    Architectures told to a strategy, or decoded from latent points, but missing from the
    pool are encoded and appended (`initial_size` counts the sampled ones).
    """

    def __init__(self, vae: ArchVAE, rng: np.random.Generator, size: int = AUTOMATIC) -> None:
        self.vae = vae
        self.space: SearchSpace = vae.space
        if size == AUTOMATIC:
            small = self.space.size is not None and self.space.size <= WHOLE_SPACE_UP_TO
            size = self.space.size if small else SAMPLED_POOL_SIZE  # type: ignore[assignment]
        archs = self.space.enumerate_or_sample(size, rng)
        self.archs: list[Arch] = archs
        self._index = {self.space.key(a): i for i, a in enumerate(archs)}
        self.embeddings = np.zeros((0, 0))
        """The VAE's latent points (`ArchVAE.encode`), scaled to the unit cube: where
        latent points are moved and decoded."""
        self.node_means = np.zeros((0, 0))
        """The VAE's node-mean embeddings (`ArchVAE.embed`), scaled alike: surrogate inputs
        that rank architectures better than the points ("embedding" features)."""
        self._encode_all()
        self.initial_size = len(archs)
        self.complete = self.space.size is not None and len(archs) >= self.space.size
        """Whether the pool holds the whole space (then decoding finds nothing new)."""

    def __len__(self) -> int:
        return len(self.archs)

    def _scale(self, raw: np.ndarray) -> np.ndarray:
        return (raw - self.low) / np.maximum(self.high - self.low, 1e-9)

    def _scale_node_means(self, node_means: np.ndarray) -> np.ndarray:
        return (node_means - self._mean_low) / self._mean_width

    def lookup(self, key: str) -> int | None:
        """Pool index of an architecture key, or None when it is not in the pool."""
        return self._index.get(key)

    def index_of(self, arch: Arch) -> int:
        """Pool index of `arch`, encoding and appending it when it is new."""
        return self.add([arch])[0]

    def add(self, archs: list[Arch]) -> list[int]:
        """Pool indices of `archs`, encoding and appending the new ones in one batch."""
        new: dict[str, Arch] = {}
        for arch in archs:
            key = self.space.key(arch)
            if key not in self._index and key not in new:
                new[key] = arch
        if new:
            for key, arch in new.items():
                self._index[key] = len(self.archs)
                self.archs.append(arch)
            points, node_means = self.vae.encode_and_embed(list(new.values()))
            self.embeddings = np.vstack([self.embeddings, self._scale(points)])
            self.node_means = np.vstack([self.node_means, self._scale_node_means(node_means)])
        return [self._index[self.space.key(arch)] for arch in archs]

    def decode_around(self, centres: np.ndarray, n: int, radius: float, rng: np.random.Generator) -> list[int]:
        """Pool indices of the architectures decoded from `n` points drawn around the
        scaled `centres` (a Gaussian of `radius` times the pool's range, per dimension):
        the trust region around incumbents from which generated proposals come."""
        picks = centres[rng.integers(len(centres), size=n)]
        points = picks + radius * rng.standard_normal(picks.shape)
        decoded = [a for a in self.vae.decode(self.unit_to_raw(points)) if a is not None]
        return self.add(decoded)

    def unit_to_raw(self, scaled: np.ndarray) -> np.ndarray:
        return scaled * np.maximum(self.high - self.low, 1e-9) + self.low

    def nearest(self, point: np.ndarray, excluded: np.ndarray) -> int | None:
        """Index of the pool member closest to `point` (scaled space) that is not excluded."""
        distances = np.sum((self.embeddings - point) ** 2, axis=1)
        distances[excluded] = np.inf
        best = int(np.argmin(distances))
        return None if np.isinf(distances[best]) else best

    def use_vae(self, vae: ArchVAE) -> None:
        """Re-encodes every pool member with `vae` (a retrained one): same members, same
        indices, new embeddings scaled anew."""
        self.vae = vae
        self._encode_all()

    def _encode_all(self) -> None:
        points, node_means = self.vae.encode_and_embed(self.archs)
        self.low, self.high = points.min(0), points.max(0)
        self.embeddings = self._scale(points)
        self._mean_low, self._mean_width = node_means.min(0), np.maximum(np.ptp(node_means, 0), 1e-9)
        self.node_means = self._scale_node_means(node_means)
