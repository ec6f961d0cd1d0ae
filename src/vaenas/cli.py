"""The `vaenas` command line."""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from vaenas.comparison_report import write_comparison
from vaenas.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, InvalidArgumentError, Terminated, VaenasError
from vaenas.latent_map import check_line_steps, check_mappable
from vaenas.latent_map import latent_map as build_latent_map
from vaenas.objectives import OBJECTIVES, make_objective
from vaenas.pareto_report import write_pareto_report
from vaenas.report import plot_latent_map, reported_at_best
from vaenas.final_training import chosen_arch, top_archs, train_chosen
from vaenas.search.options import parse_option, parse_scoped_options
from vaenas.spaces import make_space
from vaenas.study import ConfiguredStudy, StudyConfig, StudyResult
from vaenas.study.arguments import check_count, check_seed, check_workers
from vaenas.study.compare import run_comparison
from vaenas.study.executors.registry import default_executor
from vaenas.study.storages.folder import PARETO_FILE, check_can_write
from vaenas.study.trial_log import set_verbosity
from vaenas.vae import ArchVAE, VAEConfig, cached_vae, save_pretrained
from vaenas.vae import pretrain as run_pretrain
from vaenas.vae.archvae import EpochCallback

app = typer.Typer(
    help="Neural architecture search driven by a variational autoencoder over architectures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
F = TypeVar("F", bound=Callable[..., Any])
set_verbosity(logging.ERROR)  # the command line shows progress bars and tables, not a log line per trial


def user_errors(command: F) -> F:
    """Turns a VaenasError into one line on stderr and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _one_line_warning
                return command(*args, **kwargs)
        except VaenasError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt as exc:  # commands with nothing to resume
            Console(stderr=True).print("interrupted", highlight=False)
            raise typer.Exit(_interrupted_status(exc)) from None

    return wrapper  # type: ignore[return-value]


def _one_line_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    """A warning as one line on stderr, without Python's file and source line."""
    Console(stderr=True).print(f"[yellow]warning:[/yellow] {escape(str(message))}", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _saved_on_interrupt(message: str) -> Iterator[None]:
    """Ctrl-C: one line saying what is kept and how to go on, exit status 130."""
    try:
        yield
    except KeyboardInterrupt as exc:
        Console(stderr=True).print(f"interrupted: {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(_interrupted_status(exc)) from None


def _interrupted_status(exc: KeyboardInterrupt) -> int:
    """130 after Ctrl-C, 143 after SIGTERM, as a shell reports a process those signals end."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not sys.stderr.isatty() and not sys.stdout.isatty(),
    )


def _pretraining_bar(progress: Progress, space: str) -> EpochCallback:
    """An epoch callback that shows a bar for a VAE pretrained on first use (and nothing
    when the cache already holds it)."""
    task: list[TaskID] = []

    def on_epoch(epoch: int, epochs: int, loss: float) -> None:
        if not task:
            task.append(progress.add_task(f"pretrain VAE on {space} (first use)", total=epochs, status=""))
        progress.update(task[0], completed=epoch, total=epochs, status=f"loss {loss:.3f}")

    return on_epoch


StrategyOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy-option", "-S",
        help="KEY=VALUE option of the strategy (repeatable), e.g. acquisition=ucb; "
        "STRATEGY:KEY=VALUE in compare.",
    ),
]
PrunerName = Annotated[
    str,
    typer.Option(help="Stop trials whose per-epoch values lag: none, median, asha or hyperband (trained objectives)."),
]
PrunerOptions = Annotated[
    list[str] | None,
    typer.Option("--pruner-option", "-P", help="KEY=VALUE option of the pruner (repeatable), e.g. reduction_factor=2."),
]
Space = Annotated[str, typer.Option(help="Search space.")]
Dataset = Annotated[str, typer.Option(help="Data set of the objective.")]
Objective = Annotated[
    str | None, typer.Option(help="Objective; default: the space's own table benchmark.")
]
SpaceOrDefault = Annotated[
    str | None, typer.Option(help="Search space; default nb201, or the objective's space.")
]
DataOrDefault = Annotated[
    str | None,
    typer.Option(
        "--dataset", "--data",
        help="Data set: cifar10 / cifar100 / imagenet16-120 for nb201; digits, synthetic or "
        "cifar10:PATH for trained objectives. Default: the objective's own.",
    ),
]
Objectives = Annotated[
    str | None,
    typer.Option(
        help="Search several objectives at once, comma-separated: the value (or its name, e.g. accuracy) "
        "and metrics of the objective, e.g. accuracy,latency; strategies mobo, nsga2 or rs.",
    ),
]
Epochs = Annotated[int | None, typer.Option(help="Training epochs per candidate (trained objectives).")]
Subset = Annotated[
    int | None, typer.Option(help="Train each candidate on the first N training images (low fidelity).")
]
ImageLatent = Annotated[int | None, typer.Option(help="Latent size of the imagevae objective's VAE.")]
ProxyName = Annotated[
    str | None, typer.Option(help="Zero-cost proxy of the nb201-proxy objective: synflow, params or flops.")
]
Budget = Annotated[int, typer.Option(help="Number of distinct architectures to evaluate.")]
CacheDir = Annotated[
    Path | None, typer.Option(help="Pretrained-VAE cache; default $VAENAS_CACHE or ~/.cache/vaenas.")
]


@app.command()
@user_errors
def search(
    space: SpaceOrDefault = None,
    dataset: DataOrDefault = None,
    strategy: Annotated[
        str | None, typer.Option(help="Search strategy; default bo, or mobo with --objectives.")
    ] = None,
    strategy_option: StrategyOptions = None,
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
    ray_address: Annotated[
        str | None, typer.Option(help="Address of an existing Ray cluster (with --executor ray).")
    ] = None,
) -> None:
    """Search a space; rerunning the same command on the same --out resumes the study.
    Writes OUT/study.db, OUT/results.json, OUT/best_arch.json and, for trained
    objectives, OUT/best_model.pt (reload it with vaenas.load_model)."""
    space = space or (OBJECTIVES.get(objective).space_name if objective else "nb201")
    strategy = strategy or ("mobo" if objectives else "bo")
    options = _objective_options(epochs=epochs, subset=subset, latent_dim=image_latent_dim, proxy=proxy,
                                 supernet=str(supernet) if supernet else None)
    config = StudyConfig(
        space=space, dataset=dataset, strategy=strategy, budget=budget, seed=seed,
        objective=objective, objective_options=options, vae_cache=str(vae_cache) if vae_cache else None,
        strategy_options=dict(parse_option(o) for o in strategy_option or []), objectives=_names(objectives),
        pruner=pruner, pruner_options=_pruner_options(pruner_option),
    )
    config.check_names()
    if out is None:
        out = Path("runs") / "-".join([*_study_label(config), strategy, f"seed{seed}"])
    check_can_write(out)  # before a VAE is pretrained
    check_workers(workers)
    if ray_address and executor not in (None, "ray"):
        raise InvalidArgumentError("--ray-address goes with --executor ray")
    executor = executor or ("ray" if ray_address else default_executor(workers))
    with _progress() as progress, _saved_on_interrupt(f"the study in {out} is saved; run the same command to resume it"):
        study = ConfiguredStudy(
            config, out, executor=executor, workers=workers if workers > 1 else None, address=ray_address,
            on_pretrain_epoch=_pretraining_bar(progress, config.space),
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


def _pruner_options(texts: list[str] | None) -> dict[str, Any]:
    return dict(parse_option(t, "pruner option", "reduction_factor=2") for t in texts or [])


def _names(listing: str | None) -> list[str]:
    """A comma-separated option as a list (empty when not given)."""
    return [n.strip() for n in (listing or "").split(",") if n.strip()]


def _objective_options(**options: int | str | None) -> dict[str, int | str]:
    """The options a user gave (None means: the objective's default)."""
    return {k: v for k, v in options.items() if v is not None}


def _study_label(config: StudyConfig) -> list[str]:
    """Space, objective (when not the space's own table) and data set of a study."""
    name = config.objective_name
    parts = [config.space] if name == config.space else [config.space, name]
    return [*parts, _safe(config.dataset or OBJECTIVES.get(name).default_dataset or "default")]


def _safe(text: str) -> str:
    """A data spec as a folder name (cifar10:/data/x -> cifar10)."""
    return text.partition(":")[0]


def _print_result(result: StudyResult, out: Path) -> None:
    table = Table(title=f"vaenas search: {' / '.join(_study_label(result.config))}")
    table.add_column("best architecture", overflow="fold")
    table.add_column("value", justify="right")
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


@app.command()
@user_errors
def train(
    arch: Annotated[
        str, typer.Option(help="best_arch.json of a search, an architecture string, or a study folder (with --top).")
    ],
    top: Annotated[int | None, typer.Option(help="Retrain the K best trials of the study folder --arch.")] = None,
    objective: Annotated[str, typer.Option(help="Trained objective: classifier, cell-classifier or imagevae.")] = "classifier",
    dataset: DataOrDefault = None,
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 10,
    image_latent_dim: ImageLatent = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for model.pt and result.json.")] = Path("runs/train"),
) -> None:
    """Train one chosen architecture fully on the whole training split and save it."""
    check_can_write(out)
    check_seed(seed)
    scorer = make_objective(objective, dataset, **_objective_options(epochs=epochs, latent_dim=image_latent_dim), seed=seed)
    settings = {"objective": objective, "dataset": dataset, "epochs": epochs}
    if top is not None:
        check_count("top", top)
        table = Table(title=f"the {top} best of {arch}, retrained stand-alone for {epochs} epochs")
        for column in ("rank", "architecture", "value", "test", "model"):
            table.add_column(column)
        for rank, text in enumerate(top_archs(Path(arch), top, scorer), start=1):
            with console.status(f"training {text} ({rank} of {top})"):
                done = train_chosen(scorer, text, out / f"rank{rank}", settings)
            test = done.metrics.get("test_accuracy")
            table.add_row(str(rank), text, f"{done.value:.3f}", "-" if test is None else f"{test:.3f}", str(done.model_path))
        console.print(table)
        return
    text = chosen_arch(arch, scorer)
    with console.status(f"training {text} for {epochs} epochs"):
        result = train_chosen(scorer, text, out, settings)
    console.print(f"{objective} value {result.value:.4f}; model in {result.model_path} "
                  "(reload: vaenas.load_model(path))")


@app.command()
@user_errors
def compare(
    space: Space = "nb201",
    dataset: DataOrDefault = None,
    strategies: Annotated[str, typer.Option(help="Comma-separated strategies.")] = "rs,re,ls,bo",
    strategy_option: StrategyOptions = None,
    pruner: PrunerName = "none",
    pruner_option: PrunerOptions = None,
    budget: Budget = 150,
    seeds: Annotated[int, typer.Option(help="Seeds per strategy: FIRST..FIRST+N-1.")] = 20,
    first_seed: Annotated[int, typer.Option(help="First seed (confirm a setting on seeds it was not chosen on).")] = 0,
    objective: Objective = None,
    objectives: Objectives = None,
    workers: Annotated[int | None, typer.Option(help="Parallel processes (at least 1); default: all cores.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/compare"),
    vae_cache: CacheDir = None,
) -> None:
    """Run strategies side by side over many seeds; writes summary.csv, regret.png and
    queries_to_regret.csv."""
    names = _names(strategies)
    dataset = dataset or OBJECTIVES.get(objective or space).default_dataset  # named in the journals
    base = StudyConfig(
        space=space, dataset=dataset, budget=budget, objective=objective, objectives=_names(objectives),
        vae_cache=str(vae_cache) if vae_cache else None, pruner=pruner, pruner_options=_pruner_options(pruner_option),
    )
    options = parse_scoped_options(strategy_option or [], names)
    check_can_write(out)
    resume = f"finished studies are saved in {out}/runs; run the same command to go on"
    with _progress() as progress, _saved_on_interrupt(resume):
        on_pretrain_epoch = _pretraining_bar(progress, space)
        task = progress.add_task(f"compare on {space}/{dataset}", total=len(names) * max(seeds, 0), status="")
        by_strategy = run_comparison(
            base, names, seeds, out, workers=workers, first_seed=first_seed, strategy_options=options,
            on_done=lambda r: progress.update(task, advance=1, status=f"{r.config.strategy} seed {r.config.seed}"),
            on_pretrain_epoch=on_pretrain_epoch,
        )
    seed_text = f"seeds {first_seed}-{first_seed + seeds - 1}"
    report = write_comparison(out, base, by_strategy, f"{space} / {dataset}, {seed_text}")
    title = f"vaenas compare: {space} / {dataset}, {seed_text}"
    console.print(_summary_table(f"{title} (mean ± std of best)", report.rows, names, "best"))
    if metric := report.reported_metric:
        console.print(_summary_table(f"{title} (mean ± std of {metric} at the best)", report.rows, names, f"{metric}_at_best"))
    if report.hypervolume_rows is not None and report.scale is not None and report.criteria is not None:
        measure = "hypervolume_share" if report.scale.attainable else "hypervolume"
        what = "hypervolume as a share of the true front's" if report.scale.attainable else "hypervolume"
        console.print(_summary_table(f"{title} (mean ± std of the {what})", report.hypervolume_rows, names, measure, ".4g"))
        reference = ", ".join(f"{c.name} {v:.4g}" for c, v in zip(report.criteria, report.scale.reference))
        console.print(f"hypervolume reference: {reference} ({report.scale.rule})")
    console.print(f"{', '.join(report.files)} in {out}/")


def _summary_table(title: str, rows: list[dict[str, Any]], names: list[str], column: str, digits: str = ".3f") -> Table:
    """Queries down, strategies across: mean ± std of a summary.csv column pair."""
    table = Table(title=title)
    table.add_column("queries", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    for q in sorted({int(r["queries"]) for r in rows}):
        cells = {r["strategy"]: f"{r[f'mean_{column}']:{digits}} ± {r[f'std_{column}']:{digits}}" for r in rows if r["queries"] == q}
        table.add_row(str(q), *(cells[n] for n in names))
    return table


@app.command()
@user_errors
def pareto(
    folder: Annotated[Path, typer.Argument(help="Folder of a study (the --out of vaenas search).")],
    objectives: Annotated[
        str | None,
        typer.Option(help="Comma-separated criteria: value and metrics of the objective, e.g. value,latency. "
                     "Default: value and the objective's first cost metric."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="PNG to write; default FOLDER/pareto.png.")] = None,
) -> None:
    """The trade-off in a study's trials: writes FOLDER/pareto.json (the non-dominated
    trials and their hypervolume) and a picture with the dominated trials faded."""
    check_can_write(out.parent if out else folder)
    view, summary, picture = write_pareto_report(folder, _names(objectives), out)
    table = Table(title=f"Pareto front of {folder} ({len(summary['front'])} of {len(view.trials)} trials)")
    table.add_column("architecture", overflow="fold")
    for c in view.criteria:
        table.add_column(c.name, justify="right")
    for row in summary["front"]:
        table.add_row(row["arch"], *(f"{row[c.name]:.4g}" for c in view.criteria))
    console.print(table)
    console.print(f"hypervolume {summary['hypervolume']:.4g} (reference: the worst value of each criterion); "
                  f"{folder / PARETO_FILE} and {picture}")


@app.command()
@user_errors
def supernet(
    space: Annotated[str, typer.Option(help="macro (or another layer space): elastic layers; nb201: one-shot cells.")] = "macro",
    dataset: Annotated[str, typer.Option("--dataset", "--data", help="digits, synthetic or cifar10:PATH.")] = "digits",
    epochs: Annotated[
        int, typer.Option(help="Training epochs (30: see docs/decisions/supernet-training.md).")
    ] = 30,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for supernet.pt.")] = Path("runs/supernet"),
) -> None:
    """Train a weight-sharing supernet once; then score architectures through it with
    `vaenas search --objective supernet --supernet OUT` (nb201: `--objective
    cell-supernet`), milliseconds each, and retrain the best macro ones stand-alone with
    `vaenas train --arch SEARCH_OUT --top 5` (cells: `--objective cell-classifier`)."""
    import torch

    from vaenas.objectives.image_data import load_image_data
    from vaenas.objectives.supernet import make_supernet, save_supernet, train_supernet

    check_count("epochs", epochs)
    check_seed(seed)
    check_can_write(out)
    chosen = make_space(space)
    data = load_image_data(dataset, seed)
    torch.manual_seed(seed)
    net = make_supernet(chosen, data)
    with _progress() as progress:
        task = progress.add_task(f"supernet on {space} / {dataset}", total=epochs, status="")
        training = train_supernet(net, data, epochs, seed,
                                  on_epoch=lambda e, n, loss: progress.update(task, completed=e, status=f"loss {loss:.3f}"))
    path = save_supernet(out, net, dataset, training, seed)
    objective = "cell-supernet" if chosen.name == "nb201" else "supernet"
    console.print(f"supernet trained for {epochs} epochs ({training.steps} steps, {training.seconds:.0f} s) in {path}; "
                  f"search it with: vaenas search --objective {objective} --supernet {out}")


LatentDim = Annotated[int, typer.Option(help="Latent dimensions (one Gaussian per architecture).")]


@app.command()
@user_errors
def pretrain(
    space: Space = "nb201",
    out: Annotated[Path, typer.Option(help="Folder for vae.pt and metrics.json.")] = Path("runs/vae"),
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = VAEConfig.epochs,
    latent_dim: LatentDim = VAEConfig.latent_dim,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    samples: Annotated[
        int | None, typer.Option(help="Architectures to train on (infinite spaces; default 20000).")
    ] = None,
) -> None:
    """Train the architecture VAE without labels (90/10 split) and report its quality."""
    if epochs < 1:
        raise InvalidArgumentError(f"epochs must be at least 1, got {epochs}")
    config = VAEConfig(epochs=epochs, latent_dim=latent_dim, seed=seed)
    with _progress() as progress:
        task = progress.add_task(f"pretrain VAE on {space}", total=epochs, status="")
        vae, metrics = run_pretrain(
            make_space(space), config, samples=samples,
            on_epoch=lambda e, n, loss: progress.update(task, completed=e, total=n, status=f"loss {loss:.3f}"),
        )
    save_pretrained(vae, metrics, out)
    table = Table(title=f"architecture VAE on {space}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, str(value))
    console.print(table)
    console.print(f"checkpoint and metrics in {out}/")


@app.command(name="map")
@user_errors
def latent_map(
    space: Space = "nb201",
    dataset: Dataset = "cifar10",
    objective: Objective = None,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("runs/map.png"),
    method: Annotated[str, typer.Option(help="Projection: pca or tsne.")] = "pca",
    interpolate: Annotated[
        int, typer.Option(help="Architectures decoded on the line between two good ones (0: no line).")
    ] = 10,
    vae: Annotated[Path | None, typer.Option(help="VAE checkpoint; default: the cached one.")] = None,
    cache_dir: CacheDir = None,
) -> None:
    """Draw every architecture's embedding in 2-D, coloured by its value, and the
    architectures decoded along a straight latent line between two good ones."""
    check_line_steps(interpolate)
    check_can_write(out.parent)
    search_space = make_space(space)
    scorer = make_objective(objective or space, dataset)
    check_mappable(search_space, scorer)  # before a VAE is pretrained
    if vae is not None:
        model = ArchVAE.load(vae, search_space)
    else:
        with _progress() as progress:
            model = cached_vae(search_space, cache_dir=cache_dir, on_epoch=_pretraining_bar(progress, space))
    found = build_latent_map(search_space, scorer, model, method, interpolate)
    route = route_values = None
    if found.line:
        route, route_values = found.coords[found.line], found.values[found.line]
        table = Table(title="decoded along the line from A to B")
        for column in ("step", "architecture", f"{dataset} value"):
            table.add_column(column)
        for step, i in enumerate(found.line):
            table.add_row(str(step), search_space.format(found.archs[i]), f"{found.values[i]:.2f}")
        console.print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    plot_latent_map(
        out, found.coords, found.values, f"{space} latent space ({method.upper()})", f"{dataset} value",
        route, route_values,
    )
    console.print(f"latent map of {len(found.archs)} architectures in {out}")


def main() -> None:
    app()
