"""Pruning on real training: the macro space, the classifier objective, N epochs per full
evaluation, strategies x pruners over a seed range, every run side by side.

Cost is counted in epochs trained (machine-independent; a pruned trial counts the epochs
it reached) and wall seconds; quality as the best final validation accuracy among the
complete trials, and the test accuracy of that architecture retrained stand-alone (a
fresh training seed). The Optuna peer runs natively in Optuna (TPESampler with Optuna's
own SuccessiveHalvingPruner / HyperbandPruner / MedianPruner, trial.report per epoch) on
the same network, data and training loop: strategy `optuna-native`.

    python benchmarks/pruning.py --strategies bo,re,optuna-native --pruners none,asha \\
        --seeds 0-4 --trials 60 --epochs 8 --out docs/results/data/pruning-seeds0-4.json

The JSON records every trial (value, status, epochs), each run's curve of best accuracy
against epochs spent, and its provenance; `--table FILE` prints the summary of a saved
file again.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
from provenance import provenance, provenance_line, save_result
from seed_range import parse_seeds
from standard_error import standard_error

OPTUNA_PRUNERS = {"asha": "SuccessiveHalvingPruner", "median": "MedianPruner", "hyperband": "HyperbandPruner",
                  "none": "NopPruner"}


def parse_pruner(spec: str) -> tuple[str, dict[str, int]]:
    """`asha` or `asha:reduction_factor=4` (options joined by `;`)."""
    name, _, rest = spec.partition(":")
    options = {k: int(v) for k, v in (item.split("=") for item in rest.split(";") if item)}
    return name, options


def run_one(job: dict) -> dict:
    import logging

    import torch

    import vaenas

    torch.set_num_threads(1)
    vaenas.set_verbosity(logging.WARNING)
    started = time.perf_counter()
    trials = _optuna_native(job) if job["strategy"] == "optuna-native" else _vaenas(job)
    seconds = time.perf_counter() - started
    best = max((t for t in trials if t["status"] == "complete"), key=lambda t: t["value"], default=None)
    retrained = _retrain(job, best["arch"]) if best else None
    spent, curve, best_so_far = 0, [], -np.inf
    for t in trials:
        spent += t["epochs"]
        if t["status"] == "complete":
            best_so_far = max(best_so_far, t["value"])
        curve.append([spent, None if best_so_far == -np.inf else best_so_far])
    return {**job, "trials": trials, "seconds": seconds, "epochs_trained": spent, "curve": curve,
            "best_value": best["value"] if best else None, "best_arch": best["arch"] if best else None,
            "retrained_test_accuracy": retrained,
            "n_pruned": sum(t["status"] == "pruned" for t in trials)}


def _objective(job: dict, seed: int = 0):
    from vaenas.objectives import make_objective

    subset = {"subset": job["subset"]} if job.get("subset") else {}
    return make_objective("classifier", job["data"], epochs=job["epochs"], seed=seed,
                          batch_size=job.get("batch_size", 128), **subset)


def _vaenas(job: dict) -> list[dict]:
    import vaenas

    from vaenas._experiment_settings import EXPERIMENTS

    EXPERIMENTS.pruned_trials = job.get("pruned_told", "value")
    name, options = parse_pruner(job["pruner"])
    study = vaenas.create_study(space="macro", strategy=job["strategy"], seed=job["seed"], pruner=name,
                                pruner_options=options or None)
    study.optimize(_objective(job), n_trials=job["trials"])
    reports = study.storage.intermediate_values()
    rows = [{"arch": study.space.format(t.arch), "status": t.status.value, "value": t.value,
             "epochs": int(t.metrics.get("pruned_at", t.metrics.get("epochs", 0))),
             "ask_seconds": t.metrics.get("ask_seconds"), "reports": dict(reports.get(t.number, {}))}
            for t in study.trials]
    study.close()
    return rows


class _OptunaReports:
    """An Optuna trial as the objective's trial handle (same report / should_prune),
    remembering the last report so that a pruned trial can be counted."""

    def __init__(self, trial) -> None:  # type: ignore[no-untyped-def]
        self.trial, self.values = trial, {}

    @property
    def step(self) -> int:
        """The last step reported (0 before any)."""
        return max(self.values, default=0)

    def report(self, value: float, step: int) -> None:
        self.values[step] = value
        self.trial.report(value, step)

    def should_prune(self) -> bool:
        return bool(self.trial.should_prune())


def _optuna_native(job: dict) -> list[dict]:
    """Optuna as its users run it: its sampler, its pruner, trial.report every epoch (the
    classifier objective's own per-epoch reports, made to the Optuna trial)."""
    import optuna

    from vaenas.objectives.reporting import TrialPruned
    from vaenas.spaces import make_space

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space, objective = make_space("macro"), _objective(job)
    name, options = parse_pruner(job["pruner"])
    pruner_class = getattr(optuna.pruners, OPTUNA_PRUNERS[name])
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=job["seed"]),
                                pruner=pruner_class(**options))
    rows: list[dict] = []

    def fit(trial: optuna.Trial) -> float:
        arch = space.from_decisions({name: trial.suggest_categorical(name, list(options))
                                     for name, options in space.decisions().items()})
        reports = _OptunaReports(trial)
        try:
            value = objective.evaluate(arch, reports).value  # type: ignore[arg-type]
        except TrialPruned:
            last = reports.step
            rows.append({"arch": space.format(arch), "status": "pruned", "value": reports.values.get(last),
                         "epochs": last, "reports": reports.values})
            raise optuna.TrialPruned() from None
        rows.append({"arch": space.format(arch), "status": "complete", "value": value,
                     "epochs": objective.epochs, "reports": reports.values})
        return value

    study.optimize(fit, n_trials=job["trials"])
    return rows


def _retrain(job: dict, arch_text: str) -> float | None:
    """The chosen architecture trained again from scratch with another seed, scored on
    the test split."""
    from vaenas.spaces import make_space

    objective = _objective(job, seed=1000 + job["seed"])
    evaluation = objective.evaluate(make_space("macro").parse(arch_text))
    return evaluation.metrics.get("test_accuracy")


def label(run: dict) -> str:
    """The strategy as the tables name it, with an experiment setting that is not the default."""
    return run["strategy"] + (" (pruned told as failed)" if run.get("pruned_told") == "failed" else "")


def summarise(runs: list[dict]) -> list[dict]:
    rows = []
    keys = sorted({(label(r), r["pruner"]) for r in runs})
    for strategy, pruner in keys:
        group = [r for r in runs if label(r) == strategy and r["pruner"] == pruner]
        base_strategy = group[0]["strategy"]
        unpruned = [r for r in runs if r["strategy"] == base_strategy and r["pruner"] == "none"]
        reference = [r for r in runs if r["strategy"] == REFERENCE and r["pruner"] == "none"] or unpruned

        def stat(values: list[float]) -> tuple[float, float]:
            known = [v for v in values if v is not None]
            return float(np.mean(known)), standard_error(known)

        epochs, epochs_se = stat([r["epochs_trained"] for r in group])
        best, best_se = stat([r["best_value"] for r in group])
        test, test_se = stat([r["retrained_test_accuracy"] for r in group])
        base = np.mean([r["epochs_trained"] for r in unpruned]) if unpruned else np.nan
        reach = epochs_to_reach(group, reference)
        rows.append({"strategy": strategy, "pruner": pruner, "runs": len(group), "epochs": epochs,
                     "epochs_se": epochs_se, "epochs_ratio": epochs / base if base else np.nan,
                     "best_val": best, "best_val_se": best_se, "retrained_test": test, "retrained_test_se": test_se,
                     "pruned": float(np.mean([r["n_pruned"] for r in group])),
                     "seconds": float(np.mean([r["seconds"] for r in group])),
                     "ask_seconds": mean_ask_seconds(group),
                     "epochs_to_unpruned_best": reach})
    return rows


def mean_ask_seconds(group: list[dict]) -> float | None:
    """Mean seconds the strategy took per ask over the runs' trials (None where not recorded)."""
    asks = [t["ask_seconds"] for r in group for t in r["trials"] if t.get("ask_seconds") is not None]
    return float(np.mean(asks)) if asks else None


REFERENCE = "bo"


def epochs_to_reach(group: list[dict], reference: list[dict]) -> dict | None:
    """Epochs each run spends before its best reaches the mean final best of the
    `reference` runs (unpruned bo where the file has them, as the issue's target reads,
    else the unpruned runs of the row's own strategy): the median, a run that never
    reaches it counting as infinitely many, and how many runs reach it."""
    if not reference:
        return None
    target = float(np.mean([r["best_value"] for r in reference if r["best_value"] is not None]))
    spent = []
    for run in group:
        hit = next((e for e, best in run["curve"] if best is not None and best >= target - 1e-9), None)
        spent.append(np.inf if hit is None else hit)
    return {"median": float(np.median(spent)), "reached": int(np.isfinite(spent).sum()), "runs": len(spent)}


def early_ranking(runs: list[dict]) -> list[dict]:
    """How well the validation accuracy after an early epoch ranks the trials by their
    final one: Spearman over each unpruned run's trials, per step, mean over runs. ASHA
    at reduction factor 3 decides at epochs 1 and 3, so these bound what it can keep."""
    from scipy.stats import spearmanr

    unpruned = [r for r in runs if r["pruner"] == "none" and all("reports" in t for t in r["trials"])]
    if not unpruned:
        return []
    rows = []
    for step in range(1, unpruned[0]["epochs"]):
        rhos = []
        for run in unpruned:
            pairs = [(t["reports"].get(str(step), t["reports"].get(step)), t["value"]) for t in run["trials"]
                     if t["status"] == "complete"]
            early, final = zip(*[(a, b) for a, b in pairs if a is not None])
            rhos.append(spearmanr(early, final).statistic)
        rows.append({"step": step, "runs": len(unpruned), "spearman": float(np.mean(rhos)),
                     "spearman_se": standard_error(rhos)})
    return rows


def early_ranking_markdown(runs: list[dict]) -> list[str]:
    rows = early_ranking(runs)
    if not rows:
        return []
    return ["", "How well an early epoch ranks the trials of the unpruned runs by their final validation accuracy "
            "(Spearman, mean ± standard error over runs):", "", "| epoch | " + " | ".join(str(r["step"]) for r in rows) + " |",
            "|" + "---|" * (len(rows) + 1),
            "| Spearman with the final epoch | " + " | ".join(f"{r['spearman']:.2f} ± {r['spearman_se']:.2f}" for r in rows)
            + " |"]


HEAD = ("strategy", "pruner", "runs", "epochs trained", "ratio to unpruned", "best val accuracy",
        "retrained test accuracy", "pruned trials", "epochs to the reference best (median; runs reaching it)", "seconds", "s / ask")


def cells(r: dict) -> list[str]:
    """One summary row as the printed and the markdown tables show it."""
    return [
        r["strategy"], r["pruner"], str(r["runs"]), f"{r['epochs']:.0f} ± {r['epochs_se']:.0f}",
        f"{r['epochs_ratio']:.2f}", f"{r['best_val']:.2f} ± {r['best_val_se']:.2f}",
        f"{r['retrained_test']:.2f} ± {r['retrained_test_se']:.2f}", f"{r['pruned']:.1f}",
        reach_cell(r["epochs_to_unpruned_best"]),
        f"{r['seconds']:.0f}", "-" if r["ask_seconds"] is None else f"{r['ask_seconds']:.2f}",
    ]


def reach_cell(reach: dict | None) -> str:
    """`184 (2 of 3 runs)`, or `never (0 of 3 runs)`."""
    if reach is None:
        return "-"
    median = "never" if reach["median"] == np.inf else f"{reach['median']:.0f}"
    return f"{median} ({reach['reached']} of {reach['runs']} runs)"


def print_table(rows: list[dict]) -> None:
    print(" | ".join(HEAD))
    for r in rows:
        print(" | ".join(cells(r)))


def markdown(files: list[Path], page_dir: Path) -> str:
    """The docs/results page of saved result files (a section each); a section shows the
    figure `--plot` drew of its file, when the page's folder holds one of the same name."""
    out = ["# Pruning on real training (generated by benchmarks/pruning.py --markdown; do not edit)", ""]
    for path in files:
        one = json.loads(path.read_text())
        prov = one["provenance"]
        out += [f"## {one.get('label') or prov['command']}", "", provenance_line(prov), "",
                "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        out += ["| " + " | ".join(cells(r)) + " |" for r in summarise(one["runs"])]
        out += ["", "The reference best: " + ("the mean final best of the unpruned bo runs, for every row."
                                          if any(r["strategy"] == REFERENCE and r["pruner"] == "none" for r in one["runs"])
                                          else "the mean final best of the unpruned runs of the row's strategy.")]
        out += early_ranking_markdown(one["runs"])
        figure = page_dir / f"{path.stem}.png"
        if figure.is_file():
            out += ["", f"![Best validation accuracy against epochs trained]({figure.name})", "",
                    f"(`python benchmarks/pruning.py --plot {figure.as_posix()} {path.as_posix()}`)"]
        out.append("")
    return "\n".join(out)


def plot_curves(runs: list[dict], path: Path) -> None:
    """Mean best validation accuracy found against epochs spent, one line per strategy
    and pruner (a run counts its final best after its last epoch)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.arange(0, max(r["epochs_trained"] for r in runs) + 1, 4)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for strategy, pruner in sorted({(label(r), r["pruner"]) for r in runs}):
        group = [r for r in runs if label(r) == strategy and r["pruner"] == pruner]
        curves = []
        for run in group:
            spent = np.array([e for e, b in run["curve"] if b is not None])
            best = np.array([b for _, b in run["curve"] if b is not None])
            index = np.searchsorted(spent, grid, side="right") - 1
            curves.append(np.where(index >= 0, best[np.clip(index, 0, None)], np.nan))
        ax.plot(grid, np.nanmean(curves, axis=0), label=f"{strategy}, {pruner}",
                linestyle="-" if pruner == "none" else "--")
    ax.set_xlabel("epochs trained")
    ax.set_ylabel("best validation accuracy found (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="bo,re,optuna-native")
    parser.add_argument("--pruners", default="none,median,asha,hyperband")
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--data", default="digits")
    parser.add_argument("--subset", type=int, help="train on the first N training images (digits: a harder task)")
    parser.add_argument("--batch-size", type=int, default=128,
                        help="training mini-batch: smaller means more steps in an epoch, so early epochs rank better")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pruned-told", choices=("value", "failed"), default="value",
                        help="what vaenas strategies are told of a pruned trial (an experiment setting)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--label", help="the heading of this run in the docs page")
    parser.add_argument("--table", type=Path, help="print the summary of a saved result file and stop")
    parser.add_argument("--markdown", type=Path, nargs="+", metavar=("PAGE", "RESULT"),
                        help="write PAGE (markdown) from the saved RESULT files and stop")
    parser.add_argument("--plot", type=Path, nargs=2, metavar=("PNG", "RESULT"),
                        help="draw best accuracy against epochs of a saved RESULT file and stop")
    args = parser.parse_args()
    if args.plot:
        png, saved = args.plot
        plot_curves(json.loads(saved.read_text())["runs"], png)
        return
    if args.markdown:
        page, *files = args.markdown
        page.write_text(markdown([Path(f) for f in files], page.parent) + "\n")
        return
    if args.table:
        saved = json.loads(args.table.read_text())
        print(json.dumps(saved["provenance"]))
        print_table(summarise(saved["runs"]))
        print("\n".join(early_ranking_markdown(saved["runs"])))
        return
    jobs = [{"strategy": s, "pruner": p, "seed": k, "trials": args.trials, "epochs": args.epochs, "data": args.data,
             "subset": args.subset, **({"batch_size": args.batch_size} if args.batch_size != 128 else {}),
             **({"pruned_told": args.pruned_told} if args.pruned_told != "value" else {})}
            for s in args.strategies.split(",") for p in args.pruners.split(",") for k in parse_seeds(args.seeds)]
    if "bo" in args.strategies.split(","):  # pretrain (or load) the macro VAE once, before the workers start
        from vaenas.spaces import make_space
        from vaenas.vae import cached_vae

        cached_vae(make_space("macro"))
    runs = []
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        for done in pool.imap_unordered(run_one, jobs):
            runs.append(done)
            print(f"{done['strategy']} {done['pruner']} seed {done['seed']}: best {done['best_value']:.2f}, "
                  f"{done['epochs_trained']} epochs, {done['seconds']:.0f} s", flush=True)
    save_result(args.out, {"provenance": provenance(), "label": args.label, "runs": runs})
    print_table(summarise(runs))
    print("\n".join(early_ranking_markdown(runs)))


if __name__ == "__main__":
    main()
