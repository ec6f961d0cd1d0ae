"""The per-node half of the graph VAE: each node's own latent point, decoded back to the
node's op and its edges without looking at the other nodes' ops.

Why it is there: the mean of an architecture's node points (`ArchVAE.embed`) places
architectures that share ops and wiring close together, which is what a predictor on the
latent space needs. The graph point alone, made to be decoded, ranks NAS-Bench-201 cells
worse, and `bo` on it reaches the optimum later (measured: docs/vae.md)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vaenas.vae.tensors import GraphTensors


class NodeDecoder(nn.Module):
    """Op logits from each node's latent point (plus a learned embedding of its position)
    and edge logits from a bilinear form of two nodes' points (arch2vec's decoder)."""

    def __init__(self, n_classes: int, max_nodes: int, latent_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.expand = nn.Sequential(nn.Linear(latent_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, hidden_dim))
        self.position = nn.Parameter(torch.randn(max_nodes, hidden_dim) * 0.1)
        self.op_head = nn.Linear(hidden_dim, n_classes)
        self.source = nn.Linear(hidden_dim, hidden_dim)
        self.target = nn.Linear(hidden_dim, hidden_dim)

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Op logits (B, N, classes) and edge logits (B, N, N; [b, i, j] for i -> j) from
        the node points `z` (B, N, latent_dim)."""
        h = F.relu(self.expand(z) + self.position[: z.shape[1]])
        return self.op_head(h), (self.source(h) @ self.target(h).transpose(1, 2)) / h.shape[-1] ** 0.5

    def loss(self, z: torch.Tensor, graphs: GraphTensors) -> tuple[torch.Tensor, torch.Tensor]:
        """Summed op cross-entropy and edge BCE over the real nodes of `graphs` (the edges
        from earlier to later nodes), from the node points `z`."""
        op_logits, edge_logits = self(z)
        mask, n = graphs.mask, z.shape[1]
        op_loss = F.cross_entropy(op_logits[mask], graphs.ops[mask], reduction="sum")
        pairs = mask.unsqueeze(2) & mask.unsqueeze(1) & torch.ones(n, n, dtype=torch.bool).triu(1)
        edge_loss = F.binary_cross_entropy_with_logits(edge_logits[pairs], graphs.adjacency[pairs], reduction="sum")
        return op_loss, edge_loss
