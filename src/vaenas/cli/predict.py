"""`vaenas predict` and `vaenas export`: a trained model used on new images, and written
as a file that runs without vaenas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vaenas.cli.app import app, console, user_errors


@app.command()
@user_errors
def predict(
    model: Annotated[Path, typer.Argument(help="model.pt of `vaenas train` or best_model.pt of a search.")],
    images: Annotated[list[Path], typer.Argument(help="Image files to classify.")],
) -> None:
    """Print each image's path, class and probability, tab-separated."""
    from vaenas.objectives import load_model

    usable = load_model(model)
    for path, prediction in zip(images, usable.predict(images)):
        typer.echo(f"{path}\t{prediction.class_name}\t{prediction.probability:.3f}")  # tabs kept, for cut and awk


@app.command()
@user_errors
def export(
    model: Annotated[Path, typer.Argument(help="model.pt of `vaenas train` or best_model.pt of a search.")],
    format: Annotated[str, typer.Option("--format", help="torchscript (torch.jit.load) or onnx (onnxruntime).")] = "torchscript",
    out: Annotated[Path | None, typer.Option(help="File to write; default MODEL with .ts or .onnx.")] = None,
) -> None:
    """Write the model as a TorchScript or ONNX file, and FILE.json with its input and classes."""
    from vaenas.objectives import load_model

    usable = load_model(model)
    target = out or model.with_suffix(".onnx" if format.strip().lower() == "onnx" else ".ts")
    written = usable.export(target, format)
    console.print(f"wrote {written} and {written}.json (input: float32 images in [0, 1] shaped "
                  f"(batch, {', '.join(map(str, usable.in_shape))}); classes: {', '.join(usable.class_names or [])})",
                  highlight=False)
