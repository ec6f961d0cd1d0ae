"""`vaenas supernet`: a weight-sharing supernet trained once, to score architectures in
milliseconds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vaenas.cli.app import app, console, progress_bars, user_errors


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
    from vaenas.spaces import make_space
    from vaenas.study.arguments import check_count, check_seed
    from vaenas.study.storages.folder import check_can_write

    check_count("epochs", epochs)
    check_seed(seed)
    check_can_write(out)
    chosen = make_space(space)
    data = load_image_data(dataset, seed)
    torch.manual_seed(seed)
    net = make_supernet(chosen, data)
    with progress_bars() as progress:
        task = progress.add_task(f"supernet on {space} / {dataset}", total=epochs, status="")
        training = train_supernet(net, data, epochs, seed,
                                  on_epoch=lambda e, n, loss: progress.update(task, completed=e, status=f"loss {loss:.3f}"))
    path = save_supernet(out, net, dataset, training, seed)
    objective = "cell-supernet" if chosen.name == "nb201" else "supernet"
    console.print(f"supernet trained for {epochs} epochs ({training.steps} steps, {training.seconds:.0f} s) in {path}; "
                  f"search it with: vaenas search --objective {objective} --supernet {out}")
