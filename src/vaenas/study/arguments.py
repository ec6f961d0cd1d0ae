"""The checks of the plain numbers a user passes to a study (seed, workers, counts), in
one place, so the CLI, create_study and compare refuse the same values the same way."""

from __future__ import annotations

import inspect
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


MAX_TIMEOUT = 10.0**9
"""Seconds: about 30 years, beyond any real search, and within what a clock can add."""


def check_timeout(timeout: Any) -> None:
    """None (no limit), or a finite number of seconds above 0."""
    if timeout is None:
        return
    try:
        ok = not isinstance(timeout, bool) and isinstance(timeout, (int, float)) and 0 < float(timeout) <= MAX_TIMEOUT
    except OverflowError:
        ok = False
    if not ok:
        raise InvalidArgumentError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
                                   f"got {str(timeout)[:40]}")


def check_optional_name(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a name (a string) or None, got {value!r}")


def check_instance(name: str, value: Any, types: tuple[type, ...], wanted: str) -> None:
    """`value` is one of `types` (None is for the caller to allow), else one line naming
    the argument and what it takes."""
    if not isinstance(value, types):
        raise InvalidArgumentError(f"{name} must be {wanted}, got {type(value).__name__} {str(value)[:40]!r}")


def check_callable(name: str, value: Any, signature: str) -> None:
    """None, or a function that can be called as `signature` says (e.g. "fn(epoch,
    epochs, loss)"): checked before any work, not when it is first called."""
    if value is None:
        return
    if not callable(value):
        raise InvalidArgumentError(f"{name} must be a function {signature} or None, got {type(value).__name__}")
    arguments = signature[signature.index("(") + 1:-1].split(", ")
    try:
        inspect.signature(value).bind(*arguments)
    except TypeError:
        raise InvalidArgumentError(f"{name} must take the arguments {signature}; {value!r} does not") from None
    except ValueError:  # a builtin without a signature: taken on trust
        pass


def check_callbacks(callbacks: Any) -> None:
    """None, or a list of functions fn(study, trial): checked before any trial runs."""
    if callbacks is None:
        return
    if not isinstance(callbacks, (list, tuple)):
        raise InvalidArgumentError(
            f"callbacks must be a list of functions fn(study, trial), got {type(callbacks).__name__}"
            + (": wrap it in a list, callbacks=[fn]" if callable(callbacks) else "")
        )
    for callback in callbacks:
        check_callable("each of callbacks", callback, "fn(study, trial)")
