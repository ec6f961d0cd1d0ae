"""A study of a configuration (`config.py`) kept in a folder: what `vaenas search` and
each run of `vaenas compare` build. It is made by `create_study`,
as a library user's study is, so either resumes a folder the other made."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from vaenas.search.network_proxies import Progress, objective_proxies
from vaenas.study.config import StudyConfig
from vaenas.study.create import create_study
from vaenas.errors import InvalidArgumentError
from vaenas.study.executors.gpu_slots import check_gpus_per_trial, pool_slots, visible_gpus
from vaenas.study.executors.registry import EXECUTORS, POOL_WORKERS
from vaenas.study.pareto import pareto_summary, pareto_view
from vaenas.study.storages.folder import write_pareto
from vaenas.study.study import ProgressCallback, Study
from vaenas.study.study_result import StudyResult, study_result

if TYPE_CHECKING:
    from vaenas.vae.archvae import EpochCallback


class ConfiguredStudy:
    """Runs one configuration into an output folder until `config.budget` trials are
    finished, resuming whatever is journaled there; writes results.json at the end.

    `executor` names where trials run (inprocess, pool, ray); `workers` how many at once;
    `address` an existing Ray cluster. None of them is part of the study's identity: a
    study can be resumed with another executor. `on_pretrain_epoch` reports a latent
    strategy's VAE pretraining when its space has no cached VAE yet, `on_proxies(done,
    total)` the zero-cost proxies a warm start computes where no table ships."""

    def __init__(
        self, config: StudyConfig, out: Path, executor: str = "inprocess",
        workers: int | None = None, address: str | None = None,
        on_pretrain_epoch: EpochCallback | None = None, gpus_per_trial: float | None = None,
        on_proxies: Progress | None = None,
    ) -> None:
        EXECUTORS.get(executor)  # an unknown name is refused before anything is built
        self.gpus_per_trial = check_gpus_per_trial(gpus_per_trial)
        if self.gpus_per_trial and executor == "inprocess":
            raise InvalidArgumentError("--gpus-per-trial goes with worker processes: --executor pool or ray")
        if self.gpus_per_trial and executor == "pool":
            pool_slots(self.gpus_per_trial, visible_gpus())  # no GPU here: one line before anything slow
        self.config, self.out = config, Path(out)
        self.space, self.objective = config.check()
        self.vae = config.pretrained_vae(self.space, on_pretrain_epoch)
        self.executor_name, self.workers, self.address = executor, workers, address
        self.on_proxies = on_proxies
        self.study: Study | None = None
        """The running Study, while `run` runs."""

    def proxy_workers(self) -> int:
        """Processes that compute zero-cost proxies: as many as trials run at once (a pool
        runs POOL_WORKERS unless told), at most one per core of this machine."""
        return 1 if self.executor_name == "inprocess" else min(self.workers or POOL_WORKERS, os.cpu_count() or 1)

    def run(self, progress: ProgressCallback | None = None) -> StudyResult:
        started = time.perf_counter()
        config = self.config
        with create_study(
            self.space, config.strategy, self.out, direction=config.direction, seed=config.seed, vae=self.vae,
            strategy_options=config.strategy_options, research_options=config.research_options, objectives=config.objective_directions(),
            pruner=config.make_pruner(), evaluation=config.evaluation(), max_retries=config.max_retries,
            proxies=objective_proxies(self.space, self.objective, Path(config.vae_cache) if config.vae_cache else None,
                                      self.on_proxies, self.proxy_workers()),
        ) as study:
            self.study = study
            study.run_until(config.budget, self.objective, config, self.executor_name, self.workers, self.address, progress,
                            self.gpus_per_trial)
            rows = study.storage.trials()  # architectures as strings, for the result files
            best = study.best_trial
            view = pareto_view(rows, study.criteria) if study.criteria else None
            result = study_result(config, self.objective, rows, rows[best.number] if best else None,
                                  time.perf_counter() - started, view)
            assert study.folder is not None
            study.folder.write_results(result.to_json())
            if view is not None:
                write_pareto(self.out, pareto_summary(view))
        return result
