"""Optuna's samplers as strategies: the optimisers a user would pick instead of vaenas,
measured in the same harness and under the same distinct-query rule."""

from __future__ import annotations

import warnings
from typing import Any

from vaenas.errors import InvalidArgumentError, MissingExtraError
from vaenas.search.base import Strategy
from vaenas.search.options import Option, one_of
from vaenas.search.proxy_start import PROXY_COLUMNS, ProxyRanking, check_warm_start, proxy_top_cells
from vaenas.search.registry import STRATEGIES
from vaenas.spaces import Arch, SearchSpace


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MissingExtraError(
            "the optuna-* strategies need Optuna: pip install 'vaenas[optuna]' (or pip install optuna)"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


class OptunaStrategy(Strategy):
    """An Optuna study over one categorical parameter per decision of the space
    (`space.decisions()`), driven by ask/tell.

    Optuna may propose an architecture already seen; that Optuna trial is answered from
    what is known (its score, or as failed) or, while the architecture is pending, when
    its result arrives, and the base class asks again: re-proposals are never charged.
    Architectures told without being asked here (replayed on resume, or the base class's
    random fallback) enter the Optuna study as finished trials.

    `warm_start` (a zero-cost proxy's name, shipped for nb201 or computed by `proxies`; default "none", Optuna as
    a user runs it): the first STARTUP_TRIALS trials are cells drawn from that proxy's top
    1%, enqueued, as `bo`'s initial design is by default; it measures how much of `bo`'s
    lead is the proxy's information rather than the search."""

    declared_options = {"warm_start": Option(
        "none", "the first 10 trials from the top 1% of a zero-cost proxy: synflow, params, flops, none",
        one_of("none", *PROXY_COLUMNS))}
    STARTUP_TRIALS = 10
    """Optuna's samplers' own number of random start-up trials, and `bo`'s n_init."""

    reads_proxies = True

    @classmethod
    def check_space(cls, space: SearchSpace, options: dict[str, Any], proxies_computable: bool = False) -> None:
        check_warm_start(space, options.get("warm_start", "none"), proxies_computable)

    def __init__(self, space: SearchSpace, seed: int = 0, warm_start: str = "none",
                 proxies: ProxyRanking | None = None) -> None:
        super().__init__(space, seed)
        optuna = _import_optuna()
        try:
            decisions = space.decisions()
        except NotImplementedError:
            raise InvalidArgumentError(
                f"strategy {self.name!r} needs a space made of fixed categorical decisions; "
                f"space {space.name!r} is not: pick another strategy"
            ) from None
        self._optuna = optuna
        self._distributions = {
            name: optuna.distributions.CategoricalDistribution(list(options))
            for name, options in decisions.items()
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental-feature warnings
            sampler = self._sampler(optuna, seed)
        self._study = optuna.create_study(direction="maximize", sampler=sampler)
        if warm_start != "none":
            top = proxy_top_cells(space, warm_start, proxies)
            for i in self.rng.choice(len(top), self.STARTUP_TRIALS, replace=False):
                self._study.enqueue_trial(space.to_decisions(top[int(i)]))
        self._waiting: dict[str, list[Any]] = {}
        """Optuna trials waiting for the result of a pending architecture, by key."""

    def _sampler(self, optuna: Any, seed: int) -> Any:
        raise NotImplementedError

    def _propose(self) -> Arch:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trial = self._study.ask(self._distributions)
        arch = self.space.from_decisions(trial.params)
        key = self.space.key(arch)
        if key in self._scores:
            self._finish(trial, self._scores[key])
        else:  # new, or pending: answered when its result is told
            self._waiting.setdefault(key, []).append(trial)
        return arch

    def tell(self, arch: Arch, score: float | None) -> None:
        key = self.space.key(arch)
        if key in self._scores:
            return
        super().tell(arch, score)
        trials = self._waiting.pop(key, None)
        if trials is None:
            state = self._optuna.trial.TrialState
            self._study.add_trial(
                self._optuna.trial.create_trial(
                    params=self.space.to_decisions(arch),
                    distributions=self._distributions,
                    value=score,
                    state=state.FAIL if score is None else state.COMPLETE,
                )
            )
        for trial in trials or ():
            self._finish(trial, score)

    def _finish(self, trial: Any, score: float | None) -> None:
        if score is None:
            self._study.tell(trial, state=self._optuna.trial.TrialState.FAIL)
        else:
            self._study.tell(trial, score)


@STRATEGIES.register("optuna-tpe")
class OptunaTPE(OptunaStrategy):
    """Optuna's TPESampler with its defaults (10 random start-up trials)."""

    name = "optuna-tpe"

    def _sampler(self, optuna: Any, seed: int) -> Any:
        return optuna.samplers.TPESampler(seed=seed)


@STRATEGIES.register("optuna-gp")
class OptunaGP(OptunaStrategy):
    """Optuna's GPSampler with its defaults (a GP with a per-parameter categorical
    kernel, log EI, 10 random start-up trials)."""

    name = "optuna-gp"

    def _sampler(self, optuna: Any, seed: int) -> Any:
        return optuna.samplers.GPSampler(seed=seed)
