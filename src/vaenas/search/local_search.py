"""Local search (White et al., UAI 2021): hill climbing over neighbours with random restarts."""

from __future__ import annotations

from vaenas.search.base import Strategy
from vaenas.search.registry import STRATEGIES
from vaenas.spaces.base import Arch, SearchSpace


@STRATEGIES.register("ls")
class LocalSearch(Strategy):
    """Evaluates every neighbour of the current architecture, moves to the best one if it
    is better, and restarts from a random architecture at a local optimum.

    While neighbours are still pending (asynchronous studies) it proposes random
    architectures rather than idle.
    """

    name = "ls"

    def __init__(self, space: SearchSpace, seed: int = 0) -> None:
        super().__init__(space, seed)
        self._current: Arch | None = None
        self._current_score = float("-inf")
        self._queue: list[Arch] = []

    def _propose(self) -> Arch:
        while self._current is not None:
            if self._queue:
                return self._queue.pop()
            neighbours = self.space.neighbours(self._current)
            if any(self.is_pending(nb) for nb in neighbours):
                return self.space.sample(self.rng)
            self._climb(neighbours)
        return self.space.sample(self.rng)

    def _climb(self, neighbours: list[Arch]) -> None:
        """Moves to the best evaluated neighbour if it beats the current one, else restarts."""
        scored = [(s, nb) for nb in neighbours if (s := self.score_of(nb)) is not None]
        if scored:
            best_score, best = max(scored, key=lambda pair: pair[0])
            if best_score > self._current_score:
                self._move_to(best, best_score)
                return
        self._current = None

    def _move_to(self, arch: Arch, score: float) -> None:
        self._current, self._current_score = arch, score
        self._queue = self.space.neighbours(arch)
        self.rng.shuffle(self._queue)

    def _observe(self, arch: Arch, score: float) -> None:
        if self._current is None:
            self._move_to(arch, score)
