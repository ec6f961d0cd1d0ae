"""`vaenas.create_study`: a study from objects or names, as a library user builds one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.search import STRATEGIES, Strategy, make_strategy, needs_vae
from vaenas.search.options import check_objective_count, check_options
from vaenas.spaces import SearchSpace, make_space
from vaenas.study.pareto import VALUE, Criterion
from vaenas.study.run_folder import RunFolder
from vaenas.study.storage import InMemoryStorage, Storage
from vaenas.study.study import Study
from vaenas.vae import ArchVAE, cached_vae

DIRECTIONS = ("maximize", "minimize")


def create_study(
    space: SearchSpace | str = "nb201",
    strategy: Strategy | str = "bo",
    storage: Storage | str | Path | None = None,
    direction: str = "maximize",
    seed: int = 0,
    vae: ArchVAE | None = None,
    strategy_options: dict[str, Any] | None = None,
    objectives: dict[str, str] | None = None,
) -> Study:
    """A study of `space` searched by `strategy` (objects, or registered names).

    `strategy_options` go to the constructor of a strategy given by name (e.g.
    `{"acquisition": "ucb"}`; an unknown option is refused with the list of known ones)
    and are part of the study's identity, as the space and seed are.

    `storage`: None keeps trials in memory; a folder path keeps them in that folder's
    SQLite journal (locked while the study is open), and a study created again on the
    same folder resumes it. A latent strategy given by name pretrains the space's VAE on
    first use (cached, as `vaenas search` does) unless `vae` is given.

    `objectives` searches several at once: name -> "maximize" | "minimize", where
    "value" is what `fn` returns (an Evaluation's value) and other names are keys of the
    Evaluation's metrics, e.g. `{"value": "maximize", "latency": "minimize"}`; the
    strategy must be one for several objectives (mobo, nsga2, rs), and `study.front`
    lists the non-dominated trials."""
    if direction not in DIRECTIONS:
        raise InvalidArgumentError(f"direction must be maximize or minimize, got {direction!r}")
    chosen = _criteria(objectives) if objectives else None
    space = make_space(space) if isinstance(space, str) else space
    options = dict(strategy_options or {})
    if isinstance(strategy, str):
        check_options(strategy, STRATEGIES.get(strategy), options)  # before pretraining a VAE
        check_objective_count(strategy, STRATEGIES.get(strategy), chosen is not None, "objectives={...}")
        latent = {"vae": vae or cached_vae(space)} if needs_vae(strategy) else {}
        strategy = make_strategy(strategy, space, seed=seed, **latent, **options)
    elif options:
        raise InvalidArgumentError("strategy_options go with a strategy name; a Strategy object has its options already")
    elif strategy.space is not space:
        raise InvalidArgumentError(f"strategy {strategy.name!r} was built for another space object than the study's")
    else:
        check_objective_count(strategy.name, type(strategy), chosen is not None, "objectives={...}")
    identity = {"space": space.name, "space_definition": space.definition(), "strategy": strategy.name,
                "seed": seed, "direction": direction, **({"strategy_options": options} if options else {}),
                **({"objectives": objectives} if objectives else {})}
    folder = None
    if isinstance(storage, (str, Path)):
        folder = RunFolder(storage)
        storage = folder.open()
    storage = storage if storage is not None else InMemoryStorage()
    try:
        return Study(space, strategy, storage, identity, maximize=direction == "maximize", folder=folder,
                     criteria=chosen)
    except BaseException:
        storage.close()
        if folder is not None:
            folder.close()
        raise


def _criteria(objectives: dict[str, str]) -> list[Criterion]:
    wrong = [f"{name}={way!r}" for name, way in objectives.items() if way not in DIRECTIONS]
    if wrong:
        raise InvalidArgumentError(f"objectives take maximize or minimize, got {', '.join(wrong)}")
    if len(objectives) < 2:
        raise InvalidArgumentError('name at least two objectives, e.g. {"value": "maximize", "latency": "minimize"}')
    return [Criterion(name, way == "maximize", None if name == VALUE else name) for name, way in objectives.items()]
