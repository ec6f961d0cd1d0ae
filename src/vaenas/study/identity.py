"""What makes two studies the same study: one schema, written by `create_study` for the
library and for the command line alike, so that either resumes a folder the other made."""

from __future__ import annotations

from typing import Any

from vaenas.spaces import SearchSpace

EVALUATION_KEYS = ("objective", "dataset", "objective_options")
"""What evaluates the trials. The command line names it; a library user passes a
function instead, so these are compared only where both sides name them."""

ADDED_LATER = ("space_definition", "direction")
"""Keys that journals of older versions lack: absent from a stored identity, they match."""


def study_identity(
    space: SearchSpace,
    strategy: str,
    seed: int,
    direction: str,
    strategy_options: dict[str, Any],
    objectives: dict[str, str] | None,
    pruner: dict[str, Any],
    evaluation: dict[str, Any] | None,
) -> dict[str, Any]:
    """The identity of a study. Empty options are left out, so that journals written
    before an option existed resume. `strategy_options` are the resolved ones of a
    strategy named (`search.options.resolved_options`: defaults written out)."""
    return {
        "space": space.name, "space_definition": space.definition(), "strategy": strategy, "seed": seed,
        "direction": direction,
        **({"strategy_options": strategy_options} if strategy_options else {}),
        **({"objectives": objectives} if objectives else {}),
        **pruner,
        **{k: _spelled_one_way(k, v) for k, v in (evaluation or {}).items()
           if k in EVALUATION_KEYS and v not in (None, {})},
    }


CASE_FREE_OPTIONS = ("precision",)
"""Objective options whose value is a name in any case (BF16 is bf16)."""


def _spelled_one_way(key: str, value: Any) -> Any:
    """`value` as the identity stores it: case-free option names in lower case."""
    if key != "objective_options" or not isinstance(value, dict):
        return value
    return {k: v.strip().lower() if k in CASE_FREE_OPTIONS and isinstance(v, str) else v for k, v in value.items()}


def identity_differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """`key=stored (asked wanted)` for each key where the stored study is another one."""
    return [
        f"{k}={stored.get(k)!r} (asked {wanted.get(k)!r})"
        for k in sorted(set(stored) | set(wanted))
        if not _same(k, stored, wanted)
    ]


def named_later(stored: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """What evaluates the trials, where `wanted` names it and the stored identity does
    not (a library study resumed by the command line): recorded, it is checked from then on."""
    return {k: wanted[k] for k in EVALUATION_KEYS if wanted.get(k) is not None and stored.get(k) is None}


def _same(key: str, stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    if key in EVALUATION_KEYS and (stored.get(key) is None or wanted.get(key) is None):
        return True
    if key in ADDED_LATER and key not in stored:
        return True
    mine, theirs = stored.get(key), wanted.get(key)
    if key == "strategy_options":
        defaults = _declared_defaults(stored.get("strategy"))
        return {**defaults, **(mine or {})} == {**defaults, **(theirs or {})}
    if key == "objectives" and isinstance(mine, list) and isinstance(theirs, dict):
        return mine == list(theirs)  # older command-line journals kept the names alone
    return _spelled_one_way(key, mine) == _spelled_one_way(key, theirs)


def _declared_defaults(strategy: Any) -> dict[str, Any]:
    """The declared options of a registered strategy with their defaults: what the
    options a journal of an older version left out are taken to be (it stored only those
    given)."""
    from vaenas.search import STRATEGIES
    from vaenas.search.options import public_defaults

    return public_defaults(STRATEGIES.get(strategy)) if isinstance(strategy, str) and strategy in STRATEGIES.names() else {}
