"""A trained network as a user uses it: it knows its class names and the input it was
trained on, takes image files, PIL images or arrays (`predict`), and exports to
TorchScript or ONNX files that run without vaenas."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vaenas.errors import DataError, InvalidArgumentError, MissingExtraError

EXPORT_FORMATS = ("torchscript", "onnx")


@dataclass(frozen=True)
class Prediction:
    """One image's most probable class, its probability, and every class's probability."""

    class_name: str
    probability: float
    probabilities: dict[str, float]


class UsableModel(nn.Module):
    """The network (`network`) with what using it needs: `kind`, the input shape
    (channels, height, width) it was trained on and, for a classifier, its class names.
    Called on a tensor of [0, 1] images it is the network itself (normalisation is inside)."""

    def __init__(self, network: nn.Module, kind: str, in_shape: Sequence[int], class_names: Sequence[str] | None) -> None:
        super().__init__()
        self.network = network
        self.kind, self.in_shape = kind, tuple(int(v) for v in in_shape)
        self.class_names = tuple(class_names) if class_names is not None else None

    def forward(self, x: torch.Tensor) -> Any:
        return self.network(x)

    def images(self, images: Any) -> torch.Tensor:
        """A batch of [0, 1] images shaped as the network takes them, from a path, a PIL
        image, an array or tensor (one image or a batch), or a list of those: resized and
        converted to grey or RGB as the training images were (image_folder.picture_array)."""
        from PIL import Image

        if isinstance(images, (str, Path, Image.Image)):
            images = [images]
        if isinstance(images, (np.ndarray, torch.Tensor)):
            return self._batch_of_arrays(torch.as_tensor(images))
        items = list(images) if isinstance(images, Iterable) else [images]
        if not items:
            raise DataError("no images given to predict")
        return torch.cat([self._one(item) for item in items])

    def _one(self, item: Any) -> torch.Tensor:
        from PIL import Image

        from vaenas.objectives.image_folder import open_picture, picture_array

        channels, height, width = self.in_shape
        if isinstance(item, (str, Path)):
            picture = open_picture(Path(item))
        elif isinstance(item, Image.Image):
            picture = item
        else:
            return self._batch_of_arrays(torch.as_tensor(np.asarray(item)))
        return torch.as_tensor(picture_array(picture, channels, (width, height)))[None]

    def _batch_of_arrays(self, x: torch.Tensor) -> torch.Tensor:
        """(c, h, w) or (n, c, h, w) as trained; uint8 is scaled to [0, 1]."""
        x = x[None] if x.ndim == len(self.in_shape) else x
        if x.ndim != 4 or tuple(x.shape[1:]) != self.in_shape:
            raise DataError(f"arrays must be shaped {self.in_shape} or (n, {', '.join(map(str, self.in_shape))}), the "
                            f"images this model was trained on; got {tuple(x.shape)} (pass files or PIL images to "
                            "have them resized)")
        return x.float() / 255.0 if x.dtype == torch.uint8 else x.float()

    def predict(self, images: Any, batch_size: int = 256) -> list[Prediction]:
        """Each image's class name and probability (softmax of the network's output)."""
        if self.class_names is None:
            raise InvalidArgumentError(f"a {self.kind} model has no classes to predict; predict takes a classifier")
        x = self.images(images)
        device = next(self.network.parameters()).device
        with torch.no_grad():
            probabilities = torch.cat([self.network(part.to(device)).float().softmax(1).cpu()
                                       for part in x.split(batch_size)])
        return [Prediction(self.class_names[int(row.argmax())], float(row.max()),
                           dict(zip(self.class_names, (round(float(p), 6) for p in row))))
                for row in probabilities]

    def description(self) -> dict[str, Any]:
        """What a program using an exported file needs to know, written beside it."""
        return {"kind": self.kind, "input": {"shape": ["batch", *self.in_shape], "dtype": "float32",
                                             "range": [0, 1], "normalised_inside": True},
                "class_names": list(self.class_names) if self.class_names else None}

    def export(self, path: Path | str, fmt: str = "torchscript") -> Path:
        """The network as a TorchScript (`torch.jit.load`) or ONNX file (any batch size),
        and PATH.json describing its input and classes. Returns the file's path."""
        fmt = fmt.strip().lower()
        if fmt not in EXPORT_FORMATS:
            raise InvalidArgumentError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
        if self.class_names is None:
            raise InvalidArgumentError(f"a {self.kind} model does not export; export takes a classifier")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        network = self.network.cpu().eval()
        example = torch.rand(2, *self.in_shape)
        description = json.dumps(self.description(), indent=1)
        if fmt == "torchscript":
            with torch.no_grad():
                traced = torch.jit.trace(network, example)
            traced.save(str(path), _extra_files={"vaenas.json": description})
        else:
            _export_onnx(network, example, path)
        Path(f"{path}.json").write_text(description + "\n")
        return path


def _export_onnx(network: nn.Module, example: torch.Tensor, path: Path) -> None:
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
        import onnxscript  # noqa: F401
    except ImportError:
        raise MissingExtraError("ONNX export needs onnx and onnxscript: pip install 'vaenas[export]'") from None
    import contextlib
    import io
    import logging
    import warnings

    batch = torch.export.Dim("batch", min=1, max=4096)
    quiet = logging.getLogger("torch.onnx")
    level, quiet.level = quiet.level, logging.ERROR  # it lists torchvision ops it skips
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():  # its progress, its deprecations
            warnings.simplefilter("ignore")
            torch.onnx.export(network, (example,), str(path), input_names=["images"], output_names=["logits"],
                              dynamic_shapes=({0: batch},), dynamo=True, verbose=False)
    finally:
        quiet.level = level
