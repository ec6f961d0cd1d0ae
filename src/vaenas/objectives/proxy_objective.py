"""Scoring NAS-Bench-201 cells by a zero-cost proxy instead of training: the value is the
proxy from the shipped table, and the table's test accuracy is reported beside it, so a
search on the proxy alone shows how far the proxy can be trusted."""

from __future__ import annotations

from typing import ClassVar

from vaenas.errors import UnknownNameError
from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.nb201_proxies import PROXY_COLUMNS, load_proxies
from vaenas.objectives.nb201_table import COLUMNS, Nb201Table
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.reporting import Trial
from vaenas.spaces.nb201 import Nb201Arch, Nb201Space


@OBJECTIVES.register("nb201-proxy")
class Nb201Proxy(Objective):
    """A cell's zero-cost proxy (`proxy`: synflow, params or flops); the metric
    `test_accuracy` is the NATS-Bench test accuracy on `dataset`."""

    name = "nb201-proxy"
    is_lookup = True
    space_name = "nb201"
    reported_metric = "test_accuracy"
    datasets: ClassVar[tuple[str, ...]] = tuple(COLUMNS)
    default_dataset = "cifar10"

    def __init__(self, dataset: str = default_dataset, proxy: str = "synflow") -> None:
        if proxy not in PROXY_COLUMNS:
            raise UnknownNameError(f"unknown proxy {proxy!r}; choose one of: {', '.join(PROXY_COLUMNS)}")
        self.proxy, self.dataset = proxy, dataset
        self._accuracy = Nb201Table(dataset)
        self._space = Nb201Space()
        self._proxies = load_proxies()

    def evaluate(self, arch: Nb201Arch, trial: Trial | None = None) -> Evaluation:
        key = self._space.key(arch)
        return Evaluation(value=self._proxies[key][self.proxy],
                          metrics={"test_accuracy": self._accuracy.evaluate(arch).value})
