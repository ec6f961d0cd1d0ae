"""Does a zero-cost warm start help `bo` where proxies are computed at search time? Macro
CNNs trained for real on digits, or on a folder of images: `bo` with warm_start none /
params / synflow, over seeds and two VAE draws; the best validation accuracy after 20 and
after `--trials`, and the test accuracy of the chosen architecture retrained for
`--final-epochs`.

    python benchmarks/macro_warm_start.py --seeds 650-657 --out docs/results/data/macro-warm-start-seeds650-657.json
    python benchmarks/macro_warm_start.py --seeds 656-661 --warm-starts none,synflow --out ...
    python benchmarks/noisy_digits_folder.py /tmp/noisy-digits
    python benchmarks/macro_warm_start.py --data folder:/tmp/noisy-digits/search \
        --test-data folder:/tmp/noisy-digits/test --seeds 662-664 --warm-starts none,synflow --out ...
    python benchmarks/macro_warm_start.py --page docs/results/data/macro-warm-start-seeds650-657.json \
        docs/results/macro-warm-start.md

Each architecture trains with the same seed whichever run proposes it, so a worker keeps
its results and trains an architecture once (the runs differ in what they propose, not in
what an architecture is worth). The proxies are those `vaenas search` computes (the
classifier's networks for the data's shape, a fixed 1,000-architecture pool).
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from provenance import arguments_or_page, provenance, provenance_line, save_result
from seed_range import parse_seeds
from seed_runs import ask_tell, make_run_strategy, over_seeds, pretrain_first

from vaenas.objectives import Objective, make_objective
from vaenas.objectives.image_data import ImageData, load_image_data
from vaenas.search.network_proxies import objective_proxies
from vaenas.spaces import make_space

WARM_STARTS = ("none", "params", "synflow")
IMAGE_SIZE = 8
"""A folder's images are read at digits' size, so a trial costs what it costs on digits."""
_TRAINED: dict[str, float] = {}
"""Validation accuracy of the architectures this worker trained."""


@cache
def image_data(data: str, test_data: str | None) -> ImageData:
    """`data` (digits, or a folder of 8x8 images), read once per worker; a folder keeps no
    test split of its own, so the held-out images of `test_data` become it."""
    search = load_image_data(data, image_size=IMAGE_SIZE)
    if test_data is None:
        return search
    test = load_image_data(test_data, image_size=IMAGE_SIZE)
    return replace(search, test_x=np.concatenate([test.train_x, test.val_x]),
                   test_y=np.concatenate([test.train_y, test.val_y]))


def classifier(data: str, test_data: str | None, epochs: int) -> Objective:
    return make_objective("classifier", epochs=epochs, data=image_data(data, test_data))


def run(warm: str, seed: int, vae_seed: int, trials: int, epochs: int, final_epochs: int, data: str,
        test_data: str | None) -> dict[str, Any]:
    space = make_space("macro")
    objective = classifier(data, test_data, epochs)
    proxies = objective_proxies(space, objective)
    strategy = make_run_strategy("bo", space, seed, {"warm_start": warm, "proxies": proxies}, {"seed": vae_seed})

    def evaluate(arch: Any) -> tuple[float, tuple[str, float]]:
        key = space.key(arch)
        if key not in _TRAINED:
            _TRAINED[key] = objective.evaluate(arch).value
        return _TRAINED[key], (space.format(arch), _TRAINED[key])

    kept, ask_seconds, _ = ask_tell(strategy, evaluate, trials)
    values = [value for _, value in kept]
    chosen = max(kept, key=lambda pair: pair[1])[0]
    final = classifier(data, test_data, final_epochs).evaluate(space.parse(chosen))
    return {"warm_start": warm, "seed": seed, "vae_seed": vae_seed, "best_at_20": max(values[:20]),
            "best": max(values), "chosen": chosen, "chosen_test_accuracy": final.metrics.get("test_accuracy"),
            "ask_seconds": round(ask_seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="650-657")
    parser.add_argument("--vae-seeds", default="0,1")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--final-epochs", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--data", default="digits",
                        help="digits, or folder:DIR of 8x8 images (benchmarks/noisy_digits_folder.py writes one)")
    parser.add_argument("--test-data", help="folder:DIR of held-out images, for a --data folder (it has no test split)")
    parser.add_argument("--warm-starts", default=",".join(WARM_STARTS),
                        help="which starts to run, comma-separated (a confirmation runs only the chosen one and none)")
    args = arguments_or_page(parser, write_page)
    if args is None:
        return
    vae_seeds = parse_seeds(args.vae_seeds)
    warm_starts = [warm for warm in args.warm_starts.split(",") if warm]
    unknown = sorted(set(warm_starts) - set(WARM_STARTS))
    if unknown:
        parser.error(f"unknown warm start {', '.join(unknown)}: choose among {', '.join(WARM_STARTS)}")
    if args.data.startswith("folder:") != bool(args.test_data):
        parser.error("--test-data goes with a --data folder, and only with one (digits keep their own test split)")
    for vae_seed in vae_seeds:
        pretrain_first("bo", make_space("macro"), {"seed": vae_seed})
    space, objective = make_space("macro"), classifier(args.data, args.test_data, args.epochs)
    for proxy in [warm for warm in warm_starts if warm != "none"]:  # computed (and cached) once here, not by two workers at once
        from vaenas.search.proxy_start import proxy_top_cells

        proxy_top_cells(space, proxy, objective_proxies(space, objective))
    jobs = [(warm, seed, vae_seed, args.trials, args.epochs, args.final_epochs, args.data, args.test_data)
            for vae_seed in vae_seeds for seed in parse_seeds(args.seeds) for warm in warm_starts]
    runs = over_seeds(run, jobs, args.processes)
    result = {"provenance": provenance(), "data": args.data, "test_data": args.test_data, "seeds": args.seeds,
              "trials": args.trials, "epochs": args.epochs,
              "final_epochs": args.final_epochs, "runs": runs}
    save_result(args.out, result)
    print(table(result))


def table(result: dict[str, Any]) -> str:
    lines = ["| VAE draw | warm start | median best @ 20 | median best @ {0} | median retrained test accuracy "
             "| runs |".format(result["trials"]), "|---|---|---|---|---|---|"]
    for vae_seed in sorted({r["vae_seed"] for r in result["runs"]}):
        for warm in WARM_STARTS:
            rows = [r for r in result["runs"] if r["vae_seed"] == vae_seed and r["warm_start"] == warm]
            if rows:
                lines.append(f"| {vae_seed} | {warm} | {statistics.median(r['best_at_20'] for r in rows):.2f} | "
                             f"{statistics.median(r['best'] for r in rows):.2f} | "
                             f"{statistics.median(r['chosen_test_accuracy'] for r in rows):.2f} | {len(rows)} |")
    return "\n".join(lines)


def write_page(result_path: Path, page: Path) -> None:
    result = json.loads(result_path.read_text())
    data = result.get("data", "digits")  # result files before --data were all on digits
    held_out = f" (test images: {result['test_data']})" if result.get("test_data") else ""
    page.write_text("\n".join([
        f"# Zero-cost warm start on macro, trained on {data} (generated by benchmarks/macro_warm_start.py --page; "
        "do not edit)", "",
        f"`bo` on macro CNNs trained {result['epochs']} epochs on {data}{held_out} per trial, {result['trials']} trials, seeds "
        f"{result['seeds']}, two VAE draws; validation accuracy (%) of the best architecture found, and the test "
        f"accuracy (%) of the chosen one retrained for {result['final_epochs']} epochs. Medians over seeds.", "",
        table(result), "", provenance_line(result["provenance"]), f"Result file: `{result_path}`.", ""]))


if __name__ == "__main__":
    main()
