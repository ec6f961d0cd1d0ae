"""Expected hypervolume improvement of candidates with independent Gaussian predictions
per objective (higher is better in each): the acquisition of multi-objective latent BO."""

from __future__ import annotations

import numpy as np
import torch
from botorch.utils.multi_objective.box_decompositions.non_dominated import FastNondominatedPartitioning
from scipy.special import ndtr


def reference_point(observed: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """Slightly worse than the worst observation in each objective, so that every observed
    trade-off counts towards the hypervolume (the usual heuristic when no reference is
    given)."""
    low, high = observed.min(0), observed.max(0)
    return low - margin * np.maximum(high - low, 1e-12)


def expected_hypervolume_improvement(
    mean: np.ndarray, std: np.ndarray, front: np.ndarray, reference: np.ndarray
) -> np.ndarray:
    """EHVI of each candidate (rows of `mean`, `std`: one column per objective) over the
    hypervolume that `front` (observed points, dominated ones allowed) covers above
    `reference`.

    The region the front does not dominate is cut into boxes [l, u] (BoTorch's box
    decomposition); a candidate y gains the volume of each box below y, prod_j
    (min(y_j, u_j) - l_j)^+. With independent outcomes the expectation factorises per box
    and objective: E[(min(Y, u) - l)^+] = psi(l) - psi(u), psi(a) = E[(Y - a)^+]."""
    cells = FastNondominatedPartitioning(
        ref_point=torch.as_tensor(reference, dtype=torch.float64), Y=torch.as_tensor(front, dtype=torch.float64)
    ).get_hypercell_bounds().numpy()
    lower, upper = cells[0], cells[1]  # (boxes, objectives)
    mu, sigma = mean[:, None, :], np.maximum(std, 1e-12)[:, None, :]
    gain = _expected_excess(mu, sigma, lower[None]) - _expected_excess(mu, sigma, upper[None])
    return np.prod(np.maximum(gain, 0.0), axis=-1).sum(-1)


def _expected_excess(mu: np.ndarray, sigma: np.ndarray, a: np.ndarray) -> np.ndarray:
    """E[(Y - a)^+] for Y ~ N(mu, sigma^2); 0 where a is infinite."""
    finite = np.isfinite(a)
    z = np.where(finite, (mu - np.where(finite, a, 0.0)) / sigma, 0.0)
    excess = sigma * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) + (mu - np.where(finite, a, 0.0)) * ndtr(z)
    return np.where(finite, excess, 0.0)
