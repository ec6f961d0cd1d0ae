"""Fine-tuning a pretrained VAE on what a search evaluated, weighted by rank: the step of
the article's loop that updates the encoder and decoder from evaluation results, in the
form of weighted retraining (Tripp et al., NeurIPS 2020): an architecture of rank r among
n evaluated ones weighs 1 / (k n + r), so the best few dominate; unlabelled architectures
of the space are replayed beside them so that the rest of the latent space is kept."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch

from vaenas.spaces import Arch
from vaenas.vae.archvae import ArchVAE

RANK_K = 1e-3
"""Tripp et al.'s k: small, so that weight falls as 1 / rank from the best down."""


def rank_weights(values: Sequence[float], k: float = RANK_K) -> np.ndarray:
    """Sampling weights of evaluated architectures (higher value, higher weight), summing to 1."""
    ranks = np.empty(len(values))
    ranks[np.argsort(values)[::-1]] = np.arange(len(values))
    weights = 1.0 / (k * len(values) + ranks)
    return weights / weights.sum()


def weighted_retrain(
    vae: ArchVAE,
    evaluated: Sequence[Arch],
    values: Sequence[float],
    unlabelled: Sequence[Arch],
    steps: int,
    seed: int,
    lr: float = 1e-3,
    labelled_share: float = 0.5,
) -> ArchVAE:
    """A copy of `vae` trained `steps` more steps on the ELBO, each batch drawn
    `labelled_share` from `evaluated` by rank weight and the rest uniformly from
    `unlabelled`. The same inputs and seed give the same VAE, so a study that replays
    its trials after a restart retrains to the same weights."""
    tuned = copy.deepcopy(vae)
    model, batch = tuned.model, tuned.config.batch_size
    n_labelled = max(1, int(round(labelled_share * batch)))
    data = tuned.graph_tensors([*evaluated, *unlabelled])
    weights = torch.as_tensor(rank_weights(values))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(steps):
            picks = torch.multinomial(weights, n_labelled, replacement=True, generator=generator)
            replay = len(evaluated) + torch.randint(len(unlabelled), (batch - n_labelled,), generator=generator)
            loss, _ = model.loss(data.select(torch.cat([picks, replay])))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
    return tuned
