"""Objectives `proxy` (macro) and `cell-proxy` (NAS-Bench-201 cells): a zero-cost proxy of
the untrained network an architecture builds for the data's shape, instead of training
it. A search with no training at all is one command:

    vaenas search --space macro --objective proxy --proxy synflow --data folder:my_images

The networks are the ones `classifier` and `cell-classifier` train, so a proxy search
ranks what a training search would train. Data-free proxies (synflow, params, flops) read
only the data's shape; the others (naswot, snip, grad_norm) one seeded batch of its
training split."""

from __future__ import annotations

import time
from typing import Any

import torch
from torch import nn

from vaenas.errors import UnknownNameError
from vaenas.objectives.base import Evaluation
from vaenas.objectives.classifier import CellClassifierObjective, ClassifierObjective
from vaenas.objectives.networks import count_flops, count_parameters
from vaenas.objectives.proxies import DATA_FREE, grad_norm, naswot, snip
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.reporting import Trial

NETWORK_PROXIES = (*DATA_FREE, "naswot", "snip", "grad_norm")


class NetworkProxyScoring:
    """What `proxy` and `cell-proxy` add to the classifier they share their network with:
    the proxy named at construction, on the untrained network, in place of training."""

    proxy: str
    seed: int
    proxy_batch = 128
    """Training images the data-dependent proxies score a network on (one seeded batch)."""
    train_x: torch.Tensor
    train_y: torch.Tensor
    data: Any

    def _check_proxy(self, proxy: str) -> None:
        if proxy not in NETWORK_PROXIES:
            raise UnknownNameError(f"unknown proxy {proxy!r}; choose one of: {', '.join(NETWORK_PROXIES)}")
        self.proxy = proxy

    def evaluate(self, arch: Any, trial: Trial | None = None) -> Evaluation:
        """The proxy (higher predicted better), with params, FLOPs and its seconds."""
        torch.manual_seed(self.seed)
        model = self.build(arch)  # type: ignore[attr-defined]  (the classifier's network)
        started = time.perf_counter()
        value = self.proxy_of(model)
        seconds = time.perf_counter() - started
        shape = self.data.shape
        return Evaluation(value=value, cost=seconds, metrics={
            "params": count_parameters(model), "flops": count_flops(model, shape), "proxy_seconds": round(seconds, 4)})

    def proxy_of(self, model: nn.Module) -> float:
        if self.proxy in DATA_FREE:
            return DATA_FREE[self.proxy](model, tuple(self.data.shape))
        generator = torch.Generator().manual_seed(self.seed)
        index = torch.randperm(len(self.train_x), generator=generator)[: self.proxy_batch]
        images, labels = self.train_x[index], self.train_y[index]
        if self.proxy == "naswot":
            return naswot(model, images)
        return (snip if self.proxy == "snip" else grad_norm)(model, images, labels)


@OBJECTIVES.register("proxy")
class NetworkProxy(NetworkProxyScoring, ClassifierObjective):
    """A zero-cost proxy of the classifier network of a macro architecture (no training)."""

    name = "proxy"
    value_name = "proxy"

    def __init__(self, dataset: str = ClassifierObjective.default_dataset, proxy: str = "synflow",
                 **options: Any) -> None:
        self._check_proxy(proxy)
        super().__init__(dataset, **options)


@OBJECTIVES.register("cell-proxy")
class CellNetworkProxy(NetworkProxyScoring, CellClassifierObjective):
    """A zero-cost proxy of the benchmark network of a NAS-Bench-201 cell, built for your
    data's shape (no training; `nb201-proxy` reads CIFAR-10's shipped table instead)."""

    name = "cell-proxy"
    value_name = "proxy"

    def __init__(self, dataset: str = ClassifierObjective.default_dataset, proxy: str = "synflow",
                 **options: Any) -> None:
        self._check_proxy(proxy)
        super().__init__(dataset, **options)
