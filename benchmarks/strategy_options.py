"""Search quality of one strategy with given constructor options, over a seed range.

    python benchmarks/strategy_options.py bo --dataset cifar10 --seeds 0-19 --options '{"features": "latent"}'
    python benchmarks/strategy_options.py bo --dataset imagenet16-120 --vae '{"latent_dim": 32}'

Runs the strategy on the bundled NAS-Bench-201 table with the protocol of `vaenas
compare` (a query is a distinct architecture, 150 queries) but in memory and with the
options given as JSON, which `compare` cannot pass, and optionally VAE settings other than
the defaults (`--vae`, VAEConfig fields as JSON; pretrained once and cached): this is how
settings are chosen on some seeds before `compare` confirms them on others. Prints the median queries to regret
0.2 and 0, the mean best at 50 and 100 queries, and mean seconds per ask and per tell (2 processes; a strategy that learns from
its results, such as `bo-retrain`, does that learning in tell).
With `--keep DIR` each seed's run is written there as it ends and a rerun takes the runs
of the same settings from there: a run too long for one sitting (Optuna's GPSampler can
take 20 minutes a seed) is stopped and resumed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from provenance import provenance
from seed_range import parse_seeds
from seed_runs import ask_tell, make_run_strategy, over_seeds, pretrain_first

from vaenas.objectives import OPTIMUM_TOLERANCE, make_objective
from vaenas.reports.metrics import curves, first_queries_to_regret, queries_to_regret, runs_at_optimum
from vaenas.spaces import make_space
from vaenas.study import StudyConfig, StudyResult


def run_one(
    name: str, dataset: str, seed: int, options: dict[str, Any], budget: int, vae_options: dict[str, Any],
    keep: Path | None = None, stop_at_optimum: bool = False,
) -> tuple[StudyResult, float | None]:
    """One seed's run and its mean seconds per tell (None for a run kept before tells
    were timed), taken from `keep` when an earlier run of the same settings left it
    there, and left there when it finishes (so a long run can be stopped and resumed).
    With `stop_at_optimum` the run ends at its first query of the optimum: no later query
    can change a figure this script prints, and a converged Optuna GP can spend many
    minutes re-proposing the optimum."""
    settings = {"strategy": name, "dataset": dataset, "seed": seed, "options": options, "budget": budget,
                "vae": vae_options}
    kept, objective = _kept_run(keep, settings), make_objective("nb201", dataset)
    optimum = objective.optimum
    if kept is None:
        space = make_space("nb201")
        strategy = make_run_strategy(name, space, seed, options, vae_options)

        def at_optimum(value: float | None) -> bool:
            return stop_at_optimum and value is not None and value >= optimum - OPTIMUM_TOLERANCE

        values, ask_seconds, tell_seconds = ask_tell(
            strategy, lambda arch: (objective.evaluate(arch).value,) * 2, budget, at_optimum)
        kept = {**settings, "values": values, "ask_seconds": ask_seconds, "tell_seconds": tell_seconds}
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / _kept_name(settings)).write_text(json.dumps(kept) + "\n")
    values, ask_seconds = kept["values"], kept["ask_seconds"]
    values = values + [None] * (budget - len(values))  # a run stopped at the optimum: its best stays
    config = StudyConfig(dataset=dataset, strategy=name, budget=budget, seed=seed)
    best = max(v for v in values if v is not None)
    result = StudyResult(config, None, best, optimum - best, budget, 0, values, ask_seconds * budget,
                         ask_seconds=ask_seconds, optimum=optimum)
    return result, kept.get("tell_seconds")


def _kept_name(settings: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    return f"{settings['strategy']}-{settings['dataset']}-seed{settings['seed']}-{digest}.json"


def _kept_run(keep: Path | None, settings: dict[str, Any]) -> dict[str, Any] | None:
    path = keep / _kept_name(settings) if keep is not None else None
    if path is None or not path.exists():
        return None
    kept = json.loads(path.read_text())
    return kept if all(kept.get(k) == v for k, v in settings.items()) else None


DATASETS = ("cifar10", "cifar100", "imagenet16-120")


def per_seed(results: list[StudyResult]) -> dict[str, list[Any]]:
    """Each seed's first query at regret <= 0.2 and at the optimum (None: not within the
    budget), so that where the queries go can be read back without rerunning."""
    firsts = {t: first_queries_to_regret(results, t) for t in (0.2, 0.0)}
    return {"seed": [r.config.seed for r in results],
            **{f"first_query_at_regret_{t:g}": [None if np.isinf(q) else int(q) for q in firsts[t]] for t in firsts}}


def markdown(title: str, files: list[Path]) -> str:
    """A docs/results page from the JSON lines that `--out` appended: one table per file."""
    from provenance import provenance_line

    lines = [f"# {title} (generated by benchmarks/strategy_options.py --markdown; do not edit)", ""]
    for path in files:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        rows.sort(key=lambda r: DATASETS.index(r["dataset"]))  # stable: run order within a data set
        lines += [f"## {path.name}", ""]
        lines += [f"- {provenance_line(r['provenance'])}" for r in rows[:1]]
        lines += ["", "| data set | strategy | options | VAE settings | seeds | median queries to regret <= 0.2 | to the optimum | "
                  "seeds at the optimum | best @ 50 | best @ 100 | s / ask | s / tell |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            vae = f"`{json.dumps(r['vae'])}`" if r.get("vae") else "defaults"
            lines.append(f"| {r['dataset']} | {r['strategy']} | `{json.dumps(r['options'])}` | {vae} | {r['seeds']} | "
                         f"{r['median_queries_to_regret_0.2'] or 'not reached'} | {r['median_queries_to_optimum'] or 'not reached'} | "
                         f"{r['seeds_at_optimum']} / {r['n_seeds']} | {r['best_at_50']:.3f} | {r['best_at_100']:.3f} | "
                         f"{r['seconds_per_ask']:.3f}{' (a run ends at its optimum)' if r.get('stopped_at_optimum') else ''} | "
                         f"{'' if r.get('seconds_per_tell') is None else format(r['seconds_per_tell'], '.3f')} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("strategy", nargs="?")
    parser.add_argument("--markdown", type=Path, nargs="+", metavar=("PAGE", "JSONL"),
                        help="write the docs page PAGE from saved --out files and stop")
    parser.add_argument("--title", default="Strategy options on NAS-Bench-201")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--seeds", default="0-19", help="FIRST-LAST (inclusive) or a comma-separated list")
    parser.add_argument("--options", default="{}", help="constructor options as JSON")
    parser.add_argument("--vae", default="{}", help="VAEConfig settings as JSON (default: the defaults)")
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--processes", type=int, default=2, help="runs at once (one torch thread each)")
    parser.add_argument("--out", type=Path, help="append the figures and their provenance to this JSON-lines file")
    parser.add_argument("--stop-at-optimum", action="store_true",
                        help="end each seed's run at its first query of the optimum (the figures are the same; "
                        "seconds per ask then count the asks up to it)")
    parser.add_argument("--keep", type=Path, help="keep each seed's run in this folder as it ends, and reuse the "
                        "runs of the same settings found there (a stopped run resumes)")
    args = parser.parse_args()
    if args.markdown:
        page, *files = args.markdown
        page.write_text(markdown(args.title, files) + "\n")
        return
    if not args.strategy:
        parser.error("name a strategy, e.g. bo")
    options, vae_options = json.loads(args.options), json.loads(args.vae)
    pretrain_first(args.strategy, make_space("nb201"), vae_options)
    jobs = [(args.strategy, args.dataset, seed, options, args.budget, vae_options, args.keep, args.stop_at_optimum)
            for seed in parse_seeds(args.seeds)]
    runs = over_seeds(run_one, jobs, args.processes)
    results, tells = [result for result, _ in runs], [tell for _, tell in runs if tell is not None]
    best = curves(results)
    reach = {t: queries_to_regret(results, t) for t in (0.2, 0.0)}
    reached_optimum = runs_at_optimum([r.regret for r in results])
    figures = {"strategy": args.strategy, "options": options, "vae": vae_options, "dataset": args.dataset,
               "seeds": args.seeds, "median_queries_to_regret_0.2": reach[0.2], "median_queries_to_optimum": reach[0.0],
               "seeds_at_optimum": reached_optimum, "n_seeds": len(results),
               "best_at_50": float(best[:, min(49, args.budget - 1)].mean()), "best_at_100": float(best[:, min(99, args.budget - 1)].mean()),
               "seconds_per_ask": float(np.mean([r.ask_seconds for r in results])),
               "seconds_per_tell": float(np.mean(tells)) if tells else None,
               "per_seed": per_seed(results), "stopped_at_optimum": args.stop_at_optimum}
    if args.out:
        with args.out.open("a") as f:
            f.write(json.dumps({"provenance": provenance(), **figures}) + "\n")
    print(
        f"{args.strategy} {json.dumps(options)} VAE {json.dumps(vae_options)} on {args.dataset}, seeds {args.seeds}: "
        f"median queries to regret<=0.2 {reach[0.2] or 'not reached'}, to 0 {reach[0.0] or 'not reached'} "
        f"({reached_optimum}/{len(results)} seeds reach it); best @50 {figures['best_at_50']:.3f}, "
        f"@100 {best[:, min(99, args.budget - 1)].mean():.3f}; "
        f"{figures['seconds_per_ask']:.3f} s/ask"
        + (f", {figures['seconds_per_tell']:.3f} s/tell" if tells else "")
    )


if __name__ == "__main__":
    main()
