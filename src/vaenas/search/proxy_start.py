"""A zero-cost warm start: the cells a proxy ranks best, from the proxies that ship for
NAS-Bench-201, for a model-based strategy's initial design."""

from __future__ import annotations

from vaenas.errors import InvalidArgumentError
from vaenas.objectives.nb201_proxies import PROXY_COLUMNS, load_proxies
from vaenas.spaces.base import Arch, SearchSpace

TOP_SHARE = 0.01
"""The share of the space, best by the proxy, that the initial design is drawn from."""


PROXY_SPACES = ("nb201",)
"""The spaces whose zero-cost proxies ship with the package."""


def default_proxy(space: SearchSpace) -> str:
    """What `warm_start="auto"` means: synflow where the space ships proxies (it ranks
    NAS-Bench-201's cells best of them, docs/results/proxies.md), "none" elsewhere."""
    return "synflow" if space.name in PROXY_SPACES else "none"


def check_warm_start(space: SearchSpace, proxy: str) -> None:
    """Refuses a proxy warm start where the space ships no proxies: called when the
    options are checked, before any VAE is pretrained."""
    if proxy not in ("none", "auto") and space.name not in PROXY_SPACES:
        raise InvalidArgumentError(
            f"warm_start reads the zero-cost proxies that ship for nb201; space {space.name!r} has none "
            "(use warm_start=none there)"
        )


def proxy_top_cells(space: SearchSpace, proxy: str) -> list[Arch]:
    """The top TOP_SHARE of the space's cells by `proxy`, best first."""
    check_warm_start(space, proxy)
    table = load_proxies()
    ranked = sorted(table, key=lambda text: table[text][proxy], reverse=True)
    return [space.parse(text) for text in ranked[: max(1, int(len(ranked) * TOP_SHARE))]]


__all__ = ["PROXY_COLUMNS", "check_warm_start", "default_proxy", "proxy_top_cells"]
