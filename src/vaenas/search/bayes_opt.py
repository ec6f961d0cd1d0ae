"""Latent Bayesian optimisation: a GP on VAE embeddings (joined with the architecture's
one-hot encoding), expected improvement over the encoded pool and over architectures
decoded from latent points near the best ones."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from vaenas.errors import UnknownNameError
from vaenas.search.acquisition import ACQUISITIONS, acquisition_values
from vaenas.search.latent_surrogate import LatentSurrogateStrategy, proxy_features_option
from vaenas.search.latent_strategy import POOL_SIZE
from vaenas.search.model_based import N_INIT
from vaenas.search.options import Option, between, one_of
from vaenas.search.output_warping import WARPS, check_warp, warp_values
from vaenas.search.proxy_start import PROXY_COLUMNS, ProxyRanking, check_warm_start, default_proxy, proxy_top_cells
from vaenas.search.registry import STRATEGIES
from vaenas.search.stalled import search_neighbours
from vaenas.spaces import Arch, SearchSpace


WARM_START = Option("auto", "the first n_init architectures from the top 1% of a zero-cost proxy: synflow, params, "
                    "flops (shipped for nb201, computed from the networks elsewhere), none (at random), auto "
                    "(synflow where the space ships proxies)",
                    one_of("auto", "none", *PROXY_COLUMNS))

@STRATEGIES.register("bo")
class LatentBO(LatentSurrogateStrategy):
    """After a random initial design, proposes the unseen pool member of highest
    acquisition (log EI by default, UCB as an option) under a GP fitted to the observed
    architectures (optionally to warped values, `warp`). Pending architectures enter the
    GP at their predicted mean (kriging believer), which makes `ask(n)` batches and
    asynchronous studies diverse.

    The GP's inputs (`features`) are the VAE's node-mean embedding (`ArchVAE.embed`)
    joined with the adjacency + one-hot encoding by default: the embedding carries the
    smooth global structure the VAE learned without labels, the one-hot part separates
    the top cells that the 16-d embedding places close together (ARD weighs the two).
    Why these defaults, and what they were measured against: docs/decisions/bo-defaults.md."""

    declared_options = {
        "n_init": N_INIT, "pool_size": POOL_SIZE, "warm_start": WARM_START,
        "acquisition": Option("ei", "ei: log expected improvement; ucb: upper confidence bound",
                              one_of(*ACQUISITIONS)),
        "proxy_features": proxy_features_option("auto"),
    }
    option_rules = {"patience": between(0, 10_000), "warp": one_of(*WARPS), "fixed_noise": between(0, 10)}
    """Research settings (docs/decisions/bo-defaults.md): set by benchmark scripts and `-X`."""

    name = "bo"

    @classmethod
    def check_space(cls, space: SearchSpace, options: dict[str, Any], proxies_computable: bool = False) -> None:
        check_warm_start(space, options.get("warm_start", "none"), proxies_computable)
        super().check_space(space, options, proxies_computable)

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        acquisition: str = "ei",
        patience: int = 30,
        warp: str = "none",
        stay_local: bool = True,
        warm_start: str = "auto",
        fixed_noise: float = 0.0,
        proxy_features: str = "auto",
        proxies: ProxyRanking | None = None,
        **latent: Any,
    ) -> None:
        """Generated candidates are decoded around the 5 best observed architectures.
        `patience`: once the best value has not improved for that many observations,
        the candidates are the unseen one-change neighbours of the best architectures
        (0: never). `stay_local`: a local phase around the best goes on while it
        improves, and ends (back to the pool) after `patience` fruitless observations.
        `warp`: the monotone warp of observed values the GP is fitted to ("none", "rank"
        or "log", see output_warping). `warm_start`: the initial design drawn from the
        cells a zero-cost proxy ranks in its top 1% ("synflow", "params", "flops";
        NAS-Bench-201, whose proxies ship with the package) instead of at random
        ("none"); "auto": synflow where the space ships proxies, at random elsewhere.
        `proxies` computes them where no table ships (a macro search's networks, a
        user's `build`: search/network_proxies.py).
        `fixed_noise`: the GP's noise variance (standardized units) held fixed instead
        of fitted (0: fitted). `proxy_features`: see LatentSurrogateStrategy; "auto":
        the parameter count where the space ships proxies, none elsewhere.
        Why the defaults are what they are: docs/decisions/bo-defaults.md.
        `latent` holds the options of LatentSurrogateStrategy (features, generate,
        radius) and LatentStrategy (vae, n_init, pool_size)."""
        if acquisition not in ACQUISITIONS:
            raise UnknownNameError(f"unknown bo acquisition {acquisition!r}; choose one of: {', '.join(ACQUISITIONS)}")
        check_warp(warp)
        super().__init__(space, seed, proxy_features=proxy_features, proxies=proxies, **latent)
        self.acquisition, self.patience, self.warp = acquisition, patience, warp
        self.stay_local = stay_local
        self._gp = self._new_gp(fixed_noise)
        proxy = default_proxy(space) if warm_start == "auto" else warm_start
        self._warm = proxy_top_cells(space, proxy, proxies) if proxy != "none" else None
        self._kept_search: dict[str, Any] | None = None
        """The kept GP and random state given back on resume, until the first proposal
        after the replay."""

    def learned_state(self) -> dict[str, Any] | None:
        """The GP's hyperparameters (the next fit starts from them) and the random state:
        with them a resumed study proposes what the interrupted one would have."""
        return {"told": len(self._values), "gp": self._gp.checkpoint(), "rng": json.dumps(self.rng.bit_generator.state)}

    def restore_learned_state(self, state: dict[str, Any]) -> None:
        """Checks the kept state whole (a ValueError or TypeError names what is wrong)
        and keeps it for the first proposal after the replay; a state without it (a
        `bo-retrain` state of an older version held its VAE alone) leaves the GP to the replay."""
        if not {"told", "gp", "rng"} & set(state):
            return
        told, gp, rng = state.get("told"), state.get("gp"), state.get("rng")
        if isinstance(told, bool) or not isinstance(told, int):
            raise ValueError(f"its observation count is {told!r}, not a whole number")
        rng_state = json.loads(rng) if isinstance(rng, str) else None
        type(self.rng.bit_generator)().state = rng_state  # raises for anything but a generator state
        self._gp.check_checkpoint(gp)
        self._kept_search = {"told": told, "gp": gp, "rng": rng_state}

    def _propose(self) -> Arch:
        kept, self._kept_search = self._kept_search, None
        if kept is not None and kept["told"] == len(self._values):
            self._gp.restore(kept["gp"])
            self.rng.bit_generator.state = kept["rng"]
        return super()._propose()

    def _observe(self, arch: Arch, score: float) -> None:
        super()._observe(arch, score)
        self.learned_state_version += 1

    def _initial_design(self) -> Arch:
        if self._warm is None:
            return super()._initial_design()
        return self._warm[int(self.rng.integers(len(self._warm)))]

    def _fit(self) -> None:
        self._gp.fit(self._x(self._observed), warp_values(np.asarray(self._values), self.warp))

    def _propose_from_model(self) -> Arch:
        y = np.asarray(self._values)
        self._grow_pool_around(np.asarray(self._observed)[np.argsort(y)[::-1][:5]])
        candidates = self._local_candidates() if self._local_phase() else np.zeros(0, dtype=int)
        if not len(candidates):
            candidates = np.flatnonzero(~self.seen_mask())
        mean, std = self._gp.predict(self._x(candidates), self._x(self.pending_indices()))
        best = float(warp_values(y, self.warp).max())
        scores = acquisition_values(mean, std, best, self.acquisition)
        return self.pool.archs[int(candidates[int(np.argmax(scores))])]

    def _local_phase(self) -> bool:
        """Whether to propose from the best architectures' neighbours (search/stalled.py:
        a new best value is progress)."""
        y = np.asarray(self._values)
        improved = np.r_[True, y[1:] > np.maximum.accumulate(y)[:-1]]
        return search_neighbours(improved, self.patience, self.stay_local)

    def _local_candidates(self) -> np.ndarray:
        """Pool indices of the unseen neighbours of the best observed architecture that
        has any (among the 5 best); empty when all of theirs are seen."""
        for i in np.argsort(self._values)[::-1][:5]:
            unseen = self._unseen_neighbours(np.array([i]))
            if len(unseen):
                return unseen
        return np.zeros(0, dtype=int)
