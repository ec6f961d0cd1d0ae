"""Monotone warps of observed values before a GP sees them.

Accuracies on a tabular benchmark are skewed: a long tail of broken cells far below a
tight cluster of good ones. A GP on the raw values spends its variance on the tail and
separates the top cells only roughly. A monotone warp keeps the order, so the best cell
stays the best and expected improvement over the warped best still asks for better cells,
while the top of the distribution gets the spread."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

from vaenas.errors import UnknownNameError

WARPS = ("none", "rank", "log")


def check_warp(kind: str) -> None:
    if kind not in WARPS:
        raise UnknownNameError(f"unknown warp {kind!r}; choose one of: {', '.join(WARPS)}")


def warp_values(y: np.ndarray, kind: str) -> np.ndarray:
    """`y` warped by `kind`, higher still better:
    - "none": unchanged;
    - "rank": Gaussian quantiles of the ranks (a Gaussian copula), ties sharing a rank;
    - "log": -log(1 + gap / s), the gap to the best value in units s of 1 % of the
      observed range: the top cells spread out, the tail is compressed."""
    check_warp(kind)
    y = np.asarray(y, dtype=float)
    if kind == "none" or len(y) < 2:
        return y
    if kind == "rank":
        return ndtri((rankdata(y) - 0.5) / len(y))
    scale = 0.01 * (y.max() - y.min()) or 1.0
    return -np.log1p((y.max() - y) / scale)
