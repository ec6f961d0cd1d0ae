"""Markdown tables for the README from `vaenas compare` output folders.

    python benchmarks/results_table.py DIR_CIFAR10 DIR_CIFAR100 DIR_IMAGENET [--queries 50,100,150]

Each folder is one `vaenas compare` run (summary.csv and queries_to_regret.csv); the
tables show mean ± std of the best value at the given query counts (and of a reported
metric at the best trial, e.g. NAS-Bench-Graph's test performance at the best
validation value, where the objective has one), and the median queries to reach each
regret threshold.
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

    header = read(args.folders[0] / "summary.csv")[0]
    reported = [k.removeprefix("mean_") for k in header if k.startswith("mean_") and k.endswith("_at_best")]
    columns = [("best", "best")] + [(r, r.replace("_", " ")) for r in reported]
    heads = [f"{label} @ {q}" for _, label in columns for q in queries]
    print("| data set | strategy | seeds | " + " | ".join(heads) + " |")
    print("|---|---|---|" + "---|" * len(heads))
    for folder in args.folders:
        rows = read(folder / "summary.csv")
        for strategy in dict.fromkeys(r["strategy"] for r in rows):
            mine = [r for r in rows if r["strategy"] == strategy]
            cells = [
                next((f"{float(r['mean_' + c]):.2f} ± {float(r['std_' + c]):.2f}" for r in mine if r["queries"] == q), "-")
                for c, _ in columns for q in queries
            ]
            print(f"| {dataset_of(folder)} | {strategy} | {mine[0]['n_seeds']} | " + " | ".join(cells) + " |")

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
