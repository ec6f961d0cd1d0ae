"""vaenas: neural architecture search driven by a variational autoencoder over architectures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

__version__ = "0.1.0"


def load_model(path: str | Path) -> nn.Module:
    """Reloads a network saved by a search (best_model.pt) or by `vaenas train` (model.pt),
    in eval mode. Imported lazily so that `import vaenas` stays light."""
    from vaenas.objectives.trained_model import load_model as load

    return load(path)
