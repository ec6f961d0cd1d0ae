"""How far a better validation value predicts a better test value in NAS-Bench-Graph's
tables: the ceiling on what any search can gain on test under the benchmark's protocol
(search on validation, report the test value of the best-by-validation cell).

    python benchmarks/nbgraph_val_test.py [--datasets cora,pubmed,arxiv] [--top 10,50,260,2620]

For the k cells with the best validation values, prints Spearman's rank correlation
between validation and test, their mean test value, and the lowest validation value
among them. Where the correlation among the top cells is near zero or negative, a search
that climbs higher on validation does not get a better test value in expectation, and a
test-value gap between strategies that lead on validation is noise. Needs the extra:
pip install 'vaenas[nbgraph]'.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import spearmanr

from vaenas.objectives import make_objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cora,pubmed,arxiv")
    parser.add_argument("--top", default="10,50,260,2620", help="comma-separated numbers of best-by-validation cells")
    args = parser.parse_args()
    print("| data set | best cells by validation | lowest validation among them | Spearman validation / test | mean test |")
    print("|---|---|---|---|---|")
    for dataset in args.datasets.split(","):
        table = make_objective("nbgraph", dataset).table()
        valid = np.array([e.value for e in table])
        test = np.array([e.metrics["test"] for e in table])
        order = np.argsort(-valid, kind="stable")
        for k in [int(k) for k in args.top.split(",")] + [len(table)]:
            top = order[:k]
            rho = spearmanr(valid[top], test[top])[0]
            print(f"| {dataset} | {k} | {valid[top].min():.2f} | {rho:+.2f} | {test[top].mean():.2f} |")


if __name__ == "__main__":
    main()
