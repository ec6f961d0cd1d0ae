"""Search quality of one strategy with given constructor options, over a seed range.

    python benchmarks/strategy_options.py bo --dataset cifar10 --seeds 0-19 --options '{"features": "latent"}'
    python benchmarks/strategy_options.py bo --dataset imagenet16-120 --vae '{"latent_dim": 32}'

Runs the strategy on the bundled NAS-Bench-201 table with the protocol of `vaenas
compare` (a query is a distinct architecture, 150 queries) but in memory and with the
options given as JSON, which `compare` cannot pass, and optionally VAE settings other than
the defaults (`--vae`, VAEConfig fields as JSON; pretrained once and cached): this is how
settings are chosen on some seeds before `compare` confirms them on others. Prints the median queries to regret
0.2 and 0, the mean best at 50 and 100 queries, and mean seconds per ask (2 processes).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import numpy as np
from provenance import provenance

from vaenas.objectives import OPTIMUM_TOLERANCE, make_objective
from vaenas.report import curves, queries_to_regret
from vaenas.search import make_strategy, needs_vae
from vaenas.spaces import make_space
from vaenas.study import StudyConfig, StudyResult
from vaenas.vae import VAEConfig, cached_vae


def run_one(
    name: str, dataset: str, seed: int, options: dict[str, Any], budget: int, vae_options: dict[str, Any]
) -> StudyResult:
    import torch

    torch.set_num_threads(1)
    space, objective = make_space("nb201"), make_objective("nb201", dataset)
    vae = {"vae": cached_vae(space, VAEConfig(**vae_options))} if needs_vae(name) else {}
    strategy = make_strategy(name, space, seed=seed, **vae, **options)
    values: list[float | None] = []
    asking = 0.0
    while len(values) < budget:
        started = time.perf_counter()
        arch = strategy.ask(1)[0]
        asking += time.perf_counter() - started
        value = objective.evaluate(arch).value
        strategy.tell(arch, value)
        values.append(value)
    config = StudyConfig(dataset=dataset, strategy=name, budget=budget, seed=seed)
    best = max(v for v in values if v is not None)
    return StudyResult(config, None, best, objective.optimum - best, budget, 0, values, asking,
                       ask_seconds=asking / budget, optimum=objective.optimum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("strategy")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--seeds", default="0-19", help="FIRST-LAST, inclusive")
    parser.add_argument("--options", default="{}", help="constructor options as JSON")
    parser.add_argument("--vae", default="{}", help="VAEConfig settings as JSON (default: the defaults)")
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--out", type=Path, help="append the figures and their provenance to this JSON-lines file")
    args = parser.parse_args()
    first, last = (int(s) for s in args.seeds.split("-"))
    options, vae_options = json.loads(args.options), json.loads(args.vae)
    if needs_vae(args.strategy):  # pretrain once here, not in two workers at the same time
        cached_vae(make_space("nb201"), VAEConfig(**vae_options))
    jobs = [(args.strategy, args.dataset, seed, options, args.budget, vae_options) for seed in range(first, last + 1)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(run_one, jobs)
    best = curves(results)
    reach = {t: queries_to_regret(results, t) for t in (0.2, 0.0)}
    reached_optimum = sum(r.regret is not None and r.regret <= OPTIMUM_TOLERANCE for r in results)
    figures = {"strategy": args.strategy, "options": options, "vae": vae_options, "dataset": args.dataset,
               "seeds": args.seeds, "median_queries_to_regret_0.2": reach[0.2], "median_queries_to_optimum": reach[0.0],
               "seeds_at_optimum": reached_optimum, "n_seeds": len(results),
               "best_at_50": float(best[:, 49].mean()), "best_at_100": float(best[:, min(99, args.budget - 1)].mean()),
               "seconds_per_ask": float(np.mean([r.ask_seconds for r in results]))}
    if args.out:
        with args.out.open("a") as f:
            f.write(json.dumps({"provenance": provenance(), **figures}) + "\n")
    print(
        f"{args.strategy} {json.dumps(options)} VAE {json.dumps(vae_options)} on {args.dataset}, seeds {args.seeds}: "
        f"median queries to regret<=0.2 {reach[0.2] or 'not reached'}, to 0 {reach[0.0] or 'not reached'} "
        f"({reached_optimum}/{len(results)} seeds reach it); best @50 {best[:, 49].mean():.3f}, "
        f"@100 {best[:, min(99, args.budget - 1)].mean():.3f}; "
        f"{np.mean([r.ask_seconds for r in results]):.3f} s/ask"
    )


if __name__ == "__main__":
    main()
