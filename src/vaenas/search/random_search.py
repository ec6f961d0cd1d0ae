"""Random search: uniform samples of the space, the baseline every method must beat."""

from vaenas.search.base import Strategy
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import Arch


@STRATEGIES.register("rs")
class RandomSearch(Strategy):
    """Proposes uniform random architectures (the baseline for any number of objectives)."""

    name = "rs"
    objectives = "any"

    def _propose(self) -> Arch:
        return self.space.sample(self.rng)
