"""Multi-objective latent Bayesian optimisation: one GP per objective on the VAE
embeddings, expected hypervolume improvement over the encoded pool."""

from __future__ import annotations

from typing import Any

import numpy as np

from vaenas.search.gp import LatentGP
from vaenas.search.hypervolume_improvement import expected_hypervolume_improvement, reference_point
from vaenas.search.latent_strategy import POOL_SIZE
from vaenas.search.latent_surrogate import LatentSurrogateStrategy, proxy_features_option
from vaenas.search.model_based import N_INIT
from vaenas.search.options import between
from vaenas.search.pareto_ranking import dominates, front_ranks
from vaenas.search.registry import STRATEGIES
from vaenas.search.stalled import search_neighbours
from vaenas.spaces import Arch, SearchSpace


@STRATEGIES.register("mobo")
class LatentMOBO(LatentSurrogateStrategy):
    """After a random initial design, proposes the unseen pool member of highest
    expected hypervolume improvement (EHVI) under independent GPs, one per objective,
    on the VAE's node-mean embedding beside the one-hot encoding and the operation
    counts (RBF + linear kernel). The hypervolume is
    measured from a reference slightly worse than the worst observation of each
    objective. Pending architectures count at their predicted means (kriging believer),
    so batches and asynchronous studies spread along the front."""

    declared_options = {"n_init": N_INIT, "pool_size": POOL_SIZE, "proxy_features": proxy_features_option("none")}
    option_rules = {"patience": between(0, 10_000)}
    """Research settings: set by benchmark scripts and `-X`."""

    name = "mobo"
    objectives = "many"

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        patience: int = 0,
        op_counts: bool = True,
        **latent: Any,
    ) -> None:
        """Generated candidates are decoded around the observed front. `patience`: once
        no observation has joined the front for that many observations, the candidates
        are the unseen one-change neighbours of the front's cells (0: never).
        The inputs are LatentSurrogateStrategy's default `features`, the node-mean
        embedding beside the one-hot. `op_counts`: each cell's operation counts join
        the inputs, and every GP reads them through a linear kernel beside the RBF, so
        that a cost that adds up over operations (latency, size) is extrapolated to
        cells unlike those seen, such as the fast corner of the front. Measured:
        docs/decisions/mobo-defaults.md. `latent` holds the other options of
        LatentSurrogateStrategy (features, generate, radius) and LatentStrategy (vae, n_init,
        pool_size)."""
        super().__init__(space, seed, op_counts=op_counts, **latent)
        self.patience = patience
        self._gps: list[LatentGP] = []

    def _fit(self) -> None:
        y = np.asarray(self._values, dtype=float)
        if not self._gps:
            self._gps = [self._new_gp() for _ in range(y.shape[1])]
        x = self._x(self._observed)
        for column, gp in enumerate(self._gps):
            gp.fit(x, y[:, column])

    def _propose_from_model(self) -> Arch:
        y = np.asarray(self._values, dtype=float)
        front = np.flatnonzero(front_ranks(y) == 0)
        self._grow_pool_around(np.asarray(self._observed)[front])
        candidates = self._unseen_neighbours(front) if self._stalled(y) else np.zeros(0, dtype=int)
        if not len(candidates):
            candidates = np.flatnonzero(~self.seen_mask())
        pending = self._x(self.pending_indices())
        mean, std = self._predict(self._x(candidates), pending)
        believed = np.vstack([y, self._predict(pending, None)[0]]) if len(pending) else y
        scores = expected_hypervolume_improvement(mean, std, believed, reference_point(y))
        return self.pool.archs[int(candidates[int(np.argmax(scores))])]

    def _stalled(self, y: np.ndarray) -> bool:
        """Whether the last observation that joined the front on arrival is `patience`
        or more observations old (search/stalled.py)."""
        beaten_on_arrival = np.triu(dominates(y, y), k=1).any(0)  # by an earlier observation
        return search_neighbours(~beaten_on_arrival, self.patience, stay_local=False)

    def _predict(self, x: np.ndarray, pending: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior means and deviations, one column per objective."""
        predictions = [gp.predict(x, pending) for gp in self._gps]
        return np.stack([m for m, _ in predictions], 1), np.stack([s for _, s in predictions], 1)
