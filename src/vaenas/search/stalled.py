"""When a model-based strategy stops proposing from its pool and searches the one-change
neighbours of its best architectures: one policy for `bo` (a new best value counts as
progress) and `mobo` (an observation that joined the front does)."""

from __future__ import annotations

import numpy as np


def search_neighbours(progress: np.ndarray, patience: int, stay_local: bool) -> bool:
    """Whether the next proposal comes from the neighbours, given which observations made
    progress (`progress[i]`, the first always counts as progress).

    Without `stay_local`: while the last progress is `patience` or more observations old.
    With it, phases alternate: from the pool until `patience` observations bring no
    progress, then from the neighbours until `patience` more bring none (progress keeps
    the phase going), and so on. `patience` 0: never. Read from the observations alone,
    so that a resumed study decides alike."""
    if not patience:
        return False
    if not stay_local:
        return len(progress) - 1 - int(np.flatnonzero(progress)[-1]) >= patience
    local, quiet = False, 0
    for better in progress[1:]:
        quiet = 0 if better else quiet + 1
        if quiet >= patience:
            local, quiet = not local, 0
    return local
