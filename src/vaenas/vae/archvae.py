"""ArchVAE: the architecture VAE with a scikit-learn-like API over any search space."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaenas.saved_files import load_torch, save_torch_atomic
from vaenas.errors import CheckpointError
from vaenas.spaces import END_OF_GRAPH, Arch, ArchGraph, SearchSpace, make_space
from vaenas.vae.model import GraphVAE, VAEConfig
from vaenas.vae.tensors import GraphTensors, to_tensors

CHECKPOINT_VERSION = 4
"""4: a graph latent with a node-by-node decoder, and node latents (`embed`) from an
encoder of their own; 3 read the node latents off the graph encoder; 2 had no node
latents; 1 had only a latent per node."""
CHUNK = 4096
TRAINING_THREADS = 2
"""Torch threads that `fit` runs on, whatever the calling process set. The thread count
changes the order of floating-point sums: one nb201 config trained with 1 and with 2
threads gave latent points 0.004 apart after one epoch and up to 3.0 apart after
pretraining, and `bo` then took other paths. Fixed, the cached VAE of a config no longer
depends on which process trained it (a 1-thread benchmark worker or the main process).
2: the cores of the machines vaenas is measured on."""


def fit_batch_size(n_archs: int, config: VAEConfig) -> int:
    """`config.batch_size`, or for a small space a batch of 1/`min_batches` of it: the
    `min_steps` a small space needs then cost in proportion to its size (a 288-architecture
    space took 15 s in steps of 260 graphs; see docs/decisions/pretraining-cost.md)."""
    return min(config.batch_size, max(16, -(-n_archs // config.min_batches)))


EpochCallback = Callable[[int, int, float], None]
"""Called after each epoch with (epoch, epochs, mean training loss)."""


class ArchVAE:
    """Learns a latent space of a search space's architectures without labels.

    `fit(archs)` trains on the graphs of `archs`; `encode(archs)` gives each architecture's
    point in the latent space (latent_dim numbers, whatever its node count); `decode(z)`,
    `sample(n)` and `interpolate(a, b)` go back from latent points to architectures.
    """

    def __init__(self, space: SearchSpace, config: VAEConfig | None = None) -> None:
        self.space = space
        self.config = config or VAEConfig()
        self.vocab = tuple(space.node_ops)
        self.max_nodes = space.max_nodes
        torch.manual_seed(self.config.seed)
        self.model = GraphVAE(len(self.vocab), self.max_nodes, self.config)
        self.fit_seconds: float | None = None
        self.fit_steps: int | None = None
        self.fit_batch: int | None = None

    # -- training ---------------------------------------------------------------------
    def fit(self, archs: Sequence[Arch], on_epoch: EpochCallback | None = None) -> ArchVAE:
        config = self.config
        data = self.graph_tensors(archs)
        generator = torch.Generator().manual_seed(config.seed)
        optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        batch_size = fit_batch_size(len(data), config)
        batches = max(1, -(-len(data) // batch_size))
        epochs = max(config.epochs, -(-config.min_steps // batches))
        steps = epochs * batches
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=steps)
        warmup = max(1, int(config.kl_warmup * steps))
        step = 0
        started = time.perf_counter()
        self.model.train()
        with _torch_threads(TRAINING_THREADS):
            for epoch in range(epochs):
                order = torch.randperm(len(data), generator=generator)
                total, seen = 0.0, 0
                for start in range(0, len(data), batch_size):
                    batch = data.select(order[start : start + batch_size])
                    loss, _ = self.model.loss(batch, warmth=min(1.0, step / warmup))  # KL annealing against collapse
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    schedule.step()
                    step += 1
                    total += loss.item() * len(batch)
                    seen += len(batch)
                if on_epoch:
                    on_epoch(epoch + 1, epochs, total / seen)
        self.model.eval()
        self.fit_seconds = time.perf_counter() - started
        self.fit_steps, self.fit_batch = steps, batch_size
        return self

    # -- latent space -----------------------------------------------------------------
    def encode(self, archs: Sequence[Arch]) -> np.ndarray:
        """(n, latent_dim) posterior means: each architecture's point in the latent space,
        the point `decode` maps back to it."""
        with torch.no_grad():
            return torch.cat([self.model.encode(chunk)[0] for chunk in self._chunks(archs)]).numpy()

    def embed(self, archs: Sequence[Arch]) -> np.ndarray:
        """(n, latent_dim) mean of each architecture's node latents: the features a
        predictor is given, which rank architectures better than `encode`'s points
        (benchmarks/vae_quality.py)."""
        return self.encode_and_embed(archs)[1]

    def encode_and_embed(self, archs: Sequence[Arch]) -> tuple[np.ndarray, np.ndarray]:
        """`encode` and `embed` of `archs` from one pass of the encoder."""
        points, embeddings = [], []
        with torch.no_grad():
            for chunk in self._chunks(archs):
                mu, _, node_mu, _ = self.model.encode_with_nodes(chunk)
                mask = chunk.mask.unsqueeze(-1)
                points.append(mu)
                embeddings.append((node_mu * mask).sum(1) / mask.sum(1))
        return torch.cat(points).numpy(), torch.cat(embeddings).numpy()

    def _chunks(self, archs: Sequence[Arch]) -> Iterator[GraphTensors]:
        """The tensors of `archs` in chunks of CHUNK, so that a large pool fits in memory."""
        data = self.graph_tensors(archs)
        return (data.select(slice(i, i + CHUNK)) for i in range(0, len(data), CHUNK))

    def decode(self, z: np.ndarray) -> list[Arch | None]:
        """The most likely architecture of each latent point (n, latent_dim), built node by
        node under the space's rules, so valid in every space that states its rules (all
        bundled ones); None only where a space without rules rejects the graph."""
        z = np.asarray(z, dtype=np.float32).reshape(-1, self.config.latent_dim)
        archs: list[Arch | None] = []
        for i in range(0, len(z), CHUNK):
            archs += [self.space.from_graph(g) for g in self._decode_graphs(torch.as_tensor(z[i : i + CHUNK]))]
        return archs

    def sample(self, n: int, seed: int | np.random.Generator = 0) -> list[Arch | None]:
        """Architectures decoded from `n` points drawn from the N(0, I) prior."""
        return self.decode(self.sample_prior(n, np.random.default_rng(seed)))

    def interpolate(self, a: Arch, b: Arch, steps: int = 8) -> list[Arch | None]:
        """Architectures decoded along the straight line from `a`'s latent point to `b`'s,
        both ends included."""
        if steps < 2:
            raise ValueError(f"interpolate needs at least 2 steps, got {steps}")
        ends = self.encode([a, b])
        weights = np.linspace(0.0, 1.0, steps)[:, None]
        return self.decode((1 - weights) * ends[0] + weights * ends[1])

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n, latent_dim) points drawn from the N(0, I) prior."""
        return rng.standard_normal((n, self.config.latent_dim)).astype(np.float32)

    def graph_tensors(self, archs: Sequence[Arch]) -> GraphTensors:
        """Padded graphs of the architectures with the space's decode rules."""
        return to_tensors(self.space, [self.space.to_graph(a) for a in archs])

    def _decode_graphs(self, z: torch.Tensor) -> list[ArchGraph]:
        """Greedy node-by-node decoding: at each step the most likely allowed op, then
        the forced edges and the free ones the model gives odds above even."""
        space, model, n_max = self.space, self.model, self.max_nodes
        classes = {op: i for i, op in enumerate(self.vocab)}
        classes[END_OF_GRAPH] = end = len(self.vocab)
        batch = len(z)
        adjacency = np.zeros((batch, n_max, n_max), dtype=np.uint8)
        ops: list[list[str]] = [[] for _ in range(batch)]
        open_ = np.ones(batch, dtype=bool)
        previous = torch.zeros(batch, model.n_classes + n_max)
        with torch.no_grad():
            hidden = model.initial_state(z)
            for t in range(n_max):
                state, hidden = model.step(z, previous, t, hidden)
                allowed = np.zeros((batch, model.n_classes), dtype=bool)
                allowed[~open_, end] = True
                for b in np.flatnonzero(open_):
                    prefix = ArchGraph(adjacency[b, :t, :t], tuple(ops[b]))
                    allowed[b, [classes[op] for op in space.next_ops(prefix)]] = True
                logits = model.op_head(state).masked_fill(~torch.from_numpy(allowed), -torch.inf)
                choice = logits.argmax(-1)
                edge_odds = model.edge_logits(state, choice).numpy()[:, :t] > 0
                for b in np.flatnonzero(open_):
                    if choice[b] == end:
                        open_[b] = False
                        continue
                    ops[b].append(self.vocab[choice[b]])
                    must, may = space.node_edges(ArchGraph(adjacency[b, : t + 1, : t + 1], tuple(ops[b])))
                    adjacency[b, :t, t] = must | (may & edge_odds[b])
                inputs = torch.from_numpy(adjacency[:, :, t].astype(np.float32))
                previous = model.node_features(choice, inputs)
                if not open_.any():
                    break
        return [ArchGraph(adjacency[b, : len(o), : len(o)].copy(), tuple(o)) for b, o in enumerate(ops)]

    # -- checkpoints ------------------------------------------------------------------
    def checkpoint(self) -> dict[str, Any]:
        """What `save` writes and `from_checkpoint` reads: plain values and tensors only."""
        return {
            "format_version": CHECKPOINT_VERSION,
            "space": self.space.name,
            "node_ops": list(self.vocab),
            "max_nodes": self.max_nodes,
            "config": asdict(self.config),
            "fit_seconds": self.fit_seconds,
            "state_dict": self.model.state_dict(),
        }

    def save(self, path: Path | str) -> None:
        save_torch_atomic(Path(path), self.checkpoint())

    @classmethod
    def load(cls, path: Path | str, space: SearchSpace | None = None) -> ArchVAE:
        """Loads a checkpoint; with `space`, refuses one trained on another space."""
        return cls.from_checkpoint(_read_checkpoint(Path(path)), space, Path(path))

    @classmethod
    def from_checkpoint(cls, checkpoint: dict[str, Any], space: SearchSpace | None, path: Path | str) -> ArchVAE:
        """The VAE of a checkpoint dict (`checkpoint()`, as read from `path`, which error
        messages name); with `space`, refuses one trained on another space."""
        version = checkpoint.get("format_version")
        if version != CHECKPOINT_VERSION:
            older = {
                1: " (an older vaenas, whose VAE had one latent per node)",
                2: " (an older vaenas, whose VAE had no node latents)",
                3: " (an older vaenas, whose node latents came from the graph encoder)",
            }.get(version, "")
            raise CheckpointError(
                f"{path} has checkpoint format {version!r}{older}, this vaenas reads "
                f"{CHECKPOINT_VERSION}; pretrain again with `vaenas pretrain`"
            )
        missing = [k for k in ("space", "node_ops", "config") if k not in checkpoint]
        if missing:
            raise CheckpointError(f"{path} lacks {', '.join(missing)}; it is damaged: delete it and pretrain again")
        space = space or make_space(checkpoint["space"])
        if checkpoint["space"] != space.name or tuple(checkpoint["node_ops"]) != tuple(space.node_ops):
            raise CheckpointError(
                f"{path} was trained on space {checkpoint['space']!r} with ops {checkpoint['node_ops']}, "
                f"not on {space.name!r}; pretrain one for this space with `vaenas pretrain --space {space.name}`"
            )
        known = {f.name for f in fields(VAEConfig)}
        config = checkpoint["config"]
        unknown = sorted(set(config) - known) if isinstance(config, dict) else ["(not a mapping)"]
        if unknown:
            raise CheckpointError(
                f"{path} has VAE settings this vaenas does not know ({', '.join(map(str, unknown))}); pretrain again"
            )
        vae = cls(space, VAEConfig(**config))
        try:
            vae.model.load_state_dict(checkpoint["state_dict"])
        except RuntimeError as exc:
            first = str(exc).splitlines()[1].strip() if len(str(exc).splitlines()) > 1 else str(exc)[:200]
            raise CheckpointError(f"{path} does not fit the model ({first[:200]}); pretrain again") from None
        vae.model.eval()
        vae.fit_seconds = checkpoint.get("fit_seconds")
        return vae


def _read_checkpoint(path: Path) -> dict[str, Any]:
    advice = "create one with `vaenas pretrain`" if not path.is_file() else "delete it and pretrain again"
    checkpoint = load_torch(path, "VAE checkpoint", advice)
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise CheckpointError(f"{path} is not a vaenas VAE checkpoint; pretrain again")
    return checkpoint


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Runs the block on `count` torch threads, then restores the caller's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
