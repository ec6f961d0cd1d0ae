"""What model-based strategies share: observations, a random initial design, and a model
refitted when new observations have arrived."""

from __future__ import annotations

from abc import abstractmethod

from vaenas.search.base import Strategy
from vaenas.search.options import Option, between
from vaenas.spaces import Arch, SearchSpace


N_INIT = Option(10, "architectures drawn at random before the model proposes", between(1, 1000))

class ModelBasedStrategy(Strategy):
    """Proposes random architectures (`_initial_design`) until `n_init` have been observed
    or are pending; then, once per batch of new observations, refits its model (`_fit`)
    and proposes from it (`_propose_from_model`). Observations are the successful trials,
    as architectures and higher-is-better scores, in the order told."""

    declared_options = {"n_init": N_INIT}

    def __init__(self, space: SearchSpace, seed: int = 0, n_init: int = 10) -> None:
        super().__init__(space, seed)
        self.n_init = n_init
        self._archs: list[Arch] = []
        self._values: list[float] = []
        self._fitted_on = -1

    def _observe(self, arch: Arch, score: float) -> None:
        self._archs.append(arch)
        self._values.append(score)

    def _propose(self) -> Arch:
        if len(self._archs) + len(self._pending) < self.n_init or not self._archs:
            return self._initial_design()
        if self._fitted_on != len(self._values):
            self._fit()
            self._fitted_on = len(self._values)
        return self._propose_from_model()

    def _initial_design(self) -> Arch:
        return self.space.sample(self.rng)

    @abstractmethod
    def _fit(self) -> None:
        """Fits the model to the observations (called only when there are new ones)."""

    @abstractmethod
    def _propose_from_model(self) -> Arch:
        """One candidate chosen with the fitted model."""
