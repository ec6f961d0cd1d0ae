"""The checks of the plain numbers a user passes to a study (seed, workers, counts), in
one place, so the CLI, create_study and compare refuse the same values the same way."""

from __future__ import annotations

from typing import Any

from vaenas.errors import InvalidArgumentError


def check_count(name: str, value: Any, low: int = 1) -> int:
    """`value` as a whole number of at least `low`, or one line saying what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidArgumentError(f"{name} must be a whole number of at least {low}, got {value!r}")
    return value


def check_seed(seed: Any) -> int:
    return check_count("seed", seed, low=0)


def check_workers(workers: Any) -> None:
    """None is the executor's default; else at least one worker."""
    if workers is not None:
        check_count("workers", workers)
