"""How good an architecture VAE is: reconstruction, and what its prior decodes to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from vaenas.spaces import Arch
from vaenas.vae.archvae import ArchVAE
from vaenas.vae.model import pair_mask


@dataclass(frozen=True)
class VAEQuality:
    recon_acc: float
    """Share of held-out architectures decoded exactly from their posterior mean."""
    op_acc: float
    """Share of held-out real nodes whose op is decoded right."""
    adj_acc: float
    """Share of held-out real node pairs whose edge (or its absence) is decoded right."""
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
    data = vae.graph_tensors(held_out)
    with torch.no_grad():
        mu, _ = vae.model.encode(data)
        adjacency_logits, op_logits = vae.model.decode(mu)
    decoded = vae.decode(mu.numpy())
    recon = np.mean([d is not None and space.key(d) == space.key(a) for d, a in zip(decoded, held_out)])
    op_acc = (op_logits.argmax(-1) == data.ops)[data.mask].float().mean().item()
    pairs = pair_mask(data.mask)
    adj_acc = ((adjacency_logits > 0).float() == data.adjacency)[pairs].float().mean().item()

    samples = vae.decode(vae.sample_prior(n_prior, np.random.default_rng(seed)))
    valid = [space.key(a) for a in samples if a is not None]
    train_keys = {space.key(a) for a in train}
    return VAEQuality(
        recon_acc=float(recon),
        op_acc=op_acc,
        adj_acc=adj_acc if pairs.any() else 1.0,
        validity=len(valid) / n_prior,
        uniqueness=len(set(valid)) / len(valid) if valid else 0.0,
        novelty=sum(k not in train_keys for k in valid) / len(valid) if valid else 0.0,
    )
