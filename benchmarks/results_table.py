"""Markdown tables for the README from `vaenas compare` output folders.

    python benchmarks/results_table.py DIR_CIFAR10 DIR_CIFAR100 DIR_IMAGENET [--queries 50,100,150]

Each folder is one `vaenas compare` run (summary.csv and queries_to_regret.csv); the
tables show mean ± std of the best test accuracy at the given query counts, and the
median queries to reach each regret threshold.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def read(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def dataset_of(folder: Path) -> str:
    some = next((folder / "runs").glob("*/seed*/results.json"))
    return str(json.loads(some.read_text())["dataset"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--queries", default="50,100,150")
    args = parser.parse_args()
    queries = args.queries.split(",")

    print("| data set | strategy | seeds | " + " | ".join(f"best @ {q}" for q in queries) + " |")
    print("|---|---|---|" + "---|" * len(queries))
    for folder in args.folders:
        rows = read(folder / "summary.csv")
        for strategy in dict.fromkeys(r["strategy"] for r in rows):
            cells = {r["queries"]: f"{float(r['mean_best']):.2f} ± {float(r['std_best']):.2f}"
                     for r in rows if r["strategy"] == strategy}
            seeds = next(r["n_seeds"] for r in rows if r["strategy"] == strategy)
            print(f"| {dataset_of(folder)} | {strategy} | {seeds} | " + " | ".join(cells.get(q, "-") for q in queries) + " |")

    print()
    first = read(args.folders[0] / "queries_to_regret.csv")
    thresholds = [k for k in first[0] if k.startswith("regret")]
    print("| data set | strategy | " + " | ".join(f"queries to {t}" for t in thresholds) + " | s / ask |")
    print("|---|---|" + "---|" * (len(thresholds) + 1))
    for folder in args.folders:
        for row in read(folder / "queries_to_regret.csv"):
            print(f"| {dataset_of(folder)} | {row['strategy']} | " + " | ".join(row[t] for t in thresholds)
                  + f" | {row['ask_seconds']} |")


if __name__ == "__main__":
    main()
