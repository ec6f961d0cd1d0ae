"""Where and at what precision a network trains and is scored: `--device` and
`--precision`, resolved once per objective.

`auto` is CUDA when present, else Apple's MPS, else the CPU; precision `auto` is bf16 on
a GPU that has it, else fp32. fp16 needs a CUDA GPU and a gradient scaler; bf16 runs on
the CPU too (autocast), at a speed that depends on the processor."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from vaenas.errors import InvalidArgumentError

DEVICES = ("auto", "cpu", "cuda", "cuda:N", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
DATA_SHARE = 0.25
"""At most this share of a GPU's free memory holds a training set; the rest is for the
network, its activations and the other trials sharing the GPU (--gpus-per-trial 0.5)."""
_DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Placement:
    """A resolved device and precision: what a training loop needs."""

    device: torch.device
    precision: str
    """fp32, bf16 or fp16."""

    @property
    def dtype(self) -> torch.dtype | None:
        """The autocast type, None for plain fp32."""
        return _DTYPES[self.precision]

    def autocast(self) -> contextlib.AbstractContextManager[None]:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def data_device(self, nbytes: int) -> torch.device:
        """Where a training set of `nbytes` is kept: on the GPU when it takes at most
        DATA_SHARE of the GPU's free memory (batches are then cut there, with no copy per
        step), else in the CPU's pinned memory, each batch copied over asynchronously."""
        if self.device.type != "cuda":
            return self.device
        free, _ = torch.cuda.mem_get_info(self.device)
        return self.device if nbytes <= DATA_SHARE * free else torch.device("cpu")

    def scaler(self) -> torch.amp.GradScaler | None:
        """A gradient scaler for fp16 (small gradients underflow in half precision)."""
        return torch.amp.GradScaler(self.device.type) if self.precision == "fp16" else None


def resolve_device(spec: str = "auto") -> torch.device:
    """The device a user names, checked to exist here (one line otherwise)."""
    if not isinstance(spec, str):
        raise InvalidArgumentError(f"device must be one of {', '.join(DEVICES)}, got {spec!r}")
    spec = spec.strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if spec == "cpu":
        return torch.device("cpu")
    if spec == "mps":
        if not _mps_available():
            raise InvalidArgumentError("device mps: this machine has no Apple GPU (MPS); use --device auto or cpu")
        return torch.device("mps")
    kind, _, index = spec.partition(":")
    if kind == "cuda" and (not index or index.isdigit()):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise InvalidArgumentError(
                f"device {spec}: torch sees no CUDA GPU here (torch {torch.__version__}"
                f"{', a CPU-only build' if torch.version.cuda is None else ''}); use --device auto or cpu"
            )
        if index and int(index) >= count:
            raise InvalidArgumentError(f"device {spec}: this machine has {count} CUDA GPU(s), numbered from 0")
        return torch.device(spec)
    raise InvalidArgumentError(f"unknown device {spec!r}; choose one of: {', '.join(DEVICES)}")


def resolve_precision(spec: str, device: torch.device) -> str:
    """fp32, bf16 or fp16 for `device` (`auto`: bf16 on a GPU that has it, else fp32)."""
    if not isinstance(spec, str) or spec.strip().lower() not in PRECISIONS:
        raise InvalidArgumentError(f"precision must be one of {', '.join(PRECISIONS)}, got {spec!r}")
    spec = spec.strip().lower()
    if spec == "auto":
        return "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
    if spec == "fp16" and device.type != "cuda":
        raise InvalidArgumentError(f"precision fp16 needs a CUDA GPU (the device is {device}); use bf16 or fp32")
    return spec


def placement(device: str = "auto", precision: str = "auto") -> Placement:
    chosen = resolve_device(device)
    return Placement(chosen, resolve_precision(precision, chosen))


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())

