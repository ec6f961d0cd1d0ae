"""Do generated proposals reach beyond the sampled pool? Latent `bo` on the macro space
(46,656 CNNs, of which the pool holds a random 20,000) with real training of each CNN on
the bundled digits data, with and without decoding candidates around the incumbents.

    python benchmarks/generated_proposals.py [--budget 30] [--seeds 0-1] [--epochs 2]

Both variants run on the same seeds in the same run. Prints, per variant: the share of
queried architectures that were not in the initial pool (decoded from latent points), the
share of them among the best five, and the mean best validation accuracy.
"""

from __future__ import annotations

import argparse

import numpy as np

from vaenas.objectives import make_objective
from vaenas.search import make_strategy
from vaenas.spaces import make_space
from vaenas.vae import cached_vae


def run(generate: int, seed: int, budget: int, epochs: int) -> tuple[float, float, float]:
    space = make_space("macro")
    objective = make_objective("classifier", "digits", epochs=epochs, seed=seed)
    strategy = make_strategy("bo", space, seed=seed, vae=cached_vae(space), generate=generate)
    outside, values = [], []
    for _ in range(budget):
        arch = strategy.ask(1)[0]
        index = strategy.pool.lookup(space.key(arch))
        outside.append(index is None or index >= strategy.pool.initial_size)
        values.append(objective.evaluate(arch).value)
        strategy.tell(arch, values[-1])
    top = np.argsort(values)[::-1][:5]
    return float(np.mean(outside)), float(np.mean(np.asarray(outside)[top])), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--seeds", default="0-1", help="FIRST-LAST, inclusive")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    first, last = (int(s) for s in args.seeds.split("-"))
    print(f"bo on macro / classifier digits ({args.epochs} epochs), {args.budget} queries, seeds {args.seeds}")
    for label, generate in (("pool only (generate=0)", 0), ("pool + generated (default)", 200)):
        runs = np.array([run(generate, seed, args.budget, args.epochs) for seed in range(first, last + 1)])
        print(f"  {label:28s} outside the initial pool: {runs[:, 0].mean():.0%} of queries, "
              f"{runs[:, 1].mean():.0%} of the best five; mean best accuracy {runs[:, 2].mean():.2f}")


if __name__ == "__main__":
    main()
