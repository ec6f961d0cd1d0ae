"""`vaenas pretrain`: the architecture VAE trained without labels, and its quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaenas.cli.app import Space, app, console, progress_bars, user_errors


@app.command()
@user_errors
def pretrain(
    space: Space = "nb201",
    out: Annotated[Path, typer.Option(help="Folder for vae.pt and metrics.json.")] = Path("runs/vae"),
    epochs: Annotated[int | None, typer.Option(help="Training epochs; default: the VAE's own (12).")] = None,
    latent_dim: Annotated[
        int | None, typer.Option(help="Latent dimensions (one Gaussian per architecture); default 16.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    samples: Annotated[
        int | None, typer.Option(help="Architectures to train on (infinite spaces; default 20000).")
    ] = None,
) -> None:
    """Train the architecture VAE without labels (90/10 split) and report its quality."""
    from vaenas.errors import InvalidArgumentError
    from vaenas.spaces import make_space
    from vaenas.vae import VAEConfig, save_pretrained
    from vaenas.vae import pretrain as run_pretrain

    defaults = VAEConfig()
    epochs = defaults.epochs if epochs is None else epochs
    if epochs < 1:
        raise InvalidArgumentError(f"epochs must be at least 1, got {epochs}")
    config = VAEConfig(epochs=epochs, latent_dim=defaults.latent_dim if latent_dim is None else latent_dim, seed=seed)
    with progress_bars() as progress:
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
