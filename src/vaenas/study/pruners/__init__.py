"""Pruners: which running trials stop early (`create_study(pruner=...)`, `--pruner`).
Each pruner is one module; this registry maps the names a user types to them."""

from __future__ import annotations

from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.registry import Registry
from vaenas.study.arguments import check_count
from vaenas.study.pruners.base import MAX_OPTION, NoPruner, Pruner, PruningState
from vaenas.study.pruners.hyperband import HyperbandPruner
from vaenas.study.pruners.median import MedianPruner
from vaenas.study.pruners.successive_halving import SuccessiveHalvingPruner

PRUNERS: Registry[type[Pruner]] = Registry("pruner")
for _cls in (NoPruner, MedianPruner, SuccessiveHalvingPruner, HyperbandPruner):
    PRUNERS.register(_cls.name)(_cls)


def make_pruner(pruner: Pruner | str | None, options: dict[str, Any] | None = None) -> Pruner:
    """A pruner from an object, a registered name (with its options) or None (none);
    every option checked against its bounds before any work."""
    if options is not None and not isinstance(options, dict):
        raise InvalidArgumentError(f"pruner_options must be a dict of option names to values, got {options!r}")
    if isinstance(pruner, Pruner):
        if options:
            raise InvalidArgumentError("pruner_options go with a pruner name; a Pruner object has its options already")
        _check_options(type(pruner), pruner.options())
        return pruner
    if pruner is not None and not isinstance(pruner, str):
        raise InvalidArgumentError(f"pruner must be a name ({', '.join(PRUNERS.names())}) or a Pruner, got {pruner!r}")
    cls = PRUNERS.get(pruner or "none")
    _check_options(cls, options or {})
    return cls(**(options or {}))


def _check_options(cls: type[Pruner], options: dict[str, Any]) -> None:
    known = cls().options()
    listing = ", ".join(f"{k}={v!r}" for k, v in known.items()) or "none"
    for key, value in options.items():
        if key not in known:
            raise InvalidArgumentError(f"pruner {cls.name!r} has no option {key!r}; its options (defaults): {listing}")
        what = f"pruner {cls.name!r} option {key}"
        check_count(what, value, low=cls.minimums.get(key, 1))
        if value > (high := cls.maximums.get(key, MAX_OPTION)):
            raise InvalidArgumentError(f"{what} must be at most {high}, got {value}")


def pruner_identity(pruner: Pruner) -> dict[str, Any]:
    """What a study's identity records of its pruner: nothing for none (so journals
    from before pruning resume), else its name and settings."""
    return {} if isinstance(pruner, NoPruner) else {"pruner": {"name": pruner.name, **pruner.options()}}


__all__ = ["PRUNERS", "HyperbandPruner", "MedianPruner", "NoPruner", "Pruner", "PruningState",
           "SuccessiveHalvingPruner", "make_pruner", "pruner_identity"]
