"""What defines a study, checked before anything runs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import OBJECTIVES, Objective, make_objective
from vaenas.spaces import SearchSpace, make_space
from vaenas.study.arguments import check_seed
from vaenas.study.pareto import Criterion, criteria
from vaenas.study.pruners import Pruner, make_pruner, pruner_identity

if TYPE_CHECKING:
    from vaenas.search import Strategy
    from vaenas.vae.archvae import EpochCallback


@dataclass(frozen=True)
class StudyConfig:
    """A study's configuration. The budget is left out of `identity`, so that a finished
    study can be resumed with a larger budget to extend it."""

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
    """Constructor options of the strategy (acquisition, n_init ...); {} for its defaults."""
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

    def identity(self) -> dict[str, Any]:
        fields = asdict(self)
        for how_not_what in ("budget", "vae_cache", "max_retries"):
            fields.pop(how_not_what)
        fields["objective"] = self.objective_name
        fields["dataset"] = self.dataset or OBJECTIVES.get(self.objective_name).default_dataset  # the default, written out
        for added_later in ("strategy_options", "objectives"):
            if not fields[added_later]:
                fields.pop(added_later)  # journals written before the option existed resume
        del fields["pruner"], fields["pruner_options"]
        fields.update(pruner_identity(self.make_pruner()))  # as create_study writes it
        return fields

    def problem_key(self) -> str:
        """What a worker builds from this configuration is determined by its identity."""
        return json.dumps(self.identity(), sort_keys=True, default=str)

    def check_names(self) -> None:
        """Raises UnknownNameError for an unknown space, objective or strategy, before
        anything slow (data loading, VAE pretraining) happens."""
        from vaenas.search import STRATEGIES
        from vaenas.search.options import check_objective_count, check_options
        from vaenas.spaces import SPACES

        check_seed(self.seed)
        SPACES.get(self.space)
        objective = OBJECTIVES.get(self.objective_name)
        strategy = STRATEGIES.get(self.strategy)
        check_options(self.strategy, strategy, self.strategy_options)
        self.make_pruner()
        if self.objectives:
            criteria(self.objectives, objective)
        costs = [m for m, way in objective.metric_directions.items() if way == "minimize"] or ["latency"]
        check_objective_count(self.strategy, strategy, bool(self.objectives), f"--objectives {objective.value_name},{costs[0]}")

    def make_pruner(self) -> Pruner:
        return make_pruner(self.pruner, self.pruner_options)

    def criteria(self) -> list[Criterion] | None:
        """The objectives of a multi-objective study, None for a single-objective one."""
        return criteria(self.objectives, OBJECTIVES.get(self.objective_name)) if self.objectives else None

    def build(self, on_pretrain_epoch: EpochCallback | None = None) -> tuple[SearchSpace, Objective, Strategy]:
        """Instantiates the parts, raising a VaenasError for any bad name or value. A
        latent strategy's VAE is pretrained here on first use (reported through
        `on_pretrain_epoch`) and cached for every later study."""
        # imported here: worker processes unpickle a StudyConfig and need no strategy,
        # so they skip importing BoTorch (half a second per worker start)
        from vaenas.search import make_strategy, needs_vae
        from vaenas.vae import cached_vae

        self.check_names()
        if self.budget < 1:
            raise InvalidArgumentError(f"budget must be at least 1, got {self.budget}")
        space, objective = self.build_problem()
        if space.size is not None and self.budget > space.size:
            raise InvalidArgumentError(
                f"budget {self.budget} exceeds the {space.size} architectures of space "
                f"{space.name!r}; use a budget of at most {space.size}"
            )
        options = {}
        if needs_vae(self.strategy):
            cache = Path(self.vae_cache) if self.vae_cache else None
            options["vae"] = cached_vae(space, cache_dir=cache, on_epoch=on_pretrain_epoch)
        strategy = make_strategy(self.strategy, space, seed=self.seed, **options, **self.strategy_options)
        return space, objective, strategy

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
