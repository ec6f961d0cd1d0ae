"""A single-path one-shot supernet of NAS-Bench-201's cells: the benchmark's network in
which every edge of every cell holds all five ops, and a cell architecture picks one op
per edge (the same cell in every position, as in the benchmark). Trained by sampling one
random architecture per step (uniform single-path sampling); a subnet is scored as the
layer supernet's are, after its batch-norm statistics are recalibrated."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from vaenas.objectives.image_data import ImageData
from vaenas.objectives.nb201_network import cell_output, make_op, network_layers
from vaenas.objectives.networks import Normalize
from vaenas.spaces import make_space
from vaenas.spaces.nb201 import EDGES, Nb201Arch


class MixedCell(nn.Module):
    """A cell whose every edge holds every op; `forward` runs the ops of `arch`."""

    def __init__(self, channels: int, ops: tuple[str, ...]) -> None:
        super().__init__()
        self.edges = nn.ModuleList(nn.ModuleDict({op: make_op(op, channels) for op in ops}) for _ in EDGES)

    def forward(self, x: torch.Tensor, arch: Nb201Arch) -> torch.Tensor:
        return cell_output(x, lambda e, h: self.edges[e][arch[e]](h))


class CellSupernet(nn.Module):
    """Every NAS-Bench-201 cell as a path through one network, on `data`'s images."""

    def __init__(self, data: ImageData, channels: int = 16, cells_per_stage: int = 5) -> None:
        super().__init__()
        self.space = make_space("nb201")
        self.normalize = Normalize(data.mean, data.std)
        ops = tuple(self.space.ops)  # type: ignore[attr-defined]
        layers, width = network_layers(lambda w: MixedCell(w, ops), channels, cells_per_stage, data.shape[0])
        self.layers = nn.ModuleList(layers)
        self.classifier = nn.Linear(width, data.n_classes)

    def forward(self, x: torch.Tensor, arch: Nb201Arch) -> torch.Tensor:
        x = self.normalize(x)
        for layer in self.layers:
            x = layer(x, arch) if isinstance(layer, MixedCell) else layer(x)
        return self.classifier(x)

    def training_subnets(self, rng: np.random.Generator) -> list[Nb201Arch]:
        """One random path per step."""
        return [self.space.sample(rng)]

    def recalibrate(self, arch: Nb201Arch, batches: list[torch.Tensor]) -> None:
        """Every batch-norm's statistics averaged anew over `batches` through `arch`'s path
        (those off the path are not used by it)."""
        norms = [m for m in self.modules() if isinstance(m, nn.BatchNorm2d)]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a plain average over the batches
        self.train()
        with torch.no_grad():
            for batch in batches:
                self(batch, arch)
        for norm in norms:
            norm.momentum = 0.1
        self.eval()
