"""`vaenas train`: the architecture a search chose (or its top k) trained stand-alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaenas.cli.app import (
    DataOrDefault,
    Augment,
    DataSeed,
    MinSteps,
    Device,
    ImageLatent,
    ImageSize,
    Precision,
    app,
    console,
    objective_options,
    user_errors,
)


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
    device: Device = None,
    precision: Precision = None,
    image_size: ImageSize = None,
    data_seed: DataSeed = None,
    augment: Augment = None,
    min_steps: MinSteps = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for model.pt and result.json.")] = Path("runs/train"),
) -> None:
    """Train one chosen architecture on the training and validation images, report the test split, and save it."""
    from vaenas.objectives import make_objective
    from vaenas.reports.final_training import chosen_arch, top_archs, train_chosen
    from vaenas.study.arguments import check_count, check_seed
    from vaenas.study.storages.folder import check_can_write

    check_can_write(out)
    check_seed(seed)
    options = objective_options(epochs=epochs, latent_dim=image_latent_dim, device=device, precision=precision,
                                image_size=image_size, data_seed=data_seed,
                                augment=augment, min_steps=min_steps)
    scorer = make_objective(objective, dataset, **options, seed=seed)
    settings = {"objective": objective, "dataset": dataset, "epochs": epochs}
    if top is not None:
        check_count("top", top)
        table = Table(title=f"the {top} best of {arch}, retrained stand-alone for {epochs} epochs")
        rows = []
        for rank, text in enumerate(top_archs(Path(arch), top, scorer), start=1):
            with console.status(f"training {text} ({rank} of {top})"):
                done = train_chosen(scorer, text, out / f"rank{rank}", settings)
            rows.append((str(rank), text, f"{done.value:.3f}", str(done.model_path)))
        for column in ("rank", "architecture", done.metrics.get("value_is", "value"), "model"):
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    text = chosen_arch(arch, scorer)
    with console.status(f"training {text} for {epochs} epochs"):
        result = train_chosen(scorer, text, out, settings)
    what = result.metrics.get("value_is", "value")
    spread = f" ± {result.metrics['value_se']:.1f}" if "value_se" in result.metrics else ""
    console.print(f"{objective}: {what} {result.value:.2f}{spread}; model in {result.model_path} "
                  f"(use: vaenas predict {result.model_path} IMAGE..., or vaenas.load_model(path).predict(images))")
