"""Search strategies behind one ask/tell interface. Importing this package registers them all."""

from vaenas.search import evolution, local_search, random_search  # noqa: F401  (registration)
from vaenas.search.base import Strategy
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import SearchSpace


def make_strategy(name: str, space: SearchSpace, seed: int = 0) -> Strategy:
    """The strategy registered under `name`, with its default settings."""
    return STRATEGIES.get(name)(space, seed=seed)


__all__ = ["STRATEGIES", "Strategy", "make_strategy"]
