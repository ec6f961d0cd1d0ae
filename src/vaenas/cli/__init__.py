"""The `vaenas` command line: one module per command, each registered on the app of
`app.py` and importing its back-end only when it runs."""

from __future__ import annotations

from vaenas.cli.app import app

# registered in the order `vaenas --help` lists them: the main job first
from vaenas.cli import search, train, predict, compare, pareto, supernet, pretrain, latent_map, dashboard, strategies  # noqa: E402, I001

__all__ = ["app", "compare", "dashboard", "latent_map", "main", "pareto", "predict", "pretrain", "search", "strategies", "supernet", "train"]


def main() -> None:
    app()
