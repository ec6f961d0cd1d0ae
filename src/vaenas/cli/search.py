"""`vaenas search`: one study, resumed from its folder when it exists."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from vaenas.cli.app import (
    Budget,
    CacheDir,
    DataOrDefault,
    Augment,
    DataSeed,
    MinSteps,
    Device,
    Epochs,
    ImageLatent,
    ImageSize,
    Objective,
    Objectives,
    Precision,
    PrunerName,
    PrunerOptions,
    ProxyName,
    ResearchOptions,
    SpaceOrDefault,
    StrategyOptions,
    Subset,
    app,
    console,
    names,
    objective_options,
    counting_bar,
    pretraining_bar,
    progress_bars,
    pruner_options,
    saved_on_interrupt,
    user_errors,
)
from vaenas.errors import InvalidArgumentError

if TYPE_CHECKING:
    from vaenas.study import StudyConfig, StudyResult


@app.command()
@user_errors
def search(
    space: SpaceOrDefault = None,
    dataset: DataOrDefault = None,
    strategy: Annotated[
        str | None, typer.Option(help="Search strategy; default bo, or mobo with --objectives.")
    ] = None,
    strategy_option: StrategyOptions = None,
    research_option: ResearchOptions = None,
    pruner: PrunerName = "none",
    pruner_option: PrunerOptions = None,
    budget: Budget = 100,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    objective: Objective = None,
    objectives: Objectives = None,
    epochs: Epochs = None,
    subset: Subset = None,
    image_latent_dim: ImageLatent = None,
    proxy: ProxyName = None,
    device: Device = None,
    precision: Precision = None,
    image_size: ImageSize = None,
    data_seed: DataSeed = None,
    augment: Augment = None,
    min_steps: MinSteps = None,
    supernet: Annotated[Path | None, typer.Option(help="Folder of a trained supernet (--objective supernet or cell-supernet).")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder; default runs/SPACE[-OBJECTIVE]-DATASET-STRATEGY-seedSEED."),
    ] = None,
    vae_cache: CacheDir = None,
    workers: Annotated[int, typer.Option(help="Trials evaluated at once.")] = 1,
    executor: Annotated[
        str | None,
        typer.Option(help="Where trials run: inprocess, pool or ray; default inprocess, pool when --workers > 1."),
    ] = None,
    gpus_per_trial: Annotated[
        float | None,
        typer.Option(help="GPUs each trial trains on (0.5: two trials share one); sizes how many run at once "
                     "(pool by default, or --executor ray)."),
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="Address of an existing Ray cluster (with --executor ray).")
    ] = None,
) -> None:
    """Search a space; rerunning the same command on the same --out resumes the study.
    Writes OUT/study.db, OUT/results.json, OUT/best_arch.json and, for trained
    objectives, OUT/best_model.pt (reload it with vaenas.load_model)."""
    from vaenas.study.arguments import check_count, check_seed, check_workers

    check_count("budget", budget)  # mistakes in plain numbers are answered before torch loads
    check_seed(seed)
    check_workers(workers)
    if ray_address and executor not in (None, "ray"):
        raise InvalidArgumentError("--ray-address goes with --executor ray")

    from vaenas.objectives import OBJECTIVES
    from vaenas.search.options import parse_option
    from vaenas.study import ConfiguredStudy, StudyConfig
    from vaenas.study.executors.registry import default_executor
    from vaenas.study.storages.folder import check_can_write

    space = space or (OBJECTIVES.get(objective).space_name if objective else "nb201")
    strategy = strategy or ("mobo" if objectives else "bo")
    options = objective_options(epochs=epochs, subset=subset, latent_dim=image_latent_dim, proxy=proxy,
                                supernet=str(supernet) if supernet else None, device=device, precision=precision,
                                image_size=image_size, data_seed=data_seed,
                                augment=augment, min_steps=min_steps)
    config = StudyConfig(
        space=space, dataset=dataset, strategy=strategy, budget=budget, seed=seed,
        objective=objective, objective_options=options, vae_cache=str(vae_cache) if vae_cache else None,
        strategy_options=dict(parse_option(o) for o in strategy_option or []),
        research_options=dict(parse_option(o, "research setting", "warp=log") for o in research_option or []),
        objectives=names(objectives),
        pruner=pruner, pruner_options=pruner_options(pruner_option),
    )
    config.check_names()
    if out is None:
        out = Path("runs") / "-".join([*study_label(config), strategy, f"seed{seed}"])
    check_can_write(out)  # before a VAE is pretrained
    executor = executor or ("ray" if ray_address else "pool" if gpus_per_trial else default_executor(workers))
    with progress_bars() as progress, saved_on_interrupt(f"the study in {out} is saved; run the same command to resume it"):
        study = ConfiguredStudy(
            config, out, executor=executor, workers=workers if workers > 1 else None, address=ray_address,
            on_pretrain_epoch=pretraining_bar(progress, config.space), gpus_per_trial=gpus_per_trial,
            on_proxies=counting_bar(progress, "zero-cost proxies for the warm start (cached)"),
        )
        task = progress.add_task(f"{strategy} on {out.name}", total=budget, status="")

        def advance(done: int, total: int, best: float | None) -> None:
            status = f"best {best:.3f}" if best is not None else ""
            if pruner != "none" and study.study is not None:
                status += f", {study.study.n_pruned} pruned"
            progress.update(task, completed=done, status=status)

        result = study.run(progress=advance)
    _print_result(result, out)
    if result.n_trials > budget:
        console.print(f"note: the study in {out} already had {result.n_trials} trials, more than --budget {budget}; "
                      "nothing new was run")


def study_label(config: StudyConfig) -> list[str]:
    """Space, objective (when not the space's own table) and data set of a study."""
    from vaenas.objectives import OBJECTIVES

    name = config.objective_name
    parts = [config.space] if name == config.space else [config.space, name]
    return [*parts, _safe(config.dataset or OBJECTIVES.get(name).default_dataset or "default")]


def _safe(text: str) -> str:
    """A data spec as a folder name (cifar10:/data/x -> cifar10)."""
    return text.partition(":")[0]


def _print_result(result: StudyResult, out: Path) -> None:
    from vaenas.objectives import OBJECTIVES
    from vaenas.reports.metrics import reported_at_best
    from vaenas.study.storages.folder import PARETO_FILE

    table = Table(title=f"vaenas search: {' / '.join(study_label(result.config))}")
    table.add_column("best architecture", overflow="fold")
    label = OBJECTIVES.get(result.config.objective_name).value_label
    table.add_column(f"value: {label}" if label else "value", justify="right")
    reported = float(reported_at_best(result)[-1]) if result.reported and result.values else math.nan
    if result.reported_metric:
        table.add_column(result.reported_metric, justify="right")
    table.add_column("regret", justify="right")
    table.add_column("queries", justify="right")
    table.add_column("seconds", justify="right")
    table.add_row(
        result.best_arch or "-",
        f"{result.best_value:.3f}" if result.best_value is not None else "-",
        *([f"{reported:.3f}" if math.isfinite(reported) else "-"] if result.reported_metric else []),
        f"{result.regret:.3f}" if result.regret is not None else "-",
        str(result.n_trials),
        f"{result.seconds:.1f}",
    )
    console.print(table)
    if result.front is not None:
        console.print(f"Pareto front over {', '.join(result.config.objectives)}: {len(result.front)} of "
                      f"{result.n_trials} trials, listed in {out / 'results.json'} and {out / PARETO_FILE} "
                      f"(draw it with: vaenas pareto {out})")
    console.print(f"journal and results in {out}/")
