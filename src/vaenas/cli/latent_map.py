"""`vaenas map`: every architecture's embedding in 2-D, and a decoded latent line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaenas.cli.app import CacheDir, Dataset, Objective, Space, app, console, pretraining_bar, progress_bars, user_errors


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
    from vaenas.objectives import make_objective
    from vaenas.reports.latent_map import check_line_steps, check_mappable
    from vaenas.reports.latent_map import latent_map as build_latent_map
    from vaenas.reports.plots import plot_latent_map
    from vaenas.spaces import make_space
    from vaenas.study.storages.folder import check_can_write
    from vaenas.vae import ArchVAE
    from vaenas.vae.first_use import announced_vae

    check_line_steps(interpolate)
    check_can_write(out.parent)
    search_space = make_space(space)
    scorer = make_objective(objective or space, dataset)
    check_mappable(search_space, scorer)  # before a VAE is pretrained
    if vae is not None:
        model = ArchVAE.load(vae, search_space)
    else:
        with progress_bars() as progress:
            model = announced_vae(search_space, cache_dir=cache_dir, on_epoch=pretraining_bar(progress, space))
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
