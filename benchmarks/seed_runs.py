"""One way for the benchmark scripts to run a strategy over seeds: the ask/tell loop with
the time spent asking, and the seeds spread over worker processes."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from typing import Any

from vaenas.search import Strategy, make_strategy, needs_vae
from vaenas.spaces import Arch, SearchSpace
from vaenas.vae import VAEConfig, cached_vae


def make_run_strategy(
    name: str, space: SearchSpace, seed: int, options: dict[str, Any], vae: dict[str, Any] | None = None
) -> Strategy:
    """The strategy of one run, on one torch thread (one run per core), with the cached
    VAE of settings `vae` (VAEConfig fields) when the strategy needs one."""
    import torch

    torch.set_num_threads(1)
    latent = {"vae": cached_vae(space, VAEConfig(**(vae or {})))} if needs_vae(name) else {}
    return make_strategy(name, space, seed=seed, **latent, **options)


def ask_tell(
    strategy: Strategy, evaluate: Callable[[Arch], tuple[Any, Any]], budget: int,
    done: Callable[[Any], bool] = lambda last: False,
) -> tuple[list[Any], float, float]:
    """`budget` queries, or fewer when `done(last kept)` says so: `evaluate(arch)` gives (what
    the strategy is told, what the run keeps). Returns what was kept, per query, and the
    mean seconds per ask and per tell (where a strategy that learns from its results,
    such as `bo-retrain`, does that learning)."""
    kept: list[Any] = []
    asking = telling = 0.0
    while len(kept) < budget and not (kept and done(kept[-1])):
        started = time.perf_counter()
        arch = strategy.ask(1)[0]
        asked = time.perf_counter()
        told, keep = evaluate(arch)
        evaluated = time.perf_counter()
        strategy.tell(arch, told)
        asking, telling = asking + asked - started, telling + time.perf_counter() - evaluated
        kept.append(keep)
    return kept, asking / len(kept), telling / len(kept)


def pretrain_first(name: str, space: SearchSpace, vae: dict[str, Any] | None = None) -> None:
    """Pretrains (or finds) the VAE here, so that two workers do not both train it."""
    if needs_vae(name):
        cached_vae(space, VAEConfig(**(vae or {})))


def over_seeds(run: Callable[..., Any], jobs: Sequence[tuple], processes: int = 2) -> list[Any]:
    """`run(*job)` for every job, in `processes` spawned worker processes, in job order."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.starmap(run, jobs, chunksize=1)  # one slow seed holds up no other
