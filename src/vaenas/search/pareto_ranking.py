"""Pareto ranks and crowding of score vectors (higher is better in every column): what
multi-objective strategies sort their observations by."""

from __future__ import annotations

import numpy as np


def dominates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dominates[i, j]: row i of `a` is at least as good as row j of `b` everywhere and
    better somewhere."""
    at_least = (a[:, None, :] >= b[None, :, :]).all(-1)
    better = (a[:, None, :] > b[None, :, :]).any(-1)
    return at_least & better


def front_ranks(points: np.ndarray) -> np.ndarray:
    """Rank 0 for the non-dominated rows, 1 for those non-dominated once rank 0 is
    removed, and so on (NSGA-II's non-dominated sorting), each front by BoTorch's
    `is_non_dominated`, as `study/pareto.py` finds a study's front (equal rows share a
    rank)."""
    import torch
    from botorch.utils.multi_objective.pareto import is_non_dominated

    ranks = np.full(len(points), -1)
    rank = 0
    while (left := np.flatnonzero(ranks < 0)).size:
        free = is_non_dominated(torch.as_tensor(points[left], dtype=torch.float64), deduplicate=False).numpy()
        ranks[left[free]] = rank
        rank += 1
    return ranks


def crowding(points: np.ndarray) -> np.ndarray:
    """NSGA-II's crowding distance within one set of rows: the extremes of each column
    get infinity, others the sum of their neighbours' gaps (scaled by the column's
    range). Larger is lonelier, so preferred."""
    n, m = points.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(m):
        order = np.argsort(points[:, j])
        spread = points[order[-1], j] - points[order[0], j]
        distance[order[[0, -1]]] = np.inf
        if spread > 0:
            distance[order[1:-1]] += (points[order[2:], j] - points[order[:-2], j]) / spread
    return distance


def survival_order(points: np.ndarray) -> np.ndarray:
    """Row indices best first: by front rank, then by crowding within the rank."""
    ranks = front_ranks(points)
    lonely = np.zeros(len(points))
    for rank in np.unique(ranks):
        members = ranks == rank
        lonely[members] = crowding(points[members])
    return np.lexsort((-lonely, ranks))
