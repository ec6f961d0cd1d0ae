"""Seconds of a search and of a VAE pretraining on an idle machine and beside one busy
process, with torch sized as it always was (a thread per core, spinning while it waits)
and as the command line now sizes it (vaenas.cpu_share: the CPUs no other process keeps
busy, idle threads asleep), in one run.

    python benchmarks/fair_share.py [--budget 100] [--out docs/results/data/fair-share.json]

Run it on an otherwise idle machine: it makes the load itself (one Python process
spinning on one core). Target: loaded at most about twice idle with the fair share.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provenance import provenance, save_result

PRETRAIN = (
    "from vaenas.cpu_share import apply_to_environment; apply_to_environment()\n"
    "import numpy as np\n"
    "from vaenas.spaces import CellSpace\n"
    "from vaenas.vae import ArchVAE, VAEConfig\n"
    "space = CellSpace(n_nodes=4, ops=['skip', 'conv1x1', 'conv3x3'])  # 3**6 = 729 cells\n"
    "ArchVAE(space, VAEConfig()).fit(list(space.enumerate()))\n"
)
AS_BEFORE = {"OMP_NUM_THREADS": str(os.cpu_count()), "OMP_WAIT_POLICY": "ACTIVE", "VAENAS_THREADS": str(os.cpu_count())}
"""What torch did before the fair share: a thread per core, spinning while it waits."""


def _spin() -> None:
    while True:
        pass


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        def search() -> list[str]:
            out = tempfile.mkdtemp(dir=tmp)
            return [sys.executable, "-m", "vaenas", "search", "--budget", str(args.budget), "--out", out]

        jobs = {"search": search, "pretrain": lambda: [sys.executable, "-c", PRETRAIN]}
        timed([sys.executable, "-m", "vaenas", "search", "--budget", "2", "--out", tempfile.mkdtemp(dir=tmp)], {})
        rows = {}
        for name, command in jobs.items():
            idle = timed(command(), {})
            busy = multiprocessing.Process(target=_spin, daemon=True)
            busy.start()
            try:
                before = timed(command(), AS_BEFORE)
                fair = timed(command(), {})
            finally:
                busy.terminate()
            rows[name] = {"idle_seconds": round(idle, 1), "loaded_as_before_seconds": round(before, 1),
                          "loaded_fair_share_seconds": round(fair, 1)}
            print(f"{name:9s} idle {idle:6.1f} s | beside one busy process: as before {before:6.1f} s "
                  f"({before / idle:.2f}x), fair share {fair:6.1f} s ({fair / idle:.2f}x)", flush=True)
    save_result(args.out, {"provenance": provenance(), "budget": args.budget, "rows": rows})


if __name__ == "__main__":
    main()
