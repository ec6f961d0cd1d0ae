"""How far a weight-sharing supernet's scores can be trusted (the macro space, or
NAS-Bench-201's cells), and what a supernet search costs end to end, against stand-alone
training.

    python benchmarks/supernet_trust.py --space macro --data digits --archs 40 --out docs/results/data/supernet.json
    python benchmarks/supernet_trust.py --markdown docs/results/supernet.md docs/results/data/supernet.json ...

Trust: `--archs` architectures drawn uniformly from the space (`--trust-seed`) are trained
stand-alone twice (training seeds 0 and 1, `--standalone-epochs`) and scored through a
supernet trained once (`--supernet-epochs`, seed `--trust-seed`); all are scored on the
test split (more images than the validation split, so fewer ties). Kendall's tau between the supernet
and stand-alone training is reported beside the tau between the two stand-alone
trainings: the noise ceiling no evaluator can beat.

End to end, per seed in `--e2e-seeds`: supernet training, a search of `--queries`
architectures through it (regularized evolution), and the top 5 retrained stand-alone
for `--final-epochs`; cost in epochs, where a supernet epoch counts as many epochs as
subnets it trains a step (4 for the macro space's sandwich rule, 1 for cells).
`--baseline RESULT` names a benchmarks/pruning.py result whose unpruned `re` runs (a
60-trial full-training search on the same data and seeds) the end-to-end runs are set
beside.
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

STANDALONE = {"macro": "classifier", "nb201": "cell-classifier"}
SPLIT = "one split, drawn by the trust seed, for both trainings"
"""Recorded with the trust figures; results from before it scored each training on the
split of its own training seed."""


def _standalone(job: tuple[str, str, str, int, int, int | None, int]) -> dict:
    """One stand-alone training with training seed `seed` on the data split drawn by
    `split` (the same split for both trainings of the trust measurement, so that they
    differ in their training alone and are scored on the same test images)."""
    import torch

    from vaenas.objectives import make_objective
    from vaenas.objectives.image_data import load_image_data
    from vaenas.spaces import make_space

    torch.set_num_threads(1)
    space_name, arch_text, data, epochs, seed, subset, split = job
    objective = make_objective(STANDALONE[space_name], epochs=epochs, seed=seed, subset=subset,
                               data=load_image_data(data, split))
    evaluation = objective.evaluate(make_space(space_name).parse(arch_text))
    return {"arch": arch_text, "seed": seed, "val": evaluation.value, "test": evaluation.metrics["test_accuracy"]}


def _supernet(args: argparse.Namespace, seed: int):  # type: ignore[no-untyped-def]
    """The supernet of `args.space` trained on the data (its first `args.subset` training
    images, as the stand-alone trainings see them)."""
    import dataclasses

    import torch

    from vaenas.objectives.image_data import load_image_data
    from vaenas.objectives.supernet import make_supernet, train_supernet
    from vaenas.spaces import make_space

    data = load_image_data(args.data, seed)
    if args.subset:
        data = dataclasses.replace(data, train_x=data.train_x[: args.subset], train_y=data.train_y[: args.subset])
    torch.manual_seed(seed)
    net = make_supernet(make_space(args.space), data)
    training = train_supernet(net, data, args.supernet_epochs, seed)
    return net, data, training


def trust(args: argparse.Namespace, pool) -> dict:  # type: ignore[no-untyped-def]
    from scipy.stats import kendalltau

    from vaenas.objectives.supernet import subnet_accuracy
    from vaenas.spaces import make_space

    space = make_space(args.space)
    rng = np.random.default_rng(args.trust_seed)
    archs = [space.format(a) for a in space.enumerate_or_sample(args.archs, rng)]
    started = time.perf_counter()
    if args.standalone_from:
        standalone, standalone_seconds = reused_standalone(args, archs)
    else:
        jobs = [(args.space, a, args.data, args.standalone_epochs, s, args.subset, args.trust_seed)
                for s in (0, 1) for a in archs]
        standalone = pool.map(_standalone, jobs)
        standalone_seconds = (time.perf_counter() - started) * args.processes / len(jobs)
    net, data, training = _supernet(args, args.trust_seed)
    started = time.perf_counter()
    scores = [subnet_accuracy(net, data, space.parse(a), split="test") for a in archs]
    score_seconds = (time.perf_counter() - started) / len(archs)
    first = [r["test"] for r in standalone if r["seed"] == 0]
    second = [r["test"] for r in standalone if r["seed"] == 1]
    return {
        "archs": archs, "standalone": standalone, "supernet_scores": scores, "split": SPLIT,
        "tau_supernet_vs_standalone": float(np.mean([kendalltau(scores, first)[0], kendalltau(scores, second)[0]])),
        "tau_ceiling": float(kendalltau(first, second)[0]),
        "supernet_seconds": training.seconds, "seconds_per_supernet_score": score_seconds,
        "seconds_per_standalone_training": standalone_seconds,
    }


def parameters_tau(result: dict) -> float:
    """Kendall's tau of the architectures' parameter counts (a zero-cost baseline: bigger
    is better) with their stand-alone accuracy, mean over the two trainings: what a
    supernet has to beat to be worth its training."""
    from scipy.stats import kendalltau

    from vaenas.objectives import make_objective
    from vaenas.objectives.image_data import load_image_data
    from vaenas.objectives.networks import count_parameters
    from vaenas.spaces import make_space

    space_name, t = result["args"].get("space", "macro"), result["trust"]
    objective = make_objective(STANDALONE[space_name], data=load_image_data(result["args"]["data"], 0))
    space = make_space(space_name)
    counts = [count_parameters(objective.build(space.parse(a))) for a in t["archs"]]
    return float(np.mean([kendalltau(counts, [r["test"] for r in t["standalone"] if r["seed"] == s])[0]
                          for s in (0, 1)]))


def reused_standalone(args: argparse.Namespace, archs: list[str]) -> tuple[list[dict], float]:
    """The stand-alone trainings of a saved result made with the same space, data,
    architectures and epochs (they do not depend on the supernet), and their seconds."""
    saved = json.loads(args.standalone_from.read_text())
    same = ("space", "data", "subset", "standalone_epochs", "trust_seed")
    defaults = {"space": "macro", "trust_seed": 0}
    if any(saved["args"].get(k, defaults.get(k)) != getattr(args, k) for k in same) \
            or saved["trust"]["archs"] != archs or saved["trust"].get("split") != SPLIT:
        raise SystemExit(f"{args.standalone_from} trained other architectures or settings ({', '.join(same)})")
    return saved["trust"]["standalone"], saved["trust"]["seconds_per_standalone_training"]


def end_to_end(args: argparse.Namespace, seed: int, pool) -> dict:  # type: ignore[no-untyped-def]
    import vaenas
    from vaenas.objectives.supernet import subnet_accuracy
    from vaenas.spaces import make_space

    space = make_space(args.space)
    net, data, training = _supernet(args, seed)
    study = vaenas.create_study(space=space, strategy="re", seed=seed)
    vaenas.set_verbosity(30)
    study.optimize(lambda arch: subnet_accuracy(net, data, arch), n_trials=args.queries)
    ranked = sorted((t for t in study.trials if t.value is not None), key=lambda t: t.value, reverse=True)[:5]
    retrained = pool.map(_standalone, [(args.space, space.format(t.arch), args.data, args.final_epochs, seed,
                                        args.subset, seed) for t in ranked])
    best = max(retrained, key=lambda r: r["val"])
    return {"seed": seed, "epochs": args.supernet_epochs * training.subnets_per_step + 5 * args.final_epochs,
            "best_val": best["val"], "test_of_best": best["test"], "retrained": retrained,
            "supernet_seconds": training.seconds}


SUPERNET_TRAINING = {"macro": "sandwich rule, 4 subnets a step", "nb201": "uniform single path, 1 subnet a step"}


def baseline(path: Path, seeds: list[int]) -> dict | None:
    """The unpruned `re` runs of a benchmarks/pruning.py result on `seeds`: a full-training
    search on the same data, summarised."""
    runs = [r for r in json.loads(path.read_text())["runs"]
            if r["strategy"] == "re" and r["pruner"] == "none" and r["seed"] in seeds]
    if not runs:
        return None
    vals, tests = [r["best_value"] for r in runs], [r["retrained_test_accuracy"] for r in runs]
    return {"file": path.as_posix(), "seeds": sorted(r["seed"] for r in runs), "trials": len(runs[0]["trials"]),
            "epochs": float(np.mean([r["epochs_trained"] for r in runs])), "best_val": float(np.mean(vals)),
            "best_val_se": standard_error(vals), "test": float(np.mean(tests)), "test_se": standard_error(tests)}


def markdown(result: dict) -> str:
    """One section of the results page: trust, then the end-to-end runs of a saved result."""
    t, e2e = result["trust"], result["end_to_end"]
    a = result["args"]
    space = a.get("space", "macro")
    data = a["data"] + (f", first {a['subset']} training images" if a.get("subset") else "")
    heading = (f"## {space}: {len(t['archs'])} architectures drawn uniformly from the space (seed "
               f"{a.get('trust_seed', 0)}), " if t else f"## {space}, end to end: ")
    lines = [heading + f"data {data}, supernet {a['supernet_epochs']} epochs"
             f"{', distilled' if a.get('distill') else ''}", "", provenance_line(result["provenance"]), ""]
    if t:
        lines += [
            f"Stand-alone: trained twice ({a['standalone_epochs']} epochs, training seeds 0 and 1, "
            f"{t.get('split', 'each on the data split of its training seed')}); supernet: trained "
            f"once for {a['supernet_epochs']} epochs ({SUPERNET_TRAINING[space]}"
            f"{', in-place distillation from the largest' if a.get('distill') else ''}), subnets scored with inherited "
            "weights after batch-norm recalibration on 4 training batches. All scored on the test split.", "",
            "| Kendall tau | value |", "|---|---|",
            f"| supernet against stand-alone (mean over the two trainings) | {t['tau_supernet_vs_standalone']:.3f} |",
            f"| parameter count against stand-alone (a zero-cost baseline) | {parameters_tau(result):.3f} |",
            f"| stand-alone against stand-alone (the noise ceiling) | {t['tau_ceiling']:.3f} |",
            f"| share of the ceiling | {t['tau_supernet_vs_standalone'] / t['tau_ceiling']:.2f} |", "",
            f"Seconds: {t['seconds_per_standalone_training']:.1f} per stand-alone training, "
            f"{t['seconds_per_supernet_score']:.3f} per supernet score, {t['supernet_seconds']:.0f} to train the "
            "supernet.", ""]
    if e2e:
        vals, tests = [r["best_val"] for r in e2e], [r["test_of_best"] for r in e2e]
        lines += [f"### End to end, seeds {', '.join(str(r['seed']) for r in e2e)}", "",
                  f"Supernet ({a['supernet_epochs']} epochs), {a['queries']} queries of regularized evolution through it, "
                  f"the top 5 retrained stand-alone for {a['final_epochs']} epochs: {e2e[0]['epochs']} epochs in all.", "",
                  "| seed | best retrained validation accuracy | its test accuracy |", "|---|---|---|"]
        lines += [f"| {r['seed']} | {r['best_val']:.2f} | {r['test_of_best']:.2f} |" for r in e2e]
        found = (f"{np.mean(vals):.2f} ± {standard_error(vals):.2f} | "
                 f"{np.mean(tests):.2f} ± {standard_error(tests):.2f}")
        lines += [f"| mean ± SE | {found} |", ""]
        base = result.get("baseline")
        if base:
            lines += [f"Beside a full-training search (`re`, {base['trials']} trials, unpruned, seeds "
                      f"{', '.join(map(str, base['seeds']))}, from `{base['file']}`):", "",
                      "| search | epochs trained | best validation accuracy | test accuracy of its choice |",
                      "|---|---|---|---|",
                      f"| supernet, then top 5 retrained | {e2e[0]['epochs']} | {found} |",
                      f"| full training | {base['epochs']:.0f} | {base['best_val']:.2f} ± {base['best_val_se']:.2f} | "
                      f"{base['test']:.2f} ± {base['test_se']:.2f} (retrained) |", ""]
    return "\n".join(lines)


def page(results: list[dict]) -> str:
    return "\n".join(["# Weight-sharing supernets (generated by benchmarks/supernet_trust.py --markdown; do not edit)",
                      ""] + [markdown(r) for r in results])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=sorted(STANDALONE), default="macro")
    parser.add_argument("--data", default="digits")
    parser.add_argument("--subset", type=int, help="train on the first N training images (digits: a harder task)")
    parser.add_argument("--standalone-from", type=Path,
                        help="reuse the stand-alone trainings of a saved result with the same architectures and settings")
    parser.add_argument("--baseline", type=Path, help="a benchmarks/pruning.py result with unpruned re runs")
    parser.add_argument("--archs", type=int, default=40)
    parser.add_argument("--trust-seed", type=int, default=0,
                        help="draws the architectures and the supernet's training (another seed: a fresh sample)")
    parser.add_argument("--standalone-epochs", type=int, default=4)
    parser.add_argument("--supernet-epochs", type=int, default=10)
    parser.add_argument("--e2e-seeds", default="0,1,2")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--final-epochs", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path, nargs="+", metavar=("PAGE", "RESULT"),
                        help="write PAGE (markdown) from the saved RESULT files and stop")
    args = parser.parse_args()
    if args.baseline and args.space != "macro":
        parser.error("--baseline is a benchmarks/pruning.py result, and that benchmark searches the macro space")
    if args.markdown:
        target, *saved = args.markdown
        target.write_text(page([json.loads(Path(f).read_text()) for f in saved]))
        return
    import torch

    torch.set_num_threads(1)
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        measured = trust(args, pool) if args.archs else None
        if measured:
            print(f"tau supernet {measured['tau_supernet_vs_standalone']:.3f}, ceiling {measured['tau_ceiling']:.3f}",
                  flush=True)
        e2e = [end_to_end(args, seed, pool) for seed in parse_seeds(args.e2e_seeds)]
    for r in e2e:
        print(f"end to end seed {r['seed']}: best val {r['best_val']:.2f}, test {r['test_of_best']:.2f}, "
              f"{r['epochs']} epochs")
    seeds = [r["seed"] for r in e2e]
    result = {"provenance": provenance(), "args": vars(args) | {"out": str(args.out), "baseline": str(args.baseline),
                                                         "standalone_from": str(args.standalone_from)},
              "trust": measured, "end_to_end": e2e,
              "baseline": baseline(args.baseline, seeds) if args.baseline and e2e else None}
    save_result(args.out, result)
    print(markdown(result))


if __name__ == "__main__":
    main()
