"""What pretraining a space's VAE costs and what it buys: optimiser steps and seconds
beside reconstruction (held-out, and over every architecture of a finite space, which is
what a search needs) and validity, for spaces from 64 architectures to NAS-Bench-201.

    python benchmarks/pretrain_cost.py --spaces cells64,layers288,cells729,nb201 \
        [--set epochs=6] [--vae-seeds 0-2] [--json docs/results/data/pretrain-cost.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from provenance import provenance, save_result
from seed_range import parse_seeds

from vaenas.spaces import CellSpace, LayerSpace, SearchSpace, make_space
from vaenas.vae import ArchVAE, VAEConfig
from vaenas.vae.pretrain import pretrain

SPACES = {
    "cells64": lambda: CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3", "pool"]),
    "layers288": lambda: LayerSpace([{"depth": [1, 2], "width": [16, 32, 64], "kernel": [3, 5]}] * 2
                                    + [{"depth": [1], "width": [16, 32], "kernel": [3]}]),
    "cells729": lambda: CellSpace(n_nodes=4, ops=["skip", "conv", "pool"]),
    "nb201": lambda: make_space("nb201"),
}


def whole_space_recon(vae: ArchVAE, space: SearchSpace) -> float | None:
    """Share of all architectures of a finite space decoded back exactly."""
    if space.size is None:
        return None
    archs = list(space.enumerate())
    decoded = vae.decode(vae.encode(archs))
    return float(np.mean([d is not None and space.key(d) == space.key(a) for d, a in zip(decoded, archs)]))


def measure(name: str, config: VAEConfig) -> dict:
    space = SPACES[name]()
    started = time.perf_counter()
    vae, metrics = pretrain(space, config)
    seconds = time.perf_counter() - started
    return {"space": name, "size": space.size, "vae_seed": config.seed, "fit_seconds": metrics["seconds"],
            "seconds_with_quality": round(seconds, 2), "steps": vae.fit_steps, "batch": vae.fit_batch,
            "recon_held_out": metrics["recon_acc"], "recon_all": whole_space_recon(vae, space),
            "validity": metrics["validity"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", default="cells64,layers288,cells729,nb201")
    parser.add_argument("--set", action="append", default=[], help="VAEConfig field=value")
    parser.add_argument("--vae-seeds", default="0")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    rows = []
    for name in args.spaces.split(","):
        for seed in parse_seeds(args.vae_seeds):
            row = measure(name, replace(VAEConfig(), seed=seed, **overrides))
            rows.append(row)
            print(json.dumps(row), flush=True)
    save_result(args.json, {"provenance": provenance(argv), "overrides": overrides, "rows": rows})


if __name__ == "__main__":
    main(sys.argv[1:])
