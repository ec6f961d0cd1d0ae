"""A zero-cost warm start: the architectures a proxy ranks best, for a model-based
strategy's initial design. On NAS-Bench-201 the proxies ship as a table; on any other
space they are computed at search time from the networks an objective (or the user's
`build`) makes of the architectures (`ProxyRanking`, search/network_proxies.py)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from vaenas.errors import InvalidArgumentError
from vaenas.objectives.nb201_proxies import PROXY_COLUMNS, load_proxies
from vaenas.spaces.base import Arch, SearchSpace

TOP_SHARE = 0.01
"""The share of the space (or of the ranked pool), best by the proxy, that the initial
design is drawn from."""
MIN_TOP = 10
"""At least this many architectures are kept: an initial design of 10 draws from them."""
RANKED_POOL = 1000
"""How many architectures a computed ranking scores (all of a space that holds fewer): a
fixed sample (seed 0), so that every search of the space shares one cache."""


PROXY_SPACES = ("nb201",)
"""The spaces whose zero-cost proxies ship with the package."""


class ProxyRanking(Protocol):
    """Zero-cost proxies computed for a space's architectures (higher predicted better)."""

    def scores(self, archs: list[Arch], proxy: str) -> list[float]: ...


def default_proxy(space: SearchSpace) -> str:
    """What `warm_start="auto"` means: synflow where the space ships proxies (it ranks
    NAS-Bench-201's cells best of them, docs/results/proxies.md), "none" elsewhere until
    a measurement says which proxy helps there."""
    return "synflow" if space.name in PROXY_SPACES else "none"


def default_proxy_features(space: SearchSpace) -> str:
    """What `proxy_features="auto"` means: the parameter count where the space ships
    proxies (confirmed on NAS-Bench-201, docs/decisions/proxy-features.md), "none"
    elsewhere until a measurement says which proxy helps there."""
    return "params" if space.name in PROXY_SPACES else "none"


def check_warm_start(space: SearchSpace, proxy: str, computable: bool = False, option: str = "warm_start") -> None:
    """Refuses a proxy warm start (or proxy features, `option`) where no proxy can be had:
    the space ships none and no network can be built for it (`computable`). Called when
    the options are checked, before any VAE is pretrained."""
    if proxy not in ("none", "auto") and space.name not in PROXY_SPACES and not computable:
        raise InvalidArgumentError(
            f"{option}={proxy} needs zero-cost proxies: they ship for nb201 only, and space {space.name!r} ships none "
            "and has no network to compute them from: use an objective that trains networks (classifier, cell-classifier), pass "
            f"build=fn(arch) -> nn.Module to create_study, or {option}=none"
        )


def proxy_scores(space: SearchSpace, archs: list[Arch], proxy: str, ranking: ProxyRanking | None = None) -> list[float]:
    """`proxy` of each architecture: from the shipped table, else computed by `ranking`."""
    if ranking is None or space.name in PROXY_SPACES:
        table = load_proxies()
        return [table[space.key(arch)][proxy] for arch in archs]
    return ranking.scores(archs, proxy)


def proxy_top_cells(space: SearchSpace, proxy: str, ranking: ProxyRanking | None = None) -> list[Arch]:
    """The best TOP_SHARE (at least MIN_TOP) by `proxy`, best first: of the space's shipped
    table, or of a fixed RANKED_POOL sample scored by `ranking`."""
    check_warm_start(space, proxy, ranking is not None)
    if ranking is None or space.name in PROXY_SPACES:
        table = load_proxies()
        texts = sorted(table, key=lambda text: table[text][proxy], reverse=True)
        return [space.parse(text) for text in texts[: max(MIN_TOP, int(len(texts) * TOP_SHARE))]]
    pool = space.enumerate_or_sample(RANKED_POOL, np.random.default_rng(0))
    scores = ranking.scores(pool, proxy)
    order = sorted(range(len(pool)), key=lambda i: scores[i], reverse=True)
    return [pool[i] for i in order[: max(MIN_TOP, int(len(pool) * TOP_SHARE))]]


__all__ = ["PROXY_COLUMNS", "ProxyRanking", "check_warm_start", "default_proxy", "default_proxy_features",
           "proxy_scores", "proxy_top_cells"]
