"""Settings kept for experiments, not for users: a benchmark sets one to measure an
alternative against the default, and docs/decisions says which won. A user never needs
them; they are not options of any command or constructor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ExperimentSettings:
    pruned_trials: str = "value"
    """What a strategy is told of a pruned trial: "value", the last value it reported
    (the default, docs/decisions/pruned-trials.md), or "failed", nothing."""
    ucb_beta: float = 4.0
    """The exploration weight of the UCB acquisition (`bo -S acquisition=ucb`): mean +
    sqrt(beta) * std."""


EXPERIMENTS = ExperimentSettings()
