"""Files written whole or not at all, and torch files read without running their code:
the one way every checkpoint, learned state, model and result file of vaenas is saved
and loaded."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from vaenas.errors import CheckpointError


def write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Runs `write` on a temporary file beside `path`, flushes it to the disk (fsync),
    then renames it over `path`: a kill or a power cut leaves the old file or the new
    one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself reaches the disk
    finally:
        os.close(folder)


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, lambda f: f.write((json.dumps(data, indent=2) + "\n").encode()))


def save_torch_atomic(path: Path, payload: Any) -> None:
    """`torch.save` of plain values and tensors (what `load_torch` reads back)."""
    import torch

    write_atomic(path, lambda f: torch.save(payload, f))


def load_torch(path: Path, what: str, advice: str) -> Any:
    """A torch file read with weights_only (tensors and plain values: nothing in the file
    runs), onto the CPU; a missing, damaged or foreign file is one CheckpointError naming
    the file, what it should be and `advice` (what to do)."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no {what} at {path}; {advice}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged or crafted file
        raise CheckpointError(f"{path} is not a readable {what} ({type(exc).__name__}); {advice}") from None
