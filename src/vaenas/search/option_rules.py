"""What a strategy declares of its options: a public option (default, help, rule) and
the rule a value must meet (a range or choices). Below `base.py`, which names them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OptionRule:
    """What values one strategy option accepts: a range for numbers, a list of choices
    for names. Strategies declare them in `option_rules`, so a bad value is refused when
    the options are checked, before any VAE is pretrained."""

    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is refused, or None when it is accepted."""
        if self.choices is not None:
            return None if value in self.choices else f"must be one of: {', '.join(self.choices)}"
        if self.low is not None and value < self.low:
            return f"must be at least {self.low:g}"
        if self.high is not None and value > self.high:
            return f"must be at most {self.high:g}"
        return None


@dataclass(frozen=True)
class Option:
    """A public option of a strategy: what a user sets with `-S KEY=VALUE` or
    `create_study(strategy_options=...)`. Its type is its default's; `rule` its range or
    choices; `help` one line for `vaenas strategies`."""

    default: Any
    help: str
    rule: OptionRule | None = None


def at_least(low: float) -> OptionRule:
    return OptionRule(low=low)


def between(low: float, high: float) -> OptionRule:
    return OptionRule(low=low, high=high)


def one_of(*choices: str) -> OptionRule:
    return OptionRule(choices=choices)
