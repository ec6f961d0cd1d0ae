"""Gaussian-process surrogate for latent BO: a BoTorch SingleTaskGP on scaled embeddings."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from botorch.fit import fit_gpytorch_mll
from botorch.exceptions.warnings import InputDataWarning
from botorch.models import SingleTaskGP
from gpytorch.mlls import ExactMarginalLogLikelihood


class LatentGP:
    """Fits a SingleTaskGP (BoTorch defaults: ARD RBF kernel, dimension-scaled priors) to
    standardized values, warm-started from the previous fit's hyperparameters.

    Hyperparameters are re-optimised once the data has grown by `refit_share` since the
    last optimisation (at least one point); in between, the GP takes the new data with
    the hyperparameters it has, which costs milliseconds instead of an L-BFGS run."""

    def __init__(self, refit_share: float = 0.05) -> None:
        self.refit_share = refit_share
        self._state: dict[str, torch.Tensor] | None = None
        self._optimized_at = 0
        self.model: SingleTaskGP | None = None
        self.mean = 0.0
        self.std = 1.0

    def fit(self, x: np.ndarray, y: np.ndarray) -> SingleTaskGP:
        self.mean, self.std = float(y.mean()), float(y.std(ddof=1)) if len(y) > 1 else 1.0
        self.std = self.std or 1.0
        model = self._model(x, (y - self.mean) / self.std)
        if self._state is not None:
            model.load_state_dict(self._state)
            if len(y) - self._optimized_at < max(1.0, self.refit_share * len(y)):
                model.eval()
                self.model = model
                return model
        self._optimized_at = len(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optimizer chatter on tiny data sets
            try:
                fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
            except Exception:  # a failed fit from the warm start: start from the priors
                model = self._model(x, (y - self.mean) / self.std)
                fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
        model.eval()
        self._state = model.state_dict()
        self.model = model
        return model

    def with_believed(self, x: np.ndarray, y: np.ndarray, pending: np.ndarray) -> SingleTaskGP:
        """The fitted GP conditioned on pending points at their predicted mean (kriging
        believer), so that a batch or an asynchronous study does not propose one spot twice."""
        assert self.model is not None and self._state is not None
        if len(pending) == 0:
            return self.model
        with torch.no_grad():
            believed = self.model.posterior(_tensor(pending)).mean.squeeze(-1).numpy()
        standardized = np.concatenate([(y - self.mean) / self.std, believed])
        model = self._model(np.vstack([x, pending]), standardized)
        model.load_state_dict(self._state)
        model.eval()
        return model

    @staticmethod
    def _model(x: np.ndarray, y_standardized: np.ndarray) -> SingleTaskGP:
        with warnings.catch_warnings():
            # believed values shift the standardization slightly; that is intended
            warnings.simplefilter("ignore", InputDataWarning)
            return SingleTaskGP(_tensor(x), _tensor(y_standardized).unsqueeze(-1), outcome_transform=None)


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(a, dtype=torch.float64)
