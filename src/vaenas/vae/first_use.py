"""The pretrained VAE a search needs, announced before a first-use pretraining starts
(kept out of pretrain.py, whose text is part of the cache key of every shipped VAE)."""

from __future__ import annotations

import math
from pathlib import Path

from vaenas.spaces import SearchSpace
from vaenas.vae.archvae import ArchVAE, EpochCallback
from vaenas.vae.model import VAEConfig
from vaenas.vae.pretrain import CHECKPOINT_FILE, cache_folder, cached_vae
from vaenas.vae.shipped import shipped_checkpoint


def announced_vae(space: SearchSpace, config: VAEConfig | None = None, cache_dir: Path | None = None,
                  on_epoch: EpochCallback | None = None) -> ArchVAE:
    """`cached_vae`; when it will pretrain (neither cached nor shipped), `on_epoch(0,
    epochs, nan)` first, so a progress display says so before the minutes it takes."""
    config = config or VAEConfig()
    folder = cache_folder(space, config, cache_dir)
    if on_epoch and not (folder / CHECKPOINT_FILE).is_file() and not shipped_checkpoint(folder.name):
        on_epoch(0, config.epochs, math.nan)
    return cached_vae(space, config, cache_dir, on_epoch)
