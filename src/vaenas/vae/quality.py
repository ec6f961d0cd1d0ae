"""How good an architecture VAE is: reconstruction, and what its prior decodes to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from vaenas.spaces import Arch
from vaenas.vae.archvae import ArchVAE


@dataclass(frozen=True)
class VAEQuality:
    recon_acc: float
    """Share of held-out architectures decoded exactly from their posterior mean."""
    op_acc: float
    """Share of held-out nodes whose op is decoded right (at its position)."""
    adj_acc: float
    """Share of held-out node pairs whose edge (or its absence) is decoded right
    (pairs of a graph decoded with the wrong node count count as wrong)."""
    validity: float
    """Share of prior samples that decode to a valid architecture."""
    uniqueness: float
    """Distinct architectures among the valid decoded prior samples."""
    novelty: float
    """Share of valid decoded prior samples not in the training split."""

    def to_json(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def measure_quality(
    vae: ArchVAE,
    held_out: Sequence[Arch],
    train: Sequence[Arch],
    n_prior: int = 10_000,
    seed: int = 0,
) -> VAEQuality:
    space = vae.space
    decoded = vae.decode(vae.encode(held_out))
    recon = np.mean([d is not None and space.key(d) == space.key(a) for d, a in zip(decoded, held_out)])
    ops_right = ops_total = pairs_right = pairs_total = 0
    for d, a in zip(decoded, held_out):
        truth, got = space.to_graph(a), space.to_graph(d) if d is not None else None
        n = truth.n_nodes
        ops_total += n
        pairs_total += n * (n - 1) // 2
        if got is None:
            continue
        ops_right += sum(x == y for x, y in zip(truth.ops, got.ops))
        if got.n_nodes == n:
            upper = np.triu_indices(n, 1)
            pairs_right += int((truth.adjacency[upper] == got.adjacency[upper]).sum())

    samples = vae.sample(n_prior, seed)
    valid = [space.key(a) for a in samples if a is not None]
    train_keys = {space.key(a) for a in train}
    return VAEQuality(
        recon_acc=float(recon),
        op_acc=ops_right / ops_total,
        adj_acc=pairs_right / pairs_total if pairs_total else 1.0,
        validity=len(valid) / n_prior,
        uniqueness=len(set(valid)) / len(valid) if valid else 0.0,
        novelty=sum(k not in train_keys for k in valid) / len(valid) if valid else 0.0,
    )
