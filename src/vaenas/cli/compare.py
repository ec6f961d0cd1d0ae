"""`vaenas compare`: strategies side by side over many seeds, and the files that sum them up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vaenas.cli.app import (
    Budget,
    CacheDir,
    DataOrDefault,
    Objective,
    Objectives,
    PrunerName,
    PrunerOptions,
    ResearchOptions,
    Space,
    StrategyOptions,
    app,
    console,
    names,
    pretraining_bar,
    progress_bars,
    pruner_options,
    saved_on_interrupt,
    user_errors,
)


@app.command()
@user_errors
def compare(
    space: Space = "nb201",
    dataset: DataOrDefault = None,
    strategies: Annotated[str, typer.Option(help="Comma-separated strategies.")] = "rs,re,ls,bo",
    strategy_option: StrategyOptions = None,
    research_option: ResearchOptions = None,
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
    from vaenas.objectives import OBJECTIVES
    from vaenas.reports.comparison import write_comparison
    from vaenas.search.options import parse_scoped_options
    from vaenas.study import StudyConfig
    from vaenas.study.compare import run_comparison
    from vaenas.study.storages.folder import check_can_write

    chosen = names(strategies)
    dataset = dataset or OBJECTIVES.get(objective or space).default_dataset  # named in the journals
    base = StudyConfig(
        space=space, dataset=dataset, budget=budget, objective=objective, objectives=names(objectives),
        vae_cache=str(vae_cache) if vae_cache else None, pruner=pruner, pruner_options=pruner_options(pruner_option),
    )
    options = parse_scoped_options(strategy_option or [], chosen)
    research = parse_scoped_options(research_option or [], chosen)
    check_can_write(out)
    resume = f"finished studies are saved in {out}/runs; run the same command to go on"
    with progress_bars() as progress, saved_on_interrupt(resume):
        on_pretrain_epoch = pretraining_bar(progress, space)
        task = progress.add_task(f"compare on {space}/{dataset}", total=len(chosen) * max(seeds, 0), status="")
        by_strategy = run_comparison(
            base, chosen, seeds, out, workers=workers, first_seed=first_seed, strategy_options=options,
            research_options=research, on_done=lambda r: progress.update(task, advance=1, status=f"{r.config.strategy} seed {r.config.seed}"),
            on_pretrain_epoch=on_pretrain_epoch,
        )
    seed_text = f"seeds {first_seed}-{first_seed + seeds - 1}"
    report = write_comparison(out, base, by_strategy, f"{space} / {dataset}, {seed_text}")
    title = f"vaenas compare: {space} / {dataset}, {seed_text}"
    console.print(_summary_table(f"{title} (mean ± std of best)", report.rows, chosen, "best"))
    if metric := report.reported_metric:
        console.print(_summary_table(f"{title} (mean ± std of {metric} at the best)", report.rows, chosen, f"{metric}_at_best"))
    if report.hypervolume_rows is not None and report.scale is not None and report.criteria is not None:
        measure = "hypervolume_share" if report.scale.attainable else "hypervolume"
        what = "hypervolume as a share of the true front's" if report.scale.attainable else "hypervolume"
        console.print(_summary_table(f"{title} (mean ± std of the {what})", report.hypervolume_rows, chosen, measure, ".4g"))
        reference = ", ".join(f"{c.name} {v:.4g}" for c, v in zip(report.criteria, report.scale.reference))
        console.print(f"hypervolume reference: {reference} ({report.scale.rule})")
    console.print(f"{', '.join(report.files)} in {out}/")


def _summary_table(title: str, rows: list[dict[str, Any]], strategies: list[str], column: str,
                   digits: str = ".3f") -> Table:
    """Queries down, strategies across: mean ± std of a summary.csv column pair."""
    table = Table(title=title)
    table.add_column("queries", justify="right")
    for name in strategies:
        table.add_column(name, justify="right")
    for q in sorted({int(r["queries"]) for r in rows}):
        cells = {r["strategy"]: f"{r[f'mean_{column}']:{digits}} ± {r[f'std_{column}']:{digits}}" for r in rows if r["queries"] == q}
        table.add_row(str(q), *(cells[n] for n in strategies))
    return table
