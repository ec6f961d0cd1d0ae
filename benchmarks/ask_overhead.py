"""Wall seconds a strategy spends per ask once it holds many observations.

    python benchmarks/ask_overhead.py [--observations 150] [--asks 10] [--strategies bo,optuna-gp,optuna-tpe,bananas,rl,grad,re]

Each strategy is told the same `--observations` random nb201 architectures with their
CIFAR-10 accuracy, then asked once (the first ask fits the model from scratch, as no
running study ever does at that size: printed apart) and `--asks` times more, each told
back before the next as in a study, where each model fit is warm-started from the last.
Regularized evolution is the near-zero reference.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from vaenas.objectives import make_objective
from vaenas.search import make_strategy, needs_vae
from vaenas.spaces import make_space
from vaenas.vae import cached_vae


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=150)
    parser.add_argument("--asks", type=int, default=10)
    parser.add_argument("--strategies", default="bo,optuna-gp,optuna-tpe,bananas,rl,grad,re")
    args = parser.parse_args()

    space, objective = make_space("nb201"), make_objective("nb201", "cifar10")
    vae = cached_vae(space)
    rng = np.random.default_rng(0)
    everything = list(space.enumerate())
    history = [everything[i] for i in rng.choice(len(everything), args.observations, replace=False)]
    print(f"seconds per ask after {args.observations} observations ({args.asks} asks each)")
    for name in args.strategies.split(","):
        strategy = make_strategy(name, space, seed=0, **({"vae": vae} if needs_vae(name) else {}))
        for arch in history:
            strategy.tell(arch, objective.evaluate(arch).value)
        times = []
        for _ in range(args.asks + 1):
            started = time.perf_counter()
            arch = strategy.ask(1)[0]
            times.append(time.perf_counter() - started)
            strategy.tell(arch, objective.evaluate(arch).value)
        steady = times[1:]
        print(f"  {name:10s} mean {np.mean(steady):.3f} s   max {np.max(steady):.3f} s   "
              f"(first, cold: {times[0]:.3f} s)")


if __name__ == "__main__":
    main()
