"""What latent strategies with a GP surrogate share: the surrogate's inputs and a pool
that grows by decoding around the incumbents."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from vaenas.errors import UnknownNameError
from vaenas.search.gp import LatentGP
from vaenas.search.latent_features import FEATURES, LatentFeatures, check_features
from vaenas.search.latent_strategy import LatentStrategy
from vaenas.search.options import Option, between, one_of
from vaenas.search.proxy_start import (PROXY_COLUMNS, ProxyRanking, check_warm_start, default_proxy_features,
                                       proxy_scores)
from vaenas.spaces import SearchSpace


PROXY_FEATURES = ("auto", "none",
                  *("+".join(c) for k in (1, 2, 3) for c in itertools.combinations(PROXY_COLUMNS, k)))
"""What `proxy_features` takes: auto, none, or proxies joined by + in the table's order."""


def proxy_features_option(default: str) -> Option:
    return Option(default, "zero-cost proxies the GP reads beside its features (log, standardised): none, "
                  "synflow, params, flops or several joined by +, auto (params where the space ships proxies)",
                  one_of(*PROXY_FEATURES))


def proxy_names(text: str, space: SearchSpace) -> list[str]:
    """The proxies of a `proxy_features` option ("auto", "none", "synflow", "synflow+params")."""
    text = default_proxy_features(space) if text == "auto" else text
    names = [] if text == "none" else text.split("+")
    unknown = [n for n in names if n not in PROXY_COLUMNS]
    if unknown or len(set(names)) != len(names):
        raise UnknownNameError(f"proxy_features {text!r}: name proxies among {', '.join(PROXY_COLUMNS)}, joined by + "
                               "(each once), or auto, or none")
    return names


def checked_proxy_features(space: SearchSpace, text: str, computable: bool) -> list[str]:
    """The proxies of a `proxy_features` option, each checked to be available in `space`
    (from the shipped table, or computable where the networks can be built)."""
    names = proxy_names(text, space)
    for proxy in names:
        check_warm_start(space, proxy, computable, option="proxy_features")
    return names


class LatentSurrogateStrategy(LatentStrategy):
    """A latent strategy whose surrogate sees `features` of pool members (the VAE
    embedding, the one-hot encoding, or both: see LatentFeatures; with `op_counts`, also
    the operation counts, which the GP reads linearly as well) and which, when the
    pool does not hold the whole space, decodes `generate` latent points around its
    incumbents at each ask (`radius`: the spread, as a share of the pool's range), so
    that proposals are not limited to the sampled pool."""

    option_rules = {"features": one_of(*FEATURES), "generate": between(0, 10_000), "radius": between(0, 10)}

    reads_proxies = True

    @classmethod
    def check_space(cls, space: SearchSpace, options: dict[str, Any], proxies_computable: bool = False) -> None:
        checked_proxy_features(space, options.get("proxy_features", "none"), proxies_computable)

    def __init__(
        self,
        space: SearchSpace,
        seed: int = 0,
        features: str = "embedding+onehot",
        op_counts: bool = False,
        generate: int = 200,
        radius: float = 0.1,
        proxy_features: str = "none",
        proxies: ProxyRanking | None = None,
        **latent: Any,
    ) -> None:
        """`proxy_features`: zero-cost proxies the surrogate reads beside `features`
        ("synflow", "params", "flops", or several joined by +; "none"), from the shipped
        table or computed by `proxies`. `latent` holds LatentStrategy's options: vae,
        n_init, pool_size."""
        check_features(features)  # before the pool is encoded
        names = checked_proxy_features(space, proxy_features, proxies is not None)
        super().__init__(space, seed, **latent)
        self.features, self.op_counts, self.proxy_features = features, op_counts, proxy_features
        self.generate, self.radius = generate, radius

        def proxy_values(archs: list[Any]) -> np.ndarray:
            return np.column_stack([proxy_scores(space, archs, proxy, proxies) for proxy in names])

        self._x = LatentFeatures(self.pool, features, counts=op_counts, proxies=proxy_values if names else None)

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
