"""Regularized evolution (Real et al., AAAI 2019): aging tournament selection."""

from __future__ import annotations

from collections import deque

from vaenas.search.base import Strategy
from vaenas.search.options import Option, between
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import Arch, SearchSpace


@STRATEGIES.register("re")
class RegularizedEvolution(Strategy):
    """Fills a population with random architectures, then mutates tournament winners.

    Each new child comes from the best of `sample_size` members drawn from the
    population; the oldest member dies when the population exceeds `population_size`.
    Defaults 10 and 3 are those NATS-Bench uses on NAS-Bench-201.
    """

    name = "re"
    declared_options = {
        "population_size": Option(10, "architectures kept alive (the oldest dies)", between(1, 10_000)),
        "sample_size": Option(3, "architectures drawn for each tournament", between(1, 10_000)),
    }

    def __init__(
        self, space: SearchSpace, seed: int = 0, population_size: int = 10, sample_size: int = 3
    ) -> None:
        super().__init__(space, seed)
        self.population_size = population_size
        self.sample_size = sample_size
        self._population: deque[tuple[Arch, float]] = deque()

    def _propose(self) -> Arch:
        if not self._population or len(self._population) + len(self._pending) < self.population_size:
            return self.space.sample(self.rng)
        picks = self.rng.choice(
            len(self._population), size=min(self.sample_size, len(self._population)), replace=False
        )
        parent, _ = max((self._population[int(i)] for i in picks), key=lambda member: member[1])
        return self.space.mutate(parent, self.rng)

    def _observe(self, arch: Arch, score: float) -> None:
        self._population.append((arch, score))
        if len(self._population) > self.population_size:
            self._population.popleft()
