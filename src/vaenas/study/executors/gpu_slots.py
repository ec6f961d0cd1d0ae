"""Which GPU each worker of a pool sees, and how many trials run at once, from the GPUs
per trial a user asks for (`--gpus-per-trial`: 1 = a GPU each, 0.5 = two trials share one)."""

from __future__ import annotations

import math

from vaenas.errors import InvalidArgumentError


def check_gpus_per_trial(gpus: object) -> float | None:
    """None (no GPU asked), or a share of a GPU above 0 (at most 1), or a whole number."""
    if gpus is None:
        return None
    if isinstance(gpus, bool) or not isinstance(gpus, (int, float)) or not math.isfinite(gpus) or gpus <= 0 or (
            gpus > 1 and not float(gpus).is_integer()):
        raise InvalidArgumentError(
            f"gpus per trial must be a share of one GPU (0.5: two trials share it, 1: a GPU each) or a whole "
            f"number of GPUs, got {gpus!r}"
        )
    return float(gpus)


def visible_gpus() -> int:
    """GPUs torch can see here (without starting CUDA in this process)."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def pool_slots(gpus_per_trial: float, gpu_count: int) -> list[str]:
    """The CUDA_VISIBLE_DEVICES of each worker: floor(gpu_count / gpus_per_trial)
    workers, each seeing the GPU(s) of its slot; one line when there are none."""
    if gpu_count < 1:
        raise InvalidArgumentError(
            "--gpus-per-trial needs a GPU, and torch sees none here; leave it out to train on the CPU"
        )
    if gpus_per_trial >= 1:
        per = int(gpus_per_trial)
        if per > gpu_count:
            raise InvalidArgumentError(f"--gpus-per-trial {per} asks for more than the {gpu_count} GPU(s) here")
        return [",".join(str(g) for g in range(w * per, (w + 1) * per)) for w in range(gpu_count // per)]
    sharing = int(1 / gpus_per_trial + 1e-9)
    return [str(w // sharing) for w in range(gpu_count * sharing)]
