"""The NAS-Bench-201 / NATS-Bench topology network of a cell, as its benchmark trained it:
a 3x3 conv stem, three stages of `cells_per_stage` cells (16, 32, 64 channels) joined by
residual reduction blocks, then BN-ReLU, global pooling and a linear classifier.

A cell has 4 nodes; node j sums op(i -> j)(node i) over i < j, and node 3 is its output.
Ops: `none` (zero), `skip_connect` (identity), `nor_conv_1x1` / `nor_conv_3x3`
(ReLU-conv-BN), `avg_pool_3x3` (stride 1, padding not counted). Written here from the
benchmark's description (Dong & Yang, ICLR 2020)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from vaenas.objectives.networks import Normalize
from vaenas.spaces.nb201 import EDGES, Nb201Arch


class _Zero(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


def _relu_conv_bn(channels: int, kernel: int) -> nn.Module:
    return nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(channels))


def make_op(op: str, channels: int) -> nn.Module:
    if op == "none":
        return _Zero()
    if op == "skip_connect":
        return nn.Identity()
    if op == "nor_conv_1x1":
        return _relu_conv_bn(channels, 1)
    if op == "nor_conv_3x3":
        return _relu_conv_bn(channels, 3)
    if op == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown NAS-Bench-201 op {op!r}")


def cell_output(x: torch.Tensor, edge: Callable[[int, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """A cell's output node: node j sums edge(e, node i) over the edges e = (i, j)."""
    nodes = [x]
    for j in range(1, 4):
        nodes.append(sum(edge(e, nodes[i]) for e, (i, to) in enumerate(EDGES) if to == j))  # type: ignore[arg-type]
    return nodes[3]


class Cell(nn.Module):
    def __init__(self, arch: Nb201Arch, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(make_op(op, channels) for op in arch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cell_output(x, lambda e, h: self.edges[e](h))


class ReductionBlock(nn.Module):
    """The residual block between stages: stride-2 ReLU-conv-BN, ReLU-conv-BN, and an
    average-pool + 1x1 conv shortcut."""

    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.a = nn.Sequential(nn.ReLU(), nn.Conv2d(channels_in, channels_out, 3, stride=2, padding=1, bias=False),
                               nn.BatchNorm2d(channels_out))
        self.b = _relu_conv_bn(channels_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, stride=2), nn.Conv2d(channels_in, channels_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(self.a(x)) + self.shortcut(x)


def network_layers(
    make_cell: Callable[[int], nn.Module], channels: int = 16, cells_per_stage: int = 5, in_channels: int = 3
) -> tuple[list[nn.Module], int]:
    """The layers of the benchmark's network around its cells (`make_cell(width)`), in the
    order they are created (which fixes their initial weights), and the final width."""
    layers: list[nn.Module] = [nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)]
    width = channels
    for stage in range(3):
        if stage:
            layers.append(ReductionBlock(width, width * 2))
            width *= 2
        layers += [make_cell(width) for _ in range(cells_per_stage)]
    layers += [nn.BatchNorm2d(width), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return layers, width


class Nb201Network(nn.Module):
    def __init__(
        self, arch: Nb201Arch, n_classes: int = 10, channels: int = 16, cells_per_stage: int = 5, in_channels: int = 3
    ) -> None:
        super().__init__()
        layers, width = network_layers(lambda w: Cell(arch, w), channels, cells_per_stage, in_channels)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build_cell_classifier(
    arch: Nb201Arch, in_shape: tuple[int, ...], n_classes: int, mean: list[float], std: list[float]
) -> nn.Module:
    """The benchmark's network of a cell on a data set's images, standardising them
    itself (so a saved model takes raw images), as the cell supernet's paths compute."""
    return nn.Sequential(Normalize(mean, std), Nb201Network(arch, n_classes, in_channels=in_shape[0]))
