"""Acquisition values of candidates from a surrogate's posterior mean and deviation."""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, ndtr

from vaenas.errors import UnknownNameError
from vaenas._experiment_settings import EXPERIMENTS

ACQUISITIONS = ("ei", "ucb")
_FAR_TAIL = -25.0
"""At or below this standardized improvement, log EI uses its asymptotic series."""


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best_f: float) -> np.ndarray:
    """log E[max(f - best_f, 0)] for Gaussian f, accurate where the improvement is many
    standard deviations away: what still ranks candidates once the model is confident
    (the LogEI of Ament et al. 2023). EI = std * h(u), h(u) = phi(u) + u Phi(u)."""
    u = (mean - best_f) / std
    log_phi = -0.5 * u**2 - 0.5 * np.log(2 * np.pi)
    log_h = np.empty_like(u)
    positive, far = u >= 0, u <= _FAR_TAIL
    middle = ~positive & ~far
    log_h[positive] = np.log(np.exp(log_phi[positive]) + u[positive] * ndtr(u[positive]))
    # h / phi = 1 + u Phi(u) / phi(u), and Phi(u) / phi(u) = sqrt(pi / 2) erfcx(-u / sqrt 2)
    um = u[middle]
    log_h[middle] = log_phi[middle] + np.log1p(um * np.sqrt(np.pi / 2) * erfcx(-um / np.sqrt(2)))
    uf = u[far]  # h / phi = u^-2 (1 - 3 u^-2 + ...)
    log_h[far] = log_phi[far] - 2 * np.log(-uf) + np.log1p(-3 / uf**2)
    return log_h + np.log(std)


def acquisition_values(mean: np.ndarray, std: np.ndarray, best_f: float, kind: str = "ei") -> np.ndarray:
    """Log expected improvement over `best_f` ("ei") or the upper confidence bound
    mean + sqrt(beta) std ("ucb", beta an experiment setting), higher is better."""
    if kind == "ei":
        return log_expected_improvement(mean, std, best_f)
    if kind == "ucb":
        return mean + np.sqrt(EXPERIMENTS.ucb_beta) * std
    raise UnknownNameError(f"unknown acquisition {kind!r}; choose one of: {', '.join(ACQUISITIONS)}")
