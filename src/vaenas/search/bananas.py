"""BANANAS (White et al., AAAI 2021): a non-latent model-based baseline."""

from __future__ import annotations

import numpy as np
import torch

from vaenas.search.encodings import adjacency_one_hot
from vaenas.search.mlp import fit_mlp
from vaenas.search.model_based import N_INIT, ModelBasedStrategy
from vaenas.search.options import Option, between
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace


@STRATEGIES.register("bananas")
class Bananas(ModelBasedStrategy):
    """An ensemble of MLPs on the adjacency + one-hot encoding predicts each candidate's
    value; candidates are mutations of the best architectures so far, and the next query
    is picked by independent Thompson sampling from the ensemble's mean and spread.

    It measures what a supervised encoding achieves without the VAE's latent space."""

    declared_options = {
        "n_init": N_INIT,
        "ensemble": Option(5, "MLPs in the ensemble", between(1, 50)),
        "n_candidates": Option(100, "mutations scored per proposal", between(1, 10_000)),
        "n_parents": Option(10, "best architectures mutated", between(1, 1000)),
    }

    name = "bananas"

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        n_init: int = 10,
        ensemble: int = 5,
        n_candidates: int = 100,
        n_parents: int = 10,
    ) -> None:
        super().__init__(space, seed, n_init)
        self.ensemble, self.n_candidates, self.n_parents = ensemble, n_candidates, n_parents
        self._model: torch.nn.Module | None = None

    def _fit(self) -> None:
        x = adjacency_one_hot(self.space, self._archs)
        seed = int(self.rng.integers(2**31))
        self._model = fit_mlp(x, np.asarray(self._values), seed=seed, members=self.ensemble)

    def _propose_from_model(self) -> Arch:
        candidates = self._candidates()
        if not candidates:
            return self.space.sample(self.rng)
        x = torch.as_tensor(adjacency_one_hot(self.space, candidates), dtype=torch.float32)
        assert self._model is not None
        with torch.no_grad():
            predictions = self._model(x).numpy()
        draws = self.rng.normal(predictions.mean(0), predictions.std(0) + 1e-9)
        return candidates[int(np.argmax(draws))]

    def _candidates(self) -> list[Arch]:
        """Unseen mutations (one or two changes) of the best observed architectures."""
        parents = [self._archs[i] for i in np.argsort(self._values)[::-1][: self.n_parents]]
        found: dict[str, Arch] = {}
        for _ in range(self.n_candidates * 5):
            child = self.space.mutate(parents[int(self.rng.integers(len(parents)))], self.rng)
            if self.rng.random() < 0.5:
                child = self.space.mutate(child, self.rng)
            if not self.is_seen(child):
                found.setdefault(self.space.key(child), child)
            if len(found) == self.n_candidates:
                break
        return list(found.values())
