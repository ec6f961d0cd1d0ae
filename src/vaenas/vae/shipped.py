"""VAEs that ship with the package, pretrained with the default settings, so that the
first search of NAS-Bench-201 starts at once instead of after a minute of pretraining.

A shipped checkpoint is named after the cache folder its settings and the VAE's code
give (`cache_folder`): code or defaults that change the VAE change that name, and the
shipped file is then no longer used (and `tests/test_shipped_vae.py` asks for it to be
made again with `python tools/ship_vae.py`)."""

from __future__ import annotations

from pathlib import Path

SHIPPED_DIR = Path(__file__).parent / "data"
SHIPPED_SPACES = ("nb201",)
"""Spaces whose default VAE ships: the bundled table's space, the main command's."""


def shipped_checkpoint(cache_name: str) -> Path | None:
    """The shipped checkpoint of the cache folder named `cache_name`, if one ships."""
    path = SHIPPED_DIR / f"{cache_name}.pt"
    return path if path.is_file() else None
