"""The standard error of a mean over seeds or runs, as every results table reports it
(0 for a single value: no spread to estimate)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def standard_error(values: Sequence[float]) -> float:
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
