"""Hypervolume of one multi-objective strategy with given options, over a seed range.

    python benchmarks/multi_objective_options.py mobo --dataset cora --seeds 0-19 --options '{"n_init": 5}'
    python benchmarks/multi_objective_options.py nsga2 --objectives accuracy,params

Runs the strategy on NAS-Bench-Graph (the `vaenas[nbgraph]` extra) in memory with the
protocol of `vaenas compare --objectives` (a query is a distinct cell) and the options
given as JSON: this is how a setting is chosen on some seeds before `compare` confirms it
on others. Prints the mean hypervolume at 25, 50 and 100 queries as a share of the
table's true front (reference: the worst value of each criterion in the table), the
seeds that reach 0.98, and the mean seconds per ask (2 processes).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
from seed_range import parse_seeds
from seed_runs import ask_tell, make_run_strategy, over_seeds, pretrain_first

from vaenas.objectives import make_objective
from vaenas.spaces import make_space
from vaenas.study.pareto import criteria, hypervolume_curve, hypervolume_scale


def run_one(name: str, dataset: str, names: list[str], seed: int, options: dict[str, Any], budget: int) -> tuple[np.ndarray, float]:
    """The hypervolume share after each query, and the mean seconds per ask."""
    space, objective = make_space("nbgraph"), make_objective("nbgraph", dataset)
    chosen = criteria(names, type(objective))
    strategy = make_run_strategy(name, space, seed, options)

    def evaluate(arch: Any) -> tuple[tuple[float | None, ...], list[float | None]]:
        evaluation = objective.evaluate(arch)
        return tuple(c.signed(evaluation) for c in chosen), [c.of(evaluation) for c in chosen]

    points, ask_seconds, _ = ask_tell(strategy, evaluate, budget)
    scale = hypervolume_scale(objective, chosen, [])
    return hypervolume_curve(points, chosen, scale.reference) / scale.attainable, ask_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("strategy")
    parser.add_argument("--dataset", default="cora")
    parser.add_argument("--objectives", default="accuracy,latency")
    parser.add_argument("--seeds", default="0-19", help="FIRST-LAST (inclusive) or a comma-separated list")
    parser.add_argument("--options", default="{}", help="constructor options as JSON")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2, help="runs at once (one torch thread each)")
    args = parser.parse_args()
    names, options = args.objectives.split(","), json.loads(args.options)
    pretrain_first(args.strategy, make_space("nbgraph"))
    jobs = [(args.strategy, args.dataset, names, seed, options, args.budget) for seed in parse_seeds(args.seeds)]
    runs = over_seeds(run_one, jobs, args.processes)
    shares = np.vstack([share for share, _ in runs])
    at = {q: shares[:, min(q, args.budget) - 1].mean() for q in (25, 50, 100)}
    print(
        f"{args.strategy} {json.dumps(options)} on nbgraph/{args.dataset} ({args.objectives}), seeds {args.seeds}: "
        f"hypervolume share @25 {at[25]:.4f}, @50 {at[50]:.4f}, @100 {at[100]:.4f} "
        f"({int((shares[:, -1] >= 0.98).sum())}/{len(runs)} seeds reach 0.98); "
        f"{np.mean([seconds for _, seconds in runs]):.3f} s/ask"
    )


if __name__ == "__main__":
    main()
