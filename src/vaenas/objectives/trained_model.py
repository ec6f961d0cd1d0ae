"""Saving and reloading the networks that trained objectives produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from vaenas.saved_files import load_torch, save_torch_atomic
from vaenas.errors import CheckpointError
from vaenas.objectives.device import resolve_device
from vaenas.objectives.nb201_network import build_cell_classifier
from vaenas.objectives.networks import ConvImageVAE, build_classifier
from vaenas.objectives.usable_model import UsableModel
from vaenas.spaces.macro import Stage

MODEL_FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrainedModel:
    """Everything needed to rebuild a trained network: its kind, architecture (a macro
    architecture's stages, or a cell's ops for kind `cell-classifier`), input shape,
    settings and weights."""

    kind: str
    arch: tuple[Any, ...]
    in_shape: tuple[int, ...]
    settings: dict[str, Any]
    state_dict: dict[str, torch.Tensor] = field(repr=False)

    def build(self) -> nn.Module:
        if self.kind == "classifier":
            model: nn.Module = build_classifier(
                self.arch, self.in_shape, self.settings["n_classes"], self.settings["mean"], self.settings["std"]
            )
        elif self.kind == "cell-classifier":
            model = build_cell_classifier(
                self.arch, self.in_shape, self.settings["n_classes"], self.settings["mean"], self.settings["std"]
            )
        elif self.kind == "imagevae":
            model = ConvImageVAE(self.arch, self.in_shape, self.settings["latent_dim"])
        else:
            raise CheckpointError(f"unknown model kind {self.kind!r} in checkpoint")
        model.load_state_dict(self.state_dict)
        return model.eval()

    def save(self, path: Path) -> None:
        payload = {
            "format_version": MODEL_FORMAT_VERSION,
            "kind": self.kind,
            "stages": list(self.arch) if self.kind == "cell-classifier"
            else [[s.depth, s.width, s.kernel] for s in self.arch],
            "in_shape": list(self.in_shape),
            "settings": self.settings,
            "state_dict": self.state_dict,
        }
        save_torch_atomic(path, payload)


def load_model(path: Path | str, device: str = "cpu") -> UsableModel:
    """Rebuilds a saved network (`best_model.pt` of a search, `model.pt` of `vaenas train`)
    in eval mode on `device` (cpu, auto, cuda, cuda:N, mps: weights are saved from the
    CPU, so a network trained on a GPU loads anywhere), with its class names and input
    size: `vaenas.load_model(path).predict(["a.png", "b.jpg"])`, or `(images)` on a tensor."""
    place = resolve_device(device)
    path = Path(path)
    payload = load_torch(path, "vaenas model", "pass best_model.pt of a search or model.pt of `vaenas train`")
    try:
        cell = payload["kind"] == "cell-classifier"
        stages = tuple(str(op) if cell else Stage(*op) for op in payload["stages"])
        trained = TrainedModel(
            payload["kind"], stages, tuple(payload["in_shape"]), payload["settings"], payload["state_dict"]
        )
    except CheckpointError:
        raise
    except Exception as exc:
        raise CheckpointError(f"{path} is not a readable vaenas model ({type(exc).__name__})") from None
    if payload.get("format_version") != MODEL_FORMAT_VERSION:
        raise CheckpointError(f"{path} has model format {payload.get('format_version')!r}, not {MODEL_FORMAT_VERSION}")
    try:
        network = trained.build().to(place)
    except CheckpointError:
        raise
    except Exception as exc:  # settings or weights that do not make the network they name
        raise CheckpointError(f"{path} does not rebuild its network ({type(exc).__name__}: {str(exc)[:120]}); "
                              "it is damaged: train it again (vaenas train)") from None
    names = None
    if trained.kind != "imagevae":  # models saved before class names were kept number their classes
        names = trained.settings.get("class_names") or [str(k) for k in range(trained.settings["n_classes"])]
    return UsableModel(network, trained.kind, trained.in_shape, names).eval()
