"""Unsupervised pretraining on a space's architectures, and the cache that makes it a
one-time cost: `vaenas search` with a latent strategy pretrains on first use."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from vaenas.saved_files import write_json_atomic
from vaenas.errors import InvalidArgumentError
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae.archvae import CHECKPOINT_VERSION, ArchVAE, EpochCallback
from vaenas.vae.model import VAEConfig
from vaenas.vae.quality import measure_quality
from vaenas.vae.shipped import shipped_checkpoint

CHECKPOINT_FILE = "vae.pt"
METRICS_FILE = "metrics.json"
DEFAULT_SAMPLES = 20_000


def training_archs(space: SearchSpace, samples: int | None, seed: int) -> list[Arch]:
    """Every architecture of a finite space no larger than `samples` (default 20,000),
    else that many distinct random ones."""
    n = samples or DEFAULT_SAMPLES
    if space.size is not None and n >= space.size:
        return list(space.enumerate())
    if n < 10:
        raise InvalidArgumentError(f"--samples must be at least 10, got {n}")
    return space.enumerate_or_sample(n, np.random.default_rng(seed))


def pretrain(
    space: SearchSpace,
    config: VAEConfig | None = None,
    samples: int | None = None,
    on_epoch: EpochCallback | None = None,
) -> tuple[ArchVAE, dict[str, Any]]:
    """Trains on 90 % of the architectures and measures quality on the other 10 %."""
    config = config or VAEConfig()
    archs = training_archs(space, samples, config.seed)
    order = np.random.default_rng(config.seed).permutation(len(archs))
    n_train = int(round(0.9 * len(archs)))
    train = [archs[i] for i in order[:n_train]]
    held_out = [archs[i] for i in order[n_train:]]
    started = time.perf_counter()
    vae = ArchVAE(space, config).fit(train, on_epoch=on_epoch)
    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = measure_quality(vae, held_out, train, seed=config.seed).to_json()
    metrics.update(seconds=round(seconds, 2), n_train=len(train), n_held_out=len(held_out))
    return vae, metrics


def save_pretrained(vae: ArchVAE, metrics: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    vae.save(out / CHECKPOINT_FILE)
    write_json_atomic(out / METRICS_FILE, metrics)


def default_cache_dir() -> Path:
    """$VAENAS_CACHE, else $XDG_CACHE_HOME/vaenas, else ~/.cache/vaenas."""
    if env := os.environ.get("VAENAS_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vaenas"


MODEL_SOURCES = ("model.py", "archvae.py", "node_decoder.py", "tensors.py", "pretrain.py")
"""The modules that define the VAE and its training: their text is part of the cache key."""


@cache
def code_digest() -> str:
    """A digest of the VAE's code, so that a VAE cached by other code is never used."""
    folder = Path(__file__).parent
    return hashlib.sha1(b"".join((folder / name).read_bytes() for name in MODEL_SOURCES)).hexdigest()[:10]


def cache_folder(space: SearchSpace, config: VAEConfig, cache_dir: Path | None = None) -> Path:
    """Where the cache keeps the VAE of `space` and `config`: a digest of the settings and
    of the code that trains it."""
    settings = {**asdict(config), **({"space": space.definition()} if space.definition() else {}),
                "code": code_digest()}
    digest = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
    return (cache_dir or default_cache_dir()) / f"{space.name}-v{CHECKPOINT_VERSION}-{digest}"


def cached_vae(
    space: SearchSpace,
    config: VAEConfig | None = None,
    cache_dir: Path | None = None,
    on_epoch: EpochCallback | None = None,
) -> ArchVAE:
    """The pretrained VAE for `space` and `config`: from the cache, else the one that
    ships with the package for these settings (vae/shipped.py), else trained and cached."""
    config = config or VAEConfig()
    folder = cache_folder(space, config, cache_dir)
    if (folder / CHECKPOINT_FILE).is_file():
        return ArchVAE.load(folder / CHECKPOINT_FILE, space)
    if shipped := shipped_checkpoint(folder.name):
        return ArchVAE.load(shipped, space)  # pretrained with these settings and this code
    vae, metrics = pretrain(space, config, on_epoch=on_epoch)
    save_pretrained(vae, metrics, folder)
    return vae
