"""Side-by-side runs: several strategies over many seeds, in parallel processes."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vaenas.errors import InvalidArgumentError
from vaenas.study.arguments import check_workers
from vaenas.study.config import StudyConfig
from vaenas.study.configured_study import ConfiguredStudy
from vaenas.study.executors.worker_lifetime import die_with_parent
from vaenas.study.pareto import Criterion, HypervolumeScale, hypervolume_scale
from vaenas.study.study_result import StudyResult
from vaenas.study.trial_log import set_verbosity

if TYPE_CHECKING:
    from vaenas.vae.archvae import EpochCallback


def run_dir(out: Path, strategy: str, seed: int) -> Path:
    """Where one (strategy, seed) study of a comparison lives; it resumes like any study."""
    return out / "runs" / strategy / f"seed{seed}"


def run_comparison(
    base: StudyConfig,
    strategies: list[str],
    seeds: int,
    out: Path,
    workers: int | None = None,
    on_done: Callable[[StudyResult], None] | None = None,
    first_seed: int = 0,
    strategy_options: dict[str, dict[str, Any]] | None = None,
    research_options: dict[str, dict[str, Any]] | None = None,
    on_pretrain_epoch: EpochCallback | None = None,
) -> dict[str, list[StudyResult]]:
    """Runs every strategy with seeds first_seed..first_seed+seeds-1 and returns the
    results by strategy, in seed order. `strategy_options` maps a strategy to its
    declared options, `research_options` to its research settings. Each strategy is built once before any process starts, so bad
    names and options are refused first and a latent strategy's VAE is pretrained (and
    cached) once, not by every worker."""
    if seeds < 1:
        raise InvalidArgumentError(f"seeds must be at least 1, got {seeds}")
    if first_seed < 0:
        raise InvalidArgumentError(f"first seed must be at least 0, got {first_seed}")
    seed_range = range(first_seed, first_seed + seeds)
    if not strategies:
        raise InvalidArgumentError("no strategy given; pass e.g. --strategies rs,re,ls")
    repeated = sorted({s for s in strategies if strategies.count(s) > 1})
    if repeated:
        raise InvalidArgumentError(f"strategy {', '.join(repeated)} is named twice; name each strategy once")
    check_workers(workers)
    options, research = strategy_options or {}, research_options or {}
    unused = (set(options) | set(research)) - set(strategies)
    if unused:
        raise InvalidArgumentError(
            f"options given for {', '.join(sorted(unused))}, which is not among the strategies compared"
        )
    configs = [
        replace(base, strategy=s, seed=k, strategy_options=options.get(s, {}), research_options=research.get(s, {}))
        for s in strategies for k in seed_range
    ]
    for config in configs[::seeds]:  # checked and pretrained here, not by two workers at once
        config.pretrained_vae(config.check()[0], on_pretrain_epoch)
    results: dict[tuple[str, int], StudyResult] = {}
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent)
    try:
        futures = [
            pool.submit(_run_one, config, run_dir(out, config.strategy, config.seed))
            for config in configs
        ]
        for future in as_completed(futures):
            result = future.result()
            results[(result.config.strategy, result.config.seed)] = result
            if on_done:
                on_done(result)
    except BaseException:
        _stop(pool)  # Ctrl-C, SIGTERM or a failed run: no worker goes on without us
        raise
    pool.shutdown()
    return {s: [results[(s, k)] for k in seed_range] for s in strategies}


def hypervolume_scale_of(
    base: StudyConfig, by_strategy: dict[str, list[StudyResult]]
) -> tuple[list[Criterion], HypervolumeScale]:
    """The criteria of a multi-objective comparison and how its hypervolumes are measured
    (one reference for every strategy; see `hypervolume_scale`)."""
    chosen = base.criteria()
    if chosen is None:
        raise InvalidArgumentError("hypervolumes need several objectives (--objectives)")
    _, objective = base.build_problem()
    points = [
        np.array([p for p in r.points or [] if p is not None]).reshape(-1, len(chosen))
        for results in by_strategy.values() for r in results
    ]
    return chosen, hypervolume_scale(objective, chosen, points)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Ends the pool's workers now; their journals keep every finished trial."""
    processes = list(getattr(pool, "_processes", {}).values())  # the pool has no public handle on them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()


def _run_one(config: StudyConfig, out: Path) -> StudyResult:
    import torch

    torch.set_num_threads(1)  # one study per core; more threads only contend
    set_verbosity(logging.WARNING)  # the comparing process shows the progress, not each trial
    return ConfiguredStudy(config, out).run()
