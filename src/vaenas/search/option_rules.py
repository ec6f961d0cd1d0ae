"""What a strategy declares of its options: a public option (default, help, rule) and
the rule a value must meet (a range or choices). Below `base.py`, which names them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MAX_ITEMS = 32


@dataclass(frozen=True)
class OptionRule:
    """What values one strategy option accepts: a range for numbers (every number of a
    list of numbers, of which at most MAX_ITEMS), a list of choices for names. Every
    numeric option has both ends, so no value can make the work endless. Strategies
    declare them in `option_rules`, so a bad value is refused when the options are
    checked, before any VAE is pretrained."""

    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is refused, or None when it is accepted."""
        if self.choices is not None:
            return None if value in self.choices else f"must be one of: {', '.join(self.choices)}"
        if isinstance(value, tuple):
            if len(value) > MAX_ITEMS:
                return f"must list at most {MAX_ITEMS} numbers"
            return next((f"holds {v:g}, which {p}" for v in value if (p := self.problem(v))), None)
        if isinstance(value, (int, float)) and not math.isfinite(value):
            return "must be a finite number"
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


def between(low: float, high: float) -> OptionRule:
    """Numbers from `low` to `high`, both included."""
    return OptionRule(low=low, high=high)


def one_of(*choices: str) -> OptionRule:
    return OptionRule(choices=choices)
