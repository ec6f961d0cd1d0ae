"""A study's configuration by registered names (space, objective and data set, strategy
and its options, pruner, seed, budget): what `vaenas search` and each run of `vaenas
compare` are given, and what a worker process rebuilds the problem from."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import OBJECTIVES, Objective, make_objective
from vaenas.spaces import SearchSpace, make_space
from vaenas.study.arguments import check_seed
from vaenas.study.identity import study_identity
from vaenas.study.pareto import Criterion, criteria
from vaenas.study.pruners import NoPruner, Pruner, make_pruner, pruner_identity

if TYPE_CHECKING:
    from vaenas.vae import ArchVAE
    from vaenas.vae.archvae import EpochCallback


PLACEMENT_OPTIONS = ("device",)
"""Objective options that say where trials run, not what they compute: left out of the
study's identity, so a study resumes on another machine (precision stays in: it changes
the values)."""

@dataclass(frozen=True)
class StudyConfig:
    """A study's configuration. The budget is left out of the identity, so that a
    finished study can be resumed with a larger budget to extend it."""

    space: str = "nb201"
    dataset: str | None = "cifar10"
    strategy: str = "re"
    budget: int = 100
    seed: int = 0
    objective: str | None = None
    """None means the space's own table objective (same name as the space)."""
    objective_options: dict[str, Any] = field(default_factory=dict)
    """Constructor options of the objective (epochs, subset, latent_dim ...)."""
    strategy_options: dict[str, Any] = field(default_factory=dict)
    """Declared options of the strategy (n_init, warm_start ...); {} for its defaults."""
    research_options: dict[str, Any] = field(default_factory=dict)
    """Research settings of the strategy (`-X`, docs/decisions); part of the identity."""
    objectives: list[str] = field(default_factory=list)
    """Several objectives to search at once (the value, e.g. as accuracy, and metrics of
    the objective such as latency); [] searches the value alone."""
    pruner: str = "none"
    """Which running trials stop early (none, median, asha, hyperband)."""
    pruner_options: dict[str, Any] = field(default_factory=dict)
    vae_cache: str | None = None
    """Where latent strategies find (or put) the pretrained VAE; not part of the identity."""
    max_retries: int = 2
    """How often a trial whose worker was lost is run again before it counts as failed."""

    @property
    def objective_name(self) -> str:
        return self.objective or self.space

    @property
    def direction(self) -> str:
        return "maximize" if OBJECTIVES.get(self.objective_name).maximize else "minimize"

    def evaluation(self) -> dict[str, Any]:
        """What evaluates the trials, with the default data set written out."""
        dataset = self.dataset or OBJECTIVES.get(self.objective_name).default_dataset
        options = {k: v for k, v in self.objective_options.items() if k not in PLACEMENT_OPTIONS}
        return {"objective": self.objective_name, "dataset": dataset, "objective_options": options}

    def objective_directions(self) -> dict[str, str] | None:
        chosen = self.criteria()
        return {c.name: "maximize" if c.maximize else "minimize" for c in chosen} if chosen else None

    def identity(self) -> dict[str, Any]:
        """As `create_study` writes it for this configuration."""
        from vaenas.search import STRATEGIES
        from vaenas.search.options import checked_settings, resolved_options

        cls = STRATEGIES.get(self.strategy)
        options = resolved_options(cls, checked_settings(self.strategy, cls, self.strategy_options,
                                                         self.research_options))
        return study_identity(make_space(self.space), self.strategy, self.seed, self.direction,
                              options, self.objective_directions(),
                              pruner_identity(self.make_pruner()), self.evaluation())

    def problem_key(self) -> str:
        """What a worker builds from this configuration (`build_problem`): its space and
        what evaluates the trials."""
        return json.dumps({"space": self.space, **self.evaluation()}, sort_keys=True, default=str)

    def check_names(self) -> None:
        """Raises UnknownNameError for an unknown space, objective or strategy, before
        anything slow (data loading, VAE pretraining) happens."""
        from vaenas.search import STRATEGIES
        from vaenas.search.options import check_objective_count, checked_settings

        check_seed(self.seed)
        space = make_space(self.space)
        objective = OBJECTIVES.get(self.objective_name)
        strategy = STRATEGIES.get(self.strategy)
        from vaenas.search.network_proxies import builds_networks

        strategy.check_space(space, checked_settings(self.strategy, strategy, self.strategy_options,
                                                     self.research_options), builds_networks(objective))
        if not isinstance(make_pruner(self.pruner, self.pruner_options), NoPruner) and objective.is_lookup:
            warnings.warn(f"--pruner {self.pruner} is ignored: objective {self.objective_name!r} is a table lookup "
                          "and reports no per-epoch values to prune on")
        if self.objectives:
            criteria(self.objectives, objective)
        costs = [m for m, way in objective.metric_directions.items() if way == "minimize"] or ["latency"]
        check_objective_count(self.strategy, strategy, bool(self.objectives), f"--objectives {objective.value_name},{costs[0]}")

    def make_pruner(self) -> Pruner:
        """The pruner named, its options checked; none for a table lookup, which reports
        no per-epoch values to prune on (so it stays out of the study's identity too;
        `check_names` says so once)."""
        pruner = make_pruner(self.pruner, self.pruner_options)
        return NoPruner() if OBJECTIVES.get(self.objective_name).is_lookup else pruner

    def criteria(self) -> list[Criterion] | None:
        """The objectives of a multi-objective study, None for a single-objective one."""
        return criteria(self.objectives, OBJECTIVES.get(self.objective_name)) if self.objectives else None

    def check(self) -> tuple[SearchSpace, Objective]:
        """Every name and value checked (a VaenasError for a bad one) before anything slow;
        returns the space and objective."""
        self.check_names()
        if self.budget < 1:
            raise InvalidArgumentError(f"budget must be at least 1, got {self.budget}")
        space, objective = self.build_problem()
        if space.size is not None and self.budget > space.size:
            raise InvalidArgumentError(
                f"budget {self.budget} exceeds the {space.size} architectures of space "
                f"{space.name!r}; use a budget of at most {space.size}"
            )
        return space, objective

    def pretrained_vae(self, space: SearchSpace, on_pretrain_epoch: EpochCallback | None = None) -> ArchVAE | None:
        """The VAE of a latent strategy, pretrained here on first use (reported through
        `on_pretrain_epoch`) and cached for every later study; None for other strategies."""
        # imported here: worker processes unpickle a StudyConfig and need no strategy,
        # so they skip importing BoTorch (half a second per worker start)
        from vaenas.search import needs_vae
        from vaenas.vae.first_use import announced_vae

        if not needs_vae(self.strategy):
            return None
        return announced_vae(space, cache_dir=Path(self.vae_cache) if self.vae_cache else None, on_epoch=on_pretrain_epoch)

    def build_problem(self) -> tuple[SearchSpace, Objective]:
        """The space and objective alone: what a worker process needs to evaluate."""
        space = make_space(self.space)
        objective = make_objective(self.objective_name, self.dataset, **self.objective_options)
        if objective.space_name != space.name:
            raise InvalidArgumentError(
                f"objective {objective.name!r} scores space {objective.space_name!r}, "
                f"not {space.name!r}; pick a matching --space or --objective"
            )
        return space, objective
