"""Objectives that train the network of an architecture for real, on image data."""

from __future__ import annotations

from abc import abstractmethod
import copy
from typing import Any, ClassVar

import torch
from torch import nn

from vaenas.errors import InvalidArgumentError
from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.device import Placement, placement, resolve_device, resolve_precision
from vaenas.objectives.image_data import UNFLIPPABLE, ImageData, load_image_data
from vaenas.objectives import recipe
from vaenas.objectives.recipe import Recipe
from vaenas.objectives.networks import count_flops, count_parameters
from vaenas.objectives.reporting import Trial, TrialPruned
from vaenas.objectives.trained_model import TrainedModel
from vaenas.objectives.training import train
from vaenas.spaces.macro import MacroArch


class TrainedObjective(Objective):
    """Builds the network of an architecture, trains it for `epochs` on the training split
    (or its first `subset` images: low fidelity) and scores it on the validation split.

    Every evaluation returns the trained weights as `Evaluation.artifact`, so the study
    can keep the best model."""

    space_name = "macro"
    metric_directions: ClassVar[dict[str, str]] = {"params": "minimize", "flops": "minimize"}
    kind: ClassVar[str]

    default_dataset = "digits"

    def __init__(
        self, dataset: str = default_dataset, epochs: int = 2, subset: int | None = None,
        batch_size: int | None = None, lr: float | None = None, seed: int = 0, data: ImageData | None = None,
        device: str = "auto", precision: str = "auto", image_size: int = 32, data_seed: int = 0,
        optimizer: str = "adamw", weight_decay: float | None = None, label_smoothing: float = 0.1,
        augment: str = "auto", min_steps: int | None = None,
    ) -> None:
        """`dataset` is a spec (digits, mnist5k, synthetic, cifar10:PATH, folder:DIR); `data`
        replaces it with images already in memory (`ImageData.from_arrays`). `device`
        (auto, cpu, cuda, cuda:N, mps) and `precision` (auto, fp32, bf16, fp16) are
        resolved where the objective evaluates (a worker process sees its own GPU).
        `image_size` is a folder's; `data_seed` fixes the splits, apart from `seed`.
        The rest is the training recipe (recipe.py): None is its default for the data size."""
        resolve_precision(precision, resolve_device(device))  # one line now, not in a worker
        self.device, self.precision = device.strip().lower(), precision.strip().lower()  # BF16 is bf16 on resume
        self._place: Placement | None = None
        if epochs < 1:
            raise InvalidArgumentError(f"epochs must be at least 1, got {epochs}")
        if subset is not None and subset < 1:
            raise InvalidArgumentError(f"subset must be at least 1 image, got {subset}")
        self.dataset, self.epochs, self.seed = dataset, epochs, seed
        self.data: ImageData = data if data is not None else load_image_data(dataset, seed, image_size, data_seed)
        self.recipe = Recipe(optimizer.strip().lower(), lr, weight_decay, label_smoothing,
                             self.resolve_augment(augment.strip().lower()), batch_size,
                             recipe.default_min_steps() if min_steps is None else min_steps)
        n = len(self.data.train_x) if subset is None else min(subset, len(self.data.train_x))
        self.train_x = torch.as_tensor(self.data.train_x[:n])
        self.train_y = torch.as_tensor(self.data.train_y[:n])
        self.val_x = torch.as_tensor(self.data.val_x)
        self.val_y = torch.as_tensor(self.data.val_y)

    def evaluate(self, arch: MacroArch, trial: Trial | None = None) -> Evaluation:
        """With a trial, the validation value is reported after every epoch (its step),
        and training stops with TrialPruned when the study's pruner says so. Reporting
        leaves the training itself as it is: the final value is the same either way."""
        torch.manual_seed(self.seed)
        model = self.build(arch)
        stats = train(
            model, self.loss, self.train_x, self.train_y, self.epochs, self.recipe, self.seed,
            on_epoch=None if trial is None else lambda epoch: self._report(model, trial, epoch), place=self.place,
        )
        value, extra = self.score(model)
        shape = self.data.shape
        metrics = {
            "params": count_parameters(model),
            "flops": count_flops(model, shape),
            "epochs": self.epochs,
            "passes": stats.passes,
            "steps": stats.steps,
            "train_seconds": round(stats.seconds, 3),
            "images_per_second": round(stats.images_per_second, 1),
            **extra,
        }
        weights = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}  # loads anywhere
        artifact = TrainedModel(self.kind, tuple(arch), shape, self.settings(), weights)
        return Evaluation(value=value, cost=stats.seconds, metrics=metrics, artifact=artifact)

    def resolve_augment(self, augment: str) -> str:
        """`auto`: crops and flips, or crops alone for digits (a flipped 2 is no digit)."""
        if augment != "auto":
            return augment
        return "crop" if self.data.name in UNFLIPPABLE else "standard"

    def retrained(self) -> TrainedObjective:
        """This objective for the final training: it trains on training and validation
        images together and scores the test split, which no search saw. Raises when the
        data has no test split."""
        if self.data.test_x is None or self.data.test_y is None:
            raise InvalidArgumentError(f"data set {self.data.name} has no test split to report a final training on")
        final = copy.copy(self)
        final.train_x = torch.cat([self.train_x, self.val_x])
        final.train_y = torch.cat([self.train_y, self.val_y])
        final.val_x, final.val_y = torch.as_tensor(self.data.test_x), torch.as_tensor(self.data.test_y)
        final.scored_split = "test"
        return final

    scored_split = "validation"
    """Which split `evaluate`'s value is measured on."""

    @property
    def place(self) -> Placement:
        """The device and precision, resolved in the process that trains."""
        if self._place is None:
            self._place = placement(self.device, self.precision)
        return self._place

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_place": None}  # a worker resolves its own device

    def _report(self, model: nn.Module, trial: Trial, epoch: int) -> None:
        if epoch == self.epochs:
            return  # the final value is the evaluation's own
        model.eval()
        with torch.random.fork_rng():  # validation must not move the training's random stream
            trial.report(self.validate(model), epoch)
        if trial.should_prune():
            raise TrialPruned(f"pruned after epoch {epoch}")

    def validate(self, model: nn.Module) -> float:
        """The value after an epoch, as reported to pruners (`score`'s value by default)."""
        return self.score(model)[0]

    @abstractmethod
    def build(self, arch: MacroArch) -> nn.Module:
        """The untrained network of an architecture."""

    @abstractmethod
    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mini-batch training loss."""

    @abstractmethod
    def score(self, model: nn.Module) -> tuple[float, dict[str, Any]]:
        """Validation value and extra metrics of a trained network."""

    @abstractmethod
    def settings(self) -> dict[str, Any]:
        """What `TrainedModel.build` needs besides architecture and input shape."""
