"""Gaussian-process surrogate for latent BO: a BoTorch SingleTaskGP on architecture features."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from botorch.exceptions.warnings import InputDataWarning
from botorch.fit import fit_gpytorch_mll
from botorch.models import SingleTaskGP
from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
from gpytorch.kernels import LinearKernel
from gpytorch.mlls import ExactMarginalLogLikelihood


_BOUNDED = {"options": {"maxiter": 100}}
"""A fit stops after 100 L-BFGS steps (warm starts converge well before): unbounded, one
refit at 150 observations took 16 s (benchmarks/ask_overhead.py). The fallback fit from
the priors is left unbounded."""


class LatentGP:
    """A SingleTaskGP with BoTorch's defaults (ARD RBF kernel with dimension-scaled
    priors, outcomes standardized by its Standardize transform), hyperparameters fitted
    by BoTorch and warm-started from the previous fit.

    Hyperparameters are re-optimised once the data has grown by `refit_share` since the
    last optimisation (at least one point); in between, new data is conditioned on with
    the hyperparameters the GP has, which costs milliseconds instead of an L-BFGS run.

    `predict` scores thousands of candidates from one Cholesky factor of the training
    covariance: the exact GP posterior, 15x faster than BoTorch's batched posterior over
    a 15,625-member pool on one core.

    `linear_columns`: the last that many input columns also enter through a linear
    kernel added to the RBF, so that the GP extrapolates along them (operation counts,
    in which a cost like latency is close to additive: from 30 random NAS-Bench-Graph
    cells the RBF alone predicts about 3 ms for the fastest cells, which take 0.4-0.7
    ms, and RBF + linear on the counts 1.1-1.7 ms).

    `fixed_noise`: the noise variance (in standardized units) held at that value instead
    of fitted (0: fitted), for objectives that answer the same value for the same
    architecture, such as a table."""

    def __init__(self, refit_share: float = 0.05, linear_columns: int = 0, fixed_noise: float = 0.0) -> None:
        self.refit_share, self.linear_columns, self.fixed_noise = refit_share, linear_columns, fixed_noise
        self._state: dict[str, torch.Tensor] | None = None
        self._optimized_at = 0
        self.model: SingleTaskGP | None = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> SingleTaskGP:
        model = _single_task_gp(x, y, self.linear_columns, self.fixed_noise)
        n = len(y)
        due = n - self._optimized_at >= max(1.0, self.refit_share * n)
        if self._state is not None:
            try:
                model.load_state_dict(_without_transform(self._state), strict=False)
            except RuntimeError:  # kept hyperparameters of another shape: fit afresh
                self._state = None
        if self._state is None or due:
            self._optimized_at = n
            self._optimize(model, x, y)
        model.eval()
        self._state = model.state_dict()
        self.model = model
        return model

    def checkpoint(self) -> dict[str, Any]:
        """What the next fit starts from (the last fit's hyperparameters and when they
        were optimised), so that a resumed search fits as an uninterrupted one would."""
        return {"state": self._state, "optimized_at": self._optimized_at}

    def restore(self, checkpoint: dict[str, Any]) -> None:
        self._state, self._optimized_at = checkpoint["state"], checkpoint["optimized_at"]

    @staticmethod
    def check_checkpoint(checkpoint: Any) -> None:
        """Raises ValueError unless `checkpoint` reads as `checkpoint()` writes it (tensors
        by name, and a count); whether its shapes fit is seen at the next fit."""
        if not isinstance(checkpoint, dict) or set(checkpoint) != {"state", "optimized_at"}:
            raise ValueError("its GP entry is not a GP checkpoint")
        state, count = checkpoint["state"], checkpoint["optimized_at"]
        if state is not None and not (isinstance(state, dict) and all(
                isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items())):
            raise ValueError("its GP hyperparameters are not tensors by name")
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError(f"its GP fit count is {count!r}, not a whole number")

    def _optimize(self, model: SingleTaskGP, x: np.ndarray, y: np.ndarray) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optimizer chatter on tiny data sets
            try:
                fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model), optimizer_kwargs=_BOUNDED)
            except Exception:  # a failed fit from the warm start: start from the priors
                fresh = _single_task_gp(x, y, self.linear_columns, self.fixed_noise)
                fit_gpytorch_mll(ExactMarginalLogLikelihood(fresh.likelihood, fresh))
                model.load_state_dict(fresh.state_dict())

    def predict(self, candidates: np.ndarray, pending: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation (in the units of y) at `candidates`.

        Pending points enter at their predicted mean (kriging believer), so that a batch
        or an asynchronous study does not propose one spot twice."""
        assert self.model is not None, "fit the GP first"
        model = self.model
        train_x, train_y = model.train_inputs[0], model.train_targets
        with torch.no_grad():
            if pending is not None and len(pending):
                believed, _ = self._posterior(train_x, train_y, _tensor(pending))
                train_x = torch.cat([train_x, _tensor(pending)])
                train_y = torch.cat([train_y, believed])
            mean, variance = self._posterior(train_x, train_y, _tensor(candidates))
            transform = model.outcome_transform
            scale = transform.stdvs.squeeze()
            return (mean * scale + transform.means.squeeze()).numpy(), (variance.sqrt() * scale).numpy()

    def _posterior(self, train_x: torch.Tensor, train_y: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact posterior mean and variance in the model's standardized units."""
        assert self.model is not None
        kernel, prior_mean = self.model.covar_module, self.model.mean_module.constant
        noise = self.model.likelihood.noise.squeeze()
        gram = kernel(train_x).to_dense() + noise * torch.eye(len(train_x), dtype=train_x.dtype)
        factor = torch.linalg.cholesky(gram)
        alpha = torch.cholesky_solve((train_y - prior_mean).unsqueeze(-1), factor)
        cross = kernel(x, train_x).to_dense()
        mean = prior_mean + (cross @ alpha).squeeze(-1)
        v = torch.linalg.solve_triangular(factor, cross.T, upper=False)
        variance = kernel(x, x, diag=True) - (v**2).sum(0)
        return mean, variance.clamp_min(1e-12)


def _single_task_gp(x: np.ndarray, y: np.ndarray, linear_columns: int = 0, fixed_noise: float = 0.0) -> SingleTaskGP:
    """BoTorch's default GP; with `linear_columns`, its default RBF kernel plus a linear
    kernel on the last that many columns; with `fixed_noise`, that noise, not fitted."""
    covariance = None
    if linear_columns:
        d = x.shape[1]
        covariance = get_covar_module_with_dim_scaled_prior(ard_num_dims=d) + LinearKernel(
            active_dims=list(range(d - linear_columns, d))
        )
    with warnings.catch_warnings():
        # constant y (a run of failed cells) is legitimate: Standardize keeps scale 1
        warnings.simplefilter("ignore", InputDataWarning)
        model = SingleTaskGP(_tensor(x), _tensor(y).unsqueeze(-1), covar_module=covariance)
    if fixed_noise:
        model.likelihood.noise = fixed_noise
        model.likelihood.noise_covar.raw_noise.requires_grad_(False)  # the fit leaves it
    return model


def _without_transform(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Hyperparameters only: the outcome transform is re-derived from the new data."""
    return {k: v for k, v in state.items() if not k.startswith("outcome_transform")}


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(a, dtype=torch.float64)
