"""What `vaenas map` shows: every architecture of a finite space in 2-D by its latent
embedding, with its value, and the architectures decoded along a straight latent line
between two good ones (is the latent space one can move in smooth?)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaenas.errors import InvalidArgumentError, UnknownNameError
from vaenas.objectives import Objective
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import ArchVAE


@dataclass(frozen=True)
class LatentMap:
    archs: list[Arch]
    values: np.ndarray
    coords: np.ndarray
    """2-D projection of each architecture's embedding, row for row with `archs`."""
    line: list[int]
    """Indices into `archs` of what decodes along the line from A to B, in order."""


def check_mappable(space: SearchSpace, objective: Objective) -> None:
    """A map scores every architecture of the space: only a finite space whose objective
    is a lookup table (not one network trained per architecture) can be mapped."""
    if space.size is None:
        raise InvalidArgumentError(f"space {space.name!r} cannot be enumerated; map a finite space such as nb201")
    if not objective.is_lookup:
        raise InvalidArgumentError(
            f"objective {objective.name!r} is not a lookup table: mapping would evaluate all {space.size} "
            f"architectures of {space.name!r} one by one; map a space with a table objective, such as nb201"
        )


def latent_map(
    space: SearchSpace, objective: Objective, vae: ArchVAE, method: str = "pca", steps: int = 10
) -> LatentMap:
    """The map of every architecture of `space`; `steps` points on the line (0: none)."""
    check_line_steps(steps)
    check_mappable(space, objective)
    archs = list(space.enumerate())
    values = np.array([objective.evaluate(a).value for a in archs])
    embeddings = vae.encode(archs)
    line: list[int] = []
    if steps:
        a, b = _line_ends(embeddings, values)
        index = {space.key(arch): i for i, arch in enumerate(archs)}
        line = [index[space.key(arch)] for arch in vae.interpolate(archs[a], archs[b], steps) if arch is not None]
    return LatentMap(archs, values, project_2d(embeddings, method), line)


def check_line_steps(steps: int) -> None:
    if steps == 1 or steps < 0:
        raise InvalidArgumentError(f"--interpolate must be 0 (no line) or at least 2, got {steps}")


def _line_ends(embeddings: np.ndarray, values: np.ndarray) -> tuple[int, int]:
    """The best architecture, and the best of those at least the median latent distance
    from it: two good architectures far enough apart for the line to say something."""
    a = int(np.argmax(values))
    distance = np.linalg.norm(embeddings - embeddings[a], axis=1)
    far = np.flatnonzero(distance >= np.median(distance))
    return a, int(far[np.argmax(values[far])])


def project_2d(embeddings: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates of embeddings by PCA or t-SNE (scikit-learn)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(embeddings)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, init="pca", random_state=seed).fit_transform(embeddings)
    raise UnknownNameError(f"unknown projection {method!r}; choose one of: pca, tsne")
