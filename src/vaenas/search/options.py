"""The options a strategy's constructor takes, as a user can set them from the CLI or a
config (`--strategy-option acquisition=ucb`), checked before the strategy is built."""

from __future__ import annotations

import json
from typing import Any

from vaenas.constructor_options import constructor_defaults
from vaenas.errors import InvalidArgumentError
from vaenas.search.base import Strategy
from vaenas.search.option_rules import Option, OptionRule, between, one_of

__all__ = ["Option", "OptionRule", "between", "check_options", "checked_settings", "one_of",
           "option_rules", "parse_option", "public_defaults", "resolved_options", "strategy_options"]

NOT_OPTIONS = ("self", "space", "seed", "vae")
"""Constructor arguments the study itself supplies."""


def option_rules(cls: type[Strategy]) -> dict[str, OptionRule]:
    """The rules of `cls`'s declared options, and those its classes state for research
    settings (`option_rules`), the subclass's first."""
    rules = {name: option.rule for name, option in cls.declared_options.items() if option.rule is not None}
    for klass in cls.__mro__:
        for name, rule in vars(klass).get("option_rules", {}).items():
            rules.setdefault(name, rule)
    return rules


def strategy_options(cls: type[Strategy]) -> dict[str, Any]:
    """Every constructor setting -> its default, research settings included: from the
    constructors of `cls` and of the base classes it passes `**options` on to (a latent
    strategy's n_init, pool_size ...)."""
    return constructor_defaults(cls, (*NOT_OPTIONS, *getattr(cls, "fixed_options", ())))


def public_defaults(cls: type[Strategy]) -> dict[str, Any]:
    """The declared options of `cls` with their defaults."""
    return {name: option.default for name, option in cls.declared_options.items()}


def check_options(name: str, cls: type[Strategy], given: dict[str, Any], research: bool = False) -> dict[str, Any]:
    """`given` with each value converted to its default's type and checked against its
    range; an unknown option or a value of the wrong kind raises one line that lists the
    strategy's options. Only the declared options are known unless `research` (the
    benchmark scripts' settings, `-X` on the command line): then every constructor
    setting is."""
    known = strategy_options(cls) if research else public_defaults(cls)
    rules = option_rules(cls)
    listing = ", ".join(f"{k}={v!r}" for k, v in known.items()) or "none"
    checked = {}
    for key, value in given.items():
        if key not in known:
            kind = "setting" if research else "option"
            raise InvalidArgumentError(f"strategy {name!r} has no {kind} {key!r}; its {kind}s (defaults): {listing}"
                                       + ("" if research else " (vaenas strategies lists them)"))
        what = f"strategy {name!r} option {key}={value!r}"
        checked[key] = _as_type_of(known[key], value, what)
        problem = rules[key].problem(checked[key]) if key in rules else None
        if problem:
            raise InvalidArgumentError(f"{what} {problem}")
    return checked


def checked_settings(name: str, cls: type[Strategy], options: dict[str, Any] | None,
                     research: dict[str, Any] | None) -> dict[str, Any]:
    """A strategy's declared options and research settings, each checked, in one dict."""
    for what, given in (("strategy_options", options), ("research_options", research)):
        if given is not None and not isinstance(given, dict):
            raise InvalidArgumentError(f"{what} must be a dict of names to values, got {given!r}")
    return {**check_options(name, cls, options or {}), **check_options(name, cls, research or {}, research=True)}


def resolved_options(cls: type[Strategy], checked: dict[str, Any]) -> dict[str, Any]:
    """What a study by name records of its strategy's options: every declared option,
    its default where none was given, and the research settings given (so a default
    changed in a later version cannot silently change a resumed study)."""
    return {**public_defaults(cls), **checked}


def check_objective_count(name: str, cls: type[Strategy], several: bool, example: str) -> None:
    """Refuses, with one line naming what fits, a single-objective strategy for several
    objectives or a multi-objective one for a single objective (`example`: objectives
    to suggest)."""
    from vaenas.search.registry import STRATEGIES

    if several and cls.objectives == "one":
        fitting = ", ".join(n for n in STRATEGIES.names() if STRATEGIES.get(n).objectives != "one")
        raise InvalidArgumentError(f"strategy {name!r} searches one objective; with several use one of: {fitting}")
    if not several and cls.objectives == "many":
        raise InvalidArgumentError(f"strategy {name!r} searches several objectives; name them, e.g. {example}")


def parse_option(text: str, what: str = "strategy option", example: str = "acquisition=ucb") -> tuple[str, Any]:
    """KEY=VALUE as typed on the command line; the value is read as JSON when it is JSON
    (numbers, true/false), else kept as a string."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InvalidArgumentError(f"{what} {text!r} must read KEY=VALUE, e.g. {example}")
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


def parse_scoped_options(texts: list[str], strategies: list[str]) -> dict[str, dict[str, Any]]:
    """STRATEGY:KEY=VALUE as `compare` takes them (several strategies, each with its own
    options); a plain KEY=VALUE is accepted when only one strategy is compared."""
    scoped: dict[str, dict[str, Any]] = {}
    for text in texts:
        strategy, sep, option = text.partition(":")
        if not sep or "=" in strategy:
            if len(strategies) != 1:
                raise InvalidArgumentError(
                    f"strategy option {text!r} must name its strategy when several are compared, e.g. bo:{text}"
                )
            strategy, option = strategies[0], text
        key, value = parse_option(option)
        scoped.setdefault(strategy.strip(), {})[key] = value
    return scoped


def _as_type_of(default: Any, value: Any, what: str) -> Any:
    """`value` as the type of `default` (int, float, str, bool, or a tuple of numbers)."""
    wanted = type(default)
    if wanted is tuple:
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return tuple(float(v) for v in value)
        raise InvalidArgumentError(f"{what} is not a list of numbers like its default {list(default)!r}")
    if wanted is bool:
        if isinstance(value, bool):
            return value
        raise InvalidArgumentError(f"{what} is not true or false like its default {default!r}")
    if wanted not in (int, float, str):
        raise InvalidArgumentError(f"{what} cannot be set")
    if wanted is str:
        return str(value)
    number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number_ok and (wanted is float or float(value).is_integer()):
        return wanted(value)
    raise InvalidArgumentError(f"{what} is not a {wanted.__name__} like its default {default!r}")
