"""The graph VAE network: GIN encoder to one Gaussian per graph, node-by-node decoder, ELBO."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vaenas.vae.node_decoder import NodeDecoder
from vaenas.vae.tensors import GraphTensors


@dataclass(frozen=True)
class VAEConfig:
    """Network and training settings. The encoder follows arch2vec (4 GIN layers, hidden
    128, dropout); the latent is one 16-d Gaussian per graph; training is sized to take
    about a minute on a CPU.

    beta weighs the KL term. With one latent per graph, 0.1 keeps held-out reconstruction
    at 0.999 on nb201 (0.97 at 0.5); every prior sample decodes validly at any beta, since
    the decoder follows the space's rules.
    """

    latent_dim: int = 16
    hidden_dim: int = 128
    n_layers: int = 4
    dropout: float = 0.1
    beta: float = 0.1
    node_beta: float = 0.1
    """Weighs the KL term of the node latents (vae/node_decoder.py), annealed like beta.
    The node latents keep only what their decoder needs, a node's op, in as few dims as
    this weight makes worth it; at higher weights some VAE seeds kept too few dims for
    NAS-Bench-201's 5 ops and ranked cells worse (measured: docs/vae.md)."""
    kl_warmup: float = 0.3
    """Share of training steps over which beta rises linearly from 0 (KL annealing)."""
    epochs: int = 12
    min_steps: int = 300
    """Optimiser steps at least, however small the space: epochs are raised to reach them
    (12 epochs are 660 steps on nb201's 14,063 training cells, but 12 on a 64-cell space,
    where 300 steps take held-out-and-training reconstruction from 0.70 at 100 steps to 0.97)."""
    batch_size: int = 256
    min_batches: int = 16
    """A space too small for that many batches of batch_size trains in smaller ones."""
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
    """Encodes a graph to one Gaussian (its latent point) and decodes a latent point node
    by node, as D-VAE does: a GRU reads the nodes decoded so far (op and inputs) and, for
    the next node, gives its op (or END, so the node count is decoded, not padded) and
    then its edges from earlier nodes. Which ops and edges are allowed at a step comes
    from the space (`GraphTensors.op_allowed`, `edge_free`); the loss covers only the
    choices the space leaves open."""

    def __init__(self, n_ops: int, max_nodes: int, config: VAEConfig) -> None:
        super().__init__()
        h, d = config.hidden_dim, config.latent_dim
        self.config = config
        self.n_classes = n_ops + 1  # plus END
        self.max_nodes = max_nodes
        self.embed = nn.Linear(self.n_classes, h)
        self.position = nn.Parameter(torch.randn(max_nodes, h) * 0.1)
        self.layers = nn.ModuleList(GINLayer(h, config.dropout) for _ in range(config.n_layers))
        self.readout = nn.Sequential(nn.Linear(2 * h, h), nn.ReLU())
        self.to_mu = nn.Linear(h, d)
        self.to_logvar = nn.Linear(h, d)
        self.start = nn.Linear(d, h)
        self.step_input = nn.Linear(self.n_classes + max_nodes + d, h)
        self.step_position = nn.Parameter(torch.randn(max_nodes, h) * 0.1)
        self.gru = nn.GRU(h, h, batch_first=True)
        self.op_head = nn.Linear(h, self.n_classes)
        self.op_embed = nn.Embedding(self.n_classes, h)
        self.edge_head = nn.Sequential(nn.Linear(2 * h, h), nn.ReLU(), nn.Linear(h, max_nodes))
        # The node half draws its initial weights and its sampling noise from random
        # streams of its own, so the graph half starts from the same weights as without
        # it (its encoder's dropout still draws from the shared stream).
        with torch.random.fork_rng():
            torch.manual_seed(config.seed)
            self.node_embed = nn.Linear(self.n_classes, h)
            self.node_layers = nn.ModuleList(GINLayer(h, config.dropout) for _ in range(config.n_layers))
            self.to_node_mu = nn.Linear(h, d)
            self.to_node_logvar = nn.Linear(h, d)
            self.node_decoder = NodeDecoder(self.n_classes, max_nodes, d, h)
        self.node_noise = torch.Generator().manual_seed(config.seed)

    def encode(self, graphs: GraphTensors) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior (mu, logvar) of each graph, each (B, latent_dim), from a read-out of
        the mean- and max-pooled node states."""
        return self._graph_posterior(self._node_states(graphs), graphs.mask)

    def encode_with_nodes(self, graphs: GraphTensors) -> tuple[torch.Tensor, ...]:
        """`encode`'s graph posterior and the node posteriors, (B, N, latent_dim) each.

        The node posteriors come from an encoder of their own (GIN layers on the op
        one-hot, no position embedding), trained only by the node term: so the graph
        latent and its decoder get no gradient from it (sharing the encoder took
        macro's held-out reconstruction from 0.999 to 0.91), and the node latents
        are shaped by the node term alone, as the earlier per-node model's were. A head
        on the graph encoder's states, with their gradient stopped, gave a slower `bo`
        (docs/vae.md)."""
        h = self._node_states(graphs)
        node_states = self._message_passing(self.node_embed, self.node_layers, graphs)
        return (
            *self._graph_posterior(h, graphs.mask),
            self.to_node_mu(node_states),
            self.to_node_logvar(node_states).clamp(-10.0, 10.0),
        )

    def _node_states(self, graphs: GraphTensors) -> torch.Tensor:
        """(B, N, hidden) states of the nodes after the graph encoder's GIN layers."""
        return self._message_passing(self.embed, self.layers, graphs, self.position)

    def _message_passing(
        self, embed: nn.Module, layers: nn.ModuleList, graphs: GraphTensors, position: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(B, N, hidden) node states: the op one-hot embedded (plus `position`, if given)
        and passed through `layers`."""
        h = embed(F.one_hot(graphs.ops, self.n_classes).float())
        if position is not None:
            h = h + position[: graphs.ops.shape[1]]
        for layer in layers:
            h = layer(h, graphs.adjacency)
        return h

    def _graph_posterior(self, h: torch.Tensor, node_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = node_mask.unsqueeze(-1)
        mean = (h * mask).sum(1) / mask.sum(1)
        top = h.masked_fill(~mask, -torch.inf).amax(1)
        pooled = self.readout(torch.cat([mean, top], -1))
        return self.to_mu(pooled), self.to_logvar(pooled).clamp(-10.0, 10.0)

    # -- decoding, one step at a time (inference) or teacher-forced (training) ----------
    def initial_state(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.start(z)).unsqueeze(0)

    def step(
        self, z: torch.Tensor, previous: torch.Tensor, t: int, hidden: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """GRU state (B, hidden) that decides node t, from the features of node t - 1
        (`previous`: op one-hot and inputs, zeros at t = 0)."""
        x = F.relu(self.step_input(torch.cat([previous, z], -1)) + self.step_position[t])
        out, hidden = self.gru(x.unsqueeze(1), hidden)
        return out[:, 0], hidden

    def edge_logits(self, states: torch.Tensor, ops: torch.Tensor) -> torch.Tensor:
        """Logits of the edges into a node from each earlier position (..., max_nodes),
        given the decoder state that chose the node and its op."""
        return self.edge_head(torch.cat([states, self.op_embed(ops)], -1))

    def node_features(self, ops: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """What the decoder reads of a decoded node: its op one-hot and its inputs."""
        return torch.cat([F.one_hot(ops, self.n_classes).float(), inputs], -1)

    def teacher_forced(self, z: torch.Tensor, graphs: GraphTensors) -> tuple[torch.Tensor, torch.Tensor]:
        """Op logits (B, N, classes) and edge logits (B, N, N; [b, t, i] for i -> t) of
        every step, each step reading the true nodes before it."""
        b, n = graphs.ops.shape
        features = self.node_features(graphs.ops, graphs.adjacency.transpose(1, 2))
        previous = torch.cat([features.new_zeros(b, 1, features.shape[-1]), features[:, :-1]], 1)
        x = self.step_input(torch.cat([previous, z.unsqueeze(1).expand(-1, n, -1)], -1))
        states, _ = self.gru(F.relu(x + self.step_position[:n]), self.initial_state(z))
        return self.op_head(states), self.edge_logits(states, graphs.ops)

    @staticmethod
    def reparameterize(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        noise = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        return mu + noise * torch.exp(0.5 * logvar)

    def loss(self, graphs: GraphTensors, warmth: float = 1.0) -> tuple[torch.Tensor, dict[str, float]]:
        """Negative ELBO per graph: op cross-entropy over the allowed ops + BCE of the free
        edges + beta * KL, plus the nodes' own ELBO (node_decoder) with node_beta. Both KL
        weights are scaled by `warmth` (0 to 1, KL annealing)."""
        beta, node_beta = warmth * self.config.beta, warmth * self.config.node_beta
        mu, logvar, node_mu, node_logvar = self.encode_with_nodes(graphs)
        op_logits, edge_logits = self.teacher_forced(self.reparameterize(mu, logvar), graphs)
        steps = graphs.steps
        op_logits = op_logits.masked_fill(~graphs.op_allowed, -1e4)
        op_loss = F.cross_entropy(op_logits[steps], graphs.ops[steps], reduction="sum")
        free = graphs.edge_free
        adj_loss = F.binary_cross_entropy_with_logits(
            edge_logits[free], graphs.adjacency.transpose(1, 2)[free], reduction="sum"
        )
        kl = gaussian_kl(mu, logvar).sum()
        node_op_loss, node_adj_loss = self.node_decoder.loss(
            self.reparameterize(node_mu, node_logvar, self.node_noise), graphs
        )
        node_kl = gaussian_kl(node_mu, node_logvar)[graphs.mask].sum()
        node_loss = node_op_loss + node_adj_loss + node_beta * node_kl
        batch = len(graphs)
        total = (op_loss + adj_loss + beta * kl + node_loss) / batch
        parts = {
            "op": op_loss.item() / batch,
            "adj": adj_loss.item() / batch,
            "kl": kl.item() / batch,
            "node": node_loss.item() / batch,
        }
        return total, parts


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL divergence of each Gaussian posterior (..., dim) from the standard normal prior,
    summed over the last dimension."""
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)
