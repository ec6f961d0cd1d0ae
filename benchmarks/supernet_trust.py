"""How far a weight-sharing supernet's scores can be trusted on the macro space, and what
a supernet search costs end to end, against stand-alone training.

    python benchmarks/supernet_trust.py --data digits --archs 40 --out docs/results/data/supernet.json
    python benchmarks/supernet_trust.py --markdown docs/results/supernet.md docs/results/data/supernet.json

Trust: `--archs` architectures drawn uniformly from the space (seed 0) are trained
stand-alone twice (training seeds 0 and 1, `--standalone-epochs`) and scored through a
supernet trained once (`--supernet-epochs`); all are scored on the test split (more
images than the validation split, so fewer ties). Kendall's tau between the supernet
and stand-alone training is reported beside the tau between the two stand-alone
trainings: the noise ceiling no evaluator can beat.

End to end, per seed in `--e2e-seeds`: supernet training, a search of `--queries`
architectures through it (regularized evolution), and the top 5 retrained stand-alone
for `--final-epochs`; cost in epochs, where a supernet epoch counts 4 (each step trains
4 subnets).
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

SUBNETS_PER_STEP = 4


def _standalone(job: tuple[str, str, int, int]) -> dict:
    import torch

    from vaenas.objectives import make_objective
    from vaenas.spaces import make_space

    torch.set_num_threads(1)
    arch_text, data, epochs, seed = job
    evaluation = make_objective("classifier", data, epochs=epochs, seed=seed).evaluate(make_space("macro").parse(arch_text))
    return {"arch": arch_text, "seed": seed, "val": evaluation.value, "test": evaluation.metrics["test_accuracy"]}


def _supernet(data_name: str, epochs: int, seed: int):  # type: ignore[no-untyped-def]
    import torch

    from vaenas.objectives.image_data import load_image_data
    from vaenas.objectives.supernet import MacroSupernet, train_supernet
    from vaenas.spaces import make_space

    data = load_image_data(data_name, seed)
    torch.manual_seed(seed)
    net = MacroSupernet(make_space("macro"), data)  # type: ignore[arg-type]
    training = train_supernet(net, data, epochs, seed)
    return net, data, training


def trust(args: argparse.Namespace, pool) -> dict:  # type: ignore[no-untyped-def]
    from scipy.stats import kendalltau

    from vaenas.objectives.supernet import subnet_accuracy
    from vaenas.spaces import make_space

    space = make_space("macro")
    rng = np.random.default_rng(0)
    archs = [space.format(a) for a in space.enumerate_or_sample(args.archs, rng)]
    jobs = [(a, args.data, args.standalone_epochs, s) for s in (0, 1) for a in archs]
    started = time.perf_counter()
    standalone = pool.map(_standalone, jobs)
    standalone_seconds = time.perf_counter() - started
    net, data, training = _supernet(args.data, args.supernet_epochs, 0)
    started = time.perf_counter()
    scores = [subnet_accuracy(net, data, space.parse(a), split="test") for a in archs]
    score_seconds = (time.perf_counter() - started) / len(archs)
    first = [r["test"] for r in standalone if r["seed"] == 0]
    second = [r["test"] for r in standalone if r["seed"] == 1]
    return {
        "archs": archs, "standalone": standalone, "supernet_scores": scores,
        "tau_supernet_vs_standalone": float(np.mean([kendalltau(scores, first)[0], kendalltau(scores, second)[0]])),
        "tau_ceiling": float(kendalltau(first, second)[0]),
        "supernet_seconds": training.seconds, "seconds_per_supernet_score": score_seconds,
        "seconds_per_standalone_training": standalone_seconds * args.processes / len(jobs),
    }


def end_to_end(args: argparse.Namespace, seed: int, pool) -> dict:  # type: ignore[no-untyped-def]
    import vaenas
    from vaenas.objectives.supernet import subnet_accuracy
    from vaenas.spaces import make_space

    space = make_space("macro")
    net, data, training = _supernet(args.data, args.supernet_epochs, seed)
    study = vaenas.create_study(space=space, strategy="re", seed=seed)
    vaenas.set_verbosity(30)
    study.optimize(lambda arch: subnet_accuracy(net, data, arch), n_trials=args.queries)
    ranked = sorted((t for t in study.trials if t.value is not None), key=lambda t: t.value, reverse=True)[:5]
    retrained = pool.map(_standalone, [(space.format(t.arch), args.data, args.final_epochs, seed) for t in ranked])
    best = max(retrained, key=lambda r: r["val"])
    return {"seed": seed, "epochs": args.supernet_epochs * SUBNETS_PER_STEP + 5 * args.final_epochs,
            "best_val": best["val"], "test_of_best": best["test"], "retrained": retrained,
            "supernet_seconds": training.seconds}


def markdown(result: dict) -> str:
    t, e2e = result["trust"], result["end_to_end"]
    a = result["args"]
    lines = ["# Weight-sharing supernet on the macro space (generated by benchmarks/supernet_trust.py --markdown; "
             "do not edit)", "", provenance_line(result["provenance"]), "",
             f"## Trust: {len(t['archs'])} architectures drawn uniformly from the space, data {a['data']}", "",
             f"Stand-alone: trained twice ({a['standalone_epochs']} epochs, training seeds 0 and 1); supernet: trained "
             f"once for {a['supernet_epochs']} epochs (sandwich rule, 4 subnets a step), subnets scored with inherited "
             "weights after batch-norm recalibration on 4 training batches. All scored on the test split.", "",
             "| Kendall tau | value |", "|---|---|",
             f"| supernet against stand-alone (mean over the two trainings) | {t['tau_supernet_vs_standalone']:.3f} |",
             f"| stand-alone against stand-alone (the noise ceiling) | {t['tau_ceiling']:.3f} |",
             f"| share of the ceiling | {t['tau_supernet_vs_standalone'] / t['tau_ceiling']:.2f} |", "",
             f"Seconds: {t['seconds_per_standalone_training']:.1f} per stand-alone training, "
             f"{t['seconds_per_supernet_score']:.3f} per supernet score, {t['supernet_seconds']:.0f} to train the "
             "supernet.", ""]
    if e2e:
        vals, tests = [r["best_val"] for r in e2e], [r["test_of_best"] for r in e2e]
        se = lambda v: np.std(v, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0  # noqa: E731
        lines += [f"## End to end, seeds {', '.join(str(r['seed']) for r in e2e)}", "",
                  f"Supernet ({a['supernet_epochs']} epochs), {a['queries']} queries of regularized evolution through it, "
                  f"the top 5 retrained stand-alone for {a['final_epochs']} epochs: {e2e[0]['epochs']} epochs in all.", "",
                  "| seed | best retrained validation accuracy | its test accuracy |", "|---|---|---|"]
        lines += [f"| {r['seed']} | {r['best_val']:.2f} | {r['test_of_best']:.2f} |" for r in e2e]
        lines += [f"| mean ± SE | {np.mean(vals):.2f} ± {se(vals):.2f} | {np.mean(tests):.2f} ± {se(tests):.2f} |", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits")
    parser.add_argument("--archs", type=int, default=40)
    parser.add_argument("--standalone-epochs", type=int, default=4)
    parser.add_argument("--supernet-epochs", type=int, default=10)
    parser.add_argument("--e2e-seeds", default="0,1,2")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--final-epochs", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path, nargs=2, metavar=("PAGE", "RESULT"))
    args = parser.parse_args()
    if args.markdown:
        page, saved = args.markdown
        page.write_text(markdown(json.loads(saved.read_text())))
        return
    import torch

    torch.set_num_threads(1)
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        measured = trust(args, pool)
        print(f"tau supernet {measured['tau_supernet_vs_standalone']:.3f}, ceiling {measured['tau_ceiling']:.3f}",
              flush=True)
        e2e = [end_to_end(args, seed, pool) for seed in parse_seeds(args.e2e_seeds)]
    for r in e2e:
        print(f"end to end seed {r['seed']}: best val {r['best_val']:.2f}, test {r['test_of_best']:.2f}, "
              f"{r['epochs']} epochs")
    result = {"provenance": provenance(), "args": vars(args) | {"out": str(args.out)}, "trust": measured,
              "end_to_end": e2e}
    save_result(args.out, result)
    print(markdown(result))


if __name__ == "__main__":
    main()
