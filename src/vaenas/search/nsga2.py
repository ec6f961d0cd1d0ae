"""NSGA-II-style evolution (Deb et al., 2002) for several objectives, one child at a time."""

from __future__ import annotations

import numpy as np

from vaenas.search.base import Strategy
from vaenas.search.options import Option, between
from vaenas.search.pareto_ranking import survival_order
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import Arch, SearchSpace


@STRATEGIES.register("nsga2")
class NSGA2(Strategy):
    """Fills a population with random architectures, then mutates the winners of binary
    tournaments. The population keeps the `population_size` best of everything observed
    by NSGA-II's order: Pareto rank first, then crowding distance, so that the front is
    kept whole and spread out. Steady-state (each told trial updates the population), so
    it runs asynchronously like every strategy here; the spaces have no crossover, so
    mutation alone makes children."""

    declared_options = {"population_size": Option(20, "architectures per generation", between(2, 10_000))}

    name = "nsga2"
    objectives = "many"

    def __init__(self, space: SearchSpace, seed: int = 0, population_size: int = 20) -> None:
        super().__init__(space, seed)
        self.population_size = population_size
        self._population: list[tuple[Arch, tuple[float, ...]]] = []

    def _propose(self) -> Arch:
        if len(self._population) + len(self._pending) < self.population_size or not self._population:
            return self.space.sample(self.rng)
        # the population is kept in survival order, so the lower index wins a tournament
        first, second = self.rng.integers(len(self._population), size=2)
        return self.space.mutate(self._population[min(first, second)][0], self.rng)

    def _observe(self, arch: Arch, score: tuple[float, ...]) -> None:  # type: ignore[override]
        members = [*self._population, (arch, tuple(score))]
        order = survival_order(np.array([s for _, s in members], dtype=float))
        self._population = [members[i] for i in order[: self.population_size]]
