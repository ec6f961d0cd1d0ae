"""Search strategies behind one ask/tell interface. Importing this package registers them all."""

from typing import Any

from vaenas.search import (  # noqa: F401  (each module registers its strategy)
    bananas,
    bayes_opt,
    evolution,
    gradient,
    local_search,
    multi_objective_bo,
    nsga2,
    optuna_samplers,
    random_search,
    reinforce,
    retrained_bo,
)
from vaenas.search.base import Strategy
from vaenas.search.options import check_options
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import SearchSpace


def make_strategy(name: str, space: SearchSpace, seed: int = 0, **options: Any) -> Strategy:
    """The strategy registered under `name`; `options` go to its constructor (latent
    strategies take `vae=`): its declared options and the research settings, which the
    benchmark scripts set. `proxies=` (a ProxyRanking) reaches the strategies that read
    zero-cost proxies and is ignored by the others."""
    cls = STRATEGIES.get(name)
    given = {k: options.pop(k) for k in ("vae", "proxies") if k in options}
    if not cls.reads_proxies or given.get("proxies") is None:
        given.pop("proxies", None)
    return cls(space, seed=seed, **given, **check_options(name, cls, options, research=True))


def needs_vae(name: str) -> bool:
    """Whether the strategy searches a pretrained VAE's latent space."""
    return bool(getattr(STRATEGIES.get(name), "needs_vae", False))


__all__ = ["STRATEGIES", "Strategy", "make_strategy", "needs_vae"]
