"""`bo-retrain`: latent BO whose VAE keeps learning from what the search evaluates, the
loop of the article this project implements (sample or optimise in the latent space,
decode, evaluate, update the encoder and decoder from the results, repeat)."""

from __future__ import annotations

from typing import Any

from vaenas.search.bayes_opt import WARM_START, LatentBO
from vaenas.search.latent_strategy import POOL_SIZE
from vaenas.search.model_based import N_INIT
from vaenas.search.options import Option, between
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import ArchVAE
from vaenas.vae.weighted_retraining import weighted_retrain


@STRATEGIES.register("bo-retrain")
class RetrainedLatentBO(LatentBO):
    """`bo`, and every `retrain_every` observations the VAE is trained `retrain_steps`
    more steps, half of each batch drawn from the evaluated architectures weighted by
    rank (weighted retraining) and half from the rest of the space; then the pool is
    re-encoded (the observed architectures keep their pool positions, with new
    embeddings) and the GP refitted on them. Its standing against the frozen VAE of
    `bo`: docs/results/vae-loop.md.

    What it learned is kept: beside what `bo` keeps (the GP's hyperparameters and the
    random state), a study with a folder writes, after every trial, the current VAE
    (learned_state.pt, an ArchVAE checkpoint that `vaenas map --vae` reads) and the
    observation count it was retrained at. A resumed study takes the VAE back when its
    replay reaches that count, so it proposes what the interrupted study would have
    (without the file, a replay retrains at the same counts with the same seeds, and only
    the GP's warm start differs).
    """

    declared_options = {
        "n_init": N_INIT, "pool_size": POOL_SIZE, "warm_start": WARM_START,
        "retrain_every": Option(25, "observations between two retrainings of the VAE", between(1, 10_000)),
        "retrain_steps": Option(40, "optimiser steps of each retraining", between(1, 10_000)),
    }

    name = "bo-retrain"

    def __init__(
        self, space: SearchSpace, seed: int = 0, retrain_every: int = 25, retrain_steps: int = 40, **options: Any
    ) -> None:
        """`options` are those of `bo`."""
        super().__init__(space, seed, **options)
        self.retrain_every, self.retrain_steps, self._seed = retrain_every, retrain_steps, seed
        self._unlabelled = list(self.pool.archs[: self.pool.initial_size])
        """What is replayed beside the evaluated architectures: the pool as first drawn,
        so that a replayed study retrains on the same data."""
        self.retrains = 0
        self._retrained_at = 0
        self._kept_vae: dict[str, Any] | None = None
        """The kept VAE given back on resume, until the replay reaches its count."""

    def learned_state(self) -> dict[str, Any] | None:
        return {**self.pool.vae.checkpoint(), "observations": self._retrained_at, **super().learned_state()}

    def restore_learned_state(self, state: dict[str, Any]) -> None:
        """Rebuilds the kept VAE now, so that a damaged one is refused before the replay
        (a CheckpointError or ValueError naming what is wrong)."""
        observations = state.get("observations")
        if isinstance(observations, bool) or not isinstance(observations, int):
            raise ValueError(f"its retraining count is {observations!r}, not a whole number")
        vae = ArchVAE.from_checkpoint(state, self.space, "the study's learned state") if observations else None
        super().restore_learned_state(state)
        self._kept_vae = {"observations": observations, "vae": vae}

    def _observe(self, arch: Arch, score: float) -> None:
        super()._observe(arch, score)
        seen = len(self._values)
        if seen >= self.n_init and seen % self.retrain_every == 0:
            if self._kept_vae is not None and self._kept_vae["observations"] == seen:
                tuned = self._kept_vae["vae"]
                self._kept_vae = None
            else:
                tuned = weighted_retrain(self.pool.vae, self._archs, self._values, self._unlabelled,
                                         self.retrain_steps, seed=self._seed * 100_003 + seen)
            self.pool.use_vae(tuned)
            self._fitted_on = -1  # the surrogate's inputs moved: refit before the next proposal
            self._retrained_at = seen
            self.retrains += 1
