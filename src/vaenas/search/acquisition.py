"""Acquisition values of candidates from a surrogate's posterior mean and deviation."""

from __future__ import annotations

import numpy as np

from vaenas.errors import UnknownNameError
from vaenas._experiment_settings import EXPERIMENTS

ACQUISITIONS = ("ei", "ucb")


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best_f: float) -> np.ndarray:
    """log E[max(f - best_f, 0)] for Gaussian f, accurate where the improvement is many
    standard deviations away: what still ranks candidates once the model is confident.
    BoTorch's LogEI (Ament et al. 2023), on the mean and deviation our GP gives with its
    pending points (kriging believer): log EI = log h(u) + log std, h(u) = phi(u) + u Phi(u).
    It proposes what the earlier hand-written series did (docs/decisions/bo-defaults.md)."""
    import torch
    from botorch.acquisition.analytic import _log_ei_helper

    u = torch.as_tensor((mean - best_f) / std, dtype=torch.float64)
    return _log_ei_helper(u).numpy() + np.log(std)


def acquisition_values(mean: np.ndarray, std: np.ndarray, best_f: float, kind: str = "ei") -> np.ndarray:
    """Log expected improvement over `best_f` ("ei") or the upper confidence bound
    mean + sqrt(beta) std ("ucb", beta an experiment setting), higher is better."""
    if kind == "ei":
        return log_expected_improvement(mean, std, best_f)
    if kind == "ucb":
        return mean + np.sqrt(EXPERIMENTS.ucb_beta) * std
    raise UnknownNameError(f"unknown acquisition {kind!r}; choose one of: {', '.join(ACQUISITIONS)}")
