"""`vaenas pareto`: the trade-off in a study's trials."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaenas.cli.app import app, console, names, user_errors


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
    from vaenas.reports.pareto import write_pareto_report
    from vaenas.study.storages.folder import PARETO_FILE, check_can_write

    check_can_write(out.parent if out else folder)
    view, summary, picture = write_pareto_report(folder, names(objectives), out)
    table = Table(title=f"Pareto front of {folder} ({len(summary['front'])} of {len(view.trials)} trials)")
    table.add_column("architecture", overflow="fold")
    for c in view.criteria:
        table.add_column(c.name, justify="right")
    for row in summary["front"]:
        table.add_row(row["arch"], *(f"{row[c.name]:.4g}" for c in view.criteria))
    console.print(table)
    console.print(f"hypervolume {summary['hypervolume']:.4g} (reference: the worst value of each criterion); "
                  f"{folder / PARETO_FILE} and {picture}")
