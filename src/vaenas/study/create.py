"""`vaenas.create_study`: a study from objects or names, as a library user builds one."""

from __future__ import annotations

import weakref
from pathlib import Path
from collections.abc import Callable
from typing import Any

from vaenas.errors import InvalidArgumentError
from vaenas.search import STRATEGIES, Strategy, make_strategy, needs_vae
from vaenas.search.network_proxies import user_network_proxies
from vaenas.search.proxy_start import ProxyRanking
from vaenas.search.options import check_objective_count, checked_settings, resolved_options
from vaenas.objectives import OBJECTIVES
from vaenas.spaces import SearchSpace, make_space
from vaenas.study.arguments import check_callable, check_count, check_instance, check_seed
from vaenas.study.identity import study_identity
from vaenas.study.pareto import Criterion, criteria, criteria_by_direction
from vaenas.study.pruners import Pruner, make_pruner, pruner_identity
from vaenas.study.storages import Storage, check_storage_spec, get_storage
from vaenas.study.study import Study
from vaenas.study.trial_log import ensure_handler, pretraining_logger
from vaenas.vae import ArchVAE
from vaenas.vae.first_use import announced_vae
from vaenas.vae.archvae import EpochCallback

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
    pruner: Pruner | str | None = None,
    pruner_options: dict[str, Any] | None = None,
    on_pretrain_epoch: EpochCallback | None = None,
    evaluation: dict[str, Any] | None = None,
    max_retries: int = 2,
    research_options: dict[str, Any] | None = None,
    build: Callable[[Any], Any] | None = None,
    input_shape: tuple[int, int, int] | None = None,
    proxies: ProxyRanking | None = None,
) -> Study:
    """A study of `space` searched by `strategy` (objects, or registered names).

    `strategy_options` set the declared options of a strategy given by name (e.g.
    `{"n_init": 5}`; `vaenas strategies` lists them; an unknown option is refused with
    the list of known ones). They are part of the study's identity, as the space and seed
    are, with the defaults of those not given written out. `research_options` set the
    strategy's other constructor settings, which benchmark scripts measure
    (docs/decisions); users need not.

    `storage`: None keeps trials in memory; a folder path keeps them in that folder's
    SQLite journal (locked while the study is open), and a study created again on the
    same folder resumes it. A latent strategy given by name pretrains the space's VAE on
    first use (cached, as `vaenas search` does) unless `vae` is given.

    `objectives` searches several at once: name -> "maximize" | "minimize", where
    "value" is what `fn` returns (an Evaluation's value) and other names are keys of the
    Evaluation's metrics, e.g. `{"value": "maximize", "latency": "minimize"}`; the
    strategy must be one for several objectives (mobo, nsga2, rs), and `study.front`
    lists the non-dominated trials.

    `pruner` stops trials whose reports lag (a Pruner, or "median", "asha", "hyperband"
    with `pruner_options`); the objective reports through its second parameter,
    fn(arch, trial): `trial.report(value, epoch)`, then `if trial.should_prune(): raise
    vaenas.TrialPruned()`.

    A VAE pretrained on first use reports its epochs to `on_pretrain_epoch(epoch,
    epochs, loss)`, or by default to the `vaenas` logger. Creating a study again on a
    folder this process already holds (a notebook cell run twice) closes the earlier
    study object and takes the folder over.

    `evaluation` names what evaluates the trials (`objective`, `dataset`,
    `objective_options`: a registered objective, as `vaenas search` runs it); it is kept
    in the study's identity, and with it an objective may be named by its value's name
    (e.g. `accuracy`). `max_retries`: how often a trial whose worker was lost is run
    again before it counts as failed.

    `build(arch) -> torch.nn.Module` with `input_shape` (channels, height, width) lets a
    strategy compute zero-cost proxies of your space's networks (`strategy_options=
    {"warm_start": "synflow"}`: bo's initial design from the proxy's top 1%); they are
    cached per space, network code and proxy. `proxies` is a ProxyRanking of your own, or
    what `vaenas search` computes from a classifier objective's networks."""
    ensure_handler()
    _check_argument_types(space, strategy, vae, strategy_options, objectives, on_pretrain_epoch, evaluation)
    check_seed(seed)
    check_count("max_retries", max_retries, low=0)
    check_storage_spec(storage)
    chosen_pruner = make_pruner(pruner, pruner_options)
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise InvalidArgumentError(f"direction must be maximize or minimize, got {direction!r}")
    chosen = _criteria(objectives, evaluation) if objectives else None
    space = make_space(space) if isinstance(space, str) else space
    if isinstance(strategy, str):
        cls = STRATEGIES.get(strategy)
        settings = checked_settings(strategy, cls, strategy_options, research_options)  # before pretraining a VAE
        ranking = proxies or (user_network_proxies(space, build, input_shape) if build is not None else None)
        cls.check_space(space, settings, ranking is not None)
        check_objective_count(strategy, cls, chosen is not None, "objectives={...}")
        progress = on_pretrain_epoch or pretraining_logger(space.name)
        latent = {"vae": vae or announced_vae(space, on_epoch=progress)} if needs_vae(strategy) else {}
        strategy = make_strategy(strategy, space, seed=seed, **latent, proxies=ranking, **settings)
        options = resolved_options(cls, settings)
    elif strategy_options or research_options or build is not None or proxies is not None:
        raise InvalidArgumentError("strategy_options, build and proxies go with a strategy name; a Strategy object "
                                   "has its options already")
    elif strategy.space is not space:
        raise InvalidArgumentError(f"strategy {strategy.name!r} was built for another space object than the study's")
    else:
        check_objective_count(strategy.name, type(strategy), chosen is not None, "objectives={...}")
        options = {}
    identity = study_identity(space, strategy.name, seed, direction, options, objectives,
                              pruner_identity(chosen_pruner), evaluation)
    if isinstance(storage, (str, Path)):
        earlier = _HELD.pop(Path(storage).resolve(), None)
        if earlier is not None:
            earlier.close()  # a second create in this process takes the folder over
    storage, folder = get_storage(storage)
    try:
        study = Study(space, strategy, storage, identity, maximize=direction == "maximize", folder=folder,
                      criteria=chosen, pruner=chosen_pruner, max_retries=max_retries)
    except BaseException:
        storage.close()
        if folder is not None:
            folder.close()
        raise
    if folder is not None:
        _HELD[folder.path.resolve()] = study
    return study


def _check_argument_types(space: Any, strategy: Any, vae: Any, strategy_options: Any, objectives: Any,
                          on_pretrain_epoch: Any, evaluation: Any) -> None:
    """One line naming an argument of the wrong kind, before anything is built."""
    check_instance("space", space, (str, SearchSpace), "a space name or a SearchSpace")
    check_instance("strategy", strategy, (str, Strategy), "a strategy name or a Strategy")
    if vae is not None:
        check_instance("vae", vae, (ArchVAE,), "an ArchVAE or None")
    for name, value in (("strategy_options", strategy_options), ("objectives", objectives),
                        ("evaluation", evaluation)):
        if value is not None:
            check_instance(name, value, (dict,), "a dict or None")
    check_callable("on_pretrain_epoch", on_pretrain_epoch, "fn(epoch, epochs, loss)")


_HELD: weakref.WeakValueDictionary[Path, Study] = weakref.WeakValueDictionary()
"""The study objects of this process by the folder they hold."""


def _criteria(objectives: dict[str, str], evaluation: dict[str, Any] | None) -> list[Criterion]:
    """The criteria of `objectives`; with a registered objective named in `evaluation`,
    its value may go by its own name and its metrics' directions are checked."""
    wrong = [f"{name}={way!r}" for name, way in objectives.items() if way not in DIRECTIONS]
    if wrong:
        raise InvalidArgumentError(f"objectives take maximize or minimize, got {', '.join(wrong)}")
    if evaluation and evaluation.get("objective"):
        chosen = criteria(list(objectives), OBJECTIVES.get(evaluation["objective"]))
        flipped = [c.name for c in chosen if c.maximize != (objectives[c.name] == "maximize")]
        if flipped:
            raise InvalidArgumentError(f"objective {evaluation['objective']!r} fixes the direction of {flipped[0]!r}")
        return chosen
    if len(objectives) < 2:
        raise InvalidArgumentError('name at least two objectives, e.g. {"value": "maximize", "latency": "minimize"}')
    return criteria_by_direction(list(objectives), objectives)
