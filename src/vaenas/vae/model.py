"""The graph VAE network: GIN encoder to per-node Gaussians, positional decoder, ELBO."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vaenas.vae.tensors import GraphTensors


@dataclass(frozen=True)
class VAEConfig:
    """Network and training settings. Defaults follow arch2vec (4 GIN layers, hidden 128,
    latent 16 per node, dropout) with training sized to take seconds on a CPU.

    beta weighs the KL term: at 1 the per-node posteriors collapse (an op is worth about
    ln 5 nats, what its KL costs); at 0.01 the posteriors drift from the prior and prior
    samples decode to invalid graphs. 0.5 keeps both recon and validity at about 1 on nb201.
    """

    latent_dim: int = 16
    hidden_dim: int = 128
    n_layers: int = 4
    dropout: float = 0.1
    beta: float = 0.5
    kl_warmup: float = 0.3
    """Share of training steps over which beta rises linearly from 0 (KL annealing)."""
    epochs: int = 8
    batch_size: int = 256
    lr: float = 3e-3
    seed: int = 0


class GINLayer(nn.Module):
    """One message-passing step on a DAG; messages from predecessors and from successors
    are aggregated separately so that the direction of edges is kept."""

    def __init__(self, dim: int, dropout: float) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(3 * dim, dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dim, dim)
        )
        self.norm = nn.LayerNorm(dim)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        from_predecessors = adjacency.transpose(1, 2) @ h
        from_successors = adjacency @ h
        update = self.mlp(torch.cat([h, from_predecessors, from_successors], dim=-1))
        return self.norm(h + F.relu(update))


class GraphVAE(nn.Module):
    """Encodes each node to a Gaussian (mu, logvar) and decodes node latents to op logits
    and adjacency logits. The decoder adds a learned embedding of the node's position in
    topological order, so that structure shared by a space is not paid for in the latent."""

    def __init__(self, n_ops: int, max_nodes: int, config: VAEConfig) -> None:
        super().__init__()
        h, d = config.hidden_dim, config.latent_dim
        self.n_classes = n_ops + 1  # plus ABSENT for padding
        self.embed = nn.Linear(self.n_classes, h)
        self.layers = nn.ModuleList(GINLayer(h, config.dropout) for _ in range(config.n_layers))
        self.to_mu = nn.Linear(h, d)
        self.to_logvar = nn.Linear(h, d)
        self.position = nn.Parameter(torch.randn(max_nodes, h) * 0.1)
        self.expand = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h))
        self.op_head = nn.Linear(h, self.n_classes)
        self.source = nn.Linear(h, h)
        self.target = nn.Linear(h, h)
        self.scale = 1.0 / math.sqrt(h)

    def encode(self, graphs: GraphTensors) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-node posterior (mu, logvar), each (B, N, latent_dim)."""
        h = self.embed(F.one_hot(graphs.ops, self.n_classes).float())
        for layer in self.layers:
            h = layer(h, graphs.adjacency)
        return self.to_mu(h), self.to_logvar(h).clamp(-10.0, 10.0)

    def decode(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Adjacency logits (B, N, N; only i < j meaningful) and op logits (B, N, classes)."""
        n = z.shape[1]
        h = F.relu(self.expand(z) + self.position[:n])
        adjacency = (self.source(h) @ self.target(h).transpose(1, 2)) * self.scale
        return adjacency, self.op_head(h)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def loss(self, graphs: GraphTensors, beta: float) -> tuple[torch.Tensor, dict[str, float]]:
        """Negative ELBO per graph: op cross-entropy + adjacency BCE + beta * KL."""
        mu, logvar = self.encode(graphs)
        adjacency_logits, op_logits = self.decode(self.reparameterize(mu, logvar))
        batch = len(graphs)
        op_loss = F.cross_entropy(op_logits.flatten(0, 1), graphs.ops.flatten(), reduction="sum")
        pairs = pair_mask(graphs.mask)
        adj_loss = F.binary_cross_entropy_with_logits(
            adjacency_logits[pairs], graphs.adjacency[pairs], reduction="sum"
        )
        # padded nodes are regularised too, so prior samples decode to plausible node counts
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        total = (op_loss + adj_loss + beta * kl) / batch
        parts = {
            "op": op_loss.item() / batch,
            "adj": adj_loss.item() / batch,
            "kl": kl.item() / batch,
        }
        return total, parts


def pair_mask(mask: torch.Tensor) -> torch.Tensor:
    """(B, N, N) True for node pairs i < j that are both real nodes."""
    n = mask.shape[1]
    upper = torch.ones(n, n, dtype=torch.bool, device=mask.device).triu(1)
    return mask.unsqueeze(2) & mask.unsqueeze(1) & upper
