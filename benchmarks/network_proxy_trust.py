"""Where the proxies computed at search time can be trusted, and what they cost: on the
architectures whose stand-alone accuracy `supernet_trust.py` measured (two trainings
each, on one split), Kendall's tau between each proxy of the network `proxy` /
`cell-proxy` builds and that accuracy, beside the tau between the two trainings (the
noise ceiling); the seconds per architecture (network built and scored, one thread);
and the warm start's ranked pool scored twice, the second time from the cache.

    python benchmarks/network_proxy_trust.py --out docs/results/data/network-proxies.json
    python benchmarks/network_proxy_trust.py --page docs/results/data/network-proxies.json docs/results/network-proxies.md

Run it alone on the machine: its seconds are the figures of a quiet core."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from provenance import arguments_or_page, provenance, provenance_line, save_result

SAMPLES = ("docs/results/data/supernet-macro-e30.json", "docs/results/data/supernet-macro-e30-seed1.json",
           "docs/results/data/supernet-cells-e30.json")
OBJECTIVE = {"macro": "proxy", "nb201": "cell-proxy"}
RUN = f"network-proxy-trust-{os.getpid()}"
"""This run's cache folders (empty at its start)."""


def sample_trust(path: Path, proxies: tuple[str, ...]) -> dict[str, Any]:
    """Each proxy's tau with the sample's stand-alone test accuracy (mean over its two
    trainings) and its seconds per architecture."""
    import torch
    from scipy.stats import kendalltau

    from vaenas.objectives import make_objective
    from vaenas.objectives.image_data import load_image_data
    from vaenas.spaces import make_space

    saved = json.loads(path.read_text())
    args, trust = saved["args"], saved["trust"]
    space = make_space(args["space"])
    data = load_image_data(args["data"], args["trust_seed"])
    trainings = [[r["test"] for r in trust["standalone"] if r["seed"] == s] for s in (0, 1)]
    figures = {}
    for proxy in proxies:
        objective = make_objective(OBJECTIVE[args["space"]], proxy=proxy, data=data)
        scores, seconds = [], []
        for text in trust["archs"]:
            torch.manual_seed(objective.seed)  # as the objective seeds its network
            started = time.perf_counter()
            scores.append(objective.proxy_of(objective.build(space.parse(text))))
            seconds.append(time.perf_counter() - started)
        figures[proxy] = {"tau": float(np.mean([kendalltau(scores, acc)[0] for acc in trainings])),
                          "seconds_per_arch": statistics.median(seconds), "scores": scores}
    return {"file": str(path), "space": args["space"], "data": args["data"], "trust_seed": args["trust_seed"],
            "archs": len(trust["archs"]), "tau_ceiling": trust["tau_ceiling"],
            "tau_supernet": trust["tau_supernet_vs_standalone"], "proxies": figures}


def cache_effect(space_name: str, data_name: str, proxy: str) -> dict[str, Any]:
    """Seconds to score the pool a computed warm start ranks with an empty cache (in this
    process, then by 2 worker processes), then again by a new search reading the cache,
    and how many networks each built."""
    from vaenas.objectives import make_objective
    from vaenas.objectives.image_data import load_image_data
    from vaenas.search.network_proxies import objective_proxies
    from vaenas.search.proxy_start import RANKED_POOL
    from vaenas.spaces import make_space

    space = make_space(space_name)
    objective = make_objective(OBJECTIVE[space_name], proxy=proxy, data=load_image_data(data_name, 0))
    pool = space.enumerate_or_sample(RANKED_POOL, np.random.default_rng(0))
    runs = {}
    for name, workers, cache in (("cold", 1, "one"), ("cold, 2 processes", 2, "two"), ("cached", 1, "two")):
        ranking = objective_proxies(space, objective, cache_dir=Path(tempfile.gettempdir()) / RUN / cache,
                                    workers=workers)
        started = time.perf_counter()
        ranking.scores(pool, proxy)
        runs[name] = {"seconds": time.perf_counter() - started, "networks_built": ranking.computed}
    return {"space": space_name, "data": data_name, "proxy": proxy, "pool": len(pool), **runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="+", type=Path, default=[Path(p) for p in SAMPLES],
                        help="supernet_trust.py result files holding stand-alone accuracies")
    args = arguments_or_page(parser, write_page)
    if args is None:
        return
    import torch

    from vaenas.objectives.network_proxy import NETWORK_PROXIES

    torch.set_num_threads(1)
    result = {"provenance": provenance(),
              "samples": [sample_trust(path, NETWORK_PROXIES) for path in args.samples],
              "cache": [cache_effect(space, "digits", "synflow") for space in ("macro", "nb201")]}
    save_result(args.out, result)
    print("\n".join(tables(result)))


def tables(result: dict[str, Any]) -> list[str]:
    samples = result["samples"]
    proxies = list(samples[0]["proxies"])
    lines = ["| space (data, sample) | archs | " + " | ".join(proxies) + " | supernet (30 epochs) | noise ceiling |",
             "|---|---|" + "---|" * (len(proxies) + 2)]
    for s in samples:
        lines.append(f"| {s['space']} ({s['data']}, seed {s['trust_seed']}) | {s['archs']} | "
                     + " | ".join(f"{s['proxies'][p]['tau']:.3f}" for p in proxies)
                     + f" | {s['tau_supernet']:.3f} | {s['tau_ceiling']:.3f} |")
    lines += ["", "| space | " + " | ".join(proxies) + " |", "|---|" + "---|" * len(proxies)]
    for space in dict.fromkeys(s["space"] for s in samples):
        seconds = {p: statistics.median(s["proxies"][p]["seconds_per_arch"] for s in samples if s["space"] == space)
                   for p in proxies}
        lines.append(f"| {space} | " + " | ".join(f"{seconds[p]:.4f}" for p in proxies) + " |")
    lines += ["", "| space | proxy | pool | empty cache: s (networks built) | by 2 processes | again from the cache |",
              "|---|---|---|---|---|---|"]
    for c in result["cache"]:
        lines.append(f"| {c['space']} ({c['data']}) | {c['proxy']} | {c['pool']} | " + " | ".join(
            f"{c[run]['seconds']:.3f} ({c[run]['networks_built']})" for run in ("cold", "cold, 2 processes", "cached")) + " |")
    return lines


def write_page(result_path: Path, page: Path) -> None:
    result = json.loads(result_path.read_text())
    trust, seconds, cache = "\n".join(tables(result)).split("\n\n")
    page.write_text("\n".join([
        "# Proxies computed at search time: trust and cost (generated by benchmarks/network_proxy_trust.py --page; "
        "do not edit)", "",
        "Kendall's tau between each proxy of an architecture's untrained network (the one `classifier` / "
        "`cell-classifier` trains, built for digits) and its stand-alone test accuracy after 4 epochs (mean over two "
        "trainings), on the samples of [supernet.md](supernet.md); the supernet's tau and the tau between the two "
        "trainings (the noise ceiling) beside it. naswot, snip and grad_norm read one seeded training batch.", "",
        trust, "", "Seconds per architecture (network built and scored; median; one thread):", "", seconds, "",
        "The pool a computed warm start ranks (1,000 architectures, seed 0) scored by a search with an empty cache, "
        "by one whose 2 worker processes score it, and by a second search reading the cache (on nb201 a search "
        "reads the shipped table instead; these are the cells' networks built for digits, as for a search of your "
        "data):", "", cache, "",
        provenance_line(result["provenance"]), f"Result file: `{result_path}`.", ""]))


if __name__ == "__main__":
    main()
