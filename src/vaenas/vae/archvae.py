"""ArchVAE: the architecture VAE with a scikit-learn-like API over any search space."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaenas.errors import CheckpointError
from vaenas.spaces import Arch, SearchSpace, make_space
from vaenas.vae.model import GraphVAE, VAEConfig
from vaenas.vae.tensors import GraphTensors, from_outputs, to_tensors

CHECKPOINT_VERSION = 1

EpochCallback = Callable[[int, int, float], None]
"""Called after each epoch with (epoch, epochs, mean training loss)."""


class ArchVAE:
    """Learns a latent space of a search space's architectures without labels.

    `fit(archs)` trains on the graphs of `archs`; `encode(archs)` gives each architecture's
    fixed-size embedding (mean of its node means); `encode_nodes` and `decode` work on the
    per-node latents (N_max x latent_dim), which is what the decoder reads.
    """

    def __init__(self, space: SearchSpace, config: VAEConfig | None = None) -> None:
        self.space = space
        self.config = config or VAEConfig()
        self.vocab = tuple(space.node_ops)
        self.max_nodes = space.max_nodes
        torch.manual_seed(self.config.seed)
        self.model = GraphVAE(len(self.vocab), self.max_nodes, self.config)
        self.fit_seconds: float | None = None

    # -- training ---------------------------------------------------------------------
    def fit(self, archs: Sequence[Arch], on_epoch: EpochCallback | None = None) -> ArchVAE:
        config = self.config
        data = self.graph_tensors(archs)
        generator = torch.Generator().manual_seed(config.seed)
        optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        steps = config.epochs * max(1, -(-len(data) // config.batch_size))
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=steps)
        warmup = max(1, int(config.kl_warmup * steps))
        step = 0
        started = time.perf_counter()
        self.model.train()
        for epoch in range(config.epochs):
            order = torch.randperm(len(data), generator=generator)
            total, seen = 0.0, 0
            for start in range(0, len(data), config.batch_size):
                batch = data.select(order[start : start + config.batch_size])
                beta = config.beta * min(1.0, step / warmup)  # KL annealing against collapse
                loss, _ = self.model.loss(batch, beta)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                step += 1
                total += loss.item() * len(batch)
                seen += len(batch)
            if on_epoch:
                on_epoch(epoch + 1, config.epochs, total / seen)
        self.model.eval()
        self.fit_seconds = time.perf_counter() - started
        return self

    # -- latent space -----------------------------------------------------------------
    def encode(self, archs: Sequence[Arch]) -> np.ndarray:
        """(n, latent_dim) embeddings: the mean of the real nodes' posterior means."""
        data = self.graph_tensors(archs)
        mu = self._posterior_means(data)
        mask = data.mask.unsqueeze(-1).float()
        return ((mu * mask).sum(1) / mask.sum(1)).numpy()

    def encode_nodes(self, archs: Sequence[Arch]) -> np.ndarray:
        """(n, max_nodes, latent_dim) per-node posterior means: what `decode` reads back."""
        return self._posterior_means(self.graph_tensors(archs)).numpy()

    def decode(self, z: np.ndarray) -> list[Arch | None]:
        """Architectures for per-node latents (n, max_nodes, latent_dim); None where the
        decoded graph is not a valid architecture of the space."""
        with torch.no_grad():
            adjacency, ops = self.model.decode(torch.as_tensor(z, dtype=torch.float32))
        return [self.space.from_graph(g) for g in from_outputs(adjacency, ops, self.vocab)]

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Per-node latents drawn from the N(0, I) prior."""
        return rng.standard_normal((n, self.max_nodes, self.config.latent_dim)).astype(np.float32)

    def graph_tensors(self, archs: Sequence[Arch]) -> GraphTensors:
        """Padded adjacency, op indices and node mask of the architectures' graphs."""
        return to_tensors([self.space.to_graph(a) for a in archs], self.vocab, self.max_nodes)

    def _posterior_means(self, data: GraphTensors, chunk: int = 4096) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat(
                [self.model.encode(data.select(slice(i, i + chunk)))[0] for i in range(0, len(data), chunk)]
            )

    # -- checkpoints ------------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        checkpoint = {
            "format_version": CHECKPOINT_VERSION,
            "space": self.space.name,
            "node_ops": list(self.vocab),
            "max_nodes": self.max_nodes,
            "config": asdict(self.config),
            "fit_seconds": self.fit_seconds,
            "state_dict": self.model.state_dict(),
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
        torch.save(checkpoint, tmp)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str, space: SearchSpace | None = None) -> ArchVAE:
        """Loads a checkpoint; with `space`, refuses one trained on another space."""
        path = Path(path)
        checkpoint = _read_checkpoint(path)
        if checkpoint.get("format_version") != CHECKPOINT_VERSION:
            raise CheckpointError(
                f"{path} has checkpoint format {checkpoint.get('format_version')!r}, this vaenas "
                f"reads {CHECKPOINT_VERSION}; pretrain again with `vaenas pretrain`"
            )
        space = space or make_space(checkpoint["space"])
        if checkpoint["space"] != space.name or tuple(checkpoint["node_ops"]) != tuple(space.node_ops):
            raise CheckpointError(
                f"{path} was trained on space {checkpoint['space']!r} with ops {checkpoint['node_ops']}, "
                f"not on {space.name!r}; pretrain one for this space with `vaenas pretrain --space {space.name}`"
            )
        vae = cls(space, VAEConfig(**checkpoint["config"]))
        try:
            vae.model.load_state_dict(checkpoint["state_dict"])
        except RuntimeError as exc:
            raise CheckpointError(f"{path} does not fit the model ({exc}); pretrain again") from None
        vae.model.eval()
        vae.fit_seconds = checkpoint.get("fit_seconds")
        return vae


def _read_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"no VAE checkpoint at {path}; create one with `vaenas pretrain`")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise CheckpointError(
            f"{path} is not a readable VAE checkpoint ({type(exc).__name__}); "
            "delete it and pretrain again"
        ) from None
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise CheckpointError(f"{path} is not a vaenas VAE checkpoint; pretrain again")
    return checkpoint
