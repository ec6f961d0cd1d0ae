"""Seconds of a search, of the README's Python example, and of two VAE pretrainings on an
idle machine and beside busy processes, with torch sized as it always was (a thread per
core, spinning while it waits) and as vaenas now sizes it (vaenas.cpu_share: the CPUs no
other process keeps busy, idle threads asleep where others are busy; the command line
and `import vaenas` alike), in one run.

    python benchmarks/fair_share.py [--budget 100] [--jobs search,example,...] [--out docs/results/data/fair-share.json]

Run it on an otherwise idle machine: it makes the load itself (Python processes spinning,
one per core they take). Target: with the fair share, beside two busy processes on 2
cores, at most 2.5x idle.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from provenance import arguments_or_page, provenance, provenance_line, save_result

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


README = Path(__file__).parents[1] / "README.md"
LOADS = (("idle", 0, {}), ("idle, threads asleep", 0, {"OMP_WAIT_POLICY": "PASSIVE"}),
         ("one busy, as before", 1, AS_BEFORE), ("one busy, fair share", 1, {}), ("two busy, fair share", 2, {}))
"""(label, busy processes, environment) of each timed run."""


def readme_example() -> str:
    """The README's Python example, as a user would paste it."""
    text = README.read_text()
    block = re.search(r"<!-- library-example -->\s*```python\n(.*?)```", text, re.S)
    if block is None:
        raise SystemExit("README.md has no library-example block")
    return block.group(1)


def _spin() -> None:
    while True:
        pass


def timed(command: list[str], env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - started


def jobs(budget: int, tmp: str) -> dict[str, Callable[[], list[str]]]:
    """Each job's command, new folders each time (the VAE cache is fresh in each run, so
    the example and the pretrainings train their VAE every time)."""
    example = Path(tmp) / "readme_example.py"
    example.write_text(readme_example())

    def fresh() -> str:
        return tempfile.mkdtemp(dir=tmp)

    return {
        "search": lambda: [sys.executable, "-m", "vaenas", "search", "--budget", str(budget), "--out", fresh()],
        "example": lambda: [sys.executable, str(example)],
        "pretrain": lambda: [sys.executable, "-c", PRETRAIN],
        "macro-pretrain": lambda: [sys.executable, "-m", "vaenas", "pretrain", "--space", "macro", "--out", fresh()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--jobs", default="search,example,pretrain,macro-pretrain")
    args = arguments_or_page(parser, write_page)
    if args is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        commands = jobs(args.budget, tmp)
        unknown = set(args.jobs.split(",")) - set(commands)
        if unknown:
            raise SystemExit(f"unknown jobs {sorted(unknown)}; choose from {', '.join(commands)}")
        timed([sys.executable, "-m", "vaenas", "search", "--budget", "2", "--out", tempfile.mkdtemp(dir=tmp)], {}, tmp)
        rows = {}
        for name in args.jobs.split(","):
            row = {}
            for label, busy, env in LOADS:
                spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(busy)]
                for spinner in spinners:
                    spinner.start()
                try:
                    cwd = tempfile.mkdtemp(dir=tmp)
                    row[label] = round(timed(commands[name](), {**env, "VAENAS_CACHE": str(Path(cwd) / "cache")}, cwd), 1)
                finally:
                    for spinner in spinners:
                        spinner.terminate()
                print(f"{name:15s} {label:22s} {row[label]:7.1f} s ({row[label] / row['idle']:.2f}x idle)", flush=True)
            rows[name] = row
    save_result(args.out, {"provenance": provenance(), "budget": args.budget, "rows": rows})


def write_page(result: Path, page: Path) -> None:
    import json

    data = json.loads(result.read_text())
    labels = [label for label, _, _ in LOADS]
    lines = ["# Seconds idle and beside busy processes (generated by benchmarks/fair_share.py --page; do not edit)", "",
             f"`vaenas search` ({data['budget']} queries of `bo` on NAS-Bench-201, its VAE shipped), the README's "
             "Python example (it pretrains a 64-cell VAE), the pretraining of a VAE on a 729-cell space and "
             "`vaenas pretrain --space macro` (46,656 CNNs), each run once idle, then beside Python processes "
             "spinning on the 2 cores: with torch sized as before (a thread per core, spinning while it waits) "
             "and with the fair share vaenas applies (`vaenas.cpu_share`: the CPUs no other process keeps busy, "
             "and idle threads asleep where other processes are busy at start; `VAENAS_THREADS=N` chooses). "
             "The second column keeps idle threads asleep on the idle machine too (what vaenas did before "
             "it decided by the load). VAE training keeps 2 threads whatever the share "
             "(a cached VAE must not depend on which process trained it; docs/reliability.md). Single runs: "
             "differences of a few seconds are noise.", "",
             "| job | " + " | ".join(f"{label} (s)" for label in labels) + " |", "|---|" + "---|" * len(labels)]
    for name, row in data["rows"].items():
        cells = [f"{row[labels[0]]}"] + [f"{row[label]} ({row[label] / row[labels[0]]:.2f}x)" for label in labels[1:]
                                         if label in row]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", provenance_line(data["provenance"]), f"Result file: `{result}`.", ""]
    page.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
