"""A weight-sharing supernet of a layer space (the macro CNNs), as Once-for-All builds one:
every stage holds its deepest, widest, largest-kernel layers, and a subnet uses the first
`depth` layers, the first `width` channels and the centre `kernel` x `kernel` of each
kernel. Trained once with the sandwich rule (largest, smallest and random subnets each
step); a subnet is scored with the weights it inherits, after its batch-norm statistics
are recalibrated on a few training batches.

The subnet of an architecture computes the network `build_classifier` builds for it
(same layers, paddings and strides), so that its score stands for that network's."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from vaenas.saved_files import load_torch, save_torch_atomic
from vaenas.errors import CheckpointError, InvalidArgumentError, VaenasError
from vaenas.objectives.image_data import ImageData
from vaenas.objectives.networks import Normalize
from vaenas.spaces import SearchSpace
from vaenas.spaces.macro import LayerSpace, MacroArch

RECALIBRATION_BATCHES = 4


class Supernet(Protocol):
    """What training, scoring and saving need of a supernet (MacroSupernet, CellSupernet)."""

    space: SearchSpace

    def __call__(self, x: torch.Tensor, arch: Any) -> torch.Tensor: ...

    def training_subnets(self, rng: np.random.Generator) -> list[Any]: ...

    def recalibrate(self, arch: Any, batches: list[torch.Tensor]) -> None:
        """Averages `arch`'s batch-norm statistics anew over `batches`, and leaves the
        supernet in eval mode."""

    def parameters(self) -> Any: ...

    def train(self, mode: bool = True) -> Any: ...

    def eval(self) -> Any: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> Any: ...


class ElasticConv(nn.Module):
    """A conv-BN-ReLU layer of the largest size; `forward` runs a slice of it."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.stride, self.kernel = stride, kernel
        self.weight = nn.Parameter(torch.empty(c_out, c_in, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(c_out))
        nn.init.kaiming_uniform_(self.weight, a=5**0.5)
        self.bn_weight = nn.Parameter(torch.ones(c_out))
        self.bn_bias = nn.Parameter(torch.zeros(c_out))
        self.register_buffer("running_mean", torch.zeros(c_out))
        self.register_buffer("running_var", torch.ones(c_out))

    def forward(self, x: torch.Tensor, width: int, kernel: int, recalibrate: float | None = None) -> torch.Tensor:
        """`recalibrate`: the weight of this batch in the running statistics (1 / batch
        number, for their plain average), None to leave them as they are."""
        start = (self.kernel - kernel) // 2
        weight = self.weight[:width, : x.shape[1], start : start + kernel, start : start + kernel]
        if self.stride == 2:  # as _down: symmetric padding (k - 1) // 2
            y = F.conv2d(x, weight, self.bias[:width], stride=2, padding=(kernel - 1) // 2)
        else:  # as _same: (k - 1) // 2 before, k // 2 after
            low, high = (kernel - 1) // 2, kernel // 2
            y = F.conv2d(F.pad(x, (low, high, low, high)), weight, self.bias[:width])
        y = F.batch_norm(
            y, self.running_mean[:width], self.running_var[:width], self.bn_weight[:width], self.bn_bias[:width],
            training=self.training or recalibrate is not None, momentum=recalibrate or 0.0,
        )
        return F.relu(y)


class MacroSupernet(nn.Module):
    """Every architecture of `space` as a subnet of one network."""

    def __init__(self, space: LayerSpace, data: ImageData) -> None:
        super().__init__()
        self.space = space
        self.normalize = Normalize(data.mean, data.std)
        channels = data.shape[0]
        self.stages = nn.ModuleList()
        for i, options in enumerate(space.stage_options):
            width, kernel = max(options["width"]), max(options["kernel"])
            layers = nn.ModuleList()
            for j in range(max(options["depth"])):
                layers.append(ElasticConv(channels if j == 0 else width, width, kernel, 2 if i > 0 and j == 0 else 1))
            self.stages.append(layers)
            channels = width
        self.head = nn.Linear(channels, data.n_classes)

    def forward(self, x: torch.Tensor, arch: MacroArch, recalibrate: float | None = None) -> torch.Tensor:
        x = self.normalize(x)
        for layers, stage in zip(self.stages, arch):
            for layer in layers[: stage.depth]:
                x = layer(x, stage.width, stage.kernel, recalibrate)
        x = x.mean(dim=(2, 3))
        return F.linear(x, self.head.weight[:, : x.shape[1]], self.head.bias)

    def extremes(self) -> tuple[MacroArch, MacroArch]:
        """The largest and the smallest subnet."""
        return (tuple(max(c) for c in self.space.stage_choices), tuple(min(c) for c in self.space.stage_choices))

    def training_subnets(self, rng: np.random.Generator) -> list[MacroArch]:
        """The sandwich rule: the largest, the smallest and two random subnets."""
        return [*self.extremes(), self.space.sample(rng), self.space.sample(rng)]

    def recalibrate(self, arch: MacroArch, batches: list[torch.Tensor]) -> None:
        """The batch-norm statistics of `arch`'s slices, averaged anew over `batches`."""
        with torch.no_grad():
            for layers, stage in zip(self.stages, arch):
                for layer in layers[: stage.depth]:
                    layer.running_mean[: stage.width].zero_()
                    layer.running_var[: stage.width].fill_(1.0)
            for number, batch in enumerate(batches, start=1):
                self(batch, arch, recalibrate=1.0 / number)


@dataclass(frozen=True)
class SupernetTraining:
    epochs: int
    steps: int
    seconds: float
    subnets_per_step: int = 4


def train_supernet(
    supernet: Supernet, data: ImageData, epochs: int, seed: int = 0, batch_size: int = 128, lr: float = 1e-3,
    on_epoch: Callable[[int, int, float], None] | None = None,
) -> SupernetTraining:
    """Adam; each step sums the losses of the subnets the supernet samples for it
    (`training_subnets`: the sandwich rule for a layer space, one random path for cells)."""
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    x, y = torch.as_tensor(data.train_x), torch.as_tensor(data.train_y)
    optimizer = torch.optim.Adam(supernet.parameters(), lr=lr)
    supernet.train()
    started, steps = time.perf_counter(), 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            subnets = supernet.training_subnets(rng)
            loss = sum(F.cross_entropy(supernet(x[index], arch), y[index]) for arch in subnets)
            loss.backward()  # type: ignore[union-attr]
            optimizer.step()
            total += float(loss.detach())  # type: ignore[union-attr]
            steps += 1
        if on_epoch:
            on_epoch(epoch, epochs, total / max(1, steps))
    supernet.eval()
    return SupernetTraining(epochs, steps, time.perf_counter() - started, len(subnets))


def subnet_accuracy(
    supernet: Supernet, data: ImageData, arch: Any, seed: int = 0, split: str = "val"
) -> float:
    """Accuracy (%) of `arch` with inherited weights on the validation (or test) split,
    after recalibrating its batch-norm statistics on RECALIBRATION_BATCHES training
    batches."""
    x = torch.as_tensor(data.train_x)
    generator = torch.Generator().manual_seed(seed)
    batches = torch.randperm(len(x), generator=generator)[: 128 * RECALIBRATION_BATCHES].split(128)
    supernet.eval()
    supernet.recalibrate(arch, [x[b] for b in batches])
    with torch.no_grad():
        images, labels = (data.val_x, data.val_y) if split == "val" else (data.test_x, data.test_y)
        predictions = supernet(torch.as_tensor(images), arch).argmax(1)
    return float((predictions == torch.as_tensor(labels)).float().mean() * 100)


def make_supernet(space: SearchSpace, data: ImageData) -> Supernet:
    """The supernet of `space`: elastic layers for a layer space, one-shot cells for
    NAS-Bench-201's cell space."""
    from vaenas.objectives.cell_supernet import CellSupernet

    if isinstance(space, LayerSpace):
        return MacroSupernet(space, data)
    if space.name == "nb201":
        return CellSupernet(data)
    raise InvalidArgumentError(f"supernets are built for layer spaces (macro) and nb201, not {space.name!r}")


SUPERNET_FILE = "supernet.pt"


def save_supernet(folder: Path, supernet: Supernet, dataset: str, training: SupernetTraining, seed: int) -> Path:
    """The trained supernet and what rebuilds it (the space, the data set, the seed)."""
    path = folder / SUPERNET_FILE
    payload = {"format": 1, "space": supernet.space.name, "space_definition": supernet.space.definition(),
               "dataset": dataset, "seed": seed, "epochs": training.epochs, "seconds": training.seconds,
               "state_dict": supernet.state_dict()}
    save_torch_atomic(path, payload)
    return path


def load_supernet(folder: Path) -> tuple[Supernet, ImageData, dict[str, Any]]:
    """A supernet saved by `save_supernet` (read with weights_only: nothing in the file
    runs), its data set and its settings."""
    from vaenas.objectives.image_data import load_image_data
    from vaenas.spaces import make_space

    path = Path(folder) / SUPERNET_FILE
    payload = load_torch(path, "vaenas supernet", f"train one with `vaenas supernet --out {folder}`")
    try:
        space = make_space(payload["space"])
        if space.definition() != payload["space_definition"]:
            raise CheckpointError(f"{path} was trained on another {payload['space']!r} space; train it again")
        data = load_image_data(payload["dataset"], payload["seed"])
        supernet = make_supernet(space, data)
        supernet.load_state_dict(payload["state_dict"])
    except VaenasError:
        raise
    except Exception as exc:  # a damaged or foreign file fails in many ways
        raise CheckpointError(f"{path} is not a readable vaenas supernet ({type(exc).__name__}); train it again") from None
    supernet.eval()
    return supernet, data, {k: v for k, v in payload.items() if k != "state_dict"}
